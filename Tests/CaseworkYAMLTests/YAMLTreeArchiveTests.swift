import Foundation
import Testing
@testable import CaseworkYAML

/// A tree written by ``YAMLTreeArchive`` reads back as the tree the loader built, node for node; bytes that are not a
/// whole, well-formed tree read as nil, never a trap.
@Suite("YAML tree archive")
struct YAMLTreeArchiveTests {
    /// Every node of the tree under `node`, depth first, as text: kind, style, tag, range and scalar bytes.
    static func listing(_ node: YAMLNode) -> [String] {
        node.withView { view in
            var lines: [String] = []
            func walk(_ view: YAMLNodeView) {
                let range = view.range
                lines.append("\(view.kind) \(view.style) \(String(describing: view.tag)) \(range.file) \(range.start.line):\(range.start.column)@\(range.start.offset)"
                             + "-\(range.end.line):\(range.end.column)@\(range.end.offset) \(view.count) [\(view.string)]")
                switch view.kind {
                case .scalar: break
                case .sequence: for position in 0..<view.count { walk(view.item(position)) }
                case .mapping:
                    for position in 0..<view.count {
                        walk(view.key(position))
                        walk(view.value(position))
                    }
                }
            }
            walk(view)
            return lines
        }
    }

    /// The shipped definition files, and text with every scalar style, tags, an alias and non-ASCII.
    static let documents: [(file: String, text: String)] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var documents: [(file: String, text: String)] = []
        for folder in ["Workflows", "Policies"] {
            let base = root.appendingPathComponent(folder)
            for entry in (FileManager.default.enumerator(atPath: base.path)?.allObjects as? [String] ?? []).sorted() where entry.hasSuffix(".yaml") {
                if let text = try? String(contentsOf: base.appendingPathComponent(entry), encoding: .utf8) { documents.append(("\(folder)/\(entry)", text)) }
            }
        }
        documents.append(("styles.yaml", """
            plain: café au lait
            single: 'it''s'
            double: "a\\tb \\u00E9"
            literal: |
              two
              lines
            folded: >
              one
              line
            tagged: !!str 12
            anchored: &a [x, {y: z}]
            again: *a
            empty:
            """))
        return documents
    }()

    @Test func everyDocumentReadsBackNodeForNode() throws {
        #expect(Self.documents.count > 5)
        for document in Self.documents {
            let source = Array(document.text.utf8)
            let root = try #require(YAMLLoader.load(source, file: document.file).root, "\(document.file)")
            var bytes: [UInt8] = []
            YAMLTreeArchive.append(root, source: source, to: &bytes)
            var offset = 0
            let read = try #require(bytes.withUnsafeBytes { input in source.withUnsafeBytes { YAMLTreeArchive.read(input, at: &offset, file: document.file, source: $0) } },
                                    "\(document.file)")
            #expect(offset == bytes.count)
            #expect(Self.listing(read) == Self.listing(root), "\(document.file)")
            #expect(read.canonicalBytes == root.canonicalBytes)
        }
    }

    @Test func twoTreesBackToBackReadInTurn() throws {
        let (one, two) = (Array("a: 1\n".utf8), Array("b: [2, 3]\n".utf8))
        let first = try #require(YAMLLoader.load(one, file: "one.yaml").root)
        let second = try #require(YAMLLoader.load(two, file: "two.yaml").root)
        var bytes: [UInt8] = []
        YAMLTreeArchive.append(first, source: one, to: &bytes)
        YAMLTreeArchive.append(second, source: two, to: &bytes)
        var offset = 0
        let (a, b) = bytes.withUnsafeBytes { input in
            (one.withUnsafeBytes { YAMLTreeArchive.read(input, at: &offset, file: "one.yaml", source: $0) },
             two.withUnsafeBytes { YAMLTreeArchive.read(input, at: &offset, file: "two.yaml", source: $0) })
        }
        #expect(try Self.listing(#require(a)) == Self.listing(first))
        #expect(try Self.listing(#require(b)) == Self.listing(second))
        #expect(offset == bytes.count)
    }

    /// Every prefix of an archive short of the whole is refused, and so is a tree whose structure was altered (a root
    /// out of range or not a mapping, a child written after its container, a mapping key that is not a scalar, a
    /// scalar or an entry list past its buffer, an unknown kind or style, a number of more than five bytes), and one
    /// read with bytes too short for the scalars it copies from them; any single byte changed anywhere reads as a tree
    /// or nil, never a trap.
    @Test func brokenArchivesAreRefusedNeverATrap() throws {
        let source = Array("k: [a, {b: c}]\nd: 'e'\n".utf8)
        let root = try #require(YAMLLoader.load(source, file: "x.yaml").root)
        var good: [UInt8] = []
        YAMLTreeArchive.append(root, source: source, to: &good)
        func read(_ bytes: [UInt8], source: [UInt8] = source) -> YAMLNode? {
            var offset = 0
            return bytes.withUnsafeBytes { input in source.withUnsafeBytes { YAMLTreeArchive.read(input, at: &offset, file: "x.yaml", source: $0) } }
        }
        #expect(read(good) != nil)
        // Its scalars are copies of the file's bytes, so without them it does not read.
        #expect(read(good, source: []) == nil)
        #expect(read(good, source: Array(source.prefix(source.count - 3))) == nil)
        for length in 0..<good.count { #expect(read(Array(good.prefix(length))) == nil, "prefix \(length)") }

        func word(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }
        let parts = YAMLTreeArchive.Parts(root)
        func written(_ alter: (inout YAMLTreeArchive.Parts) -> Void) -> [UInt8] {
            var altered = parts
            alter(&altered)
            var bytes: [UInt8] = []
            altered.append(to: &bytes, source: source)
            return bytes
        }
        #expect(written { _ in } == good)
        let nodes = parts.records.count
        let kinds = parts.records.map { $0.code & 3 }
        let firstScalar = try #require(kinds.firstIndex(of: 0))
        let lastContainer = try #require(kinds.lastIndex(of: 2))
        let firstSequence = try #require(kinds.firstIndex(of: 1))
        // Where the root's entries start among the child entries: its first is a key.
        let rootFirst = Int(parts.records[lastContainer].first)
        // One node whose first number runs on past five bytes.
        let overlong = word(1) + word(0) + word(0) + word(0) + [UInt8](repeating: 0xFF, count: 6) + [UInt8](repeating: 0, count: 8)
        let broken: [(String, [UInt8])] = [
            ("root out of range", written { $0.root = Int32(nodes) }),
            ("root a scalar", written { $0.root = Int32(firstScalar) }),
            ("negative count", { var copy = good; copy.replaceSubrange(0..<4, with: word(-1)); return copy }()),
            ("child after its container", written { $0.children[0] = Int32(nodes - 1) }),
            ("key not a scalar", written { $0.children[rootFirst] = Int32(firstSequence) }),
            ("scalar past its bytes", written { $0.records[firstScalar].count = 1_000_000 }),
            ("entries past the list", written { $0.records[lastContainer].count = 1_000_000 }),
            ("entries claimed twice", written {
                // The root's entries widened to every child entry: each slot in range, but counted twice over.
                $0.records[lastContainer].first = 0
                $0.records[lastContainer].count = Int32(parts.children.count / 2)
            }),
            ("unknown kind", written { $0.records[firstScalar].code = 3 }),
            ("unknown style", written { $0.records[firstScalar].code = 7 << 2 }),
            ("an end past 32 bits", written { $0.records[firstScalar].marks[5] = .max; $0.records[firstScalar].marks[2] = .min }),
            ("a number of more than five bytes", overlong),
        ]
        for (name, bytes) in broken { #expect(read(bytes) == nil, "\(name)") }

        for position in good.indices {
            for value: UInt8 in [0, 1, 0x7F, 0xFF] {
                var copy = good
                copy[position] = value
                if let tree = read(copy) { _ = Self.listing(tree) }
            }
        }
    }
}

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
            let root = try #require(YAMLLoader.load(Array(document.text.utf8), file: document.file).root, "\(document.file)")
            var bytes: [UInt8] = []
            YAMLTreeArchive.append(root, to: &bytes)
            var offset = 0
            let held = ReadOnlyBytes(copying: bytes)
            let read = try #require(YAMLTreeArchive.read(held.buffer, keptBy: held, at: &offset, file: document.file), "\(document.file)")
            #expect(offset == bytes.count)
            #expect(Self.listing(read) == Self.listing(root), "\(document.file)")
            #expect(read.canonicalBytes == root.canonicalBytes)
        }
    }

    /// A tree is read in place: it keeps the bytes it was read from (a mapped file, here renamed over and removed, or
    /// memory of their own) alive with it, after its reader lets them go, and its ranges name the file it was read for.
    @Test func aTreeReadInPlaceKeepsItsBytes() throws {
        let text = "a: [1, {b: 'two'}]\nc: |\n  three\n"
        let root = try #require(YAMLLoader.load(Array(text.utf8), file: "written.yaml").root)
        let expected = try #require(YAMLLoader.load(Array(text.utf8), file: "read.yaml").root)
        var bytes: [UInt8] = Array("header\n".utf8)
        YAMLTreeArchive.append(root, to: &bytes)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("casework-archive-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        func readBack(_ held: () -> ReadOnlyBytes?) throws -> YAMLNode {
            let held = try #require(held())
            var offset = 7
            let tree = try #require(YAMLTreeArchive.read(held.buffer, keptBy: held, at: &offset, file: "read.yaml"))
            #expect(offset == bytes.count)
            return tree
        }
        let mapped = try readBack { FileBytes.mapped(path) }
        let copied = try readBack { ReadOnlyBytes(copying: bytes) }
        try Data("other".utf8).write(to: URL(fileURLWithPath: path + ".new"))
        #expect(rename(path + ".new", path) == 0)
        try FileManager.default.removeItem(atPath: path)
        #expect(Self.listing(mapped) == Self.listing(expected))
        #expect(Self.listing(copied) == Self.listing(expected))
        #expect(mapped.range.file == "read.yaml")
    }

    @Test func twoTreesBackToBackReadInTurn() throws {
        let first = try #require(YAMLLoader.load(Array("a: 1\n".utf8), file: "one.yaml").root)
        let second = try #require(YAMLLoader.load(Array("b: [2, 3]\n".utf8), file: "two.yaml").root)
        var bytes: [UInt8] = []
        YAMLTreeArchive.append(first, to: &bytes)
        YAMLTreeArchive.append(second, to: &bytes)
        var offset = 0
        let held = ReadOnlyBytes(copying: bytes)
        let (a, b) = (YAMLTreeArchive.read(held.buffer, keptBy: held, at: &offset, file: "one.yaml"),
                      YAMLTreeArchive.read(held.buffer, keptBy: held, at: &offset, file: "two.yaml"))
        #expect(try Self.listing(#require(a)) == Self.listing(first))
        #expect(try Self.listing(#require(b)) == Self.listing(second))
        #expect(offset == bytes.count)
    }

    /// Every prefix of an archive short of the whole is refused, and so is a tree whose structure was altered (a root
    /// out of range or not a mapping, a child written after its container, a mapping key that is not a scalar, a
    /// scalar or an entry list past its buffer, an unknown kind or style); any single byte changed anywhere reads as
    /// a tree or nil, never a trap.
    @Test func brokenArchivesAreRefusedNeverATrap() throws {
        let root = try #require(YAMLLoader.load(Array("k: [a, {b: c}]\nd: e\n".utf8), file: "x.yaml").root)
        var good: [UInt8] = []
        YAMLTreeArchive.append(root, to: &good)
        func read(_ bytes: [UInt8]) -> YAMLNode? {
            var offset = 0
            let held = ReadOnlyBytes(copying: bytes)
            return YAMLTreeArchive.read(held.buffer, keptBy: held, at: &offset, file: "x.yaml")
        }
        #expect(read(good) != nil)
        for length in 0..<good.count { #expect(read(Array(good.prefix(length))) == nil, "prefix \(length)") }

        func word(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }
        func replacing(at offset: Int, with bytes: [UInt8]) -> [UInt8] {
            var copy = good
            copy.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
            return copy
        }
        let nodes = good.withUnsafeBytes { Int($0.loadUnaligned(as: Int32.self)) }
        let padding = good.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: 16, as: Int32.self)) }
        let record = { (node: Int) in 20 + padding + node * YAMLTreeArchive.recordSize }
        let (kindAt, styleAt) = (YAMLTreeArchive.kindOffset, YAMLTreeArchive.styleOffset)
        let firstAt = MemoryLayout<YAMLNodeRecord>.offset(of: \.first)!
        let countAt = MemoryLayout<YAMLNodeRecord>.offset(of: \.count)!
        let kinds = (0..<nodes).map { YAMLTreeArchive.kindBytes.firstIndex(of: good[record($0) + kindAt]) }
        let firstScalar = try #require(kinds.firstIndex(of: 0))
        let lastContainer = try #require(kinds.lastIndex(of: 2))
        let firstSequence = try #require(kinds.firstIndex(of: 1))
        let childrenStart = record(nodes)
        // Where the root's entries start among the child entries: its first is a key.
        let rootFirst = good.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: record(lastContainer) + firstAt, as: Int32.self)) }
        let unknownKind = UInt8(try #require((0...255).first { !YAMLTreeArchive.kindBytes.contains(UInt8($0)) }))
        let unknownStyle = UInt8(try #require((0...255).first { !YAMLTreeArchive.styleBytes.contains(UInt8($0)) }))
        let broken: [(String, [UInt8])] = [
            ("root out of range", replacing(at: 12, with: word(Int32(nodes)))),
            ("root a scalar", replacing(at: 12, with: word(Int32(firstScalar)))),
            ("negative count", replacing(at: 0, with: word(-1))),
            ("child after its container", replacing(at: childrenStart, with: word(Int32(nodes - 1)))),
            ("key not a scalar", replacing(at: childrenStart + 4 * rootFirst, with: word(Int32(firstSequence)))),
            ("scalar past its bytes", replacing(at: record(firstScalar) + countAt, with: word(1_000_000))),
            ("entries past the list", replacing(at: record(lastContainer) + countAt, with: word(1_000_000))),
            ("entries claimed twice", {
                // The root's entries widened to every child entry: each slot in range, but counted twice over.
                let childCount = good.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: 4, as: Int32.self)) }
                var copy = good
                copy.replaceSubrange((record(lastContainer) + firstAt)..<(record(lastContainer) + firstAt + 4), with: word(0))
                copy.replaceSubrange((record(lastContainer) + countAt)..<(record(lastContainer) + countAt + 4), with: word(Int32(childCount / 2)))
                return copy
            }()),
            ("unknown kind", replacing(at: record(firstScalar) + kindAt, with: [unknownKind])),
            ("unknown style", replacing(at: record(firstScalar) + styleAt, with: [unknownStyle])),
            ("unknown tag", replacing(at: record(firstScalar) + YAMLTreeArchive.tagOffset, with: [8])),
            ("padding past a record's alignment", replacing(at: 16, with: word(Int32(YAMLTreeArchive.alignment)))),
            ("records out of place", replacing(at: 16, with: word(Int32(padding + 1)))),
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

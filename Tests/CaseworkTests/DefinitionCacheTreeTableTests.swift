@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkStore
import CaseworkYAML
import Foundation
import Testing

/// An entry of the definition cache (format 7) checks its index (fingerprints, the table of trees and workflows'
/// regions, the decoded set) with one SHA-256 and each tree and region with its own, hashed and read only when first
/// used (issue 16): a hit reads no tree and no region it does not use, a damaged region is found when its workflow is
/// first run (that workflow refused, the entry discarded), damage to the index is a miss, every prefix of an entry is a
/// miss, and threads asking for one tree at once get the same tree.
@Suite("the definition cache: trees read when first used")
struct DefinitionCacheTreeTableTests {
    typealias Space = DefinitionCacheTests.Space

    /// An entry's bytes in its parts: the header and key lines, the index and the trees, and each file's tree's place
    /// as the table says.
    struct Entry {
        let key: String
        var index: [UInt8]
        var trees: [UInt8]
        /// Where the trees start in the entry.
        let treesStart: Int

        init(_ bytes: Data, key: String) throws {
            let bytes = Array(bytes)
            var ends: [Int] = []
            for position in bytes.indices where bytes[position] == 0x0A && ends.count < 3 { ends.append(position) }
            try #require(ends.count == 3)
            let summary = String(decoding: bytes[(ends[1] + 1)..<ends[2]], as: UTF8.self)
            let length = try #require(Int(summary.dropFirst(65)))
            let indexStart = ends[2] + 1
            self.key = key
            index = Array(bytes[indexStart..<(indexStart + length)])
            trees = Array(bytes[(indexStart + length)...])
            treesStart = indexStart + length
        }

        /// The entry's bytes, the third line's checksum made to match the index.
        var bytes: Data {
            Data("\(DefinitionCache.header)\n\(key)\n\(SHA256.hex(index)) \(index.count)\n".utf8) + index + trees
        }

        /// Where file `position`'s tree lies in ``trees``.
        func place(_ position: Int) -> Range<Int> { place(position, field: 128) }

        /// Where file `position`'s workflow's region lies in ``trees`` (empty for a file of another kind).
        func region(_ position: Int) -> Range<Int> { place(position, field: 208) }

        private func place(_ position: Int, field: Int) -> Range<Int> {
            func word(_ at: Int) -> Int { (0..<8).reduce(0) { $0 | Int(index[at + $1]) << (8 * $1) } }
            let line = position * DefinitionCache.tableEntrySize
            let start = word(line + field) - treesStart
            return start..<(start + word(line + field + 8))
        }

        /// Makes file `position`'s tree's SHA-256 in the table match its bytes again.
        mutating func resum(tree position: Int) {
            let line = position * DefinitionCache.tableEntrySize
            index.replaceSubrange((line + 64)..<(line + 128), with: SHA256.hex(Array(trees[place(position)])).utf8)
        }

        /// Makes file `position`'s workflow's region's SHA-256 in the table match its bytes again.
        mutating func resum(region position: Int) {
            let line = position * DefinitionCache.tableEntrySize
            index.replaceSubrange((line + 144)..<(line + 208), with: SHA256.hex(Array(trees[region(position)])).utf8)
        }
    }

    /// The entry `space`'s first load wrote: its key, path and parts.
    static func written(_ space: Space) throws -> (key: String, path: String, entry: Entry) {
        _ = try space.load()
        let name = try #require(space.entries.first)
        let path = space.directory + "/" + name
        let key = String(name.dropFirst("definitions-".count))
        return (key, path, try Entry(try #require(FileManager.default.contents(atPath: path)), key: key))
    }

    /// What `policy` decides for the shipped request, as comparable text.
    static func decision(_ catalog: DefinitionCatalog, _ space: Space) throws -> [String] {
        let request = space.root.appendingPathComponent("request.json")
        try Data(DefinitionCacheTests.decideRequest.utf8).write(to: request)
        let policy = try #require(catalog.policies["send-portal"])
        let decision = policy.decide(try AccessRequestReader(policy: policy, catalog: catalog).read(path: request.path))
        return ["\(decision.allowed)"] + decision.matched + decision.redact + decision.reasons
    }

    /// A hit reads no tree and no workflow's region while the catalog is built and a request decided, and exactly the
    /// run workflow's region, and still no tree, when a case is opened (`case show` and `case fire` run one workflow).
    @Test func aHitReadsOnlyTheRegionsItUses() throws {
        let space = try Space()
        _ = try space.load()
        let digests = try Validator.digests(paths: space.paths)
        let key = try #require(space.cache.key(for: digests))
        let known = try #require(space.cache.entry(for: key, files: digests.map(\.file)))
        #expect(known.workflows.count == known.definitions.workflows.count && known.workflows.count > 10)
        func trees() -> [String] { zip(digests, known.files).filter { $0.1.tree.isRead }.map { URL(fileURLWithPath: $0.0.file).lastPathComponent } }
        func regions() -> [String] { known.workflows.filter { $0.value.isRead }.map { URL(fileURLWithPath: $0.key).lastPathComponent }.sorted() }
        let catalog = try DefinitionCatalog(Validator.validate(digests, known: known), whenAKeptTreeFails: {})
        #expect(trees().isEmpty && regions().isEmpty)
        #expect(try Self.decision(catalog, space) == Self.decision(try DefinitionCatalog.load(paths: space.paths), space))
        #expect(trees().isEmpty && regions().isEmpty)
        let engine = try Engine(catalog: catalog, store: InMemoryCaseStore())
        _ = try engine.open(workflow: "ehcp-needs-assessment", as: .operator(), fields: DefinitionCacheLazyDecodingTests.assessmentFields)
        #expect(regions() == ["ehcp-needs-assessment.yaml"])
        #expect(trees().isEmpty)
    }

    /// A changed byte inside the tree of `annual-review` (the index and its checksum untouched) is never found: a hit
    /// reads no tree, and the workflow runs from its region as on a fresh load.
    @Test func aDamagedTreeIsNeverRead() throws {
        let space = try Space()
        let (_, path, good) = try Self.written(space)
        let files = try Validator.read(paths: space.paths)
        let position = try #require(files.firstIndex { $0.file.hasSuffix("annual-review.yaml") })
        var changedByte = good
        changedByte.trees[good.place(position).lowerBound + good.place(position).count / 2] ^= 0x20
        try changedByte.bytes.write(to: URL(fileURLWithPath: path))
        let catalog = try space.load()
        #expect(throws: Never.self) { try Engine(catalog: catalog, store: InMemoryCaseStore()).open(workflow: "annual-review", as: .operator(), fields: DefinitionCacheLazyDecodingTests.reviewFields) }
        #expect(FileManager.default.contents(atPath: path) == changedByte.bytes, "a hit, the entry kept")
    }

    /// One byte changed inside the region of `annual-review` (the index and its checksum untouched), and, separately,
    /// that region made unreadable (every byte 0xFF, a number past 64 bits) with its own SHA-256 made to match: the load
    /// is a hit (no region is read), deciding and opening an assessment case answer as on a fresh load, but opening an
    /// `annual-review` case is refused with a clear error, never run; the entry is discarded and the next load is a
    /// miss that runs it.
    @Test func aDamagedRegionIsFoundWhenItsWorkflowIsFirstRun() throws {
        let space = try Space()
        let fresh = try DefinitionCatalog.load(paths: space.paths)
        let (_, path, good) = try Self.written(space)
        let files = try Validator.read(paths: space.paths)
        let position = try #require(files.firstIndex { $0.file.hasSuffix("annual-review.yaml") })
        var changedByte = good
        changedByte.trees[good.region(position).lowerBound + good.region(position).count / 2] ^= 0x20
        var unreadable = good
        unreadable.trees.replaceSubrange(good.region(position), with: repeatElement(0xFF, count: good.region(position).count))
        unreadable.resum(region: position)
        for (name, damaged) in [("a changed byte", changedByte), ("an unreadable region", unreadable)] {
            try damaged.bytes.write(to: URL(fileURLWithPath: path))
            let catalog = try space.load()
            #expect(FileManager.default.contents(atPath: path) == damaged.bytes, "\(name): a hit")
            #expect(try Self.decision(catalog, space) == Self.decision(fresh, space), "\(name)")
            let engine = try Engine(catalog: catalog, store: InMemoryCaseStore())
            #expect(throws: Never.self) { try engine.open(workflow: "ehcp-needs-assessment", as: .operator(), fields: DefinitionCacheLazyDecodingTests.assessmentFields) }
            #expect(space.entries.count == 1, "\(name): the entry kept while only sound regions are used")
            do {
                _ = try engine.open(workflow: "annual-review", as: .operator(), fields: DefinitionCacheLazyDecodingTests.reviewFields)
                Issue.record("\(name): a workflow whose kept region is damaged was run")
            } catch {
                guard case .definitionError(let message) = error else {
                    Issue.record("\(name): expected the damaged region's error, got \(error)")
                    continue
                }
                #expect(message.contains("annual-review") && message.contains("damaged"), "\(name): \(message)")
            }
            #expect(space.entries.isEmpty, "\(name): the entry discarded")
            let again = try space.load()
            #expect(throws: Never.self) { try Engine(catalog: again, store: InMemoryCaseStore()).open(workflow: "annual-review", as: .operator(), fields: DefinitionCacheLazyDecodingTests.reviewFields) }
            #expect(FileManager.default.contents(atPath: path) == good.bytes, "\(name): written again")
        }
    }

    /// A byte changed in the table of trees or in the decoded set, with the index's checksum made to match, is a miss
    /// or reads as an entry whose every tree lies where the table says (the table's places are checked), never a trap;
    /// a tree's place moved or resized is a miss.
    @Test func aChangedIndexWithItsChecksumMadeToMatchIsAMissOrWhole() throws {
        let space = try Space()
        let (key, path, good) = try Self.written(space)
        let files = try Validator.read(paths: space.paths).map(\.file)
        func read(_ entry: Entry) -> Validator.Known? {
            try? entry.bytes.write(to: URL(fileURLWithPath: path))
            return space.cache.entry(for: key, files: files)
        }
        #expect(read(good)?.files.count == DefinitionCacheTests.fileCount)
        let table = files.count * DefinitionCache.tableEntrySize
        for position in Array(0..<table) + Array(stride(from: table, to: good.index.count, by: 211)) {
            var changed = good
            changed.index[position] ^= 0x20
            let field = position % DefinitionCache.tableEntrySize
            let inPlace = ((128..<144).contains(field) || (208..<224).contains(field)) && position < table
            if let known = read(changed) {
                #expect(!inPlace, "a tree's or a region's place changed at \(position) was read")
                #expect(known.files.count == files.count)
            }
        }
        for (line, delta) in [(128, 1), (136, 1), (136, -1)] {
            var moved = good
            moved.index[line] = UInt8(truncatingIfNeeded: Int(moved.index[line]) + delta)
            #expect(read(moved) == nil, "byte \(line) moved by \(delta)")
        }
    }

    /// Every prefix of an entry, one byte at a time, is a miss (the trees run to the entry's end).
    @Test func everyPrefixOfAnEntryIsAMiss() throws {
        let space = try Space()
        let (key, _, good) = try Self.written(space)
        let files = try Validator.read(paths: space.paths).map(\.file)
        let bytes = ReadOnlyBytes(copying: Array(good.bytes))
        #expect(space.cache.entry(in: bytes.buffer, keptBy: bytes, for: key, files: files)?.files.count == files.count)
        var read = 0
        for length in 0..<bytes.buffer.count where space.cache.entry(in: UnsafeRawBufferPointer(rebasing: bytes.buffer[0..<length]), keptBy: bytes, for: key, files: files) != nil {
            read += 1
        }
        #expect(read == 0)
    }

    /// Many tasks asking for the same kept tree at once get one tree, read once: the same buffers, equal to the tree
    /// the loader makes of the file.
    @Test func manyTasksAskingForOneTreeGetOneTree() async throws {
        let space = try Space()
        _ = try space.load()
        let files = try Validator.read(paths: space.paths)
        let key = try #require(space.cache.key(for: files))
        let known = try #require(space.cache.entry(for: key, files: files))
        let position = try #require(files.firstIndex { $0.file.hasSuffix("ehcp-needs-assessment.yaml") })
        let tree = known.files[position].tree
        #expect(!tree.isRead)
        let trees = await withTaskGroup(of: ObjectIdentifier?.self) { group in
            for _ in 0..<64 { group.addTask { tree.node.map { ObjectIdentifier($0.tree) } } }
            var trees: [ObjectIdentifier?] = []
            for await tree in group { trees.append(tree) }
            return trees
        }
        #expect(trees.count == 64 && trees.allSatisfy { $0 != nil } && Set(trees).count == 1)
        let loaded = try #require(YAMLLoader.load(try files[position].bytes.get(), file: files[position].file).root)
        #expect(try #require(tree.node).canonicalBytes == loaded.canonicalBytes)
    }
}

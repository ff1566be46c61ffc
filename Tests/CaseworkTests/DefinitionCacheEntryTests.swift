@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkStore
import CaseworkYAML
import Foundation
import Testing

/// An entry of the definition cache (format 8) checks its index (fingerprints, the table of the workflows' regions, the
/// decoded set) with one SHA-256 and each workflow's region with its own, hashed and read only when its workflow is
/// first run, and holds no YAML tree (issue 16): a hit reads no region it does not use, a damaged region is found when
/// its workflow is first run (that workflow refused, the entry discarded and written again by the next miss), a changed
/// byte of the index is a miss or a whole, sound entry, every prefix of an entry is a miss, and threads asking for one
/// region at once get one workflow.
@Suite("the definition cache: the entry's index and regions")
struct DefinitionCacheEntryTests {
    typealias Space = DefinitionCacheTests.Space

    /// An entry's bytes in its parts: the header and key lines, the index and the regions, and each file's region's place
    /// as the table says.
    struct Entry {
        let key: String
        var index: [UInt8]
        var regions: [UInt8]
        /// Where the regions start in the entry.
        let regionsStart: Int

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
            regions = Array(bytes[(indexStart + length)...])
            regionsStart = indexStart + length
        }

        /// The entry's bytes, the third line's checksum made to match the index.
        var bytes: Data {
            Data("\(DefinitionCache.header)\n\(key)\n\(SHA256.hex(index)) \(index.count)\n".utf8) + index + regions
        }

        /// Where file `position`'s workflow's region lies in ``regions`` (empty for a file of another kind).
        func region(_ position: Int) -> Range<Int> {
            func word(_ at: Int) -> Int { (0..<8).reduce(0) { $0 | Int(index[at + $1]) << (8 * $1) } }
            let field = position * DefinitionCache.tableEntrySize + DefinitionCache.placeOffset
            let start = word(field) - regionsStart
            return start..<(start + word(field + 8))
        }

        /// Makes file `position`'s workflow's region's SHA-256 in the table match its bytes again.
        mutating func resum(region position: Int) {
            let line = position * DefinitionCache.tableEntrySize
            index.replaceSubrange((line + 64)..<(line + 128), with: SHA256.hex(Array(regions[region(position)])).utf8)
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

    /// A hit reads no workflow's region while the catalog is built and a request decided, and exactly the run
    /// workflow's region when a case is opened (`case show` and `case fire` run one workflow).
    @Test func aHitReadsOnlyTheRegionsItUses() throws {
        let space = try Space()
        _ = try space.load()
        let digests = try Validator.digests(paths: space.paths)
        let key = try #require(space.cache.key(for: digests))
        let known = try #require(space.cache.entry(for: key, files: digests.map(\.file)))
        #expect(known.workflows.count == known.definitions.workflows.count && known.workflows.count > 10)
        func regions() -> [String] { known.workflows.filter { $0.value.isRead }.map { URL(fileURLWithPath: $0.key).lastPathComponent }.sorted() }
        let catalog = try DefinitionCatalog(Validator.validate(digests, known: known), whenAKeptRegionFails: {})
        #expect(regions().isEmpty)
        #expect(try Self.decision(catalog, space) == Self.decision(try DefinitionCatalog.load(paths: space.paths), space))
        #expect(regions().isEmpty)
        let engine = try Engine(catalog: catalog, store: InMemoryCaseStore())
        _ = try engine.open(workflow: "ehcp-needs-assessment", as: .operator(), fields: DefinitionCacheLazyDecodingTests.assessmentFields)
        #expect(regions() == ["ehcp-needs-assessment.yaml"])
    }

    /// The entry holds, after its index, each workflow's region and nothing else: a file of another kind has an empty
    /// region, every workflow's file a region of its own, and the regions end where the entry does (no tree is kept).
    @Test func anEntryHoldsEachWorkflowsRegionAndNoTree() throws {
        let space = try Space()
        let (_, path, good) = try Self.written(space)
        let files = try Validator.read(paths: space.paths).map(\.file)
        let workflows = Set(try DefinitionCatalog.load(paths: space.paths).workflows.values.map(\.outline.file))
        #expect(workflows.count > 10)
        var end = 0
        for position in files.indices {
            let region = good.region(position)
            #expect(region.lowerBound == end, "\(files[position])")
            #expect(region.isEmpty != workflows.contains(files[position]), "\(files[position])")
            end = region.upperBound
        }
        #expect(end == good.regions.count)
        #expect(good.index.count > files.count * DefinitionCache.tableEntrySize)
        #expect(FileManager.default.contents(atPath: path)?.count == good.regionsStart + end)
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
        changedByte.regions[good.region(position).lowerBound + good.region(position).count / 2] ^= 0x20
        var unreadable = good
        unreadable.regions.replaceSubrange(good.region(position), with: repeatElement(0xFF, count: good.region(position).count))
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

    /// Every byte of the table and every 97th byte of the decoded set changed (the index's checksum made to match) is a
    /// miss or reads as a whole, sound entry: a fingerprint for every file, exactly the workflows' files with regions,
    /// each region lying where the table says and reading as a whole workflow or nil, never a trap; a changed place is
    /// always a miss (the places are checked against one another and the entry's end), and so is a region's place
    /// moved or resized.
    @Test func aChangedIndexWithItsChecksumMadeToMatchIsAMissOrWhole() throws {
        let space = try Space()
        let (key, path, good) = try Self.written(space)
        let files = try Validator.read(paths: space.paths).map(\.file)
        func read(_ entry: Entry) -> Validator.Known? {
            try? entry.bytes.write(to: URL(fileURLWithPath: path))
            return space.cache.entry(for: key, files: files)
        }
        let whole = try #require(read(good))
        #expect(whole.fingerprints.count == DefinitionCacheTests.fileCount)
        let table = files.count * DefinitionCache.tableEntrySize
        var wholes = 0
        for position in Array(0..<table) + Array(stride(from: table, to: good.index.count, by: 97)) {
            var changed = good
            changed.index[position] ^= 0x20
            let field = position % DefinitionCache.tableEntrySize
            let inPlace = field >= DefinitionCache.placeOffset && position < table
            guard let known = read(changed) else { continue }
            wholes += 1
            #expect(!inPlace, "a region's place changed at \(position) was read")
            #expect(known.fingerprints.count == files.count)
            #expect(Set(known.workflows.keys) == Set(known.definitions.workflows.map(\.file)), "byte \(position) changed")
            for region in known.workflows.values { _ = region.value }
        }
        #expect(wholes > 0, "some changed bytes (of names, texts) still read as an entry")
        let firstRegion = try #require(files.indices.first { !good.region($0).isEmpty })
        let field = firstRegion * DefinitionCache.tableEntrySize + DefinitionCache.placeOffset
        for (at, delta) in [(field, 1), (field + 8, 1), (field + 8, -1)] {
            var moved = good
            moved.index[at] = UInt8(truncatingIfNeeded: Int(moved.index[at]) + delta)
            #expect(read(moved) == nil, "byte \(at) moved by \(delta)")
        }
    }

    /// Every prefix of an entry, one byte at a time, is a miss (the regions run to the entry's end).
    @Test func everyPrefixOfAnEntryIsAMiss() throws {
        let space = try Space()
        let (key, _, good) = try Self.written(space)
        let files = try Validator.read(paths: space.paths).map(\.file)
        let bytes = ReadOnlyBytes(copying: Array(good.bytes))
        #expect(space.cache.entry(in: bytes.buffer, keptBy: bytes, for: key, files: files)?.fingerprints.count == files.count)
        var read = 0
        for length in 0..<bytes.buffer.count where space.cache.entry(in: UnsafeRawBufferPointer(rebasing: bytes.buffer[0..<length]), keptBy: bytes, for: key, files: files) != nil {
            read += 1
        }
        #expect(read == 0)
    }

    /// Many tasks asking for the same kept region at once get one workflow, read once: the miss's definition and
    /// checked expressions.
    @Test func manyTasksAskingForOneRegionGetOneWorkflow() async throws {
        let space = try Space()
        _ = try space.load()
        let files = try Validator.read(paths: space.paths)
        let miss = Validator.validate(files)
        let key = try #require(space.cache.key(for: files))
        let known = try #require(space.cache.entry(for: key, files: files))
        let file = try #require(files.first { $0.file.hasSuffix("ehcp-needs-assessment.yaml") }).file
        let region = try #require(known.workflows[file])
        #expect(!region.isRead)
        let workflows = await withTaskGroup(of: KeptWorkflow?.self) { group in
            for _ in 0..<64 { group.addTask { region.value } }
            var workflows: [KeptWorkflow?] = []
            for await workflow in group { workflows.append(workflow) }
            return workflows
        }
        let expected = try #require(miss.definitions.workflows.first { $0.file == file })
        #expect(workflows.count == 64 && workflows.allSatisfy { $0?.definition == expected })
        let texts = Set(workflows.map { $0.map { DefinitionCacheWorkflowRegionTests.summary($0.expressions) } ?? [] })
        let checked = try #require(miss.workflowExpressions[expected.id.value])
        #expect(texts.count == 1 && texts.first == DefinitionCacheWorkflowRegionTests.summary(checked))
    }
}

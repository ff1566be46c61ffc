import CaseworkTestSupport
import Foundation
import Testing
import Casework
@testable import CaseworkCommandLine
@testable import CaseworkEngine

/// The definition cache (issue 16): a hit builds the catalog a fresh load builds, any change to any definition file
/// is a miss, a broken entry is a miss, processes writing at once leave one whole entry, and `--no-cache` and
/// `CASEWORK_NO_CACHE=1` bypass it.
@Suite("the definition cache")
struct DefinitionCacheTests {
    /// A copy of the shipped `Workflows/` and `Policies/` and a cache directory, in a new temporary folder.
    struct Space {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("casework-cache-\(UUID().uuidString)")
        var paths: [String] { ["Workflows", "Policies"].map { root.appendingPathComponent($0).path } }
        var directory: String { root.appendingPathComponent("cache").path }
        var cache: DefinitionCache { DefinitionCache(directory: directory, build: "tests") }

        init() throws {
            for folder in ["Workflows", "Policies"] {
                try FileManager.default.copyItem(at: RepositoryPaths.root.appendingPathComponent(folder), to: root.appendingPathComponent(folder))
            }
        }

        func load() throws -> DefinitionCatalog { try DefinitionCatalog.load(paths: paths, cache: cache) }

        /// The entries' file names, sorted.
        var entries: [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix("definitions-") }.sorted()
        }

        /// Whether the only entry is whole: its header, key and checksum match, and it holds a fingerprint for each of
        /// the `count` files.
        func entryIsWhole(count: Int) -> Bool {
            guard entries.count == 1, let name = entries.first, let files = try? Validator.read(paths: paths), files.count == count else { return false }
            return cache.entry(for: String(name.dropFirst("definitions-".count)), files: files)?.fingerprints.count == count
        }

        /// The summary of a fresh load, and the path and bytes of the one entry a load through the cache writes.
        func freshAndEntry() throws -> (fresh: [String], entry: String, good: Data) {
            let fresh = try DefinitionCacheTests.summary(try DefinitionCatalog.load(paths: paths))
            _ = try load()
            let entry = directory + "/" + (try #require(entries.first))
            return (fresh, entry, try #require(FileManager.default.contents(atPath: entry)))
        }

        func text(_ file: String) throws -> String { try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8) }
        func write(_ file: String, _ text: String) throws { try Data(text.utf8).write(to: root.appendingPathComponent(file)) }
    }

    /// What a catalog is built from and runs by, as comparable text (its calendars are compared by ``calendars(_:)``).
    static func summary(_ catalog: DefinitionCatalog) throws -> [String] {
        try catalog.stored.map { "\($0.kind) \($0.id) \($0.version) \($0.fingerprint) \($0.content.count) \(SHA256.hex($0.content))" }.sorted()
            + catalog.workflows.map { id, workflow in
                "workflow \(id): guards \(workflow.guards.keys.sorted()) sets \(workflow.assignments.mapValues { $0.map(\.field) }.sorted { $0.key < $1.key })"
                    + " deadlines \(workflow.deadlineConditions.keys.sorted()) \(workflow.deadlineDueDates.keys.sorted()) fields \(workflow.fieldTypes.keys.sorted())"
            }.sorted()
            + catalog.policies.keys.sorted().map { "policy \($0)" }
            + catalog.calendars.keys.sorted().map { "calendar \($0) \(catalog.calendars[$0]!.hashValue)" }
            + ["child \(catalog.child.map { "\($0.id.value) \($0.version) \($0.fieldTypes.sorted { $0.key < $1.key })" } ?? "none")"]
            + ["snapshot \(catalog.snapshot.fingerprint)"]
    }

    static let fileCount = 20

    /// A `casework decide` request on the shipped definitions.
    static let decideRequest = """
        {"actor": {"id": "parent-b", "role": "parent", "second_factor_verified": true, "relationship": "parent"},
         "action": "view", "resource": "ehcp",
         "case": {"id": "c1", "workflow": "ehcp-needs-assessment", "state": "gathering_advice", "fields": {"child": {"date_of_birth": "2015-03-02"}}},
         "grants": [{"to": "parent-a", "level": "full"}, {"to": "parent-b", "level": "limited"}], "at": "2025-11-25T10:00:00Z"}
        """

    @Test func aHitBuildsTheCatalogAFreshLoadBuilds() throws {
        let space = try Space()
        let fresh = try Self.summary(try DefinitionCatalog.load(paths: space.paths))
        #expect(try Self.summary(try space.load()) == fresh)
        #expect(space.entryIsWhole(count: Self.fileCount))
        #expect(try Self.summary(try space.load()) == fresh)
        #expect(space.entries.count == 1)
    }

    /// One file of each kind: appending a comment is a miss (a second entry) whose catalog holds the new text, and
    /// changing one byte so the file no longer validates is refused, never served from the entry.
    @Test(arguments: ["Workflows/ehcp-needs-assessment.yaml", "Workflows/forms/professional-advice.yaml",
                      "Workflows/calendars/england-and-wales.yaml", "Policies/send-portal.yaml", "Workflows/child.yaml"])
    func anyChangeToAnyFileIsAMiss(_ file: String) throws {
        let space = try Space()
        let original = try space.text(file)
        let stored = try #require(try space.load().stored.first { $0.content == original })
        let commented = original + "# changed\n"
        try space.write(file, commented)
        let changed = try space.load()
        #expect(space.entries.count == 2)
        #expect(try changed.stored.first { $0.kind == stored.kind && $0.id == stored.id }?.content == commented)
        try space.write(file, original.replacingOccurrences(of: "\nversion:", with: "\nversiom:"))
        #expect(throws: EngineError.self) { try space.load() }
        try space.write(file, original)
        #expect(try Self.summary(try space.load()) == Self.summary(try DefinitionCatalog.load(paths: space.paths)))
    }

    /// A second child definition added beside the shipped one is a miss refused by the full validation (CW0259, a check a
    /// hit skips), and taking it away again loads the set the entry was written for.
    @Test func aSecondChildDefinitionIsAMissAndRefused() throws {
        let space = try Space()
        let before = try Self.summary(try space.load())
        try space.write("Workflows/child-copy.yaml", try space.text("Workflows/child.yaml").replacingOccurrences(of: "child: send-child", with: "child: send-child-copy"))
        do {
            _ = try space.load()
            Issue.record("a set with two child definitions loaded")
        } catch {
            guard case .invalidDefinitions(let diagnostics)? = error as? EngineError else { throw error }
            #expect(diagnostics.map(\.code.rawValue).contains("CW0259"))
        }
        try FileManager.default.removeItem(at: space.root.appendingPathComponent("Workflows/child-copy.yaml"))
        #expect(try Self.summary(try space.load()) == before)
    }

    /// A file added or removed is a miss: here each makes the set invalid in a way only the checks a hit skips find
    /// (a duplicate id; a form a workflow starts gone).
    @Test func addingOrRemovingAFileIsAMiss() throws {
        let space = try Space()
        _ = try space.load()
        let form = "Workflows/forms/professional-advice.yaml"
        try space.write("Workflows/forms/copy.yaml", try space.text(form))
        #expect(throws: EngineError.self) { try space.load() }
        try FileManager.default.removeItem(at: space.root.appendingPathComponent("Workflows/forms/copy.yaml"))
        _ = try space.load()
        try FileManager.default.removeItem(at: space.root.appendingPathComponent(form))
        #expect(throws: EngineError.self) { try space.load() }
        #expect(space.entries.count == 1)
    }

    /// An entry that is empty, garbage, cut short, altered (in its index) or of another format is a miss: the catalog is
    /// the fresh one and the entry is written again, whole. A cache directory that cannot be written only costs the work.
    /// (A byte altered in a workflow's region is found only when that workflow is first run: ``DefinitionCacheEntryTests``.)
    @Test func aBrokenEntryIsAMiss() throws {
        let space = try Space()
        let (fresh, entry, good) = try space.freshAndEntry()
        let parts = try DefinitionCacheEntryTests.Entry(good, key: String(try #require(space.entries.first).dropFirst("definitions-".count)))
        var altered = good
        altered[parts.regionsStart - 10] ^= 0x01
        let header = Data("\(DefinitionCache.header)\n".utf8)
        #expect(good.starts(with: header))
        let otherFormat = Data("casework definition cache \(DefinitionCache.formatVersion - 1)\n".utf8) + good.dropFirst(header.count)
        let broken = [Data(), Data("garbage\n".utf8), good.prefix(good.count - 20), good.prefix(header.count + 100), altered, otherFormat]
        for bytes in broken {
            try bytes.write(to: URL(fileURLWithPath: entry))
            #expect(try Self.summary(try space.load()) == fresh)
            #expect(FileManager.default.contents(atPath: entry) == good)
        }
        try FileManager.default.removeItem(atPath: space.directory)
        try Data().write(to: URL(fileURLWithPath: space.directory))
        #expect(try Self.summary(try space.load()) == fresh)
    }

    /// A whole, well-summed entry that others may write is a miss, never trusted: its trees stand in for validated
    /// definitions, so only an entry of the user's own that no one else could have written is read. The load validates
    /// in full and writes the entry again, the user's alone.
    @Test func anEntryOthersMayWriteIsAMissAndWrittenAgain() throws {
        let space = try Space()
        let (fresh, entry, good) = try space.freshAndEntry()
        #expect(space.entryIsWhole(count: Self.fileCount))
        for mode: mode_t in [0o660, 0o606] {
            chmod(entry, mode)
            #expect(!space.entryIsWhole(count: Self.fileCount), "an entry of mode \(String(mode, radix: 8))")
            #expect(try Self.summary(try space.load()) == fresh)
            #expect(FileManager.default.contents(atPath: entry) == good)
            let mode = try FileManager.default.attributesOfItem(atPath: entry)[.posixPermissions] as? Int
            #expect(mode == 0o600, "the entry written again")
            #expect(space.entryIsWhole(count: Self.fileCount))
        }
    }

    /// An entry whose index's checksum matches but whose first fingerprint or first region's SHA-256 is not
    /// hexadecimal, or whose first region's place is not where the regions start, is a miss too: what is read back is
    /// checked, not only summed. (A well-summed entry whose region does not read is found when its workflow is first
    /// run: ``DefinitionCacheEntryTests``.)
    @Test func aWellSummedButMalformedEntryIsAMiss() throws {
        let space = try Space()
        let (fresh, entry, good) = try space.freshAndEntry()
        let parts = try DefinitionCacheEntryTests.Entry(good, key: String(try #require(space.entries.first).dropFirst("definitions-".count)))
        #expect(parts.bytes == good)
        var notHex = parts, shaNotHex = parts, misplaced = parts
        notHex.index[0] = UInt8(ascii: "g")
        shaNotHex.index[64] = UInt8(ascii: "g")
        misplaced.index[DefinitionCache.placeOffset] ^= 0x08
        for bytes in [notHex, shaNotHex, misplaced].map(\.bytes) {
            try bytes.write(to: URL(fileURLWithPath: entry))
            #expect(try Self.summary(try space.load()) == fresh)
            #expect(FileManager.default.contents(atPath: entry) == good)
        }
    }

    /// A whole entry cut short anywhere in its three header lines (format, key, the index's checksum and length) and at
    /// every 997th byte after them, or with one byte changed in its header lines or at every 499th byte of its index, is
    /// a miss: the key and the checksum cover every byte but the regions'. A byte changed in a workflow's region (every
    /// 499th) reads as an entry whose region for that workflow fails its own SHA-256 (nil) and whose other regions read.
    /// With the checksum of the index, or the changed region's SHA-256, made to match again, the same changes read back
    /// as an entry or a miss and the region as a workflow or nil, never a trap.
    @Test func everyCutOrChangedByteOfAnEntryIsAMiss() throws {
        let space = try Space()
        let (_, entry, good) = try space.freshAndEntry()
        let key = String(try #require(space.entries.first).dropFirst("definitions-".count))
        let parts = try DefinitionCacheEntryTests.Entry(good, key: key)
        let files = try Validator.read(paths: space.paths)
        func read(_ bytes: Data) -> Validator.Known? {
            try? bytes.write(to: URL(fileURLWithPath: entry))
            return space.cache.entry(for: key, files: files)
        }
        #expect(read(good)?.fingerprints.count == Self.fileCount)
        let headerEnd = parts.regionsStart - parts.index.count
        for length in Array(0..<headerEnd) + Array(stride(from: headerEnd, to: good.count, by: 997)) {
            #expect(read(good.prefix(length)) == nil, "cut at \(length)")
        }
        let positions = Array(0..<headerEnd) + Array(stride(from: headerEnd, to: good.count, by: 499))
        /// The file whose workflow's region holds the entry's byte `position`.
        func workflow(holding position: Int) -> Int? {
            files.indices.first { parts.region($0).contains(position - parts.regionsStart) }
        }
        var regionsChanged = 0
        for position in positions {
            var changed = good
            changed[position] ^= 0x20
            guard position >= parts.regionsStart else {
                #expect(read(changed) == nil, "byte \(position) changed")
                continue
            }
            let damaged = try #require(workflow(holding: position), "byte \(position) lies in a region")
            let known = try #require(read(changed), "byte \(position) of a region changed")
            #expect(known.workflows[files[damaged].file]?.value == nil, "byte \(position) changed")
            let other = try #require(files.indices.first { $0 != damaged && known.workflows[files[$0].file] != nil })
            #expect(known.workflows[files[other].file]?.value != nil)
            regionsChanged += 1
        }
        #expect(regionsChanged > 3)
        for position in positions.filter({ $0 >= headerEnd }) {
            var changed = parts
            if position < parts.regionsStart {
                changed.index[position - headerEnd] ^= 0x20
            } else if let damaged = workflow(holding: position) {
                changed.regions[position - parts.regionsStart] ^= 0x20
                changed.resum(region: damaged)
            }
            if let known = read(changed.bytes) {
                #expect(known.fingerprints.count == Self.fileCount)
                if let damaged = workflow(holding: position) { _ = known.workflows[files[damaged].file]?.value }
            }
        }
    }

    /// In process, where the cache is the environment's (`~/.cache/casework` unless `CASEWORK_CACHE_DIR` says
    /// otherwise): a fire and a show answer alike on hits (every command after the first) and with `--no-cache`.
    @Test func aFireAndAShowAnswerAlikeWithAndWithoutTheCache() throws {
        let space = try CaseCommandTests.workspace()
        for id in ["c1", "c2"] {
            #expect(space.run(["case", "open", "assessment", "--id", id, "--as", "parent:jo", "--set", "requested_on=2025-09-01"]).status == .success)
        }
        let fire = ["start_deciding", "--as", "caseworker:ana", "--set", "evidence_complete=true"]
        let cached = space.run(["case", "fire", "c1"] + fire)
        let uncached = space.run(["case", "fire", "c2"] + fire + ["--no-cache"])
        #expect(cached.status == .success && cached.out == uncached.out.replacingOccurrences(of: "c2", with: "c1"))
        for format in ["text", "json"] {
            let shown = space.run(["case", "show", "c1", "--format", format])
            #expect(shown.status == .success && shown.out == space.run(["case", "show", "c1", "--format", format, "--no-cache"]).out)
        }
    }

    /// `CASEWORK_CACHE_DIR`, `XDG_CACHE_HOME` and `HOME` place the cache; `--no-cache` and `CASEWORK_NO_CACHE=1` turn it off.
    @Test func theSettingReadsTheFlagAndTheEnvironment() throws {
        let plain = try ParsedArguments(["request.json"], spec: CommandTable["decide"].spec)
        let flagged = try ParsedArguments(["request.json", "--no-cache"], spec: CommandTable["decide"].spec)
        #expect(DefinitionCacheSetting.cache(plain, environment: { ["CASEWORK_CACHE_DIR": "/c", "HOME": "/h"][$0] })?.directory == "/c")
        #expect(DefinitionCacheSetting.cache(plain, environment: { ["XDG_CACHE_HOME": "/x", "HOME": "/h"][$0] })?.directory == "/x/casework")
        #expect(DefinitionCacheSetting.cache(plain, environment: { ["XDG_CACHE_HOME": "relative", "HOME": "/h"][$0] })?.directory == "/h/.cache/casework")
        #expect(DefinitionCacheSetting.cache(plain, environment: { _ in nil }) == nil)
        #expect(DefinitionCacheSetting.cache(flagged, environment: { ["CASEWORK_CACHE_DIR": "/c"][$0] }) == nil)
        #expect(DefinitionCacheSetting.cache(plain, environment: { ["CASEWORK_CACHE_DIR": "/c", "CASEWORK_NO_CACHE": "1"][$0] }) == nil)
        #expect(DefinitionCacheSetting.cache(plain, environment: { ["CASEWORK_CACHE_DIR": "/c", "CASEWORK_NO_CACHE": "0"][$0] }) != nil)
    }

    /// The build stamp names the running executable and, on Linux, also the file this code was loaded from (what
    /// tells one build from another when a tool such as valgrind is `/proc/self/exe`).
    @Test func theBuildStampNamesTheLoadedImage() throws {
        #if os(Linux)
            let image = try #require(DefinitionCacheSetting.loadedImage())
            #expect(FileManager.default.fileExists(atPath: image))
            var info = stat()
            #expect(stat(image, &info) == 0)
            #expect(DefinitionCacheSetting.build.contains(" \(info.st_dev) \(info.st_ino) \(info.st_size) "))
        #endif
        #expect(DefinitionCacheSetting.build.hasPrefix(CaseworkVersion.description + " "))
    }

    /// Six `casework decide` processes started at once on one cache directory all answer alike and leave one whole
    /// entry and no temporary file; a later run hits it and answers the same, as do `--no-cache` and
    /// `CASEWORK_NO_CACHE=1`, which write nothing.
    @Test func processesSharingTheCacheLeaveOneWholeEntry() throws {
        let space = try Space()
        let binary = try CaseCommandTests.executable()
        let request = space.root.appendingPathComponent("request.json")
        try Data(Self.decideRequest.utf8).write(to: request)
        func decide(_ extra: [String] = [], cache directory: String? = nil, off: Bool = false) throws -> (pid_t, String) {
            var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CASEWORK_") }
            environment["CASEWORK_CACHE_DIR"] = directory ?? space.directory
            if off { environment["CASEWORK_NO_CACHE"] = "1" }
            let output = space.root.appendingPathComponent("out-\(UUID().uuidString)").path
            let arguments = ["decide", request.path, "--format", "json"] + space.paths.flatMap { ["--definitions", $0] } + extra
            return (try Spawn.start([binary.path] + arguments, environment: environment, out: output, err: "/dev/null"), output)
        }
        func answer(_ started: (pid_t, String)) throws -> String {
            let ending = Spawn.wait(started.0)
            #expect(ending.status == 0, "\(ending)")
            return try String(contentsOfFile: started.1, encoding: .utf8)
        }
        let answers = try (0..<6).map { _ in try decide() }.map(answer)
        #expect(Set(answers).count == 1 && answers[0].contains("\"decision\""))
        #expect(space.entryIsWhole(count: Self.fileCount))
        #expect(try FileManager.default.contentsOfDirectory(atPath: space.directory).filter { $0.hasPrefix(".") } == [])
        #expect(try answer(decide()) == answers[0])
        let unused = space.root.appendingPathComponent("unused").path
        #expect(try answer(decide(["--no-cache"], cache: unused)) == answers[0])
        #expect(try answer(decide(cache: unused, off: true)) == answers[0])
        #expect(!FileManager.default.fileExists(atPath: unused))
    }
}

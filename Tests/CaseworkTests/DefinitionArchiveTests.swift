@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkTestSupport
import CaseworkTime
import CaseworkYAML
import Foundation
import Testing

/// The decoded set a definition cache's entry keeps (``DefinitionArchive``, format 5): every definition file reads back
/// from its archive as the decoder's outline of it, ranges and files included; a hit's definitions are a miss's
/// outlines; and bytes that are not a whole, well-formed archive read as nil or a set, never a trap.
@Suite("the definition archive")
struct DefinitionArchiveTests {
    /// Every YAML file under `Workflows/`, `Policies/` and `Tests/`, relative to the repository's root.
    static let yamlFiles: [String] = {
        var files: [String] = []
        for folder in ["Workflows", "Policies", "Tests"] {
            let base = RepositoryPaths.root.appendingPathComponent(folder)
            for entry in (FileManager.default.enumerator(atPath: base.path)?.allObjects as? [String] ?? []).sorted() where entry.hasSuffix(".yaml") {
                files.append("\(folder)/\(entry)")
            }
        }
        return files
    }()

    /// A set holding `definition` alone.
    static func set(of definition: Definition) -> DefinitionSet {
        switch definition {
        case .workflow(let workflow): DefinitionSet(workflows: [workflow])
        case .form(let form): DefinitionSet(forms: [form])
        case .calendar(let calendar): DefinitionSet(calendars: [calendar])
        case .policy(let policy): DefinitionSet(policies: [policy])
        case .child(let child): DefinitionSet(children: [child])
        }
    }

    /// Every source range `value` holds, with where in it: its file's path, start and end (line, column, offset). Equality
    /// of the model ignores ranges (``Located``), so a round trip is checked with this too. Dictionaries' and sets'
    /// entries are listed in the order of their text, which does not depend on how they were built.
    static func ranges(_ value: Any, at path: String = "") -> [String] {
        if let range = value as? SourceRange {
            return ["\(path) \(range.file) \(range.start.line):\(range.start.column)@\(range.start.offset)-\(range.end.line):\(range.end.column)@\(range.end.offset)"]
        }
        if value is String || value is Int || value is Bool { return [] }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .set:
            return []
        case .dictionary:
            // Each entry is a (key, value) pair; the keys here are strings and engine messages.
            let entries = mirror.children.map { child in
                (String(describing: Mirror(reflecting: child.value).children.first!.value), ranges(child.value, at: path + "[]"))
            }
            return entries.sorted { $0.0 < $1.0 }.flatMap(\.1)
        default:
            return mirror.children.enumerated().flatMap { index, child in ranges(child.value, at: path + "." + (child.label ?? "\(index)")) }
        }
    }

    /// The archive of `set`, read from `files`; fails the test when it cannot be written.
    static func archive(_ set: DefinitionSet, files: [String]) throws -> [UInt8] {
        var bytes: [UInt8] = []
        #expect(DefinitionArchive.append(Validator.Known(fingerprints: [], definitions: set), files: files, to: &bytes))
        return bytes
    }

    /// Reads `bytes` whole as a set for `files`: nil unless the archive is a set and nothing is left over.
    static func read(_ bytes: [UInt8], files: [String]) -> DefinitionSet? {
        bytes.withUnsafeBytes { input in
            var offset = 0
            let known = DefinitionArchive.read(input, at: &offset, files: files, fingerprints: [])
            return offset == input.count ? known?.definitions : nil
        }
    }

    /// Each definition file that decodes (every shipped one, and every test fixture that holds a definition, even one with
    /// errors) reads back from the archive of its outline as that outline, equal and with the same ranges, every range
    /// naming the file by its path; the file is written as its index, here the second of two files.
    @Test func everyDefinitionFileReadsBackAsItsOutline() throws {
        var decoded = 0
        for file in Self.yamlFiles {
            guard let root = YAMLLoader.load(path: RepositoryPaths.root.appendingPathComponent(file).path).root,
                let definition = DefinitionDecoder.decode(root, outline: true).definition
            else { continue }
            let path = root.range.file
            let set = Self.set(of: definition)
            let files = ["Workflows/another.yaml", path]
            let read = try #require(Self.read(try Self.archive(set, files: files), files: files), "\(file)")
            #expect(read == set, "\(file)")
            let ranges = Self.ranges(read)
            #expect(ranges == Self.ranges(set), "\(file)")
            #expect(!ranges.isEmpty && ranges.allSatisfy { $0.contains(" \(path) ") }, "\(file)")
            decoded += 1
        }
        #expect(decoded > 80, "definition files that decode: \(decoded)")
    }

    /// A workflow with more than its outline (here, decoded in full) is not written, nor is a set whose ranges name a file
    /// outside the files given: the archive never drops a part, or a file, silently.
    @Test func whatTheArchiveCannotHoldIsNotWritten() throws {
        let root = try #require(YAMLLoader.load(path: RepositoryPaths.root.appendingPathComponent("Workflows/mediation.yaml").path).root)
        guard case .workflow(let full)? = DefinitionDecoder.decode(root).definition, case .workflow(let outline)? = DefinitionDecoder.decode(root, outline: true).definition else {
            Issue.record("mediation.yaml did not decode as a workflow")
            return
        }
        var bytes: [UInt8] = [7]
        #expect(!DefinitionArchive.append(Validator.Known(fingerprints: [], definitions: DefinitionSet(workflows: [full])), files: [root.range.file], to: &bytes))
        #expect(!DefinitionArchive.append(Validator.Known(fingerprints: [], definitions: DefinitionSet(workflows: [outline])), files: ["Workflows/another.yaml"], to: &bytes))
        #expect(bytes == [7])
        #expect(DefinitionArchive.append(Validator.Known(fingerprints: [], definitions: DefinitionSet(workflows: [outline])), files: [root.range.file], to: &bytes) && bytes.count > 1)
    }

    /// A hit's definitions (read from the entry) are the miss's outlines (``ValidationReport/known``): every workflow the
    /// outline the decoder gives of the loader's tree of its file, every form, calendar, policy and child definition the
    /// miss's, ranges included.
    @Test func aHitsDefinitionsAreAMissesOutlines() throws {
        let space = try DefinitionCacheTests.Space()
        let files = try Validator.read(paths: space.paths)
        let miss = Validator.validate(files)
        let outlines = try #require(miss.known).definitions
        _ = try space.load()
        let digests = try Validator.digests(paths: space.paths)
        let key = try #require(space.cache.key(for: digests))
        let known = try #require(space.cache.entry(for: key, files: digests.map(\.file)))
        let hit = Validator.validate(digests, known: known)
        #expect(!hit.hasErrors && hit.workflowsUnchecked)
        #expect(hit.definitions == outlines)
        #expect(Self.ranges(hit.definitions) == Self.ranges(outlines))
        #expect(hit.definitions.workflows.count > 10 && hit.definitions.policies.count == 1 && hit.definitions.forms.count > 1)
        for workflow in hit.definitions.workflows {
            let tree = try #require(miss.trees[workflow.file])
            #expect(DefinitionDecoder.decode(tree, outline: true).definition == .workflow(workflow))
        }
        #expect(hit.definitions.forms == miss.definitions.forms && Self.ranges(hit.definitions.forms) == Self.ranges(miss.definitions.forms))
        #expect(hit.definitions.policies == miss.definitions.policies && Self.ranges(hit.definitions.policies) == Self.ranges(miss.definitions.policies))
        #expect(hit.definitions.calendars == miss.definitions.calendars && hit.definitions.children == miss.definitions.children)
    }

    /// The archive of a shipped workflow's outline, a form, each calendar and the child definition, each alone, cut
    /// short anywhere reads as nil, and with any byte changed (two ways) as nil or a set, never a trap; the policy's
    /// likewise at every 7th length and byte, and the whole shipped set's at every 61st.
    @Test func damagedArchivesReadAsNilOrASetNeverATrap() throws {
        let space = try DefinitionCacheTests.Space()
        let outlines = try #require(Validator.validate(try Validator.read(paths: space.paths)).known).definitions
        var cases: [(set: DefinitionSet, files: [String], step: Int, everyPrefix: Bool)] = []
        let files = outlines.workflows.map(\.file) + outlines.forms.map(\.file) + outlines.calendars.map(\.file) + outlines.policies.map(\.file) + outlines.children.map(\.file)
        for workflow in outlines.workflows.prefix(1) { cases.append((DefinitionSet(workflows: [workflow]), files, 1, true)) }
        for form in outlines.forms.prefix(1) { cases.append((DefinitionSet(forms: [form]), files, 1, true)) }
        for calendar in outlines.calendars { cases.append((DefinitionSet(calendars: [calendar]), files, 1, true)) }
        for child in outlines.children { cases.append((DefinitionSet(children: [child]), files, 1, true)) }
        for policy in outlines.policies { cases.append((DefinitionSet(policies: [policy]), files, 7, false)) }
        cases.append((outlines, files, 61, false))
        for (set, files, step, everyPrefix) in cases {
            let good = try Self.archive(set, files: files)
            #expect(Self.read(good, files: files) == set)
            for length in stride(from: 0, to: good.count, by: everyPrefix ? 1 : step) {
                #expect(Self.read(Array(good.prefix(length)), files: files) == nil, "cut at \(length) of \(good.count)")
            }
            for position in stride(from: 0, to: good.count, by: step) {
                for change: UInt8 in [0x01, 0xFF] {
                    var changed = good
                    changed[position] ^= change
                    _ = Self.read(changed, files: files)
                }
            }
        }
    }

    /// What `read` makes of `bytes` for the one file `a.yaml`, or nil when it finds them damaged.
    static func reading<Value>(_ bytes: [UInt8], _ read: (inout ArchiveReader) throws(ArchiveReader.Damage) -> Value) -> Value? {
        bytes.withUnsafeBytes { input in
            var reader = ArchiveReader(input, at: 0, files: ["a.yaml"])
            do throws(ArchiveReader.Damage) {
                return try read(&reader)
            } catch {
                return nil
            }
        }
    }

    /// Each check the reader makes refuses what it is there to refuse, and passes its like that is sound: a number past 64
    /// bits, a count past the bytes left, a flag that is not 0 or 1, an unknown code, a string that is not UTF-8, a file
    /// index past the files, a mark past 32 bits, a day no year has, a duration out of range and a type nested deeper
    /// than ``DefinitionArchive/maximumDepth``.
    @Test func eachCheckOfTheReaderRefusesItsDamage() throws {
        #expect(Self.reading([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]) { (reader) throws(ArchiveReader.Damage) in try reader.unsigned() } == UInt64.max)
        #expect(Self.reading([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]) { (reader) throws(ArchiveReader.Damage) in try reader.unsigned() } == nil)
        #expect(Self.reading([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]) { (reader) throws(ArchiveReader.Damage) in try reader.unsigned() } == nil)
        #expect(Self.reading([3, 9, 9, 9]) { (reader) throws(ArchiveReader.Damage) in try reader.count() } == 3)
        #expect(Self.reading([4, 9, 9, 9]) { (reader) throws(ArchiveReader.Damage) in try reader.count() } == nil)
        #expect(Self.reading([0xFF, 0xFF, 0xFF, 0xFF, 0x0F]) { (reader) throws(ArchiveReader.Damage) in try reader.names() } == nil)
        #expect(Self.reading([1]) { (reader) throws(ArchiveReader.Damage) in try reader.bool() } == true)
        #expect(Self.reading([2]) { (reader) throws(ArchiveReader.Damage) in try reader.bool() } == nil)
        #expect(Self.reading([4]) { (reader) throws(ArchiveReader.Damage) in try reader.style() } == .folded)
        #expect(Self.reading([5]) { (reader) throws(ArchiveReader.Damage) in try reader.style() } == nil)
        #expect(Self.reading([2, 0xC3, 0xA9]) { (reader) throws(ArchiveReader.Damage) in try reader.string() } == "é")
        #expect(Self.reading([2, 0xC3, 0x28]) { (reader) throws(ArchiveReader.Damage) in try reader.string() } == nil)
        #expect(Self.reading([0]) { (reader) throws(ArchiveReader.Damage) in try reader.file() } == "a.yaml")
        #expect(Self.reading([1]) { (reader) throws(ArchiveReader.Damage) in try reader.file() } == nil)
        let mark: [UInt8] = [2, 2, 0]
        #expect(Self.reading([0] + mark + mark) { (reader) throws(ArchiveReader.Damage) in try reader.range() }?.file == "a.yaml")
        #expect(Self.reading([1] + mark + mark) { (reader) throws(ArchiveReader.Damage) in try reader.range() } == nil)
        #expect(Self.reading([0, 0x80, 0x80, 0x80, 0x80, 0x10, 2, 0] + mark) { (reader) throws(ArchiveReader.Damage) in try reader.range() } == nil)
        #expect(Self.reading([4, 58]) { (reader) throws(ArchiveReader.Damage) in try reader.monthDay() } == MonthDay(month: 2, day: 29))
        #expect(Self.reading([4, 60]) { (reader) throws(ArchiveReader.Damage) in try reader.monthDay() } == nil)
        #expect(Self.reading([12, 1]) { (reader) throws(ArchiveReader.Damage) in try reader.duration() } == StatutoryDuration(count: 6, unit: .weeks))
        #expect(Self.reading([1, 1]) { (reader) throws(ArchiveReader.Damage) in try reader.duration() } == nil)
        #expect(Self.reading([0xA2, 0x9C, 0x01, 1]) { (reader) throws(ArchiveReader.Damage) in try reader.duration() } == nil)
        #expect(Self.reading([12, 5]) { (reader) throws(ArchiveReader.Damage) in try reader.duration() } == nil)
        let nested = { (depth: Int) -> [UInt8] in [UInt8](repeating: 8, count: depth) + [0] }
        #expect(Self.reading(nested(DefinitionArchive.maximumDepth - 1)) { (reader) throws(ArchiveReader.Damage) in try reader.fieldType() } != nil)
        #expect(Self.reading(nested(DefinitionArchive.maximumDepth)) { (reader) throws(ArchiveReader.Damage) in try reader.fieldType() } == nil)
        #expect(Self.reading(nested(100_000)) { (reader) throws(ArchiveReader.Damage) in try reader.fieldType() } == nil)
    }

    /// Every number read back as written, the reader past exactly the bytes written: each power of two and its
    /// neighbours, so each number of 7-bit groups and each group's edge is met, and the zigzagged whole numbers around
    /// zero and at `Int`'s ends.
    @Test func everyNumberWrittenReadsBackWhateverItsLength() throws {
        var numbers: Set<UInt64> = [0, UInt64.max, UInt64.max - 1]
        for shift in 0..<64 {
            let power = UInt64(1) << UInt64(shift)
            numbers.formUnion([power - 1, power, power + 1])
        }
        for number in numbers.sorted() {
            var writer = ArchiveWriter(files: ["a.yaml"])
            writer.unsigned(number)
            writer.bool(true)
            let read = Self.reading(writer.bytes) { (reader) throws(ArchiveReader.Damage) in
                (try reader.unsigned(), reader.offset == writer.bytes.count - 1, try reader.bool())
            }
            #expect(read?.0 == number && read?.1 == true && read?.2 == true, "\(number)")
            #expect(writer.bytes.count - 1 == (number < 0x80 ? 1 : (64 - number.leadingZeroBitCount + 6) / 7), "\(number)")
        }
        for integer in [0, 1, -1, 63, -64, 64, -65, 127, 128, Int.max, Int.min, Int(Int32.max), Int(Int32.min)] {
            var writer = ArchiveWriter(files: ["a.yaml"])
            writer.integer(integer)
            #expect(Self.reading(writer.bytes) { (reader) throws(ArchiveReader.Damage) in try reader.integer() } == integer)
        }
        // One byte left, or none, or a group that says more follows where nothing does.
        #expect(Self.reading([0x7F]) { (reader) throws(ArchiveReader.Damage) in try reader.unsigned() } == 127)
        #expect(Self.reading([]) { (reader) throws(ArchiveReader.Damage) in try reader.unsigned() } == nil)
        #expect(Self.reading([0x80]) { (reader) throws(ArchiveReader.Damage) in try reader.unsigned() } == nil)
    }

    /// Entries read straight into a dictionary: each key's value as written, in any order; a key written twice, or a
    /// count past the bytes left, is damage; engine messages alike (each message at most once).
    @Test func entriesReadIntoADictionaryAndRefuseARepeatedKey() throws {
        let pairs = { (reader: inout ArchiveReader) throws(ArchiveReader.Damage) -> (key: Int, value: String) in
            (try reader.integer(), try reader.string())
        }
        #expect(Self.reading([3, 2, 1, 0x61, 0, 1, 0x62, 1, 0]) { (reader) throws(ArchiveReader.Damage) in try reader.entries(pairs) } == [1: "a", 0: "b", -1: ""])
        #expect(Self.reading([0]) { (reader) throws(ArchiveReader.Damage) in try reader.entries(pairs) } == [:])
        #expect(Self.reading([2, 2, 1, 0x61, 2, 1, 0x62]) { (reader) throws(ArchiveReader.Damage) in try reader.entries(pairs) } == nil)
        #expect(Self.reading([9, 2, 1, 0x61]) { (reader) throws(ArchiveReader.Damage) in try reader.entries(pairs) } == nil)
        let range = SourceRange(file: "a.yaml", at: SourceMark(line: 1, column: 1, offset: 0))
        let messages: [EngineMessage: Located<String>] = [.formShared: Located("shared", at: range), EngineMessage.allCases.last!: Located("last", at: range)]
        var writer = ArchiveWriter(files: ["a.yaml"])
        try writer.messages(messages)
        #expect(Self.reading(writer.bytes) { (reader) throws(ArchiveReader.Damage) in try reader.messages() } == messages)
        var twice = ArchiveWriter(files: ["a.yaml"])
        twice.count(2)
        for _ in 0..<2 {
            twice.count(0)
            try twice.located(Located("shared", at: range))
        }
        #expect(Self.reading(twice.bytes) { (reader) throws(ArchiveReader.Damage) in try reader.messages() } == nil)
    }
}

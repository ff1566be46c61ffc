import CaseworkDefinitions
import CaseworkYAML
import Foundation

/// A directory of definition sets known to validate cleanly, so a command that loads the same files again parses no
/// YAML and skips the checks that can only find problems (``DefinitionCatalog/load(paths:cache:)``).
///
/// An entry is keyed by the SHA-256 of the cache's format version, the build (``build``: the Casework version and
/// which executable, so a new validator never trusts an old verdict), and every definition file's path and the
/// SHA-256 of its bytes, in order. It holds three lines (the header, the key, and the SHA-256 and length of the
/// index), the index (per file its content fingerprint and, for a workflow's file, where the workflow's region lies,
/// with its own SHA-256; then the decoded set as a hit needs it and its policies' checked expressions,
/// ``DefinitionArchive``: each workflow as its outline), then per workflow's file its region (the whole workflow and
/// its checked expressions, ``DefinitionArchive/appendWorkflow(_:files:to:)``), one after another to the entry's end.
/// No file's YAML tree is kept (since format 8): a hit reads none.
/// So any change to any file's bytes, and any file added, removed or renamed, is another key:
/// a miss, never a stale entry. An entry is written to a temporary file and renamed into place (readers see a whole
/// entry or none, whatever other processes write), and read back only when its header, its key and the SHA-256 of its
/// index all match and every fingerprint, every region's place and the set in it is well formed; anything else
/// (unreadable, truncated, corrupt, another format) is a miss, never an error. A workflow's region is hashed and read
/// only when its workflow is first run (``KeptPart``; `decide` reads none, `case show` and `case fire` one): one that
/// fails its SHA-256 or does not read refuses its workflow, and the entry is discarded.
package struct DefinitionCache: Sendable {
    /// Raised whenever what an entry holds or means changes (2: the files' trees beside their fingerprints; 3: the trees
    /// laid out as they lie in memory, read in place; 4: the decoded set after the trees; 5: the policies' checked
    /// expressions after the set; 6: the trees after an index that the entry's checksum covers, each tree with its own
    /// SHA-256, read when first used; 7: each workflow whole with its checked expressions in a region of its own, read
    /// when first used; 8: no tree, each index line the file's fingerprint and its workflow's region's SHA-256 and place).
    static let formatVersion = 8
    static let header = "casework definition cache \(formatVersion)"

    /// The directory entries are kept in (made when the first entry is written).
    package let directory: String
    /// What identifies the code that validated: an entry written by another build is never read.
    package let build: String

    /// A cache in `directory` for entries validated by `build`.
    package init(directory: String, build: String) {
        self.directory = directory
        self.build = build
    }

    /// The key of the set of files hashed as `files` (``Validator/digests(paths:limits:)``), or nil when there are none
    /// or one could not be read (such a set is never cached).
    func key(for files: [Validator.FileDigest]) -> String? {
        guard !files.isEmpty else { return nil }
        var text = "\(Self.header)\nbuild \(build)\n"
        for file in files {
            guard let sha256 = file.sha256 else { return nil }
            text += "\(file.file)\0\(sha256)\n"
        }
        return SHA256.hex(text)
    }

    /// The key of the set of files read whole as `files` (a miss, whose bytes are parsed): the same key as for the
    /// same bytes hashed (``key(for:)``).
    func key(for files: [Validator.FileBytes]) -> String? {
        key(for: files.map { file in
            guard case .success(let bytes) = file.bytes else { return Validator.FileDigest(file: file.file, sha256: nil) }
            return Validator.FileDigest(file: file.file, sha256: SHA256.hex(bytes))
        })
    }

    /// The entry's file for `key`.
    func path(for key: String) -> String { "\(directory)/definitions-\(key)" }

    /// What is kept under `key` for `files` (each file's fingerprint, in order, the decoded set and each workflow's
    /// region), or nil on a miss: no entry, or one that is not whole and exactly what was written for this key.
    func entry(for key: String, files: [Validator.FileBytes]) -> Validator.Known? {
        entry(for: key, files: files.map(\.file))
    }

    /// What is kept under `key` for the files at the paths `files` (each one's fingerprint, in order, the decoded set,
    /// its ranges naming those paths, and each workflow's region), or nil on a miss, as
    /// ``entry(for:files:)-(_,[Validator.FileBytes])`` says. The regions are neither hashed nor read here: each is,
    /// against its own SHA-256, when its workflow is first run (``KeptPart``).
    func entry(for key: String, files: [String]) -> Validator.Known? {
        // Mapped, not read, and the checksum and the regions read from the mapping in place, the mapping kept for as long
        // as the regions are: a copy of the entry costs fresh pages (a page fault each), which were a fifth of a warm
        // command's faults. Mapping is safe because an entry is never changed in place: every writer of this directory
        // (``store(_:files:for:)``) writes a temporary file and renames it over the entry, and ``discard(_:)`` and
        // ``prune()`` remove entries, none of which changes the bytes of a file already mapped; the directory and the
        // entries are the user's alone (`0700`, `0600`), so only the user could truncate one in place, and that would
        // fault. An entry the user does not own, or that others may write, is a miss: what it holds is trusted as
        // validated, so only the user may have written it (a cache directory shared by mistake must not let another
        // person's entry stand in for the definitions).
        guard let mapped = FileBytes.mapped(path(for: key), ownerOnly: true) else { return nil }
        return entry(in: mapped.buffer, keptBy: mapped, for: key, files: files)
    }

    /// What the entry `input` holds for `key` and the files at the paths `files`, or nil when it is not whole and
    /// exactly what was written for this key (``entry(for:files:)-(_,[String])``); `input` lies in `bytes` (all of
    /// them, or a prefix), which the regions keep.
    func entry(in input: UnsafeRawBufferPointer, keptBy bytes: ReadOnlyBytes, for key: String, files: [String]) -> Validator.Known? {
        precondition(input.baseAddress == bytes.buffer.baseAddress && input.count <= bytes.buffer.count, "an entry at the start of its bytes")
        // Three lines (header, key, the index's SHA-256 and length), then the index, then the regions to the end.
        var lines: [String] = []
        var offset = 0
        while lines.count < 3, let end = input[offset...].firstIndex(of: 0x0A) {
            lines.append(String(decoding: input[offset..<end], as: UTF8.self))
            offset = end + 1
        }
        guard lines.count == 3, lines[0] == Self.header, lines[1] == key else { return nil }
        // The third line: the index's SHA-256, a space, and the index's length (at most twelve decimal digits).
        let summary = Array(lines[2].utf8)
        guard summary.count > 65, summary.count <= 65 + 12, summary[64] == UInt8(ascii: " "),
            summary[65...].allSatisfy({ (48...57).contains($0) })
        else { return nil }
        let indexLength = summary[65...].reduce(0) { $0 * 10 + Int($1 - 48) }
        guard indexLength <= input.count - offset, indexLength >= files.count * Self.tableEntrySize else { return nil }
        let indexEnd = offset + indexLength
        let index = UnsafeRawBufferPointer(rebasing: input[0..<indexEnd])
        // Where the workflows' regions lie, from the table (each read inside the index), checked before the index is
        // hashed: each file's region (empty for a file of another kind) follows the last from the index's end to the
        // entry's, so an entry cut short anywhere is a miss here. File `n`'s region is `bounds[n]..<bounds[n + 1]` (kept as
        // plain numbers: a list of ranges or of tuples is a generic type the runtime would make on first use).
        var bounds: [Int] = [indexEnd]
        bounds.reserveCapacity(files.count + 1)
        for position in files.indices {
            let field = offset + position * Self.tableEntrySize + Self.placeOffset, start = bounds[position]
            guard Self.word(index, at: field) == start, let length = Self.word(index, at: field + 8), length <= input.count - start else { return nil }
            bounds.append(start + length)
        }
        guard bounds[files.count] == input.count,
            summary[0..<64].elementsEqual(SHA256.hex(UnsafeRawBufferPointer(rebasing: input[offset..<indexEnd])).utf8)
        else { return nil }
        let table = offset
        var fingerprints: [String] = []
        fingerprints.reserveCapacity(files.count)
        var withRegions: [Int] = []
        for position in files.indices {
            let fingerprint = index[offset..<(offset + 64)], sha256 = index[(offset + 64)..<(offset + 128)]
            guard fingerprint.allSatisfy(Self.isHexDigit), sha256.allSatisfy(Self.isHexDigit) else { return nil }
            offset += Self.tableEntrySize
            fingerprints.append(String(decoding: fingerprint, as: UTF8.self))
            if bounds[position] < bounds[position + 1] { withRegions.append(position) }
        }
        guard var known = DefinitionArchive.read(index, at: &offset, files: files, fingerprints: fingerprints), offset == indexEnd else { return nil }
        // Exactly the workflows' files have regions; each is hashed and read only when its workflow is first run.
        let workflowFiles = Set(known.definitions.workflows.map(\.file))
        guard withRegions.count == workflowFiles.count, withRegions.allSatisfy({ workflowFiles.contains(files[$0]) }) else { return nil }
        let set = known.definitions
        for position in withRegions {
            let line = table + position * Self.tableEntrySize
            let sha256 = String(decoding: index[(line + 64)..<(line + 128)], as: UTF8.self)
            known.workflows[files[position]] = KeptPart(archivedIn: bytes, at: bounds[position]..<bounds[position + 1], sha256: sha256) { input, offset in
                DefinitionArchive.readWorkflow(input, at: &offset, files: files, in: set)
            }
        }
        return known
    }

    /// Whether `byte` is a lower-case hexadecimal digit, as a SHA-256 is written.
    private static func isHexDigit(_ byte: UInt8) -> Bool { (48...57).contains(byte) || (97...102).contains(byte) }

    /// The bytes of one file's line of the index: its fingerprint and its workflow's region's SHA-256 (64 hexadecimal
    /// characters each), then where the region starts in the entry and its length (64-bit little-endian numbers; the
    /// length 0, and the SHA-256 that of no bytes, for a file of another kind).
    static let tableEntrySize = 64 + 64 + 8 + 8

    /// Where in a file's line of the index its region's start lies (its length follows).
    static let placeOffset = 128

    /// The 64-bit little-endian number at `offset` in `input` (eight bytes that lie there), or nil when it is more than
    /// an `Int` holds.
    private static func word(_ input: UnsafeRawBufferPointer, at offset: Int) -> Int? {
        var value: UInt64 = 0
        for index in (0..<8).reversed() { value = value << 8 | UInt64(input[offset + index]) }
        return Int(exactly: value)
    }

    /// Appends `value` to `output` as a 64-bit little-endian number.
    private static func appendWord(_ value: Int, to output: inout [UInt8]) {
        for index in 0..<8 { output.append(UInt8(truncatingIfNeeded: UInt64(value) >> (8 * index))) }
    }

    /// Keeps `known` (each file's fingerprint, in the set's order, the decoded set and each workflow whole with its
    /// checked expressions) under `key`, for the files at the paths `files`: written to a temporary file beside the
    /// entry, readable and writable by the user alone, then renamed over it (never written in place: a reader maps
    /// entries, ``entry(for:files:)-(_,[String])``). A failure (a set or a workflow that cannot be archived, a
    /// directory that cannot be made or written) leaves no entry and is not reported: the cache only saves work.
    func store(_ known: Validator.Known, files: [String], for key: String) {
        var set: [UInt8] = []
        guard known.fingerprints.count == files.count, DefinitionArchive.append(known, files: files, to: &set) else { return }
        // The regions follow the three lines and the index, whose lengths are known before the index's SHA-256 is: each
        // file's line of the index is of one size.
        let indexLength = files.count * Self.tableEntrySize + set.count
        let summary = "\(indexLength)"
        let linesLength = Self.header.utf8.count + 1 + key.utf8.count + 1 + 64 + 1 + summary.utf8.count + 1
        let regionsStart = linesLength + indexLength
        var index: [UInt8] = []
        var regions: [UInt8] = []
        for (fingerprint, path) in zip(known.fingerprints, files) {
            let start = regions.count
            if let kept = known.workflows[path] {
                guard let workflow = kept.value, DefinitionArchive.appendWorkflow(workflow, files: files, to: &regions) else { return }
            }
            index.append(contentsOf: fingerprint.utf8)
            index.append(contentsOf: SHA256.hex(regions[start...]).utf8)
            Self.appendWord(regionsStart + start, to: &index)
            Self.appendWord(regions.count - start, to: &index)
        }
        index.append(contentsOf: set)
        let entry = Array("\(Self.header)\n\(key)\n\(SHA256.hex(index)) \(summary)\n".utf8) + index + regions
        let temporary = "\(directory)/.definitions-\(key)-\(getpid())-\(UUID().uuidString)"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try Data(entry).write(to: URL(fileURLWithPath: temporary))
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: temporary)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            return
        }
        if rename(temporary, path(for: key)) != 0 { try? FileManager.default.removeItem(atPath: temporary) }
        prune()
    }

    /// Removes the entry for `key`: one whose workflow's region, first used, did not have its SHA-256, read or plan as
    /// this build's validation of the same bytes did (an entry damaged, or made to pass its checksums), so the next load
    /// is a miss.
    func discard(_ key: String) {
        try? FileManager.default.removeItem(atPath: path(for: key))
    }

    /// The most entries kept: writing one more removes the least recently written, so a directory shared by many
    /// projects, or by test runs that each load definitions from a new temporary directory, stays small.
    static let maximumEntries = 64

    /// Removes the least recently written entries beyond ``maximumEntries``.
    func prune() {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: directory) else { return }
        let entries = names.filter { $0.hasPrefix("definitions-") }
        guard entries.count > Self.maximumEntries else { return }
        let written = entries.map { name in
            (name, (try? manager.attributesOfItem(atPath: "\(directory)/\(name)")[.modificationDate] as? Date) ?? .distantPast)
        }
        for (name, _) in written.sorted(by: { $0.1 > $1.1 }).dropFirst(Self.maximumEntries) {
            try? manager.removeItem(atPath: "\(directory)/\(name)")
        }
    }
}

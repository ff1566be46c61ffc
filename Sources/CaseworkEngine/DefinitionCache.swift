import CaseworkDefinitions
import CaseworkYAML
import Foundation

/// A directory of definition sets known to validate cleanly, so a command that loads the same files again parses no
/// YAML and skips the checks that can only find problems (``DefinitionCatalog/load(paths:cache:)``).
///
/// An entry is keyed by the SHA-256 of the cache's format version, the build (``build``: the Casework version and
/// which executable, so a new validator never trusts an old verdict), and every definition file's path and the
/// SHA-256 of its bytes, in order. It holds, per file, its content fingerprint and its loaded YAML tree
/// (``YAMLTreeArchive``), then the decoded set as a hit needs it (``DefinitionArchive``: each workflow as its outline).
/// So any change to any file's bytes, and any file added, removed or renamed, is another key:
/// a miss, never a stale entry. An entry is written to a temporary file and renamed into place (readers see a whole
/// entry or none, whatever other processes write), and read back only when its header, its key and the SHA-256 of its
/// payload all match and every fingerprint, tree and the set in it is well formed; anything else (unreadable, truncated,
/// corrupt, another format) is a miss, never an error.
package struct DefinitionCache: Sendable {
    /// Raised whenever what an entry holds or means changes (2: the files' trees beside their fingerprints; 3: the trees
    /// laid out as they lie in memory, read in place; 4: the decoded set after the trees; 5: the policies' checked
    /// expressions after the set).
    static let formatVersion = 5
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
            guard case .success(let sha256) = file.sha256 else { return nil }
            text += "\(file.file)\0\(sha256)\n"
        }
        return SHA256.hex(text)
    }

    /// The key of the set of files read whole as `files` (a miss, whose bytes are parsed): the same key as for the
    /// same bytes hashed (``key(for:)``).
    func key(for files: [Validator.FileBytes]) -> String? {
        key(for: files.map { file in Validator.FileDigest(file: file.file, sha256: file.bytes.map { SHA256.hex($0) }) })
    }

    /// The entry's file for `key`.
    func path(for key: String) -> String { "\(directory)/definitions-\(key)" }

    /// What is kept under `key` for `files` (each file's fingerprint and tree, in order, and the decoded set), or nil on a
    /// miss: no entry, or one that is not whole and exactly what was written for this key.
    func entry(for key: String, files: [Validator.FileBytes]) -> Validator.Known? {
        entry(for: key, files: files.map(\.file))
    }

    /// What is kept under `key` for the files at the paths `files` (each one's fingerprint and tree, in order, and the
    /// decoded set, its ranges naming those paths), or nil on a miss, as ``entry(for:files:)-(_,[Validator.FileBytes])`` says.
    func entry(for key: String, files: [String]) -> Validator.Known? {
        // Mapped, not read, and the checksum and the trees read from the mapping in place, the mapping kept for as long
        // as the trees are: a copy of a half-megabyte entry, or of its trees, costs fresh pages (a page fault each), which
        // were a fifth, and then a third, of a warm command's faults. Mapping is safe because an entry is never changed in
        // place: every writer of this directory (``store(_:for:)``) writes a temporary file and renames it over the entry,
        // and ``discard(_:)`` and ``prune()`` remove entries, none of which changes the bytes of a file already mapped; the
        // directory and the entries are the user's alone (`0700`, `0600`), so only the user could truncate one in place,
        // and that would fault. An entry the user does not own, or that others may write, is a miss: its trees are
        // trusted as validated, so only the user may have written it (a cache directory shared by mistake must not let
        // another person's entry stand in for the definitions).
        guard let mapped = FileBytes.mapped(path(for: key), ownerOnly: true) else { return nil }
        let input = mapped.buffer
        // Three lines (header, key, the payload's SHA-256), then the payload.
        var lines: [String] = []
        var offset = 0
        while lines.count < 3, let end = input[offset...].firstIndex(of: 0x0A) {
            lines.append(String(decoding: input[offset..<end], as: UTF8.self))
            offset = end + 1
        }
        guard lines.count == 3, lines[0] == Self.header, lines[1] == key,
            lines[2] == SHA256.hex(UnsafeRawBufferPointer(rebasing: input[offset...]))
        else { return nil }
        var checked: [Validator.CheckedFile] = []
        checked.reserveCapacity(files.count)
        for file in files {
            guard input.count - offset >= 64 else { return nil }
            let fingerprint = input[offset..<(offset + 64)]
            guard fingerprint.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
            offset += 64
            guard let tree = YAMLTreeArchive.read(input, keptBy: mapped, at: &offset, file: file) else { return nil }
            checked.append(Validator.CheckedFile(fingerprint: String(decoding: fingerprint, as: UTF8.self), tree: tree))
        }
        guard let known = DefinitionArchive.read(input, at: &offset, files: files, checked: checked), offset == input.count else { return nil }
        return known
    }

    /// Keeps `known` (each file's fingerprint and tree, in the set's order, then the decoded set) under `key`, for the
    /// files at the paths `files`: written to a temporary file beside the entry, readable and writable by the user
    /// alone, then renamed over it (never written in place: a reader maps entries, ``entry(for:files:)``). A failure (a
    /// set that cannot be archived, a directory that cannot be made or written) leaves no entry and is not reported: the
    /// cache only saves work.
    func store(_ known: Validator.Known, files: [String], for key: String) {
        // The payload follows the three lines, whose length is known before the payload's SHA-256 is: the trees are laid
        // out for where they will lie in the file, which is mapped from its start (``YAMLTreeArchive/append(_:to:base:)``).
        let linesLength = Self.header.utf8.count + 1 + key.utf8.count + 1 + 64 + 1
        var payload: [UInt8] = []
        for file in known.files {
            payload.append(contentsOf: file.fingerprint.utf8)
            YAMLTreeArchive.append(file.tree, to: &payload, base: linesLength)
        }
        guard known.files.count == files.count, DefinitionArchive.append(known, files: files, to: &payload) else { return }
        let entry = Array("\(Self.header)\n\(key)\n\(SHA256.hex(payload))\n".utf8) + payload
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

    /// Removes the entry for `key`: one whose kept trees, first used, did not decode or check as this build's
    /// validation of the same bytes did (an entry made to pass its checksum), so the next load is a miss.
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

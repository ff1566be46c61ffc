import CaseworkDefinitions
import Foundation

/// A directory of definition sets known to validate cleanly, so a command that loads the same files again skips the
/// checks that can only find problems (``DefinitionCatalog/load(paths:cache:)``).
///
/// An entry is keyed by the SHA-256 of the cache's format version, the build (``build``: the Casework version and
/// which executable, so a new validator never trusts an old verdict), and every definition file's path and the
/// SHA-256 of its bytes, in order. It holds each file's content fingerprint. So any change to any file's bytes, and
/// any file added, removed or renamed, is another key: a miss, never a stale entry. An entry is written to a
/// temporary file and renamed into place (readers see a whole entry or none, whatever other processes write), and
/// read back only when its header, its key and the SHA-256 of its payload all match; anything else (unreadable,
/// truncated, corrupt, another format) is a miss, never an error.
package struct DefinitionCache: Sendable {
    /// Raised whenever what an entry holds or means changes.
    static let formatVersion = 1
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

    /// The key of the set of `files`, or nil when there are none or one could not be read (such a set is never cached).
    func key(for files: [Validator.FileBytes]) -> String? {
        guard !files.isEmpty else { return nil }
        var text = "\(Self.header)\nbuild \(build)\n"
        for file in files {
            guard case .success(let bytes) = file.bytes else { return nil }
            text += "\(file.file)\0\(SHA256.hex(bytes))\n"
        }
        return SHA256.hex(text)
    }

    /// The entry's file for `key`.
    func path(for key: String) -> String { "\(directory)/definitions-\(key)" }

    /// The content fingerprints kept under `key` for `count` files, or nil on a miss: no entry, or one that is not
    /// whole and exactly what was written for this key.
    func fingerprints(for key: String, count: Int) -> [String]? {
        guard let data = FileManager.default.contents(atPath: path(for: key)) else { return nil }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count == count + 4, lines[0] == Self.header, lines[1] == key, lines.last == "" else { return nil }
        let fingerprints = Array(lines[3..<(3 + count)])
        guard lines[2] == SHA256.hex(fingerprints.joined(separator: "\n")),
            fingerprints.allSatisfy({ $0.utf8.count == 64 && $0.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } })
        else { return nil }
        return fingerprints
    }

    /// Keeps `fingerprints` under `key`: written to a temporary file beside the entry, then renamed over it. A failure
    /// (a directory that cannot be made or written) leaves no entry and is not reported: the cache only saves work.
    func store(_ fingerprints: [String], for key: String) {
        let payload = fingerprints.joined(separator: "\n")
        let text = "\(Self.header)\n\(key)\n\(SHA256.hex(payload))\n\(payload)\n"
        let temporary = "\(directory)/.definitions-\(key)-\(getpid())-\(UUID().uuidString)"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            return
        }
        if rename(temporary, path(for: key)) != 0 { try? FileManager.default.removeItem(atPath: temporary) }
        prune()
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

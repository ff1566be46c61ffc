import CaseworkYAML
import Synchronization

/// One definition file's loaded YAML tree as a validation keeps it (``Validator/CheckedFile``,
/// ``ValidationReport/trees``): the tree the loader made now, or a tree a definition cache's entry holds, checked
/// against its own SHA-256 and read (``YAMLTreeArchive/read(_:keptBy:at:file:)``) only when something first asks for
/// it, once, whichever thread asks first (an async service's engines share one catalog).
///
/// A hit on the cache uses few of its trees (`decide` none, `case show` and `case fire` the one workflow they run), so
/// hashing and reading them all when the entry is opened was work no command needed: the entry's own checksum covers
/// everything but the trees, and each tree's SHA-256, in that checksummed table, covers the tree's bytes. A tree whose
/// bytes no longer have that SHA-256, or do not read as a tree, is ``node`` nil: its reader refuses the workflow and
/// discards the entry, as for a kept tree that does not decode (``WorkflowSource``).
package final class KeptTree: Sendable {
    /// Where an archived tree lies and what it must hash to.
    private struct Archived: Sendable {
        /// The entry's bytes, kept for as long as this (the tree read from them keeps them too).
        let bytes: ReadOnlyBytes
        /// Where the tree's bytes lie in ``bytes``: inside them, as the entry's table (checksummed) says.
        let range: Range<Int>
        /// The SHA-256 of those bytes, as 64 lower-case hexadecimal characters.
        let sha256: String
        /// The file the tree's ranges name.
        let file: String
    }

    /// The tree made when this was, or nil for an archived one.
    private let made: YAMLNode?
    /// The archived tree's place, or nil for one made now.
    private let archived: Archived?
    /// An archived tree once read: the tree, or nil when it failed its SHA-256 or did not read.
    private let read: Mutex<YAMLNode??>

    /// A tree the loader made now.
    package init(_ node: YAMLNode) {
        made = node
        archived = nil
        read = Mutex(nil)
    }

    /// A tree archived in `bytes` at `range` (which must lie inside them), whose bytes must have the SHA-256 `sha256`
    /// (hexadecimal), its ranges naming `file`; nothing is hashed or read until ``node`` is first asked for.
    package init(archivedIn bytes: ReadOnlyBytes, at range: Range<Int>, sha256: String, file: String) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.buffer.count, "an archived tree inside its bytes")
        made = nil
        archived = Archived(bytes: bytes, range: range, sha256: sha256, file: file)
        read = Mutex(nil)
    }

    /// The tree's root mapping; for an archived tree, hashed and read on the first ask (every later ask, from any
    /// thread, has the same tree), nil when its bytes do not have their SHA-256 or are not a whole, well-formed tree
    /// filling exactly its place.
    package var node: YAMLNode? {
        if let made { return made }
        guard let archived else { return nil }
        return read.withLock { read in
            if let read { return read }
            let node = Self.read(archived)
            read = .some(node)
            return node
        }
    }

    /// Whether the tree has been made or read (for tests: a hit that never needs a tree never reads it).
    package var isRead: Bool { made != nil || read.withLock { $0 != nil } }

    private static func read(_ archived: Archived) -> YAMLNode? {
        let buffer = archived.bytes.buffer
        guard SHA256.hex(UnsafeRawBufferPointer(rebasing: buffer[archived.range])) == archived.sha256 else { return nil }
        // Read from the whole buffer (the records' alignment is the file's), and only if the tree ends where its place does.
        var offset = archived.range.lowerBound
        let bounded = UnsafeRawBufferPointer(rebasing: buffer[0..<archived.range.upperBound])
        guard let node = YAMLTreeArchive.read(bounded, keptBy: archived.bytes, at: &offset, file: archived.file),
            offset == archived.range.upperBound
        else { return nil }
        return node
    }
}

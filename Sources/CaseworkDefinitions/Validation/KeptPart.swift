import CaseworkYAML
import Synchronization

/// One part of a clean validation as it is kept (``Validator/Known/workflows``): the value made now, or bytes a
/// definition cache's entry holds, checked against their own SHA-256 and read only when something first asks for the
/// value, once, whichever thread asks first (an async service's engines share one catalog). The one mechanism for an
/// entry's lazily checked regions: each workflow's whole definition with its checked expressions (``KeptWorkflow``).
///
/// A hit on the cache uses few of them (`decide` none, `case show` and `case fire` the one workflow they run), so
/// hashing and reading them all when the entry is opened was work no command needed: the entry's own checksum covers
/// its index, and each region's SHA-256, in that checksummed index, covers the region's bytes. A region whose bytes no
/// longer have that SHA-256, or do not read, is ``value`` nil: its user refuses the workflow and discards the entry.
package final class KeptPart<Value: Sendable>: Sendable {
    /// Reads a region: from the entry's bytes (bounded at the region's end) at an offset it moves past what it read;
    /// nil when the bytes are not a whole, well-formed value.
    package typealias Reader = @Sendable (_ input: UnsafeRawBufferPointer, _ offset: inout Int) -> Value?

    /// Where an archived value lies, what its bytes must hash to, and how it is read.
    private struct Archived: Sendable {
        /// The entry's bytes, kept for as long as this.
        let bytes: ReadOnlyBytes
        /// Where the value's bytes lie in ``bytes``: inside them, as the entry's index (checksummed) says.
        let range: Range<Int>
        /// The SHA-256 of those bytes, as 64 lower-case hexadecimal characters.
        let sha256: String
        /// How the bytes are read.
        let reader: Reader
    }

    /// The value made when this was, or nil for an archived one.
    private let made: Value?
    /// The archived value's place, or nil for one made now.
    private let archived: Archived?
    /// An archived value once read: the value, or nil when it failed its SHA-256 or did not read.
    private let read: Mutex<Value??>

    /// A value made now.
    package init(_ value: Value) {
        made = value
        archived = nil
        read = Mutex(nil)
    }

    /// A value archived in `bytes` at `range` (which must lie inside them), whose bytes must have the SHA-256 `sha256`
    /// (hexadecimal), read by `reader`, which must end exactly at the range's end; nothing is hashed or read until
    /// ``value`` is first asked for.
    package init(archivedIn bytes: ReadOnlyBytes, at range: Range<Int>, sha256: String, reader: @escaping Reader) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.buffer.count, "an archived part inside its bytes")
        made = nil
        archived = Archived(bytes: bytes, range: range, sha256: sha256, reader: reader)
        read = Mutex(nil)
    }

    /// The value; for an archived one, hashed and read on the first ask (every later ask, from any thread, has the same
    /// value), nil when its bytes do not have their SHA-256 or do not read as a whole value filling exactly its place.
    package var value: Value? {
        if let made { return made }
        guard let archived else { return nil }
        return read.withLock { read in
            if let read { return read }
            let value = Self.read(archived)
            read = .some(value)
            return value
        }
    }

    /// Whether the value has been made or read (for tests: a hit that never needs a part never reads it).
    package var isRead: Bool { made != nil || read.withLock { $0 != nil } }

    private static func read(_ archived: Archived) -> Value? {
        let buffer = archived.bytes.buffer
        guard SHA256.hex(UnsafeRawBufferPointer(rebasing: buffer[archived.range])) == archived.sha256 else { return nil }
        // Read from the entry's bytes up to the value's end (offsets are the entry's), and only if the value ends where
        // its place does.
        var offset = archived.range.lowerBound
        let bounded = UnsafeRawBufferPointer(rebasing: buffer[0..<archived.range.upperBound])
        guard let value = archived.reader(bounded, &offset), offset == archived.range.upperBound else { return nil }
        return value
    }
}

/// A workflow as its first use on a definition cache's hit needs it: its whole definition and its expressions as the
/// validation that found the set clean checked them, so that use neither decodes nor checks anything
/// (``DefinitionArchive/appendWorkflow(_:files:to:)``).
package struct KeptWorkflow: Sendable {
    /// The whole definition.
    package var definition: WorkflowDefinition
    /// Its checked expressions, their names made from ``definition`` and the set.
    package var expressions: CheckedWorkflowExpressions

    /// A workflow's definition and checked expressions.
    package init(definition: WorkflowDefinition, expressions: CheckedWorkflowExpressions) {
        self.definition = definition
        self.expressions = expressions
    }
}

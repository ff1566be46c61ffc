import CaseworkDefinitions
import Foundation

/// An event of a hash chain: a case's (``AuditEvent``) or a child record's (``ChildAuditEvent``). Both are hashed and
/// checked by the same rules (docs/reference/audit-format.md), so those rules are written once, here: what the hash
/// covers, how the time is written, and the walk that finds the first event of a chain that does not hold.
package protocol HashChainedEvent {
    /// The event's place in its chain, from 1.
    var sequence: Int { get }
    /// The hash of the event before it (``AuditEvent/genesisHash`` for the first).
    var previousHash: String { get }
    /// The hash the event was stored with.
    var hash: String { get }
    /// Writes the event's members in sorted key order: as stored (with `hash`, the time as seconds since 1970) or as
    /// hashed (no `hash`, the time in whole milliseconds); ``writeTime(_:to:asStored:)`` writes the time either way.
    func write(to writer: inout CanonicalJSON, asStored: Bool)
}

extension HashChainedEvent {
    /// What the hash covers: the event as hashed, compact JSON with sorted keys.
    package var canonicalBytes: [UInt8] {
        var writer = CanonicalJSON()
        write(to: &writer, asStored: false)
        return writer.bytes
    }

    /// The SHA-256 of ``canonicalBytes``, in lowercase hex: what ``hash`` must be for the event to hold. Hashed where the
    /// writer wrote them, not copied out first.
    package var hashOfContent: String {
        var writer = CanonicalJSON()
        write(to: &writer, asStored: false)
        return writer.withBytes { SHA256.hex($0) }
    }

    /// Writes the event's time: `at` in seconds since 1970 as stored, `atMilliseconds` in whole milliseconds as
    /// hashed. Both keys sort in the same place among an event's members, so one member list serves both forms.
    package static func writeTime(_ at: Date, to writer: inout CanonicalJSON, asStored: Bool) {
        if asStored {
            writer.member("at", at)
        } else {
            writer.member("atMilliseconds", Int((at.timeIntervalSince1970 * 1000).rounded()))
        }
    }
}

extension AuditVerification {
    /// The first of a chain's `events` (in sequence order) that does not hold, as the finding that names it: one missing
    /// from its place, one whose link to the event before does not match, or one whose content does not match its hash.
    /// Nil when every event holds, so the chain's head is the last event's hash.
    package static func firstBreak<Event: HashChainedEvent>(in events: [Event]) -> AuditVerification? {
        var previous = AuditEvent.genesisHash
        for (index, event) in events.enumerated() {
            if event.sequence != index + 1 {
                return .broken(sequence: index + 1, reason: "event \(index + 1) is missing (found \(event.sequence) in its place)")
            }
            if event.previousHash != previous {
                return .broken(sequence: event.sequence, reason: "its link to the previous event does not match")
            }
            if event.hashOfContent != event.hash {
                return .broken(sequence: event.sequence, reason: "its content does not match its hash")
            }
            previous = event.hash
        }
        return nil
    }
}

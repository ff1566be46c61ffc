import CaseworkDefinitions
import CaseworkExpressions
import CaseworkTime
import Foundation

/// One change to a case, as evidence: who did what, when, from which state to which, with what input.
///
/// Events form a chain per case: each carries the SHA-256 of the one before, and
/// its own hash covers its content and that link, so editing or removing any
/// stored event breaks every hash after it.
public struct AuditEvent: Sendable, Hashable, Codable {
    /// The case.
    public var caseID: String
    /// The event's place in the case's chain, from 1.
    public var sequence: Int
    /// When it happened, to the millisecond.
    public var at: Date
    /// Who did it.
    public var actor: CaseActor
    /// What happened: `opened`, `fired`, `form_submitted`, `form_accepted`, `form_rejected`.
    public var action: String
    /// The transition fired, or the form instance acted on.
    public var subject: String?
    /// The state before (nil when the case was opened).
    public var fromState: String?
    /// The state after.
    public var toState: String
    /// The case revision after the change.
    public var revision: Int
    /// The values the actor gave.
    public var input: [String: ExpressionValue]
    /// What the event did to the case record, so replaying the history rebuilds the record; nil in events written
    /// before format 2, which recorded only the state they moved to.
    public var change: RecordChange?
    /// The hash of the previous event of the case (64 zeros for the first).
    public var previousHash: String
    /// This event's hash.
    public var hash: String
    /// The day the step took effect, when it was recorded after the fact (`case fire --on DATE`); `at` is when it was
    /// recorded. Absent for a step recorded on the day it happened (and in every event written before it existed).
    public var effectiveOn: CalendarDate?
    /// What the actor acted through when the engine did not hear from them directly: the service that called for them
    /// or the identity provider that vouched for them (`casework serve`). Absent for a step taken on the command line
    /// or by a program embedding the engine (and in every event written before it existed). Covered by the hash, and
    /// never part of the actor: the same person is the same actor whichever way they came in.
    public var via: Intermediary?

    /// The event format: 1 for events that record only the state they moved to (written before changes were recorded),
    /// 2 for events that also record what they changed (``change``, covered by the hash), from which the record can be
    /// rebuilt. The format is what the event holds, so it cannot be claimed apart from it.
    public var format: Int { change == nil ? 1 : 2 }

    /// The `previousHash` of a case's first event.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// Creates an event and computes its hash.
    public init(
        caseID: String, sequence: Int, at: Date, actor: CaseActor, action: String, subject: String?, fromState: String?,
        toState: String, revision: Int, input: [String: ExpressionValue], change: RecordChange? = nil, previousHash: String,
        effectiveOn: CalendarDate? = nil, via: Intermediary? = nil
    ) {
        self.caseID = caseID
        self.sequence = sequence
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.fromState = fromState
        self.toState = toState
        self.revision = revision
        self.input = input
        self.change = change
        self.previousHash = previousHash
        self.effectiveOn = effectiveOn
        self.via = via
        self.hash = ""
        self.hash = computedHash
    }

    /// The SHA-256 of the event's canonical bytes (docs/reference/audit-format.md), which include the previous hash.
    public var computedHash: String { hashOfContent }

    /// Writes the event's members in sorted key order: as stored (``write(to:)``: `at` as seconds since 1970, and
    /// `hash`), or as hashed (``canonicalBytes``: every field but the hash, `atMilliseconds`; `subject`, `fromState`,
    /// `change`, `effectiveOn` and `via` only when present, so events written before a field existed hash as they did).
    package func write(to writer: inout CanonicalJSON, asStored: Bool) {
        writer.object { writer in
            writer.member("action", action)
            writer.member("actor")
            actor.write(to: &writer)
            Self.writeTime(at, to: &writer, asStored: asStored)
            writer.member("caseID", caseID)
            if let change {
                writer.member("change")
                change.write(to: &writer)
            }
            writer.member("effectiveOn", effectiveOn)
            writer.member("fromState", fromState)
            if asStored { writer.member("hash", hash) }
            writer.member("input", input)
            writer.member("previousHash", previousHash)
            writer.member("revision", revision)
            writer.member("sequence", sequence)
            writer.member("subject", subject)
            writer.member("toState", toState)
            writer.member("via", via)
        }
    }
}

extension AuditEvent: HashChainedEvent {}

extension AuditEvent: CanonicallyWritable {
    /// The event as stored, what its `Encodable` form writes: every field, `hash` included, `at` as seconds since 1970.
    package func write(to writer: inout CanonicalJSON) { write(to: &writer, asStored: true) }
}

/// What `audit verify` found for one case.
public enum AuditVerification: Sendable, Hashable {
    /// Every event's hash matches its content and links to the one before, and replaying the events rebuilds the
    /// stored record exactly.
    case intact(events: Int)
    /// The first event that does not match, and why.
    case broken(sequence: Int, reason: String)
    /// The chain holds, but the stored record is not what its events say: the parts that differ.
    case recordDiffers(parts: [String])
    /// The case has audit events but no record: it was removed.
    case recordMissing(events: Int)
    /// The chain holds, but its events were written before they recorded what they changed (format 1), so the
    /// record could not be rebuilt to compare.
    case chainOnly(events: Int)

    /// The first event that does not hold, and why, when the chain itself is broken; nil when the chain holds (even
    /// if the record disagrees with it).
    public var chainBreak: (sequence: Int, reason: String)? {
        if case .broken(let sequence, let reason) = self { return (sequence, reason) }
        return nil
    }

    /// Whether nothing was found wrong (a chain of old events that could not be replayed counts as holding).
    public var holds: Bool {
        switch self {
        case .intact, .chainOnly: true
        case .broken, .recordDiffers, .recordMissing: false
        }
    }

    /// Walks `events` (in sequence order) and names the first that does not hold; then, when `record` is given,
    /// replays the events and compares what they rebuild with it.
    public static func verify(_ events: [AuditEvent], record: CaseRecord?) -> AuditVerification {
        if let broken = firstBreak(in: events) { return broken }
        guard let record else { return .recordMissing(events: events.count) }
        if record.auditHead != events.last?.hash ?? AuditEvent.genesisHash {
            return .broken(sequence: events.count + 1, reason: "the case's latest event is missing from its history")
        }
        switch CaseReplay.rebuild(events) {
        case .success(let replayed):
            let parts = CaseReplay.differences(stored: record, replayed: replayed)
            return parts.isEmpty ? .intact(events: events.count) : .recordDiffers(parts: parts)
        case .failure:
            return .chainOnly(events: events.count)
        }
    }
}

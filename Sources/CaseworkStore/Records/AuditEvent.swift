import CaseworkDefinitions
import CaseworkExpressions
import CaseworkTime
import Foundation

/// One change to a case, as evidence: who did what, when, from which state to which, with what input.
///
/// Events form a chain per case: each carries the SHA-256 of the one before, and
/// its own hash covers its content and that link, so editing or removing any
/// stored event breaks every hash after it.
///
/// A value like any other, kept in one box that copies share, as ``CaseRecord`` keeps its parts: copying an event (into
/// a change, a store's list of events, a page of history) is one retain rather than one per string, dictionary and
/// change it holds, and a store's list of events grows by a pointer an event rather than the whole event. Unlike the
/// record's, the box is never changed once made: an event is written once and read many times (hashed, stored,
/// verified), and members held by a box that cannot change can be read where they lie, while reading them out of a
/// box that may change copies them first (every string and list retained and released again: 1,130 instructions a
/// fire more, measured). A change to an event (which nothing but a test of tampering makes) puts its members, changed,
/// in a new box.
public struct AuditEvent: Sendable, Hashable {
    /// The box holding the event's members, shared by copies; replaced, never changed, when a member changes.
    @usableFromInline var storage: Storage

    /// The case.
    @inlinable public var caseID: String {
        get { storage.parts.caseID }
        _modify {
            var parts = storage.parts
            defer { storage = Storage(parts) }
            yield &parts.caseID
        }
    }
    /// The event's place in the case's chain, from 1.
    @inlinable public var sequence: Int {
        get { storage.parts.sequence }
        _modify {
            var parts = storage.parts
            defer { storage = Storage(parts) }
            yield &parts.sequence
        }
    }
    /// When it happened, to the millisecond.
    @inlinable public var at: Date {
        get { storage.parts.at }
        _modify {
            var parts = storage.parts
            defer { storage = Storage(parts) }
            yield &parts.at
        }
    }
    /// Who did it.
    @inlinable public var actor: CaseActor {
        get { storage.parts.actor }
        _modify {
            var parts = storage.parts
            defer { storage = Storage(parts) }
            yield &parts.actor
        }
    }
    /// What happened: `opened`, `fired`, `form_submitted`, `form_accepted`, `form_rejected`.
    @inlinable public var action: String {
        get { storage.parts.action }
        _modify {
            var parts = storage.parts
            defer { storage = Storage(parts) }
            yield &parts.action
        }
    }
    /// The transition fired, or the form instance acted on.
    @inlinable public var subject: String? {
        get { storage.parts.subject }
        _modify {
            var parts = storage.parts
            defer { storage = Storage(parts) }
            yield &parts.subject
        }
    }
    /// The state before (nil when the case was opened).
    @inlinable public var fromState: String? {
        get { storage.parts.fromState }
        _modify {
            var parts = storage.parts
            defer { storage = Storage(parts) }
            yield &parts.fromState
        }
    }
    /// The state after.
    @inlinable public var toState: String {
        get { storage.parts.toState }
        _modify {
            var parts = storage.parts
            defer { storage = Storage(parts) }
            yield &parts.toState
        }
    }
    /// The case revision after the change.
    @inlinable public var revision: Int {
        get { storage.parts.revision }
        _modify {
            var parts = storage.parts
            defer { storage = Storage(parts) }
            yield &parts.revision
        }
    }
    /// The values the actor gave.
    @inlinable public var input: [String: ExpressionValue] {
        get { storage.parts.input }
        _modify {
            var parts = storage.parts
            defer { storage = Storage(parts) }
            yield &parts.input
        }
    }
    /// What the event did to the case record, so replaying the history rebuilds the record; nil in events written
    /// before format 2, which recorded only the state they moved to.
    @inlinable public var change: RecordChange? {
        get { storage.parts.change }
        _modify {
            var parts = storage.parts
            defer { storage = Storage(parts) }
            yield &parts.change
        }
    }
    /// The hash of the previous event of the case (64 zeros for the first).
    @inlinable public var previousHash: String {
        get { storage.parts.previousHash }
        _modify {
            var parts = storage.parts
            defer { storage = Storage(parts) }
            yield &parts.previousHash
        }
    }
    /// This event's hash.
    @inlinable public var hash: String {
        get { storage.parts.hash }
        _modify {
            var parts = storage.parts
            defer { storage = Storage(parts) }
            yield &parts.hash
        }
    }
    /// The day the step took effect, when it was recorded after the fact (`case fire --on DATE`); `at` is when it was
    /// recorded. Absent for a step recorded on the day it happened (and in every event written before it existed).
    @inlinable public var effectiveOn: CalendarDate? {
        get { storage.parts.effectiveOn }
        _modify {
            var parts = storage.parts
            defer { storage = Storage(parts) }
            yield &parts.effectiveOn
        }
    }
    /// What the actor acted through when the engine did not hear from them directly: the service that called for them
    /// or the identity provider that vouched for them (`casework serve`). Absent for a step taken on the command line
    /// or by a program embedding the engine (and in every event written before it existed). Covered by the hash, and
    /// never part of the actor: the same person is the same actor whichever way they came in.
    @inlinable public var via: Intermediary? {
        get { storage.parts.via }
        _modify {
            var parts = storage.parts
            defer { storage = Storage(parts) }
            yield &parts.via
        }
    }

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
        let parts = Parts(
            caseID: caseID, sequence: sequence, at: at, actor: actor, action: action, subject: subject, fromState: fromState, toState: toState,
            revision: revision, input: input, change: change, previousHash: previousHash, hash: "", effectiveOn: effectiveOn, via: via)
        // Hashed before they are boxed, where they lie, then moved into the box with the hash.
        let hash = parts.hashOfContent
        storage = Storage(consume parts, hash: hash)
    }

    /// An event of `parts` as they are, their hash included: an event read back from a store.
    private init(parts: Parts) {
        storage = Storage(parts)
    }

    /// The SHA-256 of the event's canonical bytes (docs/reference/audit-format.md), which include the previous hash.
    public var computedHash: String { hashOfContent }

    /// Whether every member is equal; events sharing one box are, without comparing the members.
    public static func == (lhs: AuditEvent, rhs: AuditEvent) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.parts == rhs.storage.parts
    }

    /// Hashes every member in the order they are declared: what an event hashed before it kept them in a box.
    public func hash(into hasher: inout Hasher) {
        storage.parts.hash(into: &hasher)
    }

    /// Writes the event's members in sorted key order (``Parts/write(to:asStored:)``), read where the box holds them.
    package func write(to writer: inout CanonicalJSON, asStored: Bool) {
        storage.parts.write(to: &writer, asStored: asStored)
    }

    /// An event's members, each a member of the event with the same name, in the same order: the synthesized `==` and
    /// `hash(into:)` compare and combine them as the event's own did before they were boxed.
    @usableFromInline struct Parts: Sendable, Hashable {
        @usableFromInline var caseID: String
        @usableFromInline var sequence: Int
        @usableFromInline var at: Date
        @usableFromInline var actor: CaseActor
        @usableFromInline var action: String
        @usableFromInline var subject: String?
        @usableFromInline var fromState: String?
        @usableFromInline var toState: String
        @usableFromInline var revision: Int
        @usableFromInline var input: [String: ExpressionValue]
        @usableFromInline var change: RecordChange?
        @usableFromInline var previousHash: String
        @usableFromInline var hash: String
        @usableFromInline var effectiveOn: CalendarDate?
        @usableFromInline var via: Intermediary?

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

    /// The box that copies of an event share: made once, never changed, so `Sendable` as it stands.
    @usableFromInline final class Storage: Sendable {
        /// The members.
        @usableFromInline let parts: Parts

        /// A box holding `parts`.
        @usableFromInline init(_ parts: Parts) {
            self.parts = parts
        }

        /// A box holding `parts` with their `hash` set: a new event's, moved in.
        init(_ parts: consuming Parts, hash: String) {
            parts.hash = hash
            // Moved, not copied: without `consume` the parts were copied into the box and the given ones destroyed
            // (about 1,000 instructions an event).
            self.parts = consume parts
        }
    }
}

extension AuditEvent: CustomReflectable {
    /// The event's members by name, in the order they are declared: what reflection showed of it before it kept them
    /// in a box, so `String(describing:)`, `dump` and `Mirror` print an event (every member) as they did, rather than
    /// the box.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "caseID": caseID, "sequence": sequence, "at": at, "actor": actor, "action": action, "subject": subject as Any,
                "fromState": fromState as Any, "toState": toState, "revision": revision, "input": input, "change": change as Any,
                "previousHash": previousHash, "hash": hash, "effectiveOn": effectiveOn as Any, "via": via as Any,
            ],
            displayStyle: .struct)
    }
}

extension AuditEvent: Codable {
    private enum CodingKeys: String, CodingKey {
        case caseID, sequence, at, actor, action, subject, fromState, toState, revision, input, change, previousHash, hash, effectiveOn, via
    }

    /// Reads an event as stored, its hash as stored (not computed again: checking it is ``AuditVerification``'s job);
    /// the optional members may be absent, as they are in events written before they existed.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(parts: Parts(
            caseID: try container.decode(String.self, forKey: .caseID), sequence: try container.decode(Int.self, forKey: .sequence),
            at: try container.decode(Date.self, forKey: .at), actor: try container.decode(CaseActor.self, forKey: .actor),
            action: try container.decode(String.self, forKey: .action), subject: try container.decodeIfPresent(String.self, forKey: .subject),
            fromState: try container.decodeIfPresent(String.self, forKey: .fromState), toState: try container.decode(String.self, forKey: .toState),
            revision: try container.decode(Int.self, forKey: .revision), input: try container.decode([String: ExpressionValue].self, forKey: .input),
            change: try container.decodeIfPresent(RecordChange.self, forKey: .change),
            previousHash: try container.decode(String.self, forKey: .previousHash), hash: try container.decode(String.self, forKey: .hash),
            effectiveOn: try container.decodeIfPresent(CalendarDate.self, forKey: .effectiveOn),
            via: try container.decodeIfPresent(Intermediary.self, forKey: .via)))
    }

    /// Writes every member, the absent optional ones left out: what the synthesized form wrote.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(caseID, forKey: .caseID)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(at, forKey: .at)
        try container.encode(actor, forKey: .actor)
        try container.encode(action, forKey: .action)
        try container.encodeIfPresent(subject, forKey: .subject)
        try container.encodeIfPresent(fromState, forKey: .fromState)
        try container.encode(toState, forKey: .toState)
        try container.encode(revision, forKey: .revision)
        try container.encode(input, forKey: .input)
        try container.encodeIfPresent(change, forKey: .change)
        try container.encode(previousHash, forKey: .previousHash)
        try container.encode(hash, forKey: .hash)
        try container.encodeIfPresent(effectiveOn, forKey: .effectiveOn)
        try container.encodeIfPresent(via, forKey: .via)
    }
}

extension AuditEvent: HashChainedEvent {}

/// The members hash as their event does, so an event is hashed before they are boxed (``AuditEvent/init(caseID:sequence:at:actor:action:subject:fromState:toState:revision:input:change:previousHash:effectiveOn:via:)``).
extension AuditEvent.Parts: HashChainedEvent {}

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

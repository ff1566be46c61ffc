import CaseworkDefinitions
import CaseworkExpressions
import Foundation

/// One change to a child record, as evidence: who did what, when, and what it changed. A child's events form their own
/// chain, hashed by the rules of a case's (docs/reference/audit-format.md, "Child records"): each carries the SHA-256 of
/// the one before and its own hash over its canonical bytes.
public struct ChildAuditEvent: Sendable, Hashable, Codable {
    /// The child.
    public var childID: String
    /// The event's place in the child's chain, from 1.
    public var sequence: Int
    /// When it happened, to the millisecond.
    public var at: Date
    /// Who did it.
    public var actor: CaseActor
    /// What happened: `child_added`, `child_changed`, `access_granted`, `access_revoked`.
    public var action: String
    /// What it happened to: the grantee of a grant or revocation.
    public var subject: String?
    /// Why, as the actor said.
    public var reason: String?
    /// The child record's revision after the change.
    public var revision: Int
    /// What the event did to the record, so replaying the chain rebuilds it.
    public var change: ChildRecordChange
    /// The hash of the previous event of the child (64 zeros for the first).
    public var previousHash: String
    /// This event's hash.
    public var hash: String
    /// What the actor came through, as a case event's ``AuditEvent/via``; absent for a step taken directly.
    public var via: Intermediary?

    /// Creates an event and computes its hash.
    public init(
        childID: String, sequence: Int, at: Date, actor: CaseActor, action: String, subject: String? = nil, reason: String? = nil,
        revision: Int, change: ChildRecordChange, previousHash: String, via: Intermediary? = nil
    ) {
        self.childID = childID
        self.sequence = sequence
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.reason = reason
        self.revision = revision
        self.change = change
        self.previousHash = previousHash
        self.via = via
        self.hash = ""
        self.hash = computedHash
    }

    /// The SHA-256 of the event's canonical bytes, which include the previous hash.
    public var computedHash: String { hashOfContent }

    /// Writes the members in sorted key order, as stored (`at` as seconds since 1970, and `hash`) or as hashed
    /// (``canonicalBytes``: every member but `hash`, the time as `atMilliseconds`; `subject`, `reason` and `via` only
    /// when present).
    package func write(to writer: inout CanonicalJSON, asStored: Bool) {
        writer.object { writer in
            writer.member("action", action)
            writer.member("actor")
            actor.write(to: &writer)
            Self.writeTime(at, to: &writer, asStored: asStored)
            writer.member("change", change)
            writer.member("childID", childID)
            if asStored { writer.member("hash", hash) }
            writer.member("previousHash", previousHash)
            writer.member("reason", reason)
            writer.member("revision", revision)
            writer.member("sequence", sequence)
            writer.member("subject", subject)
            writer.member("via", via)
        }
    }
}

extension ChildAuditEvent: HashChainedEvent {}

extension ChildAuditEvent: CanonicallyWritable {
    /// The event as stored: every member, `hash` included, `at` as seconds since 1970.
    package func write(to writer: inout CanonicalJSON) { write(to: &writer, asStored: true) }
}

/// What one event did to a child record: the after-image of each part it changed (an opening event, every part).
public struct ChildRecordChange: Sendable, Hashable, Codable {
    /// Fields given a value, by dotted path.
    public var setFields: [String: ExpressionValue]
    /// Fields that no longer have a value.
    public var clearedFields: [String]
    /// The people, whole, when they changed.
    public var people: [ChildPerson]?
    /// The grants, whole, when they changed.
    public var grants: [AccessGrant]?

    /// Creates a change.
    public init(setFields: [String: ExpressionValue] = [:], clearedFields: [String] = [], people: [ChildPerson]? = nil, grants: [AccessGrant]? = nil) {
        self.setFields = setFields
        self.clearedFields = clearedFields
        self.people = people
        self.grants = grants
    }

    /// What changed from `before` to `after`; with no `before` (the child added), every part of `after`.
    public static func between(_ before: ChildRecord?, _ after: ChildRecord) -> ChildRecordChange {
        guard let before else { return ChildRecordChange(setFields: after.fields, people: after.people, grants: after.grants) }
        return ChildRecordChange(
            setFields: after.fields.filter { before.fields[$0.key] != $0.value },
            clearedFields: before.fields.keys.filter { after.fields[$0] == nil }.sorted(),
            people: before.people == after.people ? nil : after.people,
            grants: before.grants == after.grants ? nil : after.grants)
    }

    /// `record` with this change applied.
    public func applied(to record: ChildRecord) -> ChildRecord {
        var next = record
        next.fields.merge(setFields) { _, new in new }
        for path in clearedFields { next.fields[path] = nil }
        if let people { next.people = people }
        if let grants { next.grants = grants }
        return next
    }

    private enum CodingKeys: String, CodingKey { case setFields, clearedFields, people, grants }

    /// Decodes a change; parts that did not change are absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        setFields = try container.decodeIfPresent([String: ExpressionValue].self, forKey: .setFields) ?? [:]
        clearedFields = try container.decodeIfPresent([String].self, forKey: .clearedFields) ?? []
        people = try container.decodeIfPresent([ChildPerson].self, forKey: .people)
        grants = try container.decodeIfPresent([AccessGrant].self, forKey: .grants)
    }

    /// Encodes only the parts that changed.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if !setFields.isEmpty { try container.encode(setFields, forKey: .setFields) }
        if !clearedFields.isEmpty { try container.encode(clearedFields, forKey: .clearedFields) }
        try container.encodeIfPresent(people, forKey: .people)
        try container.encodeIfPresent(grants, forKey: .grants)
    }
}

extension ChildRecordChange: CanonicallyWritable {
    /// `{"clearedFields","grants","people","setFields"}`, each only when it says something.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            writer.member("clearedFields", clearedFields.isEmpty ? nil : clearedFields)
            writer.member("grants", grants)
            writer.member("people", people)
            writer.member("setFields", setFields.isEmpty ? nil : setFields)
        }
    }
}

/// A child record and its audit events, read together as one consistent snapshot.
public struct ChildSnapshot: Sendable, Hashable {
    /// The record, or nil when there is none.
    public var record: ChildRecord?
    /// The events in sequence order.
    public var events: [ChildAuditEvent]

    /// Creates a snapshot.
    public init(record: ChildRecord?, events: [ChildAuditEvent]) {
        self.record = record
        self.events = events
    }
}

extension AuditVerification {
    /// Walks a child's `events` (in sequence order) as ``verify(_:record:)`` walks a case's, then replays them and
    /// compares what they rebuild with `record`: the same findings, named by the parts of a child record.
    public static func verify(child events: [ChildAuditEvent], record: ChildRecord?) -> AuditVerification {
        if let broken = firstBreak(in: events) { return broken }
        guard let record else { return .recordMissing(events: events.count) }
        if record.auditHead != events.last?.hash ?? AuditEvent.genesisHash {
            return .broken(sequence: events.count + 1, reason: "the child's latest event is missing from its history")
        }
        guard let first = events.first, first.action == ChildAuditEvent.added else {
            return .broken(sequence: 1, reason: "the first event does not add the child")
        }
        var replayed = first.change.applied(to: ChildRecord(id: first.childID, revision: first.revision, createdAt: first.at, updatedAt: first.at,
                                                            auditHead: first.hash))
        for event in events.dropFirst() {
            replayed = event.change.applied(to: replayed)
            replayed.revision = event.revision
            replayed.updatedAt = event.at
            replayed.auditHead = event.hash
        }
        var parts: [String] = []
        if record.id != replayed.id { parts.append("id") }
        if record.revision != replayed.revision { parts.append("revision") }
        for path in Set(record.fields.keys).union(replayed.fields.keys).sorted() where record.fields[path] != replayed.fields[path] {
            parts.append("fields.\(path)")
        }
        if record.people != replayed.people { parts.append("people") }
        if record.grants != replayed.grants { parts.append("grants") }
        if record.createdAt != replayed.createdAt { parts.append("created_at") }
        if record.updatedAt != replayed.updatedAt { parts.append("updated_at") }
        return parts.isEmpty ? .intact(events: events.count) : .recordDiffers(parts: parts)
    }
}

extension ChildAuditEvent {
    /// The action of a child's first event.
    public static let added = "child_added"
}

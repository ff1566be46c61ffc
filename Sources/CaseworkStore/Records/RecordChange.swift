import CaseworkDefinitions
import CaseworkExpressions
import Foundation

/// What one audited change did to a case record: the after-image of every part it changed, so that replaying a
/// case's events from the first rebuilds its record exactly (state, fields, forms, grants, deadlines,
/// participants, workflow version). Carried in the audit event and covered by its hash.
///
/// Fields are recorded path by path (set values and cleared paths); the other parts, which are small lists,
/// whole when they changed. An opening event records every part.
///
/// Its optional members spell `Optional` out and none is given a value where it is declared: a member that starts with
/// a value before the initialiser runs (as a `T?` does) made the initialiser copy the whole change and destroy the first
/// (docs/performance.md, Benchmarks, session 25). Its initialiser assigns the members in the order they are declared.
public struct RecordChange: Sendable, Hashable, Codable {
    /// The state after the change, when it moved.
    public var state: Optional<String>
    /// The workflow version after the change, when it changed (opening, migration).
    public var workflowVersion: Optional<Int>
    /// The fingerprint of the definition set the case runs on after the change, when it changed (opening, migration).
    public var definitionSnapshot: Optional<String>
    /// Fields given a value, by dotted path.
    public var setFields: [String: ExpressionValue]
    /// Fields that no longer have a value.
    public var clearedFields: [String]
    /// Who plays each role, whole, when it changed.
    public var participants: Optional<CaseParticipants>
    /// Whether the event was written when a role had one participant (`{"ROLE": "PRINCIPAL"}`), so it is written back
    /// in that shape and its canonical bytes, and hash, stay as they were.
    private var participantsOnePerRole: Bool
    /// The form instances, whole, when any changed.
    public var forms: Optional<[FormInstance]>
    /// The statutory clocks, whole, when any changed.
    public var deadlines: Optional<[DeadlineRecord]>
    /// The grants, whole, when any changed.
    public var grants: Optional<[AccessGrant]>
    /// The owed notices recorded as sent, whole, when any was recorded.
    public var noticesSent: Optional<[NoticeSent]>
    /// The document version the change added, when it added one (`document_added`): its parts' hashes are covered by the
    /// event's hash. It changes no part of the record, so replay passes over it.
    public var document: Optional<DocumentChange>
    /// The child record the case belongs to, recorded by the opening event of a case opened for a child (it never
    /// changes afterwards); absent otherwise, so every event written before child records hashes as it did.
    public var child: Optional<String>
    /// The case's links (``CaseLink``), whole, when any was added: by the step that opened a linked case (on both
    /// records) and by the opening of a linked case; absent otherwise, so every event written before links hashes as it did.
    public var links: Optional<[CaseLink]>

    private enum CodingKeys: String, CodingKey {
        case state, workflowVersion, definitionSnapshot, setFields, clearedFields, participants, forms, deadlines, grants, noticesSent, document, child, links
    }

    /// Creates a change.
    public init(
        state: String? = nil, workflowVersion: Int? = nil, definitionSnapshot: String? = nil, setFields: [String: ExpressionValue] = [:], clearedFields: [String] = [],
        participants: CaseParticipants? = nil, forms: [FormInstance]? = nil, deadlines: [DeadlineRecord]? = nil, grants: [AccessGrant]? = nil,
        noticesSent: [NoticeSent]? = nil, child: String? = nil, links: [CaseLink]? = nil
    ) {
        self.state = state
        self.workflowVersion = workflowVersion
        self.definitionSnapshot = definitionSnapshot
        self.setFields = setFields
        self.clearedFields = clearedFields
        self.participants = participants
        self.participantsOnePerRole = false
        self.forms = forms
        self.deadlines = deadlines
        self.grants = grants
        self.noticesSent = noticesSent
        self.document = nil
        self.child = child
        self.links = links
    }

    /// What changed from `before` to `after`; with no `before` (opening), every part of `after`.
    ///
    /// `fieldsTouched`, when given, names every field path in which `after` may differ from `before` (a transition
    /// knows: its input and its `set:` fields), each once: only those paths are compared, instead of every field of both records,
    /// and the change is the same as without it. A step that does not know what it touched passes nil.
    ///
    /// `given`, when the step knows them, are the values the actor gave (the event's input). When they are exactly the
    /// fields set (the touched paths, each given, each now holding the value given, each changed), the change's
    /// `setFields` is `given` itself, sharing its storage, rather than an equal dictionary built path by path: a fire
    /// that only records its input keeps one dictionary for its event's input and its change, not two (about 160 bytes
    /// an event held by a store in memory). The change is equal either way.
    public static func between(
        _ before: CaseRecord?, _ after: CaseRecord, fieldsTouched: [String]? = nil, given: [String: ExpressionValue]? = nil
    ) -> RecordChange {
        guard let before else {
            return RecordChange(state: after.state, workflowVersion: after.workflowVersion, definitionSnapshot: after.definitionSnapshot,
                                setFields: after.fields, participants: after.participants,
                                forms: after.forms, deadlines: after.deadlines, grants: after.grants,
                                noticesSent: after.noticesSent.isEmpty ? nil : after.noticesSent, child: after.child,
                                links: after.links.isEmpty ? nil : after.links)
        }
        var setFields: [String: ExpressionValue]
        var clearedFields: [String]
        if let fieldsTouched, let given, Self.setsExactly(given, touched: fieldsTouched, before: before, after: after) {
            setFields = given
            clearedFields = []
        } else if let fieldsTouched {
            // One pass over the touched paths, each looked up once in either record: set where `after` has a value
            // `before` does not, cleared where only `before` has one.
            setFields = [:]
            clearedFields = []
            for path in fieldsTouched {
                let old = before.fields[path]
                if let value = after.fields[path] {
                    if old != value { setFields[path] = value }
                } else if old != nil {
                    clearedFields.append(path)
                }
            }
            clearedFields.sort()
        } else {
            setFields = after.fields.filter { before.fields[$0.key] != $0.value }
            clearedFields = before.fields.keys.filter { after.fields[$0] == nil }.sorted()
        }
        return RecordChange(
            state: before.state == after.state ? nil : after.state,
            workflowVersion: before.workflowVersion == after.workflowVersion ? nil : after.workflowVersion,
            definitionSnapshot: before.definitionSnapshot == after.definitionSnapshot ? nil : after.definitionSnapshot,
            setFields: setFields,
            clearedFields: clearedFields,
            participants: before.participants == after.participants ? nil : after.participants,
            forms: before.forms == after.forms ? nil : after.forms,
            deadlines: before.deadlines == after.deadlines ? nil : after.deadlines,
            grants: before.grants == after.grants ? nil : after.grants,
            noticesSent: before.noticesSent == after.noticesSent ? nil : after.noticesSent,
            child: before.child == after.child ? nil : after.child,
            links: before.links == after.links ? nil : after.links
        )
    }

    /// Whether the touched paths (each named once) are exactly `given`'s, and each now holds the value given and held
    /// another before (or none): then the touched-fields pass of ``between(_:_:fieldsTouched:given:)`` would set every
    /// one of them to its given value and clear none, so its `setFields` would equal `given`.
    ///
    /// The given values are walked, each path found among the touched ones: as many of each, the touched named once and
    /// a dictionary's keys distinct, every given path is touched exactly when every touched path is given. A few touched
    /// paths (a transition's input, one to three short names) are searched by comparing, which costs less than hashing
    /// the path to look it up among the given values; more are put in a set first.
    private static func setsExactly(_ given: [String: ExpressionValue], touched: [String], before: CaseRecord, after: CaseRecord) -> Bool {
        guard given.count == touched.count else { return false }
        let searchedByComparing = touched.count <= 8
        let touchedSet = searchedByComparing ? [] : Set(touched)
        for (path, value) in given {
            guard searchedByComparing ? touched.contains(path) : touchedSet.contains(path) else { return false }
            guard after.fields[path] == value, before.fields[path] != value else { return false }
        }
        return true
    }

    /// `record` with this change applied.
    public func applied(to record: CaseRecord) -> CaseRecord {
        var next = record
        if let state { next.state = state }
        if let workflowVersion { next.workflowVersion = workflowVersion }
        if let definitionSnapshot { next.definitionSnapshot = definitionSnapshot }
        next.fields.merge(setFields) { _, new in new }
        for path in clearedFields { next.fields[path] = nil }
        if let participants { next.participants = participants }
        if let forms { next.forms = forms }
        if let deadlines { next.deadlines = deadlines }
        if let grants { next.grants = grants }
        if let noticesSent { next.noticesSent = noticesSent }
        if let child { next.child = child }
        if let links { next.links = links }
        return next
    }

    /// Decodes a change; parts that did not change are absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        state = try container.decodeIfPresent(String.self, forKey: .state)
        workflowVersion = try container.decodeIfPresent(Int.self, forKey: .workflowVersion)
        definitionSnapshot = try container.decodeIfPresent(String.self, forKey: .definitionSnapshot)
        setFields = try container.decodeIfPresent([String: ExpressionValue].self, forKey: .setFields) ?? [:]
        clearedFields = try container.decodeIfPresent([String].self, forKey: .clearedFields) ?? []
        if let lists = try? container.decodeIfPresent([String: [String]].self, forKey: .participants) {
            participants = CaseParticipants(lists)
            participantsOnePerRole = false
        } else if let single = try container.decodeIfPresent([String: String].self, forKey: .participants) {
            participants = CaseParticipants(single.mapValues { [$0] })
            participantsOnePerRole = true
        } else {
            participants = nil
            participantsOnePerRole = false
        }
        forms = try container.decodeIfPresent([FormInstance].self, forKey: .forms)
        deadlines = try container.decodeIfPresent([DeadlineRecord].self, forKey: .deadlines)
        grants = try container.decodeIfPresent([AccessGrant].self, forKey: .grants)
        noticesSent = try container.decodeIfPresent([NoticeSent].self, forKey: .noticesSent)
        document = try container.decodeIfPresent(DocumentChange.self, forKey: .document)
        child = try container.decodeIfPresent(String.self, forKey: .child)
        links = try container.decodeIfPresent([CaseLink].self, forKey: .links)
    }

    /// Encodes only the parts that changed, so an event's canonical bytes (and hash) say exactly what it did.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(state, forKey: .state)
        try container.encodeIfPresent(workflowVersion, forKey: .workflowVersion)
        try container.encodeIfPresent(definitionSnapshot, forKey: .definitionSnapshot)
        if !setFields.isEmpty { try container.encode(setFields, forKey: .setFields) }
        if !clearedFields.isEmpty { try container.encode(clearedFields, forKey: .clearedFields) }
        if participantsOnePerRole, let single = participants?.oneParticipantPerRole {
            try container.encode(single, forKey: .participants)
        } else {
            try container.encodeIfPresent(participants, forKey: .participants)
        }
        try container.encodeIfPresent(forms, forKey: .forms)
        try container.encodeIfPresent(deadlines, forKey: .deadlines)
        try container.encodeIfPresent(grants, forKey: .grants)
        try container.encodeIfPresent(noticesSent, forKey: .noticesSent)
        try container.encodeIfPresent(document, forKey: .document)
        try container.encodeIfPresent(child, forKey: .child)
        try container.encodeIfPresent(links, forKey: .links)
    }
}

extension RecordChange: CanonicallyWritable {
    /// The canonical bytes of what ``encode(to:)`` writes: only the parts that changed, keys sorted.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            writer.member("child", child)
            writer.member("clearedFields", clearedFields.isEmpty ? nil : clearedFields)
            // The record parts are tested for presence here, so an event without them pays no generic call.
            if let deadlines { writer.member("deadlines", deadlines) }
            writer.member("definitionSnapshot", definitionSnapshot)
            if let document { writer.member("document", document) }
            if let forms { writer.member("forms", forms) }
            if let grants { writer.member("grants", grants) }
            if let links { writer.member("links", links) }
            if let noticesSent { writer.member("noticesSent", noticesSent) }
            if participantsOnePerRole, let single = participants?.oneParticipantPerRole {
                writer.member("participants", single)
            } else if let participants {
                writer.member("participants", participants)
            }
            writer.member("setFields", setFields.isEmpty ? nil : setFields)
            writer.member("state", state)
            writer.member("workflowVersion", workflowVersion)
        }
    }
}

/// A case rebuilt from its audit history alone, to prove the stored record is what its events say.
package enum CaseReplay {
    /// The record `events` (one case's, in sequence order) rebuild, or why they cannot: the first event must open the case,
    /// and every event must carry its change (events written before changes were recorded cannot be replayed).
    package static func rebuild(_ events: [AuditEvent]) -> Result<CaseRecord, ReplayFailure> {
        guard let first = events.first else { return .failure(ReplayFailure(sequence: 1, reason: "the case has no events")) }
        guard first.action == "opened", let opening = first.change, let version = opening.workflowVersion, let workflow = first.subject else {
            return .failure(ReplayFailure(sequence: first.sequence, reason: "the first event does not open the case with what it held"))
        }
        var record = opening.applied(to: CaseRecord(id: first.caseID, workflow: workflow, workflowVersion: version, state: first.toState, revision: first.revision,
                                                    fields: [:], participants: [:], forms: [], openedAt: first.at, updatedAt: first.at, auditHead: first.hash))
        for event in events.dropFirst() {
            guard let change = event.change else {
                return .failure(ReplayFailure(sequence: event.sequence, reason: "the event does not record what it changed (written before format 2)"))
            }
            record = change.applied(to: record)
            record.revision = event.revision
            record.updatedAt = event.at
            record.auditHead = event.hash
        }
        return .success(record)
    }

    /// The parts of `stored` that differ from `replayed`, named for a report (`state`, `fields.child.first_name`, `grants`).
    package static func differences(stored: CaseRecord, replayed: CaseRecord) -> [String] {
        var parts: [String] = []
        if stored.id != replayed.id { parts.append("id") }
        if stored.workflow != replayed.workflow { parts.append("workflow") }
        if stored.workflowVersion != replayed.workflowVersion { parts.append("workflow_version") }
        if stored.definitionSnapshot != replayed.definitionSnapshot { parts.append("definition_snapshot") }
        if stored.state != replayed.state { parts.append("state") }
        if stored.revision != replayed.revision { parts.append("revision") }
        for path in Set(stored.fields.keys).union(replayed.fields.keys).sorted() where stored.fields[path] != replayed.fields[path] {
            parts.append("fields.\(path)")
        }
        if stored.participants != replayed.participants { parts.append("participants") }
        if stored.forms != replayed.forms { parts.append("forms") }
        if stored.deadlines != replayed.deadlines { parts.append("deadlines") }
        if stored.grants != replayed.grants { parts.append("grants") }
        if stored.noticesSent != replayed.noticesSent { parts.append("notices_sent") }
        if stored.child != replayed.child { parts.append("child") }
        if stored.links != replayed.links { parts.append("links") }
        if stored.openedAt != replayed.openedAt { parts.append("opened_at") }
        if stored.updatedAt != replayed.updatedAt { parts.append("updated_at") }
        if stored.auditHead != replayed.auditHead { parts.append("audit_head") }
        return parts
    }
}

/// Why a history cannot be replayed.
package struct ReplayFailure: Error, Sendable, Hashable {
    /// The event at fault.
    package var sequence: Int
    /// Why, in words.
    package var reason: String
}

import CaseworkExpressions
import CaseworkTime
import Foundation

/// A case: one child's journey through one workflow version, as the store keeps it.
///
/// A value like any other, kept copy-on-write: its parts live in one box that copies share, so copying a record (into
/// a store, an admitted case, a change) is one retain rather than one per string, dictionary and list it holds; the
/// first change through a copy whose box is shared gives that copy a box of its own, and a change to a record held
/// once is made in place, down to one answer in `fields` or one clock in `deadlines`.
public struct CaseRecord: Sendable, Hashable {
    /// The box holding the record's parts, shared by copies until one of them changes.
    @usableFromInline var storage: Storage

    /// Makes the box the record's own before a change: a shared one is left to its other holders and replaced by a
    /// copy (``Storage`` says why changing a box held once is safe).
    @inlinable mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { copyStorage() }
    }

    /// Replaces a shared box with a box of the record's own holding a copy of the parts: the rare path of a change,
    /// kept out of the callers it is inlined into.
    @usableFromInline mutating func copyStorage() {
        storage = Storage(storage.parts)
    }

    /// The case's id.
    @inlinable public var id: String {
        get { storage.parts.id }
        _modify {
            makeUnique()
            yield &storage.parts.id
        }
    }
    /// The workflow's id.
    @inlinable public var workflow: String {
        get { storage.parts.workflow }
        _modify {
            makeUnique()
            yield &storage.parts.workflow
        }
    }
    /// The workflow version the case started on; it stays on it.
    @inlinable public var workflowVersion: Int {
        get { storage.parts.workflowVersion }
        _modify {
            makeUnique()
            yield &storage.parts.workflowVersion
        }
    }
    /// The state the case is in.
    @inlinable public var state: String {
        get { storage.parts.state }
        _modify {
            makeUnique()
            yield &storage.parts.state
        }
    }
    /// How many changes the case has had; every change raises it by one.
    @inlinable public var revision: Int {
        get { storage.parts.revision }
        _modify {
            makeUnique()
            yield &storage.parts.revision
        }
    }
    /// The set fields, by dotted path. An absent path is unset.
    @inlinable public var fields: [String: ExpressionValue] {
        get { storage.parts.fields }
        _modify {
            makeUnique()
            yield &storage.parts.fields
        }
    }
    /// Who plays each role on this case, several people or organisations per role (`school` → `organisation:hillside-primary`).
    @inlinable public var participants: CaseParticipants {
        get { storage.parts.participants }
        _modify {
            makeUnique()
            yield &storage.parts.participants
        }
    }
    /// The form instances the case has started, in order.
    @inlinable public var forms: [FormInstance] {
        get { storage.parts.forms }
        _modify {
            makeUnique()
            yield &storage.parts.forms
        }
    }
    /// When the case was opened.
    @inlinable public var openedAt: Date {
        get { storage.parts.openedAt }
        _modify {
            makeUnique()
            yield &storage.parts.openedAt
        }
    }
    /// When the case last changed.
    @inlinable public var updatedAt: Date {
        get { storage.parts.updatedAt }
        _modify {
            makeUnique()
            yield &storage.parts.updatedAt
        }
    }
    /// The hash of the case's latest audit event, which the next event links to.
    @inlinable public var auditHead: String {
        get { storage.parts.auditHead }
        _modify {
            makeUnique()
            yield &storage.parts.auditHead
        }
    }
    /// The case's statutory clocks, in the order they started.
    @inlinable public var deadlines: [DeadlineRecord] {
        get { storage.parts.deadlines }
        _modify {
            makeUnique()
            yield &storage.parts.deadlines
        }
    }
    /// Who the SEND service has given access to this case, at which level.
    @inlinable public var grants: [AccessGrant] {
        get { storage.parts.grants }
        _modify {
            makeUnique()
            yield &storage.parts.grants
        }
    }
    /// The fingerprint of the definition set the case runs on (``DefinitionSnapshot``): the one it was opened on, or
    /// the one it was last migrated to. Nil for a record written before snapshots, which runs on its workflow version
    /// with the engine's current forms, calendars and policy (so such records still decode and run).
    @inlinable public var definitionSnapshot: String? {
        get { storage.parts.definitionSnapshot }
        _modify {
            makeUnique()
            yield &storage.parts.definitionSnapshot
        }
    }
    /// The notices owed by another route that staff have recorded as sent, in the order recorded.
    @inlinable public var noticesSent: [NoticeSent] {
        get { storage.parts.noticesSent }
        _modify {
            makeUnique()
            yield &storage.parts.noticesSent
        }
    }
    /// The child record the case belongs to, named when it was opened and never changed; nil for a case that belongs
    /// to no child (every case stored before child records existed, and any opened without one: absence means that).
    @inlinable public var child: String? {
        get { storage.parts.child }
        _modify {
            makeUnique()
            yield &storage.parts.child
        }
    }
    /// The cases this case opened and the case that opened it (``CaseLink``), in the order they were linked; empty
    /// for a case with no links, which is every case stored before links existed.
    @inlinable public var links: [CaseLink] {
        get { storage.parts.links }
        _modify {
            makeUnique()
            yield &storage.parts.links
        }
    }

    /// Creates a case record.
    public init(
        id: String, workflow: String, workflowVersion: Int, state: String, revision: Int,
        fields: [String: ExpressionValue], participants: CaseParticipants, forms: [FormInstance], openedAt: Date, updatedAt: Date,
        auditHead: String, deadlines: [DeadlineRecord] = [], grants: [AccessGrant] = [], definitionSnapshot: String? = nil,
        noticesSent: [NoticeSent] = [], child: String? = nil
    ) {
        storage = Storage(Parts(
            id: id, workflow: workflow, workflowVersion: workflowVersion, state: state, revision: revision, fields: fields,
            participants: participants, forms: forms, openedAt: openedAt, updatedAt: updatedAt, auditHead: auditHead, deadlines: deadlines,
            grants: grants, definitionSnapshot: definitionSnapshot, noticesSent: noticesSent, child: child))
    }

    /// Whether every part is equal; records sharing one box are, without comparing the parts.
    public static func == (lhs: CaseRecord, rhs: CaseRecord) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.parts == rhs.storage.parts
    }

    /// Hashes every part in the order they are declared: what a record hashed before it kept them in a box.
    public func hash(into hasher: inout Hasher) {
        storage.parts.hash(into: &hasher)
    }

    /// A record's parts, each a member of the record with the same name, in the same order.
    @usableFromInline struct Parts: Sendable, Hashable {
        @usableFromInline var id: String
        @usableFromInline var workflow: String
        @usableFromInline var workflowVersion: Int
        @usableFromInline var state: String
        @usableFromInline var revision: Int
        @usableFromInline var fields: [String: ExpressionValue]
        @usableFromInline var participants: CaseParticipants
        @usableFromInline var forms: [FormInstance]
        @usableFromInline var openedAt: Date
        @usableFromInline var updatedAt: Date
        @usableFromInline var auditHead: String
        @usableFromInline var deadlines: [DeadlineRecord]
        @usableFromInline var grants: [AccessGrant]
        @usableFromInline var definitionSnapshot: String?
        @usableFromInline var noticesSent: [NoticeSent]
        @usableFromInline var child: String?
        @usableFromInline var links: [CaseLink] = []
    }

    /// The box that copies of a record share.
    ///
    /// `@unchecked Sendable`, and why that holds: the only mutable state is `parts`, a `Sendable` value, and the only
    /// code that writes it is a record's `_modify` accessors, each of which first makes the box the writing record's
    /// own (``CaseRecord/makeUnique()``: `isKnownUniquelyReferenced`, else a fresh box with a copy of the parts). A
    /// record that crosses to another task or thread gets there as a copy, and copying a record retains its box, so a
    /// box reachable from two places (two records, on one thread or two) has a count above one and is never written:
    /// every box is either shared and only read, or held by exactly one record and written only through that
    /// record's exclusive (`inout`) access, which Swift's exclusivity rules keep to one thread at a time. That is the
    /// discipline `Array` and `Dictionary` keep for their own buffers.
    ///
    /// `parts` is `@exclusivity(unchecked)` for the same reason: every access to it is made through a record, a read
    /// through any holder or a change through the one holder's `inout` access, which the compiler already checks
    /// statically on the record, so the dynamic check a class property otherwise costs on every read (a call into
    /// the runtime) could never find a conflict.
    @usableFromInline final class Storage: @unchecked Sendable {
        /// The parts; written only while the box is held by one record (see above).
        @usableFromInline @exclusivity(unchecked) var parts: Parts

        /// A box holding `parts`.
        @usableFromInline init(_ parts: Parts) {
            self.parts = parts
        }
    }
}

extension CaseRecord: CustomReflectable {
    /// The record's members by name, in the order they are declared: what reflection showed of it before it kept them
    /// in a box, so `String(describing:)`, `dump` and `Mirror` print a record (every part) as they did, rather than
    /// the box.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "id": id, "workflow": workflow, "workflowVersion": workflowVersion, "state": state, "revision": revision, "fields": fields,
                "participants": participants, "forms": forms, "openedAt": openedAt, "updatedAt": updatedAt, "auditHead": auditHead,
                "deadlines": deadlines, "grants": grants, "definitionSnapshot": definitionSnapshot as Any, "noticesSent": noticesSent,
                "child": child as Any, "links": links,
            ],
            displayStyle: .struct)
    }
}

extension CaseRecord: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, workflow, workflowVersion, state, revision, fields, participants, forms, openedAt, updatedAt, auditHead, deadlines, grants
        case definitionSnapshot, noticesSent, child, links
    }

    /// Reads a record; one written before notices owed were recorded as sent has none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(String.self, forKey: .id), workflow: try container.decode(String.self, forKey: .workflow),
            workflowVersion: try container.decode(Int.self, forKey: .workflowVersion), state: try container.decode(String.self, forKey: .state),
            revision: try container.decode(Int.self, forKey: .revision), fields: try container.decode([String: ExpressionValue].self, forKey: .fields),
            participants: try container.decode(CaseParticipants.self, forKey: .participants), forms: try container.decode([FormInstance].self, forKey: .forms),
            openedAt: try container.decode(Date.self, forKey: .openedAt), updatedAt: try container.decode(Date.self, forKey: .updatedAt),
            auditHead: try container.decode(String.self, forKey: .auditHead), deadlines: try container.decode([DeadlineRecord].self, forKey: .deadlines),
            grants: try container.decode([AccessGrant].self, forKey: .grants),
            definitionSnapshot: try container.decodeIfPresent(String.self, forKey: .definitionSnapshot),
            noticesSent: try container.decodeIfPresent([NoticeSent].self, forKey: .noticesSent) ?? [],
            child: try container.decodeIfPresent(String.self, forKey: .child))
        links = try container.decodeIfPresent([CaseLink].self, forKey: .links) ?? []
    }

    /// Writes every part of the record.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(workflow, forKey: .workflow)
        try container.encode(workflowVersion, forKey: .workflowVersion)
        try container.encode(state, forKey: .state)
        try container.encode(revision, forKey: .revision)
        try container.encode(fields, forKey: .fields)
        try container.encode(participants, forKey: .participants)
        try container.encode(forms, forKey: .forms)
        try container.encode(openedAt, forKey: .openedAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(auditHead, forKey: .auditHead)
        try container.encodeIfPresent(child, forKey: .child)
        try container.encode(deadlines, forKey: .deadlines)
        try container.encode(grants, forKey: .grants)
        if !links.isEmpty { try container.encode(links, forKey: .links) }
        try container.encodeIfPresent(definitionSnapshot, forKey: .definitionSnapshot)
        try container.encode(noticesSent, forKey: .noticesSent)
    }
}

/// A notice owed by another route (post, email outside the portal) that staff have recorded as sent.
public struct NoticeSent: Sendable, Hashable, Codable {
    /// The owed notice's outbox id (`CASE/REVISION/N`).
    public var message: String
    /// Who sent it, as staff record them.
    public var sentBy: String
    /// How it was sent (`post`, `email`, `by hand`).
    public var route: String
    /// The day it was sent.
    public var sentOn: CalendarDate

    /// Creates a record of a sending.
    public init(message: String, sentBy: String, route: String, sentOn: CalendarDate) {
        self.message = message
        self.sentBy = sentBy
        self.route = route
        self.sentOn = sentOn
    }
}

/// Where a form instance is in its cycle.
public enum FormStatus: String, Sendable, Hashable, Codable {
    /// Shared with the receiving organisation, not yet submitted (or rejected and awaiting resubmission).
    case shared
    /// Submitted, waiting for the service to accept or reject it.
    case submitted
    /// Accepted by the service. Final.
    case accepted
    /// Rejected with the information required; the organisation resubmits.
    case rejected
}

/// One form shared with one organisation's generic account.
public struct FormInstance: Sendable, Hashable, Codable {
    /// The instance's id, unique within its case (`professional-advice-1`).
    public var id: String
    /// The form's id.
    public var form: String
    /// The form version the instance was shared on.
    public var formVersion: Int
    /// The role that receives it (`health`).
    public var recipientRole: String
    /// The organisation that receives it, when the case names one for the role.
    public var recipientID: String?
    /// Where it is in its cycle.
    public var status: FormStatus
    /// The submitted answers, by field path.
    public var fields: [String: ExpressionValue]
    /// When it is due.
    public var dueOn: CalendarDate
    /// How many times it has been submitted.
    public var submissions: Int
    /// The information the service asked for when it last rejected it.
    public var informationRequired: String?

    /// Creates a form instance.
    public init(
        id: String, form: String, formVersion: Int, recipientRole: String, recipientID: String?, status: FormStatus,
        fields: [String: ExpressionValue], dueOn: CalendarDate, submissions: Int, informationRequired: String?
    ) {
        self.id = id
        self.form = form
        self.formVersion = formVersion
        self.recipientRole = recipientRole
        self.recipientID = recipientID
        self.status = status
        self.fields = fields
        self.dueOn = dueOn
        self.submissions = submissions
        self.informationRequired = informationRequired
    }
}

extension CalendarDate: Codable {
    /// Decodes `YYYY-MM-DD`.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = CalendarDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(text)"))
        }
        self = date
    }

    /// Encodes `YYYY-MM-DD`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Where a statutory clock is.
public enum DeadlineStatus: String, Sendable, Hashable, Codable {
    /// Counting down.
    case running
    /// Stopped for a legal exception; the due date moves by the paused time on resume.
    case paused
    /// Met in time: the date that met it (``DeadlineRecord/metOn``) is on or before the due date.
    case met
    /// Met, but after the due date: the date that met it is later, whenever the step was recorded.
    case metLate = "met_late"
    /// The due date passed first.
    case breached
    /// Excused by an exception: reported, not counted as a breach.
    case excused
    /// The case ended without reaching a state that meets it (withdrawn, closed).
    case lapsed
    /// A window the family held ended without being used: closed, not breached.
    case closed
}

/// One statutory clock of one case.
public struct DeadlineRecord: Sendable, Hashable, Codable {
    /// The deadline's name in the workflow.
    public var name: String
    /// Where the clock is.
    public var status: DeadlineStatus
    /// The day the clock started.
    public var startedOn: CalendarDate
    /// The day it is due (moved on by pauses).
    public var dueOn: CalendarDate
    /// The day it was paused, while paused.
    public var pausedOn: CalendarDate?
    /// Calendar days spent paused so far.
    public var pausedDays: Int
    /// Which of the deadline's reminders have been sent, by position in `remind`.
    public var remindersSent: [Int]
    /// The day the case met it.
    public var metOn: CalendarDate?
    /// The day it was breached.
    public var breachedOn: CalendarDate?
    /// Why it was last paused or excused.
    public var reason: String?
    /// The code of the exception it was last paused or excused under (``ExceptionDefinition``).
    public var exception: String?
    /// Reminders that were never sent because their moment passed with the due date (a late tick does not send
    /// a reminder for a day already gone), by position in `remind`.
    public var remindersSkipped: [Int] = []
    /// The day a window closed unused.
    public var closedOn: CalendarDate?
    /// The earlier runs of a recurring clock (`every:`), oldest first, each as it ended: the record a report counts.
    public var earlier: [DeadlineRecord] = []

    /// Creates a running clock.
    public init(name: String, startedOn: CalendarDate, dueOn: CalendarDate) {
        self.name = name
        self.status = .running
        self.startedOn = startedOn
        self.dueOn = dueOn
        self.pausedOn = nil
        self.pausedDays = 0
        self.remindersSent = []
        self.metOn = nil
        self.breachedOn = nil
        self.reason = nil
    }

    private enum CodingKeys: String, CodingKey {
        case name, status, startedOn, dueOn, pausedOn, pausedDays, remindersSent, metOn, breachedOn, reason, exception, remindersSkipped, closedOn, earlier
    }

    /// Reads a clock; the keys added after the first stored format (`exception`, `remindersSkipped`, `closedOn`, `earlier`) may be absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        status = try container.decode(DeadlineStatus.self, forKey: .status)
        startedOn = try container.decode(CalendarDate.self, forKey: .startedOn)
        dueOn = try container.decode(CalendarDate.self, forKey: .dueOn)
        pausedOn = try container.decodeIfPresent(CalendarDate.self, forKey: .pausedOn)
        pausedDays = try container.decode(Int.self, forKey: .pausedDays)
        remindersSent = try container.decode([Int].self, forKey: .remindersSent)
        metOn = try container.decodeIfPresent(CalendarDate.self, forKey: .metOn)
        breachedOn = try container.decodeIfPresent(CalendarDate.self, forKey: .breachedOn)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        exception = try container.decodeIfPresent(String.self, forKey: .exception)
        remindersSkipped = try container.decodeIfPresent([Int].self, forKey: .remindersSkipped) ?? []
        closedOn = try container.decodeIfPresent(CalendarDate.self, forKey: .closedOn)
        earlier = try container.decodeIfPresent([DeadlineRecord].self, forKey: .earlier) ?? []
    }

    /// Writes a clock with exactly the keys of the first stored format while the later ones are unset, so events
    /// written before them hash as they did.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(status, forKey: .status)
        try container.encode(startedOn, forKey: .startedOn)
        try container.encode(dueOn, forKey: .dueOn)
        try container.encodeIfPresent(pausedOn, forKey: .pausedOn)
        try container.encode(pausedDays, forKey: .pausedDays)
        try container.encode(remindersSent, forKey: .remindersSent)
        try container.encodeIfPresent(metOn, forKey: .metOn)
        try container.encodeIfPresent(breachedOn, forKey: .breachedOn)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encodeIfPresent(exception, forKey: .exception)
        if !remindersSkipped.isEmpty { try container.encode(remindersSkipped, forKey: .remindersSkipped) }
        try container.encodeIfPresent(closedOn, forKey: .closedOn)
        if !earlier.isEmpty { try container.encode(earlier, forKey: .earlier) }
    }
}

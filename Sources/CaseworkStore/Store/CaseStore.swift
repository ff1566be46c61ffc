import CaseworkDefinitions
import Foundation

/// Everything one change to a case writes, committed together or not at all.
public struct CaseChange: Sendable {
    /// The case as it is after the change.
    public var record: CaseRecord
    /// The revision the change was computed from; nil when the change opens the case.
    public var expectedRevision: Int?
    /// The audit events the change appends.
    public var events: [AuditEvent]
    /// The notifications the change sends.
    public var outbox: [OutboxMessage]
    /// The idempotency key the change answers, with its result. `Optional` spelled out and no member given a value
    /// where it is declared: a member that starts with a value before the initialiser runs (as a `T?` does) made the
    /// initialiser copy the whole change and destroy the first (docs/performance.md, Benchmarks, session 25).
    public var idempotency: Optional<IdempotencyRecord>
    /// The case's deadline alarms after the change; they replace the case's alarms in the due-time index.
    public var alarms: [DeadlineAlarm]
    /// The document versions the change adds, written in the same transaction as its audit event.
    public var documents: [DocumentVersion]
    /// The bytes those versions name, each stored once by its hash (a blob already held is left as it is).
    public var blobs: [DocumentBlob]

    /// Creates a change. Inlinable, so the engine builds it in place from the values it moves in: compiled here, the
    /// change was built and then copied out whole.
    @inlinable
    public init(
        record: CaseRecord, expectedRevision: Int?, events: [AuditEvent], outbox: [OutboxMessage], idempotency: IdempotencyRecord?,
        alarms: [DeadlineAlarm] = []
    ) {
        self.record = record
        self.expectedRevision = expectedRevision
        self.events = events
        self.outbox = outbox
        self.idempotency = idempotency
        self.alarms = alarms
        self.documents = []
        self.blobs = []
    }
}

/// A case's record and its audit events, read together.
public struct CaseSnapshot: Sendable, Hashable {
    /// The record, or nil when there is none.
    public var record: CaseRecord?
    /// The audit events in sequence order.
    public var events: [AuditEvent]

    /// Creates a snapshot.
    public init(record: CaseRecord?, events: [AuditEvent]) {
        self.record = record
        self.events = events
    }
}

/// What a change with an idempotency key produced, so a repeat returns it unchanged.
public struct IdempotencyRecord: Sendable, Hashable, Codable {
    /// The key the caller chose.
    public var key: String
    /// The case it changed.
    public var caseID: String
    /// What was done (`fire agree_to_assess`), so a key reused for something else is refused.
    public var request: String
    /// The case's state after the change.
    public var state: String
    /// The case's revision after the change.
    public var revision: Int

    /// Creates a record.
    public init(key: String, caseID: String, request: String, state: String, revision: Int) {
        self.key = key
        self.caseID = caseID
        self.request = request
        self.state = state
        self.revision = revision
    }
}

/// A definition version as the store keeps it: cases started on it can always be run again.
public struct StoredDefinition: Sendable, Hashable, Codable {
    /// `workflow`, `form`, `calendar` or `policy`.
    public var kind: String
    /// The definition's id.
    public var id: String
    /// Its version.
    public var version: Int
    /// The SHA-256 fingerprint of its content.
    public var fingerprint: String
    /// The file's text.
    public var content: String

    /// Creates a stored definition.
    public init(kind: String, id: String, version: Int, fingerprint: String, content: String) {
        self.kind = kind
        self.id = id
        self.version = version
        self.fingerprint = fingerprint
        self.content = content
    }
}

/// A moment when a deadline needs the engine: a reminder to send or a breach to record.
///
/// Kept in the store's due-time index, written in the same commit as the change
/// that set it, so `tick` finds what is due without reading every case.
public struct DeadlineAlarm: Sendable, Hashable, Codable {
    /// The case.
    public var caseID: String
    /// The deadline's name.
    public var deadline: String
    /// `reminder` or `breach`.
    public var kind: String
    /// When it is due.
    public var dueAt: Date

    /// Creates an alarm.
    public init(caseID: String, deadline: String, kind: String, dueAt: Date) {
        self.caseID = caseID
        self.deadline = deadline
        self.kind = kind
        self.dueAt = dueAt
    }
}

/// The order the due index is read in, and what a page cursor of due alarms holds.
extension DeadlineAlarm {
    /// An alarm's place in the due index: its time in milliseconds, then case, deadline and kind.
    package struct PageKey: Comparable, Sendable {
        /// The due time in milliseconds since 1970.
        package var time: Int64
        /// The rest of the key.
        package var caseID: String, deadline: String, kind: String

        /// Ordered as the due index is read: by time, then case, deadline and kind.
        package static func < (lhs: PageKey, rhs: PageKey) -> Bool {
            (lhs.time, lhs.caseID, lhs.deadline, lhs.kind) < (rhs.time, rhs.caseID, rhs.deadline, rhs.kind)
        }
    }

    /// This alarm's place in the due index.
    package var pageKey: PageKey {
        PageKey(time: Int64((dueAt.timeIntervalSince1970 * 1000).rounded()), caseID: caseID, deadline: deadline, kind: kind)
    }

    /// The cursor of a page that ends with this alarm.
    package var pageCursor: PageCursor {
        let key = pageKey
        return PageCursor(key: [key.caseID, key.deadline, key.kind, "\(key.time)"])
    }

    /// The place a due-alarm cursor holds.
    package static func pageKey(_ cursor: PageCursor) throws(StoreError) -> PageKey {
        let (parts, time) = try cursor.numberedKey(parts: 4)
        return PageKey(time: time, caseID: parts[0], deadline: parts[1], kind: parts[2])
    }
}

/// Why a store refused or failed an operation. Nothing is written when one is thrown.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The case changed since it was read: someone else's change won.
    case revisionConflict(caseID: String, expected: Int, actual: Int)
    /// A case with this id already exists.
    case caseExists(String)
    /// The case does not exist.
    case caseNotFound(String)
    /// A row with this identity already exists (an outbox id, an audit sequence, an idempotency key).
    case duplicate(String)
    /// The definition version is already stored with other content.
    case definitionChanged(kind: String, id: String, version: Int)
    /// A snapshot names a definition version the store does not hold with that fingerprint.
    case snapshotIncomplete(snapshot: String, missing: DefinitionVersion)
    /// The database is locked by another process for longer than the busy timeout.
    case busy(String)
    /// The database could not be opened, read or written.
    case failed(String)
    /// There is no store at this path and creating one was not asked for; nothing was created.
    case missing(path: String)
    /// The store is read-only (opened for reading, or its file may not be written); nothing was written.
    case readOnly(path: String)
    /// The store's file is damaged: SQLite's own check found `problems` (its words, which name pages, not case data).
    /// Nothing was written.
    case damaged(path: String, problems: [String])
    /// One case's stored data cannot be used (it does not decode, it is filed under another id, or a counter is at its
    /// limit); other cases are unaffected, so a caller going through many cases reports this one and goes on.
    case corruptRecord(caseID: String, detail: String)
    /// A page cursor this store did not hand out (or handed out for another list).
    case invalidCursor(String)
    /// A page request the store cannot serve, such as a limit outside 1…``PageRequest/largestLimit``.
    case invalidPage(String)
    /// A child record with this id already exists.
    case childExists(String)
    /// There is no child record with this id.
    case childNotFound(String)
    /// The child record changed since it was read: someone else's change won.
    case childRevisionConflict(childID: String, expected: Int, actual: Int)

    /// One line a user can act on.
    /// True when another writer got there first (the case moved on, the case or a key was taken): deciding the
    /// command again on fresh reads gives its true answer.
    public var isConcurrentChange: Bool {
        switch self {
        case .revisionConflict, .caseExists, .duplicate, .childExists, .childRevisionConflict: true
        default: false
        }
    }

    /// What went wrong, in words a caseworker or an operator can act on.
    public var description: String {
        switch self {
        case .revisionConflict(let id, let expected, let actual):
            "case '\(id)' is at revision \(actual), not \(expected): someone else changed it; read it again and retry"
        case .caseExists(let id): "case '\(id)' already exists"
        case .caseNotFound(let id): "no case '\(id)'"
        case .duplicate(let what): "\(what) already exists"
        case .definitionChanged(let kind, let id, let version):
            "\(kind) '\(id)' version \(version) is already stored with different content: raise its 'version' when you change it"
        case .snapshotIncomplete(let snapshot, let missing):
            "definition snapshot \(snapshot) names \(missing.kind) '\(missing.id)' version \(missing.version), which the store does not hold with that content"
        case .busy(let detail): "the database is busy (\(detail)); try again"
        case .failed(let detail): "the database failed: \(detail)"
        case .missing(let path): "no Casework store at '\(path)'"
        case .readOnly(let path): "the store '\(path)' is read-only; nothing was changed"
        case .damaged(let path, let problems):
            "the store '\(path)' is damaged (\(problems.prefix(3).joined(separator: "; "))\(problems.count > 3 ? "; …" : "")); nothing was changed"
        case .corruptRecord(let id, let detail): "case '\(id)' is stored damaged: \(detail)"
        case .invalidCursor: "the page cursor was not given out by this store for this list; start again from the first page"
        case .invalidPage(let detail): detail
        case .childExists(let id): "child '\(id)' already exists"
        case .childNotFound(let id): "no child '\(id)'"
        case .childRevisionConflict(let id, let expected, let actual):
            "child '\(id)' is at revision \(actual), not \(expected): someone else changed it; read it again and retry"
        }
    }
}

/// A claim on undelivered notifications.
public struct OutboxClaim: Sendable, Hashable {
    /// Who is claiming (a deliverer's name).
    public var claimer: String
    /// The most messages to claim.
    public var limit: Int
    /// The time of the claim.
    public var now: Date
    /// How long the claim holds before others may claim the messages again.
    public var lease: TimeInterval

    /// Creates a claim.
    public init(claimer: String, limit: Int, now: Date, lease: TimeInterval) {
        self.claimer = claimer
        self.limit = limit
        self.now = now
        self.lease = lease
    }

    /// The longest a claim may hold its messages: 12 hours, the longest visibility timeout Amazon SQS allows. A
    /// deliverer that stops while it holds a claim keeps those statutory notices from every other deliverer until the
    /// lease ends, so a lease is always bounded, never "for ever" (a store clamps an instant it cannot hold).
    public static let longestLease: TimeInterval = 43_200

    /// Whether a claim may hold its messages for `lease` seconds: above 0 and at most ``longestLease``. The one rule
    /// every front door applies (the engine, the service, `--lease` and the API's `lease`), each saying ``leaseRule``.
    public static func isUsableLease(_ lease: TimeInterval) -> Bool {
        lease.isFinite && lease > 0 && lease <= longestLease
    }

    /// What a usable lease is, in the words every refusal of one uses.
    public static var leaseRule: String {
        "a number of seconds above 0 and at most \(Int(longestLease)) (\(Int(longestLease) / 3_600) hours), such as 300"
    }
}

extension CaseStore {
    /// Writes one change atomically, checking its expected revision.
    public func commit(_ change: CaseChange) throws(StoreError) {
        try commit(all: [change])
    }

    /// Prepares each group (``prepare(_:)``) and commits the ones that could be (``commit(prepared:)``), in order: each
    /// group's answer is its refusal, from preparing it or from committing it, nil when it landed; a failure of the store
    /// itself is thrown, with no group landed.
    public func commit(each groups: [[CaseChange]]) throws(StoreError) -> [StoreError?] {
        let prepared = groups.map { (group: [CaseChange]) in Result { () throws(StoreError) in try prepare(group) } }
        var answers = prepared.map(\.error)
        let ready = prepared.indices.filter { answers[$0] == nil }
        let landed = try commit(prepared: prepared.compactMap { try? $0.get() })
        for (index, answer) in zip(ready, landed) { answers[index] = answer }
        return answers
    }

    /// The changes with nothing encoded ahead, for a store that writes from the changes themselves (and checks them
    /// as it commits them).
    public func prepare(_ changes: [CaseChange]) throws(StoreError) -> PreparedCommit {
        PreparedCommit(changes)
    }

    /// Commits each group on its own, in order: every group's error, refusal or failure, is its own, and never thrown.
    public func commit(prepared groups: [PreparedCommit]) throws(StoreError) -> [StoreError?] {
        groups.map { (group: PreparedCommit) -> StoreError? in
            do throws(StoreError) {
                try commit(all: group.changes)
                return nil
            } catch {
                return error
            }
        }
    }
}

extension Result {
    /// The error, or nil for a success: a batch's answer for one group.
    package var error: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

extension StoreError {
    /// True when the store refused one group of a batch for that group's own reasons (its case moved on or is missing,
    /// its case or a key of it is taken, it cannot be stored), so the batch's other groups still land; any other error
    /// is the store's own and fails the whole batch.
    public var refusesOneGroup: Bool {
        switch self {
        case .revisionConflict, .caseExists, .caseNotFound, .duplicate, .corruptRecord, .childExists, .childNotFound, .childRevisionConflict: true
        default: false
        }
    }
}

/// The one way the engine reaches storage. Every store passes the same conformance suite.
///
/// Contract: `commit` is atomic (all of the change or none of it) and checks the
/// expected revision inside its transaction; two commits from the same revision
/// cannot both succeed. Claims never hand one message to two live claimers. An outbox message id and an
/// idempotency key are each unique across the store, not only within their case: a commit or restore that repeats
/// one any case holds is refused with ``StoreError/duplicate(_:)``, since messages are acknowledged by id alone.
/// Implementations: ``InMemoryCaseStore``; `SQLiteCaseStore` (CaseworkSQLite); `PostgresCaseStore` (CaseworkPostgres).
public protocol CaseStore: Sendable {
    /// The case, or nil when there is none.
    func load(caseID: String) throws(StoreError) -> CaseRecord?
    /// Writes changes to several cases and child records atomically (all or none), checking each expected revision:
    /// the one commit of every change, a child's as a case's. The cases must be distinct, and so must the children. A
    /// case opened with a ``CaseRecord/child`` is filed under that child in the same transaction (``caseIDs(childID:)``).
    func commit(all changes: [CaseChange], children: [ChildChange]) throws(StoreError)
    /// One group committer's caller's changes with their rows encoded, for ``commit(prepared:)``: called on the
    /// caller's thread as it joins the queue, so it reads and writes nothing of the store. A group the store would
    /// refuse before writing anything (two changes to one case, a counter at its limit, a value it cannot store) is
    /// refused here. The default encodes nothing ahead.
    func prepare(_ changes: [CaseChange]) throws(StoreError) -> PreparedCommit
    /// Commits several prepared groups of changes (a group committer's batch), each group all-or-none as
    /// ``commit(all:)`` makes it, in order, each seeing the groups before it; returns each group's refusal, nil for a
    /// group that landed. A refusal (``StoreError/refusesOneGroup``) is its group's alone; a failure of the store itself
    /// is thrown and then no group landed. The default commits each group on its own; a durable store writes them in
    /// one transaction.
    func commit(prepared groups: [PreparedCommit]) throws(StoreError) -> [StoreError?]
    /// What this store promises beyond the protocol's semantics.
    var capabilities: StoreCapabilities { get }
    /// A page of the case's audit events in sequence order.
    func history(caseID: String, page: PageRequest) throws(StoreError) -> Page<AuditEvent>
    /// A page of the case ids, sorted.
    func caseIDs(page: PageRequest) throws(StoreError) -> Page<String>
    /// The case record and its audit events read as one consistent snapshot, so a writer between the two reads can
    /// never make them disagree; the record is nil when the case has events but no record.
    func snapshot(caseID: String) throws(StoreError) -> CaseSnapshot
    /// Every case id that has audit events, sorted: with ``caseIDs()``, how a missing record is noticed.
    func auditedCaseIDs() throws(StoreError) -> [String]
    /// The result recorded for an idempotency key, if any.
    func idempotencyRecord(key: String) throws(StoreError) -> IdempotencyRecord?
    /// Claims up to `claim.limit` claimable messages, oldest first.
    func claimOutbox(_ claim: OutboxClaim) throws(StoreError) -> [OutboxMessage]
    /// Marks messages delivered; only the current claimer may. Returns how many were marked.
    func acknowledgeOutbox(ids: [String], claimer: String, at: Date) throws(StoreError) -> Int
    /// A page of the outbox, for one case or all, oldest first.
    func outbox(caseID: String?, page: PageRequest) throws(StoreError) -> Page<OutboxMessage>
    /// The stored definition version, if any.
    func definition(kind: String, id: String, version: Int) throws(StoreError) -> StoredDefinition?
    /// Stores a definition version; storing the same content again is a no-op, other content is ``StoreError/definitionChanged(kind:id:version:)``.
    func record(_ definition: StoredDefinition) throws(StoreError)
    /// A page of the alarms due at or before `now`, earliest first (then by case, deadline and kind): read through
    /// the index, never a scan of all cases.
    func dueAlarms(at now: Date, page: PageRequest) throws(StoreError) -> Page<DeadlineAlarm>
    /// Stores a definition snapshot once, as references to definition versions already stored; storing it again is a
    /// no-op. A member the store does not hold with the member's fingerprint is ``StoreError/snapshotIncomplete(snapshot:missing:)``.
    func record(_ snapshot: DefinitionSnapshot) throws(StoreError)
    /// The stored snapshot with this fingerprint, if any.
    func snapshot(fingerprint: String) throws(StoreError) -> DefinitionSnapshot?
    /// Every stored snapshot, in the order they were first stored.
    func snapshots() throws(StoreError) -> [DefinitionSnapshot]
    /// Every stored definition version, without its text, sorted by kind, id and version.
    func definitionVersions() throws(StoreError) -> [DefinitionVersion]
    /// Everything the store holds about the case (record, events, messages with their delivery state, idempotency
    /// keys, alarms), read as one consistent snapshot; nil when there is no such case. A case with events but no
    /// record is that case's ``StoreError/corruptRecord(caseID:detail:)``.
    func archive(caseID: String) throws(StoreError) -> CaseArchive?

    /// Every document version of the case, ordered by kind and then version; empty for a case without documents, or none.
    func documentVersions(caseID: String) throws(StoreError) -> [DocumentVersion]

    /// The bytes stored under `sha256` exactly as stored, or nil when none are; the caller checks ``DocumentBlob/isIntact``.
    func blob(sha256: String) throws(StoreError) -> DocumentBlob?
    /// Writes an archive verbatim in one transaction (all of it or none), recomputing nothing, so a case moves between
    /// stores exactly as it was. A case already there is ``StoreError/caseExists(_:)``, a key or message already there
    /// ``StoreError/duplicate(_:)``; an archive with a ``CaseArchive/problem`` is refused as the case's
    /// ``StoreError/corruptRecord(caseID:detail:)``.
    func restore(_ archive: CaseArchive) throws(StoreError)

    /// The child record, or nil when there is none.
    func child(id: String) throws(StoreError) -> ChildRecord?
    /// A page of the child ids, sorted.
    func childIDs(page: PageRequest) throws(StoreError) -> Page<String>
    /// The child record and its audit events read as one consistent snapshot; the record is nil when there is none.
    func childSnapshot(childID: String) throws(StoreError) -> ChildSnapshot
    /// The ids of the cases opened for the child, sorted (a child has a few dozen cases in a lifetime, so the list is
    /// read whole); empty for a child with none, or no such child.
    func caseIDs(childID: String) throws(StoreError) -> [String]
}

/// Whole lists, read page by page: for the engine's own steps and the operator's tools, which need every item.
extension CaseStore {
    /// The case's audit events in sequence order.
    public func history(caseID: String) throws(StoreError) -> [AuditEvent] {
        try Self.all { (request: PageRequest) throws(StoreError) in try history(caseID: caseID, page: request) }
    }

    /// Every case id, sorted.
    public func caseIDs() throws(StoreError) -> [String] {
        try Self.all { (request: PageRequest) throws(StoreError) in try caseIDs(page: request) }
    }

    /// The outbox, for one case or all, oldest first.
    public func outbox(caseID: String?) throws(StoreError) -> [OutboxMessage] {
        try Self.all { (request: PageRequest) throws(StoreError) in try outbox(caseID: caseID, page: request) }
    }

    /// Up to `limit` alarms due at or before `now`, earliest first.
    public func dueAlarms(at now: Date, limit: Int) throws(StoreError) -> [DeadlineAlarm] {
        guard limit > 0 else { return [] }
        var due: [DeadlineAlarm] = []
        var after: PageCursor?
        repeat {
            let page = try dueAlarms(at: now, page: PageRequest(after: after, limit: min(limit - due.count, PageRequest.largestLimit)))
            due += page.items
            after = page.next
        } while after != nil && due.count < limit
        return due
    }

    /// Every item of a paged list, following each page's cursor to the end.
    private static func all<Item>(_ read: (PageRequest) throws(StoreError) -> Page<Item>) throws(StoreError) -> [Item] {
        var items: [Item] = []
        var request = PageRequest(limit: 1_000)
        while true {
            let page = try read(request)
            items += page.items
            guard let next = page.next else { return items }
            request.after = next
        }
    }
}

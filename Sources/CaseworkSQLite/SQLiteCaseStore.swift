import Casework
import Foundation

/// A ``CaseStore`` in one SQLite file: durable, and safe for several processes using the file at once.
///
/// On open the connection is set to WAL journalling (readers never wait for
/// the writer), `synchronous=FULL` unless ``Options`` says otherwise, foreign
/// keys on, and a busy timeout; then the schema (`SQLiteSchema`) is brought
/// up to date, and a file from a newer Casework, or from another application,
/// is refused.
///
/// Every change runs in one `BEGIN IMMEDIATE` transaction, which takes the
/// file's write lock at the start, so read-check-write sequences (the revision
/// check of `commit`, the selection of `claimOutbox`) are serialised across
/// connections and processes, waiting up to the busy timeout; a wait that runs
/// out is ``StoreError/busy(_:)``. A refused change rolls back entirely.
///
/// The store answers every protocol method exactly as ``InMemoryCaseStore``
/// does: the same refusals with the same messages, checked in the same order,
/// and messages claimed and listed in commit order.
///
/// Known gaps:
/// - No `SKIP LOCKED`: SQLite has one writer at a time, so claimers (and
///   committers) queue on the write lock instead of claiming disjoint rows in
///   parallel. Throughput is one writing transaction at a time per file.
/// - Times in columns are whole milliseconds (``timePrecision``); the lease
///   test in `claimOutbox` compares milliseconds, so two instants less than a
///   millisecond apart compare equal. The engine's instants are whole
///   milliseconds. Records read back as `StoredJSON` decodes them.
/// - One connection per store: calls from many threads on one store queue on
///   its lock. Open a second store on the same file for a second connection.
/// - The methods are synchronous and may block the calling thread for up to
///   the busy timeout while another process writes.
/// - A file on a network file system is unsafe: WAL needs shared memory on
///   one host.
/// - SQLite's busy handler polls rather than queues, so it is not fair: under
///   sustained contention one writer can wait out its whole busy timeout.
/// - Ids are compared byte for byte (SQLite's `BINARY`), where Swift compares
///   strings by canonical equivalence: two ids that differ only in Unicode
///   normalisation are two cases here and one in memory.
/// - `history` is ordered by sequence, as the protocol says; the in-memory
///   store keeps insertion order, which differs only if one change appends
///   events out of sequence order.
public final class SQLiteCaseStore: CaseStore {
    /// How the store uses its file.
    public struct Options: Sendable, Hashable {
        /// How hard SQLite works to make a commit survive a power cut.
        public enum Synchronous: String, Sendable, Hashable {
            /// A commit is on disk when `commit` returns. The default: statutory records must not vanish.
            case full = "FULL"
            /// In WAL mode a commit survives a crash of the process but may be lost in a power cut; faster.
            case normal = "NORMAL"
        }

        /// The durability setting (`PRAGMA synchronous`).
        public var synchronous: Synchronous
        /// How long, in seconds, to wait for another connection's write lock before ``StoreError/busy(_:)``.
        public var busyTimeout: TimeInterval

        /// Creates options; the defaults are `synchronous=FULL` and a 5 second busy timeout.
        public init(synchronous: Synchronous = .full, busyTimeout: TimeInterval = 5) {
            self.synchronous = synchronous
            self.busyTimeout = busyTimeout
        }
    }

    /// The finest time difference the store keeps in its columns: one millisecond.
    public static let timePrecision: TimeInterval = 0.001

    /// The database file's path.
    public let path: String
    /// The options the store was opened with.
    public let options: Options

    /// The store's connection.
    let database: SQLiteDatabase

    /// Opens the store at `path`, creating the file and its schema when needed.
    public init(path: String, options: Options = Options()) throws(StoreError) {
        self.path = path
        self.options = options
        do throws(SQLiteError) {
            database = try SQLiteDatabase(path: path)
        } catch {
            throw .failed(error.message)
        }
        try database.withConnection { (connection: SQLiteConnection) throws(StoreError) in
            connection.setBusyTimeout(options.busyTimeout)
            // Refuse a file this build cannot read before changing anything in it.
            let identity: SQLiteSchema.FileIdentity
            do throws(SQLiteError) {
                identity = try SQLiteSchema.identity(of: connection)
            } catch {
                throw error.isBusy ? StoreError(error) : .failed("'\(path)' cannot be read as a Casework store: \(error.message)")
            }
            if let refusal = SQLiteSchema.refusal(identity, path: path) { throw refusal }
            let journal = try connection.query("PRAGMA journal_mode = WAL", []) { $0.string(at: 0) }.first ?? nil
            guard journal?.lowercased() == "wal" else {
                throw .failed("'\(path)' cannot use WAL journalling (SQLite reports journal mode '\(journal ?? "none")'); a store needs a file on a local disk")
            }
            try connection.change("PRAGMA synchronous = \(options.synchronous.rawValue)", [])
            try connection.change("PRAGMA foreign_keys = ON", [])
            try SQLiteSchema.migrate(connection, path: path)
        }
    }

    // MARK: Cases

    /// The case, or nil.
    public func load(caseID: String) throws(StoreError) -> CaseRecord? {
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in try db.query(StoreSQL.loadCase, [caseID]) { $0.string(at: 0) } }
        guard let row = rows.first else { return nil }
        return try decode(CaseRecord.self, row, "case '\(caseID)'")
    }

    /// Writes every change in one `BEGIN IMMEDIATE` transaction: all of them, or none.
    ///
    /// An existing case is changed only if it is still at the expected
    /// revision (compare-and-set in the `UPDATE`); a new case's id must be
    /// free. Events, messages and the key are then inserted in order, and the
    /// first one whose identity is taken refuses the whole transaction.
    public func commit(all changes: [CaseChange]) throws(StoreError) {
        var seen = Set<String>()
        for change in changes where !seen.insert(change.record.id).inserted {
            throw .duplicate("a second change to case '\(change.record.id)' in one commit")
        }
        let prepared = try changes.map { (change: CaseChange) throws(StoreError) in try PreparedChange(change, store: self) }
        try write { (db: SQLiteConnection) throws(StoreError) in
            for item in prepared { try item.write(to: db) }
        }
    }

    /// The earliest alarms due by `now`, read through the `due_at` index.
    public func dueAlarms(at now: Date, limit: Int) throws(StoreError) -> [DeadlineAlarm] {
        guard limit > 0 else { return [] }
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in
            try db.query(StoreSQL.dueAlarms, [Self.milliseconds(now), limit]) { row in
                (row.string(at: 0), row.string(at: 1), row.string(at: 2), row.int64(at: 3))
            }
        }
        return rows.compactMap { row in
            guard let caseID = row.0, let deadline = row.1, let kind = row.2, let due = row.3 else { return nil }
            return DeadlineAlarm(caseID: caseID, deadline: deadline, kind: kind, dueAt: Date(timeIntervalSince1970: Double(due) / 1000))
        }
    }

    /// The case's events in sequence order.
    public func history(caseID: String) throws(StoreError) -> [AuditEvent] {
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in try db.query(StoreSQL.history, [caseID]) { $0.string(at: 0) } }
        return try rows.map { (row: String?) throws(StoreError) in try decode(AuditEvent.self, row, "an audit event of case '\(caseID)'") }
    }

    /// The record and events read in one deferred transaction: one snapshot of the file, whatever others commit meanwhile.
    public func snapshot(caseID: String) throws(StoreError) -> CaseSnapshot {
        let (recordRows, eventRows) = try database.transaction(kind: .deferred) { (db: SQLiteConnection) throws(StoreError) -> ([String?], [String?]) in
            (try db.query(StoreSQL.loadCase, [caseID]) { $0.string(at: 0) }, try db.query(StoreSQL.history, [caseID]) { $0.string(at: 0) })
        }
        let record = try recordRows.first.map { (row: String?) throws(StoreError) in try decode(CaseRecord.self, row, "case '\(caseID)'") }
        let events = try eventRows.map { (row: String?) throws(StoreError) in try decode(AuditEvent.self, row, "an audit event of case '\(caseID)'") }
        return CaseSnapshot(record: record, events: events)
    }

    /// Every case id with events, sorted as Swift sorts strings.
    public func auditedCaseIDs() throws(StoreError) -> [String] {
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in try db.query(StoreSQL.auditedCaseIDs, []) { $0.string(at: 0) } }
        return rows.compactMap { $0 }.sorted()
    }

    /// Every case id, sorted as Swift sorts strings (as the in-memory store does).
    public func caseIDs() throws(StoreError) -> [String] {
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in try db.query(StoreSQL.caseIDs, []) { $0.string(at: 0) } }
        return rows.compactMap { $0 }.sorted()
    }

    /// The result recorded for a key.
    public func idempotencyRecord(key: String) throws(StoreError) -> IdempotencyRecord? {
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in try db.query(StoreSQL.idempotencyRecord, [key]) { $0.string(at: 0) } }
        guard let row = rows.first else { return nil }
        return try decode(IdempotencyRecord.self, row, "idempotency key '\(key)'")
    }

    // MARK: Outbox

    /// Claims the oldest claimable messages in one immediate transaction.
    ///
    /// The write lock taken at `BEGIN IMMEDIATE` stands in for `SKIP LOCKED`:
    /// a second claimer waits until this claim commits and then sees these
    /// messages as leased.
    public func claimOutbox(_ claim: OutboxClaim) throws(StoreError) -> [OutboxMessage] {
        guard claim.limit > 0 else { return [] }
        return try write { (db: SQLiteConnection) throws(StoreError) in
            let rows = try db.query(StoreSQL.claimable, [Self.milliseconds(claim.now), claim.limit]) { ($0.int64(at: 0), $0.string(at: 1)) }
            var claimed: [OutboxMessage] = []
            for (position, text) in rows {
                var message = try decode(OutboxMessage.self, text, "an outbox message")
                message.claimedBy = claim.claimer
                message.leaseUntil = claim.now.addingTimeInterval(claim.lease)
                message.attempts += 1
                try db.change(StoreSQL.updateDelivery, try deliveryColumns(message) + [position])
                claimed.append(message)
            }
            return claimed
        }
    }

    /// Marks delivered the listed messages the claimer holds and has not acknowledged; returns how many.
    public func acknowledgeOutbox(ids: [String], claimer: String, at: Date) throws(StoreError) -> Int {
        try write { (db: SQLiteConnection) throws(StoreError) in
            var count = 0
            for id in ids {
                for (position, text) in try db.query(StoreSQL.heldMessage, [id, claimer], { ($0.int64(at: 0), $0.string(at: 1)) }) {
                    var message = try decode(OutboxMessage.self, text, "outbox message '\(id)'")
                    message.deliveredAt = at
                    try db.change(StoreSQL.updateDelivery, try deliveryColumns(message) + [position])
                    count += 1
                }
            }
            return count
        }
    }

    /// The outbox, for one case or all, in commit order.
    public func outbox(caseID: String?) throws(StoreError) -> [OutboxMessage] {
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in
            if let caseID {
                try db.query(StoreSQL.caseMessages, [caseID]) { $0.string(at: 0) }
            } else {
                try db.query(StoreSQL.allMessages, []) { $0.string(at: 0) }
            }
        }
        return try rows.map { (row: String?) throws(StoreError) in try decode(OutboxMessage.self, row, "an outbox message") }
    }

    /// The columns of a new message row (``StoreSQL/insertMessage``).
    fileprivate func messageColumns(_ message: OutboxMessage) throws(StoreError) -> [any SQLiteBindable] {
        [message.id, message.caseID, Self.milliseconds(message.createdAt)] + (try deliveryColumns(message))
    }

    /// The delivery state and the whole message, as ``StoreSQL/updateDelivery`` and ``StoreSQL/insertMessage`` take them.
    private func deliveryColumns(_ message: OutboxMessage) throws(StoreError) -> [any SQLiteBindable] {
        [
            message.claimedBy, message.leaseUntil.map(Self.milliseconds), message.deliveredAt.map(Self.milliseconds),
            message.attempts, try json(message, "outbox message '\(message.id)'"),
        ]
    }

    // MARK: Definitions

    /// The stored definition version.
    public func definition(kind: String, id: String, version: Int) throws(StoreError) -> StoredDefinition? {
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in
            try db.query(StoreSQL.definition, [kind, id, version]) { ($0.string(at: 0), $0.string(at: 1)) }
        }
        guard let (fingerprint, content) = rows.first else { return nil }
        guard let fingerprint, let content else { throw .failed("\(kind) '\(id)' version \(version) is stored incomplete") }
        return StoredDefinition(kind: kind, id: id, version: version, fingerprint: fingerprint, content: content)
    }

    /// Stores a definition version once; the same fingerprint again is a no-op, another is refused.
    public func record(_ definition: StoredDefinition) throws(StoreError) {
        try write { (db: SQLiteConnection) throws(StoreError) in
            let key: [any SQLiteBindable] = [definition.kind, definition.id, definition.version]
            guard try db.change(StoreSQL.insertDefinition, key + [definition.fingerprint, definition.content]) == 0 else { return }
            let stored = try db.query(StoreSQL.definition, key) { $0.string(at: 0) }.first
            if stored != definition.fingerprint {
                throw .definitionChanged(kind: definition.kind, id: definition.id, version: definition.version)
            }
        }
    }

    // MARK: Plumbing

    /// Runs reads on the connection (each statement sees one consistent snapshot).
    private func read<T>(_ body: (SQLiteConnection) throws(StoreError) -> sending T) throws(StoreError) -> sending T {
        try database.withConnection(body)
    }

    /// Runs `body` in one immediate transaction: all of it is written, or none.
    private func write<T>(_ body: (SQLiteConnection) throws(StoreError) -> sending T) throws(StoreError) -> sending T {
        try database.transaction(kind: .immediate, body)
    }

    /// `date` as whole milliseconds since 1970, the unit of every time column (out-of-range instants are clamped).
    static func milliseconds(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded()
        if value.isNaN { return 0 }
        return Int64(exactly: value) ?? (value > 0 ? .max : .min)
    }

    /// The `StoredJSON` text of `value`.
    fileprivate func json<T: Encodable>(_ value: T, _ what: @autoclosure () -> String) throws(StoreError) -> String {
        let data = StoredJSON.encode(value)
        // StoredJSON gives empty bytes for what JSON cannot hold (an infinite or NaN number).
        guard !data.isEmpty else { throw .failed("\(what()) cannot be written as JSON") }
        return String(decoding: data, as: UTF8.self)
    }

    /// Decodes a JSON column, which the schema makes NOT NULL.
    private func decode<T: Decodable>(_ type: T.Type, _ text: String?, _ what: @autoclosure () -> String) throws(StoreError) -> T {
        guard let text else { throw .failed("\(what()) is stored empty") }
        do {
            return try StoredJSON.decode(type, from: Data(text.utf8))
        } catch {
            throw .failed("\(what()) cannot be read back: \(error)")
        }
    }
}

extension StoreError: SQLiteErrorConvertible {
    /// Translates an SQLite failure: a lock held past the busy timeout is ``StoreError/busy(_:)``, anything else ``StoreError/failed(_:)`` with SQLite's message and statement.
    public init(_ error: SQLiteError) {
        self = error.isBusy ? .busy(error.message) : .failed(error.description)
    }
}

extension SQLiteConnection {
    /// Runs a write from the cache, reporting failures as store errors; when a primary or unique key is taken, throws `duplicate` instead.
    @discardableResult
    fileprivate func change(_ sql: String, _ arguments: [any SQLiteBindable], ifTaken duplicate: StoreError? = nil) throws(StoreError) -> Int {
        do throws(SQLiteError) {
            return try run(sql, arguments)
        } catch {
            if let duplicate, error.isUniquenessViolation { throw duplicate }
            throw StoreError(error)
        }
    }

    /// Runs a query from the cache, reporting failures as store errors.
    fileprivate func query<Row>(_ sql: String, _ arguments: [any SQLiteBindable], _ read: (SQLiteStatement) -> Row) throws(StoreError) -> [Row] {
        do throws(SQLiteError) {
            return try rows(sql, arguments, read)
        } catch {
            throw StoreError(error)
        }
    }
}

/// One change's rows, encoded before the transaction opens so the write itself is only SQL.
private struct PreparedChange {
    let change: CaseChange
    let caseColumns: [any SQLiteBindable]
    let events: [[any SQLiteBindable]]
    let messages: [[any SQLiteBindable]]
    let key: (IdempotencyRecord, String)?

    init(_ change: CaseChange, store: SQLiteCaseStore) throws(StoreError) {
        self.change = change
        let record = change.record
        let id = record.id
        caseColumns = [
            record.workflow, record.workflowVersion, record.state, record.revision,
            SQLiteCaseStore.milliseconds(record.updatedAt), try store.json(record, "case '\(id)'"),
        ]
        events = try change.events.map { (event: AuditEvent) throws(StoreError) in
            [id, event.sequence, event.hash, try store.json(event, "audit event \(event.sequence) of case '\(id)'")]
        }
        messages = try change.outbox.map { (message: OutboxMessage) throws(StoreError) in try store.messageColumns(message) }
        key = try change.idempotency.map { (key: IdempotencyRecord) throws(StoreError) in (key, try store.json(key, "idempotency key '\(key.key)'")) }
    }

    /// Writes the change inside an open transaction: the revision check, audit, outbox, key and alarms.
    func write(to db: SQLiteConnection) throws(StoreError) {
        let id = change.record.id
        if let expected = change.expectedRevision {
            if try db.change(StoreSQL.updateCase, caseColumns + [id, expected]) == 0 {
                let actual = try db.query(StoreSQL.caseRevision, [id]) { $0.int(at: 0) }.first
                guard let actual, let actual else { throw .caseNotFound(id) }
                throw .revisionConflict(caseID: id, expected: expected, actual: actual)
            }
        } else {
            try db.change(StoreSQL.insertCase, [id] + caseColumns, ifTaken: .caseExists(id))
        }
        for (event, columns) in zip(change.events, events) {
            try db.change(StoreSQL.insertEvent, columns, ifTaken: .duplicate("audit event \(event.sequence) of case '\(id)'"))
        }
        for (message, columns) in zip(change.outbox, messages) {
            try db.change(StoreSQL.insertMessage, columns, ifTaken: .duplicate("outbox message '\(message.id)'"))
        }
        if let (record, text) = key {
            try db.change(StoreSQL.insertIdempotency, [record.key, text], ifTaken: .duplicate("idempotency key '\(record.key)'"))
        }
        try db.change(StoreSQL.deleteAlarms, [id])
        for alarm in change.alarms {
            try db.change(StoreSQL.insertAlarm, [id, alarm.deadline, alarm.kind, SQLiteCaseStore.milliseconds(alarm.dueAt)],
                          ifTaken: .duplicate("alarm '\(alarm.kind)' of deadline '\(alarm.deadline)' of case '\(id)'"))
        }
    }
}

/// Definition snapshots: each stored once, by fingerprint, as references to rows of `definitions`.
extension SQLiteCaseStore {
    /// Stores the snapshot once in one immediate transaction, after checking every member is stored with its fingerprint.
    public func record(_ snapshot: DefinitionSnapshot) throws(StoreError) {
        try write { (db: SQLiteConnection) throws(StoreError) in
            guard try db.change(StoreSQL.insertSnapshot, [snapshot.fingerprint]) == 1 else { return }
            for member in snapshot.members {
                let stored = try db.query(StoreSQL.definition, [member.kind, member.id, member.version]) { $0.string(at: 0) }.first
                guard stored == member.fingerprint else { throw .snapshotIncomplete(snapshot: snapshot.fingerprint, missing: member) }
                try db.change(StoreSQL.insertSnapshotMember, [snapshot.fingerprint, member.kind, member.id, member.version])
            }
        }
    }

    /// The stored snapshot with this fingerprint, its members read with their fingerprints.
    public func snapshot(fingerprint: String) throws(StoreError) -> DefinitionSnapshot? {
        let members = try read { (db: SQLiteConnection) throws(StoreError) in
            try db.query(StoreSQL.snapshotMembers, [fingerprint]) { Self.version($0, from: 0) }
        }
        guard !members.isEmpty else { return nil }
        return try Self.checked(fingerprint, members)
    }

    /// Every stored snapshot, in the order first stored.
    public func snapshots() throws(StoreError) -> [DefinitionSnapshot] {
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in
            try db.query(StoreSQL.allSnapshotMembers, []) { ($0.string(at: 0), Self.version($0, from: 1)) }
        }
        var order: [String] = []
        var members: [String: [DefinitionVersion?]] = [:]
        for (fingerprint, member) in rows {
            guard let fingerprint else { throw .failed("a definition snapshot is stored without its fingerprint") }
            if members[fingerprint] == nil { order.append(fingerprint) }
            members[fingerprint, default: []].append(member)
        }
        return try order.map { (fingerprint: String) throws(StoreError) in try Self.checked(fingerprint, members[fingerprint] ?? []) }
    }

    /// Every stored definition version, sorted.
    public func definitionVersions() throws(StoreError) -> [DefinitionVersion] {
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in
            try db.query(StoreSQL.definitionVersions, []) { Self.version($0, from: 0) }
        }
        return try rows.map { (row: DefinitionVersion?) throws(StoreError) in
            guard let row else { throw .failed("a definition version is stored incomplete") }
            return row
        }.sorted()
    }

    /// The definition version in four columns of a row, starting at `first` (kind, id, version, fingerprint).
    private static func version(_ row: SQLiteStatement, from first: Int) -> DefinitionVersion? {
        guard let kind = row.string(at: first), let id = row.string(at: first + 1), let version = row.int(at: first + 2),
            let fingerprint = row.string(at: first + 3)
        else { return nil }
        return DefinitionVersion(kind: kind, id: id, version: version, fingerprint: fingerprint)
    }

    /// The snapshot of `members`, refused when a row is incomplete or the members no longer give `fingerprint`.
    private static func checked(_ fingerprint: String, _ members: [DefinitionVersion?]) throws(StoreError) -> DefinitionSnapshot {
        let complete = members.compactMap { $0 }
        let snapshot = DefinitionSnapshot(members: complete)
        guard complete.count == members.count, snapshot.fingerprint == fingerprint else {
            throw .failed("definition snapshot \(fingerprint) is stored damaged: its members do not give its fingerprint")
        }
        return snapshot
    }
}

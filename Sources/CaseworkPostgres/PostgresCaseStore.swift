import Casework
import CaseworkDefinitions
import CaseworkStore
import Foundation

/// A ``CaseStore`` in a PostgreSQL database, over libpq: durable, and shared by every engine process that reaches the
/// database.
///
/// Opening a store connects (``PostgresPool``), then checks the database is a Casework store (or an empty schema to
/// make one in) of a version this build knows, and migrates it under an advisory lock (``PostgresSchema``).
///
/// Every change runs in one transaction at PostgreSQL's default isolation, `READ COMMITTED`, and is safe there
/// because each read-check-write goes through a row lock or a key. A commit's statements are sent together in one
/// pipeline (one round trip), run by the server as one implicit transaction that the first failing statement rolls
/// back:
/// - a commit changes an existing case only with `UPDATE … WHERE case_id = $1 AND revision = $2`, inside a server
///   function that fails when no row matched; a second writer from the same revision waits on the row, then finds
///   the new revision, fails, and changes nothing, which is ``StoreError/revisionConflict(caseID:expected:actual:)``;
///   a new case's id is the primary key, so a second opening is ``StoreError/caseExists(_:)``. Several cases in one
///   commit are one transaction: all or none.
/// - an idempotency key, and an outbox message id, is each written under a transaction-scoped advisory lock on it,
///   after checking no case holds it, so two commits with one key, or one message id, on two cases cannot both land.
/// - a claim locks the oldest claimable portal messages with `FOR UPDATE SKIP LOCKED`, so claimers running at once
///   take different messages, and records its lease; a message whose lease has run out is claimable again.
///
/// A serialization failure, deadlock or lock timeout is ``StoreError/busy(_:)``; a unique key taken is
/// ``StoreError/caseExists(_:)`` or ``StoreError/duplicate(_:)``; a server that cannot be reached is
/// ``StoreError/failed(_:)`` saying so. A refused change rolls back entirely.
///
/// A case whose stored record does not decode, is filed under another id, or has a counter at its limit is
/// ``StoreError/corruptRecord(caseID:detail:)`` when loaded, as is an event or message of it that does not decode.
///
/// Known gaps:
/// - A connection lost while a commit is in flight is resolved by reading the commit's audit events back on a new
///   connection (``landed(_:children:)``): the commit succeeds if they are there. If they are not, and the server ended the
///   session itself (a restart), the commit is sent once more; if the connection simply broke, or the read-back
///   cannot reach the server, the error says the outcome is unknown (repeat with the same idempotency key, or read
///   the case first), since the server may yet commit it.
/// - The methods are synchronous and block the calling thread while the server works or a row lock is held.
public final class PostgresCaseStore: CaseStore {
    /// How the store uses its connections.
    public struct Options: Sendable, Hashable {
        /// What opening may do to the database's schema.
        public enum Access: Sendable, Hashable {
            /// Make the schema in an empty database, or migrate an older one: a service's start, `--create`.
            case create
            /// Migrate an older schema, but refuse a database that is not a Casework store yet.
            case readWrite
            /// Change nothing: refuse a database that is not a Casework store at this build's schema version.
            case readOnly
        }

        /// The most idle connections kept open between calls.
        public var idleConnections: Int
        /// What opening may do to the schema.
        public var access: Access
        /// The database role the application's processes connect as, when it is not the schema's owner: opening with
        /// `.create` grants it exactly what the store does (reading and writing cases, appending audit events) and
        /// nothing more, so to it the audit is append-only by privilege, before any trigger. Lower-case letters, digits
        /// and `_`, starting with a letter or `_`.
        public var applicationRole: String?

        /// The most connections open at once, idle or in use: a caller finding them all in use waits for one, so a
        /// burst of callers never takes more of the server's `max_connections` than this.
        public var maxConnections: Int
        /// How long a caller waits for a connection when ``maxConnections`` are in use, before it is told
        /// ``StoreError/busy(_:)``.
        public var connectionWait: Duration

        /// Creates options; by default up to 16 connections are open at once, 8 of them kept idle between calls, a
        /// caller waits up to 30 seconds for one, and the schema is made or migrated as needed.
        public init(
            idleConnections: Int = 8, maxConnections: Int = 16, connectionWait: Duration = .seconds(30), access: Access = .create,
            applicationRole: String? = nil
        ) {
            self.idleConnections = idleConnections
            self.maxConnections = maxConnections
            self.connectionWait = connectionWait
            self.access = access
            self.applicationRole = applicationRole
        }
    }

    /// The options the store was opened with.
    public let options: Options

    /// The store's connections.
    let pool: PostgresPool
    /// The records this store last wrote or read, with their rows' text: a load of a row that still holds it decodes nothing.
    let knownRecords = KnownRecords()

    /// Opens the store in the database a libpq connection string names (`host=/run/postgresql dbname=casework`, or a
    /// `postgres://` URL), making or migrating its schema as `options.access` allows. The string is never printed: it
    /// may hold a password.
    public init(conninfo: String, options: Options = Options()) throws(StoreError) {
        self.options = options
        do throws(PostgresError) {
            pool = try PostgresPool(conninfo: conninfo, idleLimit: options.idleConnections, openLimit: options.maxConnections, waitLimit: options.connectionWait)
        } catch {
            throw StoreError(error)
        }
        try PostgresSchema.migrate(pool, access: options.access)
        if let role = options.applicationRole {
            guard options.access == .create else { throw .failed("only the schema's owner, opening with .create, grants the application role") }
            try PostgresSchema.grant(pool, to: role)
        }
    }

    /// Kept on the server; every process reaching the database shares it; commits and claims hold across them.
    public var capabilities: StoreCapabilities { [.durable, .sharedAcrossProcesses, .atomicMultiCaseCommit, .leasedOutbox] }

    // MARK: Cases

    /// The case, or nil; a record that cannot be used is ``StoreError/corruptRecord(caseID:detail:)``.
    /// A row that still holds the text this store last wrote or read for the case is not decoded again (``KnownRecords``).
    public func load(caseID: String) throws(StoreError) -> CaseRecord? {
        let rows = try read { (db: PostgresConnection) throws(StoreError) in try db.query(PostgresSQL.loadCase, [caseID]) }
        return try rows.first.map { (row: [String?]) throws(StoreError) in
            let text = row.first ?? nil
            if let text, let known = knownRecords.record(caseID: caseID, storedAs: text) {
                if let limit = known.counterAtLimit { throw .corruptRecord(caseID: caseID, detail: limit) }
                return known
            }
            let decoded = try record(from: text, caseID: caseID)
            if let text { knownRecords.keep(decoded, storedAs: text) }
            return decoded
        }
    }

    /// A case row's record, or that case's `corruptRecord` error.
    func record(from text: String?, caseID: String) throws(StoreError) -> CaseRecord {
        let record = try Self.decode(CaseRecord.self, text, caseID: caseID, "its record")
        if record.id != caseID { throw .corruptRecord(caseID: caseID, detail: "its record is of case '\(record.id)'") }
        if let limit = record.counterAtLimit { throw .corruptRecord(caseID: caseID, detail: limit) }
        return record
    }

    /// A case's event rows (sequence, event), or that case's `corruptRecord` error.
    func events(from rows: [[String?]], caseID: String) throws(StoreError) -> [AuditEvent] {
        try rows.map { (row: [String?]) throws(StoreError) in
            try Self.decode(AuditEvent.self, row[1], caseID: caseID, "audit event \(row[0] ?? "?")")
        }
    }

    /// Writes every change in one transaction, sent as one pipeline (one round trip): all of them, or none (see the
    /// type's notes).
    public func commit(all changes: [CaseChange], children: [ChildChange]) throws(StoreError) {
        let encoded = try Self.encoded(changes)
        try send(try Self.prepare(children) + encoded.statements, writing: changes, children: children)
        keep(encoded)
    }

    /// A group committer's caller's changes with their statements encoded (on the caller's thread), after checking their
    /// cases are distinct and no counter is at its limit; a value JSON cannot hold is refused here.
    public func prepare(_ changes: [CaseChange]) throws(StoreError) -> PreparedCommit {
        PreparedCommit(changes, rows: try Self.encoded(changes))
    }

    /// Keeps the records a landed commit wrote, as their rows now hold them.
    private func keep(_ encoded: EncodedChanges) {
        for (record, text) in encoded.records { knownRecords.keep(record, storedAs: text) }
    }

    /// Writes a group committer's batch in one transaction, sent as one pipeline (one round trip, one commit on the
    /// server) while no group is refused.
    ///
    /// A pipeline's implicit transaction stops at its first failing statement, so a refusal cannot be contained by a
    /// savepoint inside it. When a statement fails for its group's own reasons (its compare-and-set, a key taken), the
    /// failed transaction changed nothing and the batch is sent again without that group: the groups before it then
    /// land exactly as they would have, and each group still sees the ones before it (a second change to one case
    /// meets the first's revision). So a batch takes one round trip plus one per refused group. The refusal is worded
    /// once the batch is written, so a conflict names the revision the batch left. Any other failure is thrown, with
    /// no group written; a lost connection is resolved as a commit's is, reading back whether the batch landed.
    ///
    /// Each group's statements are the ones its caller encoded (``prepare(_:)``); a group another kind of store prepared
    /// is encoded here, and refused before anything is sent when it cannot be.
    public func commit(prepared groups: [PreparedCommit]) throws(StoreError) -> [StoreError?] {
        let results = groups.map { (group: PreparedCommit) in
            Result { () throws(StoreError) -> EncodedChanges in
                if let encoded = group.rows as? EncodedChanges { return encoded }
                return try Self.encoded(group.changes)
            }
        }
        let encoded = results.map { (try? $0.get()) ?? EncodedChanges() }
        let prepared = encoded.map(\.statements)
        var answers = results.map(\.error)
        var refused: [(group: Int, meaning: StatementMeaning, error: PostgresError)] = []
        while true {
            let sending = answers.indices.filter { index in answers[index] == nil && !refused.contains { $0.group == index } }
            guard !sending.isEmpty else { break }
            let owners = sending.flatMap { repeatElement($0, count: prepared[$0].count) }
            do throws(SendFailure) {
                try pipeline(sending.flatMap { prepared[$0] }, writing: sending.flatMap { groups[$0].changes })
                for index in sending { keep(encoded[index]) }
                break
            } catch {
                guard case .statement(let index, let meaning, let failure) = error, meaning.refusesOneGroup(failure) else {
                    throw try storeError(error)
                }
                refused.append((owners[index], meaning, failure))
            }
        }
        for refusal in refused { answers[refusal.group] = try self.refusal(refusal.meaning, refusal.error) }
        return answers
    }

    /// A commit's statements, after checking its cases are distinct and no counter is at its limit.
    private static func encoded(_ changes: [CaseChange]) throws(StoreError) -> EncodedChanges {
        var seen = Set<String>()
        for change in changes {
            guard seen.insert(change.record.id).inserted else { throw .duplicate("a second change to case '\(change.record.id)' in one commit") }
            if let limit = change.record.counterAtLimit { throw .corruptRecord(caseID: change.record.id, detail: limit) }
        }
        var encoded = EncodedChanges()
        for change in changes {
            let prepared = try PreparedChange(change)
            encoded.statements += prepared.statements
            encoded.records.append((change.record, prepared.recordText))
        }
        return encoded
    }

    /// A commit's changes as the statements that write them, with the records they write as the rows will hold them.
    struct EncodedChanges: Sendable {
        /// The statements in order, each with what its failure means.
        var statements: [(PostgresStatement, StatementMeaning)] = []
        /// Each case's record and its text, kept once the commit lands (``KnownRecords``).
        var records: [(record: CaseRecord, text: String)] = []
    }

    /// Why a write's pipeline did not land.
    enum SendFailure: Error {
        /// The statement at `index` failed, with what its failure means.
        case statement(index: Int, meaning: StatementMeaning, error: PostgresError)
        /// The write failed as a whole (already a store error: the server's, or an unknown outcome).
        case store(StoreError)
    }

    /// Sends a write's statements as one pipeline (one transaction, one round trip) and says what a failure means:
    /// a failed statement by its meaning; a lost connection by reading back whether `changes` landed.
    func send(_ prepared: [(PostgresStatement, StatementMeaning)], writing changes: [CaseChange], children: [ChildChange] = []) throws(StoreError) {
        do throws(SendFailure) {
            try pipeline(prepared, writing: changes, children: children)
        } catch {
            throw try storeError(error)
        }
    }

    /// A failed write as the store error it is: a failed statement by its meaning (``refusal(_:_:)``).
    private func storeError(_ failure: SendFailure) throws(StoreError) -> StoreError {
        switch failure {
        case .statement(_, let meaning, let error): try refusal(meaning, error)
        case .store(let error): error
        }
    }

    /// Sends `prepared` as one pipeline; a lost connection is resolved by reading back whether `changes` landed, and
    /// the write is sent once more only when the server ended the session (its transaction over, so "not landed" is final).
    private func pipeline(
        _ prepared: [(PostgresStatement, StatementMeaning)], writing changes: [CaseChange], children: [ChildChange] = []
    ) throws(SendFailure) {
        let statements = prepared.map(\.0)
        var attempts = 0
        while true {
            attempts += 1
            do throws(PostgresPipelineFailure) {
                _ = try pool.pipeline(statements)
                return
            } catch {
                if let index = error.index { throw .statement(index: index, meaning: prepared[index].1, error: error.error) }
                guard error.error.isConnectionFailure else { throw .store(StoreError(error.error)) }
                // The connection went with the commit in flight: whether it landed is read back, never guessed.
                let didLand: Bool
                let lost = error.error
                do throws(StoreError) { didLand = try landed(changes, children: children) } catch { throw .store(Self.unknownOutcome(lost)) }
                if didLand { return }
                // A server that ended the session said so (57P01–57P03) after its transaction had ended, so "not
                // landed" is final and sending the commit again on a new connection is safe. A connection that
                // simply broke may still have a transaction running on the server: that is reported, not retried.
                guard error.error.isSessionEndedByServer else { throw .store(Self.unknownOutcome(error.error)) }
                guard attempts == 1 else { throw .store(StoreError(error.error)) }
            }
        }
    }

    /// The error for a commit whose connection broke before its answer came and whose landing cannot be ruled out.
    private static func unknownOutcome(_ error: PostgresError) -> StoreError {
        .failed("the PostgreSQL server is unavailable, and the connection broke while the change was being committed, so whether it landed is unknown: read the case before repeating it, or repeat it with the same idempotency key (\(error.description))")
    }

    /// What a commit's failed statement means: a conflict or a taken key when it is one of those, else the server's error.
    private func refusal(_ meaning: StatementMeaning, _ error: PostgresError) throws(StoreError) -> StoreError {
        switch meaning {
        case .compareAndSet(let id, let expected) where error.sqlState == PostgresSQL.staleRevision:
            let rows = try read { (db: PostgresConnection) throws(StoreError) in try db.query(PostgresSQL.caseRevision, [id]) }
            guard let row = rows.first else { return .caseNotFound(id) }
            guard let actual = row[0].flatMap({ Int($0) }) else { return .corruptRecord(caseID: id, detail: "its revision is stored unreadable") }
            return .revisionConflict(caseID: id, expected: expected, actual: actual)
        case .childCompareAndSet(let id, let expected) where error.sqlState == PostgresSQL.staleRevision:
            let rows = try read { (db: PostgresConnection) throws(StoreError) in try db.query(PostgresChildSQL.childRevision, [id]) }
            guard let row = rows.first else { return .childNotFound(id) }
            guard let actual = row[0].flatMap({ Int($0) }) else { return .corruptRecord(caseID: id, detail: "the child's revision is stored unreadable") }
            return .childRevisionConflict(childID: id, expected: expected, actual: actual)
        case .ifTaken(let taken) where error.isUniqueViolation:
            return taken
        case .eventTaken(let id, let sequence) where error.isUniqueViolation:
            return .duplicate("audit event \(sequence) of case '\(id)'")
        case .messageTaken(let id) where error.isUniqueViolation:
            return .duplicate("outbox message '\(id)'")
        default:
            return StoreError(error)
        }
    }

    /// Whether every change's audit events are stored as it wrote them: how a commit whose answer was lost is resolved.
    /// Events are append-only and each hash covers its case, sequence, time, actor and predecessor, so a match is this
    /// commit's, even when another writer has changed the case since.
    package func landed(_ changes: [CaseChange], children: [ChildChange] = []) throws(StoreError) -> Bool {
        guard !changes.isEmpty || !children.isEmpty else { return false }
        for child in children {
            guard let event = child.events.first else { return false }
            let rows = try read { (db: PostgresConnection) throws(StoreError) in
                try db.query(PostgresChildSQL.eventHash, [child.record.id, "\(event.sequence)"])
            }
            guard rows.first?.first == event.hash else { return false }
        }
        for change in changes {
            guard let event = change.events.first else { return false }
            let rows = try read { (db: PostgresConnection) throws(StoreError) in try db.query(PostgresSQL.eventHash, [change.record.id, "\(event.sequence)"]) }
            guard rows.first?.first == event.hash else { return false }
        }
        return true
    }

    /// A page of the alarms due by `now`, read through the `due_at` index from the cursor's place in it.
    public func dueAlarms(at now: Date, page: PageRequest) throws(StoreError) -> Page<DeadlineAlarm> {
        if let problem = page.problem { throw .invalidPage(problem) }
        let after = try page.after.map { (cursor: PageCursor) throws(StoreError) in try DeadlineAlarm.pageKey(cursor) }
        let rows = try read { (db: PostgresConnection) throws(StoreError) in
            if let after {
                return try db.query(PostgresSQL.dueAlarmsAfter, [
                    "\(Self.milliseconds(now))", "\(after.time)", after.caseID, after.deadline, after.kind, "\(page.limit + 1)",
                ])
            }
            return try db.query(PostgresSQL.dueAlarms, ["\(Self.milliseconds(now))", "\(page.limit + 1)"])
        }
        let due = try rows.map { (row: [String?]) throws(StoreError) -> DeadlineAlarm in
            guard let caseID = row[0], let deadline = row[1], let kind = row[2], let time = row[3].flatMap({ Int64($0) }) else {
                throw .corruptRecord(caseID: row[0] ?? "?", detail: "a deadline alarm is stored incomplete")
            }
            return DeadlineAlarm(caseID: caseID, deadline: deadline, kind: kind, dueAt: Date(timeIntervalSince1970: Double(time) / 1000))
        }
        return Self.page(due, limit: page.limit, cursor: \.pageCursor)
    }

    /// A page of the case's events in sequence order; an event that does not decode is ``StoreError/corruptRecord(caseID:detail:)``.
    public func history(caseID: String, page: PageRequest) throws(StoreError) -> Page<AuditEvent> {
        if let problem = page.problem { throw .invalidPage(problem) }
        let after = try page.after.map { (cursor: PageCursor) throws(StoreError) in try cursor.number() } ?? .min
        let rows = try read { (db: PostgresConnection) throws(StoreError) in
            try db.query(PostgresSQL.historyPage, [caseID, "\(after)", "\(page.limit + 1)"])
        }
        return Self.page(try events(from: rows, caseID: caseID), limit: page.limit) { PageCursor(key: ["\($0.sequence)"]) }
    }

    /// The first `limit` of `rows` (read with one more, to learn whether a next page exists) and the cursor after them.
    private static func page<Item>(_ rows: [Item], limit: Int, cursor: (Item) -> PageCursor) -> Page<Item> {
        let items = Array(rows.prefix(limit))
        return Page(items: items, next: rows.count > limit ? items.last.map(cursor) : nil)
    }

    /// The record and events read in one `REPEATABLE READ` transaction: one snapshot, whatever others commit meanwhile.
    public func snapshot(caseID: String) throws(StoreError) -> CaseSnapshot {
        let (recordRows, eventRows) = try pool.read { (db: PostgresConnection) throws(StoreError) -> ([[String?]], [[String?]]) in
            try db.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { (db: PostgresConnection) throws(StoreError) -> ([[String?]], [[String?]]) in
                (try db.query(PostgresSQL.loadCase, [caseID]), try db.query(PostgresSQL.history, [caseID]))
            }
        }
        let stored = try recordRows.first.map { (row: [String?]) throws(StoreError) in try record(from: row.first ?? nil, caseID: caseID) }
        return CaseSnapshot(record: stored, events: try events(from: eventRows, caseID: caseID))
    }

    /// Every case id with events, sorted as Swift sorts strings.
    public func auditedCaseIDs() throws(StoreError) -> [String] {
        let rows = try read { (db: PostgresConnection) throws(StoreError) in try db.query(PostgresSQL.auditedCaseIDs, []) }
        return try Self.texts(rows, "an audited case id").sorted()
    }

    /// A page of the case ids in byte order (the `"C"` collation: for the identifiers cases have, the order Swift sorts them in).
    public func caseIDs(page: PageRequest) throws(StoreError) -> Page<String> {
        if let problem = page.problem { throw .invalidPage(problem) }
        let after = try page.after.map { (cursor: PageCursor) throws(StoreError) in try cursor.key(parts: 1)[0] }
        let rows = try read { (db: PostgresConnection) throws(StoreError) in
            if let after { return try db.query(PostgresSQL.caseIDsAfter, [after, "\(page.limit + 1)"]) }
            return try db.query(PostgresSQL.firstCaseIDs, ["\(page.limit + 1)"])
        }
        return Self.page(try Self.texts(rows, "a case id"), limit: page.limit) { PageCursor(key: [$0]) }
    }

    /// The result recorded for a key.
    public func idempotencyRecord(key: String) throws(StoreError) -> IdempotencyRecord? {
        let rows = try read { (db: PostgresConnection) throws(StoreError) in try db.query(PostgresSQL.idempotencyRecord, [key]) }
        guard let row = rows.first else { return nil }
        guard rows.count == 1 else { throw .failed("idempotency key '\(key)' is stored for \(rows.count) cases") }
        return try Self.decode(IdempotencyRecord.self, row[1], caseID: row[0] ?? "?", "idempotency key '\(key)'")
    }

    // MARK: Outbox

    /// Claims the oldest claimable portal messages in one transaction, locking them with `FOR UPDATE SKIP LOCKED` so a
    /// claimer running at once takes others.
    public func claimOutbox(_ claim: OutboxClaim) throws(StoreError) -> [OutboxMessage] {
        guard claim.limit > 0 else { return [] }
        return try pool.transaction { (db: PostgresConnection) throws(StoreError) in
            let rows = try db.query(PostgresSQL.claimable, ["\(Self.milliseconds(claim.now))", "\(claim.limit)"])
            var claimed: [OutboxMessage] = []
            for row in rows {
                var message = try Self.message(row, from: 0)
                message.claimedBy = claim.claimer
                message.leaseUntil = claim.now.addingTimeInterval(claim.lease)
                // A count, not an identity: it stops at the largest value rather than overflowing.
                if message.attempts < .max { message.attempts += 1 }
                try db.change(PostgresSQL.updateDelivery, try Self.deliveryColumns(message) + [row[0], row[1]])
                claimed.append(message)
            }
            return claimed
        }
    }

    /// Marks delivered the listed messages the claimer holds and has not acknowledged; returns how many.
    public func acknowledgeOutbox(ids: [String], claimer: String, at: Date) throws(StoreError) -> Int {
        try pool.transaction { (db: PostgresConnection) throws(StoreError) in
            var count = 0
            for id in ids {
                for row in try db.query(PostgresSQL.heldMessages, [id, claimer]) {
                    var message = try Self.message(row, from: 0)
                    message.deliveredAt = at
                    try db.change(PostgresSQL.updateDelivery, try Self.deliveryColumns(message) + [row[0], row[1]])
                    count += 1
                }
            }
            return count
        }
    }

    /// A page of the outbox, for one case or all, in commit order; the cursor holds the last message's position.
    public func outbox(caseID: String?, page: PageRequest) throws(StoreError) -> Page<OutboxMessage> {
        if let problem = page.problem { throw .invalidPage(problem) }
        let after = try page.after.map { (cursor: PageCursor) throws(StoreError) in try cursor.number() } ?? 0
        let rows = try read { (db: PostgresConnection) throws(StoreError) in
            if let caseID { return try db.query(PostgresSQL.caseMessages, [caseID, "\(after)", "\(page.limit + 1)"]) }
            return try db.query(PostgresSQL.allMessages, ["\(after)", "\(page.limit + 1)"])
        }
        let placed = try rows.map { (row: [String?]) throws(StoreError) -> (position: Int64, message: OutboxMessage) in
            guard let position = row[0].flatMap({ Int64($0) }) else { throw .corruptRecord(caseID: row[1] ?? "?", detail: "an outbox message has no position") }
            return (position, try Self.message(row, from: 1))
        }
        let slice = Self.page(placed, limit: page.limit) { PageCursor(key: ["\($0.position)"]) }
        return Page(items: slice.items.map(\.message), next: slice.next)
    }

    /// The message in a row whose column `first` is the case id and whose last column is the message's text.
    static func message(_ row: [String?], from first: Int) throws(StoreError) -> OutboxMessage {
        let caseID = row[first] ?? "?"
        return try decode(OutboxMessage.self, row.last ?? nil, caseID: caseID, "an outbox message")
    }

    /// The columns of a new message row (``PostgresSQL/insertMessage``), its channel last: the one its JSON holds.
    fileprivate static func messageColumns(_ message: OutboxMessage) throws(StoreError) -> [String?] {
        [message.caseID, message.id, "\(milliseconds(message.createdAt))"] + (try deliveryColumns(message)) + [message.channel.rawValue]
    }

    /// The delivery state and the whole message, as ``PostgresSQL/updateDelivery`` and ``PostgresSQL/insertMessage`` take them.
    private static func deliveryColumns(_ message: OutboxMessage) throws(StoreError) -> [String?] {
        [
            message.claimedBy, message.leaseUntil.map { "\(milliseconds($0))" }, message.deliveredAt.map { "\(milliseconds($0))" },
            "\(message.attempts)", try json(message, "outbox message '\(message.id)'"),
        ]
    }

    // MARK: Definitions

    /// The stored definition version.
    public func definition(kind: String, id: String, version: Int) throws(StoreError) -> StoredDefinition? {
        let rows = try read { (db: PostgresConnection) throws(StoreError) in try db.query(PostgresSQL.definition, [kind, id, "\(version)"]) }
        guard let row = rows.first else { return nil }
        guard let fingerprint = row[0], let content = row[1] else { throw .failed("\(kind) '\(id)' version \(version) is stored incomplete") }
        return StoredDefinition(kind: kind, id: id, version: version, fingerprint: fingerprint, content: content)
    }

    /// Stores a definition version once; the same fingerprint again is a no-op, another is refused.
    public func record(_ definition: StoredDefinition) throws(StoreError) {
        try pool.transaction { (db: PostgresConnection) throws(StoreError) in
            let key: [String?] = [definition.kind, definition.id, "\(definition.version)"]
            guard try db.change(PostgresSQL.insertDefinition, key + [definition.fingerprint, definition.content]) == 0 else { return }
            let stored = try db.query(PostgresSQL.definition, key).first?[0]
            if stored != definition.fingerprint {
                throw .definitionChanged(kind: definition.kind, id: definition.id, version: definition.version)
            }
        }
    }

    // MARK: Plumbing

    /// Runs reads on a connection of the pool (each statement sees one consistent snapshot), once more on a new
    /// connection when a reused one turns out closed (``PostgresPool/read(_:)``).
    private func read<T>(_ body: (PostgresConnection) throws(StoreError) -> sending T) throws(StoreError) -> sending T {
        try pool.read(body)
    }

    /// The texts of a one-column result; a NULL is a damaged row.
    private static func texts(_ rows: [[String?]], _ what: String) throws(StoreError) -> [String] {
        try rows.map { (row: [String?]) throws(StoreError) in
            guard let text = row.first ?? nil else { throw .failed("\(what) is stored empty") }
            return text
        }
    }

    /// `date` as whole milliseconds since 1970, the unit of every time column (out-of-range instants are clamped).
    static func milliseconds(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded()
        if value.isNaN { return 0 }
        return Int64(exactly: value) ?? (value > 0 ? .max : .min)
    }

    /// The `StoredJSON` text of `value`.
    static func json<T: Encodable>(_ value: T, _ what: @autoclosure () -> String) throws(StoreError) -> String {
        try text(StoredJSON.encode(value), what)
    }

    /// The `StoredJSON` text of a row with a canonical writer, chosen where the row's type is known: encoded without
    /// asking the runtime about its type, as the SQLite store does.
    static func json<T: Encodable & CanonicallyWritable>(_ value: T, _ what: @autoclosure () -> String) throws(StoreError) -> String {
        try text(StoredJSON.encode(value), what)
    }

    /// `data` as text; empty bytes, which StoredJSON gives for what JSON cannot hold (an infinite or NaN number), are refused.
    private static func text(_ data: Data, _ what: () -> String) throws(StoreError) -> String {
        guard !data.isEmpty else { throw .failed("\(what()) cannot be written as JSON") }
        return String(decoding: data, as: UTF8.self)
    }

    /// Decodes a JSON column of case `caseID`; an empty or undecodable value is that case's ``StoreError/corruptRecord(caseID:detail:)``.
    static func decode<T: Decodable>(_ type: T.Type, _ text: String?, caseID: String, _ what: @autoclosure () -> String) throws(StoreError) -> T {
        try decoded(text, caseID: caseID, what) { try StoredJSON.decode(type, from: $0) }
    }

    /// Decodes a JSON column of case `caseID` of a type with a canonical reader (a case record), chosen where the row's
    /// type is known (`StoredJSON.decode` for such a type): read without asking the runtime about its type, as the
    /// SQLite store does.
    static func decode<T: Decodable & CanonicallyReadable>(
        _ type: T.Type, _ text: String?, caseID: String, _ what: @autoclosure () -> String
    ) throws(StoreError) -> T {
        try decoded(text, caseID: caseID, what) { try StoredJSON.decode(type, from: $0) }
    }

    /// `text` read by `read`; no text, or text `read` refuses, is case `caseID`'s ``StoreError/corruptRecord(caseID:detail:)``.
    private static func decoded<T>(_ text: String?, caseID: String, _ what: () -> String, _ read: (Data) throws -> T) throws(StoreError) -> T {
        guard let text else { throw .corruptRecord(caseID: caseID, detail: "\(what()) is stored empty") }
        do {
            return try read(Data(utf8Of: text))
        } catch {
            throw .corruptRecord(caseID: caseID, detail: "\(what()) cannot be read back: \(error)")
        }
    }
}

extension PostgresConnection {
    /// Runs a write, reporting failures as store errors; when a primary or unique key is taken, throws `duplicate` instead.
    @discardableResult
    func change(_ sql: String, _ parameters: [String?], ifTaken duplicate: StoreError? = nil) throws(StoreError) -> Int {
        do throws(PostgresError) {
            return try run(sql, parameters).changed
        } catch {
            if let duplicate, error.isUniqueViolation { throw duplicate }
            throw StoreError(error)
        }
    }

    /// Runs a query, reporting failures as store errors; each row has the statement's columns.
    func query(_ sql: String, _ parameters: [String?]) throws(StoreError) -> [[String?]] {
        do throws(PostgresError) {
            return try run(sql, parameters).rows
        } catch {
            throw StoreError(error)
        }
    }
}

/// What a failure of one of a commit's statements means.
enum StatementMeaning: Sendable {
    /// The case's compare-and-set: failing with ``PostgresSQL/staleRevision`` is a conflict (or a missing case).
    case compareAndSet(caseID: String, expected: Int)
    /// A child's compare-and-set: failing with ``PostgresSQL/staleRevision`` is a conflict (or a missing child).
    case childCompareAndSet(childID: String, expected: Int)
    /// A row with a key: a unique violation means the key is taken, which this error says.
    case ifTaken(StoreError)
    /// An audit event's row: a unique violation means the case has an event at that sequence. Worded only then, as
    /// ``messageTaken(_:)`` is: every change writes these rows, and wording each refusal ahead cost a string a row.
    case eventTaken(caseID: String, sequence: Int)
    /// An outbox message's row: a unique violation means a message has that id.
    case messageTaken(String)
    /// Any failure is the server's.
    case plain

    /// Whether `error` of this statement refuses its own change alone (its compare-and-set failed, its key is taken, or
    /// a value of it was refused before anything was sent) rather than failing the store's work as a whole.
    func refusesOneGroup(_ error: PostgresError) -> Bool {
        switch self {
        case .compareAndSet where error.sqlState == PostgresSQL.staleRevision: true
        case .childCompareAndSet where error.sqlState == PostgresSQL.staleRevision: true
        case .ifTaken where error.isUniqueViolation: true
        case .eventTaken where error.isUniqueViolation: true
        case .messageTaken where error.isUniqueViolation: true
        default: error.sqlState == nil && !error.isConnectionFailure
        }
    }
}

/// One change as the statements that write it, encoded before anything is sent so the write itself is only SQL.
struct PreparedChange {
    /// The statements in order, each with what its failure means: the revision check first, then audit, outbox, key
    /// and alarms.
    let statements: [(PostgresStatement, StatementMeaning)]
    /// The record as its row stores it.
    let recordText: String

    init(_ change: CaseChange) throws(StoreError) {
        let record = change.record
        let id = record.id
        var statements: [(PostgresStatement, StatementMeaning)] = []
        recordText = try PostgresCaseStore.json(record, "case '\(id)'")
        let columns: [String?] = [
            record.workflow, "\(record.workflowVersion)", record.state, "\(record.revision)", "\(PostgresCaseStore.milliseconds(record.updatedAt))", recordText,
        ]
        if let expected = change.expectedRevision {
            statements.append((PostgresStatement(PostgresSQL.updateCase, [id, "\(expected)"] + columns), .compareAndSet(caseID: id, expected: expected)))
        } else {
            statements.append((PostgresStatement(PostgresSQL.insertCase, [id] + columns), .ifTaken(.caseExists(id))))
            if let child = record.child { statements.append((PostgresStatement(PostgresChildSQL.insertChildCase, [id, child]), .plain)) }
        }
        for event in change.events {
            let text = try PostgresCaseStore.json(event, "audit event \(event.sequence) of case '\(id)'")
            statements.append((PostgresStatement(PostgresSQL.insertEvent, [id, "\(event.sequence)", event.hash, text]),
                               .eventTaken(caseID: id, sequence: event.sequence)))
        }
        for message in change.outbox {
            statements.append((PostgresStatement(PostgresSQL.insertMessage, try PostgresCaseStore.messageColumns(message)),
                               .messageTaken(message.id)))
        }
        if let key = change.idempotency {
            let text = try PostgresCaseStore.json(key, "idempotency key '\(key.key)'")
            statements.append((PostgresStatement(PostgresSQL.insertIdempotency, [id, key.key, text]), .ifTaken(.duplicate("idempotency key '\(key.key)'"))))
        }
        statements.append((PostgresStatement(PostgresSQL.deleteAlarms, [id]), .plain))
        for alarm in change.alarms {
            statements.append((PostgresStatement(PostgresSQL.insertAlarm, [id, alarm.deadline, alarm.kind, "\(PostgresCaseStore.milliseconds(alarm.dueAt))"]),
                               .ifTaken(.duplicate("alarm '\(alarm.kind)' of deadline '\(alarm.deadline)' of case '\(id)'"))))
        }
        statements += try PostgresCaseStore.documentStatements(change)
        self.statements = statements
    }
}

/// Definition snapshots: each stored once, by fingerprint, as references to rows of `definitions`.
extension PostgresCaseStore {
    /// Stores the snapshot once in one transaction, after checking every member is stored with its fingerprint.
    public func record(_ snapshot: DefinitionSnapshot) throws(StoreError) {
        try pool.transaction { (db: PostgresConnection) throws(StoreError) in
            guard try db.change(PostgresSQL.insertSnapshot, [snapshot.fingerprint]) == 1 else { return }
            for member in snapshot.members {
                let stored = try db.query(PostgresSQL.definition, [member.kind, member.id, "\(member.version)"]).first?[0]
                guard stored == member.fingerprint else { throw .snapshotIncomplete(snapshot: snapshot.fingerprint, missing: member) }
                try db.change(PostgresSQL.insertSnapshotMember, [snapshot.fingerprint, member.kind, member.id, "\(member.version)"])
            }
        }
    }

    /// The stored snapshot with this fingerprint, its members read with their fingerprints.
    public func snapshot(fingerprint: String) throws(StoreError) -> DefinitionSnapshot? {
        let rows = try read { (db: PostgresConnection) throws(StoreError) in try db.query(PostgresSQL.snapshotMembers, [fingerprint]) }
        guard !rows.isEmpty else { return nil }
        return try Self.checked(fingerprint, rows.map { Self.version($0, from: 0) })
    }

    /// Every stored snapshot, in the order first stored.
    public func snapshots() throws(StoreError) -> [DefinitionSnapshot] {
        let rows = try read { (db: PostgresConnection) throws(StoreError) in try db.query(PostgresSQL.allSnapshotMembers, []) }
        var order: [String] = []
        var members: [String: [DefinitionVersion?]] = [:]
        for row in rows {
            guard let fingerprint = row[0] else { throw .failed("a definition snapshot is stored without its fingerprint") }
            if members[fingerprint] == nil { order.append(fingerprint) }
            members[fingerprint, default: []].append(Self.version(row, from: 1))
        }
        return try order.map { (fingerprint: String) throws(StoreError) in try Self.checked(fingerprint, members[fingerprint] ?? []) }
    }

    /// Every stored definition version, sorted.
    public func definitionVersions() throws(StoreError) -> [DefinitionVersion] {
        let rows = try read { (db: PostgresConnection) throws(StoreError) in try db.query(PostgresSQL.definitionVersions, []) }
        return try rows.map { (row: [String?]) throws(StoreError) in
            guard let version = Self.version(row, from: 0) else { throw .failed("a definition version is stored incomplete") }
            return version
        }.sorted()
    }

    /// The definition version in four columns of a row, starting at `first` (kind, id, version, fingerprint).
    private static func version(_ row: [String?], from first: Int) -> DefinitionVersion? {
        guard row.count >= first + 4, let kind = row[first], let id = row[first + 1], let version = row[first + 2].flatMap({ Int($0) }),
            let fingerprint = row[first + 3]
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

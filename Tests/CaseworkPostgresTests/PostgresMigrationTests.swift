import Casework
import CaseworkDefinitions
import CaseworkPostgres
import CaseworkStore
import CaseworkStoreConformance
import Foundation
import Testing

/// Schema version 6 on databases the previous build left at version 5: written through version 5's statements (the
/// message and the key through its functions, the channel generated), then migrated by stores opening at once, they
/// keep every message's channel and read, claim, fire and refuse as before; every primary and unique key still
/// includes `case_id`; and a process of the previous build still running after the migration keeps writing rows the
/// new build reads, refused as before when another case holds the id or key.
@Suite("PostgreSQL migration to schema version 6")
struct PostgresMigrationTests {
    /// The shared server, or nil after saying loudly why there is none (a failure under CI).
    private func server() -> TestServer? {
        TestServer.usable("a PostgreSQL migration test")
    }

    /// Makes the database a version 5 store, as the previous build left a new one: the first five scripts and the version.
    private func makeVersion5(_ pool: PostgresPool) throws {
        try pool.withConnection { (db: PostgresConnection) throws(PostgresError) in
            for script in PostgresSchema.migrations[0..<5] { try db.execute(script) }
            try db.run("INSERT INTO casework_schema (name, value) VALUES ('version', '5')")
        }
    }

    /// Writes `change` in one transaction with the statements the previous build sent at version 5.
    private func commitAsVersion5(_ pool: PostgresPool, _ change: CaseChange) throws {
        let record = change.record
        let columns: [String?] = [record.workflow, "\(record.workflowVersion)", record.state, "\(record.revision)", Self.milliseconds(record.updatedAt), Self.json(record)]
        try pool.transaction { (db: PostgresConnection) throws(PostgresError) in
            if let expected = change.expectedRevision {
                try db.run("SELECT casework_update_case($1, $2, $3, $4, $5, $6, $7, $8)", [record.id, "\(expected)"] + columns)
            } else {
                try db.run("INSERT INTO cases (case_id, workflow, workflow_version, state, revision, updated_at, record) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                           [record.id] + columns)
            }
            for event in change.events {
                try db.run("INSERT INTO audit_events (case_id, sequence, hash, event) VALUES ($1, $2, $3, $4)", [record.id, "\(event.sequence)", event.hash, Self.json(event)])
            }
            for message in change.outbox { try db.run(Self.previousInsertMessage, Self.previousMessageColumns(message)) }
            if let key = change.idempotency { try db.run("SELECT casework_record_key($1, $2, $3)", [record.id, key.key, Self.json(key)]) }
            try db.run("DELETE FROM deadline_alarms WHERE case_id = $1", [record.id])
            for alarm in change.alarms {
                try db.run("INSERT INTO deadline_alarms (case_id, deadline, kind, due_at) VALUES ($1, $2, $3, $4)",
                           [record.id, alarm.deadline, alarm.kind, Self.milliseconds(alarm.dueAt)])
            }
        }
    }

    /// How the previous build wrote a message, and its parameters.
    private static let previousInsertMessage = "SELECT casework_insert_message($1, $2, $3, $4, $5, $6, $7, $8)"
    private static func previousMessageColumns(_ message: OutboxMessage) -> [String?] {
        [message.caseID, message.id, milliseconds(message.createdAt), message.claimedBy, message.leaseUntil.map(milliseconds),
         message.deliveredAt.map(milliseconds), "\(message.attempts)", json(message)]
    }

    /// A row's JSON text, as every build writes it.
    private static func json(_ value: some Encodable) -> String {
        String(decoding: StoredJSON.encode(value), as: UTF8.self)
    }

    /// A time column's value: whole milliseconds since 1970.
    private static func milliseconds(_ date: Date) -> String {
        "\(Int64((date.timeIntervalSince1970 * 1000).rounded()))"
    }

    /// Event `sequence` of case `id`, chained to `previous`.
    private static func event(_ id: String, _ sequence: Int, previous: String) -> AuditEvent {
        AuditEvent(caseID: id, sequence: sequence, at: Fixture.at.addingTimeInterval(Double(sequence)), actor: CaseActor(role: "caseworker", id: "ana"),
                   action: sequence == 1 ? "opened" : "fired", subject: "t", fromState: sequence == 1 ? nil : "requested", toState: "requested",
                   revision: sequence, input: ["n": .int(sequence)], previousHash: previous)
    }

    /// Change number `revision` of case `id` (an opening at 1), with its event chained to `previous`, the messages and
    /// key given, and one alarm due `revision` hours after the fixture's instant.
    private static func change(_ id: String, _ revision: Int, previous: String, messages: [OutboxMessage], key: String?) -> CaseChange {
        let event = event(id, revision, previous: previous)
        return CaseChange(record: Fixture.record(id, revision: revision, head: event.hash), expectedRevision: revision == 1 ? nil : revision - 1,
                          events: [event], outbox: messages,
                          idempotency: key.map { IdempotencyRecord(key: $0, caseID: id, request: "r\(revision)", state: "requested", revision: revision) },
                          alarms: [DeadlineAlarm(caseID: id, deadline: "respond", kind: "breach", dueAt: Fixture.at.addingTimeInterval(3600 * Double(revision)))])
    }

    /// A message owed by another route, which no claim takes.
    private static func owed(_ id: String, case caseID: String) -> OutboxMessage {
        OutboxMessage(id: id, caseID: caseID, createdAt: Fixture.at, recipientRole: "parent", recipientID: nil, template: "t", subject: "s", body: "b",
                      channel: .other, owedReason: .noParticipant)
    }

    /// What `store` holds of case `id`, every part of it.
    private static func archive(_ store: PostgresCaseStore, _ id: String) throws -> CaseArchive? {
        try store.archive(caseID: id)
    }

    @Test func aVersion5DatabaseWithDataMigratesOnceAndReadsFiresAndRefusesAsBefore() async throws {
        guard let server = server() else { return }
        let database = try server.makeDatabase()
        defer { try? server.dropDatabases([database.name]) }
        let pool = try PostgresPool(conninfo: database.conninfo)
        try makeVersion5(pool)
        let openA = Self.change("a", 1, previous: AuditEvent.genesisHash, messages: [Fixture.message("a/1/1", case: "a"), Self.owed("a/1/2", case: "a")], key: "key-a")
        let openB = Self.change("b", 1, previous: AuditEvent.genesisHash, messages: [Fixture.message("b/1/1", case: "b")], key: "key-b")
        let fireA = Self.change("a", 2, previous: openA.events[0].hash, messages: [Fixture.message("a/2/1", case: "a")], key: nil)
        for change in [openA, openB, fireA] { try commitAsVersion5(pool, change) }

        let opened = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 {
                group.addTask { (try? PostgresCaseStore(conninfo: database.conninfo, options: .init(access: .readWrite))) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(opened == 4, "stores opening the version 5 database at once")
        let identity = try pool.withConnection { (db: PostgresConnection) throws(PostgresError) in
            try db.run("SELECT name, value FROM casework_schema ORDER BY name").rows
        }
        #expect(identity == [["application", "casework"], ["version", "6"]], "migrated once, to version 6")

        let store = try PostgresCaseStore(conninfo: database.conninfo, options: .init(access: .readWrite))
        var expectedA = CaseArchive(record: fireA.record, events: openA.events + fireA.events, outbox: openA.outbox + fireA.outbox,
                                    idempotency: [openA.idempotency!], alarms: fireA.alarms)
        let expectedB = CaseArchive(record: openB.record, events: openB.events, outbox: openB.outbox, idempotency: [openB.idempotency!], alarms: openB.alarms)
        #expect(try Self.archive(store, "a") == expectedA, "case a as version 5 wrote it: record, events, messages, key, alarms")
        #expect(try Self.archive(store, "b") == expectedB)
        #expect(try store.outbox(caseID: nil).map(\.id) == ["a/1/1", "a/1/2", "b/1/1", "a/2/1"], "the outbox in commit order")
        #expect(try store.idempotencyRecord(key: "key-b") == openB.idempotency)
        let channels = try pool.withConnection { (db: PostgresConnection) throws(PostgresError) in
            try db.run("""
                SELECT id, channel, (SELECT attgenerated::text || attnotnull::text FROM pg_attribute
                                     WHERE attrelid = 'outbox'::regclass AND attname = 'channel')
                FROM outbox ORDER BY position
                """).rows
        }
        #expect(channels == [["a/1/1", "portal", "true"], ["a/1/2", "other", "true"], ["b/1/1", "portal", "true"], ["a/2/1", "portal", "true"]],
                "each message's channel as version 5 generated it, in a column no longer generated and never null")
        #expect(try store.dueAlarms(at: Fixture.at.addingTimeInterval(7200), limit: 10) == openB.alarms + fireA.alarms)

        let refusals: [(what: String, change: CaseChange, error: StoreError)] = [
            ("a stale revision", Self.change("a", 2, previous: openA.events[0].hash, messages: [], key: nil),
             .revisionConflict(caseID: "a", expected: 1, actual: 2)),
            ("a message id case b holds from version 5", Self.change("a", 3, previous: fireA.events[0].hash, messages: [Fixture.message("b/1/1", case: "a")], key: nil),
             .duplicate("outbox message 'b/1/1'")),
            ("a message id case a holds from version 5", Self.change("a", 3, previous: fireA.events[0].hash, messages: [Fixture.message("a/1/2", case: "a")], key: nil),
             .duplicate("outbox message 'a/1/2'")),
            ("a key case b holds from version 5", Self.change("a", 3, previous: fireA.events[0].hash, messages: [], key: "key-b"), .duplicate("idempotency key 'key-b'")),
            ("an opening of a case there", Self.change("b", 1, previous: AuditEvent.genesisHash, messages: [], key: nil), .caseExists("b")),
        ]
        for refusal in refusals {
            #expect(throws: refusal.error, "\(refusal.what)") { try store.commit(refusal.change) }
            #expect(try Self.archive(store, "a") == expectedA, "\(refusal.what) changed nothing of case a")
            #expect(try Self.archive(store, "b") == expectedB, "nor of case b")
        }

        let claimed = try store.claimOutbox(OutboxClaim(claimer: "deliverer", limit: 10, now: Fixture.at.addingTimeInterval(100), lease: 60))
        #expect(claimed.map(\.id) == ["a/1/1", "b/1/1", "a/2/1"], "the portal messages of version 5, and not the one owed by another route")
        #expect(try store.acknowledgeOutbox(ids: ["a/1/1"], claimer: "deliverer", at: Fixture.at.addingTimeInterval(101)) == 1)

        let fireAgain = Self.change("a", 3, previous: fireA.events[0].hash, messages: [Fixture.message("a/3/1", case: "a"), Self.owed("a/3/2", case: "a")], key: "key-a3")
        try store.commit(fireAgain)
        expectedA = CaseArchive(record: fireAgain.record, events: expectedA.events + fireAgain.events, outbox: try store.outbox(caseID: "a"),
                                idempotency: [openA.idempotency!, fireAgain.idempotency!], alarms: fireAgain.alarms)
        #expect(try Self.archive(store, "a") == expectedA, "a fire after the migration")
        #expect(try store.outbox(caseID: "a").map(\.id) == ["a/1/1", "a/1/2", "a/2/1", "a/3/1", "a/3/2"])
        let later = try store.claimOutbox(OutboxClaim(claimer: "deliverer", limit: 10, now: Fixture.at.addingTimeInterval(200), lease: 60))
        #expect(later.map(\.id) == ["b/1/1", "a/2/1", "a/3/1"], "the new portal message is claimable; the owed ones and the delivered one are not")
    }

    @Test func everyPrimaryAndUniqueKeyOfACaseTableIncludesTheCaseIDAfterTheMigration() throws {
        guard let server = server() else { return }
        let database = try server.makeDatabase()
        defer { try? server.dropDatabases([database.name]) }
        let pool = try PostgresPool(conninfo: database.conninfo)
        try makeVersion5(pool)
        _ = try PostgresCaseStore(conninfo: database.conninfo, options: .init(access: .readWrite))
        let keys = try pool.withConnection { (db: PostgresConnection) throws(PostgresError) in
            try db.run("""
                SELECT i.indexrelid::regclass::text,
                       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attname = 'case_id' AND a.attnum = ANY (i.indkey))
                FROM pg_index i
                WHERE i.indisunique AND i.indrelid::regclass::text IN ('cases', 'audit_events', 'outbox', 'idempotency', 'deadline_alarms',
                                                                       'document_versions', 'child_cases')
                ORDER BY 1
                """).rows
        }
        #expect(keys == [["audit_events_pkey", "t"], ["cases_pkey", "t"], ["child_cases_pkey", "t"], ["deadline_alarms_pkey", "t"],
                         ["document_versions_pkey", "t"], ["idempotency_pkey", "t"], ["outbox_pkey", "t"]],
                "issue 14: the tables distribute by case_id, so no unique key leaves it out")
    }

    @Test func aProcessOfThePreviousBuildStillWritesRowsThisBuildReads() throws {
        guard let server = server() else { return }
        let database = try server.makeDatabase()
        defer { try? server.dropDatabases([database.name]) }
        let store = try PostgresCaseStore(conninfo: database.conninfo)
        try store.commit(Fixture.opening("a", key: "key-a"))
        let pool = try PostgresPool(conninfo: database.conninfo)
        let portal = Fixture.message("a/1/2", case: "a", offset: 1)
        let owed = Self.owed("a/1/3", case: "a")
        try pool.withConnection { (db: PostgresConnection) throws(PostgresError) in
            for message in [portal, owed] { try db.run(Self.previousInsertMessage, Self.previousMessageColumns(message)) }
            try db.run("SELECT casework_record_key($1, $2, $3)", ["a", "key-a2", Self.json(IdempotencyRecord(key: "key-a2", caseID: "a", request: "r", state: "s", revision: 1))])
        }
        let taken: [(String, [String?], String)] = [
            (Self.previousInsertMessage, Self.previousMessageColumns(Fixture.message("a/1/1", case: "b")), "the outbox message id is already used"),
            ("SELECT casework_record_key($1, $2, $3)", ["b", "key-a", "{}"], "the idempotency key is already recorded"),
        ]
        for (statement, parameters, refusal) in taken {
            do throws(PostgresError) {
                _ = try pool.withConnection { (db: PostgresConnection) throws(PostgresError) in try db.run(statement, parameters) }
                Issue.record("'\(statement)' wrote an id or key another case holds")
            } catch {
                #expect(error.isUniqueViolation, "\(error)")
                #expect(error.message == refusal, "version 5's own refusal")
            }
        }
        let channels = try pool.withConnection { (db: PostgresConnection) throws(PostgresError) in
            try db.run("SELECT id, channel FROM outbox ORDER BY position").rows
        }
        #expect(channels == [["a/1/1", "portal"], ["a/1/2", "portal"], ["a/1/3", "other"]], "the channel read from the message it was given")
        #expect(try store.outbox(caseID: nil) == [Fixture.message("a/1/1", case: "a"), portal, owed])
        #expect(try store.idempotencyRecord(key: "key-a2")?.caseID == "a")
        let claimed = try store.claimOutbox(OutboxClaim(claimer: "deliverer", limit: 10, now: Fixture.at.addingTimeInterval(100), lease: 60))
        #expect(claimed.map(\.id) == ["a/1/1", "a/1/2"], "its portal message is claimable, its owed one is not")
    }
}

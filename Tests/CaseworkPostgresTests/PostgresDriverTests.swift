import Casework
import CaseworkPostgres
import CaseworkStoreConformance
import CaseworkStore
import Foundation
import Testing

/// The driver's own promises beyond the conformance suite: the schema's walls, the identity check, migrating once
/// when several stores open a new database at once, and how failures are typed.
@Suite("PostgreSQL driver")
struct PostgresDriverTests {
    /// The shared server, or nil after saying loudly why there is none (a failure under CI).
    private func server() -> TestServer? {
        TestServer.usable("a PostgreSQL driver test")
    }

    @Test func theApplicationRoleMayOnlyAppendToTheAudit() throws {
        guard let server = server() else { return }
        let database = try server.makeDatabase()
        defer { try? server.dropDatabases([database.name]) }
        let role = "app_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let owner = try PostgresPool(conninfo: database.conninfo)
        // The name is made here from a UUID, never from outside input.
        _ = try owner.withConnection { (db: PostgresConnection) throws(PostgresError) in try db.run("CREATE ROLE \(role) LOGIN") }
        #expect(throws: StoreError.self) { _ = try PostgresCaseStore(conninfo: database.conninfo, options: .init(applicationRole: "Robert'); DROP TABLE cases;--")) }
        _ = try PostgresCaseStore(conninfo: database.conninfo, options: .init(applicationRole: role))
        let appConninfo = database.conninfo.replacingOccurrences(of: "user=casework", with: "user=\(role)")
        let app = try PostgresCaseStore(conninfo: appConninfo, options: .init(access: .readWrite))
        let first = AuditEvent(caseID: "c1", sequence: 1, at: Date(timeIntervalSince1970: 1), actor: CaseActor(role: "caseworker", id: "jo"), action: "opened",
                               subject: "w", fromState: nil, toState: "requested", revision: 1, input: [:], previousHash: AuditEvent.genesisHash)
        var opening = CaseChange(record: Fixture.record("c1", head: first.hash), expectedRevision: nil, events: [first],
                                 outbox: [Fixture.message("c1/1/1", case: "c1")], idempotency: nil)
        let blob = DocumentBlob(bytes: Array("letter".utf8))
        opening.documents = [DocumentVersion(caseID: "c1", change: DocumentChange(kind: "letter", version: 1, mediaType: "application/pdf", bytes: 6,
                                                                                  parts: [DocumentPart(section: nil, sha256: blob.sha256, bytes: 6)], reason: nil),
                                             addedBy: CaseActor(role: "caseworker", id: "jo"), at: Date(timeIntervalSince1970: 1), revision: 1)]
        opening.blobs = [blob]
        opening.record.child = "k1"
        let child = ChildFixture.adding("k1")
        try app.commit(all: [opening], children: [child])
        try app.commit(all: [], children: [ChildFixture.granting(child.record, to: "jo")])
        #expect(try app.history(caseID: "c1") == [first], "the application writes and reads through its grants")
        #expect(try app.caseIDs(childID: "k1") == ["c1"], "files the case under its child")
        #expect(try app.childSnapshot(childID: "k1").events.count == 2, "and adds to and changes child records")
        #expect(try app.documentVersions(caseID: "c1") == opening.documents, "documents too")
        #expect(try app.blob(sha256: blob.sha256) == blob)
        let claimed = try app.claimOutbox(OutboxClaim(claimer: "deliverer", limit: 10, now: Date(timeIntervalSince1970: 10), lease: 60))
        #expect(claimed.map(\.id) == ["c1/1/1"], "and claims notifications, which takes row locks")
        #expect(try app.acknowledgeOutbox(ids: ["c1/1/1"], claimer: "deliverer", at: Date(timeIntervalSince1970: 11)) == 1)
        let pool = try PostgresPool(conninfo: appConninfo)
        for statement in ["UPDATE audit_events SET hash = 'x'", "DELETE FROM audit_events", "TRUNCATE audit_events", "DROP TABLE audit_events",
                          "UPDATE blobs SET bytes = '\\x00'", "DELETE FROM blobs", "UPDATE document_versions SET revision = 2", "DELETE FROM document_versions",
                          "UPDATE child_audit SET hash = 'x'", "DELETE FROM child_audit", "TRUNCATE child_audit", "UPDATE child_cases SET child_id = 'k2'",
                          "DELETE FROM child_cases", "DELETE FROM children"] {
            do throws(PostgresError) {
                _ = try pool.withConnection { (db: PostgresConnection) throws(PostgresError) in try db.run(statement) }
                Issue.record("'\(statement)' was allowed to the application role")
            } catch {
                #expect(error.sqlState == "42501", "'\(statement)' refused by privilege, before any trigger: \(error)")
            }
        }
        #expect(try app.history(caseID: "c1") == [first])
    }

    @Test func aCommitWhoseAnswerWasLostIsResolvedByItsAuditEvents() throws {
        guard let server = server() else { return }
        let database = try server.makeDatabase()
        defer { try? server.dropDatabases([database.name]) }
        let store = try PostgresCaseStore(conninfo: database.conninfo)
        let first = AuditEvent(caseID: "c1", sequence: 1, at: Date(timeIntervalSince1970: 1), actor: CaseActor(role: "caseworker", id: "jo"), action: "opened",
                               subject: "w", fromState: nil, toState: "requested", revision: 1, input: [:], previousHash: AuditEvent.genesisHash)
        let opening = CaseChange(record: Fixture.record("c1", head: first.hash), expectedRevision: nil, events: [first], outbox: [], idempotency: nil)
        #expect(try !store.landed([opening]), "not yet committed")
        try store.commit(opening)
        #expect(try store.landed([opening]))
        let other = AuditEvent(caseID: "c1", sequence: 2, at: Date(timeIntervalSince1970: 2), actor: CaseActor(role: "caseworker", id: "ana"), action: "fired",
                               subject: "t", fromState: "requested", toState: "a", revision: 2, input: [:], previousHash: first.hash)
        let rival = AuditEvent(caseID: "c1", sequence: 2, at: Date(timeIntervalSince1970: 2), actor: CaseActor(role: "caseworker", id: "bo"), action: "fired",
                               subject: "t", fromState: "requested", toState: "b", revision: 2, input: [:], previousHash: first.hash)
        try store.commit(CaseChange(record: Fixture.record("c1", revision: 2, state: "b", head: rival.hash), expectedRevision: 1, events: [rival], outbox: [],
                                    idempotency: nil))
        let mine = CaseChange(record: Fixture.record("c1", revision: 2, state: "a", head: other.hash), expectedRevision: 1, events: [other], outbox: [],
                              idempotency: nil)
        #expect(try !store.landed([mine]), "another writer's event at the same sequence is not this commit's")
    }

    @Test func auditEventsRefuseUpdateDeleteAndTruncate() throws {
        guard let server = server() else { return }
        let database = try server.makeDatabase()
        defer { try? server.dropDatabases([database.name]) }
        let store = try PostgresCaseStore(conninfo: database.conninfo)
        let event = AuditEvent(caseID: "c1", sequence: 1, at: Date(timeIntervalSince1970: 1), actor: CaseActor(role: "caseworker", id: "jo"), action: "opened",
                               subject: "w", fromState: nil, toState: "requested", revision: 1, input: [:], previousHash: AuditEvent.genesisHash)
        let record = Fixture.record("c1", head: event.hash)
        try store.commit(CaseChange(record: record, expectedRevision: nil, events: [event], outbox: [], idempotency: nil))
        let pool = try PostgresPool(conninfo: database.conninfo)
        for statement in ["UPDATE audit_events SET hash = 'x'", "DELETE FROM audit_events", "TRUNCATE audit_events CASCADE"] {
            do throws(PostgresError) {
                _ = try pool.withConnection { (db: PostgresConnection) throws(PostgresError) in try db.run(statement) }
                Issue.record("'\(statement)' was allowed")
            } catch {
                #expect(error.sqlState == "23000", "\(error)")
                #expect(error.message.contains("append-only"), "\(error)")
            }
        }
        #expect(try store.history(caseID: "c1") == [event])
    }

    @Test func aDatabaseOfAnotherApplicationIsRefusedUntouched() throws {
        guard let server = server() else { return }
        let database = try server.makeDatabase()
        defer { try? server.dropDatabases([database.name]) }
        let pool = try PostgresPool(conninfo: database.conninfo)
        _ = try pool.withConnection { (db: PostgresConnection) throws(PostgresError) in try db.run("CREATE TABLE invoices (id int)") }
        #expect(throws: StoreError.self) { try PostgresCaseStore(conninfo: database.conninfo) }
        let tables = try pool.withConnection { (db: PostgresConnection) throws(PostgresError) in
            try db.run("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").rows
        }
        #expect(tables == [["1"]])
    }

    @Test func storesOpeningANewDatabaseAtOnceMigrateItOnce() async throws {
        guard let server = server() else { return }
        let database = try server.makeDatabase()
        defer { try? server.dropDatabases([database.name]) }
        let opened = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<6 {
                group.addTask { (try? PostgresCaseStore(conninfo: database.conninfo)) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(opened == 6)
        let pool = try PostgresPool(conninfo: database.conninfo)
        let rows = try pool.withConnection { (db: PostgresConnection) throws(PostgresError) in
            try db.run("SELECT name, value FROM casework_schema ORDER BY name").rows
        }
        #expect(rows == [["application", "casework"], ["version", "\(PostgresSchema.latestVersion)"]])
    }

    @Test func aCaseIDHoldingNULIsRefusedNotCutShort() throws {
        guard let server = server() else { return }
        let database = try server.makeDatabase()
        defer { try? server.dropDatabases([database.name]) }
        let store = try PostgresCaseStore(conninfo: database.conninfo)
        #expect(throws: StoreError.self) { _ = try store.load(caseID: "c1\u{0}x") }
    }

    @Test func connectionsTheServerEndedAreReplacedBetweenCalls() throws {
        guard let server = server() else { return }
        let database = try server.makeDatabase()
        defer { try? server.dropDatabases([database.name]) }
        let store = try PostgresCaseStore(conninfo: database.conninfo)
        let first = AuditEvent(caseID: "c1", sequence: 1, at: Fixture.at, actor: CaseActor(role: "caseworker", id: "jo"), action: "opened", subject: "w",
                               fromState: nil, toState: "requested", revision: 1, input: [:], previousHash: AuditEvent.genesisHash)
        try store.commit(CaseChange(record: Fixture.record("c1", head: first.hash), expectedRevision: nil, events: [first], outbox: [], idempotency: nil))
        let admin = try PostgresPool(conninfo: database.conninfo)
        @Sendable func endStoreSessions() throws {
            let ended = try admin.withConnection { (db: PostgresConnection) throws(PostgresError) in
                try db.run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()").rows
            }
            #expect(!ended.isEmpty, "the store's idle connection was ended")
        }
        try endStoreSessions()
        #expect(try store.load(caseID: "c1")?.revision == 1, "a read after the server ended the session")
        try endStoreSessions()
        let second = AuditEvent(caseID: "c1", sequence: 2, at: Fixture.at, actor: CaseActor(role: "caseworker", id: "jo"), action: "fired", subject: "t",
                                fromState: "requested", toState: "requested", revision: 2, input: [:], previousHash: first.hash)
        try store.commit(CaseChange(record: Fixture.record("c1", revision: 2, head: second.hash), expectedRevision: 1, events: [second], outbox: [],
                                    idempotency: nil))
        #expect(try store.history(caseID: "c1").map(\.sequence) == [1, 2], "a commit after the server ended the session, applied once")
    }

    /// Opens case `id` in `store` with one event and `messages` portal messages.
    private func open(_ store: PostgresCaseStore, _ id: String, messages: Int = 0) throws {
        let first = AuditEvent(caseID: id, sequence: 1, at: Fixture.at, actor: CaseActor(role: "caseworker", id: "jo"), action: "opened", subject: "w",
                               fromState: nil, toState: "requested", revision: 1, input: [:], previousHash: AuditEvent.genesisHash)
        try store.commit(CaseChange(record: Fixture.record(id, head: first.hash), expectedRevision: nil, events: [first],
                                    outbox: (0..<messages).map { Fixture.message("\(id)/1/\($0)", case: id, offset: Double($0)) }, idempotency: nil))
    }

    @Test func claimersOnSeparateConnectionsTakeEachMessageOnce() async throws {
        guard let server = server() else { return }
        let database = try server.makeDatabase()
        defer { try? server.dropDatabases([database.name]) }
        let stores = try (0..<4).map { _ in try PostgresCaseStore(conninfo: database.conninfo) }
        for index in 0..<10 { try open(stores[0], "c\(index)", messages: 20) }
        let now = Fixture.at.addingTimeInterval(100)
        let claimed = await withTaskGroup(of: [String].self) { group in
            for (index, store) in stores.enumerated() {
                group.addTask {
                    var mine: [String] = []
                    while let batch = try? store.claimOutbox(OutboxClaim(claimer: "d\(index)", limit: 7, now: now, lease: 60)), !batch.isEmpty {
                        mine += batch.map(\.id)
                    }
                    return mine
                }
            }
            return await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(claimed.count == 200, "every message claimed")
        #expect(Set(claimed).count == 200, "no message claimed twice")
    }

    @Test func oneIdempotencyKeyOnTwoCasesAtOnceLandsOnce() async throws {
        try await eachRoundOneOfTwoCasesLands("an idempotency key") { id, revision, round in
            CaseChange(record: Fixture.record(id, revision: revision + 1), expectedRevision: revision, events: [], outbox: [],
                       idempotency: IdempotencyRecord(key: "key-\(round)", caseID: id, request: "r", state: "s", revision: revision + 1))
        } holds: { store, round in
            try store.idempotencyRecord(key: "key-\(round)") != nil
        }
    }

    @Test func oneMessageIDOnTwoCasesAtOnceLandsOnce() async throws {
        try await eachRoundOneOfTwoCasesLands("a message id") { id, revision, round in
            CaseChange(record: Fixture.record(id, revision: revision + 1), expectedRevision: revision, events: [],
                       outbox: [Fixture.message("message-\(round)", case: id)], idempotency: nil)
        } holds: { store, round in
            try store.outbox(caseID: nil).filter { $0.id == "message-\(round)" }.count == 1
        }
    }

    /// Ten rounds in which two stores (two connections, as two processes would have) each commit a change to a case of
    /// their own at once, the two changes sharing what `change` makes unique across the store (its case id, revision and
    /// round given): exactly one lands each round, and afterwards the store `holds` it once.
    private func eachRoundOneOfTwoCasesLands(_ what: String, change: @escaping @Sendable (String, Int, Int) -> CaseChange,
                                             holds: (PostgresCaseStore, Int) throws -> Bool) async throws {
        guard let server = server() else { return }
        let database = try server.makeDatabase()
        defer { try? server.dropDatabases([database.name]) }
        let stores = try (0..<2).map { _ in try PostgresCaseStore(conninfo: database.conninfo) }
        for id in ["a", "b"] { try open(stores[0], id) }
        for round in 0..<10 {
            let landed = await withTaskGroup(of: Bool.self) { group in
                for (store, id) in zip(stores, ["a", "b"]) {
                    group.addTask {
                        let revision = (try? store.load(caseID: id)?.revision) ?? 0
                        return (try? store.commit(change(id, revision, round))) != nil
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(landed == 1, "round \(round): commits sharing \(what) on two cases that landed")
            #expect(try holds(stores[1], round), "round \(round): \(what) held once")
        }
    }

    @Test func aVersion4DatabaseWhoseOutboxRepeatsAnIDAcrossCasesIsRefusedUntouched() throws {
        guard let server = server() else { return }
        let database = try server.makeDatabase()
        defer { try? server.dropDatabases([database.name]) }
        let pool = try PostgresPool(conninfo: database.conninfo)
        let message = "INSERT INTO outbox (case_id, id, created_at, attempts, message) VALUES ($1, 'shared', 0, 0, '{}')"
        try pool.withConnection { (db: PostgresConnection) throws(PostgresError) in
            for script in PostgresSchema.migrations[0..<4] { try db.execute(script) }
            try db.run("INSERT INTO casework_schema (name, value) VALUES ('version', '4')")
            for caseID in ["a", "b"] { try db.run(message, [caseID]) }
        }
        #expect {
            try PostgresCaseStore(conninfo: database.conninfo)
        } throws: { error in
            "\(error)".contains("the outbox holds message id 'shared' for more than one case")
        }
        let version = try pool.withConnection { (db: PostgresConnection) throws(PostgresError) in
            try db.run("SELECT value FROM casework_schema WHERE name = 'version'").rows
        }
        #expect(version == [["4"]], "the refused database's schema version")

        _ = try pool.withConnection { (db: PostgresConnection) throws(PostgresError) in try db.run("DELETE FROM outbox WHERE case_id = 'b'") }
        let store = try PostgresCaseStore(conninfo: database.conninfo)
        #expect(throws: StoreError.duplicate("outbox message 'shared'"), "a new case with the id the migrated outbox holds") {
            try store.commit(Fixture.opening("c", message: "shared"))
        }
        let migrated = try pool.withConnection { (db: PostgresConnection) throws(PostgresError) in
            try db.run("SELECT value FROM casework_schema WHERE name = 'version'").rows
        }
        #expect(migrated == [["\(PostgresSchema.latestVersion)"]], "the schema version once the repeat is gone")
    }

    @Test func failuresAreTypedBySQLSTATE() {
        #expect(StoreError(PostgresError(sqlState: "40001", message: "could not serialize access")) == .busy("could not serialize access [SQLSTATE 40001]"))
        #expect(StoreError(PostgresError(sqlState: "40P01", message: "deadlock detected")) == .busy("deadlock detected [SQLSTATE 40P01]"))
        #expect(StoreError(PostgresError(sqlState: "55P03", message: "lock timeout")) == .busy("lock timeout [SQLSTATE 55P03]"))
        #expect(PostgresError(sqlState: "23505", message: "duplicate key").isUniqueViolation)
        let lost = StoreError(PostgresError(sqlState: "57P01", message: "terminating connection"))
        #expect(lost == .failed("the PostgreSQL server is unavailable: terminating connection [SQLSTATE 57P01]"))
    }

    @Test func aServerThatCannotBeReachedIsAStoreError() {
        #expect(throws: StoreError.self) { try PostgresCaseStore(conninfo: "host=/nonexistent-casework-socket dbname=none connect_timeout=2") }
    }
}

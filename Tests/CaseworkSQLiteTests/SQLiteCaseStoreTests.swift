import CSQLite
import Casework
import CaseworkTestSupport
import Foundation
import Synchronization
import Testing

@testable import CaseworkSQLite

@Suite("SQLite case store")
struct SQLiteCaseStoreTests {
    let directory: TemporaryDirectory
    let path: String

    init() throws {
        directory = try TemporaryDirectory()
        path = directory.path("casework.sqlite")
    }

    @Test("a reopened file reads back the case, its audit chain, its outbox and its key exactly")
    func reopenRoundTrip() throws {
        let opening = Sample.opening(messages: ["case-1/1/1", "case-1/1/2"], key: "k-open")
        let advancing = Sample.advancing(from: 1, messages: ["case-1/2/1"], key: "k-fire")
        let claim = OutboxClaim(claimer: "mailer", limit: 2, now: Sample.instant(60_000), lease: 30)
        let claimed: [OutboxMessage]
        do {
            let store = try SQLiteCaseStore(path: path)
            try store.commit(opening)
            try store.commit(advancing)
            claimed = try store.claimOutbox(claim)
            #expect(try store.acknowledgeOutbox(ids: ["case-1/1/1"], claimer: "mailer", at: Sample.instant(61_000)) == 1)
        }
        let store = try SQLiteCaseStore(path: path)
        #expect(try store.load(caseID: "case-1") == advancing.record)
        #expect(try store.history(caseID: "case-1") == opening.events + advancing.events)
        #expect(try store.history(caseID: "case-1").allSatisfy { $0.computedHash == $0.hash })
        #expect(try store.caseIDs() == ["case-1"])
        #expect(try store.idempotencyRecord(key: "k-open") == opening.idempotency)
        #expect(try store.idempotencyRecord(key: "k-fire") == advancing.idempotency)

        var expected = opening.outbox + advancing.outbox
        expected[0] = claimed[0]
        expected[0].deliveredAt = Sample.instant(61_000)
        expected[1] = claimed[1]
        #expect(claimed.map(\.id) == ["case-1/1/1", "case-1/1/2"])
        #expect(claimed[1].claimedBy == "mailer")
        #expect(claimed[1].leaseUntil == Sample.instant(90_000))
        #expect(claimed[1].attempts == 1)
        #expect(try store.outbox(caseID: nil) == expected)
        #expect(try store.outbox(caseID: "case-1") == expected)
        #expect(try store.outbox(caseID: "case-2") == [])
    }

    @Test("rows written when a role had one participant and messages had no channel still load; owed notices are never claimed")
    func oldShapeRowsLoadAndOwedNoticesAreNotClaimed() throws {
        var opening = Sample.opening(messages: ["case-1/1/1"])
        var owed = Sample.message("case-1/1/2", at: 1)
        owed.channel = .other
        owed.owedReason = .noPortalAccess
        opening.outbox.append(owed)
        do {
            let store = try SQLiteCaseStore(path: path)
            try store.commit(opening)
        }
        // The record and the portal message as an older Casework wrote them: one participant per role as a string,
        // no notices sent, no channel.
        let database = try SQLiteDatabase(path: path)
        try database.execute("""
            UPDATE cases SET record = json_remove(json_set(record, '$.participants', json('{"school":"hillside-primary","health":"nhs-north"}')), '$.noticesSent');
            UPDATE outbox SET message = json_remove(message, '$.channel') WHERE id = 'case-1/1/1';
            """)
        let stored = try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in
            try db.rows("SELECT record FROM cases") { $0.string(at: 0) ?? "" }
        }
        #expect(stored.first?.contains(#""school":"hillside-primary""#) == true && stored.first?.contains("noticesSent") == false, "the row is in the old shape")
        let store = try SQLiteCaseStore(path: path)
        #expect(try store.load(caseID: "case-1") == opening.record)
        #expect(try store.outbox(caseID: "case-1").map(\.channel) == [.portal, .other])
        let claimed = try store.claimOutbox(OutboxClaim(claimer: "mailer", limit: 10, now: Sample.instant(60_000), lease: 30))
        #expect(claimed.map(\.id) == ["case-1/1/1"], "the deliverer claims the portal message only; the owed one is for staff")
        let plan = try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in
            try db.rows("EXPLAIN QUERY PLAN " + StoreSQL.claimable, [Int64(0), 10]) { $0.string(at: 3) ?? "" }
        }
        let index = try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in
            try db.rows("SELECT sql FROM sqlite_schema WHERE name = 'outbox_claimable'") { $0.string(at: 0) ?? "" }
        }
        #expect(plan.contains { $0.contains("outbox_claimable") } && index.first?.contains("json_extract(message, '$.channel')") == true,
                "claims walk the index of portal messages, never the owed notices: \(plan) \(index)")
    }

    @Test("an absent case, key or definition reads as nil or empty")
    func absentThings() throws {
        let store = try SQLiteCaseStore(path: path)
        #expect(try store.load(caseID: "nobody") == nil)
        #expect(try store.history(caseID: "nobody") == [])
        #expect(try store.caseIDs() == [])
        #expect(try store.idempotencyRecord(key: "k") == nil)
        #expect(try store.definition(kind: "workflow", id: "w", version: 1) == nil)
        #expect(try store.outbox(caseID: nil) == [])
        #expect(try store.claimOutbox(OutboxClaim(claimer: "m", limit: 10, now: Sample.opened, lease: 1)) == [])
    }

    @Test("a fresh file gets the latest schema version and Casework's application id")
    func freshFileIsMigrated() throws {
        _ = try SQLiteCaseStore(path: path)
        let database = try SQLiteDatabase(path: path)
        #expect(try pragma(database, "user_version") == .integer(Int64(SQLiteSchema.latestVersion)))
        #expect(try pragma(database, "application_id") == .integer(Int64(SQLiteSchema.applicationID)))
        let tables = try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in
            try db.rows("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name") { $0.string(at: 0) ?? "" }
        }
        #expect(tables == ["audit_events", "blobs", "cases", "child_audit", "child_cases", "children", "deadline_alarms", "definition_snapshot_members", "definition_snapshots", "definitions",
                           "document_versions", "idempotency", "outbox"])
        // Opening again migrates nothing and changes nothing.
        _ = try SQLiteCaseStore(path: path)
        #expect(try pragma(database, "user_version") == .integer(Int64(SQLiteSchema.latestVersion)))
    }

    @Test("a file from a newer Casework is refused, untouched, with a message saying so")
    func futureVersionIsRefused() throws {
        let future = SQLiteSchema.latestVersion + 1
        let database = try SQLiteDatabase(path: path)
        try database.execute("PRAGMA user_version = \(future)")
        let error = #expect(throws: StoreError.self) { try SQLiteCaseStore(path: path) }
        #expect(
            error
                == .failed(
                    "'\(path)' has schema version \(future), newer than this build of Casework knows (up to \(SQLiteSchema.latestVersion)); open it with a newer Casework"
                )
        )
        #expect(try pragma(database, "user_version") == .integer(Int64(future)))
        #expect(try pragma(database, "journal_mode") == .text("delete"))
    }

    @Test("an SQLite file made by something else is refused")
    func foreignFileIsRefused() throws {
        let database = try SQLiteDatabase(path: path)
        try database.execute("CREATE TABLE notes (text TEXT)")
        let error = #expect(throws: StoreError.self) { try SQLiteCaseStore(path: path) }
        #expect(error == .failed("'\(path)' already has tables but no Casework schema version; it is not a Casework store"))
        try database.execute("PRAGMA application_id = 7")
        let other = #expect(throws: StoreError.self) { try SQLiteCaseStore(path: path) }
        #expect(other == .failed("'\(path)' is an SQLite database of another application (application_id 7), not a Casework store"))
    }

    @Test("a file that is not a database is refused with SQLite's reason")
    func notADatabase() throws {
        try Data("this is not a database, just some text that is long enough to have a header".utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) { try SQLiteCaseStore(path: path) }
        #expect(error == .failed("'\(path)' cannot be read as a Casework store: file is not a database"))
    }

    @Test("the connection runs in WAL mode with synchronous=FULL, foreign keys and a 5 second busy timeout by default")
    func pragmasInEffect() throws {
        let store = try SQLiteCaseStore(path: path)
        #expect(try pragma(store.database, "journal_mode") == .text("wal"))
        #expect(try pragma(store.database, "synchronous") == .integer(2))
        #expect(try pragma(store.database, "foreign_keys") == .integer(1))
        #expect(try pragma(store.database, "busy_timeout") == .integer(5000))
        let relaxed = try SQLiteCaseStore(path: path, options: .init(synchronous: .normal, busyTimeout: 0.25))
        #expect(try pragma(relaxed.database, "synchronous") == .integer(1))
        #expect(try pragma(relaxed.database, "busy_timeout") == .integer(250))
    }

    @Test("two stores on one file take turns committing, each seeing the other's changes")
    func twoStoresAlternate() throws {
        let first = try SQLiteCaseStore(path: path)
        let second = try SQLiteCaseStore(path: path)
        try first.commit(Sample.opening(messages: ["m-1"]))
        for revision in 1..<9 {
            let (writer, reader) = revision.isMultiple(of: 2) ? (first, second) : (second, first)
            #expect(try writer.load(caseID: "case-1")?.revision == revision)
            try writer.commit(Sample.advancing(from: revision, messages: ["m-\(revision + 1)"]))
            #expect(try reader.load(caseID: "case-1") == Sample.record(revision: revision + 1, state: "state-\(revision + 1)"))
        }
        #expect(try first.history(caseID: "case-1").map(\.sequence) == Array(1...9))
        #expect(try second.outbox(caseID: nil).map(\.id) == (1...9).map { "m-\($0)" })
    }

    @Test("a commit from a stale revision is refused and writes nothing")
    func staleRevisionIsRefused() throws {
        let first = try SQLiteCaseStore(path: path)
        let second = try SQLiteCaseStore(path: path)
        try first.commit(Sample.opening())
        try first.commit(Sample.advancing(from: 1))
        let stale = Sample.advancing(from: 1, messages: ["late"], key: "k-late")
        let error = #expect(throws: StoreError.self) { try second.commit(stale) }
        #expect(error == .revisionConflict(caseID: "case-1", expected: 1, actual: 2))
        #expect(try second.load(caseID: "case-1")?.revision == 2)
        #expect(try second.history(caseID: "case-1").count == 2)
        #expect(try second.outbox(caseID: nil) == [])
        #expect(try second.idempotencyRecord(key: "k-late") == nil)
    }

    @Test("opening an existing case, or changing a missing one, is refused")
    func existenceIsChecked() throws {
        let store = try SQLiteCaseStore(path: path)
        try store.commit(Sample.opening())
        #expect(throws: StoreError.caseExists("case-1")) { try store.commit(Sample.opening()) }
        #expect(throws: StoreError.caseNotFound("case-9")) { try store.commit(Sample.advancing("case-9", from: 1)) }
        #expect(try store.caseIDs() == ["case-1"])
    }

    @Test("a change whose last part is a duplicate leaves nothing of itself behind")
    func duplicateRollsBackTheWholeChange() throws {
        let store = try SQLiteCaseStore(path: path)
        try store.commit(Sample.opening(messages: ["m-1"], key: "k-1"))
        let reusedKey = Sample.advancing(from: 1, messages: ["m-2"], key: "k-1")
        #expect(throws: StoreError.duplicate("idempotency key 'k-1'")) { try store.commit(reusedKey) }
        let reusedMessage = Sample.advancing(from: 1, messages: ["m-3", "m-1"])
        #expect(throws: StoreError.duplicate("outbox message 'm-1'")) { try store.commit(reusedMessage) }
        var reusedEvent = Sample.advancing(from: 1)
        reusedEvent.events = [Sample.event(sequence: 2), Sample.event(sequence: 2)]
        #expect(throws: StoreError.duplicate("audit event 2 of case 'case-1'")) { try store.commit(reusedEvent) }
        #expect(try store.load(caseID: "case-1") == Sample.record())
        #expect(try store.history(caseID: "case-1").map(\.sequence) == [1])
        #expect(try store.outbox(caseID: nil).map(\.id) == ["m-1"])
        #expect(try store.idempotencyRecord(key: "k-1")?.revision == 1)
    }

    @Test("a claim takes the oldest claimable messages, skips leased and delivered ones, and takes expired leases again")
    func claimsAndLeases() throws {
        let store = try SQLiteCaseStore(path: path)
        try store.commit(Sample.opening(messages: ["m-1", "m-2", "m-3"]))
        let now = Sample.instant(10_000)
        let first = try store.claimOutbox(OutboxClaim(claimer: "a", limit: 2, now: now, lease: 60))
        #expect(first.map(\.id) == ["m-1", "m-2"])
        let second = try store.claimOutbox(OutboxClaim(claimer: "b", limit: 5, now: now.addingTimeInterval(30), lease: 60))
        #expect(second.map(\.id) == ["m-3"])
        #expect(try store.acknowledgeOutbox(ids: ["m-1", "m-3"], claimer: "a", at: now) == 1)
        #expect(try store.acknowledgeOutbox(ids: ["m-1"], claimer: "a", at: now) == 0)
        // At exactly the end of the lease the message may be claimed again, with its attempts counted.
        let retaken = try store.claimOutbox(OutboxClaim(claimer: "b", limit: 5, now: now.addingTimeInterval(60), lease: 60))
        #expect(retaken.map(\.id) == ["m-2"])
        #expect(retaken.first?.attempts == 2)
        #expect(try store.acknowledgeOutbox(ids: ["m-2"], claimer: "a", at: now) == 0)
        #expect(try store.acknowledgeOutbox(ids: ["m-2", "m-3", "unknown"], claimer: "b", at: now) == 2)
        #expect(try store.outbox(caseID: nil).allSatisfy { $0.deliveredAt == now })
        #expect(try store.claimOutbox(OutboxClaim(claimer: "c", limit: 0, now: now.addingTimeInterval(999), lease: 1)) == [])
    }

    @Test("claimers on two connections at once never get the same message")
    func concurrentClaimsAreDisjoint() throws {
        let setup = try SQLiteCaseStore(path: path)
        for index in 0..<20 {
            try setup.commit(Sample.opening("case-\(index)", messages: (0..<5).map { "case-\(index)/\($0)" }))
        }
        let stores = [try SQLiteCaseStore(path: path), try SQLiteCaseStore(path: path)]
        let claimed = Claims()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            let store = stores[worker % 2]
            while true {
                guard let batch = try? store.claimOutbox(OutboxClaim(claimer: "w\(worker)", limit: 3, now: Sample.opened, lease: 600)),
                    !batch.isEmpty
                else { return }
                claimed.add(batch.map(\.id))
            }
        }
        let ids = claimed.all
        #expect(ids.count == 100)
        #expect(Set(ids).count == 100)
    }

    @Test("committers on two connections at once all succeed, and one of two commits from the same revision wins")
    func concurrentCommits() throws {
        let stores = [try SQLiteCaseStore(path: path), try SQLiteCaseStore(path: path)]
        try stores[0].commit(Sample.opening("shared"))
        let outcomes = Claims()
        DispatchQueue.concurrentPerform(iterations: 16) { worker in
            let store = stores[worker % 2]
            do {
                try store.commit(Sample.opening("case-\(worker)"))
                for revision in 1..<5 { try store.commit(Sample.advancing("case-\(worker)", from: revision)) }
                try store.commit(Sample.advancing("shared", from: 1, messages: ["shared-\(worker)"]))
                outcomes.add(["won"])
            } catch {
                outcomes.add(["\(error)"])
            }
        }
        #expect(outcomes.all.filter { $0 == "won" }.count == 1)
        #expect(
            outcomes.all.filter { $0 != "won" }
                == Array(repeating: StoreError.revisionConflict(caseID: "shared", expected: 1, actual: 2).description, count: 15)
        )
        #expect(try stores[1].caseIDs().count == 17)
        #expect(try stores[1].outbox(caseID: "shared").count == 1)
        for worker in 0..<16 { #expect(try stores[1].load(caseID: "case-\(worker)")?.revision == 5) }
    }

    @Test("a write lock held past the busy timeout is reported as busy, and nothing is written")
    func busyIsReported() throws {
        let store = try SQLiteCaseStore(path: path, options: .init(busyTimeout: 0.05))
        let other = try SQLiteDatabase(path: path)
        try other.execute("BEGIN IMMEDIATE")
        let error = #expect(throws: StoreError.self) { try store.commit(Sample.opening()) }
        #expect(error == .busy("database is locked"))
        try other.execute("ROLLBACK")
        #expect(try store.load(caseID: "case-1") == nil)
        try store.commit(Sample.opening())
        #expect(try store.load(caseID: "case-1") != nil)
    }

    @Test(
        "another process holding the write lock makes a commit wait for it, or fail as busy past the timeout",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs the sqlite3 command as the other process")
    )
    func anotherProcessHoldsTheLock() throws {
        let patient = try SQLiteCaseStore(path: path)
        let impatient = try SQLiteCaseStore(path: path, options: .init(busyTimeout: 0.05))
        let marker = directory.path("locked")
        let script = directory.path("script.sql")
        try Data(
            """
            BEGIN IMMEDIATE;
            INSERT INTO definitions (kind, id, version, fingerprint, content) VALUES ('workflow', 'cli', 1, 'f', 'text');
            .shell touch '\(marker)' && sleep 0.5
            COMMIT;

            """.utf8
        ).write(to: URL(fileURLWithPath: script))
        let other = try Spawn.start(["/usr/bin/sqlite3", path], input: script, out: directory.path("sqlite3.out"))
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: marker) && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(FileManager.default.fileExists(atPath: marker))
        #expect(throws: StoreError.busy("database is locked")) { try impatient.commit(Sample.opening("impatient")) }
        #expect(try patient.definition(kind: "workflow", id: "cli", version: 1) == nil)
        try patient.commit(Sample.opening("patient"))
        let ending = Spawn.wait(other)
        #expect(ending.status == 0, "\(ending): \((try? String(contentsOfFile: directory.path("sqlite3.out"), encoding: .utf8)) ?? "")")
        #expect(try patient.definition(kind: "workflow", id: "cli", version: 1)?.content == "text")
        #expect(try impatient.caseIDs() == ["patient"])
    }

    @Test("a definition version is stored once: the same fingerprint is a no-op, another is refused")
    func definitionsAreImmutable() throws {
        let store = try SQLiteCaseStore(path: path)
        let stored = StoredDefinition(kind: "workflow", id: "ehc", version: 1, fingerprint: "f1", content: "workflow: ehc\n")
        try store.record(stored)
        try store.record(stored)
        var changed = stored
        changed.fingerprint = "f2"
        changed.content = "workflow: ehc # edited\n"
        #expect(throws: StoreError.definitionChanged(kind: "workflow", id: "ehc", version: 1)) { try store.record(changed) }
        #expect(try store.definition(kind: "workflow", id: "ehc", version: 1) == stored)
        changed.version = 2
        try store.record(changed)
        #expect(try store.definition(kind: "workflow", id: "ehc", version: 2) == changed)
        #expect(try store.definition(kind: "form", id: "ehc", version: 1) == nil)
    }

    @Test("stored audit events and definitions cannot be edited or deleted, even with raw SQL")
    func evidenceIsAppendOnly() throws {
        let store = try SQLiteCaseStore(path: path)
        try store.commit(Sample.opening())
        try store.record(StoredDefinition(kind: "form", id: "advice", version: 1, fingerprint: "f", content: "form: advice\n"))
        for sql in [
            "UPDATE audit_events SET event = '{}'", "DELETE FROM audit_events",
            "UPDATE definitions SET content = ''", "DELETE FROM definitions",
        ] {
            let error = #expect(throws: SQLiteError.self) { try store.database.execute(sql) }
            #expect(error?.extendedCode == SQLiteError.ExtendedCode.constraintTrigger)
        }
        #expect(try store.history(caseID: "case-1") == Sample.opening().events)
    }

    @Test("case ids come back sorted")
    func caseIDsSorted() throws {
        let store = try SQLiteCaseStore(path: path)
        for id in ["b", "a-2", "C", "a-10"] { try store.commit(Sample.opening(id)) }
        #expect(try store.caseIDs() == ["C", "a-10", "a-2", "b"])
    }

    @Test("the store keeps times in whole milliseconds and says so")
    func timePrecision() {
        #expect(SQLiteCaseStore.timePrecision == 0.001)
        #expect(SQLiteCaseStore.milliseconds(Sample.opened) == 1_757_000_000_123)
        #expect(SQLiteCaseStore.milliseconds(Date(timeIntervalSince1970: -1.5)) == -1500)
        #expect(SQLiteCaseStore.milliseconds(Date(timeIntervalSince1970: .infinity)) == .max)
    }

    private func pragma(_ database: SQLiteDatabase, _ name: String) throws -> SQLiteValue? {
        try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in
            try db.rows("PRAGMA \(name)") { $0.value(at: 0) }.first
        }
    }
}

/// Strings gathered from several threads.
final class Claims: Sendable {
    private let ids = Mutex<[String]>([])

    func add(_ more: [String]) { ids.withLock { $0 += more } }

    var all: [String] { ids.withLock { $0 } }
}

import CSQLite
import Casework
@testable import CaseworkDefinitions
@testable import CaseworkSQLite
@testable import CaseworkStore
import CaseworkStoreConformance
import CaseworkTestSupport
import Foundation
import Testing

/// What a group committer's callers now do themselves, checked against what the store did before: the rows each caller
/// encodes as it joins the queue (``CaseStore/prepare(_:)``, side by side on the callers' tasks) are the bytes one
/// commit writes, so a batch stores exactly what one commit at a time stores; and a load that finds a row still holding
/// the text the store last wrote or read hands back the kept record (``KnownRecords``), which is the record decoding the
/// row gives, while a row changed by anyone else, in any byte, is read as it is now.
@Suite("Group commit: rows encoded by the callers, records read back")
struct GroupCommitEncodingTests {
    /// Random changes opening cases `c0`, `c1`, …: random records, an event, a message and a key each, full of hostile text.
    static func openings(seed: UInt64, count: Int) -> [CaseChange] {
        var generator = RecordGenerator(random: SeededGenerator(seed: seed))
        return (0..<count).map { index in
            let id = "c\(index)"
            var record = generator.record()
            record.id = id
            var event = generator.event(previousHash: AuditEvent.genesisHash, anyFraction: true)
            event.caseID = id
            event.sequence = 1
            var message = generator.message()
            message.id = "m\(index)"
            message.caseID = id
            var key = generator.idempotencyRecord()
            key.key = "k\(index)"
            return CaseChange(record: record, expectedRevision: nil, events: [event], outbox: [message], idempotency: generator.chance() ? key : nil)
        }
    }

    /// Every row of every table a commit writes, in a fixed order, as SQLite holds it.
    static func rows(_ store: SQLiteCaseStore) throws -> [[SQLiteValue]] {
        try [
            "SELECT * FROM cases ORDER BY id", "SELECT * FROM audit_events ORDER BY case_id, sequence", "SELECT * FROM outbox ORDER BY id",
            "SELECT * FROM idempotency ORDER BY key", "SELECT * FROM deadline_alarms ORDER BY case_id, deadline, kind",
        ].flatMap { (sql: String) throws in
            try store.database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in
                try db.rows(sql) { row in (0..<row.columnCount).map { row.value(at: $0) } }
            }
        }
    }

    /// A batch whose groups its callers encoded, each on its own task, stores the bytes that committing each change on
    /// its own stores, and refuses the same changes.
    @Test(arguments: [UInt64(1), 2, 3])
    func aBatchEncodedByItsCallersStoresTheBytesOneCommitStores(seed: UInt64) async throws {
        let (aloneSpace, alone, _) = try Self.sqlite()
        let (batchedSpace, batched, _) = try Self.sqlite()
        defer { withExtendedLifetime((aloneSpace, batchedSpace)) {} }
        let changes = Self.openings(seed: seed, count: 64)
        var aloneAnswers: [StoreError?] = []
        for change in changes {
            do throws(StoreError) {
                try alone.commit(change)
                aloneAnswers.append(nil)
            } catch {
                aloneAnswers.append(error)
            }
        }
        var batchedAnswers: [StoreError?] = []
        let driver = batched.driver
        for start in stride(from: 0, to: changes.count, by: 8) {
            let batch = Array(changes[start..<min(start + 8, changes.count)])
            let encoded = await withTaskGroup(of: (Int, Result<PreparedCommit, StoreError>).self) { group in
                for (index, change) in batch.enumerated() {
                    group.addTask { (index, Result { () throws(StoreError) in try driver.prepare([change]) }) }
                }
                var encoded: [Result<PreparedCommit, StoreError>?] = Array(repeating: nil, count: batch.count)
                for await (index, result) in group { encoded[index] = result }
                return encoded.compactMap { $0 }
            }
            let ready = encoded.compactMap { try? $0.get() }
            #expect(ready.allSatisfy { $0.rows != nil }, "each group carries the rows its caller encoded")
            var landed = try await driver.commit(prepared: ready).makeIterator()
            for result in encoded {
                if let refusal = result.error { batchedAnswers.append(refusal) } else { batchedAnswers.append(landed.next() ?? nil) }
            }
        }
        #expect(batchedAnswers == aloneAnswers)
        #expect(aloneAnswers.contains(nil), "some changes landed")
        #expect(try Self.rows(batched) == Self.rows(alone), "the batches stored the bytes one commit at a time stores")
    }

    /// A record loaded from a row the store wrote (kept) or read before (kept after decoding) is the record a store
    /// that keeps nothing decodes from the row, and the record that was committed.
    @Test(arguments: [UInt64(4), 5])
    func aKeptRecordIsTheRecordTheRowDecodesTo(seed: UInt64) throws {
        let (space, store, path) = try Self.sqlite()
        defer { withExtendedLifetime(space) {} }
        let changes = Self.openings(seed: seed, count: 64)
        let answers = try store.commit(each: changes.map { [$0] })
        let landed = zip(changes, answers).filter { $0.1 == nil }.map(\.0)
        #expect(!landed.isEmpty)
        for change in landed {
            let id = change.record.id
            let kept = try store.load(caseID: id)
            let decoded = try SQLiteCaseStore(path: path).load(caseID: id)
            #expect(kept == change.record, "case \(id) as committed")
            #expect(kept == decoded, "case \(id) as the row decodes")
            #expect(try store.load(caseID: id) == decoded, "case \(id) read a second time")
        }
    }

    /// The kept record is handed back only while the row holds its text: a commit through another store on the file,
    /// or any change to the row's bytes at the same revision, is read as the row now is, and a row that no longer
    /// decodes is that case's error.
    @Test func aRowChangedElsewhereIsReadAsItNowIs() throws {
        let (space, store, path) = try Self.sqlite()
        defer { withExtendedLifetime(space) {} }
        let other = try SQLiteCaseStore(path: path)
        let opening = Fixture.opening("c1")
        try store.commit(opening)
        #expect(try store.load(caseID: "c1") == opening.record)

        var moved = opening.events[0]
        moved.sequence = 2
        try other.commit(CaseChange(record: Fixture.record("c1", revision: 2, state: "moved"), expectedRevision: 1, events: [moved], outbox: [],
                                    idempotency: nil))
        #expect(try store.load(caseID: "c1")?.state == "moved", "another store's commit")

        var tampered = try #require(try store.load(caseID: "c1"))
        tampered.state = "tampered"
        try Self.setRow("c1", to: String(decoding: StoredJSON.encode(tampered), as: UTF8.self), in: store)
        #expect(try store.load(caseID: "c1") == tampered, "the row's bytes changed at the same revision")

        try Self.setRow("c1", to: "{", in: store)
        #expect(throws: StoreError.self) { try store.load(caseID: "c1") }
        var renamed = tampered
        renamed.id = "c2"
        try Self.setRow("c1", to: String(decoding: StoredJSON.encode(renamed), as: UTF8.self), in: store)
        #expect {
            try store.load(caseID: "c1")
        } throws: { error in
            guard case .corruptRecord(let caseID, _) = error as? StoreError else { return false }
            return caseID == "c1"
        }
    }

    /// A SQLite store in a directory of its own (``ServiceStoreSpace``, kept alive with it), and the file's path.
    static func sqlite() throws -> (space: ServiceStoreSpace, store: SQLiteCaseStore, path: String) {
        let space = try ServiceStoreSpace(.sqlite)
        let store = try #require(space.store as? SQLiteCaseStore)
        return (space, store, space.directory.appendingPathComponent("casework.sqlite").path)
    }

    /// Writes `text` into case `id`'s row as it is, leaving its revision.
    static func setRow(_ id: String, to text: String, in store: SQLiteCaseStore) throws {
        try store.database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in
            _ = try db.run("UPDATE cases SET record = ? WHERE id = ?", [text, id])
        }
    }
}

import Casework
import CaseworkPostgres
import CaseworkStoreConformance
import Foundation
import Testing

/// A group committer's batch on PostgreSQL failing inside its transaction: a statement failing for a reason that is
/// not its group's own (here a trigger raising, as a full disk or a broken constraint would) fails the whole batch,
/// with no group of it written, even the groups before it; the same batch then lands once the cause is gone.
@Suite("PostgreSQL group commit")
struct PostgresGroupCommitTests {
    @Test func aServerFailurePartWayThroughABatchWritesNoneOfIt() throws {
        guard let server = TestServer.usable("a PostgreSQL group commit test") else { return }
        let database = try server.makeDatabase()
        defer { try? server.dropDatabases([database.name]) }
        let store = try PostgresCaseStore(conninfo: database.conninfo)
        try store.commit(Fixture.opening("c0"))
        let owner = try PostgresPool(conninfo: database.conninfo)
        try owner.withConnection { (db: PostgresConnection) throws(PostgresError) in
            try db.execute("""
                CREATE FUNCTION refuse_c2() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.case_id = 'c2' THEN RAISE EXCEPTION 'injected failure'; END IF;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER refuse_c2 BEFORE INSERT ON cases FOR EACH ROW EXECUTE FUNCTION refuse_c2();
                """)
        }
        let batch = [[Fixture.opening("c1")], [Fixture.opening("c0", message: "c0/1/2")], [Fixture.opening("c2")], [Fixture.opening("c3")]]
        #expect {
            _ = try store.commit(each: batch)
        } throws: { error in
            guard let error = error as? StoreError, case .failed(let detail) = error else { return false }
            return detail.contains("injected failure")
        }
        #expect(try store.caseIDs() == ["c0"], "no group of the failed batch was written")
        try owner.withConnection { (db: PostgresConnection) throws(PostgresError) in try db.execute("DROP TRIGGER refuse_c2 ON cases") }
        #expect(try store.commit(each: batch) == [nil, .caseExists("c0"), nil, nil])
        #expect(try store.caseIDs() == ["c0", "c1", "c2", "c3"])
        #expect(try store.outbox(caseID: nil).map(\.id) == ["c0/1/1", "c1/1/1", "c2/1/1", "c3/1/1"])
    }

    /// The record a batch wrote is handed back while its row holds the text written (``KnownRecords``), and the row as
    /// it now is once anyone else changed it: another store's commit, a byte rewritten at the same revision, a row
    /// that no longer decodes.
    @Test func aRowChangedElsewhereIsReadAsItNowIs() throws {
        guard let server = TestServer.usable("a PostgreSQL group commit test") else { return }
        let database = try server.makeDatabase()
        defer { try? server.dropDatabases([database.name]) }
        let store = try PostgresCaseStore(conninfo: database.conninfo)
        let other = try PostgresCaseStore(conninfo: database.conninfo)
        let opening = Fixture.opening("c1")
        #expect(try store.commit(each: [[opening]]) == [nil])
        #expect(try store.load(caseID: "c1") == opening.record)
        #expect(try PostgresCaseStore(conninfo: database.conninfo).load(caseID: "c1") == opening.record, "as a store that keeps nothing reads it")

        var moved = opening.events[0]
        moved.sequence = 2
        try other.commit(CaseChange(record: Fixture.record("c1", revision: 2, state: "moved"), expectedRevision: 1, events: [moved], outbox: [],
                                    idempotency: nil))
        #expect(try store.load(caseID: "c1")?.state == "moved", "another store's commit")

        let owner = try PostgresPool(conninfo: database.conninfo)
        try owner.withConnection { (db: PostgresConnection) throws(PostgresError) in
            try db.execute("UPDATE cases SET record = replace(record, '\"moved\"', '\"tampered\"') WHERE case_id = 'c1'")
        }
        #expect(try store.load(caseID: "c1")?.state == "tampered", "the row's bytes changed at the same revision")
        #expect(try store.load(caseID: "c1")?.revision == 2)
        try owner.withConnection { (db: PostgresConnection) throws(PostgresError) in try db.execute("UPDATE cases SET record = '{' WHERE case_id = 'c1'") }
        #expect(throws: StoreError.self) { try store.load(caseID: "c1") }
    }
}

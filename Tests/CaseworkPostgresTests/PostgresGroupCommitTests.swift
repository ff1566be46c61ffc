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
}

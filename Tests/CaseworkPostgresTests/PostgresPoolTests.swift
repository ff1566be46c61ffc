import Casework
import CaseworkPostgres
import CaseworkStore
import CaseworkStoreConformance
import Foundation
import Synchronization
import Testing

/// The pool's cap on open connections and the pipeline a commit is sent as: what they promise beyond the conformance
/// suite, which runs every commit through them.
@Suite("PostgreSQL pool and pipeline")
struct PostgresPoolTests {
    /// The shared server, or nil after saying loudly why there is none (a failure under CI).
    private func server() -> TestServer? {
        switch TestServer.shared {
        case .success(let server): return server
        case .failure(let unavailable):
            if ProcessInfo.processInfo.environment["CI"] != nil {
                Issue.record("PostgreSQL is needed in CI and is not usable: \(unavailable)")
            } else {
                print("warning: SKIPPED a PostgreSQL pool test: \(unavailable)")
            }
            return nil
        }
    }

    @Test func aCallerFindingEveryConnectionInUseWaitsThenIsToldBusy() throws {
        guard let server = server() else { return }
        let database = try server.makeDatabase()
        defer { try? server.dropDatabases([database.name]) }
        let pool = try PostgresPool(conninfo: database.conninfo, idleLimit: 2, openLimit: 2, waitLimit: .milliseconds(200))
        let third: Result<Int, StoreError> = try pool.withConnection { (_: PostgresConnection) throws(StoreError) -> Result<Int, StoreError> in
            try pool.withConnection { (_: PostgresConnection) throws(StoreError) -> Result<Int, StoreError> in
                do throws(StoreError) {
                    return .success(try pool.withConnection { (_: PostgresConnection) throws(StoreError) in 1 })
                } catch {
                    return .failure(error)
                }
            }
        }
        guard case .failure(.busy(let detail)) = third else {
            Issue.record("a third borrower of a pool of two is told busy, not \(third)")
            return
        }
        #expect(detail.contains("all 2 connections to PostgreSQL are in use"), "\(detail)")
        let afterwards = try pool.withConnection { (db: PostgresConnection) throws(PostgresError) in try db.run("SELECT 1").rows }
        #expect(afterwards == [["1"]], "a connection given back is handed out again")
    }

    @Test func manyCommittersAtOnceNeverOpenMoreThanTheCap() throws {
        guard let server = server() else { return }
        let database = try server.makeDatabase()
        defer { try? server.dropDatabases([database.name]) }
        let store = try PostgresCaseStore(conninfo: database.conninfo, options: .init(idleConnections: 3, maxConnections: 3))
        let admin = try PostgresPool(conninfo: database.conninfo, idleLimit: 1)
        let busiest = Mutex(0)
        let running = Atomic(true)
        let sampler = Thread {
            while running.load(ordering: .relaxed) {
                let rows = try? admin.withConnection { (db: PostgresConnection) throws(PostgresError) in
                    try db.run("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()").rows
                }
                if let count = rows?.first?.first.flatMap({ $0.flatMap { Int($0) } }) { busiest.withLock { $0 = max($0, count) } }
                usleep(2_000)
            }
        }
        sampler.start()
        // As many kept idle as may be open, so none is closed and reopened meanwhile: a closed connection's server
        // process ends a moment after the pool has let it go, and the sampler would count both.
        // Threads of their own, not tasks: Swift's task threads are as many as the cores, too few to crowd the pool.
        let committed = Atomic(0)
        let writers = (0..<8).map { writer in
            Thread {
                var head = AuditEvent.genesisHash
                for revision in 1...15 {
                    let id = "w\(writer)"
                    let event = AuditEvent(caseID: id, sequence: revision, at: Fixture.at, actor: CaseActor(role: "caseworker", id: "jo"),
                                           action: "fired", subject: "t", fromState: nil, toState: "requested", revision: revision, input: [:],
                                           previousHash: head)
                    head = event.hash
                    let change = CaseChange(record: Fixture.record(id, revision: revision, head: head), expectedRevision: revision == 1 ? nil : revision - 1,
                                            events: [event], outbox: [], idempotency: nil)
                    if (try? store.commit(change)) != nil { committed.add(1, ordering: .relaxed) }
                }
            }
        }
        for writer in writers { writer.start() }
        while writers.contains(where: { !$0.isFinished }) { usleep(1_000) }
        running.store(false, ordering: .relaxed)
        while !sampler.isFinished { usleep(1_000) }
        #expect(committed.load(ordering: .relaxed) == 8 * 15, "every commit waited for a connection and landed")
        #expect(busiest.withLock { $0 } <= 3, "at most 3 of the store's connections were ever open at once")
        #expect(busiest.withLock { $0 } >= 1, "the sampler saw the store's connections")
    }

    @Test func aFailingStatementRollsBackThePipelineAndIsNamed() throws {
        guard let server = server() else { return }
        let database = try server.makeDatabase()
        defer { try? server.dropDatabases([database.name]) }
        let pool = try PostgresPool(conninfo: database.conninfo)
        _ = try pool.withConnection { (db: PostgresConnection) throws(PostgresError) in try db.run("CREATE TABLE t (id int PRIMARY KEY)") }
        let insert = "INSERT INTO t (id) VALUES ($1)"
        #expect(throws: Never.self) { try pool.pipeline([PostgresStatement(insert, ["1"])]) }
        do throws(PostgresPipelineFailure) {
            _ = try pool.pipeline([PostgresStatement(insert, ["2"]), PostgresStatement(insert, ["1"]), PostgresStatement(insert, ["3"])])
            Issue.record("a duplicate key in a pipeline fails it")
        } catch {
            #expect(error.index == 1, "the failure names the statement that failed")
            #expect(error.error.isUniqueViolation)
        }
        do throws(PostgresPipelineFailure) {
            _ = try pool.pipeline([PostgresStatement(insert, ["4"]), PostgresStatement(insert, ["5\u{0}"])])
            Issue.record("a NUL in a value fails the pipeline")
        } catch {
            #expect(error.index == 1 && error.error.sqlState == nil, "refused before anything was sent")
        }
        let after = try pool.pipeline([PostgresStatement("SELECT id FROM t ORDER BY id", [])])
        #expect(after.first?.rows == [["1"]], "nothing of a failed pipeline stays, and the connection serves the next one")
        _ = try pool.pipeline([PostgresStatement(insert, ["6"]), PostgresStatement(insert, ["7"])])
        let reused = try pool.pipeline([PostgresStatement("SELECT count(*) FROM t", [])])
        #expect(reused.first?.rows == [["3"]], "a statement prepared in a failed pipeline runs again")
    }
}

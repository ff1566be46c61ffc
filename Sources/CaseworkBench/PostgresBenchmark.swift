import Casework
import CaseworkDefinitions
import CaseworkPostgres
import CaseworkStore
import Foundation
import Synchronization

/// Issue 14's figure: durable commits per second on PostgreSQL through `PostgresCaseStore`, with 1 and 4 clients,
/// beside a raw floor measured in the same run on the same server: the same three statements (update with revision
/// check, audit insert, outbox insert) in one transaction through the raw libpq wrapper, with nothing else.
///
/// The database is named by `CASEWORK_BENCH_POSTGRES` (a libpq connection string of a database the bench may write:
/// an empty one, or a Casework store); without it the suite says so and measures nothing. Each client commits to
/// cases of its own, so the figures are throughput, not contention.
enum PostgresBenchmark {
    /// Commits each client makes per measurement.
    static let commits = 2_000

    static func run() {
        guard let conninfo = ProcessInfo.processInfo.environment["CASEWORK_BENCH_POSTGRES"] else {
            print("postgres: skipped; set CASEWORK_BENCH_POSTGRES to a libpq connection string of a database the bench may write")
            return
        }
        do {
            let store = try PostgresCaseStore(conninfo: conninfo)
            let pool = try PostgresPool(conninfo: conninfo)
            let run = UUID().uuidString.prefix(8)
            print("postgres: durable commits per second (one case change: update with revision check, one audit event, one outbox message)")
            print("  raw: the three statements alone, as BEGIN, three statements, COMMIT (5 round trips) and as one pipeline (1 round trip)")
            for clients in [1, 4] {
                let raw = try rate(clients: clients) { client, count in try rawCommits(pool, prefix: "raw-\(run)-\(clients)-\(client)", count: count) }
                let pipelined = try rate(clients: clients) { client, count in
                    try rawPipelinedCommits(pool, prefix: "rawp-\(run)-\(clients)-\(client)", count: count)
                }
                // The changes are made (records encoded, events hashed: the engine's work) before the clock starts.
                let changes = (0..<clients).map { client in storeChanges(prefix: "store-\(run)-\(clients)-\(client)", count: commits) }
                let driver = try rate(clients: clients) { client, _ in for change in changes[client] { try store.commit(change) } }
                print(
                    "  \(clients) client\(clients == 1 ? " " : "s")   raw 5 trips \(Measure.format(raw, decimals: 0))/s   raw 1 trip \(Measure.format(pipelined, decimals: 0))/s   store \(Measure.format(driver, decimals: 0))/s   store/raw-5 \(Measure.format(driver / raw, decimals: 2))   store/raw-1 \(Measure.format(driver / pipelined, decimals: 2))"
                )
            }
        } catch {
            print("postgres: benchmark failed: \(error)")
        }
    }

    /// Commits per second of `clients` threads each making `commits` commits through `body`.
    static func rate(clients: Int, commits: Int = commits, _ body: @escaping @Sendable (Int, Int) throws -> Void) throws -> Double {
        let failure = Mutex<String?>(nil)
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: clients) { client in
            do { try body(client, commits) } catch { failure.withLock { $0 = "\(error)" } }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if let message = failure.withLock({ $0 }) { throw PostgresError(sqlState: nil, message: message) }
        return Double(clients * commits) / seconds
    }

    /// The changes that open one case, then change it `count` times, each to be one commit.
    private static func storeChanges(prefix: String, count: Int) -> [CaseChange] {
        let id = prefix
        var head = AuditEvent.genesisHash
        return (1...count + 1).map { revision in
            let event = AuditEvent(caseID: id, sequence: revision, at: Date(timeIntervalSince1970: 1_757_000_000), actor: CaseActor(role: "caseworker", id: "b"),
                                   action: revision == 1 ? "opened" : "fired", subject: "t", fromState: revision == 1 ? nil : "open", toState: "open",
                                   revision: revision, input: [:], previousHash: head)
            head = event.hash
            let record = CaseRecord(id: id, workflow: "bench", workflowVersion: 1, state: "open", revision: revision, fields: [:], participants: [:], forms: [],
                                    openedAt: Date(timeIntervalSince1970: 1_757_000_000), updatedAt: Date(timeIntervalSince1970: 1_757_000_000), auditHead: head)
            let message = OutboxMessage(id: "\(id)/\(revision)/1", caseID: id, createdAt: Date(timeIntervalSince1970: 1_757_000_000), recipientRole: "parent",
                                        recipientID: nil, template: "t", subject: "s", body: "b")
            return CaseChange(record: record, expectedRevision: revision == 1 ? nil : revision - 1, events: [event], outbox: [message], idempotency: nil)
        }
    }

    /// The floor in one round trip: one case row, then `count` pipelines of the same three statements (the update
    /// with its revision check as a statement that fails, as the store sends it) with fixed small values.
    static func rawPipelinedCommits(_ pool: PostgresPool, prefix: String, count: Int) throws {
        let id = prefix
        _ = try pool.transaction { (db: PostgresConnection) throws(PostgresError) in
            try db.run("INSERT INTO cases (case_id, workflow, workflow_version, state, revision, updated_at, record) VALUES ($1, 'bench', 1, 'open', 1, 0, '{}')", [id])
        }
        for revision in 2...count + 1 {
            do throws(PostgresPipelineFailure) {
                _ = try pool.pipeline([
                    PostgresStatement("SELECT casework_update_case($1, $2, 'bench', 1, 'open', $3, 0, '{}')", [id, "\(revision - 1)", "\(revision)"]),
                    PostgresStatement("INSERT INTO audit_events (case_id, sequence, hash, event) VALUES ($1, $2, 'h', '{}')", [id, "\(revision)"]),
                    PostgresStatement("INSERT INTO outbox (case_id, id, created_at, attempts, message, channel) VALUES ($1, $2, 0, 0, '{}', 'portal')", [id, "\(id)/\(revision)/1"]),
                ])
            } catch {
                throw error.error
            }
        }
    }

    /// The floor: one case row, then `count` transactions of the same three statements with fixed small values.
    private static func rawCommits(_ pool: PostgresPool, prefix: String, count: Int) throws {
        let id = prefix
        _ = try pool.transaction { (db: PostgresConnection) throws(PostgresError) in
            try db.run("INSERT INTO cases (case_id, workflow, workflow_version, state, revision, updated_at, record) VALUES ($1, 'bench', 1, 'open', 1, 0, '{}')", [id])
        }
        for revision in 2...count + 1 {
            try pool.transaction { (db: PostgresConnection) throws(PostgresError) in
                let changed = try db.run("UPDATE cases SET revision = $1, record = '{}' WHERE case_id = $2 AND revision = $3", ["\(revision)", id, "\(revision - 1)"])
                guard changed.changed == 1 else { throw PostgresError(sqlState: nil, message: "the raw floor lost its revision") }
                try db.run("INSERT INTO audit_events (case_id, sequence, hash, event) VALUES ($1, $2, 'h', '{}')", [id, "\(revision)"])
                try db.run("INSERT INTO outbox (case_id, id, created_at, attempts, message, channel) VALUES ($1, $2, 0, 0, '{}', 'portal')", [id, "\(id)/\(revision)/1"])
            }
        }
    }
}

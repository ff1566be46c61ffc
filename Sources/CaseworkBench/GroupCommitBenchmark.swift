import CSQLite
import Casework
import CaseworkPostgres
import CaseworkSQLite
import Foundation
import Synchronization

/// Issue 16's group commit figure: durable fires per second of 8 concurrent callers of one ``CaseService`` on one
/// SQLite store (WAL, `synchronous=FULL`, as the store runs), whose commits the service gathers into shared
/// transactions, beside the floor of one transaction per fire measured in the same process: the engine benchmark's
/// three statements through the C API from 8 threads. The floor's threads share one connection, taking turns under a
/// lock, so none waits in SQLite's polling busy handler: the fastest one-transaction-per-fire can go, one `fsync` each.
/// One caller of the service is printed for reference (its commits have no one to share with).
///
/// With `CASEWORK_BENCH_POSTGRES` set (see ``PostgresBenchmark``), the same on PostgreSQL, beside the raw one-pipeline
/// commit per fire from 8 threads with a connection each. With `CASEWORK_BENCH_CPU` set as well, it also prints each
/// measurement's CPU a fire, this process's and the server's when it runs on this machine (``ProcessCPU``), and how
/// busy the machine's cores were meanwhile.
enum GroupCommitBenchmark {
    /// The concurrent callers.
    static let callers = 8
    /// The fires each measurement makes, shared out among its callers.
    static let fires = 480
    /// The runs of each measurement, the fastest kept: `fsync` times on a shared machine wander.
    static let repetitions = 5

    /// The fastest of ``repetitions`` runs of each of `runs`, with that run's result, taken in turn (one run of each per
    /// round), so a spell of slow or fast `fsync`s on the shared machine falls on all of them alike.
    private static func interleaved(_ runs: [() throws -> Int]) throws -> [(seconds: Double, result: Int)] {
        try interleaved(runs, cpu: nil).best
    }

    /// ``interleaved(_:)``, also adding up each measurement's CPU over all its runs as `cpu` reads it (its wall time
    /// beside it), so the report can say where a fire's CPU went.
    private static func interleaved(
        _ runs: [() throws -> Int], cpu: ProcessCPU?
    ) throws -> (best: [(seconds: Double, result: Int)], used: [(cpu: ProcessCPU.Reading, seconds: Double)]) {
        var best = Array(repeating: (seconds: Double.infinity, result: 0), count: runs.count)
        var used = Array(repeating: (cpu: ProcessCPU.Reading.zero, seconds: 0.0), count: runs.count)
        for _ in 0..<repetitions {
            for (index, run) in runs.enumerated() {
                let before = cpu?.read()
                let start = DispatchTime.now().uptimeNanoseconds
                let result = try run()
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if let cpu, let before { used[index] = (used[index].cpu + (cpu.read() - before), used[index].seconds + seconds) }
                if seconds < best[index].seconds { best[index] = (seconds, result) }
            }
        }
        return (best, used)
    }

    /// What reads the CPU of this process and of the server `pool` reaches, for `CASEWORK_BENCH_CPU=1`.
    private static func serverCPU(_ pool: PostgresPool) throws -> ProcessCPU {
        let row = try pool.read { (db: PostgresConnection) throws(PostgresError) in
            try db.run("SELECT pg_backend_pid(), current_database()").rows.first ?? []
        }
        return ProcessCPU(serverBackend: row.first.flatMap { $0.flatMap { Int32($0) } }, database: row.count > 1 ? row[1] ?? "" : "")
    }

    /// Prints where each measurement's CPU went, per fire over all its runs: this process's (the callers, the drain,
    /// libpq), the server's processes', and how busy the machine's cores were meanwhile (other work included).
    private static func reportCPU(_ used: [(cpu: ProcessCPU.Reading, seconds: Double)], labels: [String]) {
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        print("  CPU a fire over \(repetitions) runs each (bench process, server processes; machine busy, of \(Int(cores)) cores):")
        for (label, use) in zip(labels, used) {
            let fires = Double(fires * repetitions)
            let server = use.cpu.server.map { Measure.format($0 / fires * 1e6, decimals: 0) + " µs" } ?? "not local"
            let busy = use.cpu.machineTotal > 0 ? use.cpu.machineBusy / use.cpu.machineTotal * 100 : 0
            let ours = ((use.cpu.bench + (use.cpu.server ?? 0)) / use.seconds) / cores * 100
            print("    \(label)bench \(Measure.format(use.cpu.bench / fires * 1e6, decimals: 0)) µs, server \(server); machine \(Measure.format(busy, decimals: 0)) % busy, bench + server \(Measure.format(ours, decimals: 0)) %")
        }
    }

    /// The fires per transaction of a run of ``fires`` fires written in `batches` batches.
    private static func perBatch(_ batches: Int) -> String {
        Measure.format(Double(fires) / Double(max(batches, 1)), decimals: 1)
    }

    /// Runs the suite: SQLite, then PostgreSQL when a database is named.
    static func run() {
        runSQLite()
        runPostgres()
    }

    /// The SQLite part alone (`group-commit-sqlite`), for a profile of one store's path.
    static func runSQLite() {
        do {
            try onSQLite()
        } catch {
            print("group-commit: SQLite benchmark failed: \(error)")
        }
    }

    /// The PostgreSQL part alone (`group-commit-postgres`), when a database is named.
    static func runPostgres() {
        guard let conninfo = ProcessInfo.processInfo.environment["CASEWORK_BENCH_POSTGRES"] else {
            print("group-commit (PostgreSQL): skipped; set CASEWORK_BENCH_POSTGRES to a libpq connection string of a database the bench may write")
            return
        }
        do {
            try onPostgres(conninfo)
        } catch {
            print("group-commit: PostgreSQL benchmark failed: \(error)")
        }
    }

    /// The SQLite figures, on fresh files in a scratch directory.
    static func onSQLite() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var round = 0
        func path(_ kind: String) -> String {
            round += 1
            return directory.appendingPathComponent("\(kind)-\(round).sqlite").path
        }
        let best = try interleaved([
            { try serviceFires(SQLiteCaseStore(path: path("grouped")).driver, callers: callers, prefix: "g") },
            { try serviceFires(SQLiteCaseStore(path: path("alone")).driver, callers: 1, prefix: "a") },
            { try rawTransactions(path: path("raw"), threads: callers, count: fires) },
        ])
        report("SQLite, WAL, synchronous=FULL", best, floor: "raw C API, \(callers) threads    ", "transactions/s (one per fire: update + audit insert + outbox insert)")
    }

    /// The PostgreSQL figures, on fresh cases in the database `conninfo` names.
    static func onPostgres(_ conninfo: String) throws {
        let store = try PostgresCaseStore(conninfo: conninfo)
        let pool = try PostgresPool(conninfo: conninfo)
        let run = UUID().uuidString.prefix(8)
        var round = 0
        func prefix(_ kind: String) -> String {
            round += 1
            return "\(kind)-\(run)-\(round)"
        }
        let cpu = ProcessInfo.processInfo.environment["CASEWORK_BENCH_CPU"] == nil ? nil : try serverCPU(pool)
        let (best, used) = try interleaved([
            { try serviceFires(store.driver, callers: callers, prefix: prefix("g")) },
            { try serviceFires(store.driver, callers: 1, prefix: prefix("a")) },
            {
                let raw = prefix("raw")
                _ = try PostgresBenchmark.rate(clients: callers, commits: fires / callers) { client, count in
                    try PostgresBenchmark.rawPipelinedCommits(pool, prefix: "\(raw)-\(client)", count: count)
                }
                return fires / callers * callers
            },
        ], cpu: cpu)
        report("PostgreSQL", best, floor: "raw 1 trip, \(callers) clients   ", "commits/s (one pipeline per fire: update + audit insert + outbox insert)")
        if cpu != nil { reportCPU(used, labels: ["\(callers) callers, grouped  ", "1 caller              ", "raw 1 trip, \(callers) clients"].map { $0 + "  " }) }
    }

    /// Prints one store's figures from ``interleaved(_:)``'s answers for the grouped callers (whose result is their
    /// batch count), the lone caller and the floor.
    private static func report(_ store: String, _ best: [(seconds: Double, result: Int)], floor label: String, _ unit: String) {
        let (grouped, alone, floor) = (best[0].seconds, best[1].seconds, best[2].seconds)
        print("group-commit (\(store)): \(fires) durable fires of the engine benchmark's transition through one service")
        print("  \(callers) callers, grouped      \(Measure.format(Double(fires) / grouped, decimals: 0)) fires/s, \(perBatch(best[0].result)) fires per transaction")
        print("  1 caller (reference)     \(Measure.format(Double(fires) / alone, decimals: 0)) fires/s")
        print("  \(label)\(Measure.format(Double(fires) / floor, decimals: 0)) \(unit)")
        print("  grouped / raw speed      \(Measure.format(floor / grouped, decimals: 2)) (goal: 2.00 or more)")
    }

    /// Opens a case for each of `callers` concurrent callers of one service over `driver`, then has each fire on its
    /// own case until ``fires`` fires are made in all; returns how many batches the service wrote them in.
    static func serviceFires(_ driver: any CaseStoreDriver, callers: Int, prefix: String) throws -> Int {
        let catalog = try DefinitionCatalog.load(sources: [(file: "bench.yaml", text: EngineBenchmark.workflow)])
        let actor = CaseActor(role: "caseworker", id: "b")
        return try blocking {
            let service = try await CaseService(catalog: catalog, driver: driver, clock: ManualClock(Date(timeIntervalSince1970: 1_756_717_200)))
            for caller in 0..<callers {
                _ = try await service.open(workflow: "bench", as: actor, caseID: "\(prefix)-\(caller)",
                                           fields: ["evidence_complete": .bool(true), "child.first_name": .string("Sam")])
            }
            let opened = service.committer.batchCount
            try await withThrowingTaskGroup(of: Void.self) { group in
                for caller in 0..<callers {
                    group.addTask {
                        for index in 0..<fires / callers {
                            _ = try await service.fire(FireRequest(caseID: "\(prefix)-\(caller)", transition: "record", actor: actor,
                                                                   input: ["weeks_waited": .int(index)]))
                        }
                    }
                }
                try await group.waitForAll()
            }
            return service.committer.batchCount - opened
        }
    }

    /// Runs `body` on Swift concurrency and waits for it on this thread.
    private static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                let value = try await body()
                outcome.withLock { $0 = .success(value) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        guard let result = outcome.withLock({ $0 }) else { throw Measure.MeasureError.noResult }
        return try result.get()
    }

    /// The floor: `threads` threads, each changing a case of its own, make `count` transactions in all of the engine
    /// benchmark's three statements, one transaction per fire, taking turns on one connection.
    static func rawTransactions(path: String, threads: Int, count: Int) throws -> Int {
        let connection = Mutex(try RawConnection(path: path, cases: threads))
        defer { connection.withLock { $0.close() } }
        let failure = Mutex<String?>(nil)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for index in 0..<count / threads {
                let failed = connection.withLock { $0.fire(caseID: "c\(thread)", revision: Int64(index + 2)) }
                if let failed {
                    failure.withLock { $0 = failed }
                    return
                }
            }
        }
        if let failed = failure.withLock({ $0 }) { throw EngineBenchmark.RawError.failed(failed) }
        return count / threads * threads
    }

    /// The floor's one connection, its tables with cases `c0`… and its three prepared statements, used under a lock
    /// by one thread at a time.
    private struct RawConnection {
        let db: OpaquePointer
        var update: OpaquePointer?, audit: OpaquePointer?, outbox: OpaquePointer?
        let record = String(repeating: "r", count: 600)
        let event = String(repeating: "e", count: 500)
        let message = String(repeating: "m", count: 300)

        init(path: String, cases: Int) throws {
            var opened: OpaquePointer?
            guard sqlite3_open(path, &opened) == SQLITE_OK, let db = opened else { throw EngineBenchmark.RawError.failed("open") }
            self.db = db
            let rows = (0..<cases).map { "INSERT INTO cases VALUES ('c\($0)', 'open', 1, '{}');" }.joined(separator: " ")
            let setup = """
                PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
                CREATE TABLE cases (id TEXT PRIMARY KEY, state TEXT, revision INTEGER, record TEXT);
                CREATE TABLE audit_events (case_id TEXT, sequence INTEGER, hash TEXT, event TEXT, PRIMARY KEY (case_id, sequence));
                CREATE TABLE outbox (id TEXT PRIMARY KEY, case_id TEXT, created_at INTEGER, message TEXT);
                \(rows)
                """
            guard sqlite3_exec(db, setup, nil, nil, nil) == SQLITE_OK else {
                sqlite3_close(db)
                throw EngineBenchmark.RawError.failed("setup")
            }
            sqlite3_prepare_v2(db, "UPDATE cases SET revision = ?, record = ? WHERE id = ? AND revision = ?", -1, &update, nil)
            sqlite3_prepare_v2(db, "INSERT INTO audit_events VALUES (?, ?, 'hash', ?)", -1, &audit, nil)
            sqlite3_prepare_v2(db, "INSERT INTO outbox VALUES (?, ?, 0, ?)", -1, &outbox, nil)
        }

        /// One fire's transaction on `caseID`, to `revision`; what failed, or nil.
        func fire(caseID: String, revision: Int64) -> String? {
            let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
            guard sqlite3_exec(db, "BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK else { return "begin" }
            sqlite3_bind_int64(update, 1, revision)
            sqlite3_bind_text(update, 2, record, -1, transient)
            sqlite3_bind_text(update, 3, caseID, -1, transient)
            sqlite3_bind_int64(update, 4, revision - 1)
            sqlite3_bind_text(audit, 1, caseID, -1, transient)
            sqlite3_bind_int64(audit, 2, revision)
            sqlite3_bind_text(audit, 3, event, -1, transient)
            sqlite3_bind_text(outbox, 1, "\(caseID)/\(revision)/1", -1, transient)
            sqlite3_bind_text(outbox, 2, caseID, -1, transient)
            sqlite3_bind_text(outbox, 3, message, -1, transient)
            for statement in [update, audit, outbox] {
                guard sqlite3_step(statement) == SQLITE_DONE else { return "step" }
                sqlite3_reset(statement)
            }
            guard sqlite3_exec(db, "COMMIT", nil, nil, nil) == SQLITE_OK else { return "commit" }
            return nil
        }

        /// Frees the statements and closes the connection.
        func close() {
            sqlite3_finalize(update)
            sqlite3_finalize(audit)
            sqlite3_finalize(outbox)
            sqlite3_close(db)
        }
    }
}

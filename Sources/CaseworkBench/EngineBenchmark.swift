import CSQLite
import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkSQLite
import CaseworkStore
import CaseworkTestSupport
import CaseworkTime
import Foundation

/// Issues 5 and 16's benchmark: microseconds per fire in memory (median of batches) beside a hand-written fire, and fires
/// per second durably on SQLite beside raw C API transactions, each floor measured in the same process.
enum EngineBenchmark {
    static let workflow = """
        workflow: bench
        version: 1
        title: Benchmark
        roles: [caseworker, parent]
        fields:
          evidence_complete: bool
          weeks_waited: int
          child: { first_name: string }
        states:
          open: { initial: true }
          closed: { final: true }
        transitions:
          - name: record
            from: open
            to: open
            by: [caseworker]
            input: { weeks_waited: required }
            when: evidence_complete and weeks_waited < 1000000
            notify: [{ to: [parent], template: recorded }]
          - name: close
            from: open
            to: closed
            by: [caseworker]
        templates:
          recorded: { subject: "Case {{ case.id }} updated", body: "We recorded week {{ weeks_waited }} for {{ child.first_name }}." }

        """

    static func run() {
        do {
            try inMemory()
            try onSQLite()
        } catch {
            print("engine: benchmark failed: \(error)")
        }
    }

    /// The in-memory fires alone (`casework-bench engine-memory`), without the SQLite part: what a profiler of the
    /// fire path runs.
    static func runInMemory() {
        do {
            try inMemory()
        } catch {
            print("engine: benchmark failed: \(error)")
        }
    }

    /// The same workflow under the policy benchmark's access policy (19 rules, loaded with the policy benchmark's own
    /// workflow, whose states it names), so each fire also takes an access decision, as every fire of a shipped
    /// workflow does.
    static var policedWorkflow: String {
        workflow.replacingOccurrences(of: "workflow: bench\n", with: "workflow: bench-policed\npolicy: bench-portal\n")
    }

    /// The caseworker's attributes the policy reads.
    static let attributes: [String: ExpressionValue] = ["relationship": .string("caseworker"), "second_factor_verified": .bool(true)]

    static func engine(_ store: any CaseStore, policed: Bool = false) throws -> Engine {
        let sources = policed
            ? [(file: "bench-policed.yaml", text: policedWorkflow)] + PolicyWorkload.sources
            : [(file: "bench.yaml", text: workflow)]
        let catalog = try DefinitionCatalog.load(sources: sources)
        let engine = try Engine(catalog: catalog, store: store, clock: ManualClock(Date(timeIntervalSince1970: 1_756_717_200)))
        _ = try engine.open(workflow: policed ? "bench-policed" : "bench", as: CaseActor(role: "caseworker", id: "b"), caseID: "c1",
                            fields: ["evidence_complete": ExpressionValue.bool(true), "child.first_name": .string("Sam")],
                            attributes: policed ? attributes : [:])
        return engine
    }

    /// The fire the benchmark times: the guarded self-loop with the next value of its input.
    static func request(_ index: Int, attributes: [String: ExpressionValue] = [:]) -> FireRequest {
        FireRequest(caseID: "c1", transition: "record", actor: CaseActor(role: "caseworker", id: "b"), input: ["weeks_waited": .int(index)], attributes: attributes)
    }

    /// One fire in memory without a policy; never inlined, so a profiler can count these fires alone (`--toggle-collect`
    /// on its symbol).
    @inline(never)
    static func fire(_ engine: Engine, _ index: Int) throws {
        _ = try engine.fire(request(index))
    }

    /// One fire in memory under the policy, as the caseworker with the attributes it reads; never inlined, like ``fire(_:_:)``.
    @inline(never)
    static func firePoliced(_ engine: Engine, _ index: Int) throws {
        _ = try engine.fire(request(index, attributes: attributes))
    }

    /// Fires per timed batch, and batches per run: the median batch gives the figure.
    static let batch = 200
    static let batches = 101

    /// The median over ``batches`` batches of ``batch`` fires of `body`, in microseconds per fire.
    static func medianMicroseconds(_ body: (Int) throws -> Void) rethrows -> Double {
        var perFire: [Double] = []
        var index = 0
        for _ in 0..<batches {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<batch {
                try body(index)
                index += 1
            }
            perFire.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000 / Double(batch))
        }
        return perFire.sorted()[batches / 2]
    }

    static func inMemory() throws {
        let engine = try engine(InMemoryCaseStore())
        for index in 0..<1_000 { try fire(engine, index) }
        let engineTime = try medianMicroseconds { try fire(engine, $0) }
        var floor = HandWrittenFire()
        let floorTime = medianMicroseconds { floor.fire($0) }
        let policedEngine = try Self.engine(InMemoryCaseStore(), policed: true)
        for index in 0..<1_000 { try firePoliced(policedEngine, index) }
        let policedTime = try medianMicroseconds { try firePoliced(policedEngine, $0) }
        print("engine (in memory): \(batch * batches) fires of a guarded transition that sets a field, audits and notifies, median of \(batches) batches")
        print("  engine fire              \(Measure.format(engineTime, decimals: 2)) µs (goal: 3.00 or less)")
        print("  hand-written fire        \(Measure.format(floorTime, decimals: 2)) µs (guard, field set, SHA-256 of a \(floor.eventBytes)-byte event, notification text)")
        print("  floor / engine           \(Measure.format(floorTime / engineTime, decimals: 3))")
        print("  engine fire with policy  \(Measure.format(policedTime, decimals: 2)) µs (the same under a 19-rule access policy: the fire's access decision included; goal: 3.00 or less)")
        print("  floor / with policy      \(Measure.format(floorTime / policedTime, decimals: 3))")
    }

    /// The floor: the same fire written by hand for this one workflow, doing what cannot be left out (check the guard,
    /// set the field, hash an event of the engine's size chained to the last, render the notification), without the
    /// engine's generality (access decisions, definitions, typed input checks, deadlines, an outbox with ids).
    struct HandWrittenFire {
        var fields: [String: ExpressionValue] = ["evidence_complete": .bool(true), "child.first_name": .string("Sam")]
        var revision = 1
        var head = String(repeating: "0", count: 64)
        var outbox: [String] = []
        var eventBytes = 0

        mutating func fire(_ index: Int) {
            guard case .bool(true) = fields["evidence_complete"], index < 1_000_000, case .string(let name) = fields["child.first_name"] else { return }
            fields["weeks_waited"] = .int(index)
            revision += 1
            let event = #"{"action":"fired","actor":{"id":"b","role":"caseworker"},"atMilliseconds":1756717200000,"caseID":"c1","change":{"setFields":{"weeks_waited":{"int":\#(index)}}},"fromState":"open","input":{"weeks_waited":{"int":\#(index)}},"previousHash":"\#(head)","revision":\#(revision),"sequence":\#(revision),"subject":"record","toState":"open"}"#
            eventBytes = event.utf8.count
            head = SHA256.hex(event)
            outbox.append("We recorded week \(index) for \(name).")
            if outbox.count > 1_000 { outbox.removeAll(keepingCapacity: true) }
        }
    }

    static func onSQLite() throws {
        let fires = 300
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var round = 0
        let (engineTime, _) = try Measure.bestThrowing(repetitions: 3) { () throws -> Int in
            round += 1
            let engine = try engine(try SQLiteCaseStore(path: directory.appendingPathComponent("engine-\(round).sqlite").path))
            for index in 0..<fires { _ = try engine.fire(request(index)) }
            return fires
        }
        let (floorTime, _) = try Measure.bestThrowing(repetitions: 3) { () throws -> Int in
            round += 1
            return try rawTransactions(path: directory.appendingPathComponent("raw-\(round).sqlite").path, count: fires)
        }
        print("engine (SQLite, WAL, synchronous=FULL): \(fires) durable fires")
        print("  engine fires             \(Measure.format(Double(fires) / engineTime, decimals: 0)) fires/s")
        print("  raw C API transactions   \(Measure.format(Double(fires) / floorTime, decimals: 0)) transactions/s (update + audit insert + outbox insert)")
        print("  engine / raw speed       \(Measure.format(floorTime / engineTime, decimals: 2)) (goal: 0.50 or more)")
    }

    /// The floor: the same three statements per fire, in one transaction each, straight through the C API.
    static func rawTransactions(path: String, count: Int) throws -> Int {
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK else { throw RawError.failed("open") }
        defer { sqlite3_close(db) }
        let setup = """
            PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
            CREATE TABLE cases (id TEXT PRIMARY KEY, state TEXT, revision INTEGER, record TEXT);
            CREATE TABLE audit_events (case_id TEXT, sequence INTEGER, hash TEXT, event TEXT, PRIMARY KEY (case_id, sequence));
            CREATE TABLE outbox (id TEXT PRIMARY KEY, case_id TEXT, created_at INTEGER, message TEXT);
            INSERT INTO cases VALUES ('c1', 'open', 1, '{}');
            """
        guard sqlite3_exec(db, setup, nil, nil, nil) == SQLITE_OK else { throw RawError.failed("setup") }
        var mode: OpaquePointer?
        sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &mode, nil)
        let isWAL = sqlite3_step(mode) == SQLITE_ROW && sqlite3_column_text(mode, 0).map { String(cString: $0) } == "wal"
        sqlite3_finalize(mode)
        guard isWAL else { throw RawError.failed("the floor database is not in WAL mode") }
        let record = String(repeating: "r", count: 600)
        let event = String(repeating: "e", count: 500)
        let message = String(repeating: "m", count: 300)
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        var update: OpaquePointer?, audit: OpaquePointer?, outbox: OpaquePointer?
        sqlite3_prepare_v2(db, "UPDATE cases SET revision = ?, record = ? WHERE id = 'c1' AND revision = ?", -1, &update, nil)
        sqlite3_prepare_v2(db, "INSERT INTO audit_events VALUES ('c1', ?, 'hash', ?)", -1, &audit, nil)
        sqlite3_prepare_v2(db, "INSERT INTO outbox VALUES (?, 'c1', 0, ?)", -1, &outbox, nil)
        defer { sqlite3_finalize(update); sqlite3_finalize(audit); sqlite3_finalize(outbox) }
        for index in 0..<count {
            let revision = Int64(index + 2)
            guard sqlite3_exec(db, "BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK else { throw RawError.failed("begin") }
            sqlite3_bind_int64(update, 1, revision)
            sqlite3_bind_text(update, 2, record, -1, transient)
            sqlite3_bind_int64(update, 3, revision - 1)
            sqlite3_bind_int64(audit, 1, revision)
            sqlite3_bind_text(audit, 2, event, -1, transient)
            sqlite3_bind_text(outbox, 1, "c1/\(revision)/1", -1, transient)
            sqlite3_bind_text(outbox, 2, message, -1, transient)
            for statement in [update, audit, outbox] {
                guard sqlite3_step(statement) == SQLITE_DONE else { throw RawError.failed("step") }
                sqlite3_reset(statement)
            }
            guard sqlite3_exec(db, "COMMIT", nil, nil, nil) == SQLITE_OK else { throw RawError.failed("commit") }
        }
        return count
    }

    enum RawError: Error {
        case failed(String)
    }
}

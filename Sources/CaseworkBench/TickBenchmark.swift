import CSQLite
import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkSQLite
import CaseworkStore
import CaseworkTime
import Foundation

/// Issue 6's benchmark: `tick` with 1,000 due deadlines among 1,000 open ones and among 1,000,000, in memory and on SQLite.
enum TickBenchmark {
    static let workflow = """
        workflow: ticking
        version: 1
        title: Tick benchmark
        roles: [caseworker, send_manager]
        fields: { requested_on: date }
        states:
          open: { initial: true }
          done: { final: true }
        transitions:
          - { name: finish, from: open, to: done, by: [caseworker] }
        deadlines:
          - { name: decide, from: requested_on, due: 6 weeks, until: [done], on_breach: { notify: [send_manager] } }

        """

    static let start = CalendarDate(year: 2025, month: 9, day: 1)!
    static let due = 1_000

    static func run() {
        do {
            let memorySmall = try measure(store: InMemoryCaseStore(), open: due, filler: { _, _ in })
            let memoryLarge = try measure(store: InMemoryCaseStore(), open: 1_000_000, filler: { store, count in try fillInMemory(store, count) })
            print("tick: \(due) due deadlines, in memory")
            print("  among 1,000 open        \(Measure.format(memorySmall * 1000)) ms")
            print("  among 1,000,000 open    \(Measure.format(memoryLarge * 1000)) ms")
            print("  ratio                   \(Measure.format(memoryLarge / memorySmall, decimals: 2)) (goal: near 1)")
            let fillers = 1_000_000 - due
            if let withAlarms = try probe("\(fillingProbe)-alarms", count: fillers), let casesOnly = try probe("\(fillingProbe)-cases", count: fillers) {
                print("  memory per open case    \(withAlarms / fillers) bytes (resident growth of a fresh process committing \(fillers) cases, each with one open deadline, / their count)")
                print("  memory per open deadline \(max(0, withAlarms - casesOnly) / fillers) bytes (the same less a fresh process committing the same cases with no deadline; goal: 200 or fewer)")
            }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-tick-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let small = directory.appendingPathComponent("small.sqlite").path
            let large = directory.appendingPathComponent("large.sqlite").path
            let sqliteSmall = try measure(store: SQLiteCaseStore(path: small), open: due, filler: { _, _ in })
            Measure.resetPeakResident()
            let before = Measure.residentBytes()
            let sqliteLarge = try measure(store: SQLiteCaseStore(path: large), open: 1_000_000) { _, count in try fillSQLite(path: large, count: count) }
            let sqlitePeak = Measure.peakResidentBytes()
            print("tick: \(due) due deadlines, SQLite (WAL, synchronous=FULL, one commit per action)")
            print("  among 1,000 open        \(Measure.format(sqliteSmall * 1000)) ms")
            print("  among 1,000,000 open    \(Measure.format(sqliteLarge * 1000)) ms")
            print("  ratio                   \(Measure.format(sqliteLarge / sqliteSmall, decimals: 2)) (goal: near 1)")
            if let before, let sqlitePeak {
                print("  memory per open deadline \(max(0, sqlitePeak - before) / 1_000_000) bytes (peak resident growth while opening, filling and ticking among 1,000,000 / 1,000,000; the index lives in the file)")
            }
        } catch {
            print("tick: benchmark failed: \(error)")
        }
    }

    /// Opens `due` cases whose deadline has passed, adds `open - due` alarms that are not due, then times one tick.
    static func measure(store: any CaseStore, open: Int, filler: (any CaseStore, Int) throws -> Void) throws -> Double {
        let clock = ManualClock(start.start())
        let catalog = try DefinitionCatalog.load(sources: [(file: "ticking.yaml", text: workflow)])
        let engine = try Engine(catalog: catalog, store: store, clock: clock)
        for index in 0..<due {
            _ = try engine.open(workflow: "ticking", as: CaseActor(role: "caseworker", id: "b"), caseID: "due-\(index)", fields: ["requested_on": .date(start)])
        }
        try filler(store, open - due)
        clock.set(start.adding(days: 60).start())
        let begin = DispatchTime.now().uptimeNanoseconds
        let actions = try engine.tick(limit: 100_000)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9
        guard actions.count == due else { throw BenchError.unexpected("tick applied \(actions.count) actions, expected \(due)") }
        return seconds
    }

    /// The name of the hidden command that fills an in-memory store in a process of its own and prints how much its
    /// resident memory grew: each fill needs a fresh heap, or it reuses what an earlier one freed and looks cheaper.
    static let fillingProbe = "tick-fill"

    /// Runs `casework-bench NAME COUNT` (a ``fill(probe:count:)``) as a child process and reads the bytes it prints;
    /// nil where resident memory cannot be read.
    static func probe(_ name: String, count: Int) throws -> Int? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = [name, "\(count)"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError.unexpected("\(name) exited with \(process.terminationStatus)") }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The probe's side: `arguments` are `[tick-fill-alarms|tick-fill-cases, COUNT]`; commits COUNT filler cases (with or
    /// without their alarm) to a fresh in-memory store and prints the resident growth in bytes, or nothing where it
    /// cannot be read. False when `arguments` are not a probe's.
    static func fill(probe arguments: [String]) throws -> Bool {
        guard arguments.count == 2, arguments[0].hasPrefix(fillingProbe), let count = Int(arguments[1]) else { return false }
        let withAlarms = arguments[0] == "\(fillingProbe)-alarms"
        let store = InMemoryCaseStore()
        let before = Measure.residentBytes()
        try fillInMemory(store, count, withAlarms: withAlarms)
        if let before, let after = Measure.residentBytes() { print(max(0, after - before)) }
        withExtendedLifetime(store) {}
        return true
    }

    /// Filler cases in memory, each with one breach alarm spread over the next three years (never due in the benchmark),
    /// or with none, to tell what the alarms cost from what the cases cost.
    static func fillInMemory(_ store: any CaseStore, _ count: Int, withAlarms: Bool = true) throws {
        for index in 0..<count {
            let day = start.adding(days: 400 + index % 1_000)
            let record = CaseRecord(id: "open-\(index)", workflow: "ticking", workflowVersion: 1, state: "open", revision: 1, fields: [:],
                                    participants: [:], forms: [], openedAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0), auditHead: "")
            try store.commit(CaseChange(record: record, expectedRevision: nil, events: [], outbox: [], idempotency: nil,
                                        alarms: withAlarms ? [DeadlineAlarm(caseID: record.id, deadline: "decide", kind: "breach", dueAt: day.start())] : []))
        }
    }

    /// Filler alarms written straight into the SQLite index in one transaction (their cases are never loaded).
    static func fillSQLite(path: String, count: Int) throws {
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK else { throw BenchError.unexpected("open") }
        defer { sqlite3_close(db) }
        sqlite3_exec(db, "BEGIN", nil, nil, nil)
        var statement: OpaquePointer?
        sqlite3_prepare_v2(db, "INSERT INTO deadline_alarms (case_id, deadline, kind, due_at) VALUES (?, 'decide', 'breach', ?)", -1, &statement, nil)
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for index in 0..<count {
            let day = start.adding(days: 400 + index % 1_000)
            sqlite3_bind_text(statement, 1, "open-\(index)", -1, transient)
            sqlite3_bind_int64(statement, 2, Int64(day.start().timeIntervalSince1970 * 1000))
            guard sqlite3_step(statement) == SQLITE_DONE else { throw BenchError.unexpected("insert") }
            sqlite3_reset(statement)
        }
        sqlite3_finalize(statement)
        guard sqlite3_exec(db, "COMMIT", nil, nil, nil) == SQLITE_OK else { throw BenchError.unexpected("commit") }
    }

    enum BenchError: Error {
        case unexpected(String)
    }
}

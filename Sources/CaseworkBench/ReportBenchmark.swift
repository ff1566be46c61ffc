import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkExpressions
import CaseworkSQLite
import CaseworkStore
import CaseworkTime
import Foundation

/// Issue 13's benchmark: `report timeliness` over a generated year of 2,000 cases on SQLite, beside the floor of
/// reading every case's record through the same store in the same process.
enum ReportBenchmark {
    static let workflow = """
        workflow: reported
        version: 1
        title: Report benchmark
        roles: [caseworker, send_manager]
        fields: { requested_on: date, issued_on: date }
        states:
          open: { initial: true }
          issued: { final: true }
        transitions:
          - { name: issue, from: open, to: issued, by: [caseworker], input: { issued_on: required } }
        deadlines:
          - { name: final_plan, from: requested_on, due: 20 weeks, until: [issued], met_by: issued_on, on_breach: { notify: [send_manager] } }

        """

    static let cases = 2_000

    static func run() {
        do {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-report-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = try SQLiteCaseStore(path: directory.appendingPathComponent("year.sqlite").path, options: .init(synchronous: .normal))
            let clock = ManualClock(CalendarDate(year: 2025, month: 1, day: 1)!.start())
            let engine = try Engine(catalog: try DefinitionCatalog.load(sources: [(file: "reported.yaml", text: workflow)]), store: store, clock: clock)
            let first = CalendarDate(year: 2024, month: 9, day: 1)!
            for index in 0..<cases {
                let requested = first.adding(days: index * 487 / cases)
                clock.set(requested.start().addingTimeInterval(9 * 3600))
                _ = try engine.open(workflow: "reported", as: .operator(), caseID: "c\(index)", fields: ["requested_on": .date(requested)])
                guard index % 5 != 0 else { continue }
                let issued = requested.adding(days: 120 + index % 40)
                clock.set(issued.start().addingTimeInterval(10 * 3600))
                _ = try engine.fire(FireRequest(caseID: "c\(index)", transition: "issue", actor: .operator(), input: ["issued_on": .date(issued)]))
            }
            clock.set(CalendarDate(year: 2026, month: 1, day: 5)!.start())
            let from = CalendarDate(year: 2025, month: 1, day: 1)!
            let to = CalendarDate(year: 2025, month: 12, day: 31)!
            let floor = try Measure.bestThrowing(repetitions: 5) { () throws -> Int in
                try store.caseIDs().compactMap { try store.load(caseID: $0) }.count
            }
            let report = try Measure.bestThrowing(repetitions: 5) { try engine.timelinessReport(from: from, to: to, as: .operator()) }
            let line = report.result.lines.first
            print("report timeliness: \(cases) cases over a year, SQLite")
            print("  read every record (floor)   \(Measure.format(floor.seconds * 1000)) ms")
            print("  the report                  \(Measure.format(report.seconds * 1000)) ms  (\(report.result.entries.count) clocks listed)")
            print("  ratio                       \(Measure.format(report.seconds / floor.seconds, decimals: 2))")
            if let line { print("  final_plan: fell due \(line.fellDue), met in the period \(line.metInPeriod), on time \(line.metOnTimeInPeriod)") }
        } catch {
            print("report: benchmark failed: \(error)")
        }
    }
}

@testable import CaseworkCommandLine
@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation
import Testing

/// `casework report timeliness` over a generated year: every figure is recomputed from the per-case listing, and the
/// listing from the stored clocks, so an auditor can trace each number to its cases.
@Suite("Timeliness report")
struct TimelinessReportTests {
    /// A small deterministic generator, so a failing year can be made again.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// A year of cases on the facts workflow: requests from September 2024 to December 2025, each then issued in
    /// time, issued late (some recorded after the fact), excused or paused under an exception, withdrawn, or left.
    static func year(cases: Int, seed: UInt64) throws -> (engine: Engine, store: InMemoryCaseStore) {
        let store = InMemoryCaseStore()
        let clock = ManualClock(DeadlineFactsTests.day("2024-09-01"))
        let engine = try DeadlineFactsTests.engine(store: store, clock: clock)
        var random = SplitMix(state: seed)
        let first = CalendarDate("2024-09-01")!
        let caseworker = DeadlineFactsTests.caseworker
        let manager = CaseActor(role: "send_manager", id: "sam")
        for index in 0..<cases {
            let id = "c\(index)"
            let requested = first.adding(days: Int.random(in: 0..<487, using: &random))
            clock.set(requested.start().addingTimeInterval(9 * 3600))
            _ = try engine.open(workflow: "facts", as: CaseActor(role: "parent", id: "p\(index)"), caseID: id, fields: ["requested_on": .date(requested)])
            _ = try engine.fire(FireRequest(caseID: id, transition: "start", actor: caseworker))
            func at(_ day: CalendarDate) { clock.set(day.start().addingTimeInterval(10 * 3600)) }
            if Bool.random(using: &random) {
                let draft = requested.adding(days: Int.random(in: 60..<120, using: &random))
                at(draft)
                _ = try engine.fire(FireRequest(caseID: id, transition: "issue_draft", actor: caseworker, input: ["draft_issued_on": .date(draft)]))
            }
            switch Int.random(in: 0..<10, using: &random) {
            case 0...3:
                let issued = requested.adding(days: Int.random(in: 125..<140, using: &random))
                at(issued)
                _ = try engine.fire(FireRequest(caseID: id, transition: "issue_plan", actor: caseworker))
            case 4:
                let issued = requested.adding(days: Int.random(in: 125..<140, using: &random))
                at(issued.adding(days: 30))
                _ = try engine.fire(FireRequest(caseID: id, transition: "issue_plan", actor: caseworker, effectiveOn: issued))
            case 5, 6:
                let issued = requested.adding(days: Int.random(in: 141..<260, using: &random))
                at(issued)
                _ = try engine.fire(FireRequest(caseID: id, transition: "issue_plan", actor: caseworker))
            case 7:
                at(requested.adding(days: 20))
                _ = try engine.excuseDeadline(caseID: id, deadline: "issue_plan", as: manager, reason: "away", exception: "reg-10-4-a")
            case 8:
                at(requested.adding(days: 20))
                _ = try engine.pauseDeadline(caseID: id, deadline: "issue_plan", as: manager, reason: "hearing", exception: "reg-10-4-b")
                at(requested.adding(days: 40))
                _ = try engine.resumeDeadline(caseID: id, deadline: "issue_plan", as: manager, reason: "over")
                at(requested.adding(days: 150))
                _ = try engine.fire(FireRequest(caseID: id, transition: "issue_plan", actor: caseworker))
            default:
                if Bool.random(using: &random) {
                    at(requested.adding(days: 30))
                    _ = try engine.fire(FireRequest(caseID: id, transition: "withdraw", actor: CaseActor(role: "parent", id: "p\(index)")))
                }
            }
        }
        clock.set(DeadlineFactsTests.day("2026-01-05"))
        _ = try engine.tick()
        return (engine, store)
    }

    @Test func everyFigureIsRecomputedFromTheListingAndTheListingFromTheClocks() throws {
        let (engine, store) = try Self.year(cases: 2_000, seed: 2025)
        let from = CalendarDate("2025-01-01")!
        let to = CalendarDate("2025-12-31")!
        let started = ContinuousClock().now
        let report = try engine.timelinessReport(from: from, to: to, as: .operator())
        print("timeliness report over 2,000 cases (debug build, in memory): \(ContinuousClock().now - started)")
        #expect(report.asOf == CalendarDate("2026-01-05"))

        // The listing, from the stored clocks, by a rule written out here rather than the report's own.
        var expected: [String] = []
        for id in try store.caseIDs().sorted() {
            let record = try #require(try store.load(caseID: id))
            for clock in record.deadlines {
                let dueIn = from <= clock.dueOn && clock.dueOn <= to
                let metIn = [.met, .metLate].contains(clock.status) && clock.metOn.map { from <= $0 && $0 <= to } == true
                if dueIn || metIn { expected.append("\(id) \(clock.name)") }
            }
        }
        #expect(report.entries.map { "\($0.caseID) \($0.deadline)" } == expected)

        for entry in report.entries {
            let clock = try #require(try store.load(caseID: entry.caseID)?.deadlines.first { $0.name == entry.deadline })
            let outcome: TimelinessReport.Outcome = switch clock.status {
            case .met: .metOnTime
            case .metLate: .metLate
            case .excused: .excused
            case .lapsed: .lapsed
            case .closed: .closed
            case .breached: .overdue
            case .running, .paused: clock.dueOn < report.asOf ? .overdue : .open
            }
            #expect(entry.outcome == outcome, "\(entry)")
            if entry.outcome == .metOnTime { #expect(try #require(entry.metOn) <= entry.dueOn) }
            if entry.outcome == .metLate { #expect(try #require(entry.metOn) > entry.dueOn) }
        }

        // Every figure of every line, from the listing.
        #expect(report.lines.map(\.deadline) == ["issue_plan", "representations", "say_no_plan"])
        for line in report.lines {
            let mine = report.entries.filter { $0.workflow == line.workflow && $0.deadline == line.deadline }
            let due = mine.filter(\.fellDueInPeriod)
            #expect(line.fellDue == due.count)
            for outcome in TimelinessReport.Outcome.allCases {
                #expect(line.outcomes[outcome] == due.filter { $0.outcome == outcome }.count, "\(line.deadline) \(outcome)")
            }
            #expect(line.outcomes.values.reduce(0, +) == line.fellDue, "every clock due is in exactly one outcome")
            let excused = Dictionary(grouping: due.filter { $0.outcome == .excused }, by: { $0.exception ?? TimelinessReport.noExceptionCited }).mapValues(\.count)
            #expect(line.excusedBy == excused)
            let rated = mine.filter { $0.metInPeriod && $0.exception == nil }
            #expect(line.metInPeriod == rated.count)
            #expect(line.metOnTimeInPeriod == rated.filter { $0.outcome == .metOnTime }.count)
            #expect(line.metWithException == mine.filter { $0.metInPeriod && $0.exception != nil }.count)
        }
        let plan = try #require(report.lines.first { $0.deadline == "issue_plan" })
        #expect(plan.fellDue > 900, "a year of requests gives most of them a due date in 2025: \(plan.fellDue)")
        #expect(plan.outcomes.allSatisfy { [.closed, .open].contains($0.key) || $0.value > 0 }, "each outcome a duty can have in a past period occurs: \(plan.outcomes)")
        #expect(plan.outcomes[.open] == 0, "a period that ended before the report's day has nothing still open")
        let ahead = try engine.timelinessReport(from: from, to: CalendarDate("2026-06-30")!, workflow: "facts", as: .operator())
        #expect((ahead.lines.first { $0.deadline == "issue_plan" }?.outcomes[.open] ?? 0) > 0, "clocks due after the report's day are open")
        #expect(plan.excusedBy.keys.sorted() == ["reg-10-4-a"])
        #expect(plan.metWithException > 0, "plans paused under an exception are left out of the rate")
        let window = try #require(report.lines.first { $0.deadline == "representations" })
        #expect(window.kind == .window && (window.outcomes[.closed] ?? 0) > 0)
    }

    @Test func theCommandPrintsTheFiguresAndTheCases() throws {
        let (engine, _) = try Self.year(cases: 40, seed: 7)
        let report = try engine.timelinessReport(from: CalendarDate("2025-01-01")!, to: CalendarDate("2025-12-31")!, as: .operator())
        let csv = ReportCommand.csv(report)
        let rows = csv.split(separator: "\r\n")
        #expect(rows.first == Substring(ReportCommand.csvColumns.joined(separator: ",")))
        #expect(rows.count == report.entries.count + 1)
        let text = ReportCommand.text(report)
        let plan = try #require(report.lines.first { $0.deadline == "issue_plan" })
        #expect(text.contains("facts issue_plan: Issue the final plan\n  fell due: \(plan.fellDue) (met on time \(plan.outcomes[.metOnTime] ?? 0), "))
        let json = ReportCommand.json(report)
        #expect((json["cases"] as? [[String: Any]])?.count == report.entries.count)
        #expect(Set((json["lines"] as? [[String: Any]])?.first?.keys.map { $0 } ?? []) == [
            "workflow", "deadline", "title", "kind", "fell_due", "outcomes", "excused_by", "met_in_period", "met_on_time_in_period", "met_with_exception", "rate",
        ])
    }

    /// Every clock of every shipped workflow has a line, counted even when none fell due: a statutory limit left out
    /// of the report would read as one that was never owed.
    @Test func everyShippedClockHasALineEvenWithNoCases() throws {
        let catalog = ShippedDefinitionsTests.catalog
        let engine = try Engine(catalog: catalog, store: InMemoryCaseStore(), clock: ManualClock(DeadlineFactsTests.day("2026-01-05")))
        let report = try engine.timelinessReport(from: CalendarDate("2025-01-01")!, to: CalendarDate("2025-12-31")!, as: .operator())
        let declared = catalog.workflows.values.flatMap { loaded in
            loaded.definition.deadlines.map { "\(loaded.definition.id.value) \($0.name.value)" }
        }
        #expect(declared.count > 40, "the shipped workflows declare their clocks: \(declared.count)")
        #expect(report.lines.map { "\($0.workflow) \($0.deadline)" } == declared.sorted())
        #expect(report.lines.allSatisfy { $0.fellDue == 0 && $0.metInPeriod == 0 && $0.rate == nil })
        #expect(report.entries.isEmpty)
        #expect(ReportCommand.text(report).contains("no time limit fell due or was met in the period\n\nannual-review "))

        let one = try engine.timelinessReport(from: CalendarDate("2025-01-01")!, to: CalendarDate("2025-12-31")!, workflow: "re-assessment", as: .operator())
        #expect(one.lines.map(\.deadline) == (catalog.workflows["re-assessment"]?.definition.deadlines.map(\.name.value).sorted() ?? ["missing"]))
    }

    @Test func aBackwardPeriodAndAnUnknownWorkflowAreRefused() throws {
        let (engine, _) = try Self.year(cases: 20, seed: 3)
        #expect {
            _ = try engine.timelinessReport(from: CalendarDate("2025-12-31")!, to: CalendarDate("2025-01-01")!, as: .operator())
        } throws: { ($0 as? EngineError)?.code == .invalidInput }
        #expect { _ = try engine.timelinessReport(from: CalendarDate("2025-01-01")!, to: CalendarDate("2025-12-31")!, workflow: "factz", as: .operator()) } throws: {
            "\($0)".contains("did you mean 'facts'")
        }
    }
}

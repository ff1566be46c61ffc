@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkExpressions
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation
import Testing

/// Deadlines whose due date or whose very existence depends on the case (issue 13's language limits): `due_on:` a
/// date expression (the later of two dates, a set time before a meeting) worked out again as the case changes, and
/// `when:` a condition for a clock that applies to some cases only.
@Suite("Deadlines from expressions")
struct DeadlineExpressionTests {
    static let workflow = """
        workflow: review
        version: 1
        title: Review meeting
        calendar: england-and-wales
        roles: [parent, caseworker, send_manager]
        fields:
          requested_on: date
          advice_due_on: date
          meeting_on: date
          school_only: bool
        states:
          planning: { initial: true }
          preparing: {}
          held: { final: true }
        transitions:
          - { name: plan, from: planning, to: preparing, by: [caseworker], input: { meeting_on: required, advice_due_on: optional } }
          - { name: move_meeting, from: preparing, to: preparing, by: [caseworker], input: { meeting_on: required } }
          - { name: hold, from: preparing, to: held, by: [caseworker] }
        deadlines:
          - name: circulate_advice
            title: Send everyone the advice two weeks before the meeting
            from: { entered: preparing }
            due_on: meeting_on - 2 weeks
            until: [held]
          - name: decide
            title: Decide, by the later of six weeks or the advice date
            from: requested_on
            due_on: later_of(requested_on + 6 weeks, advice_due_on)
            until: [held]
          - name: certificate
            title: The mediation certificate, unless the appeal is about the school alone
            from: requested_on
            due: 30 days
            when: not school_only
            until: [held]
        templates:
        \(EngineFixtures.messageTemplates)\(EngineFixtures.messages)
        """

    static func engine(_ clock: ManualClock, store: any CaseStore = InMemoryCaseStore()) throws -> Engine {
        let catalog = try DefinitionCatalog.load(sources: [(file: "review.yaml", text: workflow), (file: "england-and-wales.yaml", text: DeadlineTests.calendars)])
        return try Engine(catalog: catalog, store: store, clock: clock)
    }

    static func date(_ text: String) -> CalendarDate { CalendarDate(text)! }
    static let caseworker = DeadlineTests.caseworker

    static func open(_ engine: Engine, schoolOnly: Bool, advice: String? = nil) throws -> CaseRecord {
        var fields: [String: ExpressionValue] = ["requested_on": .date(Self.date("2025-09-01")), "school_only": .bool(schoolOnly)]
        if let advice { fields["advice_due_on"] = .date(Self.date(advice)) }
        return try engine.open(workflow: "review", as: CaseActor(role: "parent", id: "jo"), caseID: "c1", fields: fields).record
    }

    @Test(arguments: [("2025-10-01", "2025-10-13"), ("2025-10-13", "2025-10-13"), ("2025-10-14", "2025-10-14"), ("2025-11-03", "2025-11-03")])
    func aDueDateIsTheLaterOfTwoDates(advice: String, due: String) throws {
        let record = try Self.open(try Self.engine(ManualClock(DeadlineTests.day("2025-09-01"))), schoolOnly: false, advice: advice)
        #expect(record.deadlines.first { $0.name == "decide" }?.dueOn == Self.date(due))
    }

    @Test func aClockThatReadsAnUnsetFieldRefusesTheStepNamingIt() throws {
        let store = InMemoryCaseStore()
        let engine = try Self.engine(ManualClock(DeadlineTests.day("2025-09-01")), store: store)
        #expect {
            _ = try Self.open(engine, schoolOnly: false)
        } throws: { error in
            (error as? EngineError)?.code == .blocked && "\(error)".contains("deadline 'decide': its due date cannot be worked out")
        }
        #expect(try store.caseIDs().isEmpty, "nothing is opened")
    }

    @Test func aDueDateBeforeAMeetingMovesWithTheMeeting() throws {
        let clock = ManualClock(DeadlineTests.day("2025-09-01"))
        let engine = try Self.engine(clock)
        _ = try Self.open(engine, schoolOnly: false, advice: "2025-09-15")
        let planned = try engine.fire(FireRequest(caseID: "c1", transition: "plan", actor: Self.caseworker, input: ["meeting_on": .date(Self.date("2025-10-20"))]))
        #expect(planned.record.deadlines.first { $0.name == "circulate_advice" }?.dueOn == Self.date("2025-10-06"))
        let moved = try engine.fire(FireRequest(caseID: "c1", transition: "move_meeting", actor: Self.caseworker,
                                                input: ["meeting_on": .date(Self.date("2025-11-03"))]))
        #expect(moved.record.deadlines.first { $0.name == "circulate_advice" }?.dueOn == Self.date("2025-10-20"), "two weeks before the new date")
    }

    @Test(arguments: [(false, true), (true, false)])
    func aConditionalClockStartsOnlyWhereItApplies(schoolOnly: Bool, runs: Bool) throws {
        let record = try Self.open(try Self.engine(ManualClock(DeadlineTests.day("2025-09-01"))), schoolOnly: schoolOnly, advice: "2025-09-15")
        #expect(record.deadlines.contains { $0.name == "certificate" } == runs)
    }

    static let recurring = """
        workflow: plan
        version: 1
        title: A plan and its reviews
        calendar: england-and-wales
        roles: [caseworker, send_manager]
        fields:
          plan_issued_on: date
          review_held_on: date
        states:
          maintained: { initial: true }
          reviewed: {}
          ceased: { final: true }
        transitions:
          - { name: hold_review, from: maintained, to: reviewed, by: [caseworker], input: { review_held_on: required } }
          - { name: continue_plan, from: reviewed, to: maintained, by: [caseworker] }
          - { name: cease, from: [maintained, reviewed], to: ceased, by: [send_manager] }
        deadlines:
          - name: annual_review
            title: Review the plan within 12 months of it, then of the last review (Regs 2(1), CFA s.44(1))
            from: plan_issued_on
            every: 12 months
            until: [reviewed]
            met_by: review_held_on
        templates:
        \(EngineFixtures.messageTemplates)\(EngineFixtures.messages)
        """

    @Test func aRecurringClockStartsAgainFromTheDayItWasMetAndKeepsItsRuns() throws {
        let catalog = try DefinitionCatalog.load(sources: [(file: "plan.yaml", text: Self.recurring), (file: "england-and-wales.yaml", text: DeadlineTests.calendars)])
        let clock = ManualClock(DeadlineTests.day("2025-01-15"))
        let engine = try Engine(catalog: catalog, store: InMemoryCaseStore(), clock: clock)
        _ = try engine.open(workflow: "plan", as: .operator(), caseID: "c1", fields: ["plan_issued_on": .date(Self.date("2025-01-15"))])
        #expect(try engine.caseRecord("c1", as: .operator()).deadlines.first?.dueOn == Self.date("2026-01-15"))
        clock.set(DeadlineTests.day("2025-12-10"))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "hold_review", actor: Self.caseworker, input: ["review_held_on": .date(Self.date("2025-12-10"))]))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "continue_plan", actor: Self.caseworker))
        clock.set(DeadlineTests.day("2027-01-20"))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "hold_review", actor: Self.caseworker, input: ["review_held_on": .date(Self.date("2027-01-20"))]))
        let review = try #require(try engine.caseRecord("c1", as: .operator()).deadlines.first)
        #expect(review.earlier.map(\.status) == [.met, .metLate], "the first review in time, the second late")
        #expect(review.earlier.map(\.dueOn) == [Self.date("2026-01-15"), Self.date("2026-12-10")], "each due 12 months after the last")
        #expect(review.status == .running && review.startedOn == Self.date("2027-01-20") && review.dueOn == Self.date("2028-01-20"))
        let report = try engine.timelinessReport(from: Self.date("2026-01-01"), to: Self.date("2026-12-31"), as: .operator())
        #expect(report.lines.first?.fellDue == 2 && report.lines.first?.outcomes[.metOnTime] == 1 && report.lines.first?.outcomes[.metLate] == 1,
                "a report counts every run that fell due: \(report.lines)")
        #expect(try engine.verifyAudit("c1", as: .operator()).holds)
    }

    /// A recurring clock whose first run falls due on a `due_on:` date (a plan received from another authority: reg
    /// 15(5)'s day) runs `every` from each day it is met after that, even when a later change would give the
    /// expression another date, and even when a later change gives its `from` field another date.
    @Test func aRecurringClocksDueOnDateIsItsFirstRunsOnly() throws {
        let received = Self.recurring
            .replacingOccurrences(of: "  review_held_on: date\n", with: "  review_held_on: date\n  first_review_due_on: date\n")
            .replacingOccurrences(of: "    every: 12 months\n", with: "    due_on: later_of(first_review_due_on, plan_issued_on + 1 day)\n    every: 12 months\n")
            .replacingOccurrences(of: "input: { review_held_on: required } }", with: "input: { review_held_on: required, plan_issued_on: optional } }")
        let catalog = try DefinitionCatalog.load(sources: [(file: "plan.yaml", text: received), (file: "england-and-wales.yaml", text: DeadlineTests.calendars)])
        let clock = ManualClock(DeadlineTests.day("2026-04-20"))
        let engine = try Engine(catalog: catalog, store: InMemoryCaseStore(), clock: clock)
        _ = try engine.open(workflow: "plan", as: .operator(), caseID: "c1",
                            fields: ["plan_issued_on": .date(Self.date("2026-04-20")), "first_review_due_on": .date(Self.date("2026-07-19"))])
        #expect(try engine.caseRecord("c1", as: .operator()).deadlines.first?.dueOn == Self.date("2026-07-19"))
        clock.set(DeadlineTests.day("2026-07-10"))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "hold_review", actor: Self.caseworker, input: ["review_held_on": .date(Self.date("2026-07-10"))]))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "continue_plan", actor: Self.caseworker))
        // A later change that would move a first run (a later `from` date, so a later `due_on:`) leaves the second alone.
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "hold_review", actor: Self.caseworker,
                                        input: ["review_held_on": .date(Self.date("2026-07-10")), "plan_issued_on": .date(Self.date("2026-09-01"))]))
        let review = try #require(try engine.caseRecord("c1", as: .operator()).deadlines.first)
        #expect(review.earlier.map(\.dueOn) == [Self.date("2026-07-19"), Self.date("2027-07-10")])
        #expect(review.status == .running && review.startedOn == Self.date("2026-07-10") && review.dueOn == Self.date("2027-07-10"))
    }

    static let sendTribunal = try! String(contentsOfFile: RepositoryPaths.root.appendingPathComponent("Workflows/calendars/send-tribunal.yaml").path, encoding: .utf8)

    /// An appeal window that runs to the later of two dates, on the send-tribunal calendar (HESC Rules r.12).
    static let appealWindow = """
        workflow: appeal
        version: 1
        title: An appeal window to the later of two dates
        calendar: england-and-wales
        roles: [parent, caseworker]
        fields:
          decision_letter_on: date
          certificate_on: date
        states:
          open: { initial: true }
          lodged: { final: true }
        transitions:
          - { name: record_certificate, from: open, to: open, by: [caseworker], input: { certificate_on: required } }
          - { name: lodge, from: open, to: lodged, by: [parent] }
        deadlines:
          - name: appeal_window
            title: Appeal within 2 months of the letter or 1 month of the certificate, if later
            kind: window
            calendar: send-tribunal
            from: decision_letter_on
            due_on: later_of(decision_letter_on + 2 months, certificate_on + 1 month)
            until: [lodged]
        templates:
        \(EngineFixtures.messageTemplates)\(EngineFixtures.messages)
        """

    /// A `due_on:` date is moved by the deadline calendar's roll rules as a counted period's end is: the dates are
    /// those of the roll column of calendars.md §7 (an end in August to the first working day of September, one over
    /// Christmas to the first working day after 1 January, one on a weekend to the next working day), and a date no
    /// rule moves stays.
    @Test(arguments: [("2021-05-31", "2021-04-30", "2021-09-01"), ("2022-10-24", "2022-09-01", "2023-01-03"),
                      ("2023-05-31", "2023-07-31", "2023-09-01"), ("2026-01-10", "2026-01-10", "2026-03-10")])
    func aDueOnDateIsMovedByTheCalendarsRollRules(letter: String, certificate: String, due: String) throws {
        let catalog = try DefinitionCatalog.load(sources: [(file: "appeal.yaml", text: Self.appealWindow), (file: "england-and-wales.yaml", text: DeadlineTests.calendars),
                                                           (file: "send-tribunal.yaml", text: Self.sendTribunal)])
        let engine = try Engine(catalog: catalog, store: InMemoryCaseStore(), clock: ManualClock(DeadlineTests.day(letter)))
        let record = try engine.open(workflow: "appeal", as: CaseActor(role: "parent", id: "jo"), caseID: "c1",
                                     fields: ["decision_letter_on": .date(Self.date(letter)), "certificate_on": .date(Self.date(certificate))]).record
        #expect(record.deadlines.first?.dueOn == Self.date(due))
    }

    @Test func theValidatorChecksTheExpressionsTypes() throws {
        let wrong = Self.workflow
            .replacingOccurrences(of: "due_on: meeting_on - 2 weeks", with: "due_on: school_only")
            .replacingOccurrences(of: "when: not school_only", with: "when: meeting_on")
        let report = Validator.validate(sources: [(file: "review.yaml", text: wrong), (file: "england-and-wales.yaml", text: DeadlineTests.calendars)])
        let messages = report.diagnostics.map(\.message)
        #expect(messages.count == 2, "\(messages)")
        #expect(messages.allSatisfy { $0.contains("date") }, "\(messages)")
    }
}

@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkExpressions
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation
import Testing

/// The shipped needs assessment (`Workflows/ehcp-needs-assessment.yaml`) walked under its policy `send-portal`, on the
/// main path and each refusal branch, with dates on the boundaries of its time limits: the last lawful day and the day
/// after (issue 13). Every case is requested on Monday 1 September 2025, so (counting from the day after receipt,
/// statutory-choices.md) the decision whether to assess is due on Monday 13 October 2025 (6 weeks), a decision not to
/// issue on Monday 22 December 2025 (16 weeks) and the final plan on Monday 19 January 2026 (20 weeks). No due date
/// here falls on a bank holiday, and the workflow's calendar has no roll rules, so none moves.
@Suite("The shipped needs assessment, walked on its boundaries")
struct ShippedAssessmentWalkTests {
    static let requestedOn = "2025-09-01"
    static let decideToAssessBy = "2025-10-13"
    static let decideNotToIssueBy = "2025-12-22"
    static let finalPlanBy = "2026-01-19"
    /// The panel agrees to assess on Wednesday 8 October 2025 and asks for advice that day: advice is due Wednesday 19
    /// November 2025 (Regs 8(1)).
    static let assessedOn = "2025-10-08"
    static let adviceBy = "2025-11-19"
    /// The draft goes out on Wednesday 10 December 2025: the family's 15 days, beginning with that day, end on
    /// Wednesday 24 December 2025 (Regs 13(1)(a)).
    static let draftOn = "2025-12-10"
    static let representationsBy = "2025-12-24"

    static let caseID = "walk-1"
    static let caseworker = Matrix.caseworker
    static let manager = Matrix.manager
    static let parent = Matrix.fullParent

    static func date(_ text: String) -> CalendarDate { CalendarDate(text)! }
    static func value(_ text: String) -> ExpressionValue { .date(date(text)) }
    static func instant(_ text: String) -> Date { date(text).start().addingTimeInterval(9 * 3600) }

    /// One case of the shipped workflow, in memory, on a manual clock: opened by the parent on the day of the request,
    /// with every participant named and granted as the SEND service would.
    final class Walk {
        let clock = ManualClock(ShippedAssessmentWalkTests.instant(ShippedAssessmentWalkTests.requestedOn))
        let engine: Engine

        init(requestedOn: String = ShippedAssessmentWalkTests.requestedOn) throws {
            engine = try Engine(catalog: Matrix.catalog, store: InMemoryCaseStore(), clock: clock)
            let participants = Matrix.participants(for: .caseworker)
            _ = try engine.open(workflow: Matrix.workflow, as: ShippedAssessmentWalkTests.parent, caseID: ShippedAssessmentWalkTests.caseID, fields: [
                "requested_on": ShippedAssessmentWalkTests.value(requestedOn), "requested_by": .string("parent"), "decisions_by": .string("parent"),
                "child.first_name": .string("Ada"), "child.last_name": .string("Lovell"),
                "child.date_of_birth": ShippedAssessmentWalkTests.value(Matrix.commandLineBirthDate),
            ], participants: CaseParticipants(participants.mapValues { [$0] }), attributes: Matrix.attributes("parent"))
            for (principal, level) in Matrix.grants {
                _ = try engine.grantAccess(caseID: ShippedAssessmentWalkTests.caseID, grant: AccessGrant(to: principal, level: level),
                                           as: ShippedAssessmentWalkTests.caseworker, attributes: Matrix.staff, reason: "decided by the SEND service")
            }
        }

        /// Moves the clock to 9:00 on `day`.
        func on(_ day: String) { clock.set(ShippedAssessmentWalkTests.instant(day)) }

        @discardableResult
        func fire(_ transition: String, _ actor: CaseActor, _ input: [String: ExpressionValue] = [:], effectiveOn: String? = nil) throws -> CaseRecord {
            let attributes = actor.role == "parent" ? Matrix.attributes("parent") : Matrix.staff
            return try engine.fire(FireRequest(caseID: ShippedAssessmentWalkTests.caseID, transition: transition, actor: actor, input: input,
                                               attributes: attributes, effectiveOn: effectiveOn.map(ShippedAssessmentWalkTests.date))).record
        }

        /// The blockers that refuse `transition`, or none when it fired.
        func refusal(_ transition: String, _ actor: CaseActor, _ input: [String: ExpressionValue] = [:]) -> [TransitionBlocker] {
            do {
                _ = try fire(transition, actor, input)
                return []
            } catch {
                guard case .blocked(_, let blockers) = error as? EngineError else { return [TransitionBlocker(.nothingToChange, "\(error)")] }
                return blockers
            }
        }

        func clock(_ name: String) throws -> DeadlineRecord {
            try #require(try engine.caseRecord(ShippedAssessmentWalkTests.caseID, as: .operator()).deadlines.first { $0.name == name })
        }

        func state() throws -> String { try engine.caseRecord(ShippedAssessmentWalkTests.caseID, as: .operator()).state }

        func fields() throws -> [String: ExpressionValue] { try engine.caseRecord(ShippedAssessmentWalkTests.caseID, as: .operator()).fields }

        /// The bodies of the messages sent to the parent with `template`.
        func lettersToParent(_ template: String) throws -> [String] {
            try engine.outbox(caseID: ShippedAssessmentWalkTests.caseID, as: .operator())
                .filter { $0.template == template && $0.recipientRole == "parent" }.map(\.body)
        }

        // MARK: Steps of the main path

        func acknowledge() throws {
            try fire("acknowledge_request", ShippedAssessmentWalkTests.caseworker)
            try fire("record_evidence", ShippedAssessmentWalkTests.caseworker, ["evidence_complete": .bool(true)])
        }

        /// The panel agrees to assess on `assessedOn` and asks for advice that day.
        func assess() throws {
            try acknowledge()
            on(ShippedAssessmentWalkTests.assessedOn)
            try fire("agree_to_assess", ShippedAssessmentWalkTests.manager, [
                "assessment_decision_on": ShippedAssessmentWalkTests.value(ShippedAssessmentWalkTests.assessedOn),
                "advice_requested_on": ShippedAssessmentWalkTests.value(ShippedAssessmentWalkTests.assessedOn),
            ])
        }

        /// Every advice form submitted and accepted.
        func adviceIn() throws {
            let services = [("professional-advice-1", Matrix.psychology, "educational_psychology"), ("professional-advice-2", Matrix.health, "health"),
                            ("professional-advice-3", Matrix.socialCare, "social_care"), ("professional-advice-4", Matrix.school, "school")]
            for (instance, organisation, role) in services {
                _ = try engine.submitForm(caseID: ShippedAssessmentWalkTests.caseID, instance: instance, as: .organisation(organisation, role: role),
                                          fields: ["summary_of_needs": .string("advice from \(role)")], attributes: Matrix.attributes("professional"))
                _ = try engine.acceptForm(caseID: ShippedAssessmentWalkTests.caseID, instance: instance, as: ShippedAssessmentWalkTests.caseworker,
                                          attributes: Matrix.staff)
            }
        }

        /// Assessed, then the case goes to panel the day after the advice was due (the guard lets it go on without all of it).
        func toPanel() throws {
            try assess()
            on("2025-11-20")
            try fire("complete_assessment", ShippedAssessmentWalkTests.caseworker)
        }

        /// To the draft plan, sent on `draftOn`.
        func toDraft() throws {
            try toPanel()
            on("2025-11-26")
            try fire("agree_to_issue", ShippedAssessmentWalkTests.manager, ["issue_decision_on": ShippedAssessmentWalkTests.value("2025-11-26")])
            on(ShippedAssessmentWalkTests.draftOn)
            try fire("issue_draft_plan", ShippedAssessmentWalkTests.caseworker, ["draft_issued_on": ShippedAssessmentWalkTests.value(ShippedAssessmentWalkTests.draftOn)])
        }

        /// To finalising, with the parent asking for Hillside Primary and the school agreeing.
        func toFinalising() throws {
            try toDraft()
            on("2025-12-12")
            try fire("make_representations", ShippedAssessmentWalkTests.parent, ["requested_school": .string("Hillside Primary")])
            try fire("consult_requested_school", ShippedAssessmentWalkTests.caseworker, [
                "consulted_school": .string("Hillside Primary"), "consultation_sent_on": ShippedAssessmentWalkTests.value("2025-12-12"),
            ])
            on("2025-12-19")
            try fire("record_school_response", ShippedAssessmentWalkTests.caseworker, [
                "school_response": .string("agrees"), "school_response_on": ShippedAssessmentWalkTests.value("2025-12-19"),
            ])
        }
    }

    static let contacts: [String: ExpressionValue] = [
        "mediation_adviser_contact": .string("Mediation adviser: 0100 000 0000"), "mediation_contact": .string("SEND team: 0100 000 0001"),
    ]

    // MARK: The 6 weeks (Regs 5(1))

    @Test(arguments: [(ShippedAssessmentWalkTests.decideToAssessBy, DeadlineStatus.met), ("2025-10-14", .metLate)])
    func declineToAssessIsTimedByTheDayTheLetterIsSent(sentOn: String, expected: DeadlineStatus) throws {
        let walk = try Walk()
        try walk.acknowledge()
        walk.on("2025-10-20")
        try walk.fire("decline_to_assess", Self.manager, [
            "assessment_decision_on": Self.value("2025-10-06"), "assessment_decision_sent_on": Self.value(sentOn),
            "assessment_decision_reasons": .string("Needs met within SEN support"),
        ].merging(Self.contacts) { a, _ in a })
        #expect(try walk.state() == "not_assessing")
        let clock = try walk.clock("decide_whether_to_assess")
        #expect(clock.dueOn == Self.date(Self.decideToAssessBy))
        #expect(clock.status == expected)
        #expect(clock.metOn == Self.date(sentOn), "met on the letter's date, not the panel's (6 October) nor the day it was recorded (20 October)")
    }

    @Test(arguments: [(ShippedAssessmentWalkTests.decideToAssessBy, DeadlineStatus.met), ("2025-10-14", .metLate)])
    func agreeingToAssessOnTheDayIsTimedByThatDay(day: String, expected: DeadlineStatus) throws {
        let walk = try Walk()
        try walk.acknowledge()
        walk.on(day)
        try walk.fire("agree_to_assess", Self.manager, ["assessment_decision_on": Self.value(day), "advice_requested_on": Self.value(day)])
        #expect(try walk.clock("decide_whether_to_assess").status == expected)
        #expect(try walk.clock("gather_advice").status == .running)
    }

    @Test func aStepRecordedAfterTheFactOnTheLastLawfulDayIsMet() throws {
        let walk = try Walk()
        try walk.acknowledge()
        walk.on("2025-10-27")
        try walk.fire("agree_to_assess", Self.manager, [
            "assessment_decision_on": Self.value(Self.decideToAssessBy), "advice_requested_on": Self.value(Self.decideToAssessBy),
        ], effectiveOn: Self.decideToAssessBy)
        let decision = try walk.clock("decide_whether_to_assess")
        #expect(decision.status == .met, "recorded two weeks late, but it took effect on the last lawful day")
        #expect(decision.metOn == Self.date(Self.decideToAssessBy))
        let advice = try walk.clock("gather_advice")
        #expect(advice.startedOn == Self.date(Self.decideToAssessBy), "the advice clock starts from the effective day")
        #expect(advice.dueOn == Self.date("2025-11-24"))
    }

    @Test func theSixWeeksAreBreachedByATickTheDayAfterAndMetWhenTheLetterIsShownToHaveGoneInTime() throws {
        let walk = try Walk()
        try walk.acknowledge()
        walk.on(Self.decideToAssessBy)
        #expect(try walk.engine.tick().filter { $0.deadline == "decide_whether_to_assess" && $0.kind == "breach" }.isEmpty, "not breached on its last day")
        walk.on("2025-10-14")
        #expect(try walk.engine.tick().filter { $0.deadline == "decide_whether_to_assess" && $0.kind == "breach" }.count == 1)
        let breached = try walk.clock("decide_whether_to_assess")
        #expect(breached.status == .breached)
        #expect(breached.breachedOn == Self.date("2025-10-14"))
        // The letter had gone out on the last day: recorded now, the clock is met.
        walk.on("2025-10-15")
        try walk.fire("decline_to_assess", Self.manager, [
            "assessment_decision_on": Self.value("2025-10-13"), "assessment_decision_sent_on": Self.value(Self.decideToAssessBy),
            "assessment_decision_reasons": .string("Needs met within SEN support"),
        ].merging(Self.contacts) { a, _ in a })
        #expect(try walk.clock("decide_whether_to_assess").status == .met)
    }

    @Test func theSixWeeksCanBeExcusedOnlyUnderARegulationFiveFourException() throws {
        let walk = try Walk()
        try walk.acknowledge()
        #expect(throws: EngineError.self, "Regs 13(3) does not reach the 6 weeks") {
            try walk.engine.excuseDeadline(caseID: Self.caseID, deadline: "decide_whether_to_assess", as: Self.manager, reason: "away",
                                           exception: "reg-13-3-away", attributes: Matrix.staff)
        }
        #expect(try walk.clock("decide_whether_to_assess").status == .running)
        _ = try walk.engine.excuseDeadline(caseID: Self.caseID, deadline: "decide_whether_to_assess", as: Self.manager,
                                           reason: "the family were abroad for five weeks", exception: "reg-5-4-away", attributes: Matrix.staff)
        let clock = try walk.clock("decide_whether_to_assess")
        #expect(clock.status == .excused)
        #expect(clock.exception == "reg-5-4-away")
        walk.on("2025-11-03")
        #expect(try walk.engine.tick().filter { $0.deadline == "decide_whether_to_assess" }.isEmpty, "an excused clock is never breached")
    }

    // MARK: The decision letters' appeal rights (Regs 32-33)

    @Test func theRefusalLetterCountsTheAppealFromTheDayItWasSentAndGivesTheMediationContacts() throws {
        let walk = try Walk()
        try walk.acknowledge()
        walk.on("2025-10-10")
        try walk.fire("decline_to_assess", Self.manager, [
            "assessment_decision_on": Self.value("2025-10-06"), "assessment_decision_sent_on": Self.value("2025-10-09"),
            "assessment_decision_reasons": .string("Needs met within SEN support"),
        ].merging(Self.contacts) { a, _ in a })
        #expect(try walk.fields()["appeal_due_on"] == Self.value("2025-12-09"), "2 months from the letter (9 October), not the panel (6 October)")
        let letter = try #require(try walk.lettersToParent("decided_not_to_assess").first)
        #expect(letter.contains("by 9 December 2025"))
        #expect(letter.contains("Mediation adviser: 0100 000 0000"))
        #expect(letter.contains("SEND team: 0100 000 0001"))
        #expect(letter.contains("tell us that you do and what you want\nto discuss at mediation"))
    }

    @Test(arguments: [
        (["assessment_decision_sent_on": ShippedAssessmentWalkTests.value("2025-10-03")], "sent before the panel decided"),
        (["assessment_decision_sent_on": ShippedAssessmentWalkTests.value("2025-10-11")], "sent in the future"),
    ])
    func aRefusalLetterDatedBeforeThePanelOrInTheFutureIsRefused(input: [String: ExpressionValue], why: String) throws {
        let walk = try Walk()
        try walk.acknowledge()
        walk.on("2025-10-10")
        let base: [String: ExpressionValue] = ["assessment_decision_on": Self.value("2025-10-06"), "assessment_decision_reasons": .string("r")]
        let blockers = walk.refusal("decline_to_assess", Self.manager, base.merging(Self.contacts) { a, _ in a }.merging(input) { _, b in b })
        #expect(blockers.map(\.code) == [.guardFalse], "\(why)")
        #expect(try walk.state() == "deciding_to_assess")
        // The day itself is lawful.
        #expect(walk.refusal("decline_to_assess", Self.manager, base.merging(Self.contacts) { a, _ in a }
            .merging(["assessment_decision_sent_on": Self.value("2025-10-10")]) { _, b in b }).isEmpty)
    }

    @Test func aRefusalLetterWithoutTheMediationContactsIsRefused() throws {
        let walk = try Walk()
        try walk.acknowledge()
        walk.on("2025-10-10")
        let blockers = walk.refusal("decline_to_assess", Self.manager, [
            "assessment_decision_on": Self.value("2025-10-06"), "assessment_decision_sent_on": Self.value("2025-10-09"),
            "assessment_decision_reasons": .string("r"),
        ])
        #expect(blockers.map(\.code) == [.missingInput])
        #expect(blockers.first?.message.contains("'mediation_adviser_contact'") == true)
        let withAdviser = walk.refusal("decline_to_assess", Self.manager, [
            "assessment_decision_on": Self.value("2025-10-06"), "assessment_decision_sent_on": Self.value("2025-10-09"),
            "assessment_decision_reasons": .string("r"), "mediation_adviser_contact": .string("Mediation adviser: 0100 000 0000"),
        ])
        #expect(withAdviser.map(\.code) == [.missingInput])
        #expect(withAdviser.first?.message.contains("'mediation_contact'") == true)
        #expect(try walk.state() == "deciding_to_assess")
    }

    // MARK: Deciding whether to assess: guards

    @Test func theGuardsWhileDecidingWhetherToAssessRefuseWithTheirBlockers() throws {
        let walk = try Walk()
        try walk.fire("acknowledge_request", Self.caseworker)
        walk.on("2025-10-01")
        let input: [String: ExpressionValue] = ["assessment_decision_on": Self.value("2025-10-01"), "advice_requested_on": Self.value("2025-10-01")]
        #expect(walk.refusal("agree_to_assess", Self.manager, input).map(\.code) == [.guardUndecided], "no evidence recorded yet")
        try walk.fire("record_evidence", Self.caseworker, ["evidence_complete": .bool(false)])
        #expect(walk.refusal("agree_to_assess", Self.manager, input).map(\.code) == [.guardFalse])
        #expect(walk.refusal("request_further_information", Self.caseworker).isEmpty, "more is asked while the evidence is incomplete")
        try walk.fire("record_evidence", Self.caseworker, ["evidence_complete": .bool(true)])
        #expect(walk.refusal("request_further_information", Self.caseworker).map(\.code) == [.guardFalse])
        #expect(walk.refusal("agree_to_assess", Self.manager, input.merging(["assessment_decision_sent_on": Self.value("2025-10-02")]) { _, b in b })
            .map(\.code) == [.guardFalse], "a letter sent tomorrow")
        #expect(walk.refusal("agree_to_assess", Self.manager, input.merging(["assessment_decision_sent_on": Self.value("2025-10-01")]) { _, b in b }).isEmpty)
        #expect(try walk.clock("decide_whether_to_assess").status == .met)
    }

    // MARK: The advice (Regs 8(1))

    @Test(arguments: [(ShippedAssessmentWalkTests.adviceBy, DeadlineStatus.met), ("2025-11-20", .metLate)])
    func theAdviceIsTimedByTheDayItIsComplete(day: String, expected: DeadlineStatus) throws {
        let walk = try Walk()
        try walk.assess()
        #expect(try walk.clock("gather_advice").dueOn == Self.date(Self.adviceBy))
        try walk.adviceIn()
        walk.on(day)
        try walk.fire("complete_assessment", Self.caseworker)
        let clock = try walk.clock("gather_advice")
        #expect(clock.status == expected)
        #expect(clock.metOn == Self.date(day))
    }

    @Test func theCaseGoesToPanelWithoutAllTheAdviceOnlyAfterItsLastDay() throws {
        let walk = try Walk()
        try walk.assess()
        walk.on(Self.adviceBy)
        let blockers = walk.refusal("complete_assessment", Self.caseworker)
        #expect(blockers.map(\.code) == [.guardFalse], "on the last day the advice may still come")
        walk.on("2025-11-20")
        #expect(walk.refusal("complete_assessment", Self.caseworker).isEmpty)
        #expect(try walk.clock("gather_advice").status == .metLate)
    }

    @Test func theAdviceCanBeExcusedForAMissedAppointmentAndBreachesOtherwise() throws {
        let walk = try Walk()
        try walk.assess()
        walk.on("2025-11-20")
        #expect(try walk.engine.tick().filter { $0.deadline == "gather_advice" && $0.kind == "breach" }.count == 1)
        _ = try walk.engine.excuseDeadline(caseID: Self.caseID, deadline: "gather_advice", as: Self.manager, reason: "missed the EP appointment",
                                           exception: "reg-8-2-missed-appointment", attributes: Matrix.staff)
        let clock = try walk.clock("gather_advice")
        #expect(clock.status == .excused)
        #expect(clock.exception == "reg-8-2-missed-appointment")
    }

    // MARK: The 16 weeks (Regs 10(1))

    @Test(arguments: [(ShippedAssessmentWalkTests.decideNotToIssueBy, DeadlineStatus.met), ("2025-12-23", .metLate)])
    func declineToIssueIsTimedByTheDayTheLetterIsSent(sentOn: String, expected: DeadlineStatus) throws {
        let walk = try Walk()
        try walk.toPanel()
        #expect(try walk.clock("decide_not_to_issue").dueOn == Self.date(Self.decideNotToIssueBy))
        walk.on("2026-01-05")
        try walk.fire("decline_to_issue", Self.manager, [
            "issue_decision_on": Self.value("2025-12-15"), "issue_decision_sent_on": Self.value(sentOn),
            "issue_decision_reasons": .string("Needs can be met from the school's resources"),
        ].merging(Self.contacts) { a, _ in a })
        #expect(try walk.state() == "not_issuing")
        let clock = try walk.clock("decide_not_to_issue")
        #expect(clock.status == expected)
        #expect(clock.metOn == Self.date(sentOn))
        #expect(try walk.clock("final_plan").status == .lapsed, "no plan is owed after a decision not to issue")
        #expect(try walk.fields()["appeal_due_on"] == Self.value(sentOn == Self.decideNotToIssueBy ? "2026-02-22" : "2026-02-23"))
        let letter = try #require(try walk.lettersToParent("decided_not_to_issue").first)
        #expect(letter.contains("Mediation adviser: 0100 000 0000") && letter.contains("SEND team: 0100 000 0001"))
    }

    @Test func theSixteenWeeksAreBreachedByATickTheDayAfterAndLapsedByADecisionToIssue() throws {
        let walk = try Walk()
        try walk.toPanel()
        walk.on(Self.decideNotToIssueBy)
        #expect(try walk.engine.tick().filter { $0.deadline == "decide_not_to_issue" && $0.kind == "breach" }.isEmpty)
        walk.on("2025-12-23")
        #expect(try walk.engine.tick().filter { $0.deadline == "decide_not_to_issue" && $0.kind == "breach" }.count == 1)
        #expect(try walk.clock("decide_not_to_issue").status == .breached)

        let inTime = try Walk()
        try inTime.toPanel()
        inTime.on("2025-12-23")
        try inTime.fire("agree_to_issue", Self.manager, ["issue_decision_on": Self.value("2025-12-23")])
        #expect(try inTime.clock("decide_not_to_issue").status == .lapsed, "Regs 10 times only a decision not to issue")
    }

    @Test func aDecisionNotToIssueSentInTheFutureIsRefused() throws {
        let walk = try Walk()
        try walk.toPanel()
        walk.on("2025-12-01")
        let blockers = walk.refusal("decline_to_issue", Self.manager, [
            "issue_decision_on": Self.value("2025-12-01"), "issue_decision_sent_on": Self.value("2025-12-02"), "issue_decision_reasons": .string("r"),
        ].merging(Self.contacts) { a, _ in a })
        #expect(blockers.map(\.code) == [.guardFalse])
        #expect(try walk.clock("decide_not_to_issue").status == .running)
    }

    // MARK: The draft plan and the family's 15 days (Regs 13(1))

    @Test func theDraftPlanNoticeSaysWhereToFindInformationAboutSchools() throws {
        let walk = try Walk()
        try walk.toDraft()
        let letter = try #require(try walk.lettersToParent("draft_plan_issued").first)
        #expect(letter.contains("You have until 24 December 2025 to:"))
        #expect(letter.contains("Information about the schools and colleges available"))
    }

    @Test(arguments: [(ShippedAssessmentWalkTests.representationsBy, DeadlineStatus.running), ("2025-12-25", .closed)])
    func theFamilysWindowClosesTheDayAfterItsFifteenthDayAndNeverBreaches(day: String, expected: DeadlineStatus) throws {
        let walk = try Walk()
        try walk.toDraft()
        #expect(try walk.clock("representations").dueOn == Self.date(Self.representationsBy))
        walk.on(day)
        let actions = try walk.engine.tick().filter { $0.deadline == "representations" }
        #expect(!actions.contains { $0.kind == "breach" })
        #expect(try walk.clock("representations").status == expected)
        #expect(try walk.engine.outbox(caseID: Self.caseID, as: .operator()).filter { $0.recipientRole == "send_manager" && $0.subject.contains("Representations") }.isEmpty,
                "the family's window never escalates")
    }

    @Test(arguments: [(ShippedAssessmentWalkTests.representationsBy, false), ("2025-12-25", true)])
    func weConsultASchoolOfOurChoiceOnlyOnceTheFifteenDaysAreOver(day: String, allowed: Bool) throws {
        let walk = try Walk()
        try walk.toDraft()
        walk.on(day)
        let blockers = walk.refusal("consult_school_of_our_choice", Self.caseworker, [
            "consulted_school": .string("Hillside Primary"), "consultation_sent_on": Self.value(day),
        ])
        #expect(blockers.map(\.code) == (allowed ? [] : [.guardFalse]))
    }

    @Test func consultingTheRequestedSchoolNeedsTheSchoolTheyAskedForAndDoesNotEndTheirWindow() throws {
        let walk = try Walk()
        try walk.toDraft()
        walk.on("2025-12-12")
        #expect(walk.refusal("make_representations", Self.parent).map(\.code) == [.guardFalse], "representations say something")
        try walk.fire("make_representations", Self.parent, ["requested_school": .string("Hillside Primary")])
        let other: [String: ExpressionValue] = ["consulted_school": .string("Oakfield Academy"), "consultation_sent_on": Self.value("2025-12-12")]
        #expect(walk.refusal("consult_requested_school", Self.caseworker, other).map(\.code) == [.guardFalse])
        try walk.fire("consult_requested_school", Self.caseworker, ["consulted_school": .string("Hillside Primary"), "consultation_sent_on": Self.value("2025-12-12")])
        #expect(try walk.clock("representations").status == .running, "Regs 13(1) gives the family all 15 days")
        // The school should answer within 15 days (CoP 9.83): by 27 December.
        walk.on("2025-12-27")
        #expect(walk.refusal("proceed_without_school_response", Self.caseworker).map(\.code) == [.guardFalse])
        walk.on("2025-12-28")
        #expect(walk.refusal("proceed_without_school_response", Self.caseworker).isEmpty)
    }

    @Test func aRevisedDraftGivesTheFamilyAFreshFifteenDays() throws {
        let walk = try Walk()
        try walk.toDraft()
        walk.on("2025-12-17")
        try walk.fire("revise_draft_plan", Self.caseworker)
        try walk.fire("issue_draft_plan", Self.caseworker, ["draft_issued_on": Self.value("2025-12-17")])
        let clock = try walk.clock("representations")
        #expect(clock.status == .running)
        #expect(clock.startedOn == Self.date("2025-12-17"))
        #expect(clock.dueOn == Self.date("2025-12-31"))
    }

    // MARK: The final plan (Regs 13(1), 13(2))

    @Test(arguments: [(ShippedAssessmentWalkTests.representationsBy, false), ("2025-12-25", true)])
    func theFinalPlanWaitsForTheFifteenDaysUnlessTheFamilyHasNothingToAdd(issuedOn: String, allowed: Bool) throws {
        let walk = try Walk()
        try walk.toFinalising()
        walk.on(issuedOn)
        let input: [String: ExpressionValue] = ["named_school": .string("Hillside Primary"), "final_plan_issued_on": Self.value(issuedOn)]
        #expect(walk.refusal("issue_final_plan", Self.manager, input.merging(Self.contacts) { a, _ in a }).map(\.code) == (allowed ? [] : [.guardFalse]))
    }

    @Test func theFamilySayingTheyHaveNothingToAddLetsThePlanGoOutWithinTheirWindow() throws {
        let walk = try Walk()
        try walk.toDraft()
        walk.on("2025-12-12")
        try walk.fire("make_representations", Self.parent, ["requested_school": .string("Hillside Primary"), "no_further_representations": .bool(true)])
        try walk.fire("consult_requested_school", Self.caseworker, ["consulted_school": .string("Hillside Primary"), "consultation_sent_on": Self.value("2025-12-12")])
        walk.on("2025-12-15")
        try walk.fire("record_school_response", Self.caseworker, ["school_response": .string("agrees"), "school_response_on": Self.value("2025-12-15")])
        try walk.fire("issue_final_plan", Self.manager, ["named_school": .string("Hillside Primary"), "final_plan_issued_on": Self.value("2025-12-15")]
            .merging(Self.contacts) { a, _ in a })
        #expect(try walk.clock("representations").status == .met)
        #expect(try walk.clock("final_plan").status == .met)
    }

    @Test(arguments: [(ShippedAssessmentWalkTests.finalPlanBy, DeadlineStatus.met), ("2026-01-20", .metLate)])
    func theFinalPlanIsTimedByTheDayItWasIssued(issuedOn: String, expected: DeadlineStatus) throws {
        let walk = try Walk()
        try walk.toFinalising()
        #expect(try walk.clock("final_plan").dueOn == Self.date(Self.finalPlanBy))
        walk.on("2025-12-25")
        #expect(try walk.engine.tick().contains { $0.deadline == "representations" && $0.kind == "close" })
        walk.on("2026-01-26")
        try walk.fire("issue_final_plan", Self.manager, ["named_school": .string("Hillside Primary"), "final_plan_issued_on": Self.value(issuedOn)]
            .merging(Self.contacts) { a, _ in a })
        #expect(try walk.state() == "plan_issued")
        let plan = try walk.clock("final_plan")
        #expect(plan.status == expected)
        #expect(plan.metOn == Self.date(issuedOn))
        #expect(try walk.clock("representations").status == .closed, "the family's window had ended on 24 December")
        #expect(try walk.clock("decide_whether_to_assess").status == .met)
        #expect(try walk.clock("decide_not_to_issue").status == .lapsed)
        let letter = try #require(try walk.lettersToParent("final_plan_issued").first)
        #expect(letter.contains("Mediation adviser: 0100 000 0000") && letter.contains("SEND team: 0100 000 0001"))
        #expect(letter.contains("health care provision you want the plan to include"))
    }

    @Test func theTwentyWeeksAreBreachedByATickTheDayAfterAndAFuturePlanDateIsRefused() throws {
        let walk = try Walk()
        try walk.toFinalising()
        walk.on(Self.finalPlanBy)
        #expect(try walk.engine.tick().filter { $0.deadline == "final_plan" && $0.kind == "breach" }.isEmpty)
        #expect(try walk.clock("final_plan").status == .running)
        walk.on("2026-01-20")
        #expect(try walk.engine.tick().filter { $0.deadline == "final_plan" && $0.kind == "breach" }.count == 1)
        #expect(try walk.clock("final_plan").status == .breached)
        let input: [String: ExpressionValue] = ["named_school": .string("Hillside Primary"), "final_plan_issued_on": Self.value("2026-01-21")]
        #expect(walk.refusal("issue_final_plan", Self.manager, input.merging(Self.contacts) { a, _ in a }).map(\.code) == [.guardFalse], "issued tomorrow")
        try walk.fire("issue_final_plan", Self.manager, input.merging(["final_plan_issued_on": Self.value("2026-01-20")]) { _, b in b }.merging(Self.contacts) { a, _ in a })
        #expect(try walk.clock("final_plan").status == .metLate)
    }

    @Test func theTwentyWeeksCanBeExcusedUnderRegulationThirteenThree() throws {
        let walk = try Walk()
        try walk.toFinalising()
        #expect(throws: EngineError.self, "Regs 10(4)(a) reaches only the 16 weeks") {
            try walk.engine.excuseDeadline(caseID: Self.caseID, deadline: "final_plan", as: Self.manager, reason: "school closed",
                                           exception: "reg-10-4-a", attributes: Matrix.staff)
        }
        _ = try walk.engine.excuseDeadline(caseID: Self.caseID, deadline: "final_plan", as: Self.manager, reason: "the family were abroad",
                                           exception: "reg-13-3-away", attributes: Matrix.staff)
        let clock = try walk.clock("final_plan")
        #expect(clock.status == .excused)
        #expect(clock.exception == "reg-13-3-away")
        walk.on("2026-01-20")
        #expect(try walk.engine.tick().filter { $0.deadline == "final_plan" }.isEmpty)
    }

    // MARK: Ending early

    @Test func aWithdrawalWhileGatheringAdviceLapsesEveryRunningClock() throws {
        let walk = try Walk()
        try walk.assess()
        walk.on("2025-10-20")
        try walk.fire("withdraw_request", Self.parent, ["withdrawn_on": Self.value("2025-10-20")])
        #expect(try walk.state() == "withdrawn")
        #expect(try walk.clock("decide_whether_to_assess").status == .met)
        for name in ["gather_advice", "decide_not_to_issue", "final_plan"] {
            #expect(try walk.clock(name).status == .lapsed, "\(name)")
        }
        walk.on("2026-02-01")
        #expect(try walk.engine.tick().isEmpty, "nothing lapsed is ever breached")
    }

    @Test func aClosureDuringTheFamilysWindowLapsesItAndTheTwentyWeeks() throws {
        let walk = try Walk()
        try walk.toDraft()
        walk.on("2025-12-15")
        try walk.fire("close_case", Self.manager, ["closure_reason": .string("moved_out_of_area"), "closure_notes": .string("Moved to another county")])
        #expect(try walk.state() == "closed")
        #expect(try walk.clock("representations").status == .lapsed)
        #expect(try walk.clock("final_plan").status == .lapsed)
        #expect(try walk.clock("gather_advice").status == .metLate, "the advice went to panel the day after it was due")
    }

    @Test func aWithdrawalIsRefusedOnceThePlanIsBeingDrafted() throws {
        let walk = try Walk()
        try walk.toDraft()
        let blockers = walk.refusal("withdraw_request", Self.parent, ["withdrawn_on": Self.value("2025-12-10")])
        #expect(blockers.map(\.code) == [.wrongState])
    }
}

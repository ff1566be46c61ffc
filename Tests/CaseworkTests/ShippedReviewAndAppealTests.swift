@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkExpressions
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation
import Testing

/// The shipped annual review and tribunal appeal, walked under the portal policy (issue 13): the main path and each
/// refusal, with dates on the boundaries (the last lawful day and the day after), checking each clock's outcome.
/// Every case runs on an in-memory store and a manual clock; the dates are the statutory ones, worked by hand:
/// a change of one day in any of them makes its test fail.
@Suite("Shipped annual review and tribunal appeal")
struct ShippedReviewAndAppealTests {
    // MARK: Harness

    struct Actor {
        var actor: CaseActor
        var attributes: [String: ExpressionValue]
    }

    static let caseworker = Actor(actor: CaseActor(role: "caseworker", id: "ana"), attributes: ShippedDefinitionsTests.staff)
    static let manager = Actor(actor: CaseActor(role: "send_manager", id: "sam"), attributes: ShippedDefinitionsTests.staff)
    static let parent = Actor(actor: CaseActor(role: "parent", id: "jo"), attributes: ShippedDefinitionsTests.family("parent"))
    static let school = Actor(actor: .organisation("school-x", role: "school"), attributes: ShippedDefinitionsTests.professional)
    static let adviser = Actor(actor: .organisation("mediation-co", role: "mediation_service"), attributes: ShippedDefinitionsTests.professional)

    static func day(_ text: String) -> Date { CalendarDate(text)!.start().addingTimeInterval(9 * 3600) }
    static func date(_ text: String) -> CalendarDate { CalendarDate(text)! }
    static func d(_ text: String) -> ExpressionValue { .date(date(text)) }
    /// The two contacts every annual-review decision letter with the right of appeal gives (Regs 32(c), (f)).
    static let contacts: [String: ExpressionValue] = [
        "mediation_adviser_contact": .string("County Mediation"), "mediation_contact": .string("SEND team"),
    ]

    /// One case of a shipped workflow, id "c1", with its engine and clock.
    final class Case {
        let clock: ManualClock
        let engine: Engine

        init(on start: String) throws {
            clock = ManualClock(ShippedReviewAndAppealTests.day(start))
            engine = try Engine(catalog: ShippedDefinitionsTests.catalog, store: InMemoryCaseStore(), clock: clock)
        }

        func at(_ text: String) { clock.set(ShippedReviewAndAppealTests.day(text)) }

        @discardableResult
        func fire(_ transition: String, _ who: Actor, _ input: [String: ExpressionValue] = [:], on effective: String? = nil) throws -> CaseRecord {
            try engine.fire(FireRequest(caseID: "c1", transition: transition, actor: who.actor, input: input, attributes: who.attributes,
                                        effectiveOn: effective.map(ShippedReviewAndAppealTests.date))).record
        }

        /// What stops a step: "fired" if nothing did, else the blockers' codes or the refusal's code.
        func refusal(_ transition: String, _ who: Actor, _ input: [String: ExpressionValue] = [:]) -> String {
            do {
                _ = try engine.fire(FireRequest(caseID: "c1", transition: transition, actor: who.actor, input: input, attributes: who.attributes))
                return "fired"
            } catch {
                if case let .blocked(_, blockers) = error { return blockers.map(\.code.rawValue).joined(separator: ",") }
                return error.code.rawValue
            }
        }

        func clock(_ name: String) throws -> DeadlineRecord {
            try #require(try engine.caseRecord("c1", as: .operator()).deadlines.first { $0.name == name }, "no clock \(name)")
        }

        func status(_ name: String) throws -> DeadlineStatus { try clock(name).status }

        func state() throws -> String { try engine.caseRecord("c1", as: .operator()).state }

        func tick(at text: String) throws -> [TickAction] {
            at(text)
            return try engine.tick()
        }

        func grant(_ principals: [Principal]) throws {
            for principal in principals {
                _ = try engine.grantAccess(caseID: "c1", grant: AccessGrant(to: principal, level: "full"), as: ShippedReviewAndAppealTests.caseworker.actor,
                                           attributes: ShippedDefinitionsTests.staff, reason: "party to the case")
            }
        }
    }

    // MARK: The annual review

    /// An annual review opened on Monday 5 January 2026; the last review was on 10 March 2025, so the 12-month clock
    /// (CFA s.44(1)) is due on 10 March 2026. The child, born in 2016, is below Year 9.
    static func review() throws -> Case {
        let review = try Case(on: "2026-01-05")
        _ = try review.engine.open(workflow: "annual-review", as: caseworker.actor, caseID: "c1", fields: [
            "child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": d("2016-02-14"),
            "plan_issued_on": d("2024-03-10"), "last_reviewed_on": d("2025-03-10"), "named_school": .string("Hill School"),
        ], participants: ["parent": "jo", "school": "organisation:school-x"], attributes: ShippedDefinitionsTests.staff)
        try review.grant([.person("jo"), .organisation("school-x")])
        return review
    }

    /// Invitations and requests for advice on `sent`, for a meeting on `meeting`.
    static func arranged(meeting: String, sent: String = "2026-01-05") throws -> Case {
        let review = try Self.review()
        review.at(sent)
        try review.fire("arrange_review_meeting", caseworker, ["invitations_sent_on": d(sent), "meeting_on": d(meeting)])
        return review
    }

    /// The advice circulated two weeks before `meeting` and the meeting held on its date.
    static func held(meeting: String = "2026-02-02") throws -> Case {
        let review = try arranged(meeting: meeting)
        let circulate = date(meeting).adding(days: -14).description
        review.at(circulate)
        try review.fire("circulate_advice", caseworker, ["advice_circulated_on": d(circulate)])
        review.at(meeting)
        try review.fire("hold_review_meeting", school, ["meeting_held_on": d(meeting)])
        return review
    }

    @Test func theReviewMainPathMeetsEveryClockOnItsLastLawfulDay() throws {
        // Meeting on Monday 2 February 2026: advice circulated by Monday 19 January (Regs 20(4)), the report by
        // Monday 16 February (Regs 20(7)), the decision by Monday 2 March (Regs 20(10)).
        let review = try Self.arranged(meeting: "2026-02-02")
        #expect(try review.clock("annual_review").dueOn == Self.date("2026-03-10"))
        #expect(try review.clock("circulate_advice").dueOn == Self.date("2026-01-19"))
        let record = try review.engine.caseRecord("c1", as: .operator())
        #expect(record.forms.map(\.dueOn) == Array(repeating: Self.date("2026-01-15"), count: 3),
                "the advice falls due 10 days after it is asked, 4 days before it must be circulated")
        review.at("2026-01-19")
        try review.fire("circulate_advice", Self.caseworker, ["advice_circulated_on": Self.d("2026-01-19")])
        #expect(try review.status("circulate_advice") == .met)
        review.at("2026-02-02")
        try review.fire("hold_review_meeting", Self.school, ["meeting_held_on": Self.d("2026-02-02")])
        #expect(try review.status("annual_review") == .met)
        #expect(try review.clock("review_report").dueOn == Self.date("2026-02-16"))
        #expect(try review.clock("review_decision").dueOn == Self.date("2026-03-02"))
        review.at("2026-02-16")
        try review.fire("send_review_report", Self.school, ["report_sent_on": Self.d("2026-02-16"), "report_recommendation": .string("keep_plan")])
        #expect(try review.status("review_report") == .met)
        review.at("2026-03-02")
        let kept = try review.fire("maintain_plan", Self.manager, ["decision_on": Self.d("2026-03-02"), "decision_reasons": .string("Good progress")].merging(Self.contacts) { $1 })
        #expect(kept.state == "maintained")
        #expect(try review.status("review_decision") == .met)
        #expect(kept.fields["next_review_by"] == Self.d("2027-02-02"))
        #expect(try review.tick(at: "2026-06-01").filter { $0.kind == "breach" }.isEmpty, "nothing is left to breach")
    }

    /// CFA s.44(1): the 12-month clock is met on the day the meeting was held.
    @Test(arguments: [("2026-03-10", DeadlineStatus.met), ("2026-03-11", .metLate)])
    func theTwelveMonthClockIsMetOnTheDayTheMeetingWasHeld(meeting: String, expected: DeadlineStatus) throws {
        let review = try Self.held(meeting: meeting)
        #expect(try review.status("annual_review") == expected)
        #expect(try review.clock("annual_review").metOn == Self.date(meeting))
    }

    /// Regs 20(4): advice circulated on the meeting's date less 14 days is in time; a day later is late, and is still
    /// recorded, and the meeting can still be recorded as held.
    @Test(arguments: [("2026-01-19", DeadlineStatus.met), ("2026-01-20", .metLate)])
    func adviceCirculatedLateIsRecordedAsLate(circulated: String, expected: DeadlineStatus) throws {
        let review = try Self.arranged(meeting: "2026-02-02")
        review.at("2026-01-22")
        try review.fire("circulate_advice", Self.caseworker, ["advice_circulated_on": Self.d(circulated)])
        #expect(try review.status("circulate_advice") == expected)
        #expect(try review.clock("circulate_advice").metOn == Self.date(circulated))
        review.at("2026-02-02")
        #expect(try review.fire("hold_review_meeting", Self.school, ["meeting_held_on": Self.d("2026-02-02")]).state == "writing_report")
    }

    @Test(arguments: [("2026-01-19", DeadlineStatus.running), ("2026-01-20", .breached)])
    func adviceNotCirculatedBreachesTheDayAfterTheLastLawfulDay(tick: String, expected: DeadlineStatus) throws {
        let review = try Self.arranged(meeting: "2026-02-02")
        let actions = try review.tick(at: tick)
        #expect(try review.status("circulate_advice") == expected)
        #expect(actions.contains { $0.deadline == "circulate_advice" && $0.kind == "breach" } == (expected == .breached))
        review.at("2026-02-02")
        try review.fire("hold_review_meeting", Self.school, ["meeting_held_on": Self.d("2026-02-02")])
        #expect(try review.status("circulate_advice") == expected, "a meeting held without the advice does not meet the clock")
    }

    /// A meeting moved to another date: the circulation clock restarts from the new date; a meeting held on another
    /// day than the one given is recorded with the reason, and the clocks count from the day it was held.
    @Test func aMovedMeetingRestartsTheCirculationClockAndAMeetingOnAnotherDateIsRecorded() throws {
        let review = try Self.arranged(meeting: "2026-02-02")
        review.at("2026-01-12")
        // The advice falls due on 15 January: a meeting on 28 January would need it circulated by the 14th.
        #expect(review.refusal("rearrange_review_meeting", Self.caseworker, ["invitations_sent_on": Self.d("2026-01-12"), "meeting_on": Self.d("2026-01-28")]) == "guard_false")
        try review.fire("rearrange_review_meeting", Self.caseworker, ["invitations_sent_on": Self.d("2026-01-12"), "meeting_on": Self.d("2026-01-29")])
        #expect(try review.clock("circulate_advice").dueOn == Self.date("2026-01-15"))
        try review.fire("rearrange_review_meeting", Self.caseworker, ["invitations_sent_on": Self.d("2026-01-12"), "meeting_on": Self.d("2026-02-09")])
        #expect(try review.clock("circulate_advice").dueOn == Self.date("2026-01-26"))
        review.at("2026-01-26")
        try review.fire("circulate_advice", Self.caseworker, ["advice_circulated_on": Self.d("2026-01-26")])
        #expect(try review.status("circulate_advice") == .met)
        review.at("2026-02-11")
        #expect(review.refusal("hold_review_meeting", Self.school, ["meeting_held_on": Self.d("2026-02-10")]) == "guard_false", "not the date given")
        #expect(review.refusal("hold_review_meeting_on_another_date", Self.school, ["meeting_held_on": Self.d("2026-02-09"), "meeting_date_change_reason": .string("x")]) == "guard_false",
                "the date given is not another date")
        #expect(review.refusal("hold_review_meeting_on_another_date", Self.school, ["meeting_held_on": Self.d("2026-02-10")]) == "missing_input", "the reason is required")
        try review.fire("hold_review_meeting_on_another_date", Self.school, [
            "meeting_held_on": Self.d("2026-02-10"), "meeting_date_change_reason": .string("The head teacher was ill; everyone agreed the next day"),
        ])
        #expect(try review.status("annual_review") == .met)
        #expect(try review.clock("review_report").dueOn == Self.date("2026-02-24"))
    }

    /// Regs 20(7)-(8): the report within two weeks, met on the day it was sent, whenever recorded.
    @Test(arguments: [("2026-02-16", DeadlineStatus.met), ("2026-02-17", .metLate)])
    func theReportIsMetOnTheDayItWasSent(sent: String, expected: DeadlineStatus) throws {
        let review = try Self.held()
        review.at("2026-02-20")
        try review.fire("send_review_report", Self.caseworker, ["report_sent_on": Self.d(sent), "report_recommendation": .string("keep_plan")])
        #expect(try review.status("review_report") == expected)
    }

    /// Regs 20(10): the decision within four weeks of the meeting, met on the day the step took effect (recorded
    /// later with its effective date).
    @Test(arguments: [("2026-03-02", DeadlineStatus.met), ("2026-03-03", .metLate)])
    func theDecisionIsMetOnTheDayItTookEffect(decided: String, expected: DeadlineStatus) throws {
        let review = try Self.held()
        review.at("2026-02-16")
        try review.fire("send_review_report", Self.caseworker, ["report_sent_on": Self.d("2026-02-16"), "report_recommendation": .string("keep_plan")])
        review.at("2026-03-09")
        try review.fire("maintain_plan", Self.manager, ["decision_on": Self.d(decided), "decision_reasons": .string("Good progress")].merging(Self.contacts) { $1 }, on: decided)
        #expect(try review.status("review_decision") == expected)
        #expect(try review.clock("review_decision").metOn == Self.date(decided))
    }

    @Test(arguments: [("2026-02-16", DeadlineStatus.running, DeadlineStatus.running), ("2026-02-17", .breached, .running), ("2026-03-02", .breached, .running), ("2026-03-03", .breached, .breached)])
    func theReportAndDecisionBreachTheDayAfterTheirLastLawfulDay(tick: String, report: DeadlineStatus, decision: DeadlineStatus) throws {
        let review = try Self.held()
        let actions = try review.tick(at: tick)
        #expect(try review.status("review_report") == report)
        #expect(try review.status("review_decision") == decision)
        #expect(Set(actions.filter { $0.kind == "breach" }.map(\.deadline)).isSubset(of: ["review_report", "review_decision"]))
    }

    /// Regs 22: the family's 15 days beginning with the day served end 14 days after it; unused, the window closes,
    /// never breaches. The amended plan is due 8 weeks after the notice (met by the date it was issued) and 12 weeks
    /// after the meeting (Devon).
    static func amending() throws -> Case {
        let review = try Self.held()
        review.at("2026-02-10")
        try review.fire("send_review_report", Self.caseworker, ["report_sent_on": Self.d("2026-02-10"), "report_recommendation": .string("amend_plan")])
        try review.fire("propose_amendments", Self.manager, [
            "decision_on": Self.d("2026-02-10"), "amendment_notice_sent_on": Self.d("2026-02-10"), "proposed_amendments": .string("More speech therapy"),
        ])
        return review
    }

    @Test(arguments: [("2026-02-24", DeadlineStatus.running), ("2026-02-25", .closed)])
    func theFamilysWindowOnAmendmentsClosesRatherThanBreaches(tick: String, expected: DeadlineStatus) throws {
        let review = try Self.amending()
        #expect(try review.status("review_decision") == .met)
        #expect(try review.clock("amendment_representations").dueOn == Self.date("2026-02-24"))
        let actions = try review.tick(at: tick)
        #expect(try review.status("amendment_representations") == expected)
        #expect(!actions.contains { $0.kind == "breach" }, "a family's window escalates to no one")
        // Regs 22(2)(c): staff may close the time for comments only after the 15th day.
        #expect(review.refusal("close_amendment_representations", Self.caseworker) == (expected == .closed ? "fired" : "guard_false"))
    }

    @Test func theFamilyCommentingMeetsTheirWindow() throws {
        let review = try Self.amending()
        review.at("2026-02-24")
        try review.fire("make_amendment_representations", Self.parent, ["amendment_representations": .string("Please add a note on transport")])
        #expect(try review.status("amendment_representations") == .met)
    }

    @Test(arguments: [("2026-04-07", DeadlineStatus.met), ("2026-04-08", .metLate)])
    func theAmendedPlanIsMetOnTheDayItWasIssued(issued: String, expected: DeadlineStatus) throws {
        let review = try Self.amending()
        review.at("2026-02-24")
        #expect(review.refusal("issue_amended_plan", Self.manager, ["amended_plan_issued_on": Self.d("2026-02-24")].merging(Self.contacts) { $1 }) == "wrong_state")
        review.at("2026-02-25")
        try review.fire("close_amendment_representations", Self.caseworker)
        review.at("2026-04-10")
        try review.fire("issue_amended_plan", Self.manager, ["amended_plan_issued_on": Self.d(issued)].merging(Self.contacts) { $1 })
        #expect(try review.clock("amended_plan").dueOn == Self.date("2026-04-07"))
        #expect(try review.status("amended_plan") == expected)
        #expect(try review.clock("amended_plan_after_meeting").dueOn == Self.date("2026-04-27"))
        #expect(try review.status("amended_plan_after_meeting") == .met)
    }

    /// Regs 22(2)(c): the plan may be issued 15 days after the notice (the 15 days are over), not 14, unless the
    /// family has said they have nothing more to add.
    @Test(arguments: [("2026-02-24", "guard_false"), ("2026-02-25", "fired")])
    func theAmendedPlanWaitsForTheFamilysFifteenDays(issued: String, expected: String) throws {
        let review = try Self.amending()
        review.at("2026-02-23")
        try review.fire("close_amendment_representations", Self.parent, ["no_further_representations": .bool(true)])
        #expect(try review.status("amendment_representations") == .met)
        review.at(issued)
        #expect(review.refusal("issue_amended_plan", Self.manager, ["amended_plan_issued_on": Self.d(issued)].merging(Self.contacts) { $1 }) == "fired",
                "nothing more to add: the plan may go at once")
        let waiting = try Self.amending()
        waiting.at("2026-02-25")
        try waiting.fire("close_amendment_representations", Self.caseworker)
        #expect(waiting.refusal("issue_amended_plan", Self.manager, ["amended_plan_issued_on": Self.d(issued)].merging(Self.contacts) { $1 }) == expected)
    }

    @Test func closingTheReviewLapsesItsRunningClocks() throws {
        let review = try Self.arranged(meeting: "2026-02-02")
        review.at("2026-01-12")
        try review.fire("close_review", Self.manager, ["closure_reason": .string("moved_to_another_authority"), "closure_notes": .string("Moved")])
        #expect(try review.status("annual_review") == .lapsed)
        #expect(try review.status("circulate_advice") == .lapsed)
        _ = try review.tick(at: "2026-04-01")
        #expect(try review.status("annual_review") == .lapsed, "a lapsed clock is never breached")
    }

    /// Each guard that can refuse, on its boundary, and each role that may not act.
    @Test func theReviewRefusesWhatTheLawDoesNotAllow() throws {
        let review = try Self.review()
        let invite = { (meeting: String) in ["invitations_sent_on": Self.d("2026-01-05"), "meeting_on": Self.d(meeting)] }
        // Regs 20(3)-(4): with the advice asked for, the meeting is at least 4 weeks away.
        #expect(review.refusal("arrange_review_meeting", Self.caseworker, invite("2026-02-01")) == "guard_false")
        #expect(review.refusal("arrange_review_meeting", Self.parent, invite("2026-02-02")) != "fired", "a parent does not arrange the meeting")
        #expect(review.refusal("arrange_review_meeting", Self.school, invite("2026-02-02")) == "fired")
        #expect(review.refusal("circulate_advice", Self.caseworker, ["advice_circulated_on": Self.d("2026-01-04")]) == "guard_false", "not before the invitations")
        #expect(review.refusal("circulate_advice", Self.parent, ["advice_circulated_on": Self.d("2026-01-05")]) != "fired")
        review.at("2026-01-19")
        try review.fire("circulate_advice", Self.caseworker, ["advice_circulated_on": Self.d("2026-01-19")])
        review.at("2026-02-02")
        #expect(review.refusal("hold_review_meeting_on_another_date", Self.school, [
            "meeting_held_on": Self.d("2026-01-04"), "meeting_date_change_reason": .string("x"),
        ]) == "guard_false", "not before the invitations")
        #expect(review.refusal("hold_review_meeting", Self.parent, ["meeting_held_on": Self.d("2026-02-02")]) != "fired")
        try review.fire("hold_review_meeting", Self.school, ["meeting_held_on": Self.d("2026-02-02")])
        #expect(review.refusal("send_review_report", Self.school, ["report_sent_on": Self.d("2026-02-01"), "report_recommendation": .string("cease_plan")]) == "guard_false")
        try review.fire("send_review_report", Self.school, ["report_sent_on": Self.d("2026-02-02"), "report_recommendation": .string("cease_plan")])
        let decide = ["decision_on": Self.d("2026-02-02"), "decision_reasons": .string("Needs met")]
        #expect(review.refusal("maintain_plan", Self.caseworker, decide.merging(Self.contacts) { $1 }) != "fired", "the SEND manager decides")
        #expect(review.refusal("maintain_plan", Self.school, decide.merging(Self.contacts) { $1 }) != "fired")
        // CFA s.45: a young person who has left education loses the plan only from 18; the child is 9.
        let cease = decide.merging(["cease_reason": .string("left_education_over_18"), "cease_views_due_on": Self.d("2026-02-16")]) { $1 }
        #expect(review.refusal("propose_to_cease", Self.manager, cease) == "guard_false")
        let views = decide.merging(["cease_reason": .string("no_longer_necessary"), "cease_views_due_on": Self.d("2026-02-02")]) { $1 }
        #expect(review.refusal("propose_to_cease", Self.manager, views) == "guard_false", "the views fall due after the decision")
        let ceasing = try review.fire("propose_to_cease", Self.manager, decide.merging(["cease_reason": .string("no_longer_necessary"), "cease_views_due_on": Self.d("2026-02-16")]) { $1 })
        #expect(ceasing.state == "considering_ceasing")
        #expect(try review.status("review_decision") == .met)
        // Regs 29: not before the views fall due, unless both have given them.
        #expect(review.refusal("cease_plan", Self.manager, ["cease_notice_sent_on": Self.d("2026-02-02")].merging(Self.contacts) { $1 }) == "guard_false")
        review.at("2026-02-17")
        #expect(review.refusal("cease_plan", Self.manager, ["cease_notice_sent_on": Self.d("2026-02-17")].merging(Self.contacts) { $1 }) == "fired")
    }

    // MARK: The tribunal appeal

    /// A tribunal appeal opened on the day of the decision letter.
    static func appeal(letter: String = "2025-09-10", type: String = "refusal_to_assess") throws -> Case {
        let appeal = try Case(on: letter)
        _ = try appeal.engine.open(workflow: "tribunal-appeal", as: caseworker.actor, caseID: "c1", fields: [
            "child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": d("2016-02-14"),
            "decision_type": .string(type), "decision_letter_on": d(letter), "decision_case": .string("child-1"),
        ], participants: ["parent": "jo", "mediation_service": "organisation:mediation-co"], attributes: ShippedDefinitionsTests.staff)
        try appeal.grant([.person("jo"), .organisation("mediation-co")])
        return appeal
    }

    /// Regs 33: the adviser contacted within 2 months of the letter of Wednesday 10 September 2025, so by Monday 10
    /// November; later contact is recorded, late.
    /// A family's window used after it ended is closed, not met late: the time was theirs and it ran out.
    @Test(arguments: [("2025-11-10", DeadlineStatus.met), ("2025-11-11", .closed)])
    func contactingTheAdviserIsMetOnTheDayOfContact(contacted: String, expected: DeadlineStatus) throws {
        let appeal = try Self.appeal()
        #expect(try appeal.clock("contact_mediation_adviser").dueOn == Self.date("2025-11-10"))
        #expect(try appeal.clock("appeal_window").dueOn == Self.date("2025-11-10"))
        appeal.at("2025-11-12")
        try appeal.fire("contact_mediation_adviser", Self.parent, ["mediation_adviser_contacted_on": Self.d(contacted)])
        #expect(try appeal.status("contact_mediation_adviser") == expected)
    }

    @Test(arguments: [("2025-11-10", DeadlineStatus.running), ("2025-11-11", .closed)])
    func theFamilysWindowsCloseAndNeverBreach(tick: String, expected: DeadlineStatus) throws {
        let appeal = try Self.appeal()
        let actions = try appeal.tick(at: tick)
        #expect(try appeal.status("contact_mediation_adviser") == expected)
        #expect(try appeal.status("appeal_window") == expected)
        #expect(!actions.contains { $0.kind == "breach" }, "nobody on the staff is told of a family's window")
    }

    /// HESC Rules r.12(3): a letter of 30 June 2025 gives until Saturday 30 August, which is in August, so the last
    /// day is the first working day of September, Monday 1 September. The Section I route needs no certificate.
    @Test(arguments: [("2025-09-01", DeadlineStatus.met), ("2025-09-02", .closed)])
    func aSectionIAppealIsMetOnTheDayItWasLodgedAfterTheAugustRoll(lodged: String, expected: DeadlineStatus) throws {
        let appeal = try Self.appeal(letter: "2025-06-30", type: "plan_contents")
        #expect(try appeal.clock("appeal_window").dueOn == Self.date("2025-09-01"))
        appeal.at("2025-07-01")
        try appeal.fire("appeal_about_placement_only", Self.parent)
        #expect(try appeal.status("contact_mediation_adviser") == .lapsed, "no certificate is needed (CFA s.55; s.51(2)(c)(iii)-(iv))")
        appeal.at("2025-09-03")
        let lodged = try appeal.fire("lodge_appeal_without_mediation", Self.parent, ["appeal_lodged_on": Self.d(lodged), "placement_only": .bool(true)])
        #expect(lodged.state == "appeal_lodged")
        #expect(try appeal.status("appeal_window") == expected)
        #expect(try appeal.status("contact_mediation_adviser") == .lapsed)
    }

    @Test func aSectionIAppealIsNeverHeldToTheAdviserWindow() throws {
        let appeal = try Self.appeal(type: "no_school_named")
        appeal.at("2025-09-15")
        try appeal.fire("appeal_about_placement_only", Self.parent)
        _ = try appeal.tick(at: "2025-11-11")
        #expect(try appeal.status("contact_mediation_adviser") == .lapsed)
        #expect(try appeal.status("appeal_window") == .closed)
    }

    /// CFA s.51(2) and s.55: only an appeal about the plan's contents, no school named, or a refusal to amend
    /// can be about Section I alone.
    @Test(arguments: [
        ("refusal_to_assess", "guard_false"), ("refusal_to_reassess", "guard_false"), ("refusal_to_issue", "guard_false"),
        ("cease_to_maintain", "guard_false"), ("plan_contents", "fired"), ("no_school_named", "fired"), ("refusal_to_amend", "fired"),
    ])
    func onlyAnAppealThatCanBeAboutSectionIGoesWithoutMediation(type: String, expected: String) throws {
        let appeal = try Self.appeal(type: type)
        #expect(appeal.refusal("appeal_about_placement_only", Self.adviser) != "fired", "the adviser does not choose the family's appeal")
        #expect(appeal.refusal("appeal_about_placement_only", Self.parent) == expected)
    }

    /// Mediation asked for on Friday 19 September; the authority told on Monday 22 September: the 30 days run from the
    /// 22nd (Regs 36-37), to Wednesday 22 October.
    static func mediating() throws -> Case {
        let appeal = try Self.appeal()
        appeal.at("2025-09-22")
        try appeal.fire("contact_mediation_adviser", Self.parent, ["mediation_adviser_contacted_on": Self.d("2025-09-15")])
        try appeal.fire("request_mediation", Self.parent, ["mediation_requested_on": Self.d("2025-09-19"), "mediation_issues": .string("Speech therapy")])
        #expect(try appeal.engine.caseRecord("c1", as: .operator()).deadlines.contains { $0.name == "hold_mediation" } == false,
                "the family's request alone does not start the authority's 30 days")
        #expect(appeal.refusal("record_authority_told_of_mediation", Self.parent, ["authority_told_of_mediation_on": Self.d("2025-09-22")]) != "fired")
        #expect(appeal.refusal("record_authority_told_of_mediation", Self.caseworker, ["authority_told_of_mediation_on": Self.d("2025-09-18")]) == "guard_false",
                "not before the family asked")
        try appeal.fire("record_authority_told_of_mediation", Self.caseworker, ["authority_told_of_mediation_on": Self.d("2025-09-22")])
        return appeal
    }

    @Test(arguments: [("2025-10-22", DeadlineStatus.met), ("2025-10-23", .metLate)])
    func theMediationClockCountsFromTheDayTheAuthorityWasTold(held: String, expected: DeadlineStatus) throws {
        let appeal = try Self.mediating()
        #expect(try appeal.clock("hold_mediation").startedOn == Self.date("2025-09-22"))
        #expect(try appeal.clock("hold_mediation").dueOn == Self.date("2025-10-22"))
        appeal.at("2025-10-24")
        try appeal.fire("record_mediation_held", Self.adviser, ["mediation_held_on": Self.d(held), "mediation_outcome": .string("not_agreed")])
        #expect(try appeal.status("hold_mediation") == expected)
    }

    @Test(arguments: [("2025-10-22", DeadlineStatus.running, "guard_false"), ("2025-10-23", .breached, "fired")])
    func mediationNotHeldBreachesAndLetsTheCertificateGo(tick: String, expected: DeadlineStatus, certificate: String) throws {
        let appeal = try Self.mediating()
        let actions = try appeal.tick(at: tick)
        #expect(try appeal.status("hold_mediation") == expected)
        #expect(actions.contains { $0.deadline == "hold_mediation" && $0.kind == "breach" } == (expected == .breached))
        #expect(appeal.refusal("issue_mediation_certificate", Self.adviser, ["mediation_certificate_on": Self.d(tick)]) == certificate)
        #expect(try appeal.status("hold_mediation") == expected, "a certificate for a mediation not held does not meet the clock")
    }

    /// Regs 39: the certificate within 3 working days of a mediation held on Wednesday 22 October: Monday 27 October.
    /// The family then has 1 month from it to appeal (HESC Rules r.20): Thursday 27 November.
    @Test(arguments: [("2025-10-27", DeadlineStatus.met), ("2025-10-28", .metLate)])
    func theCertificateAfterMediationIsMetOnItsDate(issued: String, expected: DeadlineStatus) throws {
        let appeal = try Self.mediating()
        appeal.at("2025-10-22")
        try appeal.fire("record_mediation_held", Self.adviser, ["mediation_held_on": Self.d("2025-10-22"), "mediation_outcome": .string("partly_agreed")])
        #expect(try appeal.clock("certificate_after_mediation").dueOn == Self.date("2025-10-27"))
        appeal.at("2025-10-29")
        #expect(appeal.refusal("issue_mediation_certificate", Self.parent, ["mediation_certificate_on": Self.d(issued)]) != "fired")
        try appeal.fire("issue_mediation_certificate", Self.adviser, ["mediation_certificate_on": Self.d(issued)])
        #expect(try appeal.status("certificate_after_mediation") == expected)
        let window = try appeal.clock("appeal_window_after_certificate")
        #expect(window.dueOn == CalendarDate(issued)!.adding(days: 31))
        #expect(appeal.refusal("lodge_appeal", Self.adviser, ["appeal_lodged_on": Self.d("2025-10-29")]) != "fired", "the adviser does not appeal")
        #expect(appeal.refusal("lodge_appeal", Self.parent, ["appeal_lodged_on": Self.d("2025-10-26")]) == "guard_false", "not before the certificate")
        try appeal.fire("lodge_appeal", Self.parent, ["appeal_lodged_on": Self.d("2025-10-29")])
        #expect(try appeal.status("appeal_window_after_certificate") == .met)
        #expect(try appeal.status("appeal_window") == .met)
    }

    /// Regs 34: declined on Friday 19 September, the certificate is due 3 working days later, Wednesday 24 September.
    @Test(arguments: [("2025-09-24", DeadlineStatus.met), ("2025-09-25", .metLate)])
    func theCertificateAfterDecliningIsMetOnItsDate(issued: String, expected: DeadlineStatus) throws {
        let appeal = try Self.appeal()
        appeal.at("2025-09-19")
        try appeal.fire("contact_mediation_adviser", Self.parent, ["mediation_adviser_contacted_on": Self.d("2025-09-19")])
        #expect(appeal.refusal("decline_mediation", Self.caseworker, ["mediation_declined_on": Self.d("2025-09-19")]) != "fired", "the family declines, not staff")
        try appeal.fire("decline_mediation", Self.parent, ["mediation_declined_on": Self.d("2025-09-19")])
        #expect(try appeal.clock("certificate_after_declining").dueOn == Self.date("2025-09-24"))
        appeal.at("2025-09-26")
        try appeal.fire("issue_mediation_certificate", Self.adviser, ["mediation_certificate_on": Self.d(issued)])
        #expect(try appeal.status("certificate_after_declining") == expected)
    }

    @Test(arguments: [("2025-09-24", DeadlineStatus.running), ("2025-09-25", .breached)])
    func aCertificateNotIssuedAfterDecliningBreaches(tick: String, expected: DeadlineStatus) throws {
        let appeal = try Self.appeal()
        appeal.at("2025-09-19")
        try appeal.fire("contact_mediation_adviser", Self.parent, ["mediation_adviser_contacted_on": Self.d("2025-09-19")])
        try appeal.fire("decline_mediation", Self.parent, ["mediation_declined_on": Self.d("2025-09-19")])
        _ = try appeal.tick(at: tick)
        #expect(try appeal.status("certificate_after_declining") == expected)
    }

    /// The appeal route is closed for a passed window only a month and a week after the letter's two months (guards
    /// count without the Tribunal's roll rules); the contact is not recorded before the letter.
    @Test(arguments: [("2025-12-17", "guard_false"), ("2025-12-18", "fired")])
    func closingForAPassedWindowWaitsPastAnyRoll(today: String, expected: String) throws {
        let appeal = try Self.appeal()
        #expect(appeal.refusal("contact_mediation_adviser", Self.parent, ["mediation_adviser_contacted_on": Self.d("2025-09-09")]) == "guard_false")
        _ = try appeal.tick(at: today)
        #expect(try appeal.status("appeal_window") == .closed)
        #expect(appeal.refusal("close_without_appeal", Self.parent, ["closure_reason": .string("window_passed")]) != "fired", "staff close the record")
        #expect(appeal.refusal("close_without_appeal", Self.caseworker, ["closure_reason": .string("window_passed")]) == expected)
    }
}

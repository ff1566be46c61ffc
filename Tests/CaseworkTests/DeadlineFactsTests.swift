@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation
import Testing

/// Clocks that follow the facts (issue 13): a step is late or on time by the date it happened, not by whether a tick
/// ran first; a corrected start moves its clock; exceptions are declared and cited; a family's window closes rather
/// than breaches; a late tick sends no stale reminder and never two at once.
@Suite("Deadlines from the facts")
struct DeadlineFactsTests {
    static let workflow = """
        workflow: facts
        version: 1
        title: Clocks from the facts
        calendar: england-and-wales
        roles: [parent, caseworker, send_manager]
        fields:
          requested_on: date
          plan_issued_on: date
          draft_issued_on: date
        states:
          requested: { initial: true }
          drafting: {}
          consulting: {}
          issued: { final: true }
          withdrawn: { final: true }
        exceptions:
          reg-10-4-a:
            title: The child is away for four weeks or more
            cites: Reg 10(4)(a)
            applies_to: [issue_plan]
            effect: excuse
          reg-10-4-b:
            cites: Reg 10(4)(b)
            applies_to: [issue_plan]
            effect: pause
        transitions:
          - { name: correct_request, from: [requested, drafting], to: drafting, by: [caseworker], input: { requested_on: required } }
          - { name: start, from: requested, to: drafting, by: [caseworker] }
          - { name: issue_draft, from: drafting, to: consulting, by: [caseworker], input: { draft_issued_on: required } }
          - { name: issue_revised_draft, from: consulting, to: consulting, by: [caseworker], input: { draft_issued_on: required } }
          - { name: issue_plan, from: [drafting, consulting], to: issued, by: [caseworker], input: { plan_issued_on: optional } }
          - { name: withdraw, from: [requested, drafting, consulting], to: withdrawn, by: [parent] }
        deadlines:
          - name: issue_plan
            title: Issue the final plan
            from: requested_on
            due: 20 weeks
            until: [issued]
            met_by: plan_issued_on
            remind: [2 weeks before, 1 week before]
            on_breach: { notify: [send_manager] }
          - name: say_no_plan
            title: Tell the family no plan will be issued
            from: requested_on
            due: 16 weeks
            until: [withdrawn]
            lapses_on: [drafting]
          - name: representations
            title: Make representations on the draft
            kind: window
            from: draft_issued_on
            due: 14 days
            until: [issued]
            remind: [3 days before]
            restart_on: { fired: issue_revised_draft }
        templates:
        \(EngineFixtures.messageTemplates)\(EngineFixtures.messages)
        """

    static func engine(store: any CaseStore = InMemoryCaseStore(), clock: ManualClock) throws -> Engine {
        let catalog = try DefinitionCatalog.load(sources: [(file: "facts.yaml", text: workflow), (file: "england-and-wales.yaml", text: DeadlineTests.calendars)])
        return try Engine(catalog: catalog, store: store, clock: clock)
    }

    static let caseworker = DeadlineTests.caseworker
    static func day(_ text: String) -> Date { DeadlineTests.day(text) }
    static func date(_ text: String) -> CalendarDate { CalendarDate(text)! }

    /// Case c1, requested and opened on 1 September 2025: the final plan is due 20 weeks on, on 19 January 2026.
    static func opened(_ clock: ManualClock, store: any CaseStore = InMemoryCaseStore()) throws -> Engine {
        let engine = try Self.engine(store: store, clock: clock)
        _ = try engine.open(workflow: "facts", as: CaseActor(role: "parent", id: "jo"), caseID: "c1", fields: ["requested_on": .date(Self.date("2025-09-01"))])
        return engine
    }

    static func clock(_ engine: Engine, _ name: String) throws -> DeadlineRecord {
        try #require(try engine.caseRecord("c1", as: .operator()).deadlines.first { $0.name == name })
    }

    @Test func aStepTakenLateIsLateWithoutATick() throws {
        let clock = ManualClock(Self.day("2025-09-01"))
        let engine = try Self.opened(clock)
        #expect(try Self.clock(engine, "issue_plan").dueOn == Self.date("2026-01-19"))
        clock.set(Self.day("2026-12-01"))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "start", actor: Self.caseworker))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "issue_plan", actor: Self.caseworker))
        let plan = try Self.clock(engine, "issue_plan")
        #expect(plan.status == .metLate, "issued 316 days after it was due, with no tick in between")
        #expect(plan.metOn == Self.date("2026-12-01"))
        #expect(plan.breachedOn == nil)
    }

    @Test func aStepRecordedLateWithItsEffectiveDateIsOnTimeEvenAfterATickRecordedABreach() throws {
        let clock = ManualClock(Self.day("2025-09-01"))
        let engine = try Self.opened(clock)
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "start", actor: Self.caseworker))
        clock.set(Self.day("2026-01-21"))
        #expect(try engine.tick().map(\.kind) == ["breach"], "the tick finds it overdue")
        #expect(try Self.clock(engine, "issue_plan").status == .breached)
        let result = try engine.fire(FireRequest(caseID: "c1", transition: "issue_plan", actor: Self.caseworker, effectiveOn: Self.date("2026-01-16")))
        let plan = try #require(result.record.deadlines.first { $0.name == "issue_plan" })
        #expect(plan.status == .met, "the plan was issued on 16 January, before the 19 January limit")
        #expect(plan.metOn == Self.date("2026-01-16"))
        let event = try #require(try engine.history("c1", as: .operator()).last)
        #expect(event.effectiveOn == Self.date("2026-01-16"))
        #expect(CalendarDate(event.at) == Self.date("2026-01-21"), "the audit keeps when it was recorded as well")
        #expect(try engine.verifyAudit("c1", as: .operator()).holds)
    }

    @Test func theDateThatMeetsADeadlineIsItsMetByField() throws {
        let clock = ManualClock(Self.day("2026-01-30"))
        let store = InMemoryCaseStore()
        let early = try Self.opened(ManualClock(Self.day("2025-09-01")), store: store)
        _ = try early.fire(FireRequest(caseID: "c1", transition: "start", actor: Self.caseworker))
        let late = try Self.engine(store: store, clock: clock)
        _ = try late.fire(FireRequest(caseID: "c1", transition: "issue_plan", actor: Self.caseworker, input: ["plan_issued_on": .date(Self.date("2026-01-12"))]))
        let plan = try Self.clock(late, "issue_plan")
        #expect(plan.metOn == Self.date("2026-01-12"))
        #expect(plan.status == .met)
    }

    @Test(arguments: [("2026-12-02", "is in the future"), ("2025-08-31", "is before the case was opened")])
    func anEffectiveDateInTheFutureOrBeforeTheCaseIsRefused(effective: String, says: String) throws {
        let store = InMemoryCaseStore()
        _ = try Self.opened(ManualClock(Self.day("2025-09-01")), store: store)
        let later = try Self.engine(store: store, clock: ManualClock(Self.day("2026-12-01")))
        let before = try store.snapshot(caseID: "c1")
        #expect {
            _ = try later.fire(FireRequest(caseID: "c1", transition: "start", actor: Self.caseworker, effectiveOn: Self.date(effective)))
        } throws: { error in
            (error as? EngineError)?.code == .invalidInput && "\(error)".contains(says)
        }
        #expect(try store.snapshot(caseID: "c1") == before)
    }

    @Test func correctingTheStartMovesTheClock() throws {
        let clock = ManualClock(Self.day("2025-09-10"))
        let engine = try Self.opened(clock)
        let result = try engine.fire(FireRequest(caseID: "c1", transition: "correct_request", actor: Self.caseworker,
                                                 input: ["requested_on": .date(Self.date("2025-09-08"))]))
        let plan = try #require(result.record.deadlines.first { $0.name == "issue_plan" })
        #expect(plan.startedOn == Self.date("2025-09-08"))
        #expect(plan.dueOn == Self.date("2026-01-26"), "20 weeks from the corrected date")
        let event = try #require(try engine.history("c1", as: .operator()).last)
        #expect(event.change?.deadlines?.first { $0.name == "issue_plan" }?.dueOn == Self.date("2026-01-26"), "the audit records the move")
    }

    @Test func aFamilysWindowClosesWithoutABreachOrAnEscalation() throws {
        let clock = ManualClock(Self.day("2025-09-01"))
        let engine = try Self.opened(clock)
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "start", actor: Self.caseworker))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "issue_draft", actor: Self.caseworker, input: ["draft_issued_on": .date(Self.date("2025-09-01"))]))
        #expect(try Self.clock(engine, "representations").dueOn == Self.date("2025-09-15"))
        clock.set(Self.day("2025-09-12"))
        #expect(try engine.tick().map(\.kind) == ["reminder"], "the family is reminded three days before")
        let outboxBefore = try engine.outbox(caseID: "c1", as: .operator()).count
        clock.set(Self.day("2025-09-16"))
        let actions = try engine.tick()
        #expect(actions.map(\.kind) == ["close"])
        let window = try Self.clock(engine, "representations")
        #expect(window.status == .closed && window.closedOn == Self.date("2025-09-16") && window.breachedOn == nil)
        #expect(try engine.outbox(caseID: "c1", as: .operator()).count == outboxBefore, "no one is told: closing is the family's choice")
        #expect(try engine.history("c1", as: .operator()).last?.action == "deadline_closed")
    }

    @Test func aWindowThatEndedBeforeTheStepIsClosedWithoutATick() throws {
        let clock = ManualClock(Self.day("2025-09-01"))
        let engine = try Self.opened(clock)
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "start", actor: Self.caseworker))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "issue_draft", actor: Self.caseworker, input: ["draft_issued_on": .date(Self.date("2025-09-01"))]))
        clock.set(Self.day("2025-10-01"))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "issue_plan", actor: Self.caseworker))
        let window = try Self.clock(engine, "representations")
        #expect(window.status == .closed && window.closedOn == Self.date("2025-09-16") && window.metOn == nil, "never 'met late': \(window)")
    }

    @Test func aWindowThatRanOutBeforeTheCaseEndedIsClosedNotLapsed() throws {
        let clock = ManualClock(Self.day("2025-09-01"))
        let engine = try Self.opened(clock)
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "start", actor: Self.caseworker))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "issue_draft", actor: Self.caseworker, input: ["draft_issued_on": .date(Self.date("2025-09-01"))]))
        clock.set(Self.day("2025-09-20"))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "withdraw", actor: CaseActor(role: "parent", id: "jo")))
        #expect(try Self.clock(engine, "representations").status == .closed, "its 15 days ran out before the withdrawal")
        #expect(try Self.clock(engine, "issue_plan").status == .lapsed)
    }

    @Test func aRevisedDraftRestartsTheFamilysWindowEvenAfterItClosed() throws {
        let clock = ManualClock(Self.day("2025-09-01"))
        let engine = try Self.opened(clock)
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "start", actor: Self.caseworker))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "issue_draft", actor: Self.caseworker, input: ["draft_issued_on": .date(Self.date("2025-09-01"))]))
        clock.set(Self.day("2025-09-10"))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "issue_revised_draft", actor: Self.caseworker,
                                        input: ["draft_issued_on": .date(Self.date("2025-09-10"))]))
        var window = try Self.clock(engine, "representations")
        #expect(window.status == .running && window.startedOn == Self.date("2025-09-10") && window.dueOn == Self.date("2025-09-24"))
        clock.set(Self.day("2025-09-25"))
        #expect(try engine.tick().map(\.kind) == ["close"], "the reminder's day passed with the window: only the closing")
        #expect(try Self.clock(engine, "representations").status == .closed)
        clock.set(Self.day("2025-09-29"))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "issue_revised_draft", actor: Self.caseworker,
                                        input: ["draft_issued_on": .date(Self.date("2025-09-29"))]))
        window = try Self.clock(engine, "representations")
        #expect(window.status == .running && window.dueOn == Self.date("2025-10-13") && window.closedOn == nil && window.remindersSent.isEmpty)
        #expect(try Self.clock(engine, "issue_plan").startedOn == Self.date("2025-09-01"), "only the deadline that restarts on it moves")
    }

    @Test func aClockLapsesOnAStateThatMeansItsStepIsNoLongerOwed() throws {
        let clock = ManualClock(Self.day("2025-09-01"))
        let engine = try Self.opened(clock)
        #expect(try Self.clock(engine, "say_no_plan").status == .running)
        clock.set(Self.day("2026-03-01"))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "start", actor: Self.caseworker))
        #expect(try Self.clock(engine, "say_no_plan").status == .lapsed, "deciding to go on lapses the clock for saying no, even after its due date")
        #expect(try engine.tick().map(\.deadline) == ["issue_plan"], "a lapsed clock is never breached")
    }

    @Test func aLateTickSendsNoStaleReminderAndNeverTwoAtOnce() throws {
        let clock = ManualClock(Self.day("2025-09-01"))
        let engine = try Self.opened(clock)
        clock.set(Self.day("2026-01-14"))  // both reminders (5 and 12 January) have passed; the limit (19 January) has not
        #expect(try engine.tick().filter { $0.deadline == "issue_plan" }.map(\.kind) == ["reminder"], "one reminder, the latest")
        var plan = try Self.clock(engine, "issue_plan")
        #expect(plan.remindersSent == [1] && plan.remindersSkipped == [0])
        let reminder = try #require(try engine.outbox(caseID: "c1", as: .operator()).last)
        #expect(!reminder.body.contains("-"), "no negative days: \(reminder.body)")

        let other = try Self.opened(ManualClock(Self.day("2025-09-01")))
        let late = ManualClock(Self.day("2026-09-01"))
        let lateEngine = try Self.engine(store: other.store, clock: late)
        #expect(try lateEngine.tick().filter { $0.deadline == "issue_plan" }.map(\.kind) == ["breach"], "months late: the breach, and no reminder for days long gone")
        plan = try Self.clock(lateEngine, "issue_plan")
        #expect(plan.remindersSent == [] && plan.remindersSkipped == [0, 1])
        #expect(try lateEngine.tick().isEmpty)
    }

    @Test func pausingAndExcusingCiteAnExceptionThatApplies() throws {
        let store = InMemoryCaseStore()
        let engine = try Self.opened(ManualClock(Self.day("2025-09-01")), store: store)
        let manager = CaseActor(role: "send_manager", id: "sam")
        let before = try store.snapshot(caseID: "c1")
        let refusals: [(String?, String, String)] = [
            (nil, "issue_plan", "say which exception applies (one of reg-10-4-b)"),
            ("reg-10-4-c", "issue_plan", "declares no exception 'reg-10-4-c'; did you mean"),
            ("reg-10-4-a", "issue_plan", "excuses a clock; it cannot pause one"),
        ]
        for (exception, deadline, message) in refusals {
            #expect {
                _ = try engine.pauseDeadline(caseID: "c1", deadline: deadline, as: manager, reason: "away", exception: exception)
            } throws: { error in
                (error as? EngineError)?.code == .invalidInput && "\(error)".contains(message)
            }
        }
        #expect(try store.snapshot(caseID: "c1") == before, "a refused pause changes nothing")
        let paused = try engine.pauseDeadline(caseID: "c1", deadline: "issue_plan", as: manager, reason: "tribunal hearing", exception: "reg-10-4-b")
        #expect(paused.record.deadlines.first?.exception == "reg-10-4-b")
        #expect(try engine.history("c1", as: .operator()).last?.input["exception"] == .string("reg-10-4-b"))
        let excused = try engine.excuseDeadline(caseID: "c1", deadline: "issue_plan", as: manager, reason: "abroad for five weeks", exception: "reg-10-4-a")
        #expect(excused.record.deadlines.first?.status == .excused && excused.record.deadlines.first?.exception == "reg-10-4-a")
    }

    @Test func aClockWrittenBeforeTheNewKeysEncodesExactlyAsBefore() throws {
        var clock = DeadlineRecord(name: "decide", startedOn: Self.date("2025-09-01"), dueOn: Self.date("2025-10-13"))
        clock.remindersSent = [0]
        let json = String(decoding: try JSONEncoder.sorted.encode(clock), as: UTF8.self)
        #expect(json == #"{"dueOn":"2025-10-13","name":"decide","pausedDays":0,"remindersSent":[0],"startedOn":"2025-09-01","status":"running"}"#)
        let decoded = try JSONDecoder().decode(DeadlineRecord.self, from: Data(json.utf8))
        #expect(decoded == clock)
    }
}

extension JSONEncoder {
    /// An encoder with sorted keys, as the audit hashes.
    fileprivate static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}

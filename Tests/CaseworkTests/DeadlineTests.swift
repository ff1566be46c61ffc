@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation
import Testing

/// Statutory clocks through the engine: start, remind, breach, meet, lapse, pause, resume, excuse, and tick.
@Suite("Deadlines and tick")
struct DeadlineTests {
    static let workflow = """
        workflow: timed
        version: 1
        title: Timed assessment
        calendar: england-and-wales
        roles: [parent, caseworker, send_manager]
        fields:
          requested_on: date
          decided_on: date
        states:
          requested: { initial: true }
          deciding: {}
          assessing: { final: true }
          not_assessing: { final: true }
          withdrawn: { final: true }
        transitions:
          - { name: start, from: requested, to: deciding, by: [caseworker] }
          - name: agree
            from: deciding
            to: assessing
            by: [caseworker]
            input: { decided_on: required }
          - { name: refuse, from: deciding, to: not_assessing, by: [caseworker], set: { decided_on: today } }
          - { name: withdraw, from: [requested, deciding], to: withdrawn, by: [parent] }
        exceptions:
          reg-10-4-a: { cites: "Regs 10(4)(a)", applies_to: [decide, first_look], effect: pause }
          reg-10-4-d: { cites: "Regs 10(4)(d)", applies_to: [decide], effect: excuse }
        deadlines:
          - name: decide
            title: Decide whether to assess
            from: requested_on
            due: 6 weeks
            until: [assessing, not_assessing]
            remind: [1 week before]
            on_breach: { notify: [send_manager] }
          - name: first_look
            from: { entered: deciding }
            due: 5 working days
            until: [assessing, not_assessing]
        templates:
        \(EngineFixtures.messageTemplates)\(EngineFixtures.messages)
        """

    static let calendars = try! String(contentsOfFile: RepositoryPaths.root.appendingPathComponent("Workflows/calendars/england-and-wales.yaml").path, encoding: .utf8)

    static func day(_ text: String) -> Date { CalendarDate(text)!.start().addingTimeInterval(9 * 3600) }

    static func engine(store: any CaseStore = InMemoryCaseStore(), clock: ManualClock) throws -> Engine {
        let catalog = try DefinitionCatalog.load(sources: [(file: "timed.yaml", text: workflow), (file: "england-and-wales.yaml", text: calendars)])
        return try Engine(catalog: catalog, store: store, clock: clock)
    }

    static func open(_ engine: Engine, _ id: String = "c1", requested: String = "2025-09-01") throws {
        _ = try engine.open(workflow: "timed", as: CaseActor(role: "parent", id: "jo"), caseID: id, fields: ["requested_on": .date(CalendarDate(requested)!)])
    }

    static let caseworker = CaseActor(role: "caseworker", id: "ana")

    @Test func aDeadlineStartsFromItsFieldAndRemindsThenBreaches() throws {
        let store = InMemoryCaseStore()
        let clock = ManualClock(Self.day("2025-09-01"))
        let engine = try Self.engine(store: store, clock: clock)
        try Self.open(engine)
        let clocks = try engine.caseRecord("c1", as: .operator()).deadlines
        #expect(clocks.map(\.name) == ["decide"])
        #expect(clocks.first?.dueOn == CalendarDate("2025-10-13"))
        #expect(clocks.first?.status == .running)

        clock.set(Self.day("2025-10-05"))
        #expect(try engine.tick().isEmpty, "nothing is due before the reminder date")
        clock.set(Self.day("2025-10-06"))
        let reminded = try engine.tick()
        #expect(reminded.map(\.kind) == ["reminder"])
        #expect(try engine.tick().isEmpty, "a second tick at the same time does nothing")
        let reminder = try #require(try store.outbox(caseID: "c1").last)
        #expect(reminder.recipientRole == "caseworker")
        #expect(reminder.subject == "Reminder: Decide whether to assess is due on 13 October 2025")

        clock.set(Self.day("2025-10-13"))
        #expect(try engine.tick().isEmpty, "the due day itself is not a breach")
        clock.set(Self.day("2025-10-14"))
        #expect(try engine.tick().map(\.kind) == ["breach"])
        let record = try engine.caseRecord("c1", as: .operator())
        #expect(record.deadlines.first?.status == .breached)
        #expect(try store.outbox(caseID: "c1").last?.recipientRole == "send_manager")
        #expect(try engine.history("c1", as: .operator()).map(\.action).suffix(2) == ["deadline_reminder", "deadline_breached"])
        #expect(try engine.verifyAudit("c1", as: .operator()) == .intact(events: 3))
        #expect(try store.dueAlarms(at: Self.day("2030-01-01"), limit: 10).isEmpty)
    }

    @Test func enteringAnUntilStateMeetsTheDeadlineAndClearsItsAlarms() throws {
        let store = InMemoryCaseStore()
        let clock = ManualClock(Self.day("2025-09-01"))
        let engine = try Self.engine(store: store, clock: clock)
        try Self.open(engine)
        clock.set(Self.day("2025-09-05"))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "start", actor: Self.caseworker))
        var record = try engine.caseRecord("c1", as: .operator())
        #expect(record.deadlines.map(\.name) == ["decide", "first_look"])
        #expect(record.deadlines[1].dueOn == CalendarDate("2025-09-12"), "5 working days after Friday 5 September")
        clock.set(Self.day("2025-09-10"))
        record = try engine.fire(FireRequest(caseID: "c1", transition: "refuse", actor: Self.caseworker)).record
        #expect(record.deadlines.map(\.status) == [.met, .met])
        #expect(record.deadlines[0].metOn == CalendarDate("2025-09-10"))
        #expect(record.fields["decided_on"] == .date(CalendarDate("2025-09-10")!), "set: decided_on: today")
        #expect(try store.dueAlarms(at: Self.day("2030-01-01"), limit: 10).isEmpty)
        clock.set(Self.day("2025-12-01"))
        #expect(try engine.tick().isEmpty)
    }

    @Test func endingElsewhereLapsesTheDeadline() throws {
        let clock = ManualClock(Self.day("2025-09-01"))
        let engine = try Self.engine(clock: clock)
        try Self.open(engine)
        let record = try engine.fire(FireRequest(caseID: "c1", transition: "withdraw", actor: CaseActor(role: "parent", id: "jo"))).record
        #expect(record.deadlines.first?.status == .lapsed)
        clock.set(Self.day("2025-12-01"))
        #expect(try engine.tick().isEmpty)
    }

    @Test func pausingStopsTheClockAndResumingMovesTheDueDate() throws {
        let store = InMemoryCaseStore()
        let clock = ManualClock(Self.day("2025-09-01"))
        let engine = try Self.engine(store: store, clock: clock)
        try Self.open(engine)
        clock.set(Self.day("2025-09-10"))
        let manager = CaseActor(role: "send_manager", id: "sam")
        _ = try engine.pauseDeadline(caseID: "c1", deadline: "decide", as: manager, reason: "school closed for 4 weeks", exception: "reg-10-4-a")
        clock.set(Self.day("2025-10-20"))
        #expect(try engine.tick().isEmpty, "a paused clock neither reminds nor breaches")
        _ = try engine.resumeDeadline(caseID: "c1", deadline: "decide", as: manager, reason: "school reopened")
        let clockRecord = try #require(try engine.caseRecord("c1", as: .operator()).deadlines.first)
        #expect(clockRecord.pausedDays == 40)
        #expect(clockRecord.dueOn == CalendarDate("2025-11-22"))
        #expect(clockRecord.status == .running)
        #expect(try engine.history("c1", as: .operator()).map(\.action) == ["opened", "deadline_paused", "deadline_resumed"])
        #expect(try engine.history("c1", as: .operator())[1].input == ["reason": .string("school closed for 4 weeks"), "exception": .string("reg-10-4-a")])
    }

    @Test func anExcusedDeadlineIsReportedNotBreached() throws {
        let clock = ManualClock(Self.day("2025-09-01"))
        let engine = try Self.engine(clock: clock)
        try Self.open(engine)
        _ = try engine.excuseDeadline(caseID: "c1", deadline: "decide", as: CaseActor(role: "send_manager", id: "sam"), reason: "family away from the area", exception: "reg-10-4-d")
        clock.set(Self.day("2025-12-01"))
        #expect(try engine.tick().isEmpty)
        #expect(try engine.caseRecord("c1", as: .operator()).deadlines.first?.status == .excused)
    }

    @Test func aCalendarCannotChangeWithoutANewVersion() throws {
        let store = InMemoryCaseStore()
        _ = try Self.engine(store: store, clock: ManualClock(Self.day("2025-09-01")))
        let moved = Self.calendars.replacingOccurrences(of: "2023-05-08, name: Coronation of King Charles III", with: "2023-05-09, name: Coronation of King Charles III")
        let catalog = try DefinitionCatalog.load(sources: [(file: "timed.yaml", text: Self.workflow), (file: "england-and-wales.yaml", text: moved)])
        #expect { try Engine(catalog: catalog, store: store) } throws: {
            "\($0)" == "calendar 'england-and-wales' version 2 is already stored with different content: raise its 'version' when you change it"
        }
    }

    @Test func deadlineChangesAreCheckedAndRefusalsChangeNothing() throws {
        let store = InMemoryCaseStore()
        let engine = try Self.engine(store: store, clock: ManualClock(Self.day("2025-09-01")))
        try Self.open(engine)
        let before = try EngineFixtures.Snapshot(store, caseID: "c1")
        let parent = CaseActor(role: "parent", id: "jo")
        let manager = CaseActor(role: "send_manager", id: "sam")
        #expect { _ = try engine.pauseDeadline(caseID: "c1", deadline: "decide", as: parent, reason: "x", exception: "reg-10-4-a") } throws: { "\($0)" == "cannot do 'decide' now:\n  - only caseworker or send_manager may pause, resume or excuse deadline 'decide'" }
        #expect { _ = try engine.pauseDeadline(caseID: "c1", deadline: "decde", as: manager, reason: "x") } throws: { "\($0)" == "the values given cannot be used:\n  - 'deadline': workflow 'timed' has no deadline 'decde'; did you mean 'decide'?" }
        #expect { _ = try engine.pauseDeadline(caseID: "c1", deadline: "first_look", as: Self.caseworker, reason: "x", exception: "reg-10-4-a") } throws: { "\($0)" == "cannot do 'first_look' now:\n  - deadline 'first_look' has not started on this case" }
        #expect { _ = try engine.resumeDeadline(caseID: "c1", deadline: "decide", as: manager, reason: "x") } throws: { "\($0)" == "cannot do 'decide' now:\n  - deadline 'decide' is running, not paused, so it cannot be resumed" }
        #expect { _ = try engine.pauseDeadline(caseID: "c1", deadline: "decide", as: manager, reason: "  ") } throws: { "\($0)".contains("say why") }
        #expect(try EngineFixtures.Snapshot(store, caseID: "c1") == before)
    }

    @Test func requiredInputIsABlockerAndUndeclaredInputIsRefused() throws {
        let engine = try Self.engine(clock: ManualClock(Self.day("2025-09-01")))
        try Self.open(engine)
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "start", actor: Self.caseworker))
        #expect { _ = try engine.fire(FireRequest(caseID: "c1", transition: "agree", actor: Self.caseworker)) } throws: {
            "\($0)" == "cannot do 'agree' now:\n  - 'decided_on' must be given"
        }
        #expect { _ = try engine.fire(FireRequest(caseID: "c1", transition: "agree", actor: Self.caseworker, input: ["decided_on": .date(CalendarDate("2025-09-02")!), "requested_on": .date(CalendarDate("2025-09-02")!)])) } throws: {
            "\($0)" == "the values given cannot be used:\n  - 'requested_on': is not an input of transition 'agree' (it takes decided_on)"
        }
        let agreed = try engine.fire(FireRequest(caseID: "c1", transition: "agree", actor: Self.caseworker, input: ["decided_on": .date(CalendarDate("2025-09-02")!)]))
        #expect(agreed.record.state == "assessing")
    }

    @Test(arguments: [1_000, 3_000])
    func tickCostFollowsWhatIsDueNotWhatIsOpen(openCases: Int) throws {
        let store = InMemoryCaseStore()
        let clock = ManualClock(Self.day("2025-09-01"))
        let engine = try Self.engine(store: store, clock: clock)
        for index in 0..<openCases {
            try Self.open(engine, "c\(index)", requested: index < 10 ? "2025-09-01" : "2026-09-01")
        }
        clock.set(Self.day("2025-10-07"))
        let reminders = try engine.tick()
        #expect(reminders.count == 10 && reminders.allSatisfy { $0.kind == "reminder" }, "ten reminders, whatever the number of open cases")
        clock.set(Self.day("2025-10-14"))
        let breaches = try engine.tick()
        #expect(breaches.count == 10 && breaches.allSatisfy { $0.kind == "breach" }, "ten breaches, whatever the number of open cases")
        #expect(Set((reminders + breaches).map(\.caseID)).count == 10)
    }
}

@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation
import Testing

/// Issue 13's dates: roll rules applied until the end stops moving, the literal reading of Tribunal rule 12(3)
/// (`not_counted`) beside the shipped roll reading on the same dates, the 2002 bank holiday names, and the range of
/// dates Casework accepts and counts on.
///
/// Every expected date below is worked out by hand from the rules and the England and Wales bank holidays, and the
/// working is written beside it. The bank holidays used: 2021-08-30 (summer); 2021-12-27 and 28 (Christmas Day and
/// Boxing Day, substitute days); 2022-01-03 (New Year's Day, substitute day); 2022-12-26 (Boxing Day) and 2022-12-27
/// (Christmas Day, substitute day); 2023-01-02 (New Year's Day, substitute day); 2023-08-28 (summer); 2025-12-25 and
/// 26, 2026-01-01; 2027-12-27 and 28 (substitute days); 2028-01-03 (New Year's Day, substitute day).
@Suite("Statutory time: roll rules, rule 12(3)'s readings, the 2002 names, the supported range")
struct StatutoryTimeTests {
    static let shipped = RepositoryPaths.root.appendingPathComponent("Workflows/calendars")

    static func shippedText(_ name: String) throws -> String {
        try String(contentsOf: shipped.appendingPathComponent(name), encoding: .utf8)
    }

    /// The literal reading of rule 12(3) as a calendar: England and Wales, with 25 December to 1 January and August
    /// not counted, then rule 12(2): an end on a non-working day moves to the next working day.
    static let notCountedCalendar = """
        calendar: send-tribunal-not-counted
        version: 1
        title: SEND Tribunal, rule 12(3) read literally
        extends: england-and-wales
        not_counted:
          - { name: Christmas and New Year, from: 12-25, to: 01-01 }
          - { name: August, from: 08-01, to: 08-31 }
        roll:
          - name: Non-working day
            when: non_working_day
            move_to: next_working_day
        """

    /// The shipped calendars and the literal-reading one, merged.
    static func calendars() throws -> [String: WorkingCalendar] {
        try DefinitionCatalog.load(sources: [
            (file: "england-and-wales.yaml", text: shippedText("england-and-wales.yaml")),
            (file: "send-tribunal.yaml", text: shippedText("send-tribunal.yaml")),
            (file: "send-tribunal-not-counted.yaml", text: notCountedCalendar),
        ]).calendars
    }

    static func due(_ start: String, _ duration: String, on calendar: String) throws -> CalendarDate {
        let calendars = try calendars()
        let working = try #require(calendars[calendar])
        let period = try StatutoryDuration.parse(duration).get()
        return try working.due(from: try #require(CalendarDate(start)), after: period)
    }

    /// One window, worked out under both readings of rule 12(3).
    struct Window: Sendable, CustomTestStringConvertible {
        var start: String
        var duration: String
        /// `send-tribunal`: the roll rules, pass after pass until the end stops moving.
        var rolled: String
        /// `send-tribunal-not-counted`: the period extended past the days not counted, then rule 12(2).
        var notCounted: String
        var working: String
        var testDescription: String { "\(start) + \(duration)" }
    }

    static let windows: [Window] = [
        Window(start: "2021-05-31", duration: "2 months", rolled: "2021-09-01", notCounted: "2021-08-02", working: """
            Counted end: Saturday 2021-07-31.
            Roll: pass 1, not Christmas, not August, a non-working day -> Monday 2021-08-02; pass 2, August -> first working
            day from 2021-09-01, a Wednesday -> 2021-09-01; pass 3 moves nothing. (Applied once, the rules gave 2021-08-02.)
            Not counted: no uncounted day from 2021-06-01 to 2021-07-31; Saturday 2021-07-31 -> next working day, Monday
            2021-08-02: August days are not counted, but rule 1(3) makes them working days.
            """),
        Window(start: "2022-10-24", duration: "2 months", rolled: "2023-01-03", notCounted: "2022-12-28", working: """
            Counted end: Saturday 2022-12-24.
            Roll: pass 1, 24 December is before the Christmas range; a non-working day -> 25 Sun, 26 Boxing Day, 27 Christmas
            Day (substitute day), so Wednesday 2022-12-28; pass 2, Christmas and New Year -> first working day after
            2023-01-01 (a Sunday): 2 January is New Year's Day (substitute day), so Tuesday 2023-01-03; pass 3 moves nothing.
            Not counted: none uncounted up to 24 December; Saturday -> next working day, Wednesday 2022-12-28.
            """),
        Window(start: "2021-10-31", duration: "2 months", rolled: "2022-01-04", notCounted: "2022-01-10", working: """
            Counted end: Friday 2021-12-31.
            Roll: Christmas and New Year -> first working day after Saturday 2022-01-01: 2 January a Sunday, 3 January New
            Year's Day (substitute day), so Tuesday 2022-01-04; the next pass moves nothing.
            Not counted: 25 to 31 December are 7 uncounted days; counting 7 more after 31 December, 1 January is uncounted,
            then 2, 3, 4, 5, 6, 7, 8 January: Saturday 2022-01-08 -> next working day, Monday 2022-01-10.
            """),
        Window(start: "2023-07-31", duration: "1 month", rolled: "2023-09-01", notCounted: "2023-10-02", working: """
            Counted end: Thursday 2023-08-31.
            Roll: August -> first working day from 2023-09-01, a Friday -> 2023-09-01; the next pass moves nothing.
            Not counted: all 31 days of August; counting 31 more after 31 August, 1 September to 1 October: Sunday
            2023-10-01 -> next working day, Monday 2023-10-02.
            """),
        Window(start: "2027-10-30", duration: "2 months", rolled: "2028-01-04", notCounted: "2028-01-07", working: """
            Counted end: Thursday 2027-12-30; 1 January 2028 is a Saturday.
            Roll: Christmas and New Year -> first working day after 2028-01-01: 2 January a Sunday, 3 January New Year's
            Day (substitute day), so Tuesday 2028-01-04; the next pass moves nothing.
            Not counted: 25 to 30 December are 6 uncounted days; after 30 December, 31 December and 1 January are uncounted,
            then 2, 3, 4, 5, 6, 7 January: Friday 2028-01-07, a working day.
            """),
        Window(start: "2025-12-18", duration: "15 working days", rolled: "2026-01-13", notCounted: "2026-01-16", working: """
            Roll: working days after 18 December 2025: 19, 22, 23, 24, 29, 30, 31 December (7), then 2, 5, 6, 7, 8, 9, 12
            and 13 January (15) -> Tuesday 2026-01-13, a working day outside every range.
            Not counted: only working days outside 25 December to 1 January count: 19, 22, 23, 24 December (4), then 2,
            5, 6, 7, 8, 9, 12, 13, 14, 15, 16 January (15) -> Friday 2026-01-16.
            """),
    ]

    @Test(arguments: windows)
    func rollRulesApplyUntilTheEndStopsMoving(window: Window) throws {
        #expect(try Self.due(window.start, window.duration, on: "send-tribunal").description == window.rolled, "\(window.working)")
    }

    @Test(arguments: windows)
    func notCountedDaysExtendThePeriodThenRule12_2Applies(window: Window) throws {
        #expect(try Self.due(window.start, window.duration, on: "send-tribunal-not-counted").description == window.notCounted, "\(window.working)")
    }

    @Test func theCommandLineGivesTheSettledDate() {
        let definitions = RepositoryPaths.root.appendingPathComponent("Workflows").path
        let policies = RepositoryPaths.root.appendingPathComponent("Policies").path
        let result = runCasework(["due", "2021-05-31", "2", "months", "--calendar", "send-tribunal", "--definitions", definitions, "--definitions", policies])
        #expect(result.out == "2021-09-01\n", "\(result.err)")
    }

    @Test func rollRulesThatNeverSettleAreAnErrorNotALoop() throws {
        let calendar = WorkingCalendar(id: "restless", workingWeekdays: [1, 2, 3, 4, 5], holidays: [], changes: [], roll: [
            RollRule(name: "Every day", condition: .between(MonthDay(month: 1, day: 1)!, MonthDay(month: 12, day: 31)!), target: .nextWorkingDay),
        ])
        let end = try #require(CalendarDate("2025-03-03"))
        #expect(throws: StatutoryTimeError.rollDoesNotSettle(end: end, calendar: "restless")) { try calendar.rolled(end) }
    }

    @Test func aCalendarWithNoWorkingDayLeftIsAnError() throws {
        // Mondays are its only working weekday, and every Monday (the first to the fifth of each month) is a holiday.
        let everyMonday = (1...5).flatMap { nth in
            (1...12).map { Holiday(name: "Monday \(nth) of month \($0)", rule: .nthWeekday(nth: nth, weekday: 1, month: $0)) }
        }
        let calendar = WorkingCalendar(id: "mondays", workingWeekdays: [1], holidays: everyMonday, changes: [], roll: [])
        let day = try #require(CalendarDate("2025-03-04"))
        #expect(throws: StatutoryTimeError.noWorkingDay(after: day, calendar: "mondays")) { try calendar.nextWorkingDay(after: day) }
    }

    // MARK: - The calendar language

    static func diagnostics(_ text: String) -> [String] {
        Validator.validate(sources: [(file: "england-and-wales.yaml", text: (try? shippedText("england-and-wales.yaml")) ?? ""), (file: "c.yaml", text: text)])
            .diagnostics.map { "\($0.code) \($0.range.start.line):\($0.range.start.column) \($0.message)" }
    }

    @Test func notCountedIsDecodedWithLocatedErrors() {
        #expect(Self.diagnostics(Self.notCountedCalendar).isEmpty)
        let bad = """
            calendar: odd
            version: 1
            title: Odd
            not_counted:
              - { name: August, from: 08-01, to: 08-32 }
              - { name: Christmas, from: 12-25 }
              - { name: Easter, from: 04-01, to: 04-02, until: 04-03 }
              - August
            roll:
              - { name: Leap, when: non_working_day, move_to: { first_working_day_from: 02-29 } }
            """
        let found = Self.diagnostics(bad)
        #expect(found.contains { $0.hasPrefix("CW0110 5:38 ") && $0.contains("'to' of 'August' must be a day of the year as MM-DD") })
        #expect(found.contains { $0.hasPrefix("CW0102 6:5 ") && $0.contains("'to'") })
        #expect(found.contains { $0.hasPrefix("CW0101 7:45 ") && $0.contains("until") })
        #expect(found.contains { $0.hasPrefix("CW0103 8:5 ") })
        #expect(found.contains { $0.hasPrefix("CW0110 10:77 ") && $0.contains("must be a day every year has, found '02-29'") })
        #expect(found.count == 5, "\(found)")
    }

    // MARK: - 2002

    @Test func the2002NamesAreTheJubileeOnMondayAndTheSpringBankHolidayOnTuesday() throws {
        let calendar = try #require(try Self.calendars()["england-and-wales"])
        #expect(calendar.holidayName(on: try #require(CalendarDate("2002-06-03"))) == "Golden Jubilee of Queen Elizabeth II")
        #expect(calendar.holidayName(on: try #require(CalendarDate("2002-06-04"))) == "Spring bank holiday")
        #expect(calendar.holidayName(on: try #require(CalendarDate("2002-05-27"))) == nil, "the rule's date, replaced that year")
    }

    // MARK: - The supported range

    @Test func theRangesAreTheDocumentedOnes() {
        #expect("\(CalendarDate.acceptedRange.lowerBound)...\(CalendarDate.acceptedRange.upperBound)" == "1900-01-01...2199-12-31")
        #expect("\(CalendarDate.countedRange.lowerBound)...\(CalendarDate.countedRange.upperBound)" == "1800-01-01...2299-12-31")
    }

    @Test func aFarFutureStartIsRefusedOnTheCommandLine() {
        let definitions = RepositoryPaths.root.appendingPathComponent("Workflows").path
        let policies = RepositoryPaths.root.appendingPathComponent("Policies").path
        let refused = runCasework(["due", "9999-12-31", "6", "weeks", "--calendar", "england-and-wales", "--definitions", definitions, "--definitions", policies])
        #expect(refused.status == .failure)
        #expect(refused.err == "error[invalid_input]: the values given cannot be used:\n  - 'START': '9999-12-31' is after 2199-12-31, the last date Casework accepts\n")
        let last = runCasework(["due", "2199-12-31", "6", "weeks", "--calendar", "england-and-wales", "--definitions", definitions, "--definitions", policies])
        #expect(last.out == "2200-02-11\n", "\(last.err)")
        let tooLong = runCasework(["due", "2199-12-31", "101", "years", "--definitions", definitions, "--definitions", policies])
        #expect(tooLong.err == "error[invalid_input]: the values given cannot be used:\n  - 'DURATION': no due date: 2300-12-31 is outside the dates Casework counts time on, 1800-01-01 to 2299-12-31\n")
    }

    @Test func theTimeFunctionsFailRatherThanAnswerWithAnotherDate() throws {
        let calendar = try #require(try Self.calendars()["send-tribunal"])
        let far = try #require(CalendarDate("9999-12-31"))
        #expect(throws: StatutoryTimeError.outOfRange(far)) { try calendar.due(from: far, after: StatutoryDuration(count: 6, unit: .weeks)) }
        #expect(throws: StatutoryTimeError.outOfRange(far)) { try WeekdayCalendar().due(from: far, after: StatutoryDuration(count: 1, unit: .days)) }
        let last = CalendarDate.countedRange.upperBound
        #expect(throws: StatutoryTimeError.outOfRange(last.adding(days: 1))) { try calendar.rolled(last.adding(days: 1)) }
        #expect(throws: StatutoryTimeError.outOfRange(CalendarDate("2300-01-01")!)) {
            try calendar.due(from: CalendarDate("2299-12-01")!, after: StatutoryDuration(count: 1, unit: .months))
        }
    }

    static let clockWorkflow = """
        workflow: clocked
        version: 1
        title: A clock from a date field
        calendar: england-and-wales
        roles: [parent, caseworker]
        fields:
          requested_on: date
        states:
          requested: { initial: true }
          decided: { final: true }
        transitions:
          - { name: decide, from: requested, to: decided, by: [caseworker] }
        deadlines:
          - name: decide
            title: Decide
            from: requested_on
            due: 6 weeks
            until: [decided]
        """

    static func engine() throws -> Engine {
        let catalog = try DefinitionCatalog.load(sources: [
            (file: "clocked.yaml", text: clockWorkflow), (file: "england-and-wales.yaml", text: try shippedText("england-and-wales.yaml")),
        ])
        return try Engine(catalog: catalog, store: InMemoryCaseStore(), clock: ManualClock(CalendarDate("2025-09-01")!.start()))
    }

    @Test func aFarFutureStartIsRefusedWhenACaseOpensAndTheLastAcceptedDayCounts() throws {
        let engine = try Self.engine()
        let parent = CaseActor(role: "parent", id: "jo")
        #expect {
            try engine.open(workflow: "clocked", as: parent, caseID: "c1", fields: ["requested_on": .date(CalendarDate("9999-12-31")!)])
        } throws: {
            "\($0)".contains("'9999-12-31' is after 2199-12-31, the last date Casework accepts")
        }
        #expect {
            try engine.open(workflow: "clocked", as: parent, caseID: "c1", fields: ["requested_on": .date(CalendarDate("1899-12-31")!)])
        } throws: {
            "\($0)".contains("'1899-12-31' is before 1900-01-01, the earliest date Casework accepts")
        }
        _ = try engine.open(workflow: "clocked", as: parent, caseID: "c2", fields: ["requested_on": .date(CalendarDate("2199-12-31")!)])
        let clock = try #require(try engine.caseRecord("c2", as: .operator()).deadlines.first)
        #expect(clock.dueOn == CalendarDate("2200-02-11"), "42 days after Tuesday 2199-12-31")
        let space = try CommandWorkspace(["assessment.yaml": EngineFixtures.workflow, "advice.yaml": EngineFixtures.form])
        #expect(space.run(["case", "open", "assessment", "--set", "requested_on=9999-12-31"]).err
            == "error[invalid_input]: the values given cannot be used:\n  - 'requested_on': '9999-12-31' is after 2199-12-31, the last date Casework accepts\n")
        #expect(FieldValues.parse("9999-12-31", as: .date) == .failure(InputProblem(field: "", message: "'9999-12-31' is after 2199-12-31, the last date Casework accepts")))
    }
}

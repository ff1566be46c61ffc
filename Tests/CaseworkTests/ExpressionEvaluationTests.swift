@testable import CaseworkExpressions
@testable import CaseworkTime
import Foundation
import Testing

@Suite("Expressions: evaluation")
struct ExpressionEvaluationTests {
    private func value(_ text: String, in context: EvaluationContext = ExpressionFixtures.context) throws -> ExpressionValue {
        try ExpressionFixtures.evaluate(text, in: context).get()
    }

    private func date(_ text: String) -> ExpressionValue { .date(CalendarDate(text)!) }

    @Test(arguments: [
        ("evidence_complete and weeks_waited > 6", ExpressionValue.bool(true)),
        ("weeks_waited + 1", .int(8)),
        ("weeks_waited + hours", .decimal(Decimal(string: "9.5")!)),
        ("hours == 2.5", .bool(true)),
        ("weeks_waited == 7.0", .bool(true)),
        ("requested_on + 6 weeks", .date(CalendarDate("2025-10-13")!)),
        ("2025-01-31 + 1 month", .date(CalendarDate("2025-02-28")!)),
        ("2024-01-31 + 1 month", .date(CalendarDate("2024-02-29")!)),
        ("2024-02-29 + 1 year", .date(CalendarDate("2025-02-28")!)),
        ("2025-11-21 + 1 working day", .date(CalendarDate("2025-11-24")!)),
        ("2025-11-24 - 1 working day", .date(CalendarDate("2025-11-21")!)),
        ("2025-11-24 + 15 working days", .date(CalendarDate("2025-12-15")!)),
        ("days_between(requested_on, today)", .int(85)),
        ("days_between(today, requested_on)", .int(-85)),
        ("working_days_between(2025-11-21, 2025-11-24)", .int(1)),
        ("age_on(today)", .int(16)),
        ("age_on(2025-08-31)", .int(15)),
        ("school_year_end(2025-09-01)", .date(CalendarDate("2026-08-31")!)),
        ("later_of(2025-09-01, 2025-08-31)", .date(CalendarDate("2025-09-01")!)),
        ("later_of(requested_on, today)", .date(CalendarDate("2025-11-25")!)),
        ("earlier_of(2025-09-01, 2025-08-31)", .date(CalendarDate("2025-08-31")!)),
        ("requested_on + period(weeks_waited, \"weeks\")", .date(CalendarDate("2025-10-20")!)),
        ("requested_on + period(2, \"working days\")", .date(CalendarDate("2025-09-03")!)),
        ("earlier_of(2025-09-01, 2025-09-01) == 2025-09-01", .bool(true)),
        ("school_year_end(2025-08-31)", .date(CalendarDate("2025-08-31")!)),
        ("school_leaving_date(child.date_of_birth)", .date(CalendarDate("2026-06-26")!)),
        ("school_leaving_date(2009-08-31)", .date(CalendarDate("2025-06-27")!)),
        ("count(review_dates)", .int(2)),
        ("any(review_dates, d, d > today)", .bool(true)),
        ("all(review_dates, d, d > today)", .bool(false)),
        ("case.state in ['deciding', 'assessing']", .bool(true)),
        ("requested_by not in ['school']", .bool(true)),
        ("has(decided_on)", .bool(false)),
        ("has(child)", .bool(true)),
        ("not has(decided_on) or decided_on < today", .bool(true)),
        ("today - 1 week", .date(CalendarDate("2025-11-18")!)),
    ])
    func evaluatesToTheHandCheckedValue(text: String, expected: ExpressionValue) throws {
        #expect(try value(text) == expected)
    }

    @Test func unsetFieldsMakeTheExpressionUndecided() throws {
        #expect(try ExpressionFixtures.evaluate("decided_on < today") == .failure(.unset("decided_on")))
        #expect(try ExpressionFixtures.evaluate("not (decided_on < today)") == .failure(.unset("decided_on")))
        #expect(try ExpressionFixtures.evaluate("decided_on + 1 day") == .failure(.unset("decided_on")))
    }

    @Test(arguments: [
        ("false and decided_on < today", true, false),
        ("decided_on < today and false", true, false),
        ("true or decided_on < today", true, true),
        ("decided_on < today or true", true, true),
        ("true and decided_on < today", false, false),
        ("decided_on < today or false", false, false),
    ])
    func andOrAbsorbUnsetValuesFromEitherSide(text: String, decided: Bool, expected: Bool) throws {
        let result = try ExpressionFixtures.compile(text).get().evaluateCondition(ExpressionFixtures.context)
        if decided {
            #expect(result == .success(expected))
        } else {
            #expect(result == .failure(.unset("decided_on")))
        }
    }

    @Test func quantifiersDecideDespiteUnsetElementsWhenTheyCan() throws {
        var context = ExpressionFixtures.context
        context.values["review_dates"] = .list([.date(CalendarDate("2030-01-01")!)])
        #expect(try value("any(review_dates, d, d > today or decided_on > today)", in: context) == .bool(true))
        #expect(try ExpressionFixtures.evaluate("all(review_dates, d, d > today and decided_on > today)", in: context) == .failure(.unset("decided_on")))
    }

    @Test func arithmeticOverflowIsAnErrorNotATrap() throws {
        var context = ExpressionFixtures.context
        context.values["weeks_waited"] = .int(Int.max)
        #expect(try ExpressionFixtures.evaluate("weeks_waited + 1", in: context) == .failure(.outOfRange("\(Int.max) + 1")))
        context.values["requested_on"] = .date(CalendarDate(year: 9999, month: 12, day: 1)!)
        #expect(try ExpressionFixtures.evaluate("requested_on + 2 months", in: context) == .failure(.outOfRange("9999-12-01 + 2 months")))
    }

    @Test func valuesOfTheWrongTypeInTheContextAreAnErrorNotATrap() throws {
        var context = ExpressionFixtures.context
        context.values["requested_on"] = .string("yesterday")
        guard case .failure(.wrongValueType) = try ExpressionFixtures.evaluate("requested_on + 6 weeks < today", in: context) else {
            Issue.record("a string where a date was declared must be an evaluation error"); return
        }
    }

    @Test func theWorkingDayCalendarIsInjected() throws {
        struct NoMondays: WorkingDayCalendar {
            func isWorkingDay(_ date: CalendarDate) -> Bool { date.weekday >= 2 && date.weekday <= 5 }
        }
        var context = ExpressionFixtures.context
        context.calendar = NoMondays()
        #expect(try value("2025-11-21 + 1 working day", in: context) == date("2025-11-25"))
        struct Never: WorkingDayCalendar {
            func isWorkingDay(_ date: CalendarDate) -> Bool { false }
        }
        context.calendar = Never()
        guard case .failure(.outOfRange) = try ExpressionFixtures.evaluate("today + 1 working day", in: context) else {
            Issue.record("a calendar with no working days must give an error, not loop"); return
        }
    }
}

@Suite("Calendar dates")
struct CalendarDateTests {
    @Test(arguments: [
        ("1970-01-01", 0, 4), ("2000-02-29", 11_016, 2), ("2025-11-25", 20_417, 2), ("1969-12-31", -1, 3), ("2100-03-01", 47_541, 1),
    ])
    func dayNumbersAndWeekdays(text: String, days: Int, weekday: Int) throws {
        let date = try #require(CalendarDate(text))
        #expect(date.daysSinceEpoch == days)
        #expect(date.weekday == weekday)
        #expect(date.description == text)
        #expect(CalendarDate(daysSinceEpoch: days) == date)
    }

    @Test func everyDayRoundTripsThroughItsParts() {
        for days in stride(from: -800_000, through: 800_000, by: 97) {
            let date = CalendarDate(daysSinceEpoch: days)
            let (year, month, day) = date.parts
            if CalendarDate.supportedYears.contains(year) {
                #expect(CalendarDate(year: year, month: month, day: day) == date)
            }
        }
    }

    @Test(arguments: ["2025-02-29", "2100-02-29", "2025-13-01", "2025-00-10", "2025-1-01", "25-01-01", "2025/01/01", "0000-01-01"])
    func invalidDatesAreRejected(text: String) {
        #expect(CalendarDate(text) == nil)
    }

    @Test func monthsClampToTheMonthsLastDay() {
        #expect(CalendarDate("2025-01-31")!.adding(months: 1).description == "2025-02-28")
        #expect(CalendarDate("2025-03-31")!.adding(months: -1).description == "2025-02-28")
        #expect(CalendarDate("2024-12-15")!.adding(months: 14).description == "2026-02-15")
        #expect(CalendarDate("2024-01-15")!.adding(months: -13).description == "2022-12-15")
    }
}

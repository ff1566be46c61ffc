/// The functions the expression language offers, with their signatures for checking and docs.
package enum ExpressionFunction: String, Sendable, Hashable, CaseIterable {
    /// `age_on(date) -> int`: the child's age in whole years on a date (needs a date-of-birth field).
    case ageOn = "age_on"
    /// `days_between(a, b) -> int`: calendar days from `a` to `b` (negative when `b` is earlier).
    case daysBetween = "days_between"
    /// `working_days_between(a, b) -> int`: working days after `a` up to and including `b`.
    case workingDaysBetween = "working_days_between"
    /// `count(list) -> int`: how many elements.
    case count
    /// `any(list, x, condition) -> bool`: whether the condition holds for some element `x`.
    case any
    /// `all(list, x, condition) -> bool`: whether the condition holds for every element `x`.
    case all
    /// `has(path) -> bool`: whether a field has been set.
    case has
    /// `school_year_end(date) -> date`: 31 August ending the school year (September to August) that holds the date.
    case schoolYearEnd = "school_year_end"
    /// `school_leaving_date(date_of_birth) -> date`: the last Friday of June in the school year the person turns 16.
    case schoolLeavingDate = "school_leaving_date"
    /// `later_of(a, b) -> date`: the later of two dates (a time limit that runs to whichever comes last).
    case laterOf = "later_of"
    /// `earlier_of(a, b) -> date`: the earlier of two dates.
    case earlierOf = "earlier_of"
    /// `period(count, "weeks") -> duration`: a duration whose count is read from the case (`requested_on +
    /// period(notice_weeks, "weeks")`); the unit is written in the expression, so the validator knows it.
    case period

    /// The signature as documentation and messages show it.
    package var signature: String {
        switch self {
        case .ageOn: "age_on(date) -> int"
        case .daysBetween: "days_between(date, date) -> int"
        case .workingDaysBetween: "working_days_between(date, date) -> int"
        case .count: "count(list) -> int"
        case .any: "any(list, name, bool) -> bool"
        case .all: "all(list, name, bool) -> bool"
        case .has: "has(name) -> bool"
        case .schoolYearEnd: "school_year_end(date) -> date"
        case .schoolLeavingDate: "school_leaving_date(date) -> date"
        case .laterOf: "later_of(date, date) -> date"
        case .earlierOf: "earlier_of(date, date) -> date"
        case .period: "period(int, \"days\" | \"weeks\" | \"months\" | \"years\" | \"working days\") -> duration"
        }
    }

    /// How many arguments a call takes, as ``signature`` shows: the checker refuses a call with any other count, and
    /// whatever plans a checked call (which takes its arguments by position) relies on that.
    package var argumentCount: Int {
        switch self {
        case .ageOn, .count, .has, .schoolYearEnd, .schoolLeavingDate: 1
        case .daysBetween, .workingDaysBetween, .laterOf, .earlierOf, .period: 2
        case .any, .all: 3
        }
    }
}

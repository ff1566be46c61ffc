/// Why a statutory date could not be worked out: the time layer never answers with a wrong date instead.
public enum StatutoryTimeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A date that time is counted from or to lies outside ``CalendarDate/countedRange``.
    case outOfRange(CalendarDate)
    /// No working day follows `after` within a year on the calendar: its holidays and weekdays leave none.
    case noWorkingDay(after: CalendarDate, calendar: String)
    /// Counting `count` days that count (working days, or days a calendar does not exclude) from `from` found too few
    /// in a hundred years of the calendar.
    case tooFewDaysToCount(from: CalendarDate, count: Int)
    /// The calendar's roll rules still move the end of a period a year after `end`, so it never settles.
    case rollDoesNotSettle(end: CalendarDate, calendar: String)
    /// A roll rule moves an end to a day of the year that `year` does not have (29 February in a common year).
    case noSuchDay(MonthDay, year: Int)

    /// The reason, in a sentence a caseworker can act on.
    public var description: String {
        let range = CalendarDate.countedRange
        switch self {
        case .outOfRange(let date):
            return "\(date) is outside the dates Casework counts time on, \(range.lowerBound) to \(range.upperBound)"
        case .noWorkingDay(let after, let calendar):
            return "calendar '\(calendar)' has no working day in the year after \(after)"
        case .tooFewDaysToCount(let from, let count):
            return "the calendar has fewer than \(count) days to count in the \(TimeArithmetic.maxWorkingDaySpan) days after \(from)"
        case .rollDoesNotSettle(let end, let calendar):
            return "the roll rules of calendar '\(calendar)' still move the end \(end) more than a year later; check its 'roll' ranges"
        case .noSuchDay(let day, let year):
            return "\(year) has no \(day) for a roll rule to move to"
        }
    }
}

/// A day of the year without a year: `12-25`.
public struct MonthDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The month, 1 to 12.
    public var month: Int
    /// The day of the month.
    public var day: Int

    /// Creates a month-day, or nil when no year has it (`02-30`). `02-29` is allowed.
    public init?(month: Int, day: Int) {
        guard (1...12).contains(month), (1...CalendarDate.daysIn(month: month, year: 2000)).contains(day) else { return nil }
        self.month = month
        self.day = day
    }

    /// The day of the year of `date`; every date has one.
    public init(_ date: CalendarDate) {
        let parts = date.parts
        month = parts.month
        day = parts.day
    }

    /// Whether `date` falls between `from` and `to` inclusive; when `from` is later in the year than `to`, the range
    /// runs over the new year (`12-25` to `01-01` is 25 December to 1 January).
    public static func range(from: MonthDay, to: MonthDay, contains date: CalendarDate) -> Bool {
        let day = MonthDay(date)
        return from <= to ? (from <= day && day <= to) : (day >= from || day <= to)
    }

    /// Parses `MM-DD`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let month = Int(parts[0]), let day = Int(parts[1])
        else { return nil }
        self.init(month: month, day: day)
    }

    /// Orders within a year.
    public static func < (lhs: MonthDay, rhs: MonthDay) -> Bool { (lhs.month, lhs.day) < (rhs.month, rhs.day) }

    /// `MM-DD`.
    public var description: String {
        (month < 10 ? "0" : "") + "\(month)-" + (day < 10 ? "0" : "") + "\(day)"
    }

    /// This month-day in `year`, or nil (29 February in a common year).
    public func date(in year: Int) -> CalendarDate? { CalendarDate(year: year, month: month, day: day) }
}

/// How a bank holiday's date is found each year.
public enum HolidayRule: Sendable, Hashable {
    /// The same date every year; with `substitute`, a date on a non-working day moves to the next
    /// working day that is not already a holiday (New Year's Day, Christmas Day, Boxing Day).
    case fixed(MonthDay, substitute: Bool)
    /// A number of days from Easter Sunday (Good Friday is -2, Easter Monday 1).
    case easter(offset: Int)
    /// The nth weekday of a month (`nth` 1 to 5), or the last when `nth` is -1.
    case nthWeekday(nth: Int, weekday: Int, month: Int)
}

/// One bank holiday: its name and its rule.
public struct Holiday: Sendable, Hashable {
    /// The name as GOV.UK lists it.
    public var name: String
    /// How its date is found.
    public var rule: HolidayRule

    /// Creates a holiday.
    public init(name: String, rule: HolidayRule) {
        self.name = name
        self.rule = rule
    }
}

/// A one-off change: a holiday added on a date, optionally replacing that year's date of a rule holiday.
public struct HolidayChange: Sendable, Hashable {
    /// The date.
    public var date: CalendarDate
    /// The name shown for it.
    public var name: String
    /// The rule holiday (by name) it replaces in that year, if any.
    public var replaces: String?

    /// Creates a change.
    public init(date: CalendarDate, name: String, replaces: String? = nil) {
        self.date = date
        self.name = name
        self.replaces = replaces
    }
}

/// What a roll rule looks at when a period ends.
public enum RollCondition: Sendable, Hashable {
    /// The end falls between two month-days inclusive (the range may wrap the new year).
    case between(MonthDay, MonthDay)
    /// The end falls on a day that is not a working day.
    case nonWorkingDay
}

/// Where a roll rule moves the end of a period.
public enum RollTarget: Sendable, Hashable {
    /// The first working day after a month-day (in the year that follows the end when it wraps).
    case firstWorkingDayAfter(MonthDay)
    /// The first working day on or after a month-day.
    case firstWorkingDayFrom(MonthDay)
    /// The next working day after the end.
    case nextWorkingDay
}

/// A rule that moves the end of a period, such as the SEND Tribunal's August rule.
public struct RollRule: Sendable, Hashable {
    /// A name people read.
    public var name: String
    /// When it applies.
    public var condition: RollCondition
    /// Where it moves the date.
    public var target: RollTarget

    /// Creates a rule.
    public init(name: String, condition: RollCondition, target: RollTarget) {
        self.name = name
        self.condition = condition
        self.target = target
    }
}

/// Days of the year that a period does not count at all: the literal reading of the SEND Tribunal's rule 12(3)
/// ("must not be counted when calculating the time by which an act must be done").
///
/// A period counted on a calendar with such days is extended by the number of them inside it, and again for any
/// the extension reaches, before the roll rules move its end (docs/reference/calendars.md §8).
public struct NotCountedDays: Sendable, Hashable {
    /// A name people read, such as `August`.
    public var name: String
    /// The first day of the range.
    public var from: MonthDay
    /// The last day of the range, inclusive; earlier in the year than `from` when the range runs over the new year.
    public var to: MonthDay

    /// Creates a range of days that are not counted.
    public init(name: String, from: MonthDay, to: MonthDay) {
        self.name = name
        self.from = from
        self.to = to
    }

    /// Whether `date` is one of these days.
    public func contains(_ date: CalendarDate) -> Bool {
        MonthDay.range(from: from, to: to, contains: date)
    }
}

/// Easter Sunday in the Gregorian calendar, by the anonymous (Meeus/Jones/Butcher) computus.
package enum Easter {
    /// Easter Sunday of `year`: always a day of March or April, so the date is built from its parts without a check.
    package static func sunday(in year: Int) -> CalendarDate {
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return CalendarDate(daysSinceEpoch: CalendarDate.days(year: year, month: month, day: day))
    }
}

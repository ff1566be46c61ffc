/// A calendar date with no time of day or zone: how statutory time limits are counted.
///
/// Stored as the number of days since 1970-01-01 in the proleptic Gregorian
/// calendar, so comparison and day arithmetic are integer operations.
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before it).
    public var daysSinceEpoch: Int

    /// The years a date can be written and stored in (`YYYY-MM-DD`); wider than the dates Casework accepts or counts on,
    /// so that a record written before those limits still loads, and narrow enough that day arithmetic never overflows.
    public static let supportedYears = 1...9999

    /// The dates Casework accepts as facts of a case or of a command (a date field, `casework due START`):
    /// 1900-01-01 to 2199-12-31. Anything later or earlier is refused where it enters, with this range in the message.
    public static let acceptedRange = CalendarDate(daysSinceEpoch: days(year: 1900, month: 1, day: 1))...CalendarDate(
        daysSinceEpoch: days(year: 2199, month: 12, day: 31))

    /// The dates time is counted on: 1800-01-01 to 2299-12-31, a hundred years either side of ``acceptedRange``, so
    /// that a period of up to a hundred years from any accepted date can be counted. Counting that would start or end
    /// outside it fails with ``StatutoryTimeError/outOfRange(_:)`` rather than answer with a wrong date.
    public static let countedRange = CalendarDate(daysSinceEpoch: days(year: 1800, month: 1, day: 1))...CalendarDate(
        daysSinceEpoch: days(year: 2299, month: 12, day: 31))

    /// Why this date cannot be accepted as a fact, or nil when it is inside ``acceptedRange``.
    public var acceptanceProblem: String? {
        let range = Self.acceptedRange
        if self < range.lowerBound { return "'\(self)' is before \(range.lowerBound), the earliest date Casework accepts" }
        if self > range.upperBound { return "'\(self)' is after \(range.upperBound), the last date Casework accepts" }
        return nil
    }

    /// Creates a date from a day number.
    public init(daysSinceEpoch: Int) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// Creates a date from its parts, or nil when there is no such day (30 February) or the year is out of range.
    public init?(year: Int, month: Int, day: Int) {
        guard Self.supportedYears.contains(year), (1...12).contains(month),
            (1...Self.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        daysSinceEpoch = Self.days(year: year, month: month, day: day)
    }

    /// Parses `YYYY-MM-DD` exactly (four-digit year, two-digit month and day).
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The year, month and day.
    public var parts: (year: Int, month: Int, day: Int) {
        // Inverse of `days(year:month:day:)`, counting in 400-year eras from 0000-03-01.
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// The year.
    public var year: Int { parts.year }
    /// The month, 1 to 12.
    public var month: Int { parts.month }
    /// The day of the month.
    public var day: Int { parts.day }

    /// The day of the week, 1 = Monday … 7 = Sunday (ISO 8601).
    public var weekday: Int {
        // 1970-01-01 was a Thursday (4).
        ((daysSinceEpoch % 7 + 7 + 3) % 7) + 1
    }

    /// This date moved by a number of days.
    public func adding(days: Int) -> CalendarDate {
        CalendarDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// The same day of the month `months` later (or earlier), or that month's last day when it has no such day.
    public func adding(months: Int) -> CalendarDate {
        let (year, month, day) = parts
        let total = year * 12 + (month - 1) + months
        let newYear = total >= 0 ? total / 12 : (total - 11) / 12
        let newMonth = total - newYear * 12 + 1
        let clampedDay = min(day, Self.daysIn(month: newMonth, year: newYear))
        return CalendarDate(daysSinceEpoch: Self.days(year: newYear, month: newMonth, day: clampedDay))
    }

    /// Whole days from this date to `other` (negative when `other` is earlier).
    public func days(to other: CalendarDate) -> Int {
        other.daysSinceEpoch - daysSinceEpoch
    }

    /// Whether the year is a leap year in the Gregorian calendar.
    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// How many days the month has.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a valid date, counting in 400-year eras from 0000-03-01.
    static func days(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Orders dates in time.
    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    /// `YYYY-MM-DD`.
    public var description: String {
        let (year, month, day) = parts
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}

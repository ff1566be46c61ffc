/// Date arithmetic with durations, by the counting rules in docs/reference/expressions.md.
package enum TimeArithmetic {
    /// The longest span, in days, that working days are counted over (a hundred years).
    static let maxWorkingDaySpan = 36_525

    /// `date` moved forwards (`sign` 1) or backwards (`sign` -1) by `duration`; fails when `date` or the result is
    /// outside ``CalendarDate/countedRange``, or the calendar has too few working days to count.
    package static func moved(
        _ date: CalendarDate, by duration: StatutoryDuration, sign: Int, calendar: any WorkingDayCalendar
    ) throws(StatutoryTimeError) -> CalendarDate {
        guard CalendarDate.countedRange.contains(date) else { throw .outOfRange(date) }
        let moved: CalendarDate
        switch duration.unit {
        case .days: moved = date.adding(days: sign * duration.count)
        case .weeks: moved = date.adding(days: sign * 7 * duration.count)
        case .months: moved = date.adding(months: sign * duration.count)
        case .years: moved = date.adding(months: sign * 12 * duration.count)
        case .workingDays:
            var current = date
            var remaining = duration.count
            var steps = 0
            while remaining > 0 {
                guard steps < maxWorkingDaySpan else { throw .tooFewDaysToCount(from: date, count: duration.count) }
                current = current.adding(days: sign)
                steps += 1
                if calendar.isWorkingDay(current) { remaining -= 1 }
            }
            moved = current
        }
        guard CalendarDate.countedRange.contains(moved) else { throw .outOfRange(moved) }
        return moved
    }

    /// ``moved(_:by:sign:calendar:)``, or nil where it fails: for callers that report a failure in their own words.
    package static func move(_ date: CalendarDate, by duration: StatutoryDuration, sign: Int, calendar: any WorkingDayCalendar) -> CalendarDate? {
        try? moved(date, by: duration, sign: sign, calendar: calendar)
    }

    /// Working days after `start` up to and including `end`; negative when `end` is earlier;
    /// nil when the span is longer than ``maxWorkingDaySpan``.
    package static func workingDays(from start: CalendarDate, to end: CalendarDate, calendar: any WorkingDayCalendar) -> Int? {
        if end < start { return workingDays(from: end, to: start, calendar: calendar).map { -$0 } }
        guard start.days(to: end) <= maxWorkingDaySpan else { return nil }
        var count = 0
        var day = start
        while day < end {
            day = day.adding(days: 1)
            if calendar.isWorkingDay(day) { count += 1 }
        }
        return count
    }

    /// Whole years from `born` to `on`.
    package static func age(born: CalendarDate, on: CalendarDate) -> Int {
        let (bornYear, bornMonth, bornDay) = born.parts
        let (year, month, day) = on.parts
        var age = year - bornYear
        if (month, day) < (bornMonth, bornDay) { age -= 1 }
        return age
    }

    /// 31 August ending the school year (1 September to 31 August) that holds `date`.
    package static func schoolYearEnd(_ date: CalendarDate) -> CalendarDate {
        let (year, month, _) = date.parts
        return CalendarDate(daysSinceEpoch: CalendarDate.days(year: month >= 9 ? year + 1 : year, month: 8, day: 31))
    }

    /// The last Friday of June in the school year in which someone born on `born` turns 16.
    package static func schoolLeavingDate(born: CalendarDate) -> CalendarDate {
        let sixteenth = born.adding(months: 16 * 12)
        let yearEnd = schoolYearEnd(sixteenth)
        var day = yearEnd.adding(days: -62)
        while day.weekday != 5 { day = day.adding(days: -1) }
        return day
    }
}

import Synchronization

/// A calendar of working days and bank holidays, with the rules that move the end of a period.
///
/// Built from a calendar definition and the definitions it extends (a child
/// adds holidays, changes and roll rules to its parent's). Holidays are worked
/// out per year from rules, never pasted as lists, each year the first time it is asked about (a command that
/// counts a few periods works out a few years, not centuries), then kept with the calendar and its copies.
public struct WorkingCalendar: WorkingDayCalendar, Sendable, Hashable {
    /// The calendar's id.
    public let id: String
    /// The weekdays that are working days (1 = Monday … 7 = Sunday).
    public let workingWeekdays: Set<Int>
    /// The holiday rules, in order.
    public let holidays: [Holiday]
    /// The one-off changes.
    public let changes: [HolidayChange]
    /// The roll rules, applied in order to the end of a period, pass after pass until a pass moves it no more.
    public let roll: [RollRule]
    /// The days of the year a period does not count at all (empty for most calendars).
    public let notCounted: [NotCountedDays]
    /// The holidays of each year asked about so far, by day number.
    private let years = HolidayYears()

    /// Creates a calendar; `holidays`, `changes`, `roll` and `notCounted` are the merged lists (parent's first).
    public init(
        id: String, workingWeekdays: Set<Int>, holidays: [Holiday], changes: [HolidayChange], roll: [RollRule], notCounted: [NotCountedDays] = []
    ) {
        self.id = id
        self.workingWeekdays = workingWeekdays
        self.holidays = holidays
        self.changes = changes
        self.roll = roll
        self.notCounted = notCounted
    }

    /// Whether `date` is a working day: a working weekday that is not a bank holiday.
    public func isWorkingDay(_ date: CalendarDate) -> Bool {
        workingWeekdays.contains(date.weekday) && holidayName(on: date) == nil
    }

    /// The bank holiday on `date`, if any.
    public func holidayName(on date: CalendarDate) -> String? {
        years.name(on: date) { year in Self.holidays(in: year, workingWeekdays: workingWeekdays, holidays: holidays, changes: changes) }
    }

    /// The year's bank holidays in date order, after substitution and one-off changes.
    public func holidays(in year: Int) -> [(date: CalendarDate, name: String)] {
        Self.holidays(in: year, workingWeekdays: workingWeekdays, holidays: holidays, changes: changes)
    }

    /// The end of a period moved by the roll rules until it stops moving.
    ///
    /// One pass applies every rule in order, each to the result of the one before; passes repeat until a whole pass
    /// leaves the date where it was, so an end rolled off a weekend into August, or off Christmas onto a weekend,
    /// rolls on. Every rule either leaves a date alone or moves it later (`next_working_day` is after it, and the
    /// month-day of `first_working_day_after`/`_from` is taken on or after it), so each pass that changes anything
    /// moves the date at least a day; a date still moving a year after `end` fails as
    /// ``StatutoryTimeError/rollDoesNotSettle(end:calendar:)``, so at most 367 passes move it and one more finds it still.
    public func rolled(_ end: CalendarDate) throws(StatutoryTimeError) -> CalendarDate {
        guard CalendarDate.countedRange.contains(end) else { throw .outOfRange(end) }
        let limit = end.adding(days: 366)
        var date = end
        while true {
            let before = date
            for rule in roll { date = try applying(rule, to: date) }
            if date == before { break }
            guard date <= limit else { throw .rollDoesNotSettle(end: end, calendar: id) }
        }
        guard CalendarDate.countedRange.contains(date) else { throw .outOfRange(date) }
        return date
    }

    /// The first working day after `date`; fails when the calendar leaves none in the year after it.
    public func nextWorkingDay(after date: CalendarDate) throws(StatutoryTimeError) -> CalendarDate {
        var day = date.adding(days: 1)
        for _ in 0..<366 {
            if isWorkingDay(day) { return day }
            day = day.adding(days: 1)
        }
        throw .noWorkingDay(after: date, calendar: id)
    }

    /// `date` moved by one rule, or `date` itself when the rule's `when` does not hold for it.
    private func applying(_ rule: RollRule, to date: CalendarDate) throws(StatutoryTimeError) -> CalendarDate {
        switch rule.condition {
        case .nonWorkingDay: guard !isWorkingDay(date) else { return date }
        case .between(let from, let to): guard MonthDay.range(from: from, to: to, contains: date) else { return date }
        }
        switch rule.target {
        case .nextWorkingDay:
            return try nextWorkingDay(after: date)
        case .firstWorkingDayFrom(let monthDay):
            let start = try Self.day(monthDay, onOrAfter: date)
            return isWorkingDay(start) ? start : try nextWorkingDay(after: start)
        case .firstWorkingDayAfter(let monthDay):
            return try nextWorkingDay(after: Self.day(monthDay, onOrAfter: date))
        }
    }

    /// `monthDay` in the year of `date`, or in the next year when it comes earlier in the year than `date`.
    private static func day(_ monthDay: MonthDay, onOrAfter date: CalendarDate) throws(StatutoryTimeError) -> CalendarDate {
        let year = monthDay < MonthDay(date) ? date.year + 1 : date.year
        guard let day = monthDay.date(in: year) else { throw .noSuchDay(monthDay, year: year) }
        return day
    }

    /// Whether `date` is one of the calendar's days that are not counted.
    public func isNotCounted(_ date: CalendarDate) -> Bool {
        notCounted.contains { $0.contains(date) }
    }

    /// Works out one year's holidays: rule dates, then substitutes in listed order, then one-off changes.
    static func holidays(in year: Int, workingWeekdays: Set<Int>, holidays: [Holiday], changes: [HolidayChange]) -> [(date: CalendarDate, name: String)] {
        let replaced = Set(changes.filter { $0.date.year == year }.compactMap(\.replaces))
        var taken: [Int: String] = [:]
        var pending: [(date: CalendarDate, name: String)] = []
        for holiday in holidays where !replaced.contains(holiday.name) {
            switch holiday.rule {
            case .fixed(let monthDay, let substitute):
                guard let date = monthDay.date(in: year) else { continue }
                if substitute, !workingWeekdays.contains(date.weekday) {
                    pending.append((date, holiday.name))
                } else {
                    taken[date.daysSinceEpoch] = holiday.name
                }
            case .easter(let offset):
                taken[Easter.sunday(in: year).adding(days: offset).daysSinceEpoch] = holiday.name
            case .nthWeekday(let nth, let weekday, let month):
                if let date = nthWeekday(nth, weekday, month: month, year: year) { taken[date.daysSinceEpoch] = holiday.name }
            }
        }
        for (date, name) in pending {
            var day = date
            var steps = 0
            repeat {
                day = day.adding(days: 1)
                steps += 1
            } while (!workingWeekdays.contains(day.weekday) || taken[day.daysSinceEpoch] != nil) && steps < 14
            taken[day.daysSinceEpoch] = "\(name) (substitute day)"
        }
        for change in changes where change.date.year == year {
            taken[change.date.daysSinceEpoch] = change.name
        }
        return taken.sorted { $0.key < $1.key }.map { (CalendarDate(daysSinceEpoch: $0.key), $0.value) }
    }

    /// The nth (or, for -1, last) `weekday` of a month.
    static func nthWeekday(_ nth: Int, _ weekday: Int, month: Int, year: Int) -> CalendarDate? {
        guard let first = CalendarDate(year: year, month: month, day: 1) else { return nil }
        if nth == -1 {
            let last = CalendarDate(year: year, month: month, day: CalendarDate.daysIn(month: month, year: year))!
            return last.adding(days: -((last.weekday - weekday + 7) % 7))
        }
        let date = first.adding(days: (weekday - first.weekday + 7) % 7 + 7 * (nth - 1))
        return date.month == month ? date : nil
    }

    /// Compares calendars by id and rules.
    public static func == (lhs: WorkingCalendar, rhs: WorkingCalendar) -> Bool {
        lhs.id == rhs.id && lhs.workingWeekdays == rhs.workingWeekdays && lhs.holidays == rhs.holidays
            && lhs.changes == rhs.changes && lhs.roll == rhs.roll && lhs.notCounted == rhs.notCounted
    }

    /// Hashes the id and rules.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(holidays)
        hasher.combine(roll)
        hasher.combine(notCounted)
    }
}

extension WorkingCalendar {
    /// The counting rules for a due date: `N days` adds N calendar days, `N weeks` 7N days,
    /// `N months` the same day N months on (or that month's last day), `N years` 12N months,
    /// `N working days` the Nth working day after the start (the start never counts); then, on a calendar with
    /// days that are not counted, the period extended past them; then the roll rules until the end stops moving.
    public func due(from start: CalendarDate, after duration: StatutoryDuration) throws(StatutoryTimeError) -> CalendarDate {
        try rolled(notCounted.isEmpty ? TimeArithmetic.moved(start, by: duration, sign: 1, calendar: self) : counted(from: start, after: duration))
    }

    /// The end of a period on a calendar with days that are not counted (the literal reading of Tribunal rule 12(3)).
    ///
    /// `N working days` counts only working days that are counted. Other units are counted as usual, then extended
    /// by the number of days inside the period that are not counted, and again by those the extension reaches: the
    /// end is the first day by which as many counted days follow the usual end as there were uncounted days in it.
    private func counted(from start: CalendarDate, after duration: StatutoryDuration) throws(StatutoryTimeError) -> CalendarDate {
        if duration.unit == .workingDays {
            return try TimeArithmetic.moved(start, by: duration, sign: 1, calendar: CountedWorkingDays(calendar: self))
        }
        let end = try TimeArithmetic.moved(start, by: duration, sign: 1, calendar: self)
        var remaining = 0
        var day = start
        while day < end {
            day = day.adding(days: 1)
            if isNotCounted(day) { remaining += 1 }
        }
        let owed = remaining
        var steps = 0
        while remaining > 0 {
            guard steps < TimeArithmetic.maxWorkingDaySpan else { throw .tooFewDaysToCount(from: end, count: owed) }
            day = day.adding(days: 1)
            steps += 1
            if !isNotCounted(day) { remaining -= 1 }
        }
        guard CalendarDate.countedRange.contains(day) else { throw .outOfRange(day) }
        return day
    }
}

/// A calendar's working days less the days it does not count: what `N working days` counts under rule 12(3)'s literal reading.
private struct CountedWorkingDays: WorkingDayCalendar {
    /// The calendar whose working days and uncounted days these are.
    let calendar: WorkingCalendar

    /// A working day of the calendar that it counts.
    func isWorkingDay(_ date: CalendarDate) -> Bool {
        calendar.isWorkingDay(date) && !calendar.isNotCounted(date)
    }
}

/// The holidays of the years a calendar has been asked about, by day number: worked out once per year and shared by
/// the calendar's copies (a calendar is a value; its rules never change, so neither does any year's answer).
private final class HolidayYears: Sendable {
    private let years = Mutex<[Int: [Int: String]]>([:])

    /// The holiday on `date`, working out its year with `holidays` the first time the year is asked about.
    func name(on date: CalendarDate, holidays: (Int) -> [(date: CalendarDate, name: String)]) -> String? {
        years.withLock { years in
            let year = date.year
            if let known = years[year] { return known[date.daysSinceEpoch] }
            var table: [Int: String] = [:]
            for (day, name) in holidays(year) { table[day.daysSinceEpoch] = name }
            years[year] = table
            return table[date.daysSinceEpoch]
        }
    }
}

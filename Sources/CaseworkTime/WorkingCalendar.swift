/// A calendar of working days and bank holidays, with the rules that move the end of a period.
///
/// Built from a calendar definition and the definitions it extends (a child
/// adds holidays, changes and roll rules to its parent's). Holidays are worked
/// out per year from rules, never pasted as lists; years 1900 to 2200 are
/// computed once when the calendar is made, other years when asked.
public struct WorkingCalendar: WorkingDayCalendar, Sendable, Hashable {
    /// The calendar's id.
    public let id: String
    /// The weekdays that are working days (1 = Monday … 7 = Sunday).
    public let workingWeekdays: Set<Int>
    /// The holiday rules, in order.
    public let holidays: [Holiday]
    /// The one-off changes.
    public let changes: [HolidayChange]
    /// The roll rules, applied in order to the end of a period.
    public let roll: [RollRule]
    private let cachedYears: ClosedRange<Int>
    private let cachedHolidays: [Int: String]

    /// Creates a calendar; `holidays`, `changes` and `roll` are the merged lists (parent's first).
    public init(id: String, workingWeekdays: Set<Int>, holidays: [Holiday], changes: [HolidayChange], roll: [RollRule]) {
        self.id = id
        self.workingWeekdays = workingWeekdays
        self.holidays = holidays
        self.changes = changes
        self.roll = roll
        cachedYears = 1900...2200
        var cache: [Int: String] = [:]
        for year in cachedYears {
            for (date, name) in Self.holidays(in: year, workingWeekdays: workingWeekdays, holidays: holidays, changes: changes) {
                cache[date.daysSinceEpoch] = name
            }
        }
        cachedHolidays = cache
    }

    /// Whether `date` is a working day: a working weekday that is not a bank holiday.
    public func isWorkingDay(_ date: CalendarDate) -> Bool {
        workingWeekdays.contains(date.weekday) && holidayName(on: date) == nil
    }

    /// The bank holiday on `date`, if any.
    public func holidayName(on date: CalendarDate) -> String? {
        let year = date.year
        if cachedYears.contains(year) { return cachedHolidays[date.daysSinceEpoch] }
        return Self.holidays(in: year, workingWeekdays: workingWeekdays, holidays: holidays, changes: changes)
            .first { $0.date == date }?.name
    }

    /// The year's bank holidays in date order, after substitution and one-off changes.
    public func holidays(in year: Int) -> [(date: CalendarDate, name: String)] {
        Self.holidays(in: year, workingWeekdays: workingWeekdays, holidays: holidays, changes: changes)
    }

    /// The end of a period moved by the roll rules, each applied in order to the result of the one before.
    public func rolled(_ end: CalendarDate) -> CalendarDate {
        var date = end
        for rule in roll {
            guard applies(rule.condition, to: date) else { continue }
            switch rule.target {
            case .nextWorkingDay:
                date = nextWorkingDay(after: date)
            case .firstWorkingDayFrom(let monthDay):
                let year = monthDay < MonthDay(month: date.month, day: date.day)! ? date.year + 1 : date.year
                let start = monthDay.date(in: year) ?? date
                date = isWorkingDay(start) ? start : nextWorkingDay(after: start)
            case .firstWorkingDayAfter(let monthDay):
                let year = monthDay < MonthDay(month: date.month, day: date.day)! ? date.year + 1 : date.year
                date = nextWorkingDay(after: monthDay.date(in: year) ?? date)
            }
        }
        return date
    }

    /// The first working day after `date` (within a year; a calendar with none returns the day after).
    public func nextWorkingDay(after date: CalendarDate) -> CalendarDate {
        var day = date.adding(days: 1)
        var steps = 0
        while !isWorkingDay(day), steps < 366 {
            day = day.adding(days: 1)
            steps += 1
        }
        return day
    }

    private func applies(_ condition: RollCondition, to date: CalendarDate) -> Bool {
        switch condition {
        case .nonWorkingDay:
            return !isWorkingDay(date)
        case .between(let from, let to):
            guard let day = MonthDay(month: date.month, day: date.day) else { return false }
            return from <= to ? (from <= day && day <= to) : (day >= from || day <= to)
        }
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
            && lhs.changes == rhs.changes && lhs.roll == rhs.roll
    }

    /// Hashes the id and rules.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(holidays)
        hasher.combine(roll)
    }
}

extension WorkingCalendar {
    /// The counting rules for a due date: `N days` adds N calendar days, `N weeks` 7N days,
    /// `N months` the same day N months on (or that month's last day), `N years` 12N months,
    /// `N working days` the Nth working day after the start (the start never counts); then the roll rules.
    public func dueDate(from start: CalendarDate, after duration: StatutoryDuration) -> CalendarDate? {
        guard let end = TimeArithmetic.move(start, by: duration, sign: 1, calendar: self) else { return nil }
        return rolled(end)
    }
}

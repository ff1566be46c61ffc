import CaseworkTime

// Calendars, whole: their holidays, one-off changes, roll rules and days not counted.

extension ArchiveWriter {
    /// Writes a calendar.
    mutating func calendar(_ calendar: CalendarDefinition) throws(Unwritable) {
        try located(calendar.id)
        integer(calendar.version)
        string(calendar.title)
        try optional(calendar.extends) { (writer, name) throws(Unwritable) in try writer.located(name) }
        try optional(calendar.workingWeekdays.map { $0.sorted() }) { (writer, days) throws(Unwritable) in
            try writer.list(days) { writer, day in writer.integer(day) }
        }
        try list(calendar.holidays) { writer, holiday in
            writer.string(holiday.name)
            switch holiday.rule {
            case .fixed(let day, let substitute):
                writer.count(0)
                writer.monthDay(day)
                writer.bool(substitute)
            case .easter(let offset):
                writer.count(1)
                writer.integer(offset)
            case .nthWeekday(let nth, let weekday, let month):
                writer.count(2)
                writer.integer(nth)
                writer.integer(weekday)
                writer.integer(month)
            }
        }
        try list(calendar.changes) { (writer, change) throws(Unwritable) in
            writer.integer(change.date.daysSinceEpoch)
            writer.string(change.name)
            try writer.optional(change.replaces) { writer, name in writer.string(name) }
        }
        try list(calendar.roll) { writer, rule in
            writer.string(rule.name)
            switch rule.condition {
            case .between(let from, let to):
                writer.count(0)
                writer.monthDay(from)
                writer.monthDay(to)
            case .nonWorkingDay:
                writer.count(1)
            }
            switch rule.target {
            case .firstWorkingDayAfter(let day):
                writer.count(0)
                writer.monthDay(day)
            case .firstWorkingDayFrom(let day):
                writer.count(1)
                writer.monthDay(day)
            case .nextWorkingDay:
                writer.count(2)
            }
        }
        try list(calendar.notCounted) { writer, days in
            writer.string(days.name)
            writer.monthDay(days.from)
            writer.monthDay(days.to)
        }
        try file(calendar.file)
    }
}

extension ArchiveReader {
    /// The days a calendar's dates may lie on: the years a date can be written in (``CalendarDate/supportedYears``).
    static let supportedDays = CalendarDate(year: 1, month: 1, day: 1)!.daysSinceEpoch...CalendarDate(year: 9999, month: 12, day: 31)!.daysSinceEpoch

    /// Reads a calendar written by ``ArchiveWriter/calendar(_:)``, every number inside what the decoder accepts
    /// (weekdays 1–7, an Easter offset of at most 60 days, the nth weekday 1–5 or -1 for the last, months 1–12, dates in
    /// the supported years), so counting on it cannot overflow.
    mutating func calendar() throws(Damage) -> CalendarDefinition {
        let id = try located()
        let version = try integer()
        let title = try string()
        let extends = try optional { (reader) throws(Damage) in try reader.located() }
        let workingWeekdays = try optional { (reader) throws(Damage) in Set(try reader.list { (reader) throws(Damage) in try reader.integer(in: 1...7) }) }
        let holidays = try list { (reader) throws(Damage) in
            let name = try reader.string()
            let rule: HolidayRule
            switch try reader.code(below: 3) {
            case 0:
                let day = try reader.monthDay()
                rule = .fixed(day, substitute: try reader.bool())
            case 1:
                rule = .easter(offset: try reader.integer(in: -60...60))
            default:
                let nth = try reader.integer(in: -1...5)
                guard nth != 0 else { throw Damage() }
                let weekday = try reader.integer(in: 1...7)
                rule = .nthWeekday(nth: nth, weekday: weekday, month: try reader.integer(in: 1...12))
            }
            return Holiday(name: name, rule: rule)
        }
        let changes = try list { (reader) throws(Damage) in
            let date = CalendarDate(daysSinceEpoch: try reader.integer(in: Self.supportedDays))
            let name = try reader.string()
            return HolidayChange(date: date, name: name, replaces: try reader.optional { (reader) throws(Damage) in try reader.string() })
        }
        let roll = try list { (reader) throws(Damage) in
            let name = try reader.string()
            let condition: RollCondition
            if try reader.code(below: 2) == 0 {
                let from = try reader.monthDay()
                condition = .between(from, try reader.monthDay())
            } else {
                condition = .nonWorkingDay
            }
            let target: RollTarget
            switch try reader.code(below: 3) {
            case 0: target = .firstWorkingDayAfter(try reader.monthDay())
            case 1: target = .firstWorkingDayFrom(try reader.monthDay())
            default: target = .nextWorkingDay
            }
            return RollRule(name: name, condition: condition, target: target)
        }
        let notCounted = try list { (reader) throws(Damage) in
            let name = try reader.string()
            let from = try reader.monthDay()
            return NotCountedDays(name: name, from: from, to: try reader.monthDay())
        }
        return CalendarDefinition(
            id: id, version: version, title: title, extends: extends, workingWeekdays: workingWeekdays, holidays: holidays, changes: changes,
            roll: roll, notCounted: notCounted, file: try file()
        )
    }
}

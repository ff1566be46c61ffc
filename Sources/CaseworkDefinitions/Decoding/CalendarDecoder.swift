import CaseworkDiagnostics
import CaseworkTime
import CaseworkYAML

/// Reads a calendar file (`calendar:`) into a ``CalendarDefinition``, reporting every structural problem.
///
/// Calendar files are small and read rarely, so the keys of their inner mappings are matched as strings.
enum CalendarDecoder {
    /// The keys of a calendar file's root mapping.
    enum Key: String, CaseIterable {
        case calendar, version, title, description, extends
        case workingDays = "working_days"
        case holidays, changes, roll
        case notCounted = "not_counted"
    }

    static let keys = KeyTable<Key>()
    static let holidayKeys = ["name", "date", "substitute", "easter", "weekday"]
    static let weekdayKeys = ["nth", "day", "month"]
    static let changeKeys = ["date", "name", "replaces"]
    static let rollKeys = ["name", "when", "move_to"]
    static let notCountedKeys = ["name", "from", "to"]
    /// The keys of a roll rule's `when:` written as a range of days of the year.
    static let rangeKeys = ["from", "to"]
    /// The keys of a roll rule's `move_to:` written as a mapping, exactly one of them.
    static let moveToKeys = ["first_working_day_after", "first_working_day_from"]
    static let weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    /// Decodes `root`, a mapping; returns nil only when the calendar has no usable id.
    static func decode(_ root: YAMLNodeView, reader: inout NodeReader) -> CalendarDefinition? {
        var id: Located<String>?
        var version: Int?
        var title: String?
        var extends: Located<String>?
        var working: Set<Int>?
        var holidays: [Holiday] = []
        var changes: [(change: HolidayChange, replaces: Located<String>?)] = []
        var holidayNames: [String]? = []
        var roll: [RollRule] = []
        var notCounted: [NotCountedDays] = []
        let table = keys
        let seen = reader.readEntries(of: root, by: table, place: "a calendar") { key, value, reader in
            switch key {
            case .calendar: id = reader.name(value, rule: .definitionID, kind: "calendar", place: "'calendar'")
            case .version: version = reader.version(value)
            case .title: title = reader.string(value, place: "'title'")?.value
            case .description: _ = reader.string(value, place: "'description'")
            case .extends: extends = reader.name(value, rule: .definitionID, kind: "calendar", place: "'extends'")
            case .workingDays: working = weekdaySet(value, reader: &reader)
            case .holidays:
                holidays = list(value, "'holidays'", reader: &reader) { holiday($0, reader: &$1) }
                holidayNames = value.kind == .sequence ? (0..<value.count).compactMap { holidayName(value.item($0)) } : nil
            case .changes: changes = list(value, "'changes'", reader: &reader) { change($0, reader: &$1) }
            case .roll: roll = list(value, "'roll'", reader: &reader) { rollRule($0, reader: &$1) }
            case .notCounted: notCounted = list(value, "'not_counted'", reader: &reader) { notCountedDays($0, reader: &$1) }
            }
        }
        reader.requireKeys([.calendar, .version, .title], of: table, seen: seen, place: "calendar", at: root.range.startOnly)
        // A change that replaces no holiday would leave both days as holidays. A calendar that extends
        // another may replace its parent's holidays, which this file cannot see, so only others are checked.
        if !table.contains(.extends, in: root), let names = holidayNames {
            for case let (change, replaces?) in changes where !names.contains(replaces.value) {
                let hint = NameSuggester.suggest(replaces.value, from: names).map { "; did you mean '\($0)'?" } ?? ""
                reader.bag.report(.invalidCalendarRule(reason: "the change on \(change.date) replaces '\(replaces.value)', but no holiday has that name\(hint)"),
                                  at: replaces.range)
            }
        }
        guard let id else { return nil }
        return CalendarDefinition(id: id, version: version ?? 0, title: title ?? id.value, extends: extends, workingWeekdays: working,
                                  holidays: holidays, changes: changes.map(\.change), roll: roll, notCounted: notCounted, file: root.range.file)
    }

    /// The name a holiday entry gives, even when its rule cannot be used, so that a change replacing it is not reported too.
    private static func holidayName(_ node: YAMLNodeView) -> String? {
        guard node.kind == .mapping, let entry = (0..<node.count).first(where: { node.key($0).string == "name" }) else { return nil }
        return node.value(entry).string
    }

    private static func list<T>(_ node: YAMLNodeView, _ place: String, reader: inout NodeReader, _ item: (YAMLNodeView, inout NodeReader) -> T?) -> [T] {
        guard reader.expectList(node, place: place) else { return [] }
        return (0..<node.count).compactMap { item(node.item($0), &reader) }
    }

    private static func weekdaySet(_ node: YAMLNodeView, reader: inout NodeReader) -> Set<Int>? {
        guard reader.expectList(node, place: "'working_days'") else { return nil }
        if node.count == 0 { reader.bag.report(.emptyList(place: "'working_days'"), at: node.range) }
        var days = Set<Int>()
        for index in 0..<node.count {
            if let day = weekday(node.item(index), reader: &reader) { days.insert(day) }
        }
        return days
    }

    private static func weekday(_ node: YAMLNodeView, reader: inout NodeReader) -> Int? {
        guard let word = reader.string(node, place: "a weekday") else { return nil }
        if let index = weekdays.firstIndex(of: word.value.lowercased()) { return index + 1 }
        reader.bag.report(.invalidCalendarRule(reason: "'\(word.value)' is not a weekday (monday … sunday)"), at: word.range)
        return nil
    }

    private static func integer(_ node: YAMLNodeView, place: String, in range: ClosedRange<Int>, reader: inout NodeReader) -> Int? {
        guard let text = reader.string(node, place: place) else { return nil }
        if let value = Int(text.value), range.contains(value) { return value }
        reader.bag.report(.invalidCalendarRule(reason: "\(place) must be a whole number from \(range.lowerBound) to \(range.upperBound), found '\(text.value)'"), at: text.range)
        return nil
    }

    private static func monthDay(_ node: YAMLNodeView, place: String, reader: inout NodeReader) -> MonthDay? {
        guard let text = reader.string(node, place: place) else { return nil }
        if let day = MonthDay(text.value) { return day }
        reader.bag.report(.invalidCalendarRule(reason: "\(place) must be a day of the year as MM-DD, such as 12-25, found '\(text.value)'"), at: text.range)
        return nil
    }

    private static func holiday(_ node: YAMLNodeView, reader: inout NodeReader) -> Holiday? {
        guard let fields = reader.entries(node, place: "a holiday", allowed: holidayKeys, required: ["name"]),
            let name = fields["name"].flatMap({ reader.string($0, place: "'name' of a holiday") })
        else { return nil }
        let rules = ["date", "easter", "weekday"].filter { fields[$0] != nil }
        guard rules.count == 1 else {
            reader.bag.report(.invalidCalendarRule(reason: "holiday '\(name.value)' needs exactly one of 'date', 'easter' or 'weekday'"), at: node.range)
            return nil
        }
        if let date = fields["date"] {
            guard let day = monthDay(date, place: "'date' of holiday '\(name.value)'", reader: &reader) else { return nil }
            let substitute = fields["substitute"].flatMap { reader.bool($0, place: "'substitute' of holiday '\(name.value)'") } ?? false
            return Holiday(name: name.value, rule: .fixed(day, substitute: substitute))
        }
        if let substitute = fields["substitute"] {
            reader.bag.report(.invalidCalendarRule(reason: "'substitute' is only for a holiday with a 'date'; holiday '\(name.value)' falls where its rule puts it"),
                              at: substitute.range)
        }
        if let easter = fields["easter"] {
            guard let offset = integer(easter, place: "'easter' of holiday '\(name.value)'", in: -60...60, reader: &reader) else { return nil }
            return Holiday(name: name.value, rule: .easter(offset: offset))
        }
        guard let rule = fields["weekday"].flatMap({ reader.entries($0, place: "'weekday' of holiday '\(name.value)'", allowed: weekdayKeys, required: weekdayKeys) }),
            let nthNode = rule["nth"], let dayNode = rule["day"], let monthNode = rule["month"]
        else { return nil }
        var nth: Int?
        if let text = reader.string(nthNode, place: "'nth'") {
            nth = text.value == "last" ? -1 : Int(text.value).flatMap { (1...5).contains($0) ? $0 : nil }
            if nth == nil {
                reader.bag.report(.invalidCalendarRule(reason: "'nth' must be 1, 2, 3, 4, 5 or last, found '\(text.value)'"), at: text.range)
            }
        }
        let day = weekday(dayNode, reader: &reader)
        let month = integer(monthNode, place: "'month'", in: 1...12, reader: &reader)
        guard let nth, let day, let month else { return nil }
        return Holiday(name: name.value, rule: .nthWeekday(nth: nth, weekday: day, month: month))
    }

    private static func change(_ node: YAMLNodeView, reader: inout NodeReader) -> (change: HolidayChange, replaces: Located<String>?)? {
        guard let fields = reader.entries(node, place: "a change", allowed: changeKeys, required: ["date", "name"]),
            let dateText = fields["date"].flatMap({ reader.string($0, place: "'date' of a change") }),
            let name = fields["name"].flatMap({ reader.string($0, place: "'name' of a change") })
        else { return nil }
        guard let date = CalendarDate(dateText.value) else {
            reader.bag.report(.invalidCalendarRule(reason: "'date' of a change must be a date as YYYY-MM-DD, found '\(dateText.value)'"), at: dateText.range)
            return nil
        }
        let replaces = fields["replaces"].flatMap { reader.string($0, place: "'replaces' of a change") }
        return (HolidayChange(date: date, name: name.value, replaces: replaces?.value), replaces)
    }

    private static func rollRule(_ node: YAMLNodeView, reader: inout NodeReader) -> RollRule? {
        guard let fields = reader.entries(node, place: "a roll rule", allowed: rollKeys, required: rollKeys),
            let name = fields["name"].flatMap({ reader.string($0, place: "'name' of a roll rule") })
        else { return nil }
        let condition = fields["when"].flatMap { rollCondition($0, place: "'when' of roll rule '\(name.value)'", reader: &reader) }
        let target = fields["move_to"].flatMap { rollTarget($0, place: "'move_to' of roll rule '\(name.value)'", reader: &reader) }
        guard let condition, let target else { return nil }
        return RollRule(name: name.value, condition: condition, target: target)
    }

    private static func rollCondition(_ node: YAMLNodeView, place: String, reader: inout NodeReader) -> RollCondition? {
        if node.kind == .scalar {
            if node.string == "non_working_day" { return .nonWorkingDay }
            reader.bag.report(.invalidCalendarRule(reason: "\(place) must be non_working_day or { from: MM-DD, to: MM-DD }, found \(reader.describe(node))"),
                              at: node.range)
            return nil
        }
        guard let range = reader.entries(node, place: place, allowed: rangeKeys, required: rangeKeys) else { return nil }
        let from = range["from"].flatMap { monthDay($0, place: "'from'", reader: &reader) }
        let to = range["to"].flatMap { monthDay($0, place: "'to'", reader: &reader) }
        guard let from, let to else { return nil }
        return .between(from, to)
    }

    private static func rollTarget(_ node: YAMLNodeView, place: String, reader: inout NodeReader) -> RollTarget? {
        let expected = "next_working_day, { first_working_day_after: MM-DD } or { first_working_day_from: MM-DD }"
        if node.kind == .scalar {
            if node.string == "next_working_day" { return .nextWorkingDay }
            reader.bag.report(.invalidCalendarRule(reason: "\(place) must be \(expected), found \(reader.describe(node))"), at: node.range)
            return nil
        }
        guard let choice = reader.entries(node, place: place, allowed: moveToKeys) else { return nil }
        guard choice.count == 1, let entry = choice.first else {
            // With no allowed key but some other, the unknown key has been reported already.
            if node.count == 0 || choice.count > 1 {
                reader.bag.report(.invalidCalendarRule(reason: "\(place) must be one of \(expected)"), at: node.range)
            }
            return nil
        }
        guard let day = monthDay(entry.value, place: "'\(entry.key)'", reader: &reader) else { return nil }
        // An end cannot move to a day most years lack: 02-29 would leave no day to move to in a common year.
        guard day.date(in: 2001) != nil else {
            reader.bag.report(.invalidCalendarRule(reason: "'\(entry.key)' must be a day every year has, found '\(day)'"), at: entry.value.range)
            return nil
        }
        return entry.key == "first_working_day_after" ? .firstWorkingDayAfter(day) : .firstWorkingDayFrom(day)
    }

    /// A range of days that are not counted: `{ name: August, from: 08-01, to: 08-31 }`.
    private static func notCountedDays(_ node: YAMLNodeView, reader: inout NodeReader) -> NotCountedDays? {
        guard let fields = reader.entries(node, place: "a range of days not counted", allowed: notCountedKeys, required: notCountedKeys),
            let name = fields["name"].flatMap({ reader.string($0, place: "'name' of a range of days not counted") })
        else { return nil }
        let from = fields["from"].flatMap { monthDay($0, place: "'from' of '\(name.value)'", reader: &reader) }
        let to = fields["to"].flatMap { monthDay($0, place: "'to' of '\(name.value)'", reader: &reader) }
        guard let from, let to else { return nil }
        return NotCountedDays(name: name.value, from: from, to: to)
    }
}

import CaseworkYAML

/// Reads a calendar file (`calendar:`) into a ``CalendarDefinition``, reporting every structural problem.
///
/// Calendar files are small and read rarely, so keys are matched as strings.
enum CalendarDecoder {
    static let keys = ["calendar", "version", "title", "description", "extends", "working_days", "holidays", "changes", "roll"]
    static let holidayKeys = ["name", "date", "substitute", "easter", "weekday"]
    static let weekdayKeys = ["nth", "day", "month"]
    static let changeKeys = ["date", "name", "replaces"]
    static let rollKeys = ["name", "when", "move_to"]
    static let weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    /// Decodes `root`, a mapping; returns nil only when the calendar has no usable id.
    static func decode(_ root: YAMLNodeView, reader: inout NodeReader) -> CalendarDefinition? {
        var id: Located<String>?
        var version: Int?
        var title: String?
        var extends: Located<String>?
        var working: Set<Int>?
        var holidays: [Holiday] = []
        var changes: [HolidayChange] = []
        var roll: [RollRule] = []
        var seen = Set<String>()
        for entry in 0..<root.count {
            let key = root.key(entry)
            let value = root.value(entry)
            seen.insert(key.string)
            switch key.string {
            case "calendar": id = reader.name(value, rule: .definitionID, kind: "calendar", place: "'calendar'")
            case "version": version = reader.version(value)
            case "title": title = reader.string(value, place: "'title'")?.value
            case "description": _ = reader.string(value, place: "'description'")
            case "extends": extends = reader.name(value, rule: .definitionID, kind: "calendar", place: "'extends'")
            case "working_days": working = weekdaySet(value, reader: &reader)
            case "holidays": holidays = list(value, "'holidays'", reader: &reader) { holiday($0, reader: &$1) }
            case "changes": changes = list(value, "'changes'", reader: &reader) { change($0, reader: &$1) }
            case "roll": roll = list(value, "'roll'", reader: &reader) { rollRule($0, reader: &$1) }
            default: reader.unknownKey(key, place: "a calendar", allowed: keys)
            }
        }
        for required in ["calendar", "version", "title"] where !seen.contains(required) {
            reader.bag.report(.missingKey(key: required, place: "calendar"), at: root.range.startOnly)
        }
        guard let id else { return nil }
        return CalendarDefinition(id: id, version: version ?? 0, title: title ?? id.value, extends: extends, workingWeekdays: working,
                                  holidays: holidays, changes: changes, roll: roll, file: root.range.file)
    }

    private static func list<T>(_ node: YAMLNodeView, _ place: String, reader: inout NodeReader, _ item: (YAMLNodeView, inout NodeReader) -> T?) -> [T] {
        guard reader.expectList(node, place: place) else { return [] }
        return (0..<node.count).compactMap { item(node.item($0), &reader) }
    }

    /// The entries of a mapping by key, reporting keys outside `allowed` and missing `required` ones.
    private static func entries(_ node: YAMLNodeView, place: String, allowed: [String], required: [String], reader: inout NodeReader) -> [String: YAMLNodeView]? {
        guard reader.expectMapping(node, place: place) else { return nil }
        var result: [String: YAMLNodeView] = [:]
        for entry in 0..<node.count {
            let key = node.key(entry)
            if allowed.contains(key.string) { result[key.string] = node.value(entry) } else { reader.unknownKey(key, place: place, allowed: allowed) }
        }
        for key in required where result[key] == nil {
            reader.bag.report(.missingKey(key: key, place: place), at: node.range.startOnly)
        }
        return result
    }

    private static func weekdaySet(_ node: YAMLNodeView, reader: inout NodeReader) -> Set<Int>? {
        guard reader.expectList(node, place: "'working_days'") else { return nil }
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
        guard let fields = entries(node, place: "a holiday", allowed: holidayKeys, required: ["name"], reader: &reader),
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
        if let easter = fields["easter"] {
            guard let offset = integer(easter, place: "'easter' of holiday '\(name.value)'", in: -60...60, reader: &reader) else { return nil }
            return Holiday(name: name.value, rule: .easter(offset: offset))
        }
        guard let rule = fields["weekday"].flatMap({ entries($0, place: "'weekday' of holiday '\(name.value)'", allowed: weekdayKeys, required: weekdayKeys, reader: &reader) }),
            let nthNode = rule["nth"], let dayNode = rule["day"], let monthNode = rule["month"]
        else { return nil }
        let nth: Int?
        if nthNode.string == "last" { nth = -1 } else { nth = integer(nthNode, place: "'nth' (1 to 5, or last)", in: 1...5, reader: &reader) }
        guard let nth, let day = weekday(dayNode, reader: &reader),
            let month = integer(monthNode, place: "'month'", in: 1...12, reader: &reader)
        else { return nil }
        return Holiday(name: name.value, rule: .nthWeekday(nth: nth, weekday: day, month: month))
    }

    private static func change(_ node: YAMLNodeView, reader: inout NodeReader) -> HolidayChange? {
        guard let fields = entries(node, place: "a change", allowed: changeKeys, required: ["date", "name"], reader: &reader),
            let dateText = fields["date"].flatMap({ reader.string($0, place: "'date' of a change") }),
            let name = fields["name"].flatMap({ reader.string($0, place: "'name' of a change") })
        else { return nil }
        guard let date = CalendarDate(dateText.value) else {
            reader.bag.report(.invalidCalendarRule(reason: "'date' of a change must be a date as YYYY-MM-DD, found '\(dateText.value)'"), at: dateText.range)
            return nil
        }
        let replaces = fields["replaces"].flatMap { reader.string($0, place: "'replaces' of a change") }?.value
        return HolidayChange(date: date, name: name.value, replaces: replaces)
    }

    private static func rollRule(_ node: YAMLNodeView, reader: inout NodeReader) -> RollRule? {
        guard let fields = entries(node, place: "a roll rule", allowed: rollKeys, required: rollKeys, reader: &reader),
            let name = fields["name"].flatMap({ reader.string($0, place: "'name' of a roll rule") }),
            let when = fields["when"], let move = fields["move_to"]
        else { return nil }
        let condition: RollCondition
        if when.string == "non_working_day" {
            condition = .nonWorkingDay
        } else {
            guard let range = entries(when, place: "'when' of roll rule '\(name.value)'", allowed: ["from", "to"], required: ["from", "to"], reader: &reader),
                let from = range["from"].flatMap({ monthDay($0, place: "'from'", reader: &reader) }),
                let to = range["to"].flatMap({ monthDay($0, place: "'to'", reader: &reader) })
            else { return nil }
            condition = .between(from, to)
        }
        let target: RollTarget
        if move.string == "next_working_day" {
            target = .nextWorkingDay
        } else {
            let allowed = ["first_working_day_after", "first_working_day_from"]
            guard let choice = entries(move, place: "'move_to' of roll rule '\(name.value)'", allowed: allowed, required: [], reader: &reader) else { return nil }
            if let after = choice["first_working_day_after"].flatMap({ monthDay($0, place: "'first_working_day_after'", reader: &reader) }) {
                target = .firstWorkingDayAfter(after)
            } else if let from = choice["first_working_day_from"].flatMap({ monthDay($0, place: "'first_working_day_from'", reader: &reader) }) {
                target = .firstWorkingDayFrom(from)
            } else {
                reader.bag.report(.invalidCalendarRule(reason: "'move_to' of roll rule '\(name.value)' needs next_working_day, first_working_day_after or first_working_day_from"), at: move.range)
                return nil
            }
        }
        return RollRule(name: name.value, condition: condition, target: target)
    }
}

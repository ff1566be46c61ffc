import CaseworkDefinitions
import CaseworkTime

/// `calendars.html`: each calendar's rules in words, and the bank holidays they give in the years asked for, worked
/// out by CaseworkTime as the engine counts them.
enum CalendarsPage {
    static let file = "calendars.html"

    static let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    static func render(_ handbook: Handbook) -> String {
        let set = handbook.definitions
        let working = set.workingCalendars
        var content: [Markup] = [.paragraph("Working days are counted on these calendars: a period in working days skips "
                                            + "weekends and bank holidays, and the roll rules move the end of a period.")]
        for calendar in set.calendars {
            content.append(.heading(2, calendar.title, id: calendar.id.value))
            var facts: [Markup] = [.joined([.text("Id "), .code(calendar.id.value), .text(", version \(calendar.version), from "), .code(calendar.file)])]
            if let parent = calendar.extends {
                facts.append(.joined([.text("Adds to "), .link(parent.value, to: "#" + parent.value)]))
            }
            if let days = calendar.workingWeekdays {
                facts.append(.text("Working days: " + days.sorted().map { weekdays[$0 - 1] }.joined(separator: ", ")))
            }
            content.append(.list(facts))
            if !calendar.holidays.isEmpty {
                content.append(.heading(3, "Bank holidays, as rules"))
                content.append(.table(["Holiday", "Falls on"], calendar.holidays.map { [.text($0.name), .text(rule($0.rule))] }))
            }
            if !calendar.changes.isEmpty {
                content.append(.heading(3, "One-off changes"))
                content.append(.table(["Date", "Holiday", "In place of"], calendar.changes.map {
                    [.text($0.date.description), .text($0.name), .text($0.replaces ?? "—")]
                }))
            }
            if !calendar.notCounted.isEmpty {
                content.append(.heading(3, "Days not counted"))
                content.append(.list(calendar.notCounted.map { .text("\($0.name): \(words($0.from)) to \(words($0.to))") }))
            }
            if !calendar.roll.isEmpty {
                content.append(.heading(3, "When a period ends"))
                content.append(.list(calendar.roll.map { .text("\($0.name): " + condition($0.condition) + ", it moves to " + target($0.target)) }))
            }
            if let counted = working[calendar.id.value] {
                for year in handbook.years {
                    content.append(.heading(3, "Bank holidays in \(year)"))
                    content.append(.table(["Date", "Day", "Holiday"], counted.holidays(in: year).map {
                        [.text($0.date.description), .text(weekdays[$0.date.weekday - 1]), .text($0.name)]
                    }))
                }
            }
        }
        return handbook.document("Calendars", content)
    }

    private static func rule(_ rule: HolidayRule) -> String {
        switch rule {
        case .fixed(let day, let substitute):
            "\(words(day)) every year" + (substitute ? "; when that is not a working day, the next working day that is not already a holiday" : "")
        case .easter(let offset):
            offset == 0 ? "Easter Sunday" : "\(abs(offset)) day\(abs(offset) == 1 ? "" : "s") \(offset < 0 ? "before" : "after") Easter Sunday"
        case .nthWeekday(let nth, let weekday, let month):
            (nth == -1 ? "the last" : "the " + ordinal(nth)) + " \(weekdays[weekday - 1]) of " + monthName(month)
        }
    }

    private static func condition(_ condition: RollCondition) -> String {
        switch condition {
        case .between(let from, let to): "when it ends between \(words(from)) and \(words(to))"
        case .nonWorkingDay: "when it ends on a day that is not a working day"
        }
    }

    private static func target(_ target: RollTarget) -> String {
        switch target {
        case .firstWorkingDayAfter(let day): "the first working day after \(words(day))"
        case .firstWorkingDayFrom(let day): "the first working day on or after \(words(day))"
        case .nextWorkingDay: "the next working day"
        }
    }

    /// `25 December`.
    private static func words(_ day: MonthDay) -> String { "\(day.day) " + monthName(day.month) }

    private static func ordinal(_ number: Int) -> String {
        ["first", "second", "third", "fourth", "fifth"][max(0, min(number, 5) - 1)]
    }

    private static func monthName(_ month: Int) -> String {
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"][month - 1]
    }
}

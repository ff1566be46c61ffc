import CaseworkTime

/// A calendar file (`calendar:`): working days, bank holidays as rules, one-off changes and roll rules.
public struct CalendarDefinition: Sendable, Hashable {
    /// The calendar's id, such as `england-and-wales`.
    public var id: Located<String>
    /// The definition's version.
    public var version: Int
    /// A title people read.
    public var title: String
    /// The calendar it extends, if any: it adds to that calendar's holidays, changes and roll rules.
    public var extends: Located<String>?
    /// The working weekdays (1 = Monday … 7 = Sunday); nil to take the parent's (or Monday to Friday).
    public var workingWeekdays: Set<Int>?
    /// The bank holiday rules.
    public var holidays: [Holiday]
    /// The one-off changes.
    public var changes: [HolidayChange]
    /// The roll rules for the end of a period, in order.
    public var roll: [RollRule]
    /// The days of the year a period does not count at all (`not_counted`).
    public var notCounted: [NotCountedDays]
    /// The file the calendar was read from.
    public var file: String

    /// Creates a calendar definition.
    public init(
        id: Located<String>, version: Int, title: String, extends: Located<String>?, workingWeekdays: Set<Int>?,
        holidays: [Holiday], changes: [HolidayChange], roll: [RollRule], notCounted: [NotCountedDays] = [], file: String
    ) {
        self.id = id
        self.version = version
        self.title = title
        self.extends = extends
        self.workingWeekdays = workingWeekdays
        self.holidays = holidays
        self.changes = changes
        self.roll = roll
        self.notCounted = notCounted
        self.file = file
    }
}

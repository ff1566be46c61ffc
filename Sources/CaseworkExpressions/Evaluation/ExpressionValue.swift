import CaseworkTime
import Foundation

/// A runtime value of the expression language. Enumeration values are their words, as strings.
public enum ExpressionValue: Sendable, Hashable, CustomStringConvertible {
    /// `true` or `false`.
    case bool(Bool)
    /// A whole number.
    case int(Int)
    /// An exact decimal.
    case decimal(Decimal)
    /// Text, or a word of an enumeration.
    case string(String)
    /// A calendar date.
    case date(CalendarDate)
    /// An instant.
    case datetime(Date)
    /// A length of time.
    case duration(StatutoryDuration)
    /// A list.
    case list([ExpressionValue])

    /// The value as an expression would write it.
    public var description: String {
        switch self {
        case .bool(let value): "\(value)"
        case .int(let value): "\(value)"
        case .decimal(let value): "\(value)"
        case .string(let value): "\"\(value)\""
        case .date(let value): value.description
        case .datetime(let value): value.formatted(.iso8601)
        case .duration(let value): value.description
        case .list(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

/// Why an expression could not be decided for a case. Evaluation never crashes: it returns one of these.
public enum EvaluationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A field the expression reads has not been set.
    case unset(String)
    /// The context holds a value of another type than the environment declared.
    case wrongValueType(name: String, expected: String)
    /// Arithmetic left the range of whole numbers or of supported dates.
    case outOfRange(String)
    /// The expression was planned into the slots of one set of expressions and given the context of another (a
    /// workflow's guard evaluated against another workflow's context), so it cannot read its names.
    case plannedForAnotherContext

    /// The reason, in words a caseworker can act on.
    public var description: String {
        switch self {
        case .unset(let name): "'\(name)' has not been set"
        case .wrongValueType(let name, let expected): "'\(name)' does not hold a \(expected)"
        case .outOfRange(let what): "\(what) is out of range"
        case .plannedForAnotherContext: "the expression was evaluated against another definition's values"
        }
    }
}

/// What an expression is evaluated against: the values of the names it may read, and the time.
public struct EvaluationContext: Sendable {
    /// The value of each set name, by full dotted path (`requested_on`, `child.date_of_birth`, `case.state`).
    /// A name that is absent is unset. Read by expressions planned without slots.
    public var values: [String: ExpressionValue]
    /// The value in each slot of an ``ExpressionSlots`` (nil: unset), for expressions planned into those slots
    /// (``CompiledExpression/init(_:slots:)``); empty for a context by name.
    public var slots: [ExpressionValue?] = []
    /// Today's date, from the engine's injected clock.
    public var today: CalendarDate
    /// The current instant, from the engine's injected clock.
    public var now: Date
    /// The working-day calendar.
    public var calendar: any WorkingDayCalendar

    /// Creates a context.
    public init(values: [String: ExpressionValue], today: CalendarDate, now: Date, calendar: any WorkingDayCalendar = WeekdayCalendar()) {
        self.values = values
        self.today = today
        self.now = now
        self.calendar = calendar
    }

    /// Creates a context whose names are read from `slots`, in the order of the ``ExpressionSlots`` the expressions were
    /// planned into.
    public init(slots: [ExpressionValue?], today: CalendarDate, now: Date, calendar: any WorkingDayCalendar = WeekdayCalendar()) {
        self.init(values: [:], today: today, now: now, calendar: calendar)
        self.slots = slots
    }
}

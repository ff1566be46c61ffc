import CaseworkTime
import Foundation

/// The runtime meaning of each operator, defensive about value types so evaluation stays total.
enum Operations {
    static func bool(_ value: ExpressionValue) throws(EvaluationError) -> Bool {
        guard case .bool(let result) = value else { throw .wrongValueType(name: value.description, expected: "bool") }
        return result
    }

    static func date(_ value: ExpressionValue, name: String) throws(EvaluationError) -> CalendarDate {
        guard case .date(let result) = value else { throw .wrongValueType(name: name, expected: "date") }
        return result
    }

    static func decimal(_ value: ExpressionValue) -> Decimal? {
        switch value {
        case .int(let number): Decimal(number)
        case .decimal(let number): number
        default: nil
        }
    }

    /// Equality, with whole and decimal numbers compared by value.
    static func equal(_ left: ExpressionValue, _ right: ExpressionValue) -> Bool {
        // Text, the most compared (roles, states, levels), compared without building the pair of values below.
        if case .string(let a) = left, case .string(let b) = right { return a == b }
        switch (left, right) {
        case (.int(let a), .int(let b)): return a == b
        case (.int, .decimal), (.decimal, .int), (.decimal, .decimal): return decimal(left) == decimal(right)
        default: return left == right
        }
    }

    /// -1, 0 or 1 for ordered values.
    static func compare(_ left: ExpressionValue, _ right: ExpressionValue) throws(EvaluationError) -> Int {
        switch (left, right) {
        case (.int(let a), .int(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.date(let a), .date(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.datetime(let a), .datetime(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        default:
            guard let a = decimal(left), let b = decimal(right) else {
                throw .wrongValueType(name: "\(left) and \(right)", expected: "pair of ordered values")
            }
            return a < b ? -1 : (a == b ? 0 : 1)
        }
    }

    static func negate(_ value: ExpressionValue) throws(EvaluationError) -> ExpressionValue {
        switch value {
        case .int(let number):
            guard number != .min else { throw .outOfRange("-\(number)") }
            return .int(-number)
        case .decimal(let number): return .decimal(-number)
        default: throw .wrongValueType(name: value.description, expected: "number")
        }
    }

    /// `left + right` (sign 1) or `left - right` (sign -1).
    static func add(_ left: ExpressionValue, _ right: ExpressionValue, sign: Int, calendar: any WorkingDayCalendar) throws(EvaluationError) -> ExpressionValue {
        switch (left, right) {
        case (.int(let a), .int(let b)):
            let (result, overflow) = sign > 0 ? a.addingReportingOverflow(b) : a.subtractingReportingOverflow(b)
            guard !overflow else { throw .outOfRange("\(a) \(sign > 0 ? "+" : "-") \(b)") }
            return .int(result)
        case (.date(let date), .duration(let duration)), (.duration(let duration), .date(let date)):
            guard let moved = TimeArithmetic.move(date, by: duration, sign: sign, calendar: calendar) else {
                throw .outOfRange("\(date) \(sign > 0 ? "+" : "-") \(duration)")
            }
            return .date(moved)
        case (.datetime(let instant), .duration(let duration)), (.duration(let duration), .datetime(let instant)):
            let seconds: Double
            switch duration.unit {
            case .days: seconds = Double(duration.count) * 86_400
            case .weeks: seconds = Double(duration.count) * 604_800
            default: throw .wrongValueType(name: "\(duration)", expected: "duration in days or weeks for a datetime")
            }
            return .datetime(instant.addingTimeInterval(Double(sign) * seconds))
        default:
            guard let a = decimal(left), let b = decimal(right) else {
                throw .wrongValueType(name: "\(left) and \(right)", expected: "pair of numbers")
            }
            return .decimal(sign > 0 ? a + b : a - b)
        }
    }
}

@testable import CaseworkExpressions
import CaseworkTestSupport
@testable import CaseworkTime
import Foundation
import Testing

/// Generated expressions and contexts: whatever the checker accepts must evaluate without trapping,
/// to a value of the type the checker gave it, or to an evaluation error.
@Suite("Expressions: properties over generated input")
struct ExpressionPropertyTests {
    /// Writes random expressions of a wanted type over the fixture environment, mostly well typed.
    struct ExpressionWriter {
        var random: SeededGenerator

        mutating func pick<T>(_ options: [T]) -> T { options[Int(random.next() % UInt64(options.count))] }

        mutating func bool(_ depth: Int) -> String {
            if depth <= 0 { return pick(["evidence_complete", "true", "false", "forms.advice.all_accepted", "has(decided_on)"]) }
            switch random.next() % 10 {
            case 0: return "\(int(depth - 1)) \(pick(["<", "<=", ">", ">=", "==", "!="])) \(int(depth - 1))"
            case 1: return "\(date(depth - 1)) \(pick(["<", "<=", ">", ">=", "==", "!="])) \(date(depth - 1))"
            case 2: return "not (\(bool(depth - 1)))"
            case 3: return "(\(bool(depth - 1)) \(pick(["and", "or"])) \(bool(depth - 1)))"
            case 4: return "requested_by \(pick(["in", "not in"])) ['parent', 'school']"
            case 5: return "case.state \(pick(["==", "!="])) '\(pick(["deciding", "drafting"]))'"
            case 6: return "\(pick(["any", "all"]))(review_dates, d, d > \(date(depth - 1)))"
            case 7: return "\(int(depth - 1)) in [\(int(depth - 1)), \(int(depth - 1))]"
            case 8: return "hours \(pick(["<", "=="])) \(int(depth - 1))"
            default: return bool(0)
            }
        }

        mutating func int(_ depth: Int) -> String {
            if depth <= 0 {
                return pick(["weeks_waited", "0", "1", "16", "9223372036854775807", "forms.advice.count", "count(review_dates)"])
            }
            switch random.next() % 6 {
            case 0: return "(\(int(depth - 1)) \(pick(["+", "-"])) \(int(depth - 1)))"
            case 1: return "days_between(\(date(depth - 1)), \(date(depth - 1)))"
            case 2: return "working_days_between(\(date(depth - 1)), \(date(depth - 1)))"
            case 3: return "age_on(\(date(depth - 1)))"
            case 4: return "-(\(int(depth - 1)))"
            default: return int(0)
            }
        }

        mutating func date(_ depth: Int) -> String {
            if depth <= 0 { return pick(["requested_on", "decided_on", "today", "2025-09-01", "0001-01-01", "9999-12-31", "child.date_of_birth"]) }
            switch random.next() % 4 {
            case 0: return "(\(date(depth - 1)) \(pick(["+", "-"])) \(duration()))"
            case 1: return "school_year_end(\(date(depth - 1)))"
            case 2: return "school_leaving_date(\(date(depth - 1)))"
            default: return date(0)
            }
        }

        mutating func duration() -> String {
            "\(pick(["1", "6", "15", "10000"])) \(pick(["days", "weeks", "months", "years", "working days"]))"
        }
    }

    /// Random contexts: each name set or unset, with ordinary and extreme values.
    static func context(_ random: inout SeededGenerator) -> EvaluationContext {
        func maybe(_ value: ExpressionValue) -> ExpressionValue? { random.next() % 4 == 0 ? nil : value }
        let dates = ["2025-09-01", "0001-01-01", "9999-12-31", "2009-09-01"].map { ExpressionValue.date(CalendarDate($0)!) }
        var values: [String: ExpressionValue] = [:]
        values["requested_on"] = maybe(dates[Int(random.next() % 4)])
        values["decided_on"] = maybe(dates[Int(random.next() % 4)])
        values["child.date_of_birth"] = maybe(dates[Int(random.next() % 4)])
        values["evidence_complete"] = maybe(.bool(random.next() % 2 == 0))
        values["weeks_waited"] = maybe(.int([0, 7, Int.max, Int.min][Int(random.next() % 4)]))
        values["hours"] = maybe(.decimal(Decimal(string: "2.5")!))
        values["requested_by"] = maybe(.string("school"))
        values["case.state"] = maybe(.string("deciding"))
        values["review_dates"] = maybe(.list(Array(dates.prefix(Int(random.next() % 4)))))
        values["forms.advice.all_accepted"] = maybe(.bool(true))
        values["forms.advice.count"] = maybe(.int(2))
        return EvaluationContext(values: values, today: ExpressionFixtures.today, now: Date(timeIntervalSince1970: 0))
    }

    static func matches(_ value: ExpressionValue, _ type: ExpressionType) -> Bool {
        switch (value, type) {
        case (.bool, .bool), (.int, .int), (.decimal, .decimal), (.date, .date), (.datetime, .datetime), (.duration, .duration),
            (.string, .string), (.string, .enumeration), (.list, .list), (.list, .emptyList):
            return true
        case (.int, .decimal), (.decimal, .int):
            return true
        default:
            return false
        }
    }

    @Test(arguments: [1, 2, 3, 4])
    func everyCheckedExpressionEvaluatesToItsTypeOrAnError(seed: UInt64) {
        var writer = ExpressionWriter(random: SeededGenerator(seed: seed))
        var random = SeededGenerator(seed: seed &* 7919)
        var accepted = 0
        var decided = 0
        for round in 0..<500 {
            let text: String
            switch round % 3 {
            case 0: text = writer.bool(4)
            case 1: text = writer.int(3)
            default: text = writer.date(3)
            }
            guard case .success(let checked) = ExpressionChecker.compile(text, in: ExpressionFixtures.environment) else { continue }
            accepted += 1
            let compiled = CompiledExpression(checked)
            for _ in 0..<4 {
                switch compiled.evaluate(Self.context(&random)) {
                case .success(let value):
                    decided += 1
                    #expect(Self.matches(value, checked.type), "'\(text)' gave \(value), checked as \(checked.type)")
                case .failure:
                    break
                }
            }
        }
        #expect(accepted > 400, "the writer should mostly write well-typed expressions (\(accepted) of 500)")
        #expect(decided > 200, "most evaluations should decide (\(decided))")
    }

    @Test(arguments: [11, 12, 13])
    func tokenSoupNeverTrapsTheParserOrChecker(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let pieces = ["(", ")", "[", "]", ",", ".", "and", "or", "not", "in", "==", "<", "+", "-", "'x'", "\"y", "2025-09-01",
                      "6 weeks", "7", "1.5", "weeks_waited", "requested_on", "case", "state", "any", "has", "(", "today", "=", "&", "é", "\\"]
        for _ in 0..<2_000 {
            let count = Int(random.next() % 12) + 1
            let text = (0..<count).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined(separator: random.next() % 2 == 0 ? " " : "")
            if case .success(let checked) = ExpressionChecker.compile(text, in: ExpressionFixtures.environment) {
                _ = CompiledExpression(checked).evaluate(Self.context(&random))
            }
        }
    }
}

@testable import CaseworkExpressions
@testable import CaseworkTime
import Foundation

/// A small environment and context shared by the expression tests: an EHC needs assessment's fields.
enum ExpressionFixtures {
    static let requestedBy = EnumerationDomain(name: "one_of", member: "a value of 'requested_by' (parent, young_person, school)",
                                               values: ["parent", "young_person", "school"])
    static let state = EnumerationDomain(name: "state", member: "a state of workflow 'test'", values: ["requested", "deciding", "assessing", "drafting"])

    static let environment = ExpressionEnvironment(names: [
        "requested_on": .date,
        "evidence_complete": .bool,
        "weeks_waited": .int,
        "hours": .decimal,
        "school_name": .string,
        "requested_by": .enumeration(requestedBy),
        "case.state": .enumeration(state),
        "child.date_of_birth": .date,
        "child.first_name": .string,
        "review_dates": .list(.date),
        "forms.advice.all_accepted": .bool,
        "forms.advice.count": .int,
        "decided_on": .date,
    ], dateOfBirth: "child.date_of_birth")

    static let today = CalendarDate(year: 2025, month: 11, day: 25)!

    static let context = EvaluationContext(values: [
        "requested_on": .date(CalendarDate(year: 2025, month: 9, day: 1)!),
        "evidence_complete": .bool(true),
        "weeks_waited": .int(7),
        "hours": .decimal(Decimal(string: "2.5")!),
        "school_name": .string("Hillside"),
        "requested_by": .string("parent"),
        "case.state": .string("deciding"),
        "child.date_of_birth": .date(CalendarDate(year: 2009, month: 9, day: 1)!),
        "child.first_name": .string("Sam"),
        "review_dates": .list([.date(CalendarDate(year: 2025, month: 1, day: 10)!), .date(CalendarDate(year: 2025, month: 12, day: 1)!)]),
        "forms.advice.all_accepted": .bool(false),
        "forms.advice.count": .int(3),
    ], today: today, now: Date(timeIntervalSince1970: 1_764_072_000))

    /// Compiles `text` against the fixture environment, or nil with the errors.
    static func compile(_ text: String, expecting: ExpressionType? = nil) -> Result<CompiledExpression, ExpressionErrors> {
        ExpressionChecker.compile(text, in: environment, expecting: expecting).map(CompiledExpression.init)
    }

    /// The value of `text` in the fixture context.
    static func evaluate(_ text: String, in context: EvaluationContext = context) throws -> Result<ExpressionValue, EvaluationError> {
        try compile(text).get().evaluate(context)
    }
}


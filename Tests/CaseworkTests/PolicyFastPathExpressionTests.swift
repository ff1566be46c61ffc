@testable import CaseworkExpressions
import CaseworkTestSupport
@testable import CaseworkTime
import Foundation
import Testing

/// Expressions planned into slots (what the policy's fast path evaluates) against the same expressions planned to read
/// names from a dictionary: the same value or the same error, over the expression property tests' generated
/// expressions and contexts.
@Suite("Expressions: slots agree with names")
struct PolicyFastPathExpressionTests {
    /// The context by name `context` as slots of `slots`.
    static func slotted(_ context: EvaluationContext, _ slots: ExpressionSlots) -> EvaluationContext {
        EvaluationContext(slots: slots.names.map { context.values[$0] }, today: context.today, now: context.now, calendar: context.calendar)
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6])
    func everyGeneratedExpressionEvaluatesTheSameFromSlots(seed: UInt64) {
        var writer = ExpressionPropertyTests.ExpressionWriter(random: SeededGenerator(seed: seed))
        var random = SeededGenerator(seed: seed &* 7919)
        var compared = 0
        for round in 0..<500 {
            let text = round % 3 == 0 ? writer.bool(4) : round % 3 == 1 ? writer.int(3) : writer.date(3)
            guard case .success(let checked) = ExpressionChecker.compile(text, in: ExpressionFixtures.environment) else { continue }
            var slots = ExpressionSlots(declared: ExpressionFixtures.environment.names.keys)
            let bySlot = CompiledExpression(checked, slots: &slots)
            let byName = CompiledExpression(checked)
            for _ in 0..<4 {
                let context = ExpressionPropertyTests.context(&random)
                compared += 1
                #expect(bySlot.evaluate(Self.slotted(context, slots)) == byName.evaluate(context), "'\(text)'")
            }
        }
        #expect(compared > 1_600)
    }

    @Test(arguments: [
        "has(child)", "has(child.first_name)", "has(forms.advice)", "has(forms)", "age_on(today) >= 16", "child.first_name in [\"Sam\", \"Jo\"]",
        "requested_by in [\"parent\", \"school\"] and weeks_waited > 6",
        // A name compared with a value written out, on either side, is planned as one step (`comparedWithConstant`).
        "requested_by == \"parent\"", "\"parent\" == requested_by", "requested_by != \"school\"", "\"school\" != requested_by",
        "case.state not in [\"requested\", \"drafting\"]", "weeks_waited == 7", "hours == 2.5", "7 == weeks_waited", "hours != 2",
        "child.date_of_birth == 2009-09-01", "forms.advice.all_accepted == false and requested_by == \"parent\"",
        "requested_by == \"parent\" or child.first_name == \"Jo\"", "child.first_name == \"Jo\" or requested_by == \"parent\"",
    ])
    func namesUnderAGroupAndTheDateOfBirthAreReadFromSlots(text: String) throws {
        guard case .success(let checked) = ExpressionChecker.compile(text, in: ExpressionFixtures.environment) else {
            Issue.record("'\(text)' does not check")
            return
        }
        var slots = ExpressionSlots(declared: ExpressionFixtures.environment.names.keys)
        let bySlot = CompiledExpression(checked, slots: &slots)
        let byName = CompiledExpression(checked)
        var unset = ExpressionFixtures.context
        unset.values = unset.values.filter { !$0.key.hasPrefix("child.") && !$0.key.hasPrefix("forms.") }
        for context in [ExpressionFixtures.context, unset] {
            #expect(bySlot.evaluate(Self.slotted(context, slots)) == byName.evaluate(context))
        }
        let nothing = EvaluationContext(values: [:], today: ExpressionFixtures.today, now: ExpressionFixtures.context.now)
        #expect(bySlot.evaluate(ExpressionFixtures.context) == byName.evaluate(nothing), "a context without slots reads every name as unset")
    }
}

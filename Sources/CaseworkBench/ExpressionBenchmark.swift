import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// Issue 4's benchmark: a compiled five-clause guard against a hand-written Swift closure reading the same context.
enum ExpressionBenchmark {
    static let guardText = "evidence_complete and requested_by in ['parent', 'school'] and weeks_waited < 20 "
        + "and today > requested_on + 6 weeks and not forms.advice.all_accepted"

    static func run() {
        let environment = ExpressionEnvironment(names: [
            "evidence_complete": .bool, "weeks_waited": .int, "requested_on": .date, "forms.advice.all_accepted": .bool,
            "requested_by": .enumeration(EnumerationDomain(name: "one_of", member: "a requester", values: ["parent", "young_person", "school"])),
        ])
        guard case .success(let checked) = ExpressionChecker.compile(guardText, in: environment, expecting: .bool) else {
            print("expressions: the benchmark guard did not check")
            return
        }
        let compiled = CompiledExpression(checked)
        let context = EvaluationContext(values: [
            "evidence_complete": .bool(true), "requested_by": .string("school"), "weeks_waited": .int(7),
            "requested_on": .date(CalendarDate(year: 2025, month: 9, day: 1)!), "forms.advice.all_accepted": .bool(false),
        ], today: CalendarDate(year: 2025, month: 11, day: 25)!, now: Date(timeIntervalSince1970: 0))
        let handWritten: @Sendable (EvaluationContext) -> Bool = { context in
            guard case .bool(let complete)? = context.values["evidence_complete"], complete else { return false }
            guard case .string(let requester)? = context.values["requested_by"], requester == "parent" || requester == "school" else { return false }
            guard case .int(let weeks)? = context.values["weeks_waited"], weeks < 20 else { return false }
            guard case .date(let requested)? = context.values["requested_on"], context.today > requested.adding(days: 42) else { return false }
            guard case .bool(let accepted)? = context.values["forms.advice.all_accepted"] else { return false }
            return !accepted
        }
        let rounds = 500_000
        let (interpreted, trueCount) = Measure.best(repetitions: 5) { () -> Int in
            var count = 0
            for _ in 0..<rounds where compiled.evaluateCondition(context) == .success(true) { count += 1 }
            return count
        }
        let (floor, floorCount) = Measure.best(repetitions: 5) { () -> Int in
            var count = 0
            for _ in 0..<rounds where handWritten(context) { count += 1 }
            return count
        }
        guard trueCount == rounds, floorCount == rounds else {
            print("expressions: the guard and the closure disagree (\(trueCount) vs \(floorCount) of \(rounds))")
            return
        }
        print("expressions: five-clause guard, \(rounds) evaluations, all true")
        print("  compiled guard           \(Measure.format(Double(rounds) / interpreted / 1e6, decimals: 2)) M evaluations/s")
        print("  hand-written closure     \(Measure.format(Double(rounds) / floor / 1e6, decimals: 2)) M evaluations/s")
        print("  guard / closure time     \(Measure.format(interpreted / floor, decimals: 1))x (goal: within 10x)")
    }
}

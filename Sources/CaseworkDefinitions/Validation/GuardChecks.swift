import CaseworkDiagnostics
import CaseworkExpressions
import CaseworkYAML

/// Parses and type-checks every guard (`when:`) of a workflow, reporting errors at their place in the YAML file.
struct GuardChecks {
    let workflow: WorkflowDefinition
    /// The workflow file's text, to map a token inside a scalar to its line and column; nil maps errors to the scalar's start.
    let source: DefinitionText?
    /// The workflow's names and their types.
    let environment: ExpressionEnvironment

    /// Each transition's checked guard, by transition name, for the guards that checked cleanly.
    /// Planning them for evaluation is left to the engine, which is the only place that runs them.
    func run(into bag: inout DiagnosticBag) -> [String: CheckedExpression] {
        var compiled: [String: CheckedExpression] = [:]
        compiled.reserveCapacity(workflow.transitions.count)
        // Read by index, field by field: binding each transition would copy (and reference-count) all of it.
        for index in workflow.transitions.indices {
            guard let when = workflow.transitions[index].when else { continue }
            let result = ExpressionChecker.compile(when.text, in: environment, expecting: .bool,
                                                   role: "the guard of transition '\(workflow.transitions[index].name.value)'")
            // Switched on as consumed, so the checked guard is moved out of the result rather than copied from it.
            switch consume result {
            case .success(let checked):
                // Moved into the table: a copy would count a reference to each of its parts and the result's
                // destruction give them back, a pair of atomic operations per part for every guard.
                compiled[workflow.transitions[index].name.value] = consume checked
            case .failure(let failure):
                report(failure.errors, in: when, into: &bag)
            }
        }
        return compiled
    }

    private func report(_ errors: [ExpressionError], in expression: ExpressionSource, into bag: inout DiagnosticBag) {
        Self.report(errors, in: expression, source: source, into: &bag)
    }

    /// Reports expression errors at their place in the YAML file.
    static func report(_ errors: [ExpressionError], in expression: ExpressionSource, source: DefinitionText?, into bag: inout DiagnosticBag) {
        guard !errors.isEmpty else { return }
        let map = source?.textIfUnchanged.map { ScalarSourceMap(source: $0, range: expression.range, style: expression.style, value: expression.text) }
        for error in errors {
            bag.report(error.kind, at: range(of: error.span, in: expression, map: map))
        }
    }

    /// Where `span`, a part of `expression`, was written in the YAML file; the expression's start without `source`.
    static func range(of span: ExpressionSpan, in expression: ExpressionSource, source: String?) -> SourceRange {
        range(of: span, in: expression, map: source.map { ScalarSourceMap(source: $0, range: expression.range, style: expression.style, value: expression.text) })
    }

    private static func range(of span: ExpressionSpan, in expression: ExpressionSource, map: ScalarSourceMap?) -> SourceRange {
        map?.range(valueOffsets: span.start..<max(span.end, span.start)) ?? SourceRange(file: expression.range.file, at: expression.range.start)
    }
}

import CaseworkDiagnostics
import CaseworkExpressions
import CaseworkYAML

/// Finds letters that can show `(not yet recorded)` (CW0245): a template a transition's `notify:` sends
/// that shows a field which, on some way a case can take to that transition, nothing has set yet.
///
/// A field is surely set after a step when the case was opened with it as required input, or a step on
/// every way there (this one included) takes it as required input or gives it with `set:`. The ways are
/// the workflow's transitions from its initial state; what every way into a state has set is worked out
/// to a fixed point. Like CW0233, this needs declared input: a workflow without an opening `input:` may be
/// opened with any field, so nothing is reported for it. A guard that holds only when a field is set
/// (`has(field)`, alone or joined to others by `and`) counts as setting it for that step.
struct TemplateFieldChecks {
    let workflow: WorkflowDefinition

    func run(into bag: inout DiagnosticBag) {
        guard let opening = workflow.openingInput else { return }
        let surelySet = surelySetAfterEachTransition(opening: Set(opening.filter(\.isRequired).map(\.field.value)))
        // A field nothing can set is CW0233's to report, once.
        let settable = workflow.transitions.reduce(Set(opening.map(\.field.value))) {
            $0.union($1.input.map(\.field.value)).union($1.set.map(\.field.value))
        }
        let fields = Set(workflow.fields.allPaths.filter { path in settable.contains { path == $0 || path.hasPrefix($0 + ".") } })
            .subtracting(workflow.untypedFields)
        let templates = Dictionary(workflow.templates.map { ($0.name.value, $0) }, uniquingKeysWith: { first, _ in first })
        var reported = Set<String>()
        for (index, transition) in workflow.transitions.enumerated() {
            guard let set = surelySet[index] else { continue }
            for notification in transition.notify {
                guard let template = templates[notification.template.value] else { continue }
                for placeholder in template.subject.placeholders + template.body.placeholders {
                    let field = placeholder.value
                    guard fields.contains(field), !set.contains(where: { field == $0 || field.hasPrefix($0 + ".") }),
                          reported.insert("\(template.name.value) \(field)").inserted else { continue }
                    bag.report(.templateFieldMaybeUnset(template: template.name.value, field: field, transition: transition.name.value),
                               at: placeholder.range)
                }
            }
        }
    }

    /// For each transition (by index) that a case can reach, the fields surely set once it has fired.
    private func surelySetAfterEachTransition(opening: Set<String>) -> [Int: Set<String>] {
        var atState: [String: Set<String>] = [:]
        for state in workflow.states where state.isInitial { atState[state.name.value] = opening }
        let guarded = workflow.transitions.map { transition -> Set<String> in
            guard let when = transition.when, let syntax = try? ExpressionParser.parse(when.text) else { return [] }
            return Self.testedBy(syntax.root)
        }
        var after: [Int: Set<String>] = [:]
        var changed = true
        while changed {
            changed = false
            for (index, transition) in workflow.transitions.enumerated() {
                let reached = transition.from.compactMap { atState[$0.value] }
                guard let first = reached.first else { continue }
                let before = reached.dropFirst().reduce(first) { $0.intersection($1) }
                let set = before
                    .union(transition.input.filter(\.isRequired).map(\.field.value))
                    .union(transition.set.map(\.field.value))
                    .union(guarded[index])
                if after[index] != set {
                    after[index] = set
                    changed = true
                }
                // A step that stays returns to a state with at least the fields it had there: it narrows nothing.
                guard case .state(let name) = transition.to else { continue }
                let target = name.value
                let merged = atState[target].map { $0.intersection(set) } ?? set
                if atState[target] != merged {
                    atState[target] = merged
                    changed = true
                }
            }
        }
        return after
    }

    /// The fields a condition holds only when they are set: each `has(field)` in a chain of `and`.
    private static func testedBy(_ node: ExpressionNode) -> Set<String> {
        switch node.kind {
        case .binary(.and, let left, let right):
            return testedBy(left).union(testedBy(right))
        case .call(let name, let arguments) where name.name == ExpressionFunction.has.rawValue:
            guard arguments.count == 1, case .path(let segments) = arguments[0].kind else { return [] }
            return [segments.map(\.name).joined(separator: ".")]
        default:
            return []
        }
    }
}

import CaseworkDefinitions
import CaseworkExpressions

/// The values every template may show whoever receives it (the case's reference, state and workflow: `case.id`,
/// `case.state`, `case.state_title`, `workflow.title`), and the `form.*` or `deadline.*` values of one of the engine's
/// own messages, which take precedence.
///
/// Looked up by name as a template is rendered, without building a dictionary of the case's four values for every
/// message a change sends.
struct TemplateBuiltins {
    /// The case's id.
    let caseID: String
    /// The case's state.
    let state: String
    /// The state's title, or its name when it has none.
    let stateTitle: String
    /// The workflow's title.
    let workflowTitle: String
    /// A message's own values, by placeholder.
    let values: [String: ExpressionValue]

    /// The builtins of `record` on `workflow`, with a message's `values`.
    init(_ record: CaseRecord, workflow: WorkflowDefinition, values: [String: ExpressionValue] = [:]) {
        caseID = record.id
        state = record.state
        stateTitle = workflow.states.first { $0.name.value == record.state }?.title ?? record.state
        workflowTitle = workflow.title
        self.values = values
    }

    /// The value of the builtin placeholder `path`; nil when `path` is not a builtin (a field).
    subscript(path: String) -> ExpressionValue? {
        if !values.isEmpty, let value = values[path] { return value }
        switch path {
        case "case.id": return .string(caseID)
        case "case.state": return .string(state)
        case "case.state_title": return .string(stateTitle)
        case "workflow.title": return .string(workflowTitle)
        default: return nil
        }
    }
}

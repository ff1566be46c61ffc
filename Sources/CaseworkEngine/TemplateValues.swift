import CaseworkDefinitions
import CaseworkExpressions

/// The values of the built-in names a template may show whoever receives it (``TemplateBuiltins`` lists them for the
/// validator and the engine alike): the case's reference, state and workflow (`case.id`, `case.state`,
/// `case.state_title`, `workflow.title`), each declared clock's due date as the case stands (`deadlines.NAME.due_on`,
/// shown as not yet recorded before the clock starts, as an unset field is), and the `form.*` or `deadline.*` values
/// of one of the engine's own messages, which take precedence.
///
/// Looked up by name as a template is rendered, without building a dictionary of the case's values for every
/// message a change sends.
struct TemplateValues {
    /// The case's id.
    let caseID: String
    /// The case's state.
    let state: String
    /// The state's title, or its name when it has none.
    let stateTitle: String
    /// The workflow's title.
    let workflowTitle: String
    /// The clocks the workflow declares, which name the due dates a template may show.
    let declaredClocks: [DeadlineDefinition]
    /// The case's clocks, newest last.
    let clocks: [DeadlineRecord]
    /// A message's own values, by placeholder.
    let values: [String: ExpressionValue]

    /// The values of `record` on `workflow`, with a message's `values`. The parts of the definition are read in place
    /// through the workflow's one reference (a copy of the whole definition would count every part of it).
    init(_ record: CaseRecord, workflow: PlannedWorkflow, values: [String: ExpressionValue] = [:]) {
        caseID = record.id
        state = record.state
        stateTitle = workflow.definition.states.first { $0.name.value == record.state }?.title ?? record.state
        workflowTitle = workflow.definition.title
        declaredClocks = workflow.definition.deadlines
        clocks = record.deadlines
        self.values = values
    }

    /// The value of the built-in placeholder `path`; nil when `path` is not a built-in (a field).
    subscript(path: String) -> ExpressionValue? {
        if !values.isEmpty, let value = values[path] { return value }
        switch path {
        case "case.id": return .string(caseID)
        case "case.state": return .string(state)
        case "case.state_title": return .string(stateTitle)
        case "workflow.title": return .string(workflowTitle)
        default:
            guard let clock = TemplateBuiltins.deadline(named: path, among: declaredClocks) else { return nil }
            return clocks.last { $0.name == clock }.map { .date($0.dueOn) } ?? .string(TemplateRenderer.notRecorded)
        }
    }
}

import CaseworkDefinitions
import CaseworkExpressions

/// The values of the built-in names a template may show whoever receives it (``TemplateBuiltins`` lists them for the
/// validator and the engine alike): the case's reference, state and workflow (`case.id`, `case.state`,
/// `case.state_title`, `workflow.title`), each declared clock's due date as the case stands (`deadlines.NAME.due_on`,
/// shown as not yet recorded before the clock starts, as an unset field is), and the `form.*` or `deadline.*` values
/// of one of the engine's own messages, which take precedence.
///
/// Looked up by name as a template is rendered, without building a dictionary of the case's values for every
/// message a change sends. It holds no part of the case: the record is lent to each look-up (``value(_:of:)``), so
/// making it copies nothing of the record, and a value no template shows (such as the state's title) is never
/// worked out.
struct TemplateValues {
    /// The workflow the case runs on: its one reference, whose definition is read in place.
    let workflow: PlannedWorkflow
    /// A message's own values, by placeholder.
    let values: [String: ExpressionValue]

    /// The values of a case on `workflow`, with a message's `values`.
    init(workflow: PlannedWorkflow, values: [String: ExpressionValue] = [:]) {
        self.workflow = workflow
        self.values = values
    }

    /// The value of the built-in placeholder `path` for `record`; nil when `path` is not a built-in (a field).
    func value(_ path: String, of record: CaseRecord) -> ExpressionValue? {
        value(path, PlannedText.Fill(path, deadlines: workflow.definition.deadlines), of: record)
    }

    /// The value of the placeholder `path`, which `fill` fills (``PlannedText/Fill``, worked out from `path` when the
    /// workflow was planned), for `record`: a message's own value of that path first, then the built-in; nil for a field.
    func value(_ path: String, _ fill: PlannedText.Fill, of record: CaseRecord) -> ExpressionValue? {
        if !values.isEmpty, let value = values[path] { return value }
        switch fill {
        case .caseID: return .string(record.id)
        case .caseState: return .string(record.state)
        case .stateTitle: return .string(workflow.definition.states.first { $0.name.value == record.state }?.title ?? record.state)
        case .workflowTitle: return .string(workflow.definition.title)
        case .dueOn(let clock): return record.deadlines.last { $0.name == clock }.map { .date($0.dueOn) } ?? .string(TemplateRenderer.notRecorded)
        case .field: return nil
        }
    }
}

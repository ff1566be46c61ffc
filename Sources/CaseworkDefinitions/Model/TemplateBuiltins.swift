/// The names a template may show besides the workflow's fields, decided in one place for the validator (which
/// accepts them in any template, CW0208 otherwise) and the engine (which fills them when it renders a notice), so the
/// two cannot disagree: the case's reference, state and workflow, and each declared clock's due date.
public enum TemplateBuiltins {
    /// The case's own built-ins: its reference, its state's name and title, and its workflow's title.
    public static let caseNames = ["case.id", "case.state", "case.state_title", "workflow.title"]

    /// The placeholder for the due date of the clock `deadline` (`deadlines.NAME.due_on`): the day it is due as the
    /// case stands when the notice is sent (moved on by any pause), so a letter can tell the family the date the law
    /// gives without a field that copies it.
    public static func dueOn(_ deadline: String) -> String { "deadlines.\(deadline).due_on" }

    /// The clock whose due date `path` names, when it is a `deadlines.NAME.due_on` path of a clock `workflow`
    /// declares; nil for any other path.
    public static func deadline(named path: String, in workflow: WorkflowDefinition) -> String? {
        deadline(named: path, among: workflow.deadlines)
    }

    /// The clock whose due date `path` names, when it is a `deadlines.NAME.due_on` path of one of `deadlines`; nil
    /// for any other path.
    public static func deadline(named path: String, among deadlines: [DeadlineDefinition]) -> String? {
        guard path.hasPrefix("deadlines."), path.hasSuffix(".due_on") else { return nil }
        let name = String(path.dropFirst("deadlines.".count).dropLast(".due_on".count))
        return deadlines.contains { $0.name.value == name } ? name : nil
    }

    /// Every built-in a template of `workflow` may use: the case's, then each declared clock's due date in file order.
    public static func names(of workflow: WorkflowDefinition) -> [String] {
        caseNames + workflow.deadlines.map { dueOn($0.name.value) }
    }
}

import CaseworkDefinitions

/// One of a workflow's templates with each placeholder resolved, when the workflow is planned, to what fills it: a
/// built-in of the case (``TemplateBuiltins``) or a field. Rendering it (``TemplateRenderer/render(_:record:builtins:showing:)``)
/// then compares no placeholder with the built-ins' names and parses no `deadlines.NAME.due_on` path for every message.
///
/// A class, never changed after it is made, so a notice takes one reference to its template.
final class PlannedTemplate: Sendable {
    /// The template's name.
    let name: String
    /// Its subject, planned.
    let subject: PlannedText
    /// Its body, planned.
    let body: PlannedText

    /// `template` of a workflow that declares `deadlines`, planned.
    init(_ template: TemplateDefinition, deadlines: [DeadlineDefinition]) {
        name = template.name.value
        subject = PlannedText(template.subject, deadlines: deadlines)
        body = PlannedText(template.body, deadlines: deadlines)
    }
}

/// A template text (``TemplateText``) whose placeholders say what fills them, worked out once.
struct PlannedText: Sendable {
    /// What fills a placeholder, as ``TemplateValues/value(_:of:)`` decides it from the placeholder's path.
    enum Fill: Sendable, Equatable {
        /// `case.id`.
        case caseID
        /// `case.state`.
        case caseState
        /// `case.state_title`.
        case stateTitle
        /// `workflow.title`.
        case workflowTitle
        /// `deadlines.CLOCK.due_on` of a clock the workflow declares.
        case dueOn(clock: String)
        /// A field of the case (any other path).
        case field

        /// What fills the placeholder `path` in a template of a workflow that declares `deadlines`.
        init(_ path: String, deadlines: [DeadlineDefinition]) {
            switch path {
            case "case.id": self = .caseID
            case "case.state": self = .caseState
            case "case.state_title": self = .stateTitle
            case "workflow.title": self = .workflowTitle
            default: self = TemplateBuiltins.deadline(named: path, among: deadlines).map { .dueOn(clock: $0) } ?? .field
            }
        }
    }

    /// A piece of the text.
    enum Part: Sendable {
        /// Text copied as it is.
        case literal(String)
        /// A placeholder: its dotted path as written and what fills it.
        case placeholder(path: String, fill: Fill)
    }

    /// The literal runs and placeholders, in order.
    let parts: [Part]

    /// `text` of a workflow that declares `deadlines`, planned.
    init(_ text: TemplateText, deadlines: [DeadlineDefinition]) {
        parts = text.parts.map { part in
            switch part {
            case .literal(let literal): .literal(literal)
            case .placeholder(let path): .placeholder(path: path.value, fill: Fill(path.value, deadlines: deadlines))
            }
        }
    }
}

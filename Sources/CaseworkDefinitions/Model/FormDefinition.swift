import CaseworkTime

/// A form a case shares with an organisation's generic account, such as professional advice.
///
/// Its cycle is fixed: shared, submitted by the receiving organisation, then
/// accepted, or rejected with the information required and resubmitted.
public struct FormDefinition: Sendable, Hashable {
    /// The form's id, such as `professional-advice`.
    public var id: Located<String>
    /// The definition's version; raised whenever its content changes.
    public var version: Int
    /// A title people read.
    public var title: String
    /// What the form is for, when the file says.
    public var description: String?
    /// How long the receiving organisation has to submit it, such as `6 weeks`.
    public var due: Located<StatutoryDuration>
    /// The roles (organisations) whose generic accounts may receive it.
    public var sharedWith: [Located<String>]
    /// The roles that may accept or reject a submission.
    public var acceptedBy: [Located<String>]
    /// The fields the organisation fills in.
    public var fields: [FieldDefinition]
    /// The resource of the workflow's access policy that guards this form's instances (`resource:`, such as
    /// `advice_form`), so the policy, not the engine, says who may view, submit, accept and reject it. Required
    /// when a workflow that starts the form names a policy; nil when the file says none.
    public var resource: Located<String>?
    /// The template of each starting workflow that the form's own messages are rendered from (`messages:`), by
    /// message; they take the place of the workflow's `messages:` for this form. Form messages only.
    public var messages: [EngineMessage: Located<String>] = [:]
    /// The document an accepted submission is added to (`into_document:`), as a new version written from its
    /// answers; nil when accepting adds none.
    public var intoDocument: FormDocumentTarget?
    /// The file the form was read from.
    public var file: String

    /// Creates a form definition.
    public init(
        id: Located<String>, version: Int, title: String, description: String? = nil,
        due: Located<StatutoryDuration>, sharedWith: [Located<String>], acceptedBy: [Located<String>],
        fields: [FieldDefinition], resource: Located<String>? = nil, file: String
    ) {
        self.resource = resource
        self.id = id
        self.version = version
        self.title = title
        self.description = description
        self.due = due
        self.sharedWith = sharedWith
        self.acceptedBy = acceptedBy
        self.fields = fields
        self.file = file
    }
}

/// Where an accepted form's answers go (`into_document: { kind: draft_plan, section: A }`): a document kind the starting
/// workflow declares and, for a sectioned kind, the section the answers are; accepting the form adds a version of it in
/// the same change as the acceptance.
public struct FormDocumentTarget: Sendable, Hashable {
    /// The document kind.
    public var kind: Located<String>
    /// The section, for a kind addressed by sections.
    public var section: Located<String>?

    /// The media type the answers are written as.
    public static let mediaType = "text/markdown"

    /// Creates a target.
    public init(kind: Located<String>, section: Located<String>? = nil) {
        self.kind = kind
        self.section = section
    }
}

/// Every definition read from a set of files, checked together so references across files resolve.
public struct DefinitionSet: Sendable, Hashable {
    /// The workflows, in file order.
    public var workflows: [WorkflowDefinition]
    /// The forms, in file order.
    public var forms: [FormDefinition]
    /// The calendars, in file order.
    public var calendars: [CalendarDefinition]
    /// The access policies, in file order.
    public var policies: [PolicyDefinition]
    /// The child definitions, in file order: at most one in a valid set (CW0259).
    public var children: [ChildDefinition]

    /// Creates a set.
    public init(
        workflows: [WorkflowDefinition] = [], forms: [FormDefinition] = [], calendars: [CalendarDefinition] = [], policies: [PolicyDefinition] = [],
        children: [ChildDefinition] = []
    ) {
        self.workflows = workflows
        self.forms = forms
        self.calendars = calendars
        self.policies = policies
        self.children = children
    }

    /// The set's child definition: the identity fields of its child records; nil when it has none.
    public var child: ChildDefinition? { children.first }

    /// The calendar with this id, if any.
    public func calendar(_ id: String) -> CalendarDefinition? { calendars.first { $0.id.value == id } }

    /// Every calendar merged with the ones it extends (parents first), by id; a calendar whose
    /// chain is broken or circular is left out (the validator reports it).
    public var workingCalendars: [String: WorkingCalendar] {
        var result: [String: WorkingCalendar] = [:]
        for calendar in calendars {
            var chain: [CalendarDefinition] = [calendar]
            var current = calendar
            var complete = true
            while let parent = current.extends {
                guard let next = self.calendar(parent.value), !chain.contains(where: { $0.id.value == next.id.value }) else {
                    complete = false
                    break
                }
                chain.insert(next, at: 0)
                current = next
            }
            guard complete else { continue }
            result[calendar.id.value] = WorkingCalendar(
                id: calendar.id.value,
                workingWeekdays: chain.last(where: { $0.workingWeekdays != nil })?.workingWeekdays ?? [1, 2, 3, 4, 5],
                holidays: chain.flatMap(\.holidays), changes: chain.flatMap(\.changes), roll: chain.flatMap(\.roll),
                notCounted: chain.flatMap(\.notCounted)
            )
        }
        return result
    }

    /// The workflow with this id, if any.
    public func workflow(_ id: String) -> WorkflowDefinition? { workflows.first { $0.id.value == id } }

    /// The form with this id, if any.
    public func form(_ id: String) -> FormDefinition? { forms.first { $0.id.value == id } }
}

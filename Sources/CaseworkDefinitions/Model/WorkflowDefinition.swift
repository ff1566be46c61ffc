import CaseworkYAML

/// A workflow as declared in a `Workflows/*.yaml` file: plain data, checked by the validator, run by the engine.
public struct WorkflowDefinition: Sendable, Hashable {
    /// The workflow's id, such as `ehcp-needs-assessment`.
    public var id: Located<String>
    /// The definition's version; raised whenever its content changes.
    public var version: Int
    /// A title people read.
    public var title: String
    /// What the workflow is for, when the file says.
    public var description: String?
    /// The roles that act in or are notified by this workflow.
    public var roles: [Located<String>]
    /// The case fields and their types.
    public var fields: [FieldDefinition]
    /// The states, in file order.
    public var states: [StateDefinition]
    /// The transitions, in file order.
    public var transitions: [TransitionDefinition]
    /// The notification templates, in file order.
    public var templates: [TemplateDefinition]
    /// The template each of the engine's own messages is rendered from (`messages:`), by message; a message the
    /// workflow names no template for is sent in a neutral form (the validator warns, CW0240).
    public var messages: [EngineMessage: Located<String>] = [:]
    /// The calendar the workflow's deadlines count working days and roll rules on, when it names one.
    public var calendar: Located<String>?
    /// The statutory time limits.
    public var deadlines: [DeadlineDefinition]
    /// The lawful exceptions to them (`exceptions:`), by which alone a clock is paused or excused.
    public var exceptions: [ExceptionDefinition] = []
    /// The kinds of document its cases may hold (`documents:`), in file order.
    public var documents: [DocumentKindDefinition] = []
    /// The cases its cases may open and read (`links:`), in file order.
    public var links: [LinkDefinition] = []
    /// Where the workflow says `child: from_record`: its expressions then read the fields of the child record a case
    /// belongs to as `child.NAME`, typed by the set's child definition; nil (the default) when it does not, so its
    /// `child.` names are its own fields, as before.
    public var childFromRecord: SourceRange?
    /// What the workflow's `policy:` key says: a policy that authorises every action on its cases, or
    /// `policy: none`, a deliberate choice to run on the `by:` roles alone; nil when the key is not written.
    public var policyBinding: PolicyBinding?
    /// The fields a case may be opened with (the workflow's own `input:`), or nil when the workflow does
    /// not say, in which case opening accepts every declared field.
    public var openingInput: [InputField]?
    /// Field paths declared with a type that could not be read; the validator reports them once and
    /// treats them as declared, so each mistake is one error, not one per use.
    public var untypedFields: Set<String> = []
    /// The file the workflow was read from.
    public var file: String

    /// Creates a workflow definition.
    public init(
        id: Located<String>, version: Int, title: String, description: String? = nil,
        roles: [Located<String>], fields: [FieldDefinition], states: [StateDefinition],
        transitions: [TransitionDefinition], templates: [TemplateDefinition],
        calendar: Located<String>? = nil, deadlines: [DeadlineDefinition] = [], policyBinding: PolicyBinding? = nil,
        openingInput: [InputField]? = nil, file: String
    ) {
        self.policyBinding = policyBinding
        self.openingInput = openingInput
        self.calendar = calendar
        self.deadlines = deadlines
        self.id = id
        self.version = version
        self.title = title
        self.description = description
        self.roles = roles
        self.fields = fields
        self.states = states
        self.transitions = transitions
        self.templates = templates
        self.file = file
    }
}

extension WorkflowDefinition {
    /// The access policy named by `policy:`, with where it was written; nil for `policy: none` and when no policy is named.
    public var policy: Located<String>? {
        if case .policy(let name) = policyBinding { return name }
        return nil
    }

    /// The id of the access policy that authorises actions on this workflow's cases; nil for `policy: none`
    /// and when no policy is named, so the engine checks only the `by:` roles.
    public var policyName: String? { policy?.value }

    /// Whether the workflow says `policy: none`: it runs on its `by:` roles alone, deliberately.
    public var declaresNoPolicy: Bool {
        if case .noPolicy = policyBinding { return true }
        return false
    }
}

/// What a workflow's `policy:` key binds it to. `policy: none` is its own case rather than a name, so it
/// can never be mistaken for a policy file whose id is `none`.
public enum PolicyBinding: Sendable, Hashable {
    /// `policy: NAME`: the policy that must allow every action on the workflow's cases, as well as the `by:` roles.
    case policy(Located<String>)
    /// `policy: none`, written at the range given: the workflow runs on its `by:` roles alone, on purpose.
    case noPolicy(SourceRange)

    /// Compares what is bound, ignoring where it was written (as ``Located`` does).
    public static func == (lhs: PolicyBinding, rhs: PolicyBinding) -> Bool {
        switch (lhs, rhs) {
        case (.policy(let left), .policy(let right)): left == right
        case (.noPolicy, .noPolicy): true
        default: false
        }
    }

    /// Hashes what is bound, ignoring where it was written.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .policy(let name): hasher.combine(name)
        case .noPolicy: hasher.combine(0)
        }
    }

    /// The word that says "no policy, on purpose" in place of a policy's name.
    static let noneWord = "none"
}

/// A state a case can be in.
public struct StateDefinition: Sendable, Hashable {
    /// The state's name (the mapping key), with where it was written.
    public var name: Located<String>
    /// A title people read; the name when the file gives none.
    public var title: String
    /// What the state means, when the file says.
    public var description: String?
    /// Whether a case starts here. Exactly one state is initial.
    public var isInitial: Bool
    /// Whether a case ends here. No transition leaves a final state.
    public var isFinal: Bool

    /// Creates a state.
    public init(name: Located<String>, title: String, description: String? = nil, isInitial: Bool, isFinal: Bool) {
        self.name = name
        self.title = title
        self.description = description
        self.isInitial = isInitial
        self.isFinal = isFinal
    }
}

/// A move from one or more states to another, made by someone in a listed role when its guard holds.
public struct TransitionDefinition: Sendable, Hashable {
    /// The transition's name, unique in its workflow.
    public var name: Located<String>
    /// A title people read; the name when the file gives none.
    public var title: String
    /// The states it may be fired from.
    public var from: [Located<String>]
    /// Where it leaves the case: in a named state (`to: STATE`), or in the state it was fired from (`stays: true`).
    public var to: TransitionTarget
    /// The roles that may fire it.
    public var by: [Located<String>]
    /// The guard, an expression that must hold for it to fire.
    public var when: ExpressionSource?
    /// The form instances it starts.
    public var startForms: [FormStart]
    /// The notifications it sends.
    public var notify: [NotificationDefinition]
    /// The fields the actor gives when firing it, and no others: empty (no `input:`) means the actor gives none,
    /// and the transition records only what its `set:` expressions work out.
    public var input: [InputField]
    /// Fields it sets from expressions, such as `decided_on: today`.
    public var set: [FieldAssignment]
    /// The access it records on another case, when the transition grants access (`grant:`).
    public var grant: GrantEffect?
    /// The cases it opens through the workflow's links (`open:`), in file order.
    public var open: [OpenEffect] = []
    /// The transition it fires on the case that opened this one (`report:`).
    public var report: ReportEffect?
}

// The initialisers are declared in extensions, so each struct keeps its memberwise initialiser and they call it: an
// initialiser that assigns the properties one by one copied the whole value once more after building it (a count of
// a reference to every part, and the same count given back), for every transition and notification decoded.
extension TransitionDefinition {
    /// Creates a transition.
    public init(
        name: Located<String>, title: String, from: [Located<String>], to: TransitionTarget,
        by: [Located<String>], when: ExpressionSource? = nil, startForms: [FormStart] = [],
        notify: [NotificationDefinition] = [], input: [InputField] = [], set: [FieldAssignment] = [], grant: GrantEffect? = nil
    ) {
        self.init(
            name: name, title: title, from: from, to: to, by: by, when: when, startForms: startForms,
            notify: notify, input: input, set: set, grant: grant, open: [], report: nil
        )
    }
}

/// Where a transition leaves the case: the state it names (`to: STATE`), or the state the case was in when it fired
/// (`stays: true`), a step that records what it records (its input, `set:`, notifications, reports, openings, its
/// audit event) and neither leaves nor enters a state, so the state's clocks keep running. An enum rather than an
/// optional name, so that every reader of a transition's target says what a step that stays does.
public enum TransitionTarget: Sendable, Hashable {
    /// The case moves to this state.
    case state(Located<String>)
    /// The case stays in the state it was in; the range is where `stays: true` was written.
    case stays(SourceRange)

    /// The state a case in `current` is in after the transition fires.
    public func state(after current: String) -> String {
        switch self {
        case .state(let name): name.value
        case .stays: current
        }
    }

    /// The state it names, nil for a step that stays.
    public var named: Located<String>? {
        switch self {
        case .state(let name): name
        case .stays: nil
        }
    }

    /// Where the target was written: the state's name, or `stays: true`.
    public var range: SourceRange {
        switch self {
        case .state(let name): name.range
        case .stays(let range): range
        }
    }

    /// Compares targets, ignoring where they were written.
    public static func == (lhs: TransitionTarget, rhs: TransitionTarget) -> Bool {
        switch (lhs, rhs) {
        case (.state(let left), .state(let right)): left == right
        case (.stays, .stays): true
        default: false
        }
    }

    /// Hashes the target, ignoring where it was written.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .state(let name): hasher.combine(name)
        case .stays: hasher.combine(0)
        }
    }
}

/// An instruction to start one instance of a form for each listed role (`start_forms:`).
public struct FormStart: Sendable, Hashable {
    /// The form's id.
    public var form: Located<String>
    /// The roles (organisations' generic accounts) that each receive an instance.
    public var recipients: [Located<String>]

    /// Creates a form start.
    public init(form: Located<String>, recipients: [Located<String>]) {
        self.form = form
        self.recipients = recipients
    }
}

/// A notification a transition sends: a template rendered for each listed role.
public struct NotificationDefinition: Sendable, Hashable {
    /// The roles that receive it.
    public var recipients: [Located<String>]
    /// The template to render.
    public var template: Located<String>
    /// Roles of `recipients` told only when the case names someone for them (`if_named: [young_person]`): a role a
    /// case may not have at all (the young person, while the parent decides) owes no notice when no one plays it.
    /// Every other recipient role is owed the notice by another route when no one is named for it.
    public var ifNamed: [Located<String>] = []
    /// The condition on the case after the step under which it is sent (`when:`), nil for always: a step shared by two
    /// ways through a process (a review with a school and one without) tells only the people the way taken involves.
    public var condition: ExpressionSource? = nil
}

extension NotificationDefinition {
    /// Creates a notification.
    public init(recipients: [Located<String>], template: Located<String>) {
        self.init(recipients: recipients, template: template, ifNamed: [])
    }
}

/// A message the engine sends from its own steps rather than from a transition's `notify:`, each rendered from the
/// template a workflow's (or, for form messages, a form's) `messages:` names, so the wording is the policy's, not the engine's.
public enum EngineMessage: String, CaseIterable, Sendable, Hashable {
    /// A form instance was shared with an organisation (to that organisation).
    case formShared = "form_shared"
    /// A form was submitted (to the roles that accept it).
    case formSubmitted = "form_submitted"
    /// A submitted form was accepted (to the organisation).
    case formAccepted = "form_accepted"
    /// A submitted form was returned with the information required (to the organisation).
    case formReturned = "form_returned"
    /// A deadline's reminder fell due (to the roles that can meet it).
    case reminder
    /// A deadline was missed (to its `on_breach` roles).
    case breach

    /// Whether the message belongs to the form cycle, so a form's own `messages:` may name its template.
    public var isFormMessage: Bool { self != .reminder && self != .breach }

    /// The placeholders its template may use besides the case's fields and built-ins, each always filled: the
    /// recipient receives the message only when they may see the form or the deadline it is about.
    public var placeholders: [String] {
        switch self {
        case .formShared, .formAccepted: ["form.title", "form.instance", "form.due_on"]
        case .formSubmitted: ["form.title", "form.instance", "form.due_on", "form.submitted_by"]
        case .formReturned: ["form.title", "form.instance", "form.due_on", "form.information_required"]
        case .reminder: ["deadline.title", "deadline.due_on", "deadline.days_left", "deadline.until"]
        case .breach: ["deadline.title", "deadline.due_on", "deadline.until"]
        }
    }

}

/// A message template with `{{ field }}` placeholders.
public struct TemplateDefinition: Sendable, Hashable {
    /// The template's name.
    public var name: Located<String>
    /// The subject line.
    public var subject: TemplateText
    /// The message body.
    public var body: TemplateText

    /// Creates a template.
    public init(name: Located<String>, subject: TemplateText, body: TemplateText) {
        self.name = name
        self.subject = subject
        self.body = body
    }
}

/// A field an actor gives when firing a transition, or when opening a case (`input: { decided_on: required }`).
public struct InputField: Sendable, Hashable {
    /// The field's dotted path.
    public var field: Located<String>
    /// Whether the transition refuses to fire without it.
    public var isRequired: Bool

    /// Creates an input field.
    public init(field: Located<String>, isRequired: Bool) {
        self.field = field
        self.isRequired = isRequired
    }
}

/// A field a transition sets from an expression (`set: { decided_on: today }`).
public struct FieldAssignment: Sendable, Hashable {
    /// The field's dotted path.
    public var field: Located<String>
    /// The expression whose value it takes.
    public var expression: ExpressionSource

    /// Creates an assignment.
    public init(field: Located<String>, expression: ExpressionSource) {
        self.field = field
        self.expression = expression
    }
}

/// A transition effect that records a grant on another case (`grant: { case: FIELD, to: FIELD, level: FIELD }`):
/// how an access-request workflow's decision reaches the child's case.
public struct GrantEffect: Sendable, Hashable {
    /// The field holding the id of the case the grant is recorded on.
    public var caseField: Located<String>
    /// The field holding the id of the person or organisation granted access.
    public var toField: Located<String>
    /// The field holding the level granted.
    public var levelField: Located<String>

    /// Creates the effect.
    public init(caseField: Located<String>, toField: Located<String>, levelField: Located<String>) {
        self.caseField = caseField
        self.toField = toField
        self.levelField = levelField
    }
}

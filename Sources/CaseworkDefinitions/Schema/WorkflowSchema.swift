/// The places of a workflow file, each read from its decoder's keys, with the meanings of `docs/reference/language.md`.
enum WorkflowSchema {
    typealias Part = SchemaPart

    /// The root mapping of a workflow file.
    static let root = SchemaPlace(
        name: "a workflow", decoderKeys: WorkflowDecoder.keys.names,
        required: ["workflow", "version", "title", "roles", "states", "transitions"],
        keys: [
            "workflow": SchemaKey(description: "The workflow's id, unique in the checked set: lower-case words joined by '-'.", value: Part.name(.definitionID)),
            "version": SchemaKey(description: "The definition's version, a whole number of 1 or more; raise it when the content changes.", value: Part.version),
            "title": SchemaKey(description: "The name people read.", value: Part.text),
            "description": SchemaKey(description: "What the workflow is for.", value: Part.text),
            "roles": SchemaKey(description: "Everyone who acts in, or is notified by, the workflow: people, staff and organisations acting through their generic accounts.",
                               value: Part.names(.identifier)),
            "fields": SchemaKey(description: "The data a case holds: each field's name and type.", value: Part.ref("fields")),
            "states": SchemaKey(description: "Where a case can be: each state's name and what it means; exactly one is initial.",
                                value: Part.object(["type": .string("object"), "minProperties": .integer(1), "propertyNames": Part.name(.identifier),
                                                    "additionalProperties": Part.object(["anyOf": .array([state.schema, Part.object(["type": .string("null")])])])])),
            "transitions": SchemaKey(description: "How a case moves: each transition, who may fire it, from where and to where.",
                                     value: Part.object(["type": .string("array"), "items": transition.schema])),
            "templates": SchemaKey(description: "The notifications' text: each template's subject and body, with {{ placeholders }}.",
                                   value: Part.mapping(.identifier, template.schema)),
            "calendar": SchemaKey(description: "The calendar the workflow's time limits are counted on; without it, Monday to Friday with no bank holidays.",
                                  value: Part.name(.definitionID)),
            "deadlines": SchemaKey(description: "The statutory time limits the engine keeps for each case.",
                                   value: Part.object(["type": .string("array"), "items": deadline.schema])),
            "policy": SchemaKey(description: "The access policy that must allow every action on the workflow's cases, or 'none' to run on the 'by:' roles alone, on purpose.",
                                value: Part.name(.definitionID)),
            "input": SchemaKey(description: "The fields a case may be opened with, and no others: each field path, required or optional.", value: input),
            "messages": SchemaKey(description: "The templates of the messages the engine sends from its own steps (forms shared, submitted, accepted and returned; reminders; breaches).",
                                  value: messages.schema),
            "exceptions": SchemaKey(description: "The lawful exceptions under which a clock is paused or excused: each with its code, the provision it cites, the deadlines it applies to and its effect.",
                                    value: Part.mapping(.definitionID, exception.schema)),
            "documents": SchemaKey(description: "The kinds of document a case may hold: each kind's title, the policy resource whose sections address its parts, the media types allowed and the largest size.",
                                   value: Part.mapping(.identifier, document.schema)),
            "links": SchemaKey(description: "The cases its cases may open and read: each link's name, the workflow of its cases and whether a case opens at most one.",
                               value: Part.mapping(.identifier, link.schema)),
            "child": SchemaKey(description: "'from_record': expressions read the fields of the child record a case belongs to as child.NAME, typed by the set's child definition.",
                               value: Part.oneOf([WorkflowDecoder.childFromRecordWord])),
        ])

    /// A document kind under `documents:`.
    static let document = SchemaPlace(
        name: "a document kind", decoderKeys: DocumentDecoder.keys.names, required: ["title", "types"],
        keys: [
            "title": SchemaKey(description: "The name people read.", value: Part.text),
            "sections": SchemaKey(description: "The policy resource whose sections (such as ehcp's A to K) address the parts, so the policy decides who sees each; without it, the kind is the resource 'document.KIND', seen whole.",
                                  value: Part.name(.identifier)),
            "types": SchemaKey(description: "The media types a version may be stored as, in lower case ('application/pdf'); anything else is refused.",
                               value: Part.object(["type": .string("array"), "minItems": .integer(1), "uniqueItems": .bool(true),
                                                   "items": Part.pattern("^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$",
                                                                         message: "a media type in lower case: type/subtype", examples: ["application/pdf", "text/markdown"])])),
            "max_bytes": SchemaKey(description: "The largest a version may be: a whole number of bytes, or 'N KB' or 'N MB', up to 100 MB (default 10 MB).",
                                   value: Part.object(["oneOf": .array([Part.integer(1...DocumentKindDefinition.largestMaxBytes),
                                                                        Part.pattern("^[0-9]+ (bytes|KB|MB)$", message: "a size: 'N bytes', 'N KB' or 'N MB'")])])),
        ])

    /// A state under `states:`.
    static let state = SchemaPlace(
        name: "a state", decoderKeys: WorkflowDecoder.stateKeys.names,
        keys: [
            "title": SchemaKey(description: "What people see as the case's status (default: the state's name).", value: Part.text),
            "description": SchemaKey(description: "What the state means and which time limit runs in it.", value: Part.text),
            "initial": SchemaKey(description: "A case starts here; exactly one state is initial (default false).", value: Part.boolean),
            "final": SchemaKey(description: "A case ends here; no transition may leave it (default false).", value: Part.boolean),
        ])

    /// A transition under `transitions:`.
    static let transition = SchemaPlace(
        name: "a transition", decoderKeys: WorkflowDecoder.transitionKeys.names, required: ["name", "from", "by"],
        keys: [
            "name": SchemaKey(description: "The transition's name, unique in the workflow.", value: Part.name(.identifier)),
            "title": SchemaKey(description: "What people see on the button or in the case history (default: the name).", value: Part.text),
            "from": SchemaKey(description: "The states it may be fired from: a state name, or a non-empty list of them.", value: Part.names(.identifier, single: true)),
            "to": SchemaKey(description: "The state the case moves to; a transition says 'to' or 'stays: true', not both.", value: Part.name(.identifier)),
            "stays": SchemaKey(description: "true: it records its input, fields, notices, openings and report and leaves the case in the state it was fired from, whose clocks keep running; in place of 'to'.",
                               value: Part.object(["enum": .array([.bool(true)])])),
            "by": SchemaKey(description: "Who may fire it: a role name, or a non-empty list of them; 'engine:link' for a transition a linked case's 'report:' fires.",
                            value: by),
            "when": SchemaKey(description: "The guard: a condition that must hold for it to fire.", value: Part.expression),
            "start_forms": SchemaKey(description: "Forms to send out when it fires.", value: Part.object(["type": .string("array"), "items": formStart.schema])),
            "notify": SchemaKey(description: "Messages to send when it fires.", value: Part.object(["type": .string("array"), "items": notify.schema])),
            "input": SchemaKey(description: "The only fields the actor may give when firing it, each required or optional; without it, none.", value: input),
            "set": SchemaKey(description: "Fields it records from expressions, such as today: each field path and its expression.",
                             value: Part.object(["type": .string("object"), "propertyNames": Part.name(.identifierPath), "additionalProperties": Part.expression])),
            "grant": SchemaKey(description: "Access it grants on a case: the fields holding the case, the principal it is granted to and the level.", value: grant.schema),
            "open": SchemaKey(description: "Cases it opens through the workflow's links, for the same child: each link's name and the new case's fields, each from an expression on this case.",
                              value: Part.mapping(.identifier, openLink.schema)),
            "report": SchemaKey(description: "A transition it fires on the case that opened this one, in the same change, as 'engine:link', with input from expressions on this case.",
                                value: report.schema),
        ],
        rules: [("oneOf", .array(["to", "stays"].map { Part.object(["required": .array([.string($0)])]) }))])

    /// A role name, or `engine:link`, the engine's actor for a linked case's report.
    private static let roleOrEngine = Part.object(["anyOf": .array([Part.name(.identifier), Part.oneOf([LinkDefinition.engineActor])])])

    /// A transition's `by:`: one role (or `engine:link`), or a non-empty list of them.
    static let by = Part.object(["oneOf": .array([
        roleOrEngine, Part.object(["type": .string("array"), "items": roleOrEngine, "minItems": .integer(1), "uniqueItems": .bool(true)]),
    ])])

    /// A link under `links:`.
    static let link = SchemaPlace(
        name: "a link", decoderKeys: LinkDecoder.linkKeys, required: ["workflow"],
        keys: [
            "workflow": SchemaKey(description: "The workflow of the cases it opens, in the checked set.", value: Part.name(.definitionID)),
            "one": SchemaKey(description: "A case opens at most one case through it (default false: any number, newest last).", value: Part.boolean),
        ])

    /// A link's entry under a transition's `open:`.
    static let openLink = SchemaPlace(
        name: "an entry of 'open'", decoderKeys: LinkDecoder.openKeys,
        keys: [
            "fields": SchemaKey(description: "The new case's fields: each field path of the linked workflow and the expression on this case it takes, typed like a 'set:'.",
                                value: assignments),
        ])

    /// A transition's `report:`.
    static let report = SchemaPlace(
        name: "a transition's 'report'", decoderKeys: LinkDecoder.reportKeys, required: ["to", "fire"],
        keys: [
            "to": SchemaKey(description: "Where it reports: 'opened_by', the case that opened this one.", value: Part.oneOf([LinkDefinition.openedBy])),
            "fire": SchemaKey(description: "The transition it fires there, whose 'by:' names 'engine:link'; or a list of them whose 'from:' states are apart, of which it fires the one whose 'from:' holds that case's state.",
                              value: Part.names(.identifier, single: true)),
            "input": SchemaKey(description: "The input it gives that transition: each of its input fields and the expression on this case it takes.", value: assignments),
        ])

    /// Field paths and the expression each takes, as `set:` writes them.
    static let assignments = Part.object(["type": .string("object"), "propertyNames": Part.name(.identifierPath), "additionalProperties": Part.expression])

    /// A template under `templates:`.
    static let template = SchemaPlace(
        name: "a template", decoderKeys: WorkflowDecoder.templateKeys.names, required: ["subject", "body"],
        keys: [
            "subject": SchemaKey(description: "The subject line, with {{ placeholders }}; quote it when it starts with one.", value: Part.text),
            "body": SchemaKey(description: "The message, with {{ placeholders }}.", value: Part.text),
        ])

    /// An entry of a transition's `notify:`.
    static let notify = SchemaPlace(
        name: "an entry of 'notify'", decoderKeys: WorkflowDecoder.notifyKeys.names, required: ["to", "template"],
        keys: [
            "to": SchemaKey(description: "Who receives it: a role name, or a non-empty list of them.", value: Part.names(.identifier, single: true)),
            "template": SchemaKey(description: "A template under 'templates:'.", value: Part.name(.identifier)),
            "if_named": SchemaKey(description: "Roles of 'to' told only when the case names someone for them.", value: Part.names(.identifier, single: true)),
            "when": SchemaKey(description: "A condition on the case after the step: the notice is sent only when it holds.", value: Part.expression),
        ])

    /// An entry of a transition's `start_forms:`.
    static let formStart = SchemaPlace(
        name: "an entry of 'start_forms'", decoderKeys: WorkflowDecoder.formStartKeys.names, required: WorkflowDecoder.formStartKeys.names,
        keys: [
            "form": SchemaKey(description: "The form to start; it must be declared in the checked set.", value: Part.name(.definitionID)),
            "for": SchemaKey(description: "Who receives an instance: a role name, or a non-empty list of them.", value: Part.names(.identifier, single: true)),
        ])

    /// A workflow's `messages:`.
    static let messages = SchemaPlace(
        name: "a workflow's 'messages'", decoderKeys: WorkflowDecoder.messageKeys.names,
        keys: [
            "form_shared": SchemaKey(description: "The template sent when a transition's start_forms shares a form, to the organisation it is shared with.",
                                     value: Part.name(.identifier)),
            "form_submitted": SchemaKey(description: "The template sent when the organisation submits a form, to the form's accepted_by roles.", value: Part.name(.identifier)),
            "form_accepted": SchemaKey(description: "The template sent when a form is accepted, to the organisation.", value: Part.name(.identifier)),
            "form_returned": SchemaKey(description: "The template sent when a form is rejected with the information required, to the organisation.", value: Part.name(.identifier)),
            "reminder": SchemaKey(description: "The template sent when a deadline's reminder falls due, to the roles that fire the transitions into its until states.",
                                  value: Part.name(.identifier)),
            "breach": SchemaKey(description: "The template sent when a deadline is missed, to its on_breach notify roles.", value: Part.name(.identifier)),
        ])

    /// A deadline under `deadlines:`.
    static let deadline = SchemaPlace(
        name: "a deadline", decoderKeys: DeadlineDecoder.keys, required: ["name", "from", "until"],
        keys: [
            "name": SchemaKey(description: "The deadline's name, unique in the workflow; a case keeps its clocks by name.", value: Part.name(.identifier)),
            "title": SchemaKey(description: "What people see in reminders, breach notices and the case (default: the name).", value: Part.text),
            "from": SchemaKey(description: "What starts the clock: a date field, { entered: STATE } or { fired: TRANSITION }.", value: start),
            "due": SchemaKey(description: "How long the clock runs, counted from the start on the deadline's calendar, such as '6 weeks' or '15 working days'.",
                             value: Part.duration),
            "due_on": SchemaKey(description: "The due date worked out from the case, a date expression such as 'meeting_on - 2 weeks'; not with 'due'.",
                                value: Part.expression),
            "when": SchemaKey(description: "The clock starts only on a case where this condition holds.", value: Part.expression),
            "until": SchemaKey(description: "The states that meet the deadline when the case enters one: a state name, or a non-empty list of them.",
                               value: Part.names(.identifier, single: true)),
            "remind": SchemaKey(description: "When to remind, counted back from the due date: a list of durations with 'before' or 'after', such as [1 week before].",
                                value: Part.object(["type": .string("array"), "items": Part.relativeDuration])),
            "on_breach": SchemaKey(description: "The roles told when the deadline is missed: { notify: [ROLE, ...] }.", value: breach.schema),
            "calendar": SchemaKey(description: "The calendar this deadline counts on instead of the workflow's.", value: Part.name(.definitionID)),
            "kind": SchemaKey(description: "Whose time it is: the council's duty (missed, it is breached; the default) or a window the family holds (it closes).",
                              value: Part.oneOf(DeadlineKind.allCases.map(\.rawValue))),
            "met_by": SchemaKey(description: "The date field that meets it: whether it was met in time is decided from this date.", value: Part.name(.identifierPath)),
            "restart_on": SchemaKey(description: "Steps that start the clock again from its 'from': { fired: TRANSITION } or { entered: STATE }, or a list of them.",
                                    value: Part.object(["oneOf": .array([stepStart, Part.object(["type": .string("array"), "items": stepStart])])])),
            "lapses_on": SchemaKey(description: "States that end a running or paused clock as lapsed: a state name, or a list of them.",
                                   value: Part.names(.identifier, single: true)),
            "remind_to": SchemaKey(description: "The roles reminders go to instead of those that fire the transitions into its until states: a role name, or a list of them.",
                                   value: Part.names(.identifier, single: true)),
            "every": SchemaKey(description: "A clock that recurs: each time it is met, the next run starts on the day it was met and runs this long.",
                               value: Part.duration),
        ],
        rules: [
            ("anyOf", .array(["due", "due_on", "every"].map { Part.object(["required": .array([.string($0)])]) })),
            ("not", Part.object(["required": .array([.string("due"), .string("due_on")])])),
        ])

    /// A deadline's `on_breach:`.
    static let breach = SchemaPlace(
        name: "a deadline's 'on_breach'", decoderKeys: DeadlineDecoder.breachKeys,
        keys: ["notify": SchemaKey(description: "The roles told when the deadline is missed.", value: Part.names(.identifier))])

    /// An exception under `exceptions:`.
    static let exception = SchemaPlace(
        name: "an exception", decoderKeys: DeadlineDecoder.exceptionKeys, required: ["cites", "applies_to", "effect"],
        keys: [
            "title": SchemaKey(description: "What people read (default: the code).", value: Part.text),
            "cites": SchemaKey(description: "The provision it rests on, as the council cites it.", value: Part.text),
            "applies_to": SchemaKey(description: "The clocks it can pause or excuse: a deadline name, or a list of them.", value: Part.names(.identifier, single: true)),
            "effect": SchemaKey(description: "A pause stops the clock until it is resumed; an excuse takes it out of the count.",
                                value: Part.oneOf(ExceptionEffect.allCases.map(\.rawValue))),
        ])

    /// A transition's `grant:`.
    static let grant = SchemaPlace(
        name: "a transition's 'grant'", decoderKeys: DeadlineDecoder.grantKeys, required: DeadlineDecoder.grantKeys,
        keys: [
            "case": SchemaKey(description: "The field holding the id of the case access is granted on.", value: Part.name(.identifierPath)),
            "to": SchemaKey(description: "The field holding the principal it is granted to.", value: Part.name(.identifierPath)),
            "level": SchemaKey(description: "The field holding the grant level.", value: Part.name(.identifierPath)),
        ])

    /// `{ entered: STATE }` or `{ fired: TRANSITION }`, one of the decoder's start keys (one without a meaning here has an empty
    /// description, which a test refuses).
    static var stepStart: JSONValue {
        let meanings = ["entered": "On the day the case enters this state.", "fired": "On the day this transition fires."]
        return Part.object(["oneOf": .array(DeadlineDecoder.startKeys.map { Part.single($0, Part.described(meanings[$0] ?? "", Part.name(.identifier))) })])
    }

    /// A clock's start: a date field, or a step.
    static var start: JSONValue {
        Part.object(["oneOf": .array([Part.described("On the date this field holds.", Part.name(.identifierPath)), stepStart])])
    }

    /// `input:`: each field path, `required` or `optional`.
    static let input = Part.object([
        "type": .string("object"), "propertyNames": Part.name(.identifierPath), "additionalProperties": Part.oneOf(["required", "optional"]),
    ])

    /// Every place, for the test that the schema and the decoder take the same keys.
    static let places = [root, state, transition, template, notify, formStart, messages, deadline, breach, exception, grant, link, openLink, report]
}

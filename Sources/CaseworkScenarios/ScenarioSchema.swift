import CaseworkDefinitions
import CaseworkEngine
import CaseworkStore

/// The JSON Schema of scenario files (`casework schema scenario`), made like the definition kinds' from the lists
/// ``ScenarioDecoder`` reads (``ScenarioDecoder/Keys``) and the closed sets the checker holds values to, with the
/// meanings of `docs/reference/scenarios.md`. It lives here, not beside the definition kinds' schemas, because the
/// scenario decoder, the refusal codes and the notice channels are above `CaseworkDefinitions`.
package enum ScenarioSchema {
    typealias Part = SchemaPart

    /// The schema as pretty JSON, the same bytes every time.
    package static var text: String {
        SchemaKind.scenario.document(root, definitions: Part.object(["scenario": scenario.schema, "values": values])).pretty
    }

    /// Every place, for the test that the schema and the decoder take the same keys.
    package static let places = [root, scenario, given, opened, child, person, actor, grant, step, decide, expect, deadline, notice, refusal, timeline,
                                  documentExpected, sectionText]

    private static func place(_ name: String, _ keys: ScenarioDecoder.Keys, _ described: [String: SchemaKey],
                              rules: [(key: String, value: JSONValue)] = []) -> SchemaPlace {
        SchemaPlace(name: name, decoderKeys: keys.allowed, required: keys.required, keys: described, rules: rules)
    }

    /// A mapping that has every key of `required` and none of `refused`.
    private static func only(_ required: [String], without refused: [String]) -> JSONValue {
        Part.object(["required": .array(required.map(JSONValue.string)),
                     "not": Part.object(["anyOf": .array(refused.map { Part.object(["required": .array([.string($0)])]) })])])
    }

    private static func list(_ items: JSONValue) -> JSONValue { Part.object(["type": .string("array"), "items": items]) }

    /// `true`, the only value `tick:` and `timeline:` take.
    private static let yes = Part.object(["type": .string("boolean"), "enum": .array([.bool(true)])])

    /// Field or attribute values: each a scalar, read by its field's type, or a mapping whose keys continue the dotted path.
    private static let values = Part.described(
        "Values by field or attribute: each a scalar, read by its type; a nested mapping is a dotted path (child: { first_name: Sam } is child.first_name).",
        Part.object(["type": .string("object"), "additionalProperties": Part.object(["anyOf": .array([
            Part.object(["type": .array([.string("string"), .string("number"), .string("boolean")])]), Part.ref("values"),
        ])])]))

    /// A file's root: one scenario's keys, or `scenarios:` alone. One object rather than a choice of two, so that an
    /// editor or validator points at a wrong key where it is, not at the whole file matching neither.
    static let root = SchemaPlace(
        name: "a scenario file", decoderKeys: ScenarioDecoder.scenarioKeys.allowed + ScenarioDecoder.fileKeys.allowed,
        keys: scenarioMeanings.merging([
            "scenarios": SchemaKey(description: "Several scenarios in one file, each run on its own; then no other key.", value: list(Part.ref("scenario"))),
        ]) { first, _ in first },
        rules: [("oneOf", .array([
            only(ScenarioDecoder.scenarioKeys.required, without: ScenarioDecoder.fileKeys.allowed),
            only(ScenarioDecoder.fileKeys.required, without: ScenarioDecoder.scenarioKeys.allowed),
        ]))])

    /// One scenario.
    static let scenario = place("a scenario", ScenarioDecoder.scenarioKeys, scenarioMeanings)

    private static let scenarioMeanings: [String: SchemaKey] = [
        "scenario": SchemaKey(description: "The scenario's name, one line.", value: Part.text),
        "given": SchemaKey(description: "The case before the first step.", value: given.schema),
        "actors": SchemaKey(description: "Who acts, by name: the name steps, participants and grants use.",
                            value: Part.object(["type": .string("object"), "additionalProperties": actor.schema])),
        "steps": SchemaKey(description: "The steps, in order (a list; may be empty).", value: list(step.schema)),
    ]

    /// `given:`.
    static let given = place("a scenario's 'given'", ScenarioDecoder.givenKeys, [
        "today": SchemaKey(description: "The first day of the scripted clock (2025-09-01); every step happens at 09:00 UTC on its day.", value: Part.date),
        "case": SchemaKey(description: "The case opened before the first step, by the operator.", value: opened.schema),
        "participants": SchemaKey(description: "Who is named on the case in each role: { ROLE: [ACTOR, ...] } (a single actor may be written without the list).",
                                  value: Part.mapping(.identifier, Part.object(["oneOf": .array([Part.text, list(Part.text)])]))),
        "grants": SchemaKey(description: "Grants recorded before the first step.", value: list(grant.schema)),
        "store": SchemaKey(description: "The store it runs on, fresh for the scenario: memory (the default) or sqlite (a new SQLite file, removed after).",
                           value: Part.oneOf(ScenarioStore.allCases.map(\.rawValue))),
        "child": SchemaKey(description: "The child the case belongs to, added by the operator before the case is opened; the cases it opens through its links belong to it too.",
                           value: child.schema),
    ])

    /// `given.child:`.
    static let child = place("a scenario's 'given.child'", ScenarioDecoder.childKeys, [
        "id": SchemaKey(description: "The child's id, as casework child add takes it.", value: Part.text),
        "fields": SchemaKey(description: "The child's identity fields, stored as text as child add --set stores them.", value: Part.ref("values")),
        "people": SchemaKey(description: "The people with a relationship to the child.", value: list(person.schema)),
        "grants": SchemaKey(description: "Grants given for the child, each covering every case of the child without a grant of its own for the grantee.",
                            value: list(grant.schema)),
    ])

    /// A person under `given.child.people:`.
    static let person = place("a person of a scenario's child", ScenarioDecoder.personKeys, [
        "person": SchemaKey(description: "The actor with the relationship.", value: Part.text),
        "relationship": SchemaKey(description: "The relationship, in the council's words (mother, foster_carer).", value: Part.text),
        "parental_responsibility": SchemaKey(description: "Whether they hold parental responsibility (false when left out).",
                                             value: Part.object(["type": .string("boolean")])),
        "from": SchemaKey(description: "The first day the relationship holds.", value: Part.date),
        "until": SchemaKey(description: "The last day it holds.", value: Part.date),
    ])

    /// `given.case:`.
    static let opened = place("a scenario's 'given.case'", ScenarioDecoder.caseKeys, [
        "workflow": SchemaKey(description: "The workflow of the case opened before the first step.", value: Part.name(.definitionID)),
        "id": SchemaKey(description: "The case's id (default case-1).", value: Part.text),
        "fields": SchemaKey(description: "The fields it is opened with; the workflow's input: rules apply.", value: Part.ref("values")),
    ])

    /// An actor under `actors:`.
    static let actor = place("a scenario's actor", ScenarioDecoder.actorKeys, [
        "role": SchemaKey(description: "The workflow role they act in.", value: Part.name(.identifier)),
        "id": SchemaKey(description: "Their id on the case (default: the name); two actors may share an id to be one person in two states.", value: Part.text),
        "organisation": SchemaKey(description: "The organisation they act for; their grants and participation are then the organisation's.", value: Part.text),
        "attributes": SchemaKey(description: "What the access policy reads of them (actor: in the policy), each value read by the type the policy declares.",
                                value: Part.ref("values")),
    ])

    /// A grant, under `given.grants:` or a `grant:` step.
    static let grant = place("a scenario's grant", ScenarioDecoder.grantKeys, [
        "to": SchemaKey(description: "The actor granted access; it may name the role too, as parent:jo, and must then be the actor's role.", value: Part.text),
        "level": SchemaKey(description: "The policy's grant level.", value: Part.name(.identifier)),
        "sections": SchemaKey(description: "The only sections it covers, when limited to some.", value: list(Part.text)),
        "reason": SchemaKey(description: "Why, as the audit records it; a stock sentence when left out.", value: Part.text),
    ])

    /// What each step kind does and the value its key takes.
    private static let kinds: [String: SchemaKey] = [
        "fire": SchemaKey(description: "Fire this transition, as casework case fire does.", value: Part.name(.identifier)),
        "submit": SchemaKey(description: "Submit this form instance (the form's id and its number on the case, such as professional-advice-1), as form submit does.",
                            value: Part.text),
        "accept": SchemaKey(description: "Accept this submitted form instance, as form accept does.", value: Part.text),
        "reject": SchemaKey(description: "Return this submitted form instance with information_required, as form reject does.", value: Part.text),
        "tick": SchemaKey(description: "true: reminders and breaches due on the step's day, as casework tick does.", value: yes),
        "pause": SchemaKey(description: "Pause this deadline, with reason and exception, as deadline pause does.", value: Part.name(.identifier)),
        "resume": SchemaKey(description: "Resume this paused deadline, with reason, as deadline resume does.", value: Part.name(.identifier)),
        "excuse": SchemaKey(description: "Excuse this deadline, with reason and exception, as deadline excuse does.", value: Part.name(.identifier)),
        "grant": SchemaKey(description: "Grant an actor access, as access grant does.", value: grant.schema),
        "revoke": SchemaKey(description: "Revoke this actor's grant (ACTOR or ROLE:ACTOR), with reason, as access revoke does.", value: Part.text),
        "decide": SchemaKey(description: "The case's policy's decision for the step's actor on the case as it is now, as decide does.", value: decide.schema),
        "timeline": SchemaKey(description: "true: the case as the step's actor sees it, as case timeline does.", value: yes),
        "timeliness": SchemaKey(description: "true: the timeliness report of the clocks due or met from given.today to the step's day, over every case the step's actor may see, as report timeliness does.",
                                value: yes),
        "child_timeline": SchemaKey(description: "true: the timeline of the scenario's child across every case of the child the step's actor may see, as child timeline does.",
                                    value: yes),
        "document": SchemaKey(description: "Read this document kind's version (the latest, or version) as the step's actor sees it, with the text of each part shown, as document show and get do.",
                              value: Part.name(.identifier)),
        "add_document": SchemaKey(description: "Add a version of this document kind as the step's actor, with text (and section, type, shared_with, reason), as document add does.",
                                  value: Part.name(.identifier)),
    ]

    /// A step under `steps:`: exactly one kind, with only the details that kind takes.
    static let step = place("a scenario step", ScenarioDecoder.stepKeys, kinds.merging([
        "on": SchemaKey(description: "The step's day; when left out, the day of the step before it (or given.today).", value: Part.date),
        "as": SchemaKey(description: "The actor who does it; left out, the operator does it (useful for tick).", value: Part.text),
        "case": SchemaKey(description: "The linked case it acts on and its expectations read, by its links from the scenario's case (reviews-1, plan-1.reviews-2); left out, the scenario's case.",
                          value: Part.pattern("^[a-z][a-z0-9_]*-[1-9][0-9]*([.][a-z][a-z0-9_]*-[1-9][0-9]*)*$", message: "a path of links, each LINK-N, joined by '.'")),
        "input": SchemaKey(description: "With fire: the transition's input, { FIELD: VALUE, ... }.", value: Part.ref("values")),
        "fields": SchemaKey(description: "With submit: the form's fields, { FIELD: VALUE, ... }.", value: Part.ref("values")),
        "reason": SchemaKey(description: "With pause, resume, excuse, revoke or add_document: why, as the audit records it; a stock sentence when left out.", value: Part.text),
        "exception": SchemaKey(description: "With pause or excuse: the workflow's exception it is under.", value: Part.text),
        "information_required": SchemaKey(description: "With reject: the information required.", value: Part.text),
        "version": SchemaKey(description: "With document: the version read; the latest when left out.", value: Part.object(["type": .string("integer"), "minimum": .integer(1)])),
        "section": SchemaKey(description: "With add_document: the section added, for a kind addressed by sections; the whole document when left out.", value: Part.text),
        "text": SchemaKey(description: "With add_document: the text added, stored as its UTF-8 bytes.", value: Part.text),
        "type": SchemaKey(description: "With add_document: the media type (text/markdown when left out).", value: Part.text),
        "shared_with": SchemaKey(description: "With add_document: the organisations the document is given to; left out, those the latest version was given to.", value: list(Part.text)),
        "expect": SchemaKey(description: "What must hold after it; without it, the step must simply not be refused.", value: expect.schema),
    ]) { first, _ in first }, rules: [("oneOf", .array(StepAction.keys.map { kind in
        only([kind] + (ScenarioDecoder.requiredDetails[kind] ?? []), without: ScenarioDecoder.stepDetails.filter { !(ScenarioDecoder.detailKeys[kind] ?? []).contains($0) }
            + (ScenarioDecoder.caseless.contains(kind) ? ["case"] : []))
    }))])

    /// A `decide:` step's mapping.
    static let decide = place("a step's 'decide'", ScenarioDecoder.decideKeys, [
        "action": SchemaKey(description: "The action asked about, one of the policy's.", value: Part.name(.identifier)),
        "resource": SchemaKey(description: "The resource asked about, such as ehcp or ehcp.K.", value: Part.name(.resourcePath)),
    ])

    /// `expect:`.
    static let expect = place("a step's 'expect'", ScenarioDecoder.expectKeys, [
        "state": SchemaKey(description: "The case is in this state after the step (CW0501).", value: Part.name(.identifier)),
        "fields": SchemaKey(description: "Each field holds this value, read by its type (CW0502).", value: Part.ref("values")),
        "deadlines": SchemaKey(description: "Each deadline has started and is in this status, and due on this day when given (CW0503).",
                               value: Part.mapping(.identifier, Part.object(["oneOf": .array([status, deadline.schema])]))),
        "notices": SchemaKey(description: "For each entry, one notice this step sent matches every part written (CW0504).", value: list(notice.schema)),
        "no_notices": SchemaKey(description: "No notice this step sent matches any entry, each part written (CW0510).", value: list(notice.schema)),
        "refused": SchemaKey(description: "The step was refused, with this code, and a reason or blocker containing blockers_contain (CW0505).",
                             value: Part.object(["oneOf": .array([code, refusal.schema])])),
        "decision": SchemaKey(description: "A decide step's decision (CW0506).", value: Part.oneOf(ScenarioChecker.decisions)),
        "redactions": SchemaKey(description: "The paths a decide step's decision withholds, exactly ([] for nothing) (CW0506).", value: list(Part.text)),
        "timeline": SchemaKey(description: "What a timeline, child_timeline or timeliness step's reading shows and hides (CW0507).", value: timeline.schema),
        "document": SchemaKey(description: "What a document or add_document step's version holds as the step's actor sees it (CW0509).", value: documentExpected.schema),
    ])

    /// A deadline's status, as `deadlines:` expects it.
    private static let status = Part.oneOf(ScenarioChecker.deadlineStatuses)
    /// A refusal's code.
    private static let code = Part.oneOf(RefusalCode.allCases.map(\.rawValue))

    /// A deadline's expectation written as a mapping.
    static let deadline = place("an expected deadline", ScenarioDecoder.deadlineKeys, [
        "status": SchemaKey(description: "The status it is in.", value: status),
        "due": SchemaKey(description: "The day it is due.", value: Part.date),
    ])

    /// An entry of `notices:`.
    static let notice = place("an expected notice", ScenarioDecoder.noticeKeys, [
        "to": SchemaKey(description: "The recipient's role.", value: Part.name(.identifier)),
        "subject_contains": SchemaKey(description: "Text the subject contains.", value: Part.text),
        "body_contains": SchemaKey(description: "Text the body contains.", value: Part.text),
        "channel": SchemaKey(description: "portal, or other for a notice owed by another route.", value: Part.oneOf(NoticeChannel.allCases.map(\.rawValue))),
    ])

    /// `refused:` written as a mapping.
    static let refusal = place("an expected refusal", ScenarioDecoder.refusalKeys, [
        "code": SchemaKey(description: "The refusal's code.", value: code),
        "blockers_contain": SchemaKey(description: "Text one of the blockers or reasons contains.", value: Part.text),
    ])

    /// `document:` in `expect:`.
    static let documentExpected = place("an expected document", ScenarioDecoder.documentKeys, [
        "version": SchemaKey(description: "The version's number.", value: Part.object(["type": .string("integer"), "minimum": .integer(1)])),
        "added_by": SchemaKey(description: "Who added it: a role, or ROLE:ID, which only a reader who may see the people on the case is shown.", value: Part.text),
        "shown": SchemaKey(description: "Sections the reader is shown.", value: list(Part.text)),
        "withheld": SchemaKey(description: "Sections the version holds that the reader is not shown.", value: list(Part.text)),
        "contains": SchemaKey(description: "Text the whole document holds, for a kind seen whole.", value: Part.text),
        "equals": SchemaKey(description: "The whole document's text exactly, for a kind seen whole.", value: Part.text),
        "sections": SchemaKey(description: "Each section's text, for a kind addressed by sections: { SECTION: { contains:, equals: } }.",
                              value: Part.object(["type": .string("object"), "additionalProperties": sectionText.schema])),
    ])

    /// A section's text under an expected document's `sections:`.
    static let sectionText = place("an expected section's text", ScenarioDecoder.sectionTextKeys, [
        "contains": SchemaKey(description: "Text the section holds.", value: Part.text),
        "equals": SchemaKey(description: "The section's text exactly.", value: Part.text),
    ])

    /// `timeline:` in `expect:`.
    static let timeline = place("an expected timeline", ScenarioDecoder.timelineKeys, [
        "shows": SchemaKey(description: "Texts the timeline must show: a state's or stage's title or name, the next steps, a time limit's name, title or NAME: STATUS, a notice's subject or body.",
                           value: list(Part.text)),
        "hides": SchemaKey(description: "Texts it must not show.", value: list(Part.text)),
    ])
}

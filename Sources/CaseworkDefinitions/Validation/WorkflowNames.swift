import CaseworkExpressions
import CaseworkTime
import Foundation

/// What a workflow's expressions (guards and `set:` values) are evaluated on: the case, with any proposed input
/// applied, who acts, and the time.
public struct CaseExpressionInput: ExpressionInput {
    /// The case.
    public var record: CaseRecord
    /// Who acts.
    public var actor: CaseActor
    /// Today's date, from the engine's clock.
    public var today: CalendarDate
    /// The current instant, from the engine's clock.
    public var now: Date
    /// The cases this case opened through each of its workflow's links, by link name, oldest first: read by the
    /// engine for its own expressions, never shown to the actor.
    public var linked: [String: [CaseRecord]]
    /// The identity fields of the child record the case belongs to, by path, each of its declared type
    /// (``ChildFields/typed(_:declared:)``): read by the engine for `child.*` in a workflow that says `child: from_record`;
    /// empty for a case of no child, whose `child.*` names are then all unset.
    public var child: [String: ExpressionValue]

    /// Creates an input.
    public init(
        record: CaseRecord, actor: CaseActor, today: CalendarDate, now: Date, linked: [String: [CaseRecord]] = [:], child: [String: ExpressionValue] = [:]
    ) {
        self.linked = linked
        self.child = child
        self.record = record
        self.actor = actor
        self.today = today
        self.now = now
    }
}

/// Declares the names a workflow's expressions may use, each with its type and how its value is read from a case:
/// the validator checks against them and the engine evaluates with them (``ExpressionNames``).
///
/// - each field by its dotted path (`requested_on`, `child.date_of_birth`), valued from the case's fields; `text`
///   reads as string, a `one_of` field as an enumeration of its values; lists of records are not yet readable;
/// - `case.id` (string), `case.state` (an enumeration of the workflow's states), `case.opened_on` (date, the day the
///   case was opened);
/// - `actor.id` (string) and `actor.role` (an enumeration of the workflow's roles; unset for an actor in no role of
///   the workflow, such as the operator);
/// - for each form the workflow starts, `forms.NAME.count`, `.submitted_count`, `.accepted_count` (int) and
///   `.all_submitted`, `.all_accepted` (bool) over the case's instances of that form, where NAME is the form's id
///   with `-` written as `_`;
/// - for each link under `links:` whose workflow is known, `linked.LINK.count` (int, the cases opened through it),
///   `linked.LINK.any_open` (bool, whether one of them is not in a final state), and of the newest of them
///   `linked.LINK.latest.state` (an enumeration of the linked workflow's states) and `linked.LINK.latest.FIELD` for
///   each of the linked workflow's fields, unset while the link has opened none;
/// - in a workflow that says `child: from_record`, `child.FIELD` for each field path of the set's child definition,
///   valued from the child record the case belongs to (unset for a case of no child, or a field the record lacks);
/// - `today` and `now`, everywhere.
package enum WorkflowNames {
    /// The summaries each started form offers: name, type, and how it is worked out from the case's form instances.
    private static func formSummaries(of form: String) -> [(name: String, type: ExpressionType, value: @Sendable ([FormInstance]) -> ExpressionValue)] {
        @Sendable func isSubmitted(_ instance: FormInstance) -> Bool { instance.status == .submitted || instance.status == .accepted }
        return [
            ("count", .int, { .int($0.count { $0.form == form }) }),
            ("submitted_count", .int, { .int($0.count { $0.form == form && isSubmitted($0) }) }),
            ("accepted_count", .int, { .int($0.count { $0.form == form && $0.status == .accepted }) }),
            ("all_submitted", .bool, { .bool($0.contains { $0.form == form } && !$0.contains { $0.form == form && !isSubmitted($0) }) }),
            ("all_accepted", .bool, { .bool($0.contains { $0.form == form } && !$0.contains { $0.form == form && $0.status != .accepted }) }),
        ]
    }

    /// How expressions name a form: its id with `-` written as `_`. Replaced byte by byte: Foundation's
    /// `replacingOccurrences` costs a warm `casework case show` about a million instructions on its first use.
    package static func expressionName(ofForm id: String) -> String {
        String(decoding: id.utf8.map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "_") : $0 }, as: UTF8.self)
    }

    /// The names for expressions in `workflow`, whose links open cases of `linked` (by link name), in a set whose child
    /// definition is `child` (read only when the workflow says `child: from_record`).
    package static func make(
        for workflow: WorkflowDefinition, linked: [String: WorkflowDefinition] = [:], child: ChildDefinition? = nil
    ) -> ExpressionNames<CaseExpressionInput> {
        var names = ExpressionNames<CaseExpressionInput>()
        names.declare(fields: fieldTypes(of: workflow.fields), from: { $0.record.fields })
        // Declared after the workflow's own fields; a workflow with both is CW0261, so neither hides the other in a valid set.
        if workflow.childFromRecord != nil, let child {
            let declared = child.fieldTypes
            names.declare(fields: fieldTypes(of: child.fields), under: "child.", from: { ChildFields.typed($0.child, declared: declared) })
        }
        names.declare("case.id", .string) { .string($0.record.id) }
        names.declare("case.opened_on", .date) { .date(CalendarDate($0.record.openedAt)) }
        names.declare("case.state", .enumeration(EnumerationDomain(
            name: "state", member: "a state of workflow '\(workflow.id.value)'", values: workflow.states.map(\.name.value)
        ))) { .string($0.record.state) }
        names.declare("actor.id", .string) { .string($0.actor.id) }
        let roles = workflow.roles.map(\.value)
        let roleSet = Set(roles)
        names.declare("actor.role", .enumeration(EnumerationDomain(name: "role", member: "a role of workflow '\(workflow.id.value)'", values: roles))) {
            roleSet.contains($0.actor.role) ? .string($0.actor.role) : nil
        }
        var started = Set<String>()
        for transition in workflow.transitions {
            for start in transition.startForms where started.insert(start.form.value).inserted {
                let prefix = "forms.\(expressionName(ofForm: start.form.value))."
                for summary in formSummaries(of: start.form.value) {
                    let value = summary.value
                    names.declare(prefix + summary.name, summary.type) { value($0.record.forms) }
                }
            }
        }
        for link in workflow.links {
            guard let target = linked[link.name.value] else { continue }
            declareLinked(link.name.value, target: target, in: &names)
        }
        names.dateOfBirth = ["date_of_birth", "child.date_of_birth"].first { names.types[$0] == .date }
        // Reading the child record with no child definition is CW0260 alone: its `child.` names are not also unknown.
        names.untyped = workflow.childFromRecord != nil && child == nil ? workflow.untypedFields.union(["child"]) : workflow.untypedFields
        return names
    }

    /// The `linked.LINK.…` names of one link to cases of `target`.
    private static func declareLinked(_ link: String, target: WorkflowDefinition, in names: inout ExpressionNames<CaseExpressionInput>) {
        let prefix = "linked.\(link)."
        let finals = Set(target.states.filter(\.isFinal).map(\.name.value))
        names.declare(prefix + "count", .int) { input in .int(input.record.links.count { $0.name == link && $0.role == .opened }) }
        // With no case opened through the link, none is open; with some, the engine must have read them all to say.
        names.declare(prefix + "any_open", .bool) { input in
            guard input.record.links.contains(where: { $0.name == link && $0.role == .opened }) else { return .bool(false) }
            return input.linked[link].map { .bool($0.contains { !finals.contains($0.state) }) }
        }
        names.declare(prefix + "latest.state", .enumeration(EnumerationDomain(
            name: "state", member: "a state of workflow '\(target.id.value)'", values: target.states.map(\.name.value)
        ))) { input in input.linked[link]?.last.map { .string($0.state) } }
        names.declare(fields: fieldTypes(of: target.fields), under: prefix + "latest.") { input in input.linked[link]?.last?.fields ?? [:] }
    }

    /// Each field's dotted path under `prefix` and its expression type, records opened up; fields whose type
    /// expressions cannot read (lists of records) are left out.
    package static func fieldTypes(of fields: [FieldDefinition], prefix: String = "") -> [(path: String, type: ExpressionType)] {
        fields.flatMap { field -> [(path: String, type: ExpressionType)] in
            let path = prefix + field.name.value
            if case .record(let nested) = field.type { return fieldTypes(of: nested, prefix: path + ".") }
            return expressionType(of: field.type, path: path).map { [(path, $0)] } ?? []
        }
    }

    private static func expressionType(of type: FieldType, path: String) -> ExpressionType? {
        switch type {
        case .bool: return .bool
        case .int: return .int
        case .decimal: return .decimal
        case .string, .text: return .string
        case .date: return .date
        case .datetime: return .datetime
        case .oneOf(let values):
            return .enumeration(EnumerationDomain(
                name: "one_of", member: "a value of '\(path)' (\(values.joined(separator: ", ")))", values: values
            ))
        case .list(let element): return expressionType(of: element, path: path).map(ExpressionType.list)
        case .record: return nil
        }
    }
}

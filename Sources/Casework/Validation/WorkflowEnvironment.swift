/// Builds the names a workflow's expressions may use, and their types, from its definition.
///
/// - each field by its dotted path (`requested_on`, `child.date_of_birth`); `text` reads as
///   string, a `one_of` field as an enumeration of its values; lists of records are not
///   yet readable in expressions;
/// - `case.id` (string), `case.state` (an enumeration of the workflow's states),
///   `case.opened_on` (date);
/// - `actor.id` (string) and `actor.role` (an enumeration of the workflow's roles);
/// - for each form the workflow starts, `forms.NAME.count`, `.submitted_count`,
///   `.accepted_count` (int) and `.all_submitted`, `.all_accepted` (bool), where NAME is the
///   form's id with `-` written as `_`;
/// - `today` and `now`, everywhere.
public enum WorkflowEnvironment {
    /// The form summaries each started form offers, and their types.
    public static let formSummaries: [(name: String, type: ExpressionType)] = [
        ("count", .int), ("submitted_count", .int), ("accepted_count", .int),
        ("all_submitted", .bool), ("all_accepted", .bool),
    ]

    /// How expressions name a form: its id with `-` written as `_`.
    public static func expressionName(ofForm id: String) -> String {
        id.replacingOccurrences(of: "-", with: "_")
    }

    /// The environment for expressions in `workflow`.
    public static func make(for workflow: WorkflowDefinition) -> ExpressionEnvironment {
        var names: [String: ExpressionType] = [:]
        add(workflow.fields, prefix: "", into: &names)
        names["case.id"] = .string
        names["case.opened_on"] = .date
        names["case.state"] = .enumeration(EnumerationDomain(
            name: "state", member: "a state of workflow '\(workflow.id.value)'", values: workflow.states.map(\.name.value)
        ))
        names["actor.id"] = .string
        names["actor.role"] = .enumeration(EnumerationDomain(
            name: "role", member: "a role of workflow '\(workflow.id.value)'", values: workflow.roles.map(\.value)
        ))
        for transition in workflow.transitions {
            for start in transition.startForms {
                let form = expressionName(ofForm: start.form.value)
                for summary in formSummaries {
                    names["forms.\(form).\(summary.name)"] = summary.type
                }
            }
        }
        let dateOfBirth = ["date_of_birth", "child.date_of_birth"].first { names[$0] == .date }
        var environment = ExpressionEnvironment(names: names, dateOfBirth: dateOfBirth)
        environment.untyped = workflow.untypedFields
        return environment
    }

    /// Adds each field by its dotted path under `prefix`, with its expression type.
    static func add(_ fields: [FieldDefinition], prefix: String, into names: inout [String: ExpressionType]) {
        for field in fields {
            let path = prefix + field.name.value
            if case .record(let nested) = field.type {
                add(nested, prefix: path + ".", into: &names)
            } else if let type = expressionType(of: field.type, path: path) {
                names[path] = type
            }
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

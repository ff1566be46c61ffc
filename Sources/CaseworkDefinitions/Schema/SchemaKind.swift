/// The kinds of file `casework schema` describes, each with its JSON Schema (draft 2020-12).
///
/// Each is made from its decoder's own key lists (``SchemaPlace``) and name rules, so a key the decoder takes cannot
/// be missing from its schema: the definition kinds' here, the scenario's by `CaseworkScenarios`, whose decoder this
/// module cannot see; `docs/schema/` holds what `casework schema` prints.
package enum SchemaKind: String, CaseIterable, Sendable {
    /// A `workflow:` file.
    case workflow
    /// A `form:` file.
    case form
    /// A `policy:` file.
    case policy
    /// A `calendar:` file.
    case calendar
    /// A `scenario:` file of `casework test`.
    case scenario
    /// A `child:` file: the identity fields of a set's child records.
    case child

    /// The schema file's name: `workflow.schema.json`.
    package var fileName: String { "\(rawValue).schema.json" }

    /// What files of this kind are, one line.
    package var summary: String {
        switch self {
        case .workflow: "a Casework workflow: its roles, fields, states, transitions, templates and deadlines"
        case .form: "a Casework form: what an organisation is asked to fill in, by when, and who accepts it"
        case .policy: "a Casework access policy: its resources, grant levels and allow and deny rules"
        case .calendar: "a Casework calendar: working days, bank holidays and the rules that move the end of a period"
        case .scenario: "a Casework scenario for casework test: a case, the steps taken on it and what each should lead to"
        case .child: "a Casework child definition: the identity fields of a child record and their types"
        }
    }

    /// A definition kind's schema as pretty JSON, the same bytes every time; nil for `.scenario`, whose body is made
    /// from the scenario decoder's lists in `CaseworkScenarios` (`ScenarioSchema`), above this module.
    package var definitionText: String? {
        switch self {
        case .workflow: document(WorkflowSchema.root, definitions: Self.fieldDefinitions).pretty
        case .form: document(FormSchema.root, definitions: Self.fieldDefinitions).pretty
        case .policy: document(PolicySchema.root, definitions: Self.fieldDefinitions).pretty
        case .calendar: document(CalendarSchema.root).pretty
        case .child: document(ChildSchema.root, definitions: Self.fieldDefinitions).pretty
        case .scenario: nil
        }
    }

    /// The schema of this kind: its `$schema`, `$id`, title and description, then the schema of `root` (a file's root
    /// mapping), then `definitions` as `$defs`.
    package func document(_ root: SchemaPlace, definitions: JSONValue? = nil) -> JSONValue {
        .object([
            ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            ("$id", .string("https://casework.invalid/schema/\(fileName)")),
            ("title", .string("Casework \(rawValue)")),
            ("description", .string(summary.prefix(1).uppercased() + summary.dropFirst() + ".")),
        ] + root.members + (definitions.map { [("$defs", $0)] } ?? []))
    }

    /// Every place of the definition kinds whose keys a decoder reads from a list, for the test that schema and decoder agree.
    static var places: [SchemaPlace] { WorkflowSchema.places + FormSchema.places + PolicySchema.places + CalendarSchema.places + ChildSchema.places }

    /// `fields` (a mapping of field names to types) and `fieldType` (one type), as ``NodeReader/fields(_:place:prefix:)`` reads them.
    private static var fieldDefinitions: JSONValue {
        typealias Part = SchemaPart
        let type = Part.object(["anyOf": .array([
            Part.described("A scalar type.", Part.oneOf(FieldType.scalarNames.keys.sorted())),
            Part.single("one_of", Part.described("One of a fixed set of words.", Part.names(.identifier))),
            Part.single("list", Part.described("A list of values of one type.", Part.ref("fieldType"))),
            Part.described("A record: a group of named fields.", Part.ref("fields")),
        ])])
        return Part.object([
            "fields": Part.described("Each field's name and type.", Part.mapping(.identifier, Part.ref("fieldType"))),
            "fieldType": Part.described(
                "A field type: bool, int, decimal, string, text, date, datetime, { one_of: [a, b] }, { list: TYPE } or a record of fields.", type),
        ])
    }
}

import CaseworkDefinitions
import CaseworkEngine
import CaseworkTestSupport
import Testing
import CaseworkYAML

/// The field paths a policy's resource paths know (``ResourcePaths/fieldPaths``): every field path the workflows
/// declare and every group before one of its dots, each once, whether workflows share groups or not, and for names
/// only an invalid set holds (empty parts between dots) the non-empty parts joined.
@Suite("resource paths' field paths")
struct ResourcePathsFieldTests {
    static let here = SourceRange.startOf("fields.yaml")

    static func workflow(_ id: String, _ fields: [FieldDefinition]) -> WorkflowDefinition {
        WorkflowDefinition(id: Located(id, at: here), version: 1, title: id, roles: [], fields: fields, states: [], transitions: [], templates: [], file: "\(id).yaml")
    }

    static func field(_ name: String, _ type: FieldType = .string) -> FieldDefinition { FieldDefinition(name: Located(name, at: here), type: type) }

    static let policy = PolicyDefinition(
        id: Located("p", at: here), version: 1, title: nil, actorAttributes: [], levels: [], actions: [], resources: [], rules: [], file: "p.yaml"
    )

    /// Every prefix of every flattened path, split at dots with empty parts left out: what the field paths must be.
    static func expected(_ workflows: [WorkflowDefinition]) -> [String] {
        var fields = Set<String>()
        for workflow in workflows {
            for (path, _) in FieldValues.flatten(workflow.fields) {
                let parts = path.split(separator: ".").map(String.init)
                for count in parts.indices { fields.insert(parts[...count].joined(separator: ".")) }
            }
        }
        return fields.sorted()
    }

    static let cases: [(String, [WorkflowDefinition])] = [
        ("groups shared by two workflows, the deeper one second", [
            workflow("a", [field("child", .record([field("first_name"), field("address", .record([field("postcode")]))])), field("requested_on", .date)]),
            workflow("b", [field("child", .record([field("address", .record([field("line_1"), field("postcode")])), field("school", .record([field("name")]))]))]),
        ]),
        ("the deeper one first", [
            workflow("b", [field("child", .record([field("address", .record([field("line_1")]))]))]),
            workflow("a", [field("child", .record([field("first_name")])), field("child", .record([field("address", .record([field("line_2")]))]))]),
        ]),
        ("an empty group, which adds nothing", [workflow("a", [field("empty", .record([])), field("x")])]),
        ("names with dots, empty parts and dots at the ends", [
            workflow("a", [field("a.b"), field(".lead"), field("trail."), field("a..b"), field("g", .record([field(".x"), field("y..z")]))]),
        ]),
    ]

    @Test(arguments: cases)
    func theFieldPathsAreEveryPathAndGroup(_ label: String, _ workflows: [WorkflowDefinition]) {
        #expect(ResourcePaths(policy: Self.policy, workflows: workflows).fieldPaths == Self.expected(workflows), "\(label)")
    }

    /// The shipped workflows' field paths, as the plain computation makes them.
    @Test func theShippedWorkflowsFieldPaths() throws {
        let catalog = try DefinitionCatalog.load(paths: ["Workflows", "Policies"].map { RepositoryPaths.root.appendingPathComponent($0).path })
        let workflows = catalog.workflows.values.map(\.definition).sorted { $0.id.value < $1.id.value }
        let paths = ResourcePaths(policy: Self.policy, workflows: workflows).fieldPaths
        #expect(paths == Self.expected(workflows))
        #expect(paths.contains("child") && paths.contains("child.date_of_birth"))
    }
}

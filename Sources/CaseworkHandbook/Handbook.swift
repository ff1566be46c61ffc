import CaseworkDefinitions
import CaseworkDiagrams
import CaseworkEngine
import CaseworkScenarios

/// One file of the handbook: its name in the output directory and its contents.
public struct HandbookFile: Sendable, Hashable {
    /// The file's name, such as `index.html` or `workflow-annual-review.svg`.
    public var name: String
    /// The file's text.
    public var contents: String
}

/// The static HTML handbook of a checked definition set, for policy staff, managers and auditors: an index, a page per
/// workflow (its diagram, stages, who does what, time limits, letters and forms), the forms, the access policies,
/// the calendars and every scenario told as an example.
///
/// Building it reads no file and runs no program: the caller gives the checked definitions, the decoded scenario
/// files, the years whose holidays to list, and a way to turn DOT into SVG (nil when Graphviz is not there).
public struct Handbook: Sendable {
    /// The checked definitions.
    public var definitions: DefinitionSet
    /// The scenario files, as decoded.
    public var scenarios: [ScenarioFile]
    /// The years whose bank holidays the calendars page lists.
    public var years: [Int]
    /// The access policies compiled, by id: the policy page decides with them what each persona a policy names may do.
    /// A policy missing here gets no such table.
    public var policies: [String: CompiledPolicy]
    /// The title every page carries.
    public var title = "Casework handbook"

    /// Creates a handbook of `definitions` and `scenarios`, listing holidays in `years`; `policies` are the compiled
    /// access policies, by id, whose personas the policy page decides for.
    public init(definitions: DefinitionSet, scenarios: [ScenarioFile], years: [Int], policies: [String: CompiledPolicy] = [:]) {
        self.definitions = definitions
        self.policies = policies
        self.scenarios = scenarios
        self.years = years
    }

    /// Every file of the handbook, `index.html` first. `drawing` turns a workflow's DOT into SVG, or returns nil, in
    /// which case the workflow's page shows the DOT text with a note on how to draw it.
    public func files(drawing: (String) -> String?) -> [HandbookFile] {
        var files = [HandbookFile(name: "index.html", contents: IndexPage.render(self))]
        for workflow in definitions.workflows {
            let dot = DotDiagram.render(WorkflowGraph(workflow))
            let svg = drawing(dot)
            let diagram: WorkflowPage.Diagram = svg == nil ? .text(dot) : .image(Self.diagramFile(workflow))
            files.append(HandbookFile(name: Self.pageFile(workflow), contents: WorkflowPage.render(workflow, diagram: diagram, in: self)))
            if let svg { files.append(HandbookFile(name: Self.diagramFile(workflow), contents: svg)) }
        }
        if !definitions.forms.isEmpty { files.append(HandbookFile(name: FormsPage.file, contents: FormsPage.render(self))) }
        if !definitions.policies.isEmpty { files.append(HandbookFile(name: PolicyPage.file, contents: PolicyPage.render(self))) }
        if !definitions.calendars.isEmpty { files.append(HandbookFile(name: CalendarsPage.file, contents: CalendarsPage.render(self))) }
        if !scenarios.isEmpty { files.append(HandbookFile(name: ScenariosPage.file, contents: ScenariosPage.render(self))) }
        return files
    }

    /// The page of a workflow.
    static func pageFile(_ workflow: WorkflowDefinition) -> String { "workflow-\(workflow.id.value).html" }

    /// The drawing of a workflow.
    static func diagramFile(_ workflow: WorkflowDefinition) -> String { "workflow-\(workflow.id.value).svg" }

    /// A page's document with this handbook's title.
    func document(_ title: String, isIndex: Bool = false, _ content: [Markup]) -> String {
        HandbookLayout.document(title: title, handbookTitle: self.title, isIndex: isIndex, content)
    }
}

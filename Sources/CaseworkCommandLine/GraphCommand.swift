import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkDiagrams
import CaseworkEngine
import CaseworkStore

/// `casework graph WORKFLOW [--format dot|mermaid] [--case CASE]`: a workflow drawn from its checked definition,
/// or with `--case`, the workflow one case runs on with its path and current state marked.
///
/// Drawing a definition needs only the validator: no store is opened and no engine started. Drawing a case reads it
/// through the engine's door, as `case history` does (`view` and `grant` on the case), so someone who may not see the
/// case learns nothing from the drawing, not even whether it exists.
enum GraphCommand {
    /// The formats `--format` offers.
    enum Format: String, CaseIterable {
        /// Graphviz's DOT (the default).
        case dot
        /// A Mermaid flowchart.
        case mermaid
    }

    /// Runs `graph` with the arguments after it.
    static func run(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["graph"].spec)
        let workflowID = try CaseCommand.positionals(parsed, ["WORKFLOW"])[0]
        let format = try Self.format(parsed.single("--format"))
        var engineArguments = parsed
        engineArguments.values["--format"] = nil
        let options = try EngineOptions(engineArguments)
        guard let caseID = try parsed.single("--case") else {
            for option in ["--as", "--attribute", "--db"] where parsed.values[option] != nil {
                throw UsageError("\(option) is for drawing a case", help: "add --case CASE, or leave out \(option) to draw the workflow alone")
            }
            return EngineRun.run(console: console) { () throws(EngineError) in
                let report: ValidationReport
                do throws(DefinitionFiles.MissingPath) {
                    report = try Validator.validate(paths: options.definitions)
                } catch {
                    throw .unreadableDefinitions(error)
                }
                guard !report.hasErrors else { throw .invalidDefinitions(report.diagnostics.filter { $0.severity == .error }) }
                let workflows = report.definitions.workflows
                guard let workflow = workflows.first(where: { $0.id.value == workflowID }) else {
                    throw .unknownWorkflow(workflowID, suggestion: NameSuggester.suggest(workflowID, from: workflows.map(\.id.value).sorted()))
                }
                console.out(render(WorkflowGraph(workflow), format))
                return .success
            }
        }
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.reader()
            let attributes = try options.attributes(in: engine.catalog)
            let events = try engine.history(caseID, as: options.actor, attributes: attributes)
            let workflow = try engine.workflowDefinition(ofCase: caseID, as: options.actor, attributes: attributes)
            guard workflow.id.value == workflowID else {
                throw .invalidInput([InputProblem(field: "WORKFLOW", message: "case '\(caseID)' runs workflow '\(workflow.id.value)', not '\(workflowID)'")])
            }
            console.out(render(WorkflowGraph(workflow, path: path(events)), format))
            return .success
        }
    }

    /// Where a case has been, from its audit events: every state an event left it in, and every transition fired.
    static func path(_ events: [AuditEvent]) -> CasePath? {
        guard let last = events.last else { return nil }
        let fired = events.compactMap { event -> CasePath.Step? in
            guard event.action == "fired", let from = event.fromState, let transition = event.subject else { return nil }
            return CasePath.Step(from: from, transition: transition)
        }
        return CasePath(current: last.toState, visitedStates: Set(events.map(\.toState)), fired: Set(fired))
    }

    private static func format(_ value: String?) throws(UsageError) -> Format {
        guard let value else { return .dot }
        if let format = Format(rawValue: value) { return format }
        let offered = Format.allCases.map(\.rawValue)
        throw UsageError("unknown format '\(TerminalText.escape(value))'",
                         help: NameSuggester.suggest(value, from: offered).map { "did you mean '\($0)'?" } ?? "use --format dot or --format mermaid")
    }

    private static func render(_ graph: WorkflowGraph, _ format: Format) -> String {
        switch format {
        case .dot: DotDiagram.render(graph)
        case .mermaid: MermaidDiagram.render(graph)
        }
    }
}

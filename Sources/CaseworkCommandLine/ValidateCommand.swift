import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime

/// `casework validate [PATH ...] [--definitions PATH ...] [--format text|json] [--explain CODE]`.
///
/// The named paths are checked against the project's other definitions (`--definitions`, or the
/// `Workflows/` and `Policies/` around them), and only their own diagnostics are shown.
enum ValidateCommand {
    static func run(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["validate"].spec)
        let format = try OutputFormat.parse(try parsed.single("--format"))
        if let code = try parsed.single("--explain") {
            return try explain(code, console: console)
        }
        let paths = parsed.positionals.isEmpty ? defaultPaths() : parsed.positionals
        let report: ValidationReport
        do {
            let context = parsed.values["--definitions"] ?? DefinitionFiles.project(around: paths)
            report = try Validator.validate(paths: paths, context: context)
        } catch {
            throw UsageError(error.description, help: "name a definition file or a directory that holds them")
        }
        switch format {
        case .text:
            console.out(DiagnosticRenderer.text(report.diagnostics, sources: report.sources))
            console.out(DiagnosticRenderer.summary(report.diagnostics, files: report.files.count) + "\n")
        case .json, .csv:
            // Only text and JSON are offered (OutputFormat.parse refuses csv here).
            console.out(DiagnosticRenderer.json(report.diagnostics) + "\n")
        }
        return report.hasErrors ? .failure : .success
    }

    /// `Workflows/` and `Policies/` when they exist; a usage error when neither does.
    static func defaultPaths() -> [String] {
        ["Workflows", "Policies"].filter(DefinitionFiles.isDiscoverable).ifEmpty(["Workflows"])
    }

    private static func explain(_ code: String, console: some Console) throws(UsageError) -> ExitStatus {
        let wanted = DiagnosticCode(rawValue: code.uppercased())
        guard let explanation = DiagnosticExplanations.explanation(for: wanted) else {
            let suggestion = NameSuggester.suggest(wanted.rawValue, from: DiagnosticKind.allCodes.map(\.rawValue))
            throw UsageError("unknown diagnostic code '\(code)'", help: suggestion.map { "did you mean '\($0)'?" })
        }
        console.out(DiagnosticExplanations.text(for: explanation))
        return .success
    }
}

extension Array {
    /// This array, or `fallback` when it is empty.
    func ifEmpty(_ fallback: [Element]) -> [Element] { isEmpty ? fallback : self }
}

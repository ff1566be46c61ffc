import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkScenarios
import Foundation

/// `casework test [PATH ...] [--format text|json] [--definitions PATH]...`: runs the scenario files (`*.test.yaml`)
/// policy staff write, each scenario on a fresh in-memory store with a scripted clock.
enum TestCommand {
    static func run(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["test"].spec)
        let format = try OutputFormat.parse(try parsed.single("--format"))
        let definitions = parsed.values["--definitions"] ?? ValidateCommand.defaultPaths()
        let paths = parsed.positionals.isEmpty ? definitions : parsed.positionals
        let catalog: DefinitionCatalog
        do {
            catalog = try DefinitionCatalog.load(paths: definitions)
        } catch {
            // Scenarios run only on definitions that validate: say why these do not, as validate would.
            guard case .invalidDefinitions(let diagnostics) = error else {
                console.err("error[\(error.code.rawValue)]: \(TerminalText.escape(error.description, keepingLineBreaks: true))\n")
                return .failure
            }
            console.out(DiagnosticRenderer.text(diagnostics) + "the definitions have errors, so no scenario ran: run 'casework validate'\n")
            return .failure
        }
        let report: ScenarioReport
        do {
            report = try ScenarioSuite.run(paths: paths, catalog: catalog)
        } catch {
            throw UsageError(error.description, help: "name a scenario file or a directory that holds *.test.yaml files")
        }
        console.out(format == .json ? json(report) : text(report))
        return report.hasFailures ? .failure : .success
    }

    /// Diagnostics as `validate` prints them, each scenario's result, and the summary line.
    static func text(_ report: ScenarioReport) -> String {
        var out = DiagnosticRenderer.text(report.diagnostics, sources: report.sources)
        for scenario in report.scenarios {
            out += "\(scenario.passed ? "passed" : "FAILED"): \(scenario.file):\(scenario.line): \(scenario.name)\n"
        }
        return out + summary(report) + "\n"
    }

    /// `3 scenarios in 2 files: 2 passed, 1 failed`.
    static func summary(_ report: ScenarioReport) -> String {
        let passed = report.scenarios.filter(\.passed).count
        let count = report.scenarios.count
        let files = report.files.count
        return "\(count) scenario\(count == 1 ? "" : "s") in \(files) file\(files == 1 ? "" : "s"): \(passed) passed, \(count - passed) failed"
    }

    /// The JSON form, keys sorted: `diagnostics` (as `validate --format json` writes them), `scenarios` (`file`, `line`,
    /// `name`, `passed`, `failures`) and `summary` (`files`, `scenarios`, `passed`, `failed`).
    static func json(_ report: ScenarioReport) -> String {
        struct Entry: Encodable {
            var file: String
            var line: Int
            var name: String
            var passed: Bool
            var failures: Int
        }
        struct Summary: Encodable {
            var files: Int
            var scenarios: Int
            var passed: Int
            var failed: Int
        }
        struct Document: Encodable {
            var diagnostics: [DiagnosticRecord]
            var scenarios: [Entry]
            var summary: Summary
        }
        let passed = report.scenarios.filter(\.passed).count
        let document = Document(
            diagnostics: report.diagnostics.map(DiagnosticRecord.init),
            scenarios: report.scenarios.map { Entry(file: $0.file, line: $0.line, name: $0.name, passed: $0.passed, failures: $0.failures) },
            summary: Summary(files: report.files.count, scenarios: report.scenarios.count, passed: passed, failed: report.scenarios.count - passed))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(document)).map { String(decoding: $0, as: UTF8.self) } ?? "{}") + "\n"
    }
}

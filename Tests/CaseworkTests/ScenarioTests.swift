import Foundation
import Testing
import Casework
import CaseworkCommandLine
import CaseworkDefinitions
import CaseworkScenarios

/// `casework test`: the shipped scenarios pass, and the command's output for a passing file, a failing file (every kind
/// of failed expectation) and a file the checker refuses is exactly the golden text and JSON beside them.
@Suite("casework test: scenarios")
struct ScenarioTests {
    /// The shipped definitions, where the shipped scenarios live too.
    static let definitions = ["Workflows", "Policies"].map { RepositoryPaths.root.appendingPathComponent($0).path }
    /// The golden scenario files and their expected output.
    static let directory = RepositoryPaths.fixtures.appendingPathComponent("scenarios")

    @Test func everyShippedScenarioPasses() throws {
        let catalog = try DefinitionCatalog.load(paths: Self.definitions)
        let report = try ScenarioSuite.run(paths: Self.definitions, catalog: catalog)
        #expect(report.files.count >= 4)
        #expect(report.scenarios.count >= 6)
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics.map(\.description).joined(separator: "\n"))")
        #expect(report.scenarios.allSatisfy { $0.passed })
    }

    @Test("output matches the golden file", arguments: ["passing", "failing", "invalid"], ["text", "json"])
    func outputMatchesGolden(name: String, format: String) throws {
        let file = Self.directory.appendingPathComponent("\(name).test.yaml").path
        let result = runCasework(["test", file, "--format", format] + Self.definitions.flatMap { ["--definitions", $0] })
        #expect(result.status == (name == "passing" ? .success : .failure))
        #expect(result.err.isEmpty)
        let shown = result.out.replacingOccurrences(of: Self.directory.path + "/", with: "")
        try GoldenFiles.check(shown, against: Self.directory.appendingPathComponent("\(name).expected" + (format == "json" ? ".json" : "")))
    }

    @Test func goldenFilesProduceEveryScenarioCode() throws {
        let catalog = try DefinitionCatalog.load(paths: Self.definitions)
        let report = try ScenarioSuite.run(paths: [Self.directory.path], catalog: catalog)
        #expect(DiagnosticCorpus.codesOfScenarios.subtracting(report.diagnostics.map(\.code)).isEmpty)
        for diagnostic in report.diagnostics {
            #expect(diagnostic.severity == DiagnosticExplanations.explanation(for: diagnostic.code)?.severity, "\(diagnostic)")
        }
    }

    @Test func scenarioFilesAreNotDefinitionFiles() throws {
        let definitions = try DefinitionFiles.discover(Self.definitions)
        let scenarios = try DefinitionFiles.discover(Self.definitions, scenarios: true)
        #expect(!definitions.isEmpty && !scenarios.isEmpty)
        #expect(definitions.allSatisfy { !$0.hasSuffix(".test.yaml") })
        #expect(scenarios.allSatisfy { $0.hasSuffix(".test.yaml") })
        let validate = runCasework(["validate"] + Self.definitions)
        #expect(validate.status == .success, "\(validate.out)")
    }

    @Test func aMissingPathIsAUsageError() {
        let result = runCasework(["test", "/no/such/scenarios"] + Self.definitions.flatMap { ["--definitions", $0] })
        #expect(result.status == .usage)
        #expect(result.err.contains("no such file or directory: /no/such/scenarios"))
    }

    @Test func invalidDefinitionsRunNoScenario() throws {
        let workspace = try CommandWorkspace(["broken.yaml": "workflow: broken\nversion: 1\n"])
        let result = runCasework(["test", Self.directory.appendingPathComponent("passing.test.yaml").path, "--definitions", workspace.definitions])
        #expect(result.status == .failure)
        #expect(result.out.hasSuffix("the definitions have errors, so no scenario ran: run 'casework validate'\n"))
    }
}

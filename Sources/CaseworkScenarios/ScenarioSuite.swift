import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkYAML

/// How one scenario went.
public struct ScenarioOutcome: Sendable, Hashable {
    /// The file it is in.
    public var file: String
    /// Its name (`scenario:`).
    public var name: String
    /// The line its name is on.
    public var line: Int
    /// True when its file read and it checked without errors, and every expectation held.
    public var passed: Bool
    /// How many problems it has: check errors, or failed expectations (its file's reading problems are not counted here).
    public var failures: Int
}

/// What running scenario files found: every diagnostic, and each scenario's outcome.
public struct ScenarioReport: Sendable {
    /// Every problem, sorted by file and position: the files' YAML and structure, unknown names, failed expectations.
    public var diagnostics: [Diagnostic]
    /// Each scenario, in file order.
    public var scenarios: [ScenarioOutcome]
    /// The files read, in order.
    public var files: [String]
    /// Each file's text, for source excerpts in diagnostics.
    public var sources: [String: String]

    /// True when any file has an error or any scenario failed.
    public var hasFailures: Bool { diagnostics.contains { $0.severity == .error } || scenarios.contains { !$0.passed } }
}

/// The three stages over scenario files, in order: decode (``ScenarioDecoder``), check against the definitions
/// (``ScenarioChecker``), run what checked cleanly (``ScenarioRunner``).
package enum ScenarioSuite {
    /// Runs the `*.test.yaml` files under `paths` (a file named directly is read whatever its name) on `catalog`.
    package static func run(paths: [String], catalog: DefinitionCatalog) throws(DefinitionFiles.MissingPath) -> ScenarioReport {
        let files = try DefinitionFiles.discover(paths, scenarios: true)
        return run(files.map { file in
            let (result, text) = YAMLLoader.loadWithText(path: file)
            return (file, result, text)
        }, catalog: catalog)
    }

    /// Runs scenario files given as text, each named by the path diagnostics should show.
    package static func run(sources: [(file: String, text: String)], catalog: DefinitionCatalog) -> ScenarioReport {
        run(sources.map { ($0.file, YAMLLoader.load(Array($0.text.utf8), file: $0.file), $0.text) }, catalog: catalog)
    }

    private static func run(_ loaded: [(file: String, result: YAMLLoadResult, text: String)], catalog: DefinitionCatalog) -> ScenarioReport {
        var diagnostics: [Diagnostic] = []
        var outcomes: [ScenarioOutcome] = []
        let runner = ScenarioRunner(catalog: catalog)
        for (file, result, text) in loaded {
            diagnostics += result.errors.map { Diagnostic($0, source: text) }
            guard let root = result.root else { continue }
            let (decoded, problems) = root.withView { ScenarioDecoder.decode($0, file: file) }
            diagnostics += problems
            // A file that did not read cleanly runs none of its scenarios: a step it could not read would be missing.
            let readCleanly = result.errors.isEmpty && !problems.contains { $0.severity == .error }
            for scenario in decoded.scenarios {
                let checked = ScenarioChecker.check(scenario, catalog: catalog)
                let runs = readCleanly && !checked.contains { $0.severity == .error }
                let failed = runs ? checked + runner.run(scenario) : checked
                diagnostics += failed
                outcomes.append(ScenarioOutcome(file: file, name: scenario.name.value, line: scenario.name.range.start.line,
                                                passed: runs && !failed.contains { $0.severity == .error }, failures: failed.count))
            }
        }
        return ScenarioReport(diagnostics: Diagnostic.sortedForOutput(diagnostics), scenarios: outcomes, files: loaded.map(\.file),
                              sources: Dictionary(loaded.map { ($0.file, $0.text) }, uniquingKeysWith: { first, _ in first }))
    }
}

import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkHandbook
import CaseworkScenarios
import CaseworkTime
import CaseworkYAML
import Foundation
import Synchronization

/// `casework docs --out DIR [--definitions PATH]...`: the static HTML handbook of the checked definitions and their
/// scenario files, for policy staff, managers and auditors (``Handbook``).
///
/// Only definitions that validate, and scenario files that read cleanly, are written up: the handbook says what the
/// files say, so a file with errors stops it, with the diagnostics `validate` or `test` would print. Each workflow is
/// drawn by Graphviz's `dot -Tsvg` when `dot` is on `PATH`; without it, its page shows the DOT text and a note.
enum DocsCommand {
    /// Runs `docs` with the arguments after it.
    static func run(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["docs"].spec)
        guard parsed.positionals.isEmpty else {
            throw UsageError("'docs' takes no arguments, found \(parsed.positionals.map { "'\(TerminalText.escape($0))'" }.joined(separator: " "))",
                             help: "name the definitions with --definitions PATH")
        }
        guard let directory = try parsed.single("--out") else { throw UsageError("missing --out DIR", help: "name the directory to write the handbook into") }
        let paths = parsed.values["--definitions"] ?? ValidateCommand.defaultPaths()
        let report: ValidationReport
        let scenarioFiles: [String]
        do throws(DefinitionFiles.MissingPath) {
            report = try Validator.validate(paths: paths)
            scenarioFiles = try DefinitionFiles.discover(paths, scenarios: true)
        } catch {
            throw UsageError(error.description, help: "name a definition file or directory with --definitions PATH")
        }
        guard !report.hasErrors else {
            console.out(DiagnosticRenderer.text(report.diagnostics, sources: report.sources)
                        + "the definitions have errors, so no handbook was written: run 'casework validate'\n")
            return .failure
        }
        var scenarios: [ScenarioFile] = []
        var problems: [Diagnostic] = []
        var sources: [String: String] = [:]
        for file in scenarioFiles {
            let (result, text) = YAMLLoader.loadWithText(path: file)
            sources[file] = text
            problems += result.errors.map { Diagnostic($0, source: text) }
            guard let root = result.root else { continue }
            let (decoded, found) = root.withView { ScenarioDecoder.decode($0, file: file) }
            problems += found
            scenarios.append(decoded)
        }
        guard !problems.contains(where: { $0.severity == .error }) else {
            console.out(DiagnosticRenderer.text(Diagnostic.sortedForOutput(problems), sources: sources)
                        + "a scenario file has errors, so no handbook was written: run 'casework test'\n")
            return .failure
        }
        let year = CalendarDate(Date()).year
        var policies: [String: CompiledPolicy] = [:]
        do throws(EngineError) {
            for policy in report.definitions.policies {
                policies[policy.id.value] = try CompiledPolicy(policy, checked: report.policyExpressions[policy.id.value], in: report.definitions)
            }
        } catch {
            console.err("error: \(error)\n")
            return .failure
        }
        let handbook = Handbook(definitions: report.definitions, scenarios: scenarios, years: [year, year + 1], policies: policies)
        let dot = Graphviz.executable
        if dot == nil { console.err("warning: Graphviz's dot is not on PATH, so each workflow page shows its diagram as DOT text\n") }
        return write(handbook.files { text in dot.flatMap { Graphviz.svg(text, executable: $0) } }, to: directory, console: console)
    }

    private static func write(_ files: [HandbookFile], to directory: String, console: some Console) -> ExitStatus {
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for file in files { try Data(file.contents.utf8).write(to: folder.appendingPathComponent(file.name)) }
        } catch {
            console.err("error: cannot write the handbook into \(TerminalText.escape(directory)): \(error.localizedDescription)\n")
            return .failure
        }
        let index = directory.hasSuffix("/") ? directory + "index.html" : directory + "/index.html"
        console.out("wrote \(files.count) files; open \(TerminalText.escape(index))\n")
        return .success
    }
}

/// Graphviz's `dot`, found on `PATH`, turning DOT into SVG.
enum Graphviz {
    /// `dot` on `PATH`, or nil.
    static var executable: URL? {
        (ProcessEnvironment.value("PATH") ?? "").split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent("dot") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// `text` drawn by `dot -Tsvg`, or nil when dot fails or writes no SVG.
    static func svg(_ text: String, executable: URL) -> String? {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["-Tsvg"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        // Read while dot writes, so neither side waits on a full pipe.
        let collected = Mutex(Data())
        let reader = DispatchGroup()
        reader.enter()
        DispatchQueue.global().async {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            collected.withLock { $0 = data }
            reader.leave()
        }
        input.fileHandleForWriting.write(Data(text.utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        reader.wait()
        let svg = String(decoding: collected.withLock { $0 }, as: UTF8.self)
        return process.terminationStatus == 0 && svg.contains("</svg>") ? svg : nil
    }
}

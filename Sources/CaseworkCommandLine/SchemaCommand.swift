import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkScenarios
import Foundation

/// `casework schema [KIND] [--out DIR]`: the JSON Schema of a kind of file, for editors that complete and check keys
/// as policy staff type (yaml-language-server); without KIND, the kinds; with `--out`, the files `docs/schema/` ships.
///
/// The schemas are made from the decoders' own key tables, so nothing is read from disk: the definition kinds' by
/// ``SchemaKind``, the scenario's by ``ScenarioSchema``, whose decoder is above `CaseworkDefinitions`.
enum SchemaCommand {
    /// The schema of `kind` as pretty JSON, the same bytes every time.
    static func text(_ kind: SchemaKind) -> String { kind.definitionText ?? ScenarioSchema.text }

    /// Runs `schema` with the arguments after it.
    static func run(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["schema"].spec)
        guard parsed.positionals.count <= 1 else {
            throw UsageError("expected at most one KIND, found \(parsed.positionals.map { "'\(TerminalText.escape($0))'" }.joined(separator: " "))")
        }
        var kinds = SchemaKind.allCases
        if let word = parsed.positionals.first { kinds = [try kind(word)] }
        if let directory = try parsed.single("--out") {
            return write(kinds, to: directory, console: console)
        }
        guard parsed.positionals.isEmpty else {
            console.out(text(kinds[0]))
            return .success
        }
        let width = SchemaKind.allCases.map(\.rawValue.count).max() ?? 0
        let lines = SchemaKind.allCases.map { $0.rawValue.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.summary }
        console.out(lines.joined(separator: "\n") + "\n")
        return .success
    }

    private static func kind(_ word: String) throws(UsageError) -> SchemaKind {
        if let kind = SchemaKind(rawValue: word) { return kind }
        let offered = SchemaKind.allCases.map(\.rawValue)
        throw UsageError("unknown kind '\(TerminalText.escape(word))'",
                         help: NameSuggester.suggest(word, from: offered).map { "did you mean '\($0)'?" } ?? "use one of \(offered.joined(separator: ", "))")
    }

    private static func write(_ kinds: [SchemaKind], to directory: String, console: some Console) -> ExitStatus {
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            console.err("error: cannot make \(TerminalText.escape(directory)): \(error.localizedDescription)\n")
            return .failure
        }
        for kind in kinds {
            let file = folder.appendingPathComponent(kind.fileName)
            let shown = directory.hasSuffix("/") ? directory + kind.fileName : directory + "/" + kind.fileName
            do {
                try Data(text(kind).utf8).write(to: file)
            } catch {
                console.err("error: cannot write \(TerminalText.escape(shown)): \(error.localizedDescription)\n")
                return .failure
            }
            console.out("wrote \(TerminalText.escape(shown))\n")
        }
        return .success
    }
}

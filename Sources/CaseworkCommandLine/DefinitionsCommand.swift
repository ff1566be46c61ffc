import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// `casework definitions list`: the definition versions and snapshots in the store, and how many open cases use each.
enum DefinitionsCommand {
    /// Runs `definitions list` with the arguments after it.
    static func run(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["definitions", "list"].spec)
        _ = try CaseCommand.positionals(parsed, [])
        let options = try EngineOptions(parsed)
        return EngineRun.run(console: console) { () throws(EngineError) in
            let usage = try options.engine().definitionUsage(as: options.actor)
            console.out(options.format == .json ? JSONOutput.render(json(usage)) : text(usage))
            return .success
        }
    }

    /// The first twelve characters of a fingerprint, enough to tell snapshots apart in text.
    static func short(_ fingerprint: String) -> String { String(fingerprint.prefix(12)) }

    private static func cases(_ count: Int) -> String { "\(count) open case\(count == 1 ? "" : "s")" }

    static func json(_ usage: DefinitionUsage) -> [String: Any] {
        [
            "definitions": usage.versions.map { entry -> [String: Any] in
                ["kind": entry.version.kind, "id": entry.version.id, "version": entry.version.version,
                 "fingerprint": entry.version.fingerprint, "open_cases": entry.openCases]
            },
            "snapshots": usage.snapshots.map { entry -> [String: Any] in
                ["fingerprint": entry.snapshot.fingerprint, "open_cases": entry.openCases, "current": entry.isCurrent,
                 "members": entry.snapshot.members.map { ["kind": $0.kind, "id": $0.id, "version": $0.version] }]
            },
            "current": usage.current,
            "unpinned_open_cases": usage.unpinnedOpenCases,
        ]
    }

    static func text(_ usage: DefinitionUsage) -> String {
        var text = "definition versions:\n"
        for entry in usage.versions {
            text += "  \(entry.version.kind) \(entry.version.id) version \(entry.version.version): \(cases(entry.openCases))\n"
        }
        text += "snapshots:\n"
        for entry in usage.snapshots {
            let workflows = entry.snapshot.members.filter { $0.kind == "workflow" }.map { "\($0.id) \($0.version)" }.joined(separator: ", ")
            text += "  \(short(entry.snapshot.fingerprint)): \(cases(entry.openCases))\(entry.isCurrent ? ", current" : "") (\(workflows))\n"
        }
        if !usage.snapshots.contains(where: \.isCurrent) { text += "  \(short(usage.current)): current, no case opened on it yet\n" }
        if usage.unpinnedOpenCases > 0 { text += "from before snapshots: \(cases(usage.unpinnedOpenCases))\n" }
        return text
    }
}

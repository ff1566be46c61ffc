import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// `casework case migrate CASE --to VERSION [--map FILE] [--dry-run]`: moves a case to the current version of its workflow.
enum MigrateCommand {
    static func run(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["case", "migrate"].spec)
        let options = try EngineOptions(parsed)
        let caseID = try CaseCommand.positionals(parsed, ["CASE"])[0]
        guard let target = try parsed.single("--to") else { throw UsageError("say which version to move the case to", help: "add --to VERSION") }
        guard let version = Int(target), version >= 1 else { throw UsageError("--to needs a version number of 1 or more, found '\(TerminalText.escape(target))'") }
        var mapText: (file: String, text: String)?
        if let file = try parsed.single("--map") {
            switch OperatorTextFile.read(file) {
            case .success(let contents): mapText = (file, contents)
            case .failure(.unreadable):
                throw UsageError("cannot read the map file '\(TerminalText.escape(file))'", help: "give a YAML or JSON file with states: and fields:")
            case .failure(let refusal): throw UsageError("the map file '\(TerminalText.escape(file))' \(refusal)")
            }
        }
        let dryRun = parsed.flags.contains("--dry-run")
        return EngineRun.run(console: console) { () throws(EngineError) in
            let mapping = try mapText.map { (map: (file: String, text: String)) throws(EngineError) in try MigrationMapping.parse(map.text, file: map.file) }
                ?? MigrationMapping()
            let engine = try options.engine()
            let plan = try engine.migrate(caseID: caseID, to: version, mapping: mapping, as: options.actor, dryRun: dryRun)
            console.out(options.format == .json ? JSONOutput.render(json(plan)) : text(plan))
            return .success
        }
    }

    /// The plan as JSON: `case`, `workflow`, both versions, snapshots and states, `moved_fields`, `applied`, `revision`.
    static func json(_ plan: MigrationPlan) -> [String: Any] {
        [
            "case": plan.caseID, "workflow": plan.workflow, "from_version": plan.fromVersion, "to_version": plan.toVersion,
            "from_snapshot": plan.fromSnapshot ?? NSNull(), "to_snapshot": plan.toSnapshot, "from_state": plan.fromState, "to_state": plan.toState,
            "moved_fields": plan.movedFields.map { ["from": $0.from, "to": $0.to] }, "applied": plan.applied, "revision": plan.revision,
        ]
    }

    /// The plan in words: what moved, and whether anything changed.
    static func text(_ plan: MigrationPlan) -> String {
        var text = plan.applied
            ? "\(plan.caseID): moved from \(plan.workflow) version \(plan.fromVersion) to version \(plan.toVersion) (revision \(plan.revision))\n"
            : "\(plan.caseID): would move from \(plan.workflow) version \(plan.fromVersion) to version \(plan.toVersion) (dry run: nothing changed)\n"
        text += "  state: \(plan.fromState)\(plan.toState == plan.fromState ? "" : " -> \(plan.toState)")\n"
        for move in plan.movedFields { text += "  field: \(move.from) -> \(move.to)\n" }
        text += "  definitions: \(plan.fromSnapshot.map(DefinitionsCommand.short) ?? "from before snapshots") -> \(DefinitionsCommand.short(plan.toSnapshot))\n"
        return text
    }
}

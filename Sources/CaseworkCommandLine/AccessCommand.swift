import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// `casework access grant|revoke`: the SEND service's case-by-case access decisions, recorded with the case and audited.
enum AccessCommand {
    /// Runs `access grant` or `access revoke` with the arguments after it.
    static func run(_ action: String, _ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["access", action].spec)
        guard parsed.values["--as"] != nil else { throw UsageError("say who is acting", help: "add --as ROLE:ID, such as --as send_manager:sam") }
        guard let toText = try parsed.single("--to") else { throw UsageError("say whose access changes", help: "add --to ID") }
        guard let to = Principal.parsed(toText) else {
            throw UsageError("'\(TerminalText.escape(toText))' is not a principal", help: "write a person's id, person:ID or organisation:ID")
        }
        let key = try parsed.single("--key")
        guard let reason = try parsed.single("--reason") else { throw UsageError("say why", help: "add --reason \"...\"") }
        let options = try EngineOptions(parsed)
        let caseID = try CaseCommand.positionals(parsed, ["CASE"])[0]
        var grant = AccessGrant(to: to, level: "")
        if action == "grant" {
            guard let level = try parsed.single("--level") else { throw UsageError("say which level", help: "add --level LEVEL, such as --level limited") }
            grant.level = level
            grant.sections = try parsed.single("--sections").map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            for (option, keyPath) in [("--from", \AccessGrant.from), ("--until", \AccessGrant.until)] {
                guard let date = try parsed.date(option) else { continue }
                grant[keyPath: keyPath] = date
            }
        }
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.engine()
            let attributes = try options.attributes(in: engine.catalog)
            let result = action == "grant"
                ? try engine.grantAccess(caseID: caseID, grant: grant, as: options.actor, attributes: attributes, reason: reason, idempotencyKey: key)
                : try engine.revokeAccess(caseID: caseID, to: to, as: options.actor, attributes: attributes, reason: reason, idempotencyKey: key)
            let level = result.record.grants.first { $0.to == to }?.level
            let note = result.replayed ? " (already done with this key; nothing changed)" : ""
            console.out("\(caseID): \(to) \(level.map { "has \($0) access" } ?? "has no grant") (revision \(result.record.revision))\(note)\n")
            return .success
        }
    }
}

/// Reads `--attribute NAME=VALUE` by the types the set's policies declare for actors. The attributes describe the actor,
/// whichever case they act on, so every policy that declares a name must give it one type; the policy that guards the
/// case decides what they mean.
enum ActorAttributes {
    static func parse(_ assignments: [String], catalog: DefinitionCatalog) throws(EngineError) -> [String: ExpressionValue] {
        guard !assignments.isEmpty else { return [:] }
        var declared: [String: FieldType] = [:]
        var conflicting: Set<String> = []
        for policy in catalog.policies.values {
            for (name, type) in FieldValues.types(of: policy.definition.actorAttributes) {
                if let existing = declared[name], existing != type { conflicting.insert(name) }
                declared[name] = type
            }
        }
        var values: [String: ExpressionValue] = [:]
        var problems: [InputProblem] = []
        var given = Set<String>()
        for assignment in assignments {
            let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
            // An attribute given twice (two `--attribute`s, or two headers a service sent) is refused, never read as
            // the value given last.
            if parts.count == 2, !given.insert(parts[0]).inserted {
                let repeated = InputProblem(field: "attribute.\(parts[0])", message: "is given more than once; give each attribute once")
                if !problems.contains(repeated) { problems.append(repeated) }
                continue
            }
            guard parts.count == 2, let type = declared[parts[0]], !conflicting.contains(parts[0]) else {
                let name = parts.first ?? assignment
                let message = conflicting.contains(name) ? "the policies give this attribute different types"
                    : "not an actor attribute of the policies (they have \(declared.keys.sorted().joined(separator: ", ")))"
                problems.append(InputProblem(field: "attribute.\(name)", message: message))
                continue
            }
            switch FieldValues.parse(parts[1], as: type) {
            case .success(let value): values[parts[0]] = value
            case .failure(let problem): problems.append(InputProblem(field: "attribute.\(parts[0])", message: problem.message))
            }
        }
        guard problems.isEmpty else { throw .invalidInput(problems) }
        return values
    }
}

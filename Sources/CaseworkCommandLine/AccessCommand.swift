import Foundation
import Casework

/// `casework access grant|revoke`: the SEND service's case-by-case access decisions, recorded with the case and audited.
enum AccessCommand {
    static let usage = """
        casework access grant CASE --to ID --level LEVEL [--sections S,S] [--from DATE] [--until DATE] --reason TEXT --as ROLE:ID [--attribute NAME=VALUE]...
               casework access revoke CASE --to ID --reason TEXT --as ROLE:ID [--attribute NAME=VALUE]...
               (also --db FILE, --definitions PATH)
        """
    static let spec = OptionSpec(valued: EngineOptions.valued + ["--to", "--level", "--sections", "--from", "--until", "--reason", "--attribute"], flags: ["--help", "-h"])

    static func run(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        guard let action = arguments.first, action == "grant" || action == "revoke" else {
            throw UsageError("say grant or revoke", help: "casework access grant|revoke CASE ...")
        }
        let parsed = try ParsedArguments(Array(arguments.dropFirst()), spec: spec)
        if parsed.wantsHelp {
            console.out("usage: \(usage)\n")
            return .success
        }
        guard parsed.values["--as"] != nil else { throw UsageError("say who is acting", help: "add --as ROLE:ID, such as --as send_manager:sam") }
        guard let to = try parsed.single("--to") else { throw UsageError("say whose access changes", help: "add --to ID") }
        guard let reason = try parsed.single("--reason") else { throw UsageError("say why", help: "add --reason \"...\"") }
        let options = try EngineOptions(parsed)
        let caseID = try CaseCommand.positionals(parsed, ["CASE"])[0]
        var grant = AccessGrant(to: to, level: "")
        if action == "grant" {
            guard let level = try parsed.single("--level") else { throw UsageError("say which level", help: "add --level LEVEL, such as --level limited") }
            grant.level = level
            grant.sections = try parsed.single("--sections").map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            for (option, keyPath) in [("--from", \AccessGrant.from), ("--until", \AccessGrant.until)] {
                guard let text = try parsed.single(option) else { continue }
                guard let date = CalendarDate(text) else { throw UsageError("\(option) needs a date as YYYY-MM-DD, found '\(text)'") }
                grant[keyPath: keyPath] = date
            }
        }
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.engine()
            let attributes = try ActorAttributes.parse(parsed.values["--attribute"] ?? [], catalog: engine.catalog)
            let result = action == "grant"
                ? try engine.grantAccess(caseID: caseID, grant: grant, as: options.actor, attributes: attributes, reason: reason)
                : try engine.revokeAccess(caseID: caseID, to: to, as: options.actor, attributes: attributes, reason: reason)
            let level = result.record.grants.first { $0.to == to }?.level
            console.out("\(caseID): \(to) \(level.map { "has \($0) access" } ?? "has no grant") (revision \(result.record.revision))\n")
            return .success
        }
    }
}

/// Reads `--attribute NAME=VALUE` by the types the set's policy declares for actors.
enum ActorAttributes {
    static func parse(_ assignments: [String], catalog: DefinitionCatalog) throws(EngineError) -> [String: ExpressionValue] {
        guard !assignments.isEmpty else { return [:] }
        guard let policy = catalog.policies.values.first, catalog.policies.count == 1 else {
            throw .invalidInput([InputProblem(field: "attribute", message: "actor attributes need exactly one access policy in the definitions")])
        }
        let declared = FieldValues.types(of: policy.definition.actorAttributes)
        var values: [String: ExpressionValue] = [:]
        var problems: [InputProblem] = []
        for assignment in assignments {
            let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let type = declared[parts[0]] else {
                problems.append(InputProblem(field: parts.first ?? assignment, message: "not an actor attribute of policy '\(policy.definition.id.value)' (it has \(declared.keys.sorted().joined(separator: ", ")))"))
                continue
            }
            switch FieldValues.parse(parts[1], as: type) {
            case .success(let value): values[parts[0]] = value
            case .failure(let problem): problems.append(InputProblem(field: parts[0], message: problem.message))
            }
        }
        guard problems.isEmpty else { throw .invalidInput(problems) }
        return values
    }
}

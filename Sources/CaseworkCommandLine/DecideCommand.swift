import Foundation
import Casework

/// `casework decide REQUEST.json [--policy NAME] [--format json]`: one access decision, explained.
enum DecideCommand {
    static let usage = "casework decide REQUEST.json [--policy NAME] [--format json] [--definitions PATH]"
    static let spec = OptionSpec(valued: ["--policy", "--format", "--definitions"], flags: ["--help", "-h"])

    static func run(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: spec)
        if parsed.wantsHelp {
            console.out("usage: \(usage)\n")
            return .success
        }
        guard parsed.positionals.count == 1 else { throw UsageError("name one request file, such as: casework decide request.json") }
        let format = try OutputFormat.parse(try parsed.single("--format"))
        let policyName = try parsed.single("--policy")
        let path = parsed.positionals[0]
        return EngineRun.run(console: console) { () throws(EngineError) in
            let catalog = try DefinitionCatalog.load(paths: parsed.values["--definitions"] ?? ValidateCommand.defaultPaths())
            let policy: CompiledPolicy
            if let policyName {
                guard let found = catalog.policies[policyName] else {
                    throw .invalidInput([InputProblem(field: "policy", message: "no policy '\(policyName)'"
                        + (NameSuggester.suggest(policyName, from: catalog.policies.keys.sorted()).map { "; did you mean '\($0)'?" } ?? ""))])
                }
                policy = found
            } else {
                guard catalog.policies.count == 1, let only = catalog.policies.values.first else {
                    throw .invalidInput([InputProblem(field: "policy", message: catalog.policies.isEmpty ? "the definitions hold no policy"
                        : "choose one with --policy: \(catalog.policies.keys.sorted().joined(separator: ", "))")])
                }
                policy = only
            }
            let request = try AccessRequestReader.read(path: path, policy: policy.definition, catalog: catalog)
            let decision = policy.decide(request)
            if format == .json {
                console.out(JSONOutput.render([
                    "decision": decision.allowed ? "allow" : "deny",
                    "matched": decision.matched,
                    "redact": decision.redact,
                    "reasons": decision.reasons,
                    "trace": decision.trace.map { ["rule": $0.rule, "matched": $0.matched, "why": $0.why] },
                ] as [String: Any]))
            } else {
                var text = "\(decision.allowed ? "allow" : "deny"): \(request.actor) may\(decision.allowed ? "" : " not") \(request.action) \(request.resource) on case \(request.caseID)\n"
                for reason in decision.reasons { text += "  because \(reason)\n" }
                if !decision.redact.isEmpty { text += "  withheld: \(decision.redact.joined(separator: ", "))\n" }
                text += "  rules considered:\n"
                for step in decision.trace { text += "    \(step.matched ? "+" : "-") \(step.rule): \(step.why)\n" }
                console.out(text)
            }
            return .success
        }
    }
}

/// Reads an access request from JSON, typing its values by the policy's actor attributes and the case's workflow fields.
enum AccessRequestReader {
    static func read(path: String, policy: PolicyDefinition, catalog: DefinitionCatalog) throws(EngineError) -> AccessRequest {
        func bad(_ message: String) -> EngineError { .invalidInput([InputProblem(field: "request", message: message)]) }
        guard let data = FileManager.default.contents(atPath: path) else { throw bad("cannot read '\(path)'") }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { throw bad("'\(path)' is not a JSON object") }
        guard let actorJSON = root["actor"] as? [String: Any], let actorID = actorJSON["id"] as? String, let role = actorJSON["role"] as? String else {
            throw bad("'actor' needs 'id' and 'role'")
        }
        guard let action = root["action"] as? String else { throw bad("'action' is missing") }
        guard let resource = root["resource"] as? String else { throw bad("'resource' is missing") }
        guard let caseJSON = root["case"] as? [String: Any], let workflowID = caseJSON["workflow"] as? String, let state = caseJSON["state"] as? String else {
            throw bad("'case' needs 'workflow' and 'state'")
        }
        guard let workflow = catalog.workflows[workflowID]?.definition else { throw bad("no workflow '\(workflowID)'") }
        var problems: [InputProblem] = []
        var attributes: [String: ExpressionValue] = [:]
        let declared = FieldValues.types(of: policy.actorAttributes)
        for (name, value) in actorJSON where name != "id" && name != "role" {
            guard let type = declared[name] else {
                problems.append(InputProblem(field: "actor.\(name)", message: "the policy declares no such actor attribute"))
                continue
            }
            switch FieldValues.fromJSON(value, as: type) {
            case .success(let typed): attributes[name] = typed
            case .failure(let problem): problems.append(InputProblem(field: "actor.\(name)", message: problem.message))
            }
        }
        let fieldTypes = FieldValues.types(of: workflow.fields)
        var fields: [String: ExpressionValue] = [:]
        func walk(_ object: [String: Any], prefix: String) {
            for (name, value) in object {
                let path = prefix + name
                if let nested = value as? [String: Any], fieldTypes[path] == nil {
                    walk(nested, prefix: path + ".")
                    continue
                }
                guard let type = fieldTypes[path] else {
                    problems.append(InputProblem(field: "case.fields.\(path)", message: "workflow '\(workflowID)' has no such field"))
                    continue
                }
                switch FieldValues.fromJSON(value, as: type) {
                case .success(let typed): fields[path] = typed
                case .failure(let problem): problems.append(InputProblem(field: "case.fields.\(path)", message: problem.message))
                }
            }
        }
        walk(caseJSON["fields"] as? [String: Any] ?? [:], prefix: "")
        var grants: [AccessGrant] = []
        for (index, item) in ((root["grants"] as? [Any]) ?? []).enumerated() {
            guard let grant = item as? [String: Any], let to = grant["to"] as? String, let level = grant["level"] as? String else {
                problems.append(InputProblem(field: "grants[\(index)]", message: "needs 'to' and 'level'"))
                continue
            }
            if !policy.levels.contains(where: { $0.value == level }) {
                problems.append(InputProblem(field: "grants[\(index)].level", message: "'\(level)' is not a level of policy '\(policy.id.value)'"))
            }
            let from = (grant["from"] as? String).flatMap { CalendarDate($0) }
            let until = (grant["until"] as? String).flatMap { CalendarDate($0) }
            guard let principal = Principal(parsing: to) else {
                problems.append(InputProblem(field: "grants[\(index)].to", message: "'\(to)' is not a person's id, person:ID or organisation:ID"))
                continue
            }
            grants.append(AccessGrant(to: principal, level: level, sections: grant["sections"] as? [String], from: from, until: until))
        }
        var at = Date()
        if let text = root["at"] as? String {
            if let instant = try? Date(text, strategy: .iso8601) { at = instant } else if let day = CalendarDate(text) { at = day.start() } else {
                problems.append(InputProblem(field: "at", message: "'\(text)' is not a date or an ISO 8601 date and time"))
            }
        }
        guard problems.isEmpty else { throw .invalidInput(problems) }
        return AccessRequest(actor: Actor(role: role, id: actorID), attributes: attributes, action: action, resource: resource,
                             caseID: caseJSON["id"] as? String ?? "(unnamed)", workflow: workflowID, state: state, fields: fields, grants: grants, at: at)
    }
}

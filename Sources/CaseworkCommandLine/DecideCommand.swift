import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// `casework decide REQUEST.json [--policy NAME] [--format json]`: one access decision, explained;
/// `casework decide --batch FILE|-`: one decision per request line, streamed.
enum DecideCommand {
    static func run(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["decide"].spec)
        let formatName = try parsed.single("--format")
        let format = try OutputFormat.parse(formatName)
        let policyName = try parsed.single("--policy")
        let batch = try parsed.single("--batch")
        if batch != nil {
            guard parsed.positionals.isEmpty else { throw UsageError("--batch reads every request from its file; name no request file as well") }
            guard formatName == nil || format == .json else { throw UsageError("--batch writes one JSON decision per line; it has no text format") }
        } else {
            guard parsed.positionals.count == 1 else { throw UsageError("name one request file, such as: casework decide request.json") }
        }
        return EngineRun.run(console: console) { () throws(EngineError) in
            let catalog = try CommandCatalog.load(paths: parsed.values["--definitions"] ?? ValidateCommand.defaultPaths(),
                                                 cache: DefinitionCacheSetting.cache(parsed))
            let policy = try choosePolicy(policyName, in: catalog)
            let reader = AccessRequestReader(policy: policy, catalog: catalog)
            if let batch { return try DecideBatch.run(path: batch, reader: reader, console: console) }
            let request = try reader.read(path: parsed.positionals[0])
            let decision = policy.decide(request)
            if format == .json {
                console.out(JSONOutput.render(json(decision)))
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

    /// The policy named by `--policy`, or the only one in the definitions.
    static func choosePolicy(_ name: String?, in catalog: DefinitionCatalog) throws(EngineError) -> CompiledPolicy {
        if let name {
            guard let found = catalog.policies[name] else {
                throw .invalidInput([InputProblem(field: "policy", message: "no policy '\(name)'"
                    + (NameSuggester.suggest(name, from: catalog.policies.keys.sorted()).map { "; did you mean '\($0)'?" } ?? ""))])
            }
            return found
        }
        guard catalog.policies.count == 1, let only = catalog.policies.values.first else {
            throw .invalidInput([InputProblem(field: "policy", message: catalog.policies.isEmpty ? "the definitions hold no policy"
                : "choose one with --policy: \(catalog.policies.keys.sorted().joined(separator: ", "))")])
        }
        return only
    }

    /// A decision as JSON, with the fixed keys `decision`, `matched`, `redact`, `reasons` and `trace`.
    static func json(_ decision: AccessDecision) -> [String: Any] {
        [
            "decision": decision.allowed ? "allow" : "deny",
            "matched": decision.matched,
            "redact": decision.redact,
            "reasons": decision.reasons,
            "trace": decision.trace.map { ["rule": $0.rule, "matched": $0.matched, "why": $0.why] },
        ]
    }
}

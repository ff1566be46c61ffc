import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime

/// `casework form submit|accept|reject`: the professional form cycle from the command line.
enum FormCommand {
    /// Runs `form submit`, `accept` or `reject` with the arguments after it.
    static func run(_ subcommand: String, _ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["form", subcommand].spec)
        guard parsed.values["--as"] != nil else { throw UsageError("say who is acting", help: "add --as ROLE@ORG or ROLE:ID, such as --as health@nhs-trust") }
        let options = try EngineOptions(parsed)
        let names = try CaseCommand.positionals(parsed, ["CASE", "FORM_ID"])
        let key = try parsed.single("--key")
        var expected: Int?
        if let text = try parsed.single("--expect-revision") {
            guard let revision = Int(text), revision >= 1 else { throw UsageError("--expect-revision needs a whole number of 1 or more, found '\(text)'") }
            expected = revision
        }
        let reason = try parsed.single("--reason")
        if subcommand == "reject", reason == nil { throw UsageError("say what information is required", help: "add --reason \"...\"") }
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.engine()
            let attributes = try options.attributes(in: engine.catalog)
            let result: ChangeResult
            switch subcommand {
            case "submit":
                let form = try engine.formDefinition(caseID: names[0], instance: names[1], as: options.actor, attributes: attributes)
                let fields = try FieldArguments.parse(parsed.values["--set"] ?? [], fields: form.fields)
                result = try engine.submitForm(caseID: names[0], instance: names[1], as: options.actor, fields: fields, expectedRevision: expected, idempotencyKey: key, attributes: attributes)
            case "accept":
                result = try engine.acceptForm(caseID: names[0], instance: names[1], as: options.actor, expectedRevision: expected, idempotencyKey: key,
                                               attributes: attributes)
            default:
                result = try engine.rejectForm(caseID: names[0], instance: names[1], as: options.actor, informationRequired: reason ?? "",
                                               expectedRevision: expected, idempotencyKey: key, attributes: attributes)
            }
            let status = result.record.forms.first { $0.id == names[1] }?.status.rawValue ?? "?"
            console.out("\(names[1]) on \(result.record.id): \(status) (case revision \(result.record.revision))\n")
            return .success
        }
    }
}

import Casework

/// `casework audit verify [CASE]`: walks the hash chains and names the first event that does not hold.
/// `audit checkpoint` and `audit verify --checkpoints` are in ``AuditCheckpointCommand``.
enum AuditCommand {
    static let usage = """
        casework audit verify [CASE] [--as ROLE:ID [--attribute NAME=VALUE]...] [--checkpoints DIR --public-key KEY.pub] [--db FILE] [--definitions PATH]  (every case, checkpoints: the operator only)
                 \(AuditCheckpointCommand.usage)
        """
    static let spec = OptionSpec(valued: EngineOptions.valued + AuditCheckpointCommand.Options.valued, flags: ["--help", "-h"])

    static func run(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        if arguments.first == "checkpoint" { return try AuditCheckpointCommand.checkpoint(Array(arguments.dropFirst()), console: console) }
        guard arguments.first == "verify" else {
            throw UsageError("unknown audit command '\(arguments.first ?? "")'", help: "casework audit verify [CASE] or casework audit checkpoint --key KEY.pem")
        }
        let parsed = try ParsedArguments(Array(arguments.dropFirst()), spec: spec)
        if parsed.wantsHelp {
            console.out("usage: \(usage)\n")
            return .success
        }
        guard parsed.positionals.count <= 1 else { throw UsageError("name at most one case") }
        let options = try EngineOptions(parsed)
        if let checkpoints = try AuditCheckpointCommand.Options(parsed) {
            return try AuditCheckpointCommand.verify(cases: parsed.positionals, options: options, checkpoints: checkpoints, console: console)
        }
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.engine()
            let attributes = try options.attributes(in: engine.catalog)
            let cases = try parsed.positionals.isEmpty ? engine.caseIDs(as: options.actor) : parsed.positionals
            var intact = 0
            for caseID in cases {
                switch try engine.verifyAudit(caseID, as: options.actor, attributes: attributes) {
                case .intact(let events):
                    intact += 1
                    if cases.count == 1 { console.out("case \(caseID): \(events) events, chain intact\n") }
                case .broken(let sequence, let reason):
                    console.out("case \(caseID): event \(sequence) does not match: \(reason)\n")
                    return .failure
                }
            }
            if cases.count != 1 { console.out("\(intact) cases, every chain intact\n") }
            return .success
        }
    }
}

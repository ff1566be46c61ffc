import Casework

/// `casework audit verify [CASE]`: walks the hash chains and names the first event that does not hold.
enum AuditCommand {
    static let usage = "casework audit verify [CASE] [--as ROLE:ID [--attribute NAME=VALUE]...] [--db FILE] [--definitions PATH]  (every case: the operator only)"
    static let spec = OptionSpec(valued: EngineOptions.valued, flags: ["--help", "-h"])

    static func run(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        guard arguments.first == "verify" else {
            throw UsageError("unknown audit command '\(arguments.first ?? "")'", help: "casework audit verify [CASE]")
        }
        let parsed = try ParsedArguments(Array(arguments.dropFirst()), spec: spec)
        if parsed.wantsHelp {
            console.out("usage: \(usage)\n")
            return .success
        }
        guard parsed.positionals.count <= 1 else { throw UsageError("name at most one case") }
        let options = try EngineOptions(parsed)
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.engine()
            let attributes = try options.attributes(in: engine.catalog)
            let cases = try parsed.positionals.isEmpty ? engine.auditedCaseIDs(as: options.actor) : parsed.positionals
            var intact = 0
            var failed = false
            for caseID in cases {
                let verification = try engine.verifyAudit(caseID, as: options.actor, attributes: attributes)
                if verification.holds { intact += 1 } else { failed = true }
                switch verification {
                case .intact(let events):
                    if cases.count == 1 { console.out("case \(caseID): \(events) events, chain intact, record replays\n") }
                case .chainOnly(let events):
                    console.out("case \(caseID): \(events) events, chain intact; record not replayed (events written before format 2)\n")
                case .broken(let sequence, let reason):
                    console.out("case \(caseID): event \(sequence) does not match: \(reason)\n")
                case .recordDiffers(let parts):
                    console.out("case \(caseID): the record is not what its events say: \(parts.joined(separator: ", "))\n")
                case .recordMissing(let events):
                    console.out("case \(caseID): the record is missing, but \(events) events remain\n")
                }
            }
            if failed { return .failure }
            if cases.count != 1 { console.out("\(intact) cases, every chain intact\n") }
            return .success
        }
    }
}

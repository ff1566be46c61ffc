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
            let engine = try options.reader()
            let attributes = try options.attributes(in: engine.catalog)
            let cases = try parsed.positionals.isEmpty ? engine.caseIDs(as: options.actor) : parsed.positionals
            var intact = 0
            var damaged = 0
            for caseID in cases {
                let verification: AuditVerification
                do throws(EngineError) {
                    verification = try engine.verifyAudit(caseID, as: options.actor, attributes: attributes)
                } catch {
                    // One case stored damaged is that case's finding; the other cases are still verified.
                    guard case .store(.corruptRecord(_, let detail)) = error else { throw error }
                    console.out("case \(caseID): damaged: \(TerminalText.escape(detail))\n")
                    damaged += 1
                    continue
                }
                switch verification {
                case .intact(let events):
                    intact += 1
                    if cases.count == 1 { console.out("case \(caseID): \(events) events, chain intact\n") }
                case .broken(let sequence, let reason):
                    console.out("case \(caseID): event \(sequence) does not match: \(reason)\n")
                    return .failure
                }
            }
            if damaged > 0 {
                console.out("\(intact) cases intact, \(damaged) damaged\n")
                return .failure
            }
            if cases.count != 1 { console.out("\(intact) cases, every chain intact\n") }
            return .success
        }
    }
}

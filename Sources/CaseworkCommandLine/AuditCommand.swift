import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime

/// `casework audit verify [CASE]`: walks the hash chains and names the first event that does not hold.
/// `audit checkpoint` and `audit verify --checkpoints` are in ``AuditCheckpointCommand``.
enum AuditCommand {
    /// What `verify` says of one case (or, with `kind` `child`, one child record): every problem, and a holding
    /// record only when it was the one asked about.
    static func line(_ caseID: String, _ verification: AuditVerification, alone: Bool, kind: String = "case") -> String? {
        switch verification {
        case .intact(let events):
            return alone ? "\(kind) \(caseID): \(events) events, chain intact, record replays\n" : nil
        case .chainOnly(let events):
            return "\(kind) \(caseID): \(events) events, chain intact; record not replayed (events written before format 2)\n"
        case .broken(let sequence, let reason):
            return "\(kind) \(caseID): event \(sequence) does not match: \(reason)\n"
        case .recordDiffers(let parts):
            return "\(kind) \(caseID): the record is not what its events say: \(parts.joined(separator: ", "))\n"
        case .recordMissing(let events):
            return "\(kind) \(caseID): the record is missing, but \(events) events remain\n"
        }
    }

    /// The services and identity providers a case's events came through, each with how many events came through it,
    /// in one order (kind, then name) for `audit verify CASE` and `GET /v1/cases/{case}/audit` alike.
    static func intermediaries(_ counts: [Intermediary: Int]) -> [(via: Intermediary, events: Int)] {
        counts.sorted { ($0.key.kind.rawValue, $0.key.name) < ($1.key.kind.rawValue, $1.key.name) }.map { (via: $0.key, events: $0.value) }
    }

    /// Runs `audit verify` or `audit checkpoint` with the arguments after it.
    static func run(_ subcommand: String, _ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        if subcommand == "checkpoint" { return try AuditCheckpointCommand.checkpoint(arguments, console: console) }
        let parsed = try ParsedArguments(arguments, spec: CommandTable["audit", "verify"].spec)
        guard parsed.positionals.count <= 1 else { throw UsageError("name at most one case") }
        let options = try EngineOptions(parsed)
        if let child = try parsed.single("--child") {
            guard parsed.positionals.isEmpty else { throw UsageError("name a case or --child, not both") }
            return EngineRun.run(console: console) { () throws(EngineError) in
                let engine = try options.reader()
                let verification = try engine.verifyChildAudit(child, as: options.actor, attributes: try options.attributes(in: engine.catalog))
                if let line = line(child, verification, alone: true, kind: "child") { console.out(TerminalText.escape(String(line.dropLast())) + "\n") }
                return verification.holds ? .success : .failure
            }
        }
        if let checkpoints = try AuditCheckpointCommand.Options(parsed) {
            return try AuditCheckpointCommand.verify(cases: parsed.positionals, options: options, checkpoints: checkpoints, console: console)
        }
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.reader()
            let attributes = try options.attributes(in: engine.catalog)
            let cases = try parsed.positionals.isEmpty ? engine.auditedCaseIDs(as: options.actor) : parsed.positionals
            var intact = 0
            var damaged = 0
            var failed = false
            for caseID in cases {
                let verification: AuditVerification
                let documents: [String]
                let cameThrough: [Intermediary: Int]
                do throws(EngineError) {
                    verification = try engine.verifyAudit(caseID, as: options.actor, attributes: attributes)
                    documents = try engine.documentProblems(caseID, as: options.actor, attributes: attributes)
                    cameThrough = cases.count == 1 ? try engine.auditIntermediaries(caseID, as: options.actor, attributes: attributes) : [:]
                } catch {
                    // One case stored damaged is that case's finding; the other cases are still verified.
                    guard case .store(.corruptRecord(_, let detail)) = error else { throw error }
                    console.out("case \(caseID): damaged: \(TerminalText.escape(detail))\n")
                    damaged += 1
                    continue
                }
                if verification.holds && documents.isEmpty { intact += 1 } else { failed = true }
                if let line = line(caseID, verification, alone: cases.count == 1) { console.out(line) }
                for (via, events) in intermediaries(cameThrough) {
                    console.out("case \(caseID): \(events) event\(events == 1 ? "" : "s") through \(TerminalText.escape(via.description))\n")
                }
                for problem in documents { console.out("case \(caseID): documents: \(TerminalText.escape(problem))\n") }
            }
            if damaged > 0 { console.out("\(intact) cases intact, \(damaged) damaged\n") }
            if failed || damaged > 0 { return .failure }
            if cases.count != 1 { console.out("\(intact) cases, every chain intact\n") }
            return .success
        }
    }
}

import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// `casework tick [--at DATETIME] [--format json]` and `casework deadline pause|resume|excuse`.
enum TickCommand {

    /// Applies every reminder and breach due at `--at` (default: now) and prints what it did.
    static func tick(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["tick"].spec)
        let options = try EngineOptions(parsed)
        var at: Date?
        if let text = try parsed.single("--at") {
            guard let instant = Date(iso8601: text) ?? CalendarDate(text)?.start() else {
                throw UsageError("--at needs a date (2025-10-14) or an ISO 8601 date and time (2025-10-14T09:00:00Z), found '\(text)'")
            }
            try refuseFuture(instant, written: text, now: Date())
            at = instant
        }
        let limit = Int(try parsed.single("--limit") ?? "10000") ?? 0
        guard limit >= 1 else { throw UsageError("--limit needs a whole number of 1 or more") }
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.engine(clock: at.map { ManualClock($0) })
            let actions = try engine.tick(limit: limit)
            if options.format == .json {
                console.out(JSONOutput.render(json(actions)))
            } else if actions.isEmpty {
                console.out("nothing due\n")
            } else {
                for action in actions {
                    console.out("\(action.caseID): \(["breach": "breached", "close": "closed"][action.kind] ?? "reminded") \(action.deadline) (due \(action.dueOn))\n")
                }
            }
            return .success
        }
    }

    /// Refuses a tick at a moment that has not come. A tick records each reminder and breach as having happened,
    /// in the case's audit chain and in the notices it queues, so a tick at tomorrow would tell a family and a
    /// tribunal that a duty was missed before it was. A past moment is allowed: it catches up as a late tick would,
    /// and what it records (a breach on the day after the due date) does not depend on when it runs.
    private static func refuseFuture(_ at: Date, written text: String, now: Date) throws(UsageError) {
        guard at > now else { return }
        throw UsageError("--at '\(text)' is later than now (\(JSONOutput.iso(now))): a tick records reminders and breaches as having happened",
                         help: "leave --at out to tick at the current moment, or give a moment that has passed")
    }

    /// The actions as `tick --format json` writes them; the API's tick route answers with the same.
    static func json(_ actions: [TickAction]) -> [[String: Any]] {
        actions.map { ["case": $0.caseID, "deadline": $0.deadline, "kind": $0.kind, "due_on": $0.dueOn.description] }
    }

    /// Pauses, resumes or excuses one deadline of a case, with the reason audited.
    static func deadline(_ action: String, _ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["deadline", action].spec)
        guard parsed.values["--as"] != nil else { throw UsageError("say who is acting", help: "add --as ROLE:ID, such as --as send_manager:sam") }
        guard let reason = try parsed.single("--reason") else { throw UsageError("say why", help: "add --reason \"the exception that applies\"") }
        let exception = try parsed.single("--exception")
        let options = try EngineOptions(parsed)
        let names = try CaseCommand.positionals(parsed, ["CASE", "DEADLINE"])
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.engine()
            let attributes = try ActorAttributes.parse(parsed.values["--attribute"] ?? [], catalog: engine.catalog)
            let result: ChangeResult
            switch action {
            case "pause":
                result = try engine.pauseDeadline(caseID: names[0], deadline: names[1], as: options.actor, reason: reason, exception: exception, attributes: attributes)
            case "resume": result = try engine.resumeDeadline(caseID: names[0], deadline: names[1], as: options.actor, reason: reason, attributes: attributes)
            default:
                result = try engine.excuseDeadline(caseID: names[0], deadline: names[1], as: options.actor, reason: reason, exception: exception, attributes: attributes)
            }
            let clock = result.record.deadlines.first { $0.name == names[1] }
            console.out("\(names[1]) on \(names[0]): \(clock?.status.rawValue ?? "?"), due \(clock?.dueOn.description ?? "?")\n")
            return .success
        }
    }
}

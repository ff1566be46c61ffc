import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// `casework notices owed|sent`: the notices owed by another route (post, email outside the portal), the work list staff
/// send them from, and the record that one was sent.
enum NoticesCommand {
    /// Runs `notices owed` or `notices sent` with the arguments after it.
    static func run(_ subcommand: String, _ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["notices", subcommand].spec)
        let options = try EngineOptions(parsed)
        switch subcommand {
        case "owed":
            _ = try CaseCommand.positionals(parsed, [])
            let caseID = try parsed.single("--case")
            return EngineRun.run(console: console) { () throws(EngineError) in
                let engine = try options.reader()
                let attributes = try options.attributes(in: engine.catalog)
                let owed: [OwedNotice]
                if let caseID {
                    owed = try engine.owedNotices(caseID: caseID, as: options.actor, attributes: attributes, outstanding: true)
                } else {
                    owed = try engine.owedNotices(as: options.actor, attributes: attributes)
                }
                console.out(options.format == .json ? JSONOutput.render(owed.map(json)) : text(owed))
                return .success
            }
        case "sent":
            let names = try CaseCommand.positionals(parsed, ["CASE", "MESSAGE_ID"])
            guard let sentBy = try parsed.single("--by") else { throw UsageError("say who sent it", help: "add --by NAME") }
            guard let route = try parsed.single("--route") else { throw UsageError("say how it was sent", help: "add --route post (or email, by hand, …)") }
            guard let day = try parsed.date("--on") else { throw UsageError("say on which day it was sent", help: "add --on YYYY-MM-DD") }
            let key = try parsed.single("--key")
            return EngineRun.run(console: console) { () throws(EngineError) in
                let engine = try options.engine()
                let result = try engine.recordNoticeSent(caseID: names[0], message: names[1], sentBy: sentBy, route: route, sentOn: day, as: options.actor,
                                                         attributes: try options.attributes(in: engine.catalog), idempotencyKey: key)
                let note = result.replayed ? " (already done with this key; nothing changed)" : ""
                console.out("\(names[0]): \(TerminalText.escape(names[1])) recorded as sent by \(TerminalText.escape(route)) on \(day) (revision \(result.record.revision))\(note)\n")
                return .success
            }
        default: throw CommandTable.unknown(subcommand, in: CommandTable["notices"])
        }
    }

    /// One owed notice as JSON: the message's keys as `outbox list` gives them, with `reason` (a code) and `reason_text`.
    static func json(_ notice: OwedNotice) -> [String: Any] {
        let message = notice.message
        return [
            "id": message.id, "case": message.caseID, "created_at": JSONOutput.iso(message.createdAt), "channel": message.channel.rawValue,
            "recipient_role": message.recipientRole, "recipient_id": message.recipientID ?? NSNull(),
            "template": message.template, "subject": message.subject, "body": message.body,
            "reason": message.owedReason?.rawValue ?? NSNull(), "reason_text": message.owedReason?.description ?? NSNull(),
        ]
    }

    /// The work list as text: each notice with whom it is for, why it is owed, and the text to send.
    static func text(_ owed: [OwedNotice]) -> String {
        guard !owed.isEmpty else { return "no notices owed\n" }
        return owed.map { notice in
            let message = notice.message
            var text = "\(message.id) to \(RecipientText.describe(role: message.recipientRole, id: message.recipientID)), written \(CalendarDate(message.createdAt))\n"
            text += "  owed because \(message.owedReason?.description ?? "it goes by another route")\n"
            text += "  subject: \(TerminalText.escape(message.subject))\n"
            text += message.body.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "  |\n" : "  | \(TerminalText.escape(String($0)))\n" }.joined()
            return text
        }.joined(separator: "\n")
    }
}

/// `casework case participant add|remove CASE ROLE PRINCIPAL --reason TEXT`: who takes part in a case, changed over its life.
enum ParticipantCommand {
    /// Runs `case participant add` or `remove` with the arguments after it.
    static func run(_ action: String, _ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["case", "participant", action].spec)
        let names = try CaseCommand.positionals(parsed, ["CASE", "ROLE", "PRINCIPAL"])
        guard let principal = Principal.parsed(names[2]) else {
            throw UsageError("'\(TerminalText.escape(names[2]))' is not a principal", help: "write a person's id, person:ID or organisation:ID")
        }
        guard let reason = try parsed.single("--reason") else { throw UsageError("say why", help: "add --reason \"...\"") }
        let key = try parsed.single("--key")
        let options = try EngineOptions(parsed)
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.engine()
            let attributes = try options.attributes(in: engine.catalog)
            let result = action == "add"
                ? try engine.addParticipant(caseID: names[0], role: names[1], principal: principal, as: options.actor, attributes: attributes, reason: reason,
                                            idempotencyKey: key)
                : try engine.removeParticipant(caseID: names[0], role: names[1], principal: principal, as: options.actor, attributes: attributes, reason: reason,
                                               idempotencyKey: key)
            let note = result.replayed ? " (already done with this key; nothing changed)" : ""
            let taking = action == "add" ? "now takes part" : "no longer takes part"
            console.out("\(names[0]): \(principal) \(taking) as \(TerminalText.escape(names[1])) (revision \(result.record.revision))\(note)\n")
            return .success
        }
    }
}

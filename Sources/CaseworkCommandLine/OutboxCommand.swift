import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// `casework outbox list|claim|ack`: the notifications waiting to be delivered.
enum OutboxCommand {
    /// Runs `outbox list`, `claim` or `ack` with the arguments after it.
    static func run(_ subcommand: String, _ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["outbox", subcommand].spec)
        let options = try EngineOptions(parsed)
        switch subcommand {
        case "list":
            let caseID = try parsed.single("--case")
            return EngineRun.run(console: console) { () throws(EngineError) in
                let engine = try options.reader()
                let messages: [OutboxMessage]
                if let caseID {
                    messages = try engine.outbox(caseID: caseID, as: options.actor, attributes: try options.attributes(in: engine.catalog))
                } else {
                    messages = try engine.outbox(as: options.actor)
                }
                print(messages, options, console)
                return .success
            }
        case "claim":
            let limit = Int(try parsed.single("--limit") ?? "100") ?? -1
            guard limit >= 1 else { throw UsageError("--limit needs a whole number of 1 or more") }
            let leaseText = try parsed.single("--lease") ?? "300"
            // Read by the one decimal reader (`Double` also reads `inf`, `1e308` and `0x10`), then held to the one rule.
            let lease = ExactDecimal.value(of: leaseText, allowingExponent: false).map { NSDecimalNumber(decimal: $0).doubleValue } ?? -1
            guard OutboxClaim.isUsableLease(lease) else { throw UsageError("--lease must be \(OutboxClaim.leaseRule), found '\(TerminalText.escape(leaseText))'") }
            return EngineRun.run(console: console) { () throws(EngineError) in
                print(try options.engine().claimNotifications(claimer: options.actor.id, limit: limit, lease: lease), options, console)
                return .success
            }
        case "ack":
            guard !parsed.positionals.isEmpty else { throw UsageError("name the messages to acknowledge", help: "casework outbox ack ID... --as DELIVERER") }
            return EngineRun.run(console: console) { () throws(EngineError) in
                let count = try options.engine().acknowledgeNotifications(parsed.positionals, claimer: options.actor.id)
                console.out("acknowledged \(count) of \(parsed.positionals.count)\n")
                return count == parsed.positionals.count ? .success : .failure
            }
        default: throw CommandTable.unknown(subcommand, in: CommandTable["outbox"])
        }
    }

    /// The messages as `--format json` writes them, one object each; the API's outbox routes answer with the same.
    static func json(_ messages: [OutboxMessage]) -> [[String: Any]] {
        messages.map { message -> [String: Any] in
            [
                "id": message.id, "case": message.caseID, "created_at": JSONOutput.iso(message.createdAt),
                "recipient_role": message.recipientRole, "recipient_id": message.recipientID ?? NSNull(),
                "template": message.template, "subject": message.subject, "body": message.body,
                "attempts": message.attempts, "claimed_by": message.claimedBy ?? NSNull(),
                "delivered_at": message.deliveredAt.map(JSONOutput.iso) ?? NSNull(),
                "channel": message.channel.rawValue, "owed_reason": message.owedReason?.rawValue ?? NSNull(),
            ]
        }
    }

    private static func print(_ messages: [OutboxMessage], _ options: EngineOptions, _ console: some Console) {
        if options.format == .json {
            console.out(JSONOutput.render(json(messages)))
            return
        }
        for message in messages {
            let to = RecipientText.describe(role: message.recipientRole, id: message.recipientID)
            let state = message.channel == .other ? "owed by another route"
                : message.deliveredAt != nil ? "delivered" : (message.claimedBy.map { "claimed by \(TerminalText.escape($0))" } ?? "waiting")
            console.out("\(message.id)\tto \(to)\t\(state)\t\(TerminalText.escape(message.subject))\n")
        }
    }
}

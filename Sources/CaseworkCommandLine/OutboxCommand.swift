import Foundation
import Casework

/// `casework outbox list|claim|ack`: the notifications waiting to be delivered.
enum OutboxCommand {
    static let usage = """
        casework outbox list [--case CASE] [--format json]   (without --case: every message, the operator only)
               casework outbox claim --as DELIVERER [--limit N] [--lease SECONDS] [--format json]
               casework outbox ack MESSAGE_ID... --as DELIVERER
               (list also takes --as ROLE:ID [--attribute NAME=VALUE]...; all take --db FILE, --definitions PATH.
                A deliverer is a process the operator runs: claim and ack hand it every case's messages)
        """

    static let spec = OptionSpec(valued: EngineOptions.valued + ["--case", "--limit", "--lease"], flags: ["--help", "-h"])

    static func run(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        guard let subcommand = arguments.first else { throw UsageError("say what to do with the outbox", help: "casework outbox list|claim|ack") }
        let parsed = try ParsedArguments(Array(arguments.dropFirst()), spec: spec)
        if parsed.wantsHelp {
            console.out("usage: \(usage)\n")
            return .success
        }
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
            let lease = Double(try parsed.single("--lease") ?? "300") ?? -1
            guard limit >= 1 else { throw UsageError("--limit needs a whole number of 1 or more") }
            guard lease > 0 else { throw UsageError("--lease needs a number of seconds above 0") }
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
        default:
            let suggestion = NameSuggester.suggest(subcommand, from: ["list", "claim", "ack"])
            throw UsageError("unknown outbox command '\(subcommand)'", help: suggestion.map { "did you mean '\($0)'?" })
        }
    }

    private static func print(_ messages: [OutboxMessage], _ options: EngineOptions, _ console: some Console) {
        if options.format == .json {
            console.out(JSONOutput.render(messages.map { message -> [String: Any] in
                [
                    "id": message.id, "case": message.caseID, "created_at": JSONOutput.iso(message.createdAt),
                    "recipient_role": message.recipientRole, "recipient_id": message.recipientID ?? NSNull(),
                    "template": message.template, "subject": message.subject, "body": message.body,
                    "attempts": message.attempts, "claimed_by": message.claimedBy ?? NSNull(),
                    "delivered_at": message.deliveredAt.map(JSONOutput.iso) ?? NSNull(),
                ]
            }))
            return
        }
        for message in messages {
            let to = RecipientText.describe(role: message.recipientRole, id: message.recipientID)
            let state = message.deliveredAt != nil ? "delivered" : (message.claimedBy.map { "claimed by \(TerminalText.escape($0))" } ?? "waiting")
            console.out("\(message.id)\tto \(to)\t\(state)\t\(TerminalText.escape(message.subject))\n")
        }
    }
}

import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// `casework case timeline CASE [--as ROLE:ID] [--attribute NAME=VALUE]... [--format json]`: the case's progress as one
/// viewer may see it, in plain words (``Engine/timeline(caseID:as:attributes:)``).
enum TimelineCommand {
    /// Prints the timeline of the one CASE named for `--as` (the operator without it), as text or JSON.
    static func run(_ parsed: ParsedArguments, _ options: EngineOptions, _ console: some Console) throws(UsageError) -> ExitStatus {
        let caseID = try CaseCommand.positionals(parsed, ["CASE"])[0]
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.reader()
            let timeline = try engine.timeline(caseID: caseID, as: options.actor, attributes: try options.attributes(in: engine.catalog))
            console.out(options.format == .json ? JSONOutput.render(json(timeline)) : text(timeline, viewer: options.actor))
            return .success
        }
    }

    /// The timeline as JSON with the fixed keys documented in `docs/reference/cli.md`; dates as `YYYY-MM-DD`.
    static func json(_ timeline: CaseTimeline) -> [String: Any] {
        var object: [String: Any] = [
            "case": timeline.caseID,
            "workflow_title": timeline.workflowTitle,
            "as_of": timeline.asOf.description,
            "now": ["state": timeline.now.state, "title": timeline.now.title, "since": timeline.now.since.description, "final": timeline.now.isFinal],
            "stages": timeline.stages.map { ["state": $0.state, "title": $0.title, "on": $0.on.description] },
            "next": timeline.next,
            "all_notices": timeline.showsEveryNotice,
            "notices": timeline.notices.map(json),
            "withheld": timeline.withheld.map(\.rawValue),
            "reasons": timeline.reasons,
        ]
        if let limits = timeline.timeLimits {
            object["time_limits"] = limits.map { limit -> [String: Any] in
                var entry: [String: Any] = ["name": limit.name, "title": limit.title, "due_on": limit.dueOn.description, "status": limit.status.name,
                                            "days_left": NSNull(), "paused_on": NSNull(), "met_on": NSNull(), "missed_on": NSNull()]
                switch limit.status {
                case .running(let daysLeft): entry["days_left"] = daysLeft
                case .paused(let since): entry["paused_on"] = since.description
                case .met(let day), .metLate(let day): entry["met_on"] = day.description
                case .missed(let day): entry["missed_on"] = day.description
                case .closed(let day): entry["closed_on"] = day.description
                case .excused, .lapsed: break
                }
                return entry
            }
        }
        return object
    }

    /// One message of a timeline as JSON, with the keys of `notices` in `docs/reference/cli.md`.
    static func json(_ notice: CaseTimeline.Notice) -> [String: Any] {
        ["on": notice.on.description, "subject": notice.subject, "body": notice.body,
         "to": ["role": notice.recipientRole, "id": notice.recipientID ?? NSNull()] as [String: Any],
         "channel": notice.owedReason == nil ? NoticeChannel.portal.rawValue : NoticeChannel.other.rawValue,
         "owed_reason": notice.owedReason?.rawValue ?? NSNull(),
         "sent_on": notice.sent?.sentOn.description ?? NSNull(), "sent_route": notice.sent?.route ?? NSNull()]
    }

    /// The timeline in plain words for `viewer`, every piece of case or message text escaped for the terminal.
    static func text(_ timeline: CaseTimeline, viewer: CaseActor) -> String {
        func line(_ text: String) -> String { TerminalText.escape(text) + "\n" }
        /// Dates padded to the longest of their list, so what follows them lines up.
        func column(_ days: [CalendarDate]) -> [String] {
            let width = days.map(\.written.count).max() ?? 0
            return days.map { $0.written.padding(toLength: width, withPad: " ", startingAt: 0) }
        }
        var output = line("\(timeline.workflowTitle) for case \(timeline.caseID)")
        output += line("Now: \(timeline.now.title) (since \(timeline.now.since.written))")
        output += "Stages so far:\n"
        for (stage, day) in zip(timeline.stages, column(timeline.stages.map(\.on))) { output += line("  \(day)  \(stage.title)") }
        output += timeline.now.isFinal ? "This is the end of the process.\n" : line("What can happen next: \(timeline.next.joined(separator: "; "))")
        if let limits = timeline.timeLimits {
            output += limits.isEmpty ? "Time limits: none running\n" : "Time limits:\n"
            for limit in limits { output += line("  \(limit.title): \(words(limit))") }
        }
        output += timeline.showsEveryNotice ? "Messages sent:" : "Messages to you:"
        output += timeline.notices.isEmpty ? " none\n" : "\n"
        for (notice, day) in zip(timeline.notices, column(timeline.notices.map(\.on))) {
            let addressedToViewer = notice.recipientRole == viewer.role && notice.recipientID.flatMap(Principal.parsed) == viewer.principal
            let recipient = addressedToViewer ? "" : "to \(notice.recipientRole)\(notice.recipientID.map { " (\($0))" } ?? ""): "
            output += line("  \(day)  \(recipient)\(notice.subject)")
            if timeline.showsEveryNotice, let reason = notice.owedReason {
                let sent = notice.sent.map { "sent by \($0.route) on \($0.sentOn.written)" } ?? "not yet recorded as sent"
                output += line("  \(String(repeating: " ", count: day.count))  owed by another route, because \(reason); \(sent)")
            }
        }
        if !timeline.withheld.isEmpty {
            let parts = timeline.withheld.map { part in
                switch part {
                case .timeLimits: "time limits"
                }
            }
            output += line("Not shown to you: \(parts.joined(separator: ", ")) (\(timeline.reasons.joined(separator: "; ")))")
        }
        return output
    }

    /// A time limit's due date and status in plain words.
    static func words(_ limit: CaseTimeline.TimeLimit) -> String {
        let due = "due \(limit.dueOn.written)"
        func days(_ count: Int) -> String { "\(count) day\(count == 1 ? "" : "s")" }
        switch limit.status {
        case .running(let left) where left > 0: return "\(due), \(days(left)) left"
        case .running(let left) where left == 0: return "\(due), which is today"
        case .running(let left): return "\(due), overdue by \(days(-left))"
        case .paused(let since): return "paused since \(since.written); the due date moves on when it restarts"
        case .met(let day): return "met on \(day.written)"
        case .metLate(let day): return "met late, on \(day.written) (it was \(due))"
        case .closed(let day): return "closed on \(day.written), unused (it was \(due))"
        case .missed(let day): return "missed on \(day.written) (it was \(due))"
        case .excused: return "excused (\(due))"
        case .lapsed: return "no longer applies"
        }
    }
}

import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkTime
import Foundation

/// `casework child timeline ID [--as ROLE:ID] [--attribute NAME=VALUE]... [--format json]`: every case of the child the
/// viewer may see, their stages and messages merged in date order (``Engine/childTimeline(_:as:attributes:)``).
enum ChildTimelineCommand {
    /// Prints the timeline of the one child named for `--as` (the operator without it), as text or JSON.
    static func run(_ parsed: ParsedArguments, _ options: EngineOptions, _ console: some Console) throws(UsageError) -> ExitStatus {
        let id = try CaseCommand.positionals(parsed, ["ID"])[0]
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.reader()
            let timeline = try engine.childTimeline(id, as: options.actor, attributes: try options.attributes(in: engine.catalog))
            console.out(options.format == .json ? JSONOutput.render(json(timeline)) : text(timeline, viewer: options.actor))
            return .success
        }
    }

    /// The child's timeline as JSON with the fixed keys documented in `docs/reference/cli.md`: `cases` holds each case's
    /// timeline as `case timeline --format json` prints it, `entries` the merged stages and messages.
    static func json(_ timeline: ChildTimeline) -> [String: Any] {
        [
            "child": timeline.childID,
            "as_of": timeline.asOf?.description ?? NSNull(),
            "cases": timeline.cases.map(TimelineCommand.json),
            "entries": timeline.entries.map { entry -> [String: Any] in
                var object: [String: Any]
                switch entry.event {
                case .stage(let stage): object = ["kind": "stage", "state": stage.state, "title": stage.title]
                case .notice(let notice): object = TimelineCommand.json(notice).merging(["kind": "notice"]) { _, new in new }
                }
                object["on"] = entry.on.description
                object["case"] = entry.caseID
                object["workflow_title"] = entry.workflowTitle
                return object
            },
        ]
    }

    /// The child's timeline in plain words for `viewer`, every piece of case or message text escaped for the terminal.
    static func text(_ timeline: ChildTimeline, viewer: CaseActor) -> String {
        func line(_ text: String) -> String { TerminalText.escape(text) + "\n" }
        var output = line("Timeline for child \(timeline.childID)")
        output += "Cases:\n"
        for timeline in timeline.cases {
            let now = timeline.now.isFinal ? "ended: \(timeline.now.title)" : "now \(timeline.now.title)"
            output += line("  \(timeline.caseID)  \(timeline.workflowTitle): \(now) (since \(timeline.now.since.written))")
        }
        output += "What happened:\n"
        let entries = timeline.entries
        let width = entries.map(\.on.written.count).max() ?? 0
        for entry in entries {
            let what: String
            switch entry.event {
            case .stage(let stage): what = stage.title
            case .notice(let notice):
                let addressedToViewer = notice.recipientRole == viewer.role && notice.recipientID.flatMap(Principal.parsed) == viewer.principal
                what = addressedToViewer ? "message: \(notice.subject)" : "message to \(notice.recipientRole)\(notice.recipientID.map { " (\($0))" } ?? ""): \(notice.subject)"
            }
            output += line("  \(entry.on.written.padding(toLength: width, withPad: " ", startingAt: 0))  \(entry.caseID)  \(entry.workflowTitle): \(what)")
        }
        let limits = timeline.cases.flatMap { timeline in (timeline.timeLimits ?? []).map { (timeline.caseID, $0) } }
        if !limits.isEmpty {
            output += "Time limits:\n"
            for (caseID, limit) in limits { output += line("  \(caseID)  \(limit.title): \(TimelineCommand.words(limit))") }
        }
        for timeline in timeline.cases where !timeline.withheld.isEmpty {
            let parts = timeline.withheld.map { part in
                switch part {
                case .timeLimits: "time limits"
                }
            }
            output += line("Not shown to you on \(timeline.caseID): \(parts.joined(separator: ", ")) (\(timeline.reasons.joined(separator: "; ")))")
        }
        return output
    }
}

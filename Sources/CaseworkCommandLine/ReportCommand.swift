import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// `casework report timeliness --from DATE --to DATE [--workflow NAME] [--format text|json|csv]`: how each statutory
/// clock fared over a period, with every case behind every figure (``Engine/timelinessReport(from:to:workflow:as:attributes:)``).
enum ReportCommand {
    /// Runs `report timeliness` with the arguments after it.
    static func timeliness(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["report", "timeliness"].spec)
        _ = try CaseCommand.positionals(parsed, [])
        let from = try date(parsed, "--from")
        let to = try date(parsed, "--to")
        let workflow = try parsed.single("--workflow")
        let options = try EngineOptions(parsed, formats: [.text, .json, .csv])
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.reader()
            let report = try engine.timelinessReport(from: from, to: to, workflow: workflow, as: options.actor,
                                                     attributes: try options.attributes(in: engine.catalog))
            switch options.format {
            case .json: console.out(JSONOutput.render(json(report)))
            case .csv: console.out(csv(report))
            case .text: console.out(text(report))
            }
            return .success
        }
    }

    /// A required `YYYY-MM-DD` option.
    private static func date(_ parsed: ParsedArguments, _ option: String) throws(UsageError) -> CalendarDate {
        guard let day = try parsed.date(option) else { throw UsageError("say the period with --from DATE --to DATE", help: "such as --from 2025-01-01 --to 2025-12-31") }
        return day
    }

    /// The report as JSON: `from`, `to`, `as_of`, one entry per deadline in `lines`, and the per-case listing in `cases`.
    static func json(_ report: TimelinessReport) -> [String: Any] {
        [
            "from": report.from.description, "to": report.to.description, "as_of": report.asOf.description,
            "lines": report.lines.map { line -> [String: Any] in
                [
                    "workflow": line.workflow, "deadline": line.deadline, "title": line.title, "kind": line.kind.rawValue,
                    "fell_due": line.fellDue,
                    "outcomes": Dictionary(uniqueKeysWithValues: TimelinessReport.Outcome.allCases.map { ($0.rawValue, line.outcomes[$0] ?? 0) }),
                    "excused_by": line.excusedBy,
                    "met_in_period": line.metInPeriod, "met_on_time_in_period": line.metOnTimeInPeriod, "met_with_exception": line.metWithException,
                    "rate": line.rate.map { $0 as Any } ?? NSNull(),
                ]
            },
            "cases": report.entries.map { entry -> [String: Any] in
                [
                    "case": entry.caseID, "workflow": entry.workflow, "deadline": entry.deadline, "kind": entry.kind.rawValue,
                    "status": entry.status.rawValue, "started_on": entry.startedOn.description, "due_on": entry.dueOn.description,
                    "met_on": entry.metOn?.description ?? NSNull(), "exception": entry.exception ?? NSNull(), "outcome": entry.outcome.rawValue,
                    "fell_due_in_period": entry.fellDueInPeriod, "met_in_period": entry.metInPeriod, "counts_in_rate": entry.countsInRate,
                ]
            },
        ]
    }

    /// The columns of the CSV listing, in order.
    static let csvColumns = ["case", "workflow", "deadline", "kind", "status", "started_on", "due_on", "met_on", "exception", "outcome",
                             "fell_due_in_period", "met_in_period", "counts_in_rate"]

    /// The per-case listing as CSV (RFC 4180), one clock a row under a header.
    static func csv(_ report: TimelinessReport) -> String {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var lines = [csvColumns.joined(separator: ",")]
        for entry in report.entries {
            let values = [entry.caseID, entry.workflow, entry.deadline, entry.kind.rawValue, entry.status.rawValue, entry.startedOn.description,
                          entry.dueOn.description, entry.metOn?.description ?? "", entry.exception ?? "", entry.outcome.rawValue,
                          "\(entry.fellDueInPeriod)", "\(entry.metInPeriod)", "\(entry.countsInRate)"]
            lines.append(values.map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The figures in plain words, one paragraph per deadline.
    static func text(_ report: TimelinessReport) -> String {
        var text = "time limits due or met from \(report.from) to \(report.to), as of \(report.asOf)\n"
        if report.entries.isEmpty { text += "no time limit fell due or was met in the period\n" }
        for line in report.lines {
            let outcomes = line.outcomes
            text += "\n\(TerminalText.escape(line.workflow)) \(TerminalText.escape(line.deadline)): \(TerminalText.escape(line.title))"
            text += line.kind == .window ? " (a family's window)\n" : "\n"
            text += "  fell due: \(line.fellDue)"
            if line.fellDue > 0 {
                var parts = ["met on time \(outcomes[.metOnTime] ?? 0)", "met late \(outcomes[.metLate] ?? 0)"]
                let excused = line.excusedBy.sorted { $0.key < $1.key }.map { "\(TerminalText.escape($0.key)) \($0.value)" }
                parts.append("excused \(outcomes[.excused] ?? 0)" + (excused.isEmpty ? "" : " (\(excused.joined(separator: ", ")))"))
                parts.append("lapsed \(outcomes[.lapsed] ?? 0)")
                if line.kind == .window { parts.append("closed unused \(outcomes[.closed] ?? 0)") }
                parts += ["still open \(outcomes[.open] ?? 0)", "overdue \(outcomes[.overdue] ?? 0)"]
                text += " (" + parts.joined(separator: ", ") + ")"
            }
            text += "\n  met in the period: \(line.metInPeriod)"
            if let rate = line.rate {
                text += ", on time \(line.metOnTimeInPeriod) (\(String(format: "%.1f", rate * 100)) %)"
            }
            if line.metWithException > 0 { text += "; \(line.metWithException) more left out: an exception applied" }
            text += "\n"
        }
        return text
    }
}

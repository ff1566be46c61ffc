import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// How each statutory clock fared over a period, with every case behind every number: what a council reports to the
/// DfE (the SEN2 return) and shows a tribunal or an auditor.
///
/// Two questions, each over its own set of clocks:
/// - **Fell due in the period** (due date from `from` to `to`): how many were met on time, met late, excused (by
///   exception code), lapsed, closed unused (a family's window), still open, and overdue on `asOf`.
/// - **Met in the period** (met date from `from` to `to`), as the DfE counts the 20-week rate for new plans: how many
///   were met on time, leaving out clocks an exception applied to (paused or excused under one).
public struct TimelinessReport: Sendable, Hashable {
    /// Where one clock stands on the report's day.
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        /// Met on or before its due date.
        case metOnTime = "met_on_time"
        /// Met after its due date.
        case metLate = "met_late"
        /// Excused under an exception.
        case excused
        /// The case ended another way before it was met.
        case lapsed
        /// A family's window that ended unused.
        case closed
        /// Not met, due on or after the report's day.
        case open
        /// Not met, and its due date has passed.
        case overdue
    }

    /// One clock of one case: the per-case listing behind every figure.
    public struct Entry: Sendable, Hashable {
        /// The case.
        public var caseID: String
        /// Its workflow.
        public var workflow: String
        /// The deadline's name.
        public var deadline: String
        /// Whether it is the council's duty or a family's window.
        public var kind: DeadlineKind
        /// The clock's stored status.
        public var status: DeadlineStatus
        /// The day the clock started.
        public var startedOn: CalendarDate
        /// The day it was due.
        public var dueOn: CalendarDate
        /// The day it was met, if it was.
        public var metOn: CalendarDate?
        /// The exception it was paused or excused under, if any.
        public var exception: String?
        /// Where it stands on the report's day.
        public var outcome: Outcome
        /// True when its due date falls in the period: it is counted in ``Line/fellDue`` and the outcome columns.
        public var fellDueInPeriod: Bool
        /// True when it was met (on time or late) in the period.
        public var metInPeriod: Bool

        /// True when it was met in the period with no exception applied: it is counted in the rate.
        public var countsInRate: Bool { metInPeriod && exception == nil }
    }

    /// One deadline of one workflow: the figures over its clocks.
    public struct Line: Sendable, Hashable {
        /// The workflow.
        public var workflow: String
        /// The deadline's name.
        public var deadline: String
        /// Its title.
        public var title: String
        /// Whether it is the council's duty or a family's window.
        public var kind: DeadlineKind
        /// Clocks due in the period.
        public var fellDue = 0
        /// Of those, how many stand at each outcome (every outcome present, zero when none).
        public var outcomes: [Outcome: Int] = Dictionary(uniqueKeysWithValues: Outcome.allCases.map { ($0, 0) })
        /// Of those excused, how many under each exception code (`none cited` for a workflow without exceptions).
        public var excusedBy: [String: Int] = [:]
        /// Clocks met in the period with no exception applied.
        public var metInPeriod = 0
        /// Of those, how many on time.
        public var metOnTimeInPeriod = 0
        /// Clocks met in the period that an exception applied to, left out of the rate.
        public var metWithException = 0

        /// The share met on time among clocks met in the period, as the DfE counts it; nil when none was met.
        public var rate: Double? { metInPeriod == 0 ? nil : Double(metOnTimeInPeriod) / Double(metInPeriod) }
    }

    /// The first day of the period.
    public var from: CalendarDate
    /// The last day of the period.
    public var to: CalendarDate
    /// The day open and overdue are judged on.
    public var asOf: CalendarDate
    /// One line per deadline, by workflow then deadline name: every deadline the workflows in the report declare, with
    /// zeros where no clock fell due or was met (a statutory limit missing from a report is not the same as one that
    /// was never due), and any deadline of an older workflow version that a case's clock still runs under.
    public var lines: [Line]
    /// Every clock considered, by case then deadline.
    public var entries: [Entry]

    /// The text that stands for an excuse with no exception cited.
    public static let noExceptionCited = "none cited"

    /// The report over `records` (each with the workflow version it runs on): every clock that fell due or was met
    /// in the period, and a line for every deadline `declared` names even where none did. Pure: the same records and
    /// declarations give the same report.
    package static func build(
        _ records: [(record: CaseRecord, workflow: WorkflowDefinition)], declared: [WorkflowDefinition] = [],
        from: CalendarDate, to: CalendarDate, asOf: CalendarDate
    ) -> TimelinessReport {
        var entries: [Entry] = []
        var lines: [String: Line] = [:]
        for workflow in declared {
            for deadline in workflow.deadlines {
                lines["\(workflow.id.value)\u{1F}\(deadline.name.value)"] = Line(
                    workflow: workflow.id.value, deadline: deadline.name.value, title: deadline.title, kind: deadline.kind)
            }
        }
        for (record, workflow) in records.sorted(by: { $0.record.id < $1.record.id }) {
            for clock in record.deadlines.flatMap({ $0.earlier + [$0] }) {
                guard let definition = workflow.deadlines.first(where: { $0.name.value == clock.name }) else { continue }
                let outcome = Self.outcome(clock, asOf: asOf)
                let fellDue = from <= clock.dueOn && clock.dueOn <= to
                let met = clock.status == .met || clock.status == .metLate
                let metInPeriod = met && clock.metOn.map { from <= $0 && $0 <= to } == true
                guard fellDue || metInPeriod else { continue }
                let entry = Entry(caseID: record.id, workflow: record.workflow, deadline: clock.name, kind: definition.kind, status: clock.status,
                                  startedOn: clock.startedOn, dueOn: clock.dueOn, metOn: clock.metOn, exception: clock.exception, outcome: outcome,
                                  fellDueInPeriod: fellDue, metInPeriod: metInPeriod)
                entries.append(entry)
                let key = "\(record.workflow)\u{1F}\(clock.name)"
                if lines[key] == nil {
                    lines[key] = Line(workflow: record.workflow, deadline: clock.name, title: definition.title, kind: definition.kind)
                }
                lines[key]?.add(entry)
            }
        }
        let sorted = lines.values.sorted { ($0.workflow, $0.deadline) < ($1.workflow, $1.deadline) }
        return TimelinessReport(from: from, to: to, asOf: asOf, lines: sorted, entries: entries)
    }

    /// Where `clock` stands on `asOf`.
    static func outcome(_ clock: DeadlineRecord, asOf: CalendarDate) -> Outcome {
        switch clock.status {
        case .met: .metOnTime
        case .metLate: .metLate
        case .excused: .excused
        case .lapsed: .lapsed
        case .closed: .closed
        case .breached: .overdue
        case .running, .paused: clock.dueOn < asOf ? .overdue : .open
        }
    }
}

extension TimelinessReport.Line {
    /// Counts one clock into the line.
    mutating func add(_ entry: TimelinessReport.Entry) {
        if entry.fellDueInPeriod {
            fellDue += 1
            outcomes[entry.outcome, default: 0] += 1
            if entry.outcome == .excused { excusedBy[entry.exception ?? TimelinessReport.noExceptionCited, default: 0] += 1 }
        }
        if entry.countsInRate {
            metInPeriod += 1
            if entry.outcome == .metOnTime { metOnTimeInPeriod += 1 }
        } else if entry.metInPeriod {
            metWithException += 1
        }
    }
}

extension Engine {
    /// The timeliness report over every case `actor` may see the time limits of (`view` on `case.deadlines`; the
    /// operator sees all), for clocks due or met from `from` to `to`, judged on today; `workflow` keeps one workflow's.
    /// Every deadline of every loaded workflow (or of `workflow`) has a line, so a limit nobody met is a zero, not a gap.
    public func timelinessReport(
        from: CalendarDate, to: CalendarDate, workflow: String? = nil, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]
    ) throws(EngineError) -> TimelinessReport {
        guard actor.problems.isEmpty else { throw .invalidInput(actor.problems) }
        guard from <= to else { throw .invalidInput([InputProblem(field: "to", message: "the period ends on \(to), before it starts on \(from)")]) }
        if let workflow, catalog.workflows[workflow] == nil {
            throw .unknownWorkflow(workflow, suggestion: NameSuggester.suggest(workflow, from: catalog.workflows.keys.sorted()))
        }
        var records: [(record: CaseRecord, workflow: WorkflowDefinition)] = []
        for id in try storeCall({ () throws(StoreError) in try store.caseIDs() }) {
            let admitted: AdmittedCase
            do {
                admitted = try admit(id, actor: actor, attributes: attributes, action: "view", resource: "case.deadlines")
            } catch .store(let error) {
                // A store that fails, or a record that cannot be read, stops the report: a figure with a case missing is wrong.
                throw .store(error)
            } catch {
                continue
            }
            guard workflow == nil || admitted.record.workflow == workflow else { continue }
            records.append((admitted.record, admitted.workflow.definition))
        }
        var declared: [WorkflowDefinition] = []
        for loaded in catalog.workflows.values where workflow == nil || loaded.outline.id.value == workflow {
            declared.append(try loaded.decoded())
        }
        return TimelinessReport.build(records, declared: declared, from: from, to: to, asOf: CalendarDate(clockNow()))
    }
}

import CaseworkDefinitions
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// A case's progress told to one viewer in plain words, so a parent can check the current status and track progress:
/// the stages passed with their dates, where the case is now and what can come next, the time limits with their due
/// dates and days left, and the messages sent to them.
///
/// It carries no field values at all (only titles from the workflow and dates of what happened), except inside
/// messages, which were rendered for their recipient when they were sent. Parts the viewer may not see are left out
/// and named in ``withheld``, not blanked.
public struct CaseTimeline: Sendable, Hashable {
    /// A part of a timeline that a policy may withhold.
    public enum Part: String, Sendable, Hashable, CaseIterable {
        /// The time limits: withheld without `view` on `case.deadlines`.
        case timeLimits = "time_limits"
    }

    /// A stage the case entered: opening it, or a step that moved it to another state.
    public struct Stage: Sendable, Hashable {
        /// The state's name in the workflow, for programs.
        public var state: String
        /// The state's title, for people.
        public var title: String
        /// The day the case entered it (Europe/London).
        public var on: CalendarDate

        /// Creates a stage.
        public init(state: String, title: String, on: CalendarDate) {
            self.state = state
            self.title = title
            self.on = on
        }
    }

    /// Where the case is now.
    public struct Position: Sendable, Hashable {
        /// The state's name in the workflow, for programs.
        public var state: String
        /// The state's title, for people.
        public var title: String
        /// The day the case entered it (Europe/London).
        public var since: CalendarDate
        /// Whether this is the end of the process (a final state), so nothing comes next.
        public var isFinal: Bool

        /// Creates a position.
        public init(state: String, title: String, since: CalendarDate, isFinal: Bool) {
            self.state = state
            self.title = title
            self.since = since
            self.isFinal = isFinal
        }
    }

    /// One statutory time limit of the case.
    public struct TimeLimit: Sendable, Hashable {
        /// Where a time limit is, in the words a parent would use.
        public enum Status: Sendable, Hashable {
            /// Counting down: days left until the due date, negative once it has passed and the miss is not yet recorded.
            case running(daysLeft: Int)
            /// Stopped for a legal exception since that day; the due date moves on when it restarts.
            case paused(since: CalendarDate)
            /// Met in time, on that day.
            case met(on: CalendarDate)
            /// Met after the due date, on that day.
            case metLate(on: CalendarDate)
            /// Missed: the due date passed, recorded on that day.
            case missed(on: CalendarDate)
            /// Excused by an exception: reported, not counted as missed.
            case excused
            /// No longer applies: the case ended without reaching the step it was counting to.
            case lapsed
            /// A window the family held ended on that day without being used.
            case closed(on: CalendarDate)

            /// The status's stable name: `running`, `paused`, `met`, `met_late`, `missed`, `excused`, `lapsed` or `closed`.
            public var name: String {
                switch self {
                case .running: "running"
                case .paused: "paused"
                case .met: "met"
                case .metLate: "met_late"
                case .missed: "missed"
                case .excused: "excused"
                case .lapsed: "lapsed"
                case .closed: "closed"
                }
            }
        }

        /// The deadline's name in the workflow, for programs.
        public var name: String
        /// Its title, for people.
        public var title: String
        /// The day it is due (moved on by pauses once they end).
        public var dueOn: CalendarDate
        /// Where it is.
        public var status: Status

        /// Creates a time limit.
        public init(name: String, title: String, dueOn: CalendarDate, status: Status) {
            self.name = name
            self.title = title
            self.dueOn = dueOn
            self.status = status
        }
    }

    /// A message sent about the case, as its recipient received it.
    public struct Notice: Sendable, Hashable {
        /// The day it was sent (Europe/London).
        public var on: CalendarDate
        /// The role it went to.
        public var recipientRole: String
        /// The person or organisation it went to, when the case names one for the role.
        public var recipientID: String?
        /// Its subject.
        public var subject: String
        /// Its body.
        public var body: String
        /// Why it is owed by another route rather than sent through the portal; nil for a portal message.
        public var owedReason: OwedReason?
        /// When staff recorded sending it by another route, when it was owed and they have.
        public var sent: NoticeSent?

        /// Creates a notice.
        public init(
            on: CalendarDate, recipientRole: String, recipientID: String?, subject: String, body: String, owedReason: OwedReason? = nil, sent: NoticeSent? = nil
        ) {
            self.owedReason = owedReason
            self.sent = sent
            self.on = on
            self.recipientRole = recipientRole
            self.recipientID = recipientID
            self.subject = subject
            self.body = body
        }
    }

    /// The case's id.
    public var caseID: String
    /// The title of the case's workflow (`EHC needs assessment`).
    public var workflowTitle: String
    /// The day the timeline was read, by the engine's clock in Europe/London; days left count from it.
    public var asOf: CalendarDate
    /// Where the case is now.
    public var now: Position
    /// Every stage the case entered, oldest first; the current one is last.
    public var stages: [Stage]
    /// The titles of the steps that can follow from where the case is now, in the workflow's order; empty at the end of the process.
    public var next: [String]
    /// The time limits that have started, in the order they started; nil when the viewer may not see them.
    public var timeLimits: [TimeLimit]?
    /// The messages sent about the case, oldest first: only those addressed to the viewer, or every one for a viewer who may
    /// edit the case (``showsEveryNotice``), as `Engine.outbox(caseID:as:attributes:)` lists them.
    public var notices: [Notice]
    /// Whether ``notices`` holds every message of the case rather than only those addressed to the viewer.
    public var showsEveryNotice: Bool
    /// The parts left out because the viewer may not see them.
    public var withheld: [Part]
    /// Why they were left out, in the policy's plain words; empty when nothing was.
    public var reasons: [String]

    /// Creates a timeline.
    public init(
        caseID: String, workflowTitle: String, asOf: CalendarDate, now: Position, stages: [Stage], next: [String], timeLimits: [TimeLimit]?,
        notices: [Notice], showsEveryNotice: Bool, withheld: [Part], reasons: [String]
    ) {
        self.caseID = caseID
        self.workflowTitle = workflowTitle
        self.asOf = asOf
        self.now = now
        self.stages = stages
        self.next = next
        self.timeLimits = timeLimits
        self.notices = notices
        self.showsEveryNotice = showsEveryNotice
        self.withheld = withheld
        self.reasons = reasons
    }
}

extension CalendarDate {
    /// The date as letters and notices write it (`1 September 2025`), so a timeline reads like the messages it lists.
    public var written: String { TemplateRenderer.format(.date(self)) }
}

/// The case's timeline as one viewer may see it, read through the one door.
extension Engine {
    /// The case's progress as `actor` may see it, in plain words: stages passed, where it is now and what can come next,
    /// time limits (with `view` on `case.deadlines`) and the messages sent to them. Needs `view` on `case.state`; a refused
    /// viewer learns nothing, not even whether the case exists. Days left count from the engine clock's day.
    public func timeline(caseID: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> CaseTimeline {
        let admitted = try admit(caseID, actor: actor, attributes: attributes, action: "view", resource: "case.state")
        let record = admitted.record
        let workflow = admitted.workflow.definition
        let today = CalendarDate(admitted.access.at)
        func title(ofState name: String) -> String { workflow.states.first { $0.name.value == name }?.title ?? name }

        let stages = try storedHistory(caseID).filter { $0.revision <= record.revision }.compactMap { event -> CaseTimeline.Stage? in
            guard event.action == "opened" || (event.action == "fired" && event.fromState != event.toState) else { return nil }
            return CaseTimeline.Stage(state: event.toState, title: title(ofState: event.toState), on: CalendarDate(event.at))
        }
        let since = stages.last { $0.state == record.state }?.on ?? CalendarDate(record.openedAt)
        let isFinal = workflow.states.first { $0.name.value == record.state }?.isFinal ?? false
        var next: [String] = []
        for transition in workflow.transitions where transition.from.contains(where: { $0.value == record.state }) && !next.contains(transition.title) {
            next.append(transition.title)
        }

        var timeline = CaseTimeline(
            caseID: record.id, workflowTitle: workflow.title, asOf: today,
            now: CaseTimeline.Position(state: record.state, title: title(ofState: record.state), since: since, isFinal: isFinal),
            stages: stages, next: next, timeLimits: nil, notices: [], showsEveryNotice: false, withheld: [], reasons: [])
        if let decision = admitted.access.decision("view", on: "case.deadlines"), !decision.allowed {
            timeline.withheld.append(.timeLimits)
            timeline.reasons += decision.reasons
        } else {
            timeline.timeLimits = record.deadlines.map { clock in
                CaseTimeline.TimeLimit(name: clock.name, title: workflow.deadlines.first { $0.name.value == clock.name }?.title ?? clock.name,
                                       dueOn: clock.dueOn, status: Self.timeLimitStatus(clock, today: today))
            }
        }
        timeline.showsEveryNotice = admitted.access.editsCase
        let stored = try storeCall { () throws(StoreError) in try store.outbox(caseID: caseID) }.filter { $0.createdAt <= record.updatedAt }
        let messages = admitted.access.visibleMessages(stored, editsCase: timeline.showsEveryNotice)
        timeline.notices = messages.map { message in
            CaseTimeline.Notice(on: CalendarDate(message.createdAt), recipientRole: message.recipientRole, recipientID: message.recipientID,
                                subject: message.subject, body: message.body, owedReason: message.owedReason,
                                sent: record.noticesSent.first { $0.message == message.id })
        }
        return timeline
    }

    /// The case's audit events as stored, for a caller already let through the door for what it shows of them.
    private func storedHistory(_ caseID: String) throws(EngineError) -> [AuditEvent] {
        try storeCall { () throws(StoreError) in try store.history(caseID: caseID) }
    }

    /// Where a statutory clock is, counted from `today`.
    private static func timeLimitStatus(_ clock: DeadlineRecord, today: CalendarDate) -> CaseTimeline.TimeLimit.Status {
        switch clock.status {
        case .running: .running(daysLeft: today.days(to: clock.dueOn))
        case .paused: .paused(since: clock.pausedOn ?? clock.startedOn)
        case .met: .met(on: clock.metOn ?? clock.dueOn)
        case .metLate: .metLate(on: clock.metOn ?? clock.dueOn)
        case .breached: .missed(on: clock.breachedOn ?? clock.dueOn.adding(days: 1))
        case .excused: .excused
        case .lapsed: .lapsed
        case .closed: .closed(on: clock.closedOn ?? clock.dueOn.adding(days: 1))
        }
    }
}

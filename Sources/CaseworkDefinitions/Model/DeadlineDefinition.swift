import CaseworkTime

/// What starts a deadline's clock.
public enum DeadlineStart: Sendable, Hashable {
    /// A date field: the clock starts on its date once it is set (`from: requested_on`).
    case field(Located<String>)
    /// Entering a state: the clock starts on the day the case enters it (`from: { entered: assessing }`).
    case entered(Located<String>)
    /// Firing a transition: the clock starts on the day it fires (`from: { fired: issue_draft_plan }`).
    case fired(Located<String>)
}

/// A statutory time limit declared in a workflow (`deadlines:`).
public struct DeadlineDefinition: Sendable, Hashable {
    /// The deadline's name, unique in its workflow.
    public var name: Located<String>
    /// A title people read; the name when the file gives none.
    public var title: String
    /// What starts the clock.
    public var start: DeadlineStart
    /// How long the clock runs, such as `6 weeks`.
    public var due: Located<StatutoryDuration>?
    /// The due date as a date expression instead of a period (`due_on: later_of(requested_on + 6 weeks, advice_due_on)`,
    /// `due_on: meeting_on - 2 weeks`): worked out when the clock starts and again whenever the case changes while it
    /// runs. A deadline has `due` or `due_on`, never both.
    public var dueOn: ExpressionSource?
    /// A condition on the case that must hold for the clock to start (`when: not has(school_named)`): a deadline that
    /// applies to some cases only. It is read when the clock would start, and at each later change until it does.
    public var condition: ExpressionSource?
    /// A clock that recurs (`every: 12 months`): each time it is met, the next one starts on the day it was met and
    /// runs this long, as each annual review falls due within 12 months of the last. Without `due` or `due_on`, the
    /// first runs this long too.
    public var every: Located<StatutoryDuration>?
    /// The states that meet the deadline when the case enters one.
    public var until: [Located<String>]
    /// When to remind, such as `1 week before`.
    public var remind: [Located<RelativeDuration>]
    /// The roles notified when the deadline is breached.
    public var breachNotify: [Located<String>]
    /// The calendar this deadline counts on, when it is not the workflow's.
    public var calendar: Located<String>?
    /// Whose time it is: the council's duty (missed, it is breached and escalates) or a window the family holds
    /// (representations, an appeal: it closes, never breaches, and never escalates to staff).
    public var kind: DeadlineKind = .duty
    /// The date field that records when the deadline was met (`met_by: final_plan_issued_on`): whether it was met
    /// in time is decided from that date, not from when the step was recorded. Without it, the step's effective date.
    public var metBy: Located<String>?
    /// The steps that start the clock again from its `from` (`restart_on: { fired: issue_revised_draft }`): whatever
    /// it stood at, it runs anew, as when a revised draft gives the family another 15 days.
    public var restartOn: [DeadlineStart] = []
    /// States that end the clock without meeting or breaching it, because the step it times is no longer owed
    /// (`lapses_on: [drafting_plan]`: once the council decides to issue a plan, the time to say it will not no longer runs).
    public var lapsesOn: [Located<String>] = []
    /// Who is reminded (`remind_to: [parent, young_person]`): for a family's window, the family; without it, the
    /// roles that fire the transitions into the `until` states.
    public var remindTo: [Located<String>] = []

    /// Creates a deadline.
    public init(
        name: Located<String>, title: String, start: DeadlineStart, due: Located<StatutoryDuration>?, until: [Located<String>],
        remind: [Located<RelativeDuration>] = [], breachNotify: [Located<String>] = [], calendar: Located<String>? = nil
    ) {
        self.name = name
        self.title = title
        self.start = start
        self.due = due
        self.until = until
        self.remind = remind
        self.breachNotify = breachNotify
        self.calendar = calendar
    }
}

/// Whose time a deadline measures.
public enum DeadlineKind: String, Sendable, Hashable, CaseIterable {
    /// The council's statutory duty: missed, it is breached, and `on_breach` says who is told.
    case duty
    /// A window the family (or another party) holds, such as 15 days for representations: it closes when it ends
    /// and is reported apart from the council's duties.
    case window
}

/// What an exception does to the clocks it applies to.
public enum ExceptionEffect: String, Sendable, Hashable, CaseIterable {
    /// Stops the clock while the exception lasts; resuming moves the due date by the days paused.
    case pause
    /// Takes the clock out of the count: reported as excused under this exception, never as a breach.
    case excuse
}

/// A lawful exception to a time limit (`exceptions:`), such as SEND Regs 10(4)(a): the only grounds on which a clock
/// may be paused or excused, so each pause and excuse names one and reports can count them by code.
public struct ExceptionDefinition: Sendable, Hashable {
    /// The exception's code, unique in its workflow (`reg-10-4-a`).
    public var code: Located<String>
    /// A title people read; the code when the file gives none.
    public var title: String
    /// The provision it rests on, as a council cites it (`Reg 10(4)(a)`).
    public var cites: String
    /// The deadlines it can apply to.
    public var appliesTo: [Located<String>]
    /// Whether it pauses or excuses them.
    public var effect: ExceptionEffect

    /// Creates an exception.
    public init(code: Located<String>, title: String, cites: String, appliesTo: [Located<String>], effect: ExceptionEffect) {
        self.code = code
        self.title = title
        self.cites = cites
        self.appliesTo = appliesTo
        self.effect = effect
    }
}

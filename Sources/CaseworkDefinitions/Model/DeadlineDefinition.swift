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
    public var due: Located<StatutoryDuration>
    /// The states that meet the deadline when the case enters one.
    public var until: [Located<String>]
    /// When to remind, such as `1 week before`.
    public var remind: [Located<RelativeDuration>]
    /// The roles notified when the deadline is breached.
    public var breachNotify: [Located<String>]
    /// The calendar this deadline counts on, when it is not the workflow's.
    public var calendar: Located<String>?

    /// Creates a deadline.
    public init(
        name: Located<String>, title: String, start: DeadlineStart, due: Located<StatutoryDuration>, until: [Located<String>],
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

import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// What `tick` did: one reminder sent, one breach recorded, or one family's window closed.
public struct TickAction: Sendable, Hashable {
    /// The case.
    public var caseID: String
    /// The deadline's name.
    public var deadline: String
    /// `reminder`, `breach` or `close` (a window the family held ended unused).
    public var kind: String
    /// The deadline's due date.
    public var dueOn: CalendarDate
}

/// Statutory clocks: starting, meeting and lapsing as the case moves; pausing, resuming and excusing;
/// and `tick`, which applies due reminders and breaches once each.
extension Engine {
    /// The calendar a deadline counts on, from the calendars of the definition set the case runs on.
    func calendar(for deadline: DeadlineDefinition, in workflow: WorkflowDefinition, calendars: [String: WorkingCalendar]) -> any WorkingDayCalendar {
        let id = deadline.calendar?.value ?? workflow.calendar?.value
        return id.flatMap { calendars[$0] } ?? defaultCalendar
    }

    /// The roles that can meet a deadline: those who fire the transitions into its `until` states.
    static func responsibleRoles(for deadline: DeadlineDefinition, in workflow: WorkflowDefinition) -> [String] {
        let targets = Set(deadline.until.map(\.value))
        var roles: [String] = []
        // A step that stays enters no state, so it meets no clock.
        for transition in workflow.transitions where transition.to.named.map({ targets.contains($0.value) }) == true {
            for role in transition.by where !roles.contains(role.value) { roles.append(role.value) }
        }
        return roles
    }

    /// Starts, moves, meets and lapses the case's deadlines after a change from `previous` (nil when opening), on
    /// `today`, the day the change took effect, by `actor`.
    ///
    /// A clock starts once its `from` holds and its `when:` condition (if any) holds on the case as changed. A clock
    /// started from a date field follows that field: correcting the date moves the start and the due date of a clock
    /// still running or paused (the change is in the audited record); a `due_on:` date is worked out again at each
    /// change and moved by the deadline calendar's roll rules, as a counted period's end is. Both apply to a clock's
    /// first run only: a recurring clock's later runs start on the day the last was met and run `every`. A clock is met when the case enters one of its `until` states, on the date of its `met_by` field when
    /// that is set, otherwise on the day the step took effect; met on or before the due date (moved on by any pause
    /// so far) it is `met`, after it `met_late`, whether or not a tick recorded a breach in between. A condition or a
    /// due date that cannot be worked out (a field it reads is not set) refuses the step, naming the deadline.
    func advanceDeadlines(
        _ record: inout CaseRecord, previous: CaseRecord?, fired: String?, workflow loaded: PlannedWorkflow, calendars: [String: WorkingCalendar],
        actor: CaseActor, linked: LinkedCaseSnapshot, today: CalendarDate, now: Date
    ) throws(EngineError) {
        // A workflow that declares no clocks starts none and has none of the case's to move: nothing below applies, and
        // the case is not copied for a context no clock needs.
        guard !loaded.definition.deadlines.isEmpty else { return }
        let step = fired ?? "open"
        let entered = previous?.state != record.state ? record.state : nil
        let isFinal = loaded.definition.states.first { $0.name.value == record.state }?.isFinal ?? false
        let caseNow = record
        var context: WorkflowContext?  // built once, on the case as the step changed it, when a deadline first needs it
        func value(_ expression: WorkflowExpression, of deadline: DeadlineDefinition, _ what: String) throws(EngineError) -> ExpressionValue {
            let built = context ?? evaluationContext(caseNow, workflow: loaded, calendars: calendars, actor: actor, linked: linked, today: today, now: now)
            context = built
            switch expression.evaluate(built) {
            case .success(let value): return value
            case .failure(let error):
                throw .blocked(transition: step, blockers: [TransitionBlocker(.valueUndecided, "deadline '\(deadline.name.value)': \(what) cannot be worked out: \(error)")])
            }
        }
        func due(_ deadline: DeadlineDefinition, from start: CalendarDate) throws(EngineError) -> CalendarDate {
            guard let expression = loaded.deadlineDueDates[deadline.name.value] else {
                return try Self.dueDate(of: deadline, from: start, on: calendar(for: deadline, in: loaded.definition, calendars: calendars))
            }
            guard case .date(let date) = try value(expression, of: deadline, "its due date") else {
                throw .definitionError("the due date of deadline '\(deadline.name.value)' is not a date")
            }
            do {
                return try calendar(for: deadline, in: loaded.definition, calendars: calendars).rolled(date)
            } catch {
                throw .definitionError("deadline '\(deadline.name.value)' cannot fall due on \(date): \(error)")
            }
        }
        for deadline in loaded.definition.deadlines where !record.deadlines.contains(where: { $0.name == deadline.name.value }) {
            let started: CalendarDate?
            switch deadline.start {
            case .field(let field):
                if case .date(let date)? = record.fields[field.value] { started = date } else { started = nil }
            case .entered(let state):
                started = entered == state.value ? today : nil
            case .fired(let transition):
                started = fired == transition.value ? today : nil
            }
            guard let started else { continue }
            if let condition = loaded.deadlineConditions[deadline.name.value], try value(condition, of: deadline, "its condition") != .bool(true) { continue }
            record.deadlines.append(DeadlineRecord(name: deadline.name.value, startedOn: started, dueOn: try due(deadline, from: started)))
        }
        for index in record.deadlines.indices {
            guard let deadline = loaded.definition.deadlines.first(where: { $0.name.value == record.deadlines[index].name }) else { continue }
            let restarts = deadline.restartOn.contains { restart in
                switch restart {
                case .entered(let state): entered == state.value
                case .fired(let transition): fired == transition.value
                case .field: false
                }
            }
            if restarts {
                var start = today
                if case .field(let field) = deadline.start, case .date(let date)? = record.fields[field.value] { start = date }
                var fresh = DeadlineRecord(name: deadline.name.value, startedOn: start, dueOn: try due(deadline, from: start))
                fresh.earlier = record.deadlines[index].earlier
                record.deadlines[index] = fresh
            }
            let clock = record.deadlines[index]
            if clock.status == .running || clock.status == .paused {
                var start = clock.startedOn
                // Only a first run follows its `from` field and its `due_on:` date; a recurring clock's later runs start
                // where the last was met and run `every`, whatever the first run's date says.
                if clock.earlier.isEmpty, case .field(let field) = deadline.start, case .date(let date)? = record.fields[field.value] { start = date }
                if clock.earlier.isEmpty, start != clock.startedOn || loaded.deadlineDueDates[deadline.name.value] != nil {
                    record.deadlines[index].startedOn = start
                    record.deadlines[index].dueOn = try due(deadline, from: start).adding(days: clock.pausedDays)
                }
            }
            let current = record.deadlines[index]
            // A clock the tick breached (a duty) or closed (a window) is decided again from the fact's own date: a
            // step recorded after the tick but dated in time met it.
            if let entered, deadline.until.contains(where: { $0.value == entered }), current.metOn == nil,
                [.running, .paused, .breached, .closed].contains(current.status)
            {
                var metOn = today
                if let field = deadline.metBy?.value, case .date(let date)? = record.fields[field] { metOn = date }
                let pausedSoFar = current.status == .paused ? max(0, (current.pausedOn ?? metOn).days(to: metOn)) : 0
                let inTime = metOn <= current.dueOn.adding(days: pausedSoFar)
                record.deadlines[index].pausedOn = nil
                if deadline.kind == .window, !inTime {
                    // A family's window that ended before the step is closed, whether or not a tick closed it first:
                    // the family's time cannot be "met late".
                    record.deadlines[index].status = .closed
                    record.deadlines[index].closedOn = current.dueOn.adding(days: pausedSoFar + 1)
                } else {
                    record.deadlines[index].metOn = metOn
                    record.deadlines[index].closedOn = nil
                    record.deadlines[index].status = inTime ? .met : .metLate
                    if let every = deadline.every {
                        // The next run starts on the day this one was met and runs `every` on the deadline's calendar.
                        var finished = record.deadlines[index]
                        finished.earlier = []
                        let nextDue = try Self.dueDate(of: deadline, from: metOn, on: calendar(for: deadline, in: loaded.definition, calendars: calendars),
                                                       period: every.value)
                        var next = DeadlineRecord(name: deadline.name.value, startedOn: metOn, dueOn: nextDue)
                        next.earlier = current.earlier + [finished]
                        record.deadlines[index] = next
                    }
                }
            } else if isFinal || entered.map({ state in deadline.lapsesOn.contains { $0.value == state } }) == true,
                current.status == .running || current.status == .paused
            {
                if deadline.kind == .window, current.status == .running, today > current.dueOn {
                    // The family's time ran out before the case ended: the window closed, whether or not a tick saw it.
                    record.deadlines[index].status = .closed
                    record.deadlines[index].closedOn = current.dueOn.adding(days: 1)
                } else {
                    record.deadlines[index].status = .lapsed
                }
            }
        }
    }

    /// The day `deadline` falls due from `start` on `calendar` after `period` (by default its first run's: `due`, else
    /// `every`); a date the calendar cannot count is refused, never taken as due the day it starts.
    static func dueDate(
        of deadline: DeadlineDefinition, from start: CalendarDate, on calendar: any WorkingDayCalendar, period: StatutoryDuration? = nil
    ) throws(EngineError) -> CalendarDate {
        guard let period = period ?? (deadline.due ?? deadline.every)?.value else {
            throw .definitionError("deadline '\(deadline.name.value)' has no period to count")
        }
        do {
            return try calendar.due(from: start, after: period)
        } catch {
            throw .definitionError("deadline '\(deadline.name.value)' cannot be counted from \(start): \(error)")
        }
    }

    /// The day a reminder falls due.
    func reminderDate(_ reminder: RelativeDuration, dueOn: CalendarDate, calendar: any WorkingDayCalendar) -> CalendarDate {
        TimeArithmetic.move(dueOn, by: reminder.duration, sign: reminder.direction == .before ? -1 : 1, calendar: calendar) ?? dueOn
    }

    /// Every pending reminder and breach of the case, for the store's due-time index.
    func alarms(for record: CaseRecord, workflow: PlannedWorkflow, calendars: [String: WorkingCalendar]) -> [DeadlineAlarm] {
        var alarms: [DeadlineAlarm] = []
        for clock in record.deadlines where clock.status == .running {
            guard let deadline = workflow.definition.deadlines.first(where: { $0.name.value == clock.name }) else { continue }
            let calendar = calendar(for: deadline, in: workflow.definition, calendars: calendars)
            for (index, reminder) in deadline.remind.enumerated() where !clock.remindersSent.contains(index) && !clock.remindersSkipped.contains(index) {
                let day = reminderDate(reminder.value, dueOn: clock.dueOn, calendar: calendar)
                alarms.append(DeadlineAlarm(caseID: record.id, deadline: clock.name, kind: "reminder-\(index)", dueAt: day.start()))
            }
            alarms.append(DeadlineAlarm(caseID: record.id, deadline: clock.name, kind: deadline.kind == .window ? "close" : "breach",
                                        dueAt: clock.dueOn.adding(days: 1).start()))
        }
        return alarms
    }

    // MARK: Pause, resume, excuse

    /// Stops a running clock for a lawful exception; the exception and the reason are audited.
    ///
    /// `exception` must name one of the workflow's `exceptions:` that applies to this deadline and pauses; a workflow
    /// that declares none has no clock that may be paused.
    public func pauseDeadline(
        caseID: String, deadline: String, as actor: CaseActor, reason: String, exception: String? = nil, attributes: [String: ExpressionValue] = [:]
    ) throws(EngineError) -> ChangeResult {
        try changeDeadline(caseID: caseID, name: deadline, actor: actor, attributes: attributes, reason: reason, exception: (exception, .pause),
                           action: "deadline_paused") { clock, today throws(EngineError) in
            guard clock.status == .running else { throw Self.deadlineBlocked(deadline, "deadline '\(deadline)' is \(clock.status.rawValue), not running, so it cannot be paused") }
            clock.status = .paused
            clock.pausedOn = today
            clock.reason = reason
            clock.exception = exception
        }
    }

    /// Restarts a paused clock; its due date moves on by the days it was paused.
    public func resumeDeadline(
        caseID: String, deadline: String, as actor: CaseActor, reason: String, attributes: [String: ExpressionValue] = [:]
    ) throws(EngineError) -> ChangeResult {
        try changeDeadline(caseID: caseID, name: deadline, actor: actor, attributes: attributes, reason: reason, exception: nil,
                           action: "deadline_resumed") { clock, today throws(EngineError) in
            guard clock.status == .paused, let pausedOn = clock.pausedOn else {
                throw Self.deadlineBlocked(deadline, "deadline '\(deadline)' is \(clock.status.rawValue), not paused, so it cannot be resumed")
            }
            let days = max(0, pausedOn.days(to: today))
            clock.pausedDays += days
            clock.dueOn = clock.dueOn.adding(days: days)
            clock.status = .running
            clock.pausedOn = nil
            clock.reason = reason
        }
    }

    /// Marks a clock excused by an exception: it is reported under the exception's code, never counted as a breach.
    ///
    /// `exception` must name one of the workflow's `exceptions:` that applies to this deadline and excuses.
    public func excuseDeadline(
        caseID: String, deadline: String, as actor: CaseActor, reason: String, exception: String? = nil, attributes: [String: ExpressionValue] = [:]
    ) throws(EngineError) -> ChangeResult {
        try changeDeadline(caseID: caseID, name: deadline, actor: actor, attributes: attributes, reason: reason, exception: (exception, .excuse),
                           action: "deadline_excused") { clock, _ throws(EngineError) in
            guard [.running, .paused, .breached].contains(clock.status) else {
                throw Self.deadlineBlocked(deadline, "deadline '\(deadline)' is \(clock.status.rawValue) and cannot be excused")
            }
            clock.status = .excused
            clock.pausedOn = nil
            clock.reason = reason
            clock.exception = exception
        }
    }

    /// Why `code` cannot be cited to `effect` deadline `deadline` of `workflow`, or nil when it can: a clock is paused or
    /// excused only under one of the workflow's declared exceptions that applies to it with that effect.
    static func exceptionProblem(_ code: String?, effect: ExceptionEffect, deadline: String, in workflow: WorkflowDefinition) -> InputProblem? {
        let declared = workflow.exceptions
        guard !declared.isEmpty else {
            return InputProblem(field: "exception", message: "workflow '\(workflow.id.value)' declares no exceptions, and a clock is paused or excused only under "
                                + "one of them: declare the provision that allows it under 'exceptions:'")
        }
        guard let code else {
            let applicable = declared.filter { $0.effect == effect && $0.appliesTo.contains { $0.value == deadline } }.map(\.code.value)
            let choices = applicable.isEmpty ? "none of workflow '\(workflow.id.value)''s exceptions can \(effect.rawValue) it" : "one of \(applicable.joined(separator: ", "))"
            return InputProblem(field: "exception", message: "say which exception applies (\(choices))")
        }
        guard let exception = declared.first(where: { $0.code.value == code }) else {
            let hint = NameSuggester.suggest(code, from: declared.map(\.code.value)).map { "; did you mean '\($0)'?" } ?? ""
            return InputProblem(field: "exception", message: "workflow '\(workflow.id.value)' declares no exception '\(code)'\(hint)")
        }
        guard exception.appliesTo.contains(where: { $0.value == deadline }) else {
            return InputProblem(field: "exception", message: "exception '\(code)' (\(exception.cites)) does not apply to deadline '\(deadline)'")
        }
        guard exception.effect == effect else {
            return InputProblem(field: "exception", message: "exception '\(code)' (\(exception.cites)) \(exception.effect.rawValue)s a clock; it cannot \(effect.rawValue) one")
        }
        return nil
    }

    private static func deadlineBlocked(_ name: String, _ message: String) -> EngineError {
        .blocked(transition: name, blockers: [TransitionBlocker(.deadlineStatus, message)])
    }

    /// Through the door (`edit` on `case.deadlines`), then the deadline's own checks, then one audited commit.
    private func changeDeadline(
        caseID: String, name: String, actor: CaseActor, attributes: [String: ExpressionValue], reason: String,
        exception: (code: String?, effect: ExceptionEffect)?, action: String, _ change: (inout DeadlineRecord, CalendarDate) throws(EngineError) -> Void
    ) throws(EngineError) -> ChangeResult {
        let admitted = try admit(caseID, actor: actor, attributes: attributes, action: "edit", resource: "case.deadlines")
        let record = admitted.record
        let workflow = admitted.workflow.definition
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [InputProblem] = []
        if trimmed.isEmpty { problems.append(InputProblem(field: "reason", message: "say why (the exception that applies)")) }
        if let problem = FieldValues.controlCharacterProblem(trimmed, allowingLineBreaks: true) { problems.append(InputProblem(field: "reason", message: problem)) }
        guard let definition = workflow.deadlines.first(where: { $0.name.value == name }) else {
            let hint = NameSuggester.suggest(name, from: workflow.deadlines.map(\.name.value)).map { "; did you mean '\($0)'?" } ?? ""
            throw .invalidInput(problems + [InputProblem(field: "deadline", message: "workflow '\(workflow.id.value)' has no deadline '\(name)'\(hint)")])
        }
        if let exception, let problem = Self.exceptionProblem(exception.code, effect: exception.effect, deadline: name, in: workflow) {
            problems.append(problem)
        }
        guard problems.isEmpty else { throw .invalidInput(problems) }
        // The roles responsible and those told of a breach, each once (the SEND manager is often both).
        var allowed: [String] = []
        for role in Self.responsibleRoles(for: definition, in: workflow) + definition.breachNotify.map(\.value) where !allowed.contains(role) {
            allowed.append(role)
        }
        guard actor.isOperator || allowed.contains(actor.role) else {
            throw .blocked(transition: name, blockers: [TransitionBlocker(.roleNotAllowed, "only \(allowed.joined(separator: " or ")) may pause, resume or excuse deadline '\(name)'")])
        }
        guard let index = record.deadlines.firstIndex(where: { $0.name == name }) else {
            throw Self.deadlineBlocked(name, "deadline '\(name)' has not started on this case")
        }
        let now = admitted.access.at
        var next = record
        try change(&next.deadlines[index], CalendarDate(now))
        var input: [String: ExpressionValue] = ["reason": .string(trimmed)]
        if let code = exception?.code { input["exception"] = .string(code) }
        let decided = DecidedChange(before: record, after: next, workflow: admitted.workflow, calendars: admitted.definitions.calendars, action: action, subject: name, input: input)
        return try commit([decided], actor: actor, attributes: attributes, request: nil, at: now)
    }

    // MARK: Tick

    /// Applies every reminder and breach due now, each exactly once, reading the due-time index
    /// (never every case). Safe when several processes tick the same store at once: each action is a
    /// change under the case's revision, so a second ticker finds it done.
    public func tick(limit: Int = 10_000) throws(EngineError) -> [TickAction] {
        let now = Self.millisecondPrecision(clockNow())
        let due = try storeCall { () throws(StoreError) in try store.dueAlarms(at: now, limit: limit) }
        var seen = Set<String>()
        var actions: [TickAction] = []
        for alarm in due where seen.insert(alarm.caseID).inserted {
            actions += try tickCase(alarm.caseID, now: now, actions: .max)
        }
        return actions
    }

    /// Applies what is due on one case, at most `limit` actions, one per commit, rereading the case after a conflict.
    package func tickCase(_ caseID: String, now: Date, actions limit: Int) throws(EngineError) -> [TickAction] {
        var actions: [TickAction] = []
        var conflicts = 0
        while conflicts < 5, actions.count < limit {
            guard let record = try loadRecord(caseID) else { return actions }
            let planned = try workflow(for: record)
            let workflow = planned.definition
            let accessGuard = try accessGuard(for: planned, in: try definitions(for: record))
            let calendars = try definitions(for: record).calendars
            guard let due = nextDueAction(record, workflow: workflow, calendars: calendars, today: CalendarDate(now)) else { return actions }
            let action = due.action
            let kind = Self.auditAction[action.kind] ?? "deadline_reminder"
            let sent = due.message.map { message in
                messages(message, to: due.roles, values: due.values, step: kind, on: due.record, workflow: planned, guardedBy: accessGuard, resource: "case.deadlines")
            } ?? []
            let decided = DecidedChange(before: record, after: due.record, workflow: planned, calendars: calendars, action: kind, subject: action.deadline, input: [:],
                                        messages: sent)
            do {
                _ = try commit([decided], actor: .operator("tick"), attributes: [:], request: nil, at: now)
                actions.append(action)
            } catch .store(.revisionConflict) {
                conflicts += 1
            } catch .store(.duplicate) {
                conflicts += 1
            }
        }
        return actions
    }

    /// The audit action of each kind of tick action.
    static let auditAction = ["reminder": "deadline_reminder", "breach": "deadline_breached", "close": "deadline_closed"]

    /// The first reminder, breach or closing due on the case today, with the case after it and the message it sends
    /// to whom with its `deadline.*` values (no message when a family's window closes).
    ///
    /// A tick that runs late catches up sensibly: of the reminders whose moments have passed, only the latest is sent
    /// (the others are recorded as skipped, so no one gets two at once), and none is sent once the due date has
    /// passed; then the clock is breached (a duty) or closed (a window), and the skipped reminders are recorded.
    private func nextDueAction(
        _ record: CaseRecord, workflow: WorkflowDefinition, calendars: [String: WorkingCalendar], today: CalendarDate
    ) -> (record: CaseRecord, action: TickAction, message: EngineMessage?, roles: [String], values: [String: ExpressionValue])? {
        for index in record.deadlines.indices where record.deadlines[index].status == .running {
            let clock = record.deadlines[index]
            guard let deadline = workflow.deadlines.first(where: { $0.name.value == clock.name }) else { continue }
            let calendar = calendar(for: deadline, in: workflow, calendars: calendars)
            let until = deadline.until.map { state in workflow.states.first { $0.name.value == state.value }?.title ?? state.value }
            var values: [String: ExpressionValue] = ["deadline.title": .string(deadline.title), "deadline.due_on": .date(clock.dueOn),
                                                     "deadline.until": .list(until.map(ExpressionValue.string))]
            let passed = deadline.remind.indices
                .filter { !clock.remindersSent.contains($0) && !clock.remindersSkipped.contains($0) }
                .map { (position: $0, day: reminderDate(deadline.remind[$0].value, dueOn: clock.dueOn, calendar: calendar)) }
                .filter { $0.day <= today }
                .sorted { ($0.day, $0.position) < ($1.day, $1.position) }
            let overdue = today > clock.dueOn
            var next = record
            if !overdue, let latest = passed.last {
                next.deadlines[index].remindersSent.append(latest.position)
                next.deadlines[index].remindersSkipped += passed.dropLast().map(\.position)
                values["deadline.days_left"] = .int(today.days(to: clock.dueOn))
                let reminded = deadline.remindTo.isEmpty ? Self.responsibleRoles(for: deadline, in: workflow) : deadline.remindTo.map(\.value)
                return (next, TickAction(caseID: record.id, deadline: clock.name, kind: "reminder", dueOn: clock.dueOn), .reminder, reminded, values)
            }
            guard overdue else { continue }
            next.deadlines[index].remindersSkipped += passed.map(\.position)
            switch deadline.kind {
            case .window:
                next.deadlines[index].status = .closed
                next.deadlines[index].closedOn = clock.dueOn.adding(days: 1)
                return (next, TickAction(caseID: record.id, deadline: clock.name, kind: "close", dueOn: clock.dueOn), nil, [], values)
            case .duty:
                next.deadlines[index].status = .breached
                next.deadlines[index].breachedOn = clock.dueOn.adding(days: 1)
                return (next, TickAction(caseID: record.id, deadline: clock.name, kind: "breach", dueOn: clock.dueOn), .breach,
                        deadline.breachNotify.map(\.value), values)
            }
        }
        return nil
    }
}

import CaseworkDiagnostics
import CaseworkExpressions
import CaseworkTime
import CaseworkYAML

/// Checks a workflow's calendar, deadlines, opening `input:`, and the `input:` and `set:` of its transitions against the set.
struct DeadlineChecks {
    let workflow: WorkflowDefinition
    let set: DefinitionSet
    /// Definitions that failed to load: a calendar among them is known by name.
    let unloaded: UnloadedDefinitions
    /// The workflow file's text, for exact positions of errors inside `set:` expressions.
    let source: DefinitionText?
    /// The workflow's names and their types, for `set:` values.
    let environment: ExpressionEnvironment

    /// Reports every problem, and keeps in `checked` each transition's checked `set:` values and each deadline's
    /// checked `when:` and `due_on:`.
    func run(into bag: inout DiagnosticBag, checked: inout CheckedWorkflowExpressions) {
        let calendars = set.calendars.map(\.id.value)
        func checkCalendar(_ name: Located<String>?, referrer: String) {
            guard let name, set.calendar(name.value) == nil, !unloaded.contains("calendar", name.value) else { return }
            bag.report(.unknownCalendar(name: name.value, referrer: referrer, suggestion: NameSuggester.suggest(name.value, from: calendars)), at: name.range)
        }
        checkCalendar(workflow.calendar, referrer: "workflow '\(workflow.id.value)'")
        let fields = FieldValues.types(of: workflow.fields)
        let fieldNames = fields.keys.sorted()
        // Only deadlines read the state and transition names: a workflow without any lists none (a large one has thousands).
        let states = workflow.deadlines.isEmpty ? [] : workflow.states.map(\.name.value)
        let transitions = workflow.deadlines.isEmpty ? [] : workflow.transitions.map(\.name.value)
        let roles = workflow.roles.map(\.value)
        var firstByName: [String: SourceRange] = [:]
        for deadline in workflow.deadlines {
            let referrer = "deadline '\(deadline.name.value)'"
            if let first = firstByName[deadline.name.value] {
                bag.report(.duplicateDeadline(name: deadline.name.value), at: deadline.name.range, notes: [DiagnosticNote("first declared here", at: first)])
            } else {
                firstByName[deadline.name.value] = deadline.name.range
            }
            checkCalendar(deadline.calendar, referrer: referrer)
            switch deadline.start {
            case .field(let field):
                if workflow.untypedFields.contains(field.value) {
                    // Its type is already reported; nothing more to say about it here.
                } else if let type = fields[field.value] {
                    if type != .date { bag.report(.notADateField(field: field.value, type: FieldValues.describe(type)), at: field.range) }
                } else if fieldNames.contains(where: { $0.hasPrefix(field.value + ".") }) {
                    bag.report(.notADateField(field: field.value, type: "a group of fields"), at: field.range)
                } else {
                    bag.report(.unknownField(name: field.value, referrer: referrer, suggestion: NameSuggester.suggest(field.value, from: fieldNames)), at: field.range)
                }
            case .entered(let state):
                if !states.contains(state.value) {
                    bag.report(.unknownState(name: state.value, referrer: referrer, suggestion: NameSuggester.suggest(state.value, from: states)), at: state.range)
                }
            case .fired(let transition):
                if !transitions.contains(transition.value) {
                    bag.report(.unknownTransition(name: transition.value, referrer: referrer, suggestion: NameSuggester.suggest(transition.value, from: transitions)),
                               at: transition.range)
                }
            }
            for state in deadline.until + deadline.lapsesOn where !states.contains(state.value) {
                bag.report(.unknownState(name: state.value, referrer: referrer, suggestion: NameSuggester.suggest(state.value, from: states)), at: state.range)
            }
            for role in deadline.breachNotify + deadline.remindTo where !roles.contains(role.value) {
                bag.report(.unknownRole(name: role.value, referrer: referrer, suggestion: NameSuggester.suggest(role.value, from: roles)), at: role.range)
            }
            for reminder in deadline.remind where (deadline.due ?? deadline.every).map({ Self.isAfterDue(reminder.value, due: $0.value) }) == true {
                bag.report(.reminderAfterDue(reminder: reminder.value.description, deadline: deadline.name.value), at: reminder.range)
            }
            for restart in deadline.restartOn {
                switch restart {
                case .entered(let state) where !states.contains(state.value):
                    bag.report(.unknownState(name: state.value, referrer: referrer, suggestion: NameSuggester.suggest(state.value, from: states)), at: state.range)
                case .fired(let transition) where !transitions.contains(transition.value):
                    bag.report(.unknownTransition(name: transition.value, referrer: referrer, suggestion: NameSuggester.suggest(transition.value, from: transitions)),
                               at: transition.range)
                default: break
                }
            }
            if deadline.kind == .window, let first = deadline.breachNotify.first {
                bag.report(.windowEscalates(deadline: deadline.name.value), at: first.range)
            }
            if let metBy = deadline.metBy, !workflow.untypedFields.contains(metBy.value) {
                if let type = fields[metBy.value] {
                    if type != .date { bag.report(.metByNotADate(field: metBy.value, deadline: deadline.name.value, type: FieldValues.describe(type)), at: metBy.range) }
                } else {
                    bag.report(.unknownField(name: metBy.value, referrer: referrer, suggestion: NameSuggester.suggest(metBy.value, from: fieldNames)), at: metBy.range)
                }
            }
        }
        let deadlineNames = workflow.deadlines.map(\.name.value)
        for exception in workflow.exceptions {
            for name in exception.appliesTo where !deadlineNames.contains(name.value) {
                bag.report(.unknownDeadline(name: name.value, referrer: "exception '\(exception.code.value)'",
                                            suggestion: NameSuggester.suggest(name.value, from: deadlineNames)), at: name.range)
            }
        }
        for deadline in workflow.deadlines {
            let name = deadline.name.value
            if let condition = deadline.condition {
                switch ExpressionChecker.compile(condition.text, in: environment, expecting: .bool, role: "the condition of deadline '\(name)'") {
                case .success(let compiled): checked.deadlineConditions[name] = compiled
                case .failure(let failure): GuardChecks.report(failure.errors, in: condition, source: source, into: &bag)
                }
            }
            if let dueOn = deadline.dueOn {
                switch ExpressionChecker.compile(dueOn.text, in: environment, expecting: .date, role: "the due date of deadline '\(name)'") {
                case .success(let compiled): checked.deadlineDueDates[name] = compiled
                case .failure(let failure): GuardChecks.report(failure.errors, in: dueOn, source: source, into: &bag)
                }
            }
        }
        for index in workflow.transitions.indices {
            let name = workflow.transitions[index].name.value
            // Read by index, in place: binding each notification copied (and reference-counted) all of it.
            for position in workflow.transitions[index].notify.indices {
                guard let condition = workflow.transitions[index].notify[position].condition else { continue }
                switch ExpressionChecker.compile(condition.text, in: environment, expecting: .bool, role: "the condition of a notification of transition '\(name)'") {
                case .success(let compiled): checked.notifyConditions[name, default: [:]][position] = compiled
                case .failure(let failure): GuardChecks.report(failure.errors, in: condition, source: source, into: &bag)
                }
            }
        }
        checked.assignments = checkTransitions(fields: fields, fieldNames: fieldNames, into: &bag)
    }

    /// Whether a reminder can never come while the deadline runs, whatever the start date: any `after` (the
    /// breach comes first), or a `before` that reaches back past the start by the counting rules.
    ///
    /// In one unit that is a larger count. Across units it is the fewest days the reminder can reach back
    /// against the most days the period can last; working days have no most (bank holidays stretch them),
    /// so a period in working days is compared only with a reminder in working days.
    static func isAfterDue(_ reminder: RelativeDuration, due: StatutoryDuration) -> Bool {
        if reminder.direction == .after { return true }
        if reminder.duration.unit == due.unit { return reminder.duration.count > due.count }
        let count = reminder.duration.count
        let fewest: Int
        switch reminder.duration.unit {
        case .days, .workingDays: fewest = count
        case .weeks: fewest = count * 7
        case .months: fewest = count * 28
        case .years: fewest = count * 365
        }
        let most: Int
        switch due.unit {
        case .days: most = due.count
        case .weeks: most = due.count * 7
        case .months: most = due.count * 31
        case .years: most = due.count * 366
        case .workingDays: return false
        }
        return fewest > most
    }

    private func checkTransitions(fields: [String: FieldType], fieldNames: [String], into bag: inout DiagnosticBag) -> [String: [String: CheckedExpression]] {
        var assignments: [String: [String: CheckedExpression]] = [:]
        func checkInput(_ input: [InputField], referrer: @autoclosure () -> String) {
            for input in input where fields[input.field.value] == nil && !workflow.untypedFields.contains(input.field.value) {
                bag.report(.unknownField(name: input.field.value, referrer: referrer(), suggestion: NameSuggester.suggest(input.field.value, from: fieldNames)),
                           at: input.field.range)
            }
        }
        checkInput(workflow.openingInput ?? [], referrer: "the opening 'input' of workflow '\(workflow.id.value)'")
        // Read by index, field by field: binding each transition would copy (and reference-count) all of it.
        for index in workflow.transitions.indices {
            func referrer() -> String { "transition '\(workflow.transitions[index].name.value)'" }
            checkInput(workflow.transitions[index].input, referrer: referrer())
            if let grant = workflow.transitions[index].grant {
                for field in [grant.caseField, grant.toField, grant.levelField] where fields[field.value] == nil && !workflow.untypedFields.contains(field.value) {
                    bag.report(.unknownField(name: field.value, referrer: referrer(), suggestion: NameSuggester.suggest(field.value, from: fieldNames)), at: field.range)
                }
            }
            for assignment in workflow.transitions[index].set where !workflow.untypedFields.contains(assignment.field.value) {
                guard fields[assignment.field.value] != nil, let type = environment.names[assignment.field.value] else {
                    bag.report(.unknownField(name: assignment.field.value, referrer: referrer(),
                                             suggestion: NameSuggester.suggest(assignment.field.value, from: fieldNames)), at: assignment.field.range)
                    continue
                }
                switch ExpressionChecker.compile(assignment.expression.text, in: environment, expecting: type, role: "the value for '\(assignment.field.value)'") {
                case .success(let checked):
                    assignments[workflow.transitions[index].name.value, default: [:]][assignment.field.value] = checked
                case .failure(let failure):
                    GuardChecks.report(failure.errors, in: assignment.expression, source: source, into: &bag)
                }
            }
        }
        return assignments
    }
}

import CaseworkTime
import CaseworkYAML

// A workflow whole: its outline (`WorkflowParts.swift`), then what only running its cases needs (transitions,
// templates, messages, deadlines, exceptions, opening input), written into the workflow's own region of a definition
// cache's entry (``DefinitionArchive/appendWorkflow(_:files:to:)``) and read when the workflow is first run.

extension ArchiveWriter {
    /// Writes a whole workflow: its outline's parts, then its transitions, templates, messages, deadlines, exceptions
    /// and opening input.
    mutating func wholeWorkflow(_ workflow: WorkflowDefinition) throws(Unwritable) {
        try outlineParts(of: workflow)
        try list(workflow.transitions) { (writer, transition) throws(Unwritable) in try writer.transition(transition) }
        try list(workflow.templates) { (writer, template) throws(Unwritable) in
            try writer.located(template.name)
            // The parts are not written: they are worked out from the text again, as the decoder works them out.
            writer.string(template.subject.source)
            try writer.range(template.subject.range)
            writer.string(template.body.source)
            try writer.range(template.body.range)
        }
        try messages(workflow.messages)
        try list(workflow.deadlines) { (writer, deadline) throws(Unwritable) in try writer.deadline(deadline) }
        try list(workflow.exceptions) { (writer, exception) throws(Unwritable) in
            try writer.located(exception.code)
            writer.string(exception.title)
            writer.string(exception.cites)
            try writer.names(exception.appliesTo)
            writer.count(ExceptionEffect.allCases.firstIndex(of: exception.effect)!)
        }
        try optional(workflow.openingInput) { (writer, input) throws(Unwritable) in try writer.inputFields(input) }
    }

    /// Writes a transition: its name, title, `from:`, target, `by:`, guard, forms started, notifications, input,
    /// `set:` values, grant, openings and report.
    mutating func transition(_ transition: TransitionDefinition) throws(Unwritable) {
        try located(transition.name)
        string(transition.title)
        try names(transition.from)
        switch transition.to {
        case .state(let name):
            count(0)
            try located(name)
        case .stays(let range):
            count(1)
            try self.range(range)
        }
        try names(transition.by)
        try optional(transition.when) { (writer, expression) throws(Unwritable) in try writer.expression(expression) }
        try list(transition.startForms) { (writer, start) throws(Unwritable) in
            try writer.located(start.form)
            try writer.names(start.recipients)
        }
        try list(transition.notify) { (writer, notification) throws(Unwritable) in
            try writer.names(notification.recipients)
            try writer.located(notification.template)
            try writer.names(notification.ifNamed)
            try writer.optional(notification.condition) { (writer, expression) throws(Unwritable) in try writer.expression(expression) }
        }
        try inputFields(transition.input)
        try assignments(transition.set)
        try optional(transition.grant) { (writer, grant) throws(Unwritable) in
            try writer.located(grant.caseField)
            try writer.located(grant.toField)
            try writer.located(grant.levelField)
        }
        try list(transition.open) { (writer, effect) throws(Unwritable) in
            try writer.located(effect.link)
            try writer.assignments(effect.fields)
        }
        try optional(transition.report) { (writer, report) throws(Unwritable) in
            try writer.located(report.to)
            try writer.names(report.fire)
            try writer.assignments(report.input)
        }
    }

    /// Writes input fields: each one's path, then whether it is required.
    mutating func inputFields(_ fields: [InputField]) throws(Unwritable) {
        try list(fields) { (writer, field) throws(Unwritable) in
            try writer.located(field.field)
            writer.bool(field.isRequired)
        }
    }

    /// Writes field assignments: each one's path, then its expression.
    mutating func assignments(_ assignments: [FieldAssignment]) throws(Unwritable) {
        try list(assignments) { (writer, assignment) throws(Unwritable) in
            try writer.located(assignment.field)
            try writer.expression(assignment.expression)
        }
    }

    /// Writes a deadline: every part, in the order of ``DeadlineDefinition``'s properties.
    mutating func deadline(_ deadline: DeadlineDefinition) throws(Unwritable) {
        try located(deadline.name)
        string(deadline.title)
        try deadlineStart(deadline.start)
        try optional(deadline.due) { (writer, due) throws(Unwritable) in try writer.locatedDuration(due) }
        try optional(deadline.dueOn) { (writer, expression) throws(Unwritable) in try writer.expression(expression) }
        try optional(deadline.condition) { (writer, expression) throws(Unwritable) in try writer.expression(expression) }
        try optional(deadline.every) { (writer, every) throws(Unwritable) in try writer.locatedDuration(every) }
        try names(deadline.until)
        try list(deadline.remind) { (writer, remind) throws(Unwritable) in
            writer.duration(remind.value.duration)
            writer.bool(remind.value.direction == .after)
            try writer.range(remind.range)
        }
        try names(deadline.breachNotify)
        try optional(deadline.calendar) { (writer, name) throws(Unwritable) in try writer.located(name) }
        bool(deadline.kind == .window)
        try optional(deadline.metBy) { (writer, name) throws(Unwritable) in try writer.located(name) }
        try list(deadline.restartOn) { (writer, start) throws(Unwritable) in try writer.deadlineStart(start) }
        try names(deadline.lapsesOn)
        try names(deadline.remindTo)
    }

    /// Writes what starts a deadline's clock: its case's code (the order of ``DeadlineStart``'s cases), then the name.
    mutating func deadlineStart(_ start: DeadlineStart) throws(Unwritable) {
        switch start {
        case .field(let name):
            count(0)
            try located(name)
        case .entered(let name):
            count(1)
            try located(name)
        case .fired(let name):
            count(2)
            try located(name)
        }
    }

    /// Writes a located duration: the duration, then its range.
    mutating func locatedDuration(_ duration: Located<StatutoryDuration>) throws(Unwritable) {
        self.duration(duration.value)
        try range(duration.range)
    }
}

extension ArchiveReader {
    /// Reads a whole workflow written by ``ArchiveWriter/wholeWorkflow(_:)``: each template's text parsed again (and
    /// refused if it does not parse), each message and each deadline's bounds as the decoder gives them.
    mutating func wholeWorkflow() throws(Damage) -> WorkflowDefinition {
        var workflow = try workflow()
        workflow.transitions = try list { (reader) throws(Damage) in try reader.transition() }
        workflow.templates = try list { (reader) throws(Damage) in
            let name = try reader.located()
            let subject = try reader.templateText()
            return TemplateDefinition(name: name, subject: subject, body: try reader.templateText())
        }
        workflow.messages = try messages()
        workflow.deadlines = try list { (reader) throws(Damage) in try reader.deadline() }
        workflow.exceptions = try list { (reader) throws(Damage) in
            let code = try reader.located()
            let title = try reader.string()
            let cites = try reader.string()
            let appliesTo = try reader.names()
            let effect = ExceptionEffect.allCases[try reader.code(below: ExceptionEffect.allCases.count)]
            return ExceptionDefinition(code: code, title: title, cites: cites, appliesTo: appliesTo, effect: effect)
        }
        workflow.openingInput = try optional { (reader) throws(Damage) in try reader.inputFields() }
        return workflow
    }

    /// Reads a template's text: its source, parsed again at its range (as the decoder parses it).
    mutating func templateText() throws(Damage) -> TemplateText {
        let source = try string()
        guard case .success(let text) = TemplateText.parse(source, at: try range()) else { throw Damage() }
        return text
    }

    /// Reads a transition written by ``ArchiveWriter/transition(_:)``.
    mutating func transition() throws(Damage) -> TransitionDefinition {
        let name = try located()
        let title = try string()
        let from = try names()
        let to: TransitionTarget = try code(below: 2) == 0 ? .state(try located()) : .stays(try range())
        let by = try names()
        let when = try optional { (reader) throws(Damage) in try reader.expression() }
        let startForms = try list { (reader) throws(Damage) in
            let form = try reader.located()
            return FormStart(form: form, recipients: try reader.names())
        }
        let notify = try list { (reader) throws(Damage) in
            let recipients = try reader.names()
            let template = try reader.located()
            let ifNamed = try reader.names()
            let condition = try reader.optional { (reader) throws(Damage) in try reader.expression() }
            return NotificationDefinition(recipients: recipients, template: template, ifNamed: ifNamed, condition: condition)
        }
        let input = try inputFields()
        let set = try assignments()
        let grant = try optional { (reader) throws(Damage) in
            let caseField = try reader.located()
            let toField = try reader.located()
            return GrantEffect(caseField: caseField, toField: toField, levelField: try reader.located())
        }
        let open = try list { (reader) throws(Damage) in
            let link = try reader.located()
            return OpenEffect(link: link, fields: try reader.assignments())
        }
        let report = try optional { (reader) throws(Damage) in
            let to = try reader.located()
            let fire = try reader.names()
            return ReportEffect(to: to, fire: fire, input: try reader.assignments())
        }
        return TransitionDefinition(
            name: name, title: title, from: from, to: to, by: by, when: when, startForms: startForms, notify: notify, input: input, set: set,
            grant: grant, open: open, report: report
        )
    }

    /// Reads input fields written by ``ArchiveWriter/inputFields(_:)``.
    mutating func inputFields() throws(Damage) -> [InputField] {
        try list { (reader) throws(Damage) in
            let field = try reader.located()
            return InputField(field: field, isRequired: try reader.bool())
        }
    }

    /// Reads field assignments written by ``ArchiveWriter/assignments(_:)``.
    mutating func assignments() throws(Damage) -> [FieldAssignment] {
        try list { (reader) throws(Damage) in
            let field = try reader.located()
            return FieldAssignment(field: field, expression: try reader.expression())
        }
    }

    /// Reads a deadline written by ``ArchiveWriter/deadline(_:)``.
    mutating func deadline() throws(Damage) -> DeadlineDefinition {
        let name = try located()
        let title = try string()
        let start = try deadlineStart()
        let due = try optional { (reader) throws(Damage) in try reader.locatedDuration() }
        let dueOn = try optional { (reader) throws(Damage) in try reader.expression() }
        let condition = try optional { (reader) throws(Damage) in try reader.expression() }
        let every = try optional { (reader) throws(Damage) in try reader.locatedDuration() }
        let until = try names()
        let remind = try list { (reader) throws(Damage) in
            let duration = try reader.duration()
            let direction: RelativeDuration.Direction = try reader.bool() ? .after : .before
            return Located(RelativeDuration(duration: duration, direction: direction), at: try reader.range())
        }
        let breachNotify = try names()
        let calendar = try optional { (reader) throws(Damage) in try reader.located() }
        var deadline = DeadlineDefinition(
            name: name, title: title, start: start, due: due, until: until, remind: remind, breachNotify: breachNotify, calendar: calendar
        )
        deadline.dueOn = dueOn
        deadline.condition = condition
        deadline.every = every
        deadline.kind = try bool() ? .window : .duty
        deadline.metBy = try optional { (reader) throws(Damage) in try reader.located() }
        deadline.restartOn = try list { (reader) throws(Damage) in try reader.deadlineStart() }
        deadline.lapsesOn = try names()
        deadline.remindTo = try names()
        return deadline
    }

    /// Reads what starts a deadline's clock written by ``ArchiveWriter/deadlineStart(_:)``.
    mutating func deadlineStart() throws(Damage) -> DeadlineStart {
        let code = try code(below: 3)
        let name = try located()
        switch code {
        case 0: return .field(name)
        case 1: return .entered(name)
        default: return .fired(name)
        }
    }

    /// Reads a located duration written by ``ArchiveWriter/locatedDuration(_:)``.
    mutating func locatedDuration() throws(Damage) -> Located<StatutoryDuration> {
        let duration = try duration()
        return Located(duration, at: try range())
    }
}

import CaseworkDefinitions

/// `workflow-ID.html`: one workflow as policy staff read it.
enum WorkflowPage {
    /// How the page shows the workflow's drawing.
    enum Diagram {
        /// An SVG file beside the page.
        case image(String)
        /// The DOT text, when it could not be drawn.
        case text(String)
    }

    static func render(_ workflow: WorkflowDefinition, diagram: Diagram, in handbook: Handbook) -> String {
        var content: [Markup] = []
        if let description = workflow.description { content.append(.paragraph(description)) }
        var facts: [Markup] = [.joined([.text("Id "), .code(workflow.id.value), .text(", version \(workflow.version), from "), .code(workflow.file)])]
        if let calendar = workflow.calendar {
            facts.append(.joined([.text("Time is counted on the calendar "), .link(calendar.value, to: CalendarsPage.file + "#" + calendar.value)]))
        }
        if let policy = workflow.policy {
            facts.append(.joined([.text("Who may see and do what is decided by the access policy "), .link(policy.value, to: PolicyPage.file + "#" + policy.value)]))
        } else if workflow.declaresNoPolicy {
            facts.append(.text("No access policy (policy: none): the roles each step names decide who may take it."))
        }
        content.append(.list(facts))
        content += self.diagram(workflow, diagram)
        content += stages(workflow)
        content += whoDoesWhat(workflow)
        content += timeLimits(workflow)
        content += letters(workflow)
        content += forms(workflow, in: handbook.definitions)
        content += LinkedCasesSection.render(workflow, in: handbook.definitions)
        return handbook.document(workflow.title, content)
    }

    private static func diagram(_ workflow: WorkflowDefinition, _ diagram: Diagram) -> [Markup] {
        var content: [Markup] = [.heading(2, "Diagram", id: "diagram")]
        switch diagram {
        case .image(let file):
            let image = Markup.void("img", [("src", file), ("alt", "The stages of \(workflow.title) and the steps between them")])
            content.append(.element("figure", [.element("a", [("href", file)], [image]),
                                               .element("figcaption", text: "Each box is a stage; each arrow a step, with who takes it. Open the drawing to zoom.")]))
        case .text(let dot):
            content.append(.paragraph("Graphviz's dot was not found when this handbook was made, so the drawing is shown as its DOT text: "
                                      + "install Graphviz and run casework docs again, or paste the text into any DOT viewer.", class: "note"))
            content.append(.element("pre", text: dot))
        }
        return content
    }

    private static func stages(_ workflow: WorkflowDefinition) -> [Markup] {
        let rows = workflow.states.map { state -> [Markup] in
            var what: [Markup] = []
            if state.isInitial { what.append(.element("strong", text: "Every case starts here. ")) }
            if state.isFinal { what.append(.element("strong", text: "A case ends here. ")) }
            if let description = state.description { what.append(.text(description)) }
            return [.joined([.text(state.title), .void("br", []), .code(state.name.value)]), .joined(what)]
        }
        return [.heading(2, "Stages", id: "stages"), .table(["Stage", "What it means"], rows)]
    }

    private static func whoDoesWhat(_ workflow: WorkflowDefinition) -> [Markup] {
        var content: [Markup] = [.heading(2, "Who does what", id: "who-does-what")]
        let rows = workflow.roles.map { role -> [Markup] in
            let steps = workflow.transitions.filter { $0.by.contains { $0.value == role.value } }
            let told = workflow.transitions.filter { $0.notify.contains { $0.recipients.contains { $0.value == role.value } } }
            var cell: [Markup] = []
            if !steps.isEmpty { cell.append(.list(steps.map { .text($0.title) })) }
            if !told.isEmpty { cell.append(.paragraph("Told when: " + told.map(\.title).joined(separator: "; "))) }
            return [.code(role.value), cell.isEmpty ? .text("—") : .joined(cell)]
        }
        content.append(.table(["Role", "Steps they take, and when they are told"], rows))
        content.append(.heading(3, "Every step"))
        content.append(.table(["Step", "From", "To", "Taken by", "Only when"], workflow.transitions.map { transition in
            [.joined([.text(transition.title), .void("br", []), .code(transition.name.value)]),
             .text(transition.from.map { stateTitle($0.value, in: workflow) }.joined(separator: "; ")),
             .text(transition.to.named.map { stateTitle($0.value, in: workflow) } ?? "Stays in its state"),
             .codes(transition.by.map(\.value)),
             transition.when.map { .code($0.text) } ?? .text("—")]
        }))
        return content
    }

    private static func timeLimits(_ workflow: WorkflowDefinition) -> [Markup] {
        var content: [Markup] = [.heading(2, "Time limits", id: "time-limits")]
        guard !workflow.deadlines.isEmpty else { return content + [.paragraph("This workflow sets no time limits.")] }
        for deadline in workflow.deadlines {
            content.append(.heading(3, deadline.title, id: "deadline-" + deadline.name.value))
            var facts: [Markup] = [.joined([.text("Name "), .code(deadline.name.value), .text(deadline.kind == .duty
                ? ": the council's duty; missed, it is breached."
                : ": a window the family or another party holds; it closes, never breaches.")])]
            facts.append(.joined([.text("Starts: "), start(deadline.start, in: workflow)]))
            if let condition = deadline.condition { facts.append(.joined([.text("Only for cases where "), .code(condition.text)])) }
            if let due = deadline.due { facts.append(.text("Due: \(due.value) after it starts")) }
            if let dueOn = deadline.dueOn { facts.append(.joined([.text("Due on: "), .code(dueOn.text)])) }
            if let every = deadline.every { facts.append(.text("Recurs: every \(every.value), from the day it was last met")) }
            facts.append(.text("Counted on: " + ((deadline.calendar ?? workflow.calendar).map { "the \($0.value) calendar" } ?? "calendar days")))
            facts.append(.text("Met when the case reaches: " + deadline.until.map { stateTitle($0.value, in: workflow) }.joined(separator: "; ")))
            if let metBy = deadline.metBy { facts.append(.joined([.text("Met on the date recorded in "), .code(metBy.value)])) }
            if !deadline.remind.isEmpty {
                let whom = deadline.remindTo.isEmpty ? "whoever takes the step that meets it" : deadline.remindTo.map(\.value).joined(separator: ", ")
                facts.append(.text("Reminders: " + deadline.remind.map(\.value.description).joined(separator: ", ") + ", to " + whom))
            }
            if !deadline.breachNotify.isEmpty {
                facts.append(.joined([.text("If missed, escalated to: "), .codes(deadline.breachNotify.map(\.value))]))
            }
            if !deadline.restartOn.isEmpty {
                facts.append(.joined([.text("Starts again when: ")] + deadline.restartOn.map { start($0, in: workflow) }))
            }
            if !deadline.lapsesOn.isEmpty {
                facts.append(.text("No longer owed once the case reaches: " + deadline.lapsesOn.map { stateTitle($0.value, in: workflow) }.joined(separator: "; ")))
            }
            content.append(.list(facts))
            let exceptions = workflow.exceptions.filter { $0.appliesTo.contains { $0.value == deadline.name.value } }
            if exceptions.isEmpty {
                content.append(.paragraph("No exception may pause or excuse it."))
            } else {
                content.append(.table(["Exception", "Effect", "Law"], exceptions.map { exception in
                    [.joined([.text(exception.title), .void("br", []), .code(exception.code.value)]),
                     .text(exception.effect == .pause ? "pauses the clock" : "excuses the time limit"),
                     .text(exception.cites)]
                }))
            }
        }
        return content
    }

    private static func letters(_ workflow: WorkflowDefinition) -> [Markup] {
        var content: [Markup] = [.heading(2, "Letters and notices", id: "letters"),
                                 .paragraph("Each as written; a shaded {{ name }} is filled in from the case when the letter is sent.")]
        for template in workflow.templates {
            var sentWhen = workflow.transitions.compactMap { transition -> String? in
                let recipients = transition.notify.filter { $0.template.value == template.name.value }.flatMap(\.recipients).map(\.value)
                return recipients.isEmpty ? nil : "\(transition.title), to \(recipients.joined(separator: ", "))"
            }
            sentWhen += workflow.messages.filter { $0.value.value == template.name.value }.map(\.key.rawValue).sorted().map { "the engine's \($0) message" }
            content.append(.heading(3, template.name.value, id: "letter-" + template.name.value))
            if !sentWhen.isEmpty { content.append(.paragraph("Sent: " + sentWhen.joined(separator: "; "))) }
            content.append(.element("div", [("class", "letter")], [
                .element("p", [.element("strong", text: "Subject: "), text(template.subject)]),
                .element("pre", [text(template.body)]),
            ]))
        }
        return content
    }

    private static func forms(_ workflow: WorkflowDefinition, in set: DefinitionSet) -> [Markup] {
        let starts = workflow.transitions.flatMap { transition in transition.startForms.map { (transition, $0) } }
        guard !starts.isEmpty else { return [] }
        return [.heading(2, "Forms", id: "forms"), .list(starts.map { transition, start in
            let title = set.form(start.form.value)?.title ?? start.form.value
            let link: Markup = set.form(start.form.value) == nil ? .text(title) : .link(title, to: FormsPage.file + "#" + start.form.value)
            return .joined([link, .text(", sent to " + start.recipients.map(\.value).joined(separator: ", ") + " when: " + transition.title)])
        })]
    }

    /// Template text with each placeholder shaded and shown as written.
    private static func text(_ template: TemplateText) -> Markup {
        .joined(template.parts.map { part in
            switch part {
            case .literal(let text): .text(text)
            case .placeholder(let path): .element("span", [("class", "placeholder")], text: "{{ \(path.value) }}")
            }
        })
    }

    private static func start(_ start: DeadlineStart, in workflow: WorkflowDefinition) -> Markup {
        switch start {
        case .field(let field): .joined([.text("from the date in "), .code(field.value)])
        case .entered(let state): .text("when the case reaches " + stateTitle(state.value, in: workflow))
        case .fired(let name): .text("when this step is taken: " + (workflow.transitions.first { $0.name.value == name.value }?.title ?? name.value))
        }
    }

    /// A state's title, or its name when the workflow has no such state.
    static func stateTitle(_ name: String, in workflow: WorkflowDefinition) -> String {
        workflow.states.first { $0.name.value == name }?.title ?? name
    }
}

import CaseworkDefinitions

/// The "Linked cases" part of a workflow's page: which workflows its cases open and hear back from, and which open
/// it and hear from it, each named with the step that does it, so that a reader follows one plan's life from page to
/// page. Read from the `links:`, `open:` and `report:` keys of the set's workflows; nothing when none applies.
enum LinkedCasesSection {
    static func render(_ workflow: WorkflowDefinition, in set: DefinitionSet) -> [Markup] {
        var rows: [[Markup]] = []
        for link in workflow.links {
            let target = set.workflow(link.workflow.value)
            let opening = workflow.transitions.filter { $0.open.contains { $0.link.value == link.name.value } }
            var heard: [Markup] = []
            for transition in target?.transitions ?? [] {
                guard let report = transition.report else { continue }
                heard.append(.text(transition.title + " → " + title(of: report.fire, in: workflow)))
            }
            rows.append([.text("Opens"), page(link.workflow.value, in: set), .code(link.name.value),
                         steps(opening), heard.isEmpty ? .text("—") : .list(heard)])
        }
        for opener in set.workflows {
            for link in opener.links where link.workflow.value == workflow.id.value {
                let opening = opener.transitions.filter { $0.open.contains { $0.link.value == link.name.value } }
                let reports: [Markup] = workflow.transitions.compactMap { transition in
                    transition.report.map { .text(transition.title + " → " + title(of: $0.fire, in: opener)) }
                }
                rows.append([.text("Opened by"), page(opener.id.value, in: set), .code(link.name.value),
                             steps(opening), reports.isEmpty ? .text("—") : .list(reports)])
            }
        }
        guard !rows.isEmpty else { return [] }
        return [.heading(2, "Linked cases", id: "linked-cases"),
                .paragraph("The cases this workflow's cases open, and the cases that open them, for the same child. A linked case "
                           + "reports back by taking a step on the case that opened it, as the engine (engine:link)."),
                .table(["", "Workflow", "Link", "Opened when", "Reported back (step there → step on the opener)"], rows)]
    }

    /// A link to the workflow's page, or its id when the set does not hold it.
    private static func page(_ id: String, in set: DefinitionSet) -> Markup {
        set.workflow(id).map { .link($0.title, to: Handbook.pageFile($0)) } ?? .code(id)
    }

    /// The titles of the steps that open a link.
    private static func steps(_ transitions: [TransitionDefinition]) -> Markup {
        transitions.isEmpty ? .text("—") : .list(transitions.map { .text($0.title) })
    }

    /// The titles of the transitions a report may fire that `workflow` has, joined by "or" (the one whose `from:`
    /// holds the case's state is fired), or the first name when it has none of them.
    private static func title(of transitions: [Located<String>], in workflow: WorkflowDefinition) -> String {
        let titles = transitions.compactMap { name in workflow.transitions.first { $0.name.value == name.value }?.title }
        return titles.isEmpty ? transitions[0].value : titles.joined(separator: ", or ")
    }
}

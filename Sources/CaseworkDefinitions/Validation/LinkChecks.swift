import CaseworkDiagnostics
import CaseworkExpressions
import CaseworkYAML

/// Checks a workflow's `links:` and its transitions' `open:` and `report:` effects against the set: each link names a
/// workflow of the set (CW0251), each opening a declared link (CW0252) and fields of the linked workflow (CW0204), each
/// value typed like a `set:` of that field; a report reaches a workflow that links here (CW0254), a transition there
/// (CW0205) whose `by:` names `engine:link` (CW0253) and which takes each field reported (CW0255) at its type; the
/// transitions of a list share no `from:` state (CW0258).
struct LinkChecks {
    let workflow: WorkflowDefinition
    let set: DefinitionSet
    /// Definitions that failed to load: a workflow among them is known by name.
    let unloaded: UnloadedDefinitions
    /// The workflow file's text, for exact positions of errors inside expressions.
    let source: DefinitionText?
    /// The workflow's names and their types, for the values mapped and reported.
    let environment: ExpressionEnvironment

    /// The workflow of each link the set holds, by link name: what `linked.LINK.…` names are typed from.
    static func linkedWorkflows(of workflow: WorkflowDefinition, in set: DefinitionSet) -> [String: WorkflowDefinition] {
        var linked: [String: WorkflowDefinition] = [:]
        for link in workflow.links {
            if let target = set.workflows.first(where: { $0.id.value == link.workflow.value }) { linked[link.name.value] = target }
        }
        return linked
    }

    /// Reports every problem, and keeps in `checked` each opening's and each report's checked values.
    func run(into bag: inout DiagnosticBag, checked: inout CheckedWorkflowExpressions) {
        let workflows = set.workflows.map(\.id.value).sorted()
        for link in workflow.links where !workflows.contains(link.workflow.value) && !unloaded.contains("workflow", link.workflow.value) {
            bag.report(.unknownLinkWorkflow(link: link.name.value, workflow: link.workflow.value,
                                            suggestion: NameSuggester.suggest(link.workflow.value, from: workflows)), at: link.workflow.range)
        }
        let linked = Self.linkedWorkflows(of: workflow, in: set)
        let links = workflow.links.map(\.name.value)
        for transition in workflow.transitions where !transition.open.isEmpty || transition.report != nil {
            let name = transition.name.value
            for effect in transition.open {
                guard links.contains(effect.link.value) else {
                    bag.report(.unknownLink(name: effect.link.value, referrer: "transition '\(name)'", suggestion: NameSuggester.suggest(effect.link.value, from: links)),
                               at: effect.link.range)
                    continue
                }
                guard let target = linked[effect.link.value] else { continue }
                let referrer = "the opening of link '\(effect.link.value)' (workflow '\(target.id.value)') by transition '\(name)'"
                checked.openings[name, default: [:]][effect.link.value] = check(effect.fields, against: target, referrer: referrer, into: &bag)
            }
            if let report = transition.report { checkReport(report, of: name, into: &bag, checked: &checked) }
        }
    }

    /// A report reaches each workflow that links to this one, where it fires a transition by `engine:link` that takes what
    /// it gives. Of a list (`fire: [a, b]`), each name is a transition of some opening workflow (an opener that has none
    /// of them is told about the first), each one an opener has is checked there, and no two of those share a `from:`
    /// state (CW0258), so the engine's choice by the opener's state never depends on the list's order.
    private func checkReport(_ report: ReportEffect, of transition: String, into bag: inout DiagnosticBag, checked: inout CheckedWorkflowExpressions) {
        let openers = set.workflows.filter { opener in opener.links.contains { $0.workflow.value == workflow.id.value } }
        guard !openers.isEmpty else {
            bag.report(.reportWithoutOpener(workflow: workflow.id.value), at: report.to.range)
            return
        }
        let referrer = { (opener: WorkflowDefinition) in "the report of transition '\(transition)' to workflow '\(opener.id.value)'" }
        for (position, fire) in report.fire.enumerated() where position > 0 && !openers.contains(where: { $0.transitions.contains { $0.name.value == fire.value } }) {
            let opener = openers[0]
            bag.report(.unknownTransition(name: fire.value, referrer: referrer(opener),
                                          suggestion: NameSuggester.suggest(fire.value, from: opener.transitions.map(\.name.value))), at: fire.range)
        }
        for opener in openers {
            let targets = report.fire.compactMap { fire in opener.transitions.first { $0.name.value == fire.value }.map { (fire, $0) } }
            guard !targets.isEmpty else {
                guard let first = report.fire.first else { continue }
                bag.report(.unknownTransition(name: first.value, referrer: referrer(opener),
                                              suggestion: NameSuggester.suggest(first.value, from: opener.transitions.map(\.name.value))), at: first.range)
                continue
            }
            var firedFrom: [String: String] = [:]
            for (fire, target) in targets {
                if !target.by.contains(where: { $0.value == LinkDefinition.engineActor }) {
                    bag.report(.reportNotByLinkEngine(transition: target.name.value, workflow: opener.id.value), at: fire.range,
                               notes: [DiagnosticNote("transition '\(target.name.value)' is declared here", at: target.name.range)])
                }
                for state in target.from {
                    guard let other = firedFrom.updateValue(target.name.value, forKey: state.value) else { continue }
                    bag.report(.reportChoicesShareState(state: state.value, transitions: [other, target.name.value], workflow: opener.id.value), at: fire.range,
                               notes: [DiagnosticNote("'\(state.value)' is in the 'from' of transition '\(target.name.value)' here", at: state.range)])
                }
            }
            // A field is checked once, when every transition the report may fire there takes it.
            let taken = report.input.filter { field in
                var takenByAll = true
                for (_, target) in targets where !target.input.contains(where: { $0.field.value == field.field.value }) {
                    bag.report(.reportInputNotTaken(field: field.field.value, transition: target.name.value, workflow: opener.id.value), at: field.field.range)
                    takenByAll = false
                }
                return takenByAll
            }
            checked.reports[transition] = check(taken, against: opener, referrer: referrer(opener), into: &bag)
        }
    }

    /// Each value checked against the type of the field of `target` it is given to, as a `set:` is.
    private func check(
        _ assignments: [FieldAssignment], against target: WorkflowDefinition, referrer: String, into bag: inout DiagnosticBag
    ) -> [String: CheckedExpression] {
        let types = Dictionary(WorkflowNames.fieldTypes(of: target.fields), uniquingKeysWith: { first, _ in first })
        var values: [String: CheckedExpression] = [:]
        for assignment in assignments where !target.untypedFields.contains(assignment.field.value) {
            guard let type = types[assignment.field.value] else {
                bag.report(.unknownField(name: assignment.field.value, referrer: referrer, suggestion: NameSuggester.suggest(assignment.field.value, from: types.keys.sorted())),
                           at: assignment.field.range)
                continue
            }
            switch ExpressionChecker.compile(assignment.expression.text, in: environment, expecting: type, role: "the value for '\(assignment.field.value)'") {
            case .success(let compiled): values[assignment.field.value] = compiled
            case .failure(let failure): GuardChecks.report(failure.errors, in: assignment.expression, source: source, into: &bag)
            }
        }
        return values
    }
}

import CaseworkDiagnostics
import CaseworkYAML

/// Checks a whole definition set: each workflow on its own, then the references between files.
package enum DefinitionSetValidator {
    /// Every problem in `set`, unsorted.
    ///
    /// - Parameter incompleteFiles: files whose decoding already reported errors. A
    ///   workflow from one of them may have lost a state or a transition, so its
    ///   reachability is not judged: that would only repeat the first error as
    ///   "unreachable" and "no way to finish" on every state beyond it.
    /// - Parameter sources: each file's text, so an error inside an expression points at its
    ///   token; without it, such errors point at the start of the expression's scalar.
    package static func validate(_ set: DefinitionSet, incompleteFiles: Set<String> = [], sources: [String: String] = [:]) -> [Diagnostic] {
        check(set, incompleteFiles: incompleteFiles, unloaded: UnloadedDefinitions(), sources: sources.mapValues(DefinitionText.init)).diagnostics
    }

    /// Every problem in `set`, and each workflow's and policy's checked expressions (by id): the only place
    /// definitions' expressions are compiled. A reference to a definition in `unloaded` is not reported:
    /// its file's own errors are. With `knownClean` (a set known to have validated cleanly), the checks that can
    /// only add diagnostics are skipped, the policies' expressions are checked alone, and the workflows' are not
    /// checked at all: whoever runs a workflow checks its expressions when first needed
    /// (``checkExpressions(of:in:source:)``), so a command that runs one workflow checks one. A policy whose checked
    /// expressions are in `kept` (what the check of exactly this set found, kept by a definition cache) is not checked
    /// again either: they are its expressions.
    static func check(
        _ set: DefinitionSet, incompleteFiles: Set<String>, unloaded: UnloadedDefinitions, sources: [String: DefinitionText], knownClean: Bool = false,
        kept: [String: CheckedPolicyExpressions] = [:]
    ) -> (diagnostics: [Diagnostic], workflows: [String: CheckedWorkflowExpressions], policies: [String: CheckedPolicyExpressions]) {
        var bag = DiagnosticBag()
        var workflows: [String: CheckedWorkflowExpressions] = [:]
        var policies: [String: CheckedPolicyExpressions] = [:]
        if !knownClean {
            checkUniqueIDs(set, into: &bag)
            checkCalendars(set, unloaded: unloaded, into: &bag)
            checkChildDefinitions(set, into: &bag)
        }
        for policy in set.policies {
            if knownClean, let checked = kept[policy.id.value] {
                policies[policy.id.value] = checked
                continue
            }
            var checked = CheckedPolicyExpressions(declarations: PolicyNames.declarations(for: policy, in: set))
            (checked.conditions, checked.reasons, checked.paths) = PolicyChecks(policy: policy, set: set, source: sources[policy.file], environment: checked.names.environment)
                .run(into: &bag, knownClean: knownClean)
            policies[policy.id.value] = checked
        }
        for workflow in set.workflows where !knownClean {
            let source = sources[workflow.file]
            let checked = checkExpressions(of: workflow, in: set, unloaded: unloaded, source: source, into: &bag)
            let started = Set(workflow.transitions.flatMap { $0.startForms.map(\.form.value) })
            WorkflowChecks(workflow, forms: set.forms.filter { started.contains($0.id.value) }).run(into: &bag, judgeGraph: !incompleteFiles.contains(workflow.file))
            workflows[workflow.id.value] = checked
            FieldReadChecks(workflow: workflow, source: source?.textIfUnchanged, dateOfBirth: checked.names.environment.dateOfBirth).run(into: &bag)
            TemplateFieldChecks(workflow: workflow).run(into: &bag)
            checkFormStarts(of: workflow, in: set, unloaded: unloaded, into: &bag)
            checkPolicyBinding(of: workflow, in: set, unloaded: unloaded, into: &bag)
            DocumentChecks(workflow: workflow, set: set).run(into: &bag)
            checkChildRecordReading(of: workflow, in: set, unloaded: unloaded, into: &bag)
        }
        return (bag.diagnostics, workflows, policies)
    }

    /// `workflow`'s expressions checked in `set` (its names, guards, `set:` values and deadline conditions and due
    /// dates), and every problem checking them found: the one way a workflow's expressions are checked, whether with
    /// the whole set (``check(_:incompleteFiles:unloaded:sources:knownClean:kept:)``) or alone, in a set of outlines with
    /// the workflow whole (what a definition cache's hit computed on a workflow's first use before its entry kept the
    /// checked expressions, format 7; its tests compare the two).
    ///
    /// - Parameter source: the workflow file's text, so an error inside an expression points at its token.
    package static func checkExpressions(of workflow: WorkflowDefinition, in set: DefinitionSet, source: DefinitionText?) -> (CheckedWorkflowExpressions, [Diagnostic]) {
        var bag = DiagnosticBag()
        let checked = checkExpressions(of: workflow, in: set, unloaded: UnloadedDefinitions(), source: source, into: &bag)
        return (checked, bag.diagnostics)
    }

    private static func checkExpressions(
        of workflow: WorkflowDefinition, in set: DefinitionSet, unloaded: UnloadedDefinitions, source: DefinitionText?, into bag: inout DiagnosticBag
    ) -> CheckedWorkflowExpressions {
        var checked = CheckedWorkflowExpressions(names: WorkflowNames.make(
            for: workflow, linked: LinkChecks.linkedWorkflows(of: workflow, in: set), child: set.child
        ))
        let environment = checked.names.environment
        DeadlineChecks(workflow: workflow, set: set, unloaded: unloaded, source: source, environment: environment).run(into: &bag, checked: &checked)
        LinkChecks(workflow: workflow, set: set, unloaded: unloaded, source: source, environment: environment).run(into: &bag, checked: &checked)
        checked.guards = GuardChecks(workflow: workflow, source: source, environment: environment).run(into: &bag)
        return checked
    }

    /// Under an access policy, a form a workflow starts names the policy's resource that guards it (CW0239), and that
    /// resource is one the policy declares (CW0225): the engine asks the policy about the form's own resource, never a fixed name.
    private static func checkResource(
        of form: FormDefinition, startedAt start: Located<String>, by workflow: WorkflowDefinition, in set: DefinitionSet, into bag: inout DiagnosticBag
    ) {
        guard let name = workflow.policy?.value, let policy = set.policies.first(where: { $0.id.value == name }) else { return }
        guard let resource = form.resource else {
            bag.report(.formWithoutResource(form: form.id.value, policy: name), at: form.id.range,
                       notes: [DiagnosticNote("workflow '\(workflow.id.value)' starts it here, under policy '\(name)'", at: start.range)])
            return
        }
        let paths = ResourcePaths(policy: policy, workflows: set.workflows)
        guard !paths.isKnown(resource.value) else { return }
        bag.report(.unknownResource(name: resource.value, referrer: "form '\(form.id.value)'", suggestion: NameSuggester.suggest(resource.value, from: paths.resourceNames)),
                   at: resource.range)
    }

    /// One policy door: in a set that holds access policies every workflow names one (CW0231) or says
    /// `policy: none`, which is allowed but warned about (CW0232); a named policy must be in the set (CW0230).
    /// A set without policies needs no binding, so definitions written before policies existed still validate.
    private static func checkPolicyBinding(
        of workflow: WorkflowDefinition, in set: DefinitionSet, unloaded: UnloadedDefinitions, into bag: inout DiagnosticBag
    ) {
        let policies = set.policies.map(\.id.value).sorted()
        let name = workflow.id.value
        switch workflow.policyBinding {
        case .policy(let policy)?:
            guard !policies.contains(policy.value), !unloaded.contains("policy", policy.value) else { return }
            bag.report(.unknownPolicy(name: policy.value, referrer: "workflow '\(name)'", suggestion: NameSuggester.suggest(policy.value, from: policies)),
                       at: policy.range)
        case .noPolicy(let range)?:
            if !policies.isEmpty { bag.report(.workflowWithoutPolicy(workflow: name, policies: policies), at: range) }
        case nil:
            if !policies.isEmpty { bag.report(.missingPolicy(workflow: name, policies: policies), at: workflow.id.range) }
        }
    }

    /// Every calendar's `extends` names a calendar, and no chain of them goes round in a circle.
    private static func checkCalendars(_ set: DefinitionSet, unloaded: UnloadedDefinitions, into bag: inout DiagnosticBag) {
        for calendar in set.calendars {
            guard let parent = calendar.extends, !unloaded.contains("calendar", parent.value) else { continue }
            guard set.calendar(parent.value) != nil else {
                let suggestion = NameSuggester.suggest(parent.value, from: set.calendars.map(\.id.value))
                bag.report(.unknownCalendar(name: parent.value, referrer: "calendar '\(calendar.id.value)'", suggestion: suggestion), at: parent.range)
                continue
            }
            // Each calendar in a circle reports itself; one that only extends into a circle is not in it.
            var seen: Set<String> = [calendar.id.value]
            var next = set.calendar(parent.value)
            while let current = next {
                guard seen.insert(current.id.value).inserted else {
                    if current.id.value == calendar.id.value {
                        bag.report(.calendarCycle(calendar: calendar.id.value), at: parent.range)
                    }
                    break
                }
                next = current.extends.flatMap { set.calendar($0.value) }
            }
        }
    }

    /// A workflow that reads the child record (`child: from_record`) needs the set's child definition to type
    /// `child.*` (CW0260; not reported when a file declaring one failed to load: its own errors are), and may not
    /// declare a field `child` of its own, which those names would hide (CW0261).
    private static func checkChildRecordReading(
        of workflow: WorkflowDefinition, in set: DefinitionSet, unloaded: UnloadedDefinitions, into bag: inout DiagnosticBag
    ) {
        guard let range = workflow.childFromRecord else { return }
        if set.child == nil, !unloaded.containsKind("child") {
            bag.report(.childRecordWithoutDefinition(workflow: workflow.id.value), at: range)
        }
        if let own = workflow.fields.first(where: { $0.name.value == "child" }) {
            bag.report(.childRecordShadowsField(workflow: workflow.id.value), at: own.name.range,
                       notes: [DiagnosticNote("the workflow reads the child record here", at: range)])
        }
    }

    /// A set declares its children's identity fields once: every child definition after the first (in file order) is
    /// CW0259, naming the first (the note points at its file), whatever their ids, since every child record of the set is one kind.
    private static func checkChildDefinitions(_ set: DefinitionSet, into bag: inout DiagnosticBag) {
        guard let first = set.children.first else { return }
        for other in set.children.dropFirst() {
            bag.report(.secondChildDefinition(id: other.id.value, first: first.id.value), at: other.id.range,
                       notes: [DiagnosticNote("the set's child definition is declared here", at: first.id.range)])
        }
    }

    private static func checkUniqueIDs(_ set: DefinitionSet, into bag: inout DiagnosticBag) {
        var first: [String: SourceRange] = [:]
        let ids = set.workflows.map(\.id) + set.forms.map(\.id) + set.calendars.map(\.id) + set.policies.map(\.id) + set.children.map(\.id)
        for id in ids.sorted(by: { $0.range < $1.range }) {
            if let earlier = first[id.value] {
                bag.report(.duplicateDefinition(id: id.value), at: id.range, notes: [DiagnosticNote("first declared here", at: earlier)])
            } else {
                first[id.value] = id.range
            }
        }
    }

    private static func checkFormStarts(
        of workflow: WorkflowDefinition, in set: DefinitionSet, unloaded: UnloadedDefinitions, into bag: inout DiagnosticBag
    ) {
        let roles = Set(workflow.roles.map(\.value))
        var checkedForms = Set<String>()
        // Read by index: binding each transition would copy (and reference-count) all of it, for the few that start forms.
        for index in workflow.transitions.indices {
            for start in workflow.transitions[index].startForms {
                guard let form = set.form(start.form.value) else {
                    if unloaded.contains("form", start.form.value) { continue }
                    let suggestion = NameSuggester.suggest(start.form.value, from: set.forms.map(\.id.value))
                    bag.report(.unknownForm(name: start.form.value, referrer: "transition '\(workflow.transitions[index].name.value)'", suggestion: suggestion),
                               at: start.form.range)
                    continue
                }
                let shared = Set(form.sharedWith.map(\.value))
                let sharedWithNote = form.sharedWith.first.map { DiagnosticNote("'shared_with' of form '\(form.id.value)' is here", at: $0.range) }
                    ?? DiagnosticNote("form '\(form.id.value)' is declared here", at: form.id.range)
                for recipient in start.recipients where !shared.contains(recipient.value) {
                    bag.report(.formNotSharedWith(form: form.id.value, role: recipient.value), at: recipient.range,
                               notes: [sharedWithNote])
                }
                guard checkedForms.insert(form.id.value).inserted else { continue }
                checkResource(of: form, startedAt: start.form, by: workflow, in: set, into: &bag)
                DocumentChecks(workflow: workflow, set: set).checkTarget(of: form, startedAt: start.form, into: &bag)
                for role in form.acceptedBy where !roles.contains(role.value) {
                    let suggestion = NameSuggester.suggest(role.value, from: workflow.roles.map(\.value))
                    bag.report(.formRoleNotInWorkflow(form: form.id.value, role: role.value, workflow: workflow.id.value, suggestion: suggestion),
                               at: role.range,
                               notes: [DiagnosticNote("form '\(form.id.value)' is started here", at: start.form.range)])
                }
            }
        }
    }
}

import CaseworkYAML

/// Checks a policy against the whole set: resources, sections and actions exist, rule ids are unique,
/// conditions type-check against the actor, grant, case and workflow types, and no rule is dead.
struct PolicyChecks {
    let policy: PolicyDefinition
    let set: DefinitionSet
    /// The policy file's text, for exact positions of errors inside conditions.
    let source: String?

    func run(into bag: inout DiagnosticBag) {
        let resources = policy.resources.map(\.name.value) + policy.resources.flatMap { resource in resource.sections.map { "\(resource.name.value).\($0.value)" } }
        let actions = PolicyDefinition.builtInActions + policy.actions.map(\.value)
        let environment = PolicyEnvironment.make(for: policy, in: set)
        let roles = Array(Set(set.workflows.flatMap { $0.roles.map(\.value) })).sorted()
        for profile in policy.recipients where !roles.contains(profile.role.value) {
            bag.report(.unknownRole(name: profile.role.value, referrer: "'recipients' of policy '\(policy.id.value)'",
                                    suggestion: NameSuggester.suggest(profile.role.value, from: roles)), at: profile.role.range)
        }
        var firstByID: [String: SourceRange] = [:]
        for rule in policy.rules {
            let referrer = "rule '\(rule.id.value)'"
            if let first = firstByID[rule.id.value] {
                bag.report(.duplicateRule(id: rule.id.value), at: rule.id.range, notes: [DiagnosticNote("first declared here", at: first)])
            } else {
                firstByID[rule.id.value] = rule.id.range
            }
            for action in rule.actions where !actions.contains(action.value) {
                bag.report(.unknownAction(name: action.value, referrer: referrer, suggestion: NameSuggester.suggest(action.value, from: actions)), at: action.range)
            }
            for resource in rule.on + rule.redact where !resources.contains(resource.value) {
                bag.report(.unknownResource(name: resource.value, referrer: referrer, suggestion: NameSuggester.suggest(resource.value, from: resources)),
                           at: resource.range)
            }
            if let when = rule.when {
                switch ExpressionChecker.compile(when.text, in: environment, expecting: .bool, role: "the condition of \(referrer)") {
                case .failure(let failure):
                    GuardChecks.report(failure.errors, in: when, source: source, into: &bag)
                case .success(let checked):
                    if case .literal(.bool(false)) = checked.syntax.root.kind {
                        bag.report(.ruleNeverMatches(id: rule.id.value, reason: "its condition is always false"), at: when.range)
                    }
                }
            }
            if rule.effect == .allow, let shadow = shadowingDeny(of: rule) {
                bag.report(.ruleNeverMatches(id: rule.id.value, reason: "rule '\(shadow.id.value)' denies everything it allows, whatever the request"),
                           at: rule.id.range, notes: [DiagnosticNote("the deny is here", at: shadow.id.range)])
            }
        }
    }

    /// An unconditional deny, earlier or later, that covers every action and resource of `rule`.
    private func shadowingDeny(of rule: PolicyRule) -> PolicyRule? {
        policy.rules.first { deny in
            guard deny.effect == .deny, deny.when == nil else { return false }
            let denied = deny.actions.map(\.value)
            let actionsCovered = denied.contains("all") || rule.actions.allSatisfy { denied.contains($0.value) }
            let resourcesCovered = deny.on.isEmpty || (!rule.on.isEmpty && rule.on.allSatisfy { entry in
                deny.on.contains { CompiledPolicy.covers($0.value, entry.value) }
            })
            return actionsCovered && resourcesCovered
        }
    }
}

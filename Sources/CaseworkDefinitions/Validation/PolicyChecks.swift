import CaseworkDiagnostics
import CaseworkExpressions
import CaseworkYAML

/// Checks a policy against the whole set: resources, sections, field paths and actions exist, redactions reach
/// something, rule ids are unique, conditions and reason placeholders type-check against the actor, grant, case
/// and workflow types, no rule is dead, and no redaction silently refuses what another rule names.
struct PolicyChecks {
    let policy: PolicyDefinition
    let set: DefinitionSet
    /// The policy file's text, for exact positions of errors inside conditions and reasons: made only when an error
    /// needs it (a clean policy, every command's on a definition cache's hit, never reads it).
    let source: DefinitionText?
    /// The policy's names and their types.
    let environment: ExpressionEnvironment

    /// Reports every problem, and returns each rule's checked condition (by rule id) and reason placeholders (by rule
    /// id, then the placeholder's offset in the reason), and the resource paths it checked them against.
    ///
    /// With `knownClean` (a set known to have validated cleanly, as a definition cache's hit is), only what a compiled
    /// policy is built from is worked out: the paths, the conditions and the reason placeholders (whose errors are
    /// still reported); the checks that can only add a diagnostic (roles, levels, resources, actions, sections,
    /// redactions, duplicate and dead rules) are skipped, as the set's other such checks are on a hit.
    func run(into bag: inout DiagnosticBag, knownClean: Bool = false) -> (conditions: [String: CheckedExpression], reasons: [String: [Int: CheckedExpression]], paths: ResourcePaths) {
        let paths = ResourcePaths(policy: policy, workflows: set.workflows)
        if knownClean {
            var conditions: [String: CheckedExpression] = [:]
            var reasons: [String: [Int: CheckedExpression]] = [:]
            for rule in policy.rules {
                if let when = rule.when, let checked = checkCondition(when, of: rule, into: &bag) { conditions[rule.id.value] = checked }
                if let reason = rule.reason { reasons[rule.id.value] = checkReason(reason, of: rule, into: &bag) }
            }
            return (conditions, reasons, paths)
        }
        let actions = policy.knownActions + [PolicyDefinition.everyAction]
        var conditions: [String: CheckedExpression] = [:]
        var reasons: [String: [Int: CheckedExpression]] = [:]
        let roles = Array(Set(set.workflows.flatMap { $0.roles.map(\.value) })).sorted()
        for profile in policy.recipients where !roles.contains(profile.role.value) {
            bag.report(.unknownRole(name: profile.role.value, referrer: "'recipients' of policy '\(policy.id.value)'",
                                    suggestion: NameSuggester.suggest(profile.role.value, from: roles)), at: profile.role.range)
        }
        for persona in policy.personas {
            let referrer = "persona '\(persona.title.value)' of policy '\(policy.id.value)'"
            if !roles.contains(persona.role.value) {
                bag.report(.unknownRole(name: persona.role.value, referrer: referrer, suggestion: NameSuggester.suggest(persona.role.value, from: roles)),
                           at: persona.role.range)
            }
            let levels = policy.levels.map(\.value)
            if let level = persona.grant?.level, !levels.contains(level.value) {
                bag.report(.unknownLevel(name: level.value, referrer: referrer, suggestion: NameSuggester.suggest(level.value, from: levels)), at: level.range)
            }
            for section in persona.grant?.sections ?? [] where !paths.isKnown(section.value) {
                reportUnknown(section, referrer: referrer, paths: paths, into: &bag)
            }
        }
        checkSectionFields(paths, into: &bag)
        for attribute in policy.actorAttributes where ["id", "role", "organisation"].contains(attribute.name.value) {
            bag.report(.reservedPolicyName(name: attribute.name.value, kind: "actor attribute"), at: attribute.name.range)
        }
        for action in policy.actions where PolicyDefinition.builtInActions.contains(action.value) || action.value == PolicyDefinition.everyAction {
            bag.report(.reservedPolicyName(name: action.value, kind: "action"), at: action.range)
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
            for resource in rule.on where !paths.isKnown(resource.value) {
                reportUnknown(resource, referrer: referrer, paths: paths, into: &bag)
            }
            for resource in rule.redact where paths.isKnown(resource.value) {
                // A mapped section's fields are checked where the mapping is written (CW0236); here only an unmapped one.
                guard case .under(let fields) = paths.redaction(of: resource.value).fields, ResourcePaths.fieldPath(of: resource.value) == nil,
                    !policy.sectionFields.contains(where: { $0.section.value == resource.value }) else { continue }
                let reaches = fields.contains { field in paths.fieldPaths.contains { ResourcePaths.covers(field, $0) } }
                if !reaches { bag.report(.sectionHidesNoField(path: resource.value, fields: fields), at: resource.range) }
            }
            for resource in rule.redact where !paths.isKnown(resource.value) {
                if let field = ResourcePaths.fieldPath(of: resource.value) {
                    let suggestion = NameSuggester.suggest(field, from: paths.fieldPaths).map { "\(ResourcePaths.caseFields).\($0)" }
                    bag.report(.redactionReachesNoField(path: resource.value, section: nil, suggestion: suggestion), at: resource.range)
                } else {
                    reportUnknown(resource, referrer: referrer, paths: paths, into: &bag)
                }
            }
            if let when = rule.when, let checked = checkCondition(when, of: rule, into: &bag) {
                conditions[rule.id.value] = checked
                if case .literal(.bool(false)) = checked.syntax.root.kind {
                    bag.report(.ruleNeverMatches(id: rule.id.value, reason: "its condition is always false"), at: when.range)
                }
            }
            if let reason = rule.reason { reasons[rule.id.value] = checkReason(reason, of: rule, into: &bag) }
            if rule.effect == .allow, let shadow = shadowingDeny(of: rule) {
                bag.report(.ruleNeverMatches(id: rule.id.value, reason: "rule '\(shadow.id.value)' denies everything it allows, whatever the request"),
                           at: rule.id.range, notes: [DiagnosticNote("the deny is here", at: shadow.id.range)])
            }
            if rule.effect == .allow { checkRedactionsAgainst(rule, paths: paths, into: &bag) }
        }
        return (conditions, reasons, paths)
    }

    /// The rule's condition type-checked as a boolean, or nil when it does not check (its errors reported, each at its
    /// column in the file).
    private func checkCondition(_ when: ExpressionSource, of rule: PolicyRule, into bag: inout DiagnosticBag) -> CheckedExpression? {
        switch ExpressionChecker.compile(when.text, in: environment, expecting: .bool, role: "the condition of rule '\(rule.id.value)'") {
        case .failure(let failure):
            GuardChecks.report(failure.errors, in: when, source: source, into: &bag)
            return nil
        case .success(let checked):
            return checked
        }
    }

    private func reportUnknown(_ resource: Located<String>, referrer: String, paths: ResourcePaths, into bag: inout DiagnosticBag) {
        let candidates = paths.resourceNames + paths.fieldPaths.map { "\(ResourcePaths.caseFields).\($0)" }
        bag.report(.unknownResource(name: resource.value, referrer: referrer, suggestion: NameSuggester.suggest(resource.value, from: candidates)),
                   at: resource.range)
    }

    /// Each `section_fields` key is a declared section of `case`, and each field it maps to is some workflow's.
    private func checkSectionFields(_ paths: ResourcePaths, into bag: inout DiagnosticBag) {
        for mapping in policy.sectionFields {
            if !paths.isKnown(mapping.section.value) {
                reportUnknown(mapping.section, referrer: "'section_fields'", paths: paths, into: &bag)
            }
            for field in mapping.fields where !paths.reachesField(field.value) {
                bag.report(.redactionReachesNoField(path: field.value, section: mapping.section.value,
                                                    suggestion: NameSuggester.suggest(field.value, from: paths.fieldPaths)), at: field.range)
            }
        }
    }

    /// The reason's placeholders read and type-check, each error at its column in the file; returns those that check,
    /// by their offset in the reason.
    private func checkReason(_ reason: ReasonText, of rule: PolicyRule, into bag: inout DiagnosticBag) -> [Int: CheckedExpression] {
        // Where in the file a part of the reason is: worked out only for an error, so a clean reason maps nothing.
        func range(_ offsets: Range<Int>) -> SourceRange {
            let map = source?.textIfUnchanged.map { ScalarSourceMap(source: $0, range: reason.range, style: reason.style, value: reason.text) }
            return map?.range(valueOffsets: offsets) ?? SourceRange(file: reason.range.file, at: reason.range.start)
        }
        if let problem = reason.problem {
            bag.report(.malformedReason(rule: rule.id.value, reason: problem.description), at: range(problem.offset..<(problem.offset + 1)))
            return [:]
        }
        var checked: [Int: CheckedExpression] = [:]
        for (text, offset) in reason.expressions {
            switch ExpressionChecker.compile(text, in: environment, role: "a placeholder of the reason of rule '\(rule.id.value)'") {
            case .success(let expression):
                checked[offset] = expression
            case .failure(let failure):
                for error in failure.errors {
                    bag.report(error.kind, at: range((offset + error.span.start)..<(offset + max(error.span.end, error.span.start))))
                }
            }
        }
        return checked
    }

    /// CW0237: `rule` names, in its `on`, a path that another allow with an overlapping action redacts whenever it
    /// matches the same request; when both match, the redaction turns the allow into a refusal.
    private func checkRedactionsAgainst(_ rule: PolicyRule, paths: ResourcePaths, into bag: inout DiagnosticBag) {
        for other in policy.rules where other.effect == .allow && other.id.value != rule.id.value && actionsOverlap(rule, other) {
            for entry in rule.on {
                guard other.on.isEmpty || other.on.contains(where: { ResourcePaths.covers($0.value, entry.value) }) else { continue }
                guard let redact = other.redact.first(where: { paths.redaction(of: $0.value).hides(resource: entry.value) }) else { continue }
                bag.report(.redactionOverridesAllow(rule: rule.id.value, path: entry.value, redactingRule: other.id.value), at: entry.range,
                           notes: [DiagnosticNote("the redaction is here", at: redact.range)])
            }
        }
    }

    private func actionsOverlap(_ first: PolicyRule, _ second: PolicyRule) -> Bool {
        let one = first.actions.map(\.value)
        let two = second.actions.map(\.value)
        return one.contains(PolicyDefinition.everyAction) || two.contains(PolicyDefinition.everyAction) || one.contains(where: two.contains)
    }

    /// An unconditional deny, earlier or later, that covers every action and resource of `rule`.
    private func shadowingDeny(of rule: PolicyRule) -> PolicyRule? {
        policy.rules.first { deny in
            guard deny.effect == .deny, deny.when == nil else { return false }
            let denied = deny.actions.map(\.value)
            let actionsCovered = denied.contains(PolicyDefinition.everyAction) || rule.actions.allSatisfy { denied.contains($0.value) }
            let resourcesCovered = deny.on.isEmpty || (!rule.on.isEmpty && rule.on.allSatisfy { entry in
                deny.on.contains { ResourcePaths.covers($0.value, entry.value) }
            })
            return actionsCovered && resourcesCovered
        }
    }
}

import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkExpressions
import CaseworkTime
import Foundation

/// A checked policy ready to decide requests: default deny, a matching deny beats any allow,
/// redactions from every matching allow apply, and every decision explains itself.
public struct CompiledPolicy: Sendable {
    /// The policy.
    public let definition: PolicyDefinition
    /// The parts of a case the policy can name in its set, and what redacting each hides.
    public let paths: ResourcePaths
    /// The names conditions and reasons read, and how a request values them.
    public let names: ExpressionNames<PolicyExpressionInput>
    private let conditions: [String: CompiledExpression]
    /// The rules whose conditions read the actor's grant (`grant.*`): for someone with no grant, such a rule applies only when
    /// its condition holds without the grant.
    private let aboutGrants: Set<String>
    /// Each rule's redactions, resolved once, by rule id.
    private let redactions: [String: [Redaction]]
    /// Each rule's reason, its placeholders planned, by rule id.
    private let reasons: [String: [ReasonPart]]

    /// A piece of a reason as the policy renders it.
    private enum ReasonPart: Sendable {
        case literal(String)
        case value(CompiledExpression)
    }

    /// Words shown in place of a reason's placeholder whose value cannot be worked out (a date of birth not
    /// recorded, for instance): the same words a notification shows for a field not yet set, never a guess.
    public static let unknownValue = TemplateRenderer.notRecorded

    /// Plans `definition`'s conditions and reason placeholders as the validation stage checked them (`checked`), in
    /// `set`, without compiling any again. A condition or placeholder that did not check (so `checked` lacks it) is a
    /// ``EngineError/definitionError(_:)``, never a rule or a placeholder silently left out; the catalog is built only
    /// from a report with no errors, so that does not happen there.
    public init(_ definition: PolicyDefinition, checked: CheckedPolicyExpressions?, in set: DefinitionSet) throws(EngineError) {
        let policy = "policy '\(definition.id.value)'"
        guard let checked else { throw .definitionError("the expressions of \(policy) were not checked") }
        self.definition = definition
        self.names = checked.names
        let paths = ResourcePaths(policy: definition, workflows: set.workflows)
        self.paths = paths
        var conditions: [String: CompiledExpression] = [:]
        var redactions: [String: [Redaction]] = [:]
        var reasons: [String: [ReasonPart]] = [:]
        var aboutGrants: Set<String> = []
        for rule in definition.rules {
            let id = rule.id.value
            redactions[id] = rule.redact.map { paths.redaction(of: $0.value) }
            if let reason = rule.reason {
                var parts: [ReasonPart] = []
                for part in reason.parts {
                    switch part {
                    case .literal(let text): parts.append(.literal(text))
                    case .expression(let text, let offset):
                        guard let placeholder = checked.reasons[id]?[offset] else {
                            throw .definitionError("the placeholder '{\(text)}' in the reason of rule '\(id)' of \(policy) was not checked")
                        }
                        parts.append(.value(CompiledExpression(placeholder)))
                    }
                }
                reasons[id] = parts
            }
            guard let when = rule.when else { continue }
            guard let condition = checked.conditions[id] else {
                throw .definitionError("the condition '\(when.text)' of rule '\(id)' of \(policy) was not checked")
            }
            conditions[id] = CompiledExpression(condition)
            if condition.syntax.root.readPaths(dateOfBirth: nil).contains(where: { $0.path.hasPrefix("grant.") }) { aboutGrants.insert(id) }
        }
        self.conditions = conditions
        self.aboutGrants = aboutGrants
        self.redactions = redactions
        self.reasons = reasons
    }

    /// What in `request` the policy cannot decide on, each at its place in the request: an action the policy
    /// does not know, a resource path it cannot name, a grant whose principal's id is unusable, whose level is
    /// not one of the policy's, or whose sections are not parts of a case. A caller refuses such a request as
    /// bad input; ``decide(_:)`` denies it.
    public func problems(in request: AccessRequest) -> [InputProblem] {
        var problems: [InputProblem] = []
        if let problem = actionProblem(request.action) { problems.append(InputProblem(field: "action", message: problem)) }
        if let problem = resourceProblem(request.resource) { problems.append(InputProblem(field: "resource", message: problem)) }
        for (index, grant) in request.grants.enumerated() {
            if let problem = Principal.problem(withID: grant.to.id) { problems.append(InputProblem(field: "grants[\(index)].to", message: problem)) }
            if !definition.levels.contains(where: { $0.value == grant.level }) {
                problems.append(InputProblem(field: "grants[\(index)].level", message: "'\(grant.level)' is not a level of policy '\(definition.id.value)'"
                    + (NameSuggester.suggest(grant.level, from: definition.levels.map(\.value)).map { "; did you mean '\($0)'?" } ?? "")))
            }
            for (position, section) in (grant.sections ?? []).enumerated() {
                if let problem = resourceProblem(section) { problems.append(InputProblem(field: "grants[\(index)].sections[\(position)]", message: problem)) }
            }
        }
        return problems
    }

    /// Why `action` is not one the policy knows, or nil.
    func actionProblem(_ action: String) -> String? {
        let known = definition.knownActions
        guard !known.contains(action) else { return nil }
        return "'\(action)' is not an action of policy '\(definition.id.value)'"
            + (NameSuggester.suggest(action, from: known).map { "; did you mean '\($0)'?" } ?? "; the actions are \(known.joined(separator: ", "))")
    }

    /// Why `path` is not a part of a case the policy can name, or nil.
    func resourceProblem(_ path: String) -> String? {
        guard !paths.isKnown(path) else { return nil }
        let candidates = paths.resourceNames + paths.fieldPaths.map { "\(ResourcePaths.caseFields).\($0)" }
        return "'\(path)' is not a resource, section or field policy '\(definition.id.value)' knows"
            + (NameSuggester.suggest(path, from: candidates).map { "; did you mean '\($0)'?" } ?? "")
    }

    /// Decides `request`. An action the policy does not know, or a resource it cannot name, is covered by no rule
    /// and denied, saying which.
    public func decide(_ request: AccessRequest) -> AccessDecision {
        if let problem = actionProblem(request.action) ?? resourceProblem(request.resource) {
            let trace = definition.rules.map { RuleTrace(rule: $0.id.value, matched: false, why: "no rule covers this request: \(problem)") }
            return AccessDecision(allowed: false, matched: [], redactions: RedactionSet(), reasons: [problem], trace: trace)
        }
        let today = CalendarDate(request.at)
        let grant = request.grants.first { $0.to == request.principal && $0.holds(on: today) }
        let context = names.context(for: PolicyExpressionInput(request: request, grant: grant, today: today))
        var trace: [RuleTrace] = []
        trace.reserveCapacity(definition.rules.count)
        var allows: [PolicyRule] = []
        var denies: [PolicyRule] = []
        var undecidedAllows: [PolicyRule] = []
        for rule in definition.rules {
            let actions = rule.actions.map(\.value)
            guard actions.contains(PolicyDefinition.everyAction) || actions.contains(request.action) else {
                trace.append(RuleTrace(rule: rule.id.value, matched: false, why: "it is about \(actions.joined(separator: ", ")), not \(request.action)"))
                continue
            }
            guard rule.on.isEmpty || rule.on.contains(where: { ResourcePaths.covers($0.value, request.resource) }) else {
                trace.append(RuleTrace(rule: rule.id.value, matched: false, why: "it is about \(rule.on.map(\.value).joined(separator: ", ")), not \(request.resource)"))
                continue
            }
            var holds = true
            var why = "it applies to \(request.action) on \(request.resource)"
            if let condition = conditions[rule.id.value], let text = rule.when?.text {
                switch condition.evaluateCondition(context) {
                case .success(let value):
                    holds = value
                    why = "its condition '\(text)' is \(value)"
                case .failure(.unset) where grant == nil && aboutGrants.contains(rule.id.value):
                    // Having no grant is a known fact, not an unknown: a rule about grants that cannot be decided does not
                    // apply, whichever unset name the evaluation met first (a case field the rule also reads, say), so the
                    // outcome for someone without a grant never depends on what the case holds.
                    holds = false
                    why = "it is about a grant, and you have no grant on this case"
                case .failure(let error):
                    // Other undecided conditions fail safe: a deny still counts, an allow does not.
                    holds = rule.effect == .deny
                    if rule.effect == .allow { undecidedAllows.append(rule) }
                    why = "its condition '\(text)' cannot be decided (\(error)), so it \(holds ? "counts, to be safe" : "does not count")"
                }
            }
            trace.append(RuleTrace(rule: rule.id.value, matched: holds, why: why))
            guard holds else { continue }
            if rule.effect == .allow { allows.append(rule) } else { denies.append(rule) }
        }
        func deny(_ matched: [String], _ reasons: [String]) -> AccessDecision {
            AccessDecision(allowed: false, matched: matched, redactions: RedactionSet(), reasons: reasons, trace: trace)
        }
        if !denies.isEmpty {
            var reasons: [String] = []
            for rule in denies {
                let reason = render(rule, context) ?? Self.notAllowed
                if !reasons.contains(reason) { reasons.append(reason) }
            }
            return deny(denies.map(\.id.value), reasons)
        }
        guard !allows.isEmpty else {
            if !undecidedAllows.isEmpty { return deny([], [Self.couldNotCheck]) }
            return deny([], [grant == nil ? Self.noAccess : Self.notIncluded])
        }
        var withheld = RedactionSet()
        var hiding: [String] = []
        for rule in allows {
            for redaction in redactions[rule.id.value] ?? [] {
                if redaction.hides(resource: request.resource) {
                    if !hiding.contains(rule.id.value) { hiding.append(rule.id.value) }
                } else if redaction.hidesPart(of: request.resource) {
                    withheld.insert(redaction)
                }
            }
        }
        if !hiding.isEmpty { return deny(hiding, [Self.notIncluded]) }
        if let sections = grant?.sections {
            guard sections.contains(where: { ResourcePaths.covers($0, request.resource) || ResourcePaths.covers(request.resource, $0) }) else {
                return deny([], [Self.notIncluded])
            }
            for part in paths.parts(of: request.resource) where !sections.contains(where: { ResourcePaths.covers($0, part) }) {
                let redaction = paths.redaction(of: part)
                if redaction.hides(resource: request.resource) { return deny([], [Self.notIncluded]) }
                withheld.insert(redaction)
            }
        }
        let names = allows.map { "'\($0.id.value)'" }.joined(separator: ", ")
        let reasons = withheld.isEmpty ? ["allowed by \(names)"] : ["allowed by \(names); some parts are withheld"]
        return AccessDecision(allowed: true, matched: allows.map(\.id.value), redactions: withheld, reasons: reasons, trace: trace)
    }

    /// The reason when nothing allows the request and the actor has no grant on the case.
    public static let noAccess = "you have not been given access to this case"
    /// The reason when the actor's access does not reach what they asked for.
    public static let notIncluded = "your access to this case does not include this"
    /// The reason of a deny rule that gives none.
    public static let notAllowed = "the access rules for this case do not allow this"
    /// The reason when an allow could not be checked (something it reads was not given); the trace says what.
    public static let couldNotCheck = "it could not be checked that you may do this, so it is refused"

    /// `rule`'s own reason with its placeholders filled from `context`; nil when it gives none.
    private func render(_ rule: PolicyRule, _ context: EvaluationContext) -> String? {
        guard let parts = reasons[rule.id.value] else { return nil }
        var text = ""
        for part in parts {
            switch part {
            case .literal(let literal): text += literal
            case .value(let expression):
                guard case .success(let value) = expression.evaluate(context) else {
                    text += Self.unknownValue
                    continue
                }
                text += TemplateRenderer.format(value)
            }
        }
        return text
    }
}

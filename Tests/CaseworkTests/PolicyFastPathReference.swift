@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkDiagnostics
import CaseworkExpressions
import CaseworkTime
import Foundation

/// The straightforward evaluator the fast decision path is checked against: the decision procedure as it was written
/// before rules were indexed, rule by rule, every name read by name into a dictionary, every explanation written out as
/// it goes. Kept here, in the tests, as the reference whose answers ``CompiledPolicy/decide(_:)`` must give exactly.
struct ReferencePolicy {
    /// A decision with every part written out.
    struct Decision: Equatable, CustomStringConvertible {
        var allowed: Bool
        var matched: [String]
        var redactions: RedactionSet
        var reasons: [String]
        var trace: [RuleTrace]

        /// The parts of a fast decision, read.
        init(_ decision: AccessDecision) {
            self.init(allowed: decision.allowed, matched: decision.matched, redactions: decision.redactions, reasons: decision.reasons, trace: decision.trace)
        }

        init(allowed: Bool, matched: [String], redactions: RedactionSet, reasons: [String], trace: [RuleTrace]) {
            self.allowed = allowed
            self.matched = matched
            self.redactions = redactions
            self.reasons = reasons
            self.trace = trace
        }

        var description: String {
            "\(allowed ? "allow" : "deny") \(matched) redact \(redactions.paths) \(reasons) "
                + trace.map { "\($0.rule) \($0.matched ? "+" : "-") \($0.why)" }.joined(separator: "; ")
        }
    }

    private enum ReasonPart {
        case literal(String)
        case value(CompiledExpression)
    }

    let definition: PolicyDefinition
    let paths: ResourcePaths
    let names: ExpressionNames<PolicyExpressionInput>
    private let conditions: [String: CompiledExpression]
    private let aboutGrants: Set<String>
    private let redactions: [String: [Redaction]]
    private let reasons: [String: [ReasonPart]]

    /// The reference for `definition`, its expressions as `checked` checked them, in `set`.
    init(_ definition: PolicyDefinition, checked: CheckedPolicyExpressions, in set: DefinitionSet) {
        self.definition = definition
        names = checked.names
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
                reasons[id] = reason.parts.map { part in
                    switch part {
                    case .literal(let text): .literal(text)
                    case .expression(_, let offset): .value(CompiledExpression(checked.reasons[id]![offset]!))
                    }
                }
            }
            guard let condition = checked.conditions[id] else { continue }
            conditions[id] = CompiledExpression(condition)
            if condition.syntax.root.readPaths(dateOfBirth: nil).contains(where: { $0.path.hasPrefix("grant.") }) { aboutGrants.insert(id) }
        }
        self.conditions = conditions
        self.aboutGrants = aboutGrants
        self.redactions = redactions
        self.reasons = reasons
    }

    /// The reference for the policy `id` of the definitions in `report`.
    init(_ id: String, of report: ValidationReport) {
        let definition = report.definitions.policies.first { $0.id.value == id }!
        self.init(definition, checked: report.policyExpressions[id]!, in: report.definitions)
    }

    func decide(_ request: AccessRequest) -> Decision {
        let known = definition.knownActions
        var problem: String?
        if !known.contains(request.action) {
            let suggestion = NameSuggester.suggest(request.action, from: known).map { "; did you mean '\($0)'?" }
            problem = "'\(request.action)' is not an action of policy '\(definition.id.value)'" + (suggestion ?? "; the actions are \(known.joined(separator: ", "))")
        } else if !paths.isKnown(request.resource) {
            let candidates = paths.resourceNames + paths.fieldPaths.map { "\(ResourcePaths.caseFields).\($0)" }
            let suggestion = NameSuggester.suggest(request.resource, from: candidates).map { "; did you mean '\($0)'?" }
            problem = "'\(request.resource)' is not a resource, section or field policy '\(definition.id.value)' knows" + (suggestion ?? "")
        }
        if let problem {
            let trace = definition.rules.map { RuleTrace(rule: $0.id.value, matched: false, why: "no rule covers this request: \(problem)") }
            return Decision(allowed: false, matched: [], redactions: RedactionSet(), reasons: [problem], trace: trace)
        }
        let today = CalendarDate(request.at)
        let grant = request.grants.first { $0.to == request.principal && $0.holds(on: today) }
        let context = names.context(for: PolicyExpressionInput(request: request, grant: grant, today: today))
        var trace: [RuleTrace] = []
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
                    holds = false
                    why = "it is about a grant, and you have no grant on this case"
                case .failure(let error):
                    holds = rule.effect == .deny
                    if rule.effect == .allow { undecidedAllows.append(rule) }
                    why = "its condition '\(text)' cannot be decided (\(error)), so it \(holds ? "counts, to be safe" : "does not count")"
                }
            }
            trace.append(RuleTrace(rule: rule.id.value, matched: holds, why: why))
            guard holds else { continue }
            if rule.effect == .allow { allows.append(rule) } else { denies.append(rule) }
        }
        func deny(_ matched: [String], _ reasons: [String]) -> Decision {
            Decision(allowed: false, matched: matched, redactions: RedactionSet(), reasons: reasons, trace: trace)
        }
        if !denies.isEmpty {
            var reasons: [String] = []
            for rule in denies {
                let reason = render(rule, context) ?? CompiledPolicy.notAllowed
                if !reasons.contains(reason) { reasons.append(reason) }
            }
            return deny(denies.map(\.id.value), reasons)
        }
        guard !allows.isEmpty else {
            if !undecidedAllows.isEmpty { return deny([], [CompiledPolicy.couldNotCheck]) }
            return deny([], [grant == nil ? CompiledPolicy.noAccess : CompiledPolicy.notIncluded])
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
        if !hiding.isEmpty { return deny(hiding, [CompiledPolicy.notIncluded]) }
        if let sections = grant?.sections {
            guard sections.contains(where: { ResourcePaths.covers($0, request.resource) || ResourcePaths.covers(request.resource, $0) }) else {
                return deny([], [CompiledPolicy.notIncluded])
            }
            for part in paths.parts(of: request.resource) where !sections.contains(where: { ResourcePaths.covers($0, part) }) {
                let redaction = paths.redaction(of: part)
                if redaction.hides(resource: request.resource) { return deny([], [CompiledPolicy.notIncluded]) }
                withheld.insert(redaction)
            }
        }
        let names = allows.map { "'\($0.id.value)'" }.joined(separator: ", ")
        let reasons = withheld.isEmpty ? ["allowed by \(names)"] : ["allowed by \(names); some parts are withheld"]
        return Decision(allowed: true, matched: allows.map(\.id.value), redactions: withheld, reasons: reasons, trace: trace)
    }

    private func render(_ rule: PolicyRule, _ context: EvaluationContext) -> String? {
        guard let parts = reasons[rule.id.value] else { return nil }
        var text = ""
        for part in parts {
            switch part {
            case .literal(let literal): text += literal
            case .value(let expression):
                guard case .success(let value) = expression.evaluate(context) else {
                    text += CompiledPolicy.unknownValue
                    continue
                }
                text += TemplateRenderer.format(value)
            }
        }
        return text
    }
}

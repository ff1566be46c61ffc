import Foundation

/// A checked policy ready to decide requests: default deny, a matching deny beats any allow,
/// redactions from every matching allow apply, and every decision explains itself.
public struct CompiledPolicy: Sendable {
    /// The policy.
    public let definition: PolicyDefinition
    private let conditions: [String: CompiledExpression]

    /// Compiles `definition`'s conditions against its environment in `set`; conditions that do not check are left out
    /// (the validator reports them, and the catalog refuses a set with errors).
    public init(_ definition: PolicyDefinition, in set: DefinitionSet) {
        self.definition = definition
        let environment = PolicyEnvironment.make(for: definition, in: set)
        var conditions: [String: CompiledExpression] = [:]
        for rule in definition.rules {
            guard let when = rule.when, case .success(let checked) = ExpressionChecker.compile(when.text, in: environment, expecting: .bool) else { continue }
            conditions[rule.id.value] = CompiledExpression(checked)
        }
        self.conditions = conditions
    }

    /// Whether a rule's `on` entry covers `resource`: the same, or the whole resource of a section.
    static func covers(_ entry: String, _ resource: String) -> Bool {
        entry == resource || resource.hasPrefix(entry + ".")
    }

    /// Decides `request`.
    public func decide(_ request: AccessRequest) -> AccessDecision {
        let today = CalendarDate(request.at)
        let grant = request.grants.first { $0.to == request.principal && $0.holds(on: today) }
        let context = Self.context(request, grant: grant, today: today)
        var trace: [RuleTrace] = []
        var allows: [PolicyRule] = []
        var denies: [PolicyRule] = []
        var undecidedDenies: [PolicyRule] = []
        var undecidedAllows: [(rule: PolicyRule, error: EvaluationError)] = []
        for rule in definition.rules {
            let actions = rule.actions.map(\.value)
            guard actions.contains("all") || actions.contains(request.action) else {
                trace.append(RuleTrace(rule: rule.id.value, matched: false, why: "it is about \(actions.joined(separator: ", ")), not \(request.action)"))
                continue
            }
            guard rule.on.isEmpty || rule.on.contains(where: { Self.covers($0.value, request.resource) }) else {
                trace.append(RuleTrace(rule: rule.id.value, matched: false, why: "it is about \(rule.on.map(\.value).joined(separator: ", ")), not \(request.resource)"))
                continue
            }
            var holds = true
            var undecided = false
            var why = "it applies to \(request.action) on \(request.resource)"
            if let text = rule.when?.text {
                switch conditions[rule.id.value]?.evaluateCondition(context) ?? .failure(.unset(text)) {
                case .success(let value):
                    holds = value
                    why = "its condition '\(text)' is \(value)"
                case .failure(.unset(let name)) where grant == nil && name.hasPrefix("grant."):
                    // Having no grant is a known fact, not an unknown: a rule about grants does not apply.
                    holds = false
                    why = "it is about a grant, and you have no grant on this case"
                case .failure(let error):
                    // Other undecided conditions fail safe: a deny still counts, an allow does not.
                    holds = rule.effect == .deny
                    undecided = true
                    if rule.effect == .allow { undecidedAllows.append((rule, error)) }
                    why = "its condition '\(text)' cannot be decided (\(error)), so it \(holds ? "counts, to be safe" : "does not count")"
                }
            }
            trace.append(RuleTrace(rule: rule.id.value, matched: holds, why: why))
            guard holds else { continue }
            if rule.effect == .allow {
                allows.append(rule)
            } else if undecided {
                undecidedDenies.append(rule)
            } else {
                denies.append(rule)
            }
        }
        if !denies.isEmpty {
            return AccessDecision(allowed: false, matched: denies.map(\.id.value), redact: [],
                                  reasons: denies.map { $0.reason ?? "the SEND service's policy does not allow this (rule '\($0.id.value)')" }, trace: trace)
        }
        if !undecidedDenies.isEmpty, !allows.isEmpty {
            return AccessDecision(allowed: false, matched: undecidedDenies.map(\.id.value), redact: [],
                                  reasons: undecidedDenies.map { "it could not be checked that rule '\($0.id.value)' does not stop this, so it is refused" }, trace: trace)
        }
        guard !allows.isEmpty else {
            if let (rule, error) = undecidedAllows.first {
                return AccessDecision(allowed: false, matched: [], redact: [],
                                      reasons: ["it could not be checked whether rule '\(rule.id.value)' allows this: \(error)"], trace: trace)
            }
            let reason = grant == nil ? "the SEND service has not given you access to this case" : "your access to this case does not include this"
            return AccessDecision(allowed: false, matched: [], redact: [], reasons: [reason], trace: trace)
        }
        var redact: [String] = []
        for rule in allows {
            for entry in rule.redact.map(\.value) where !redact.contains(entry) && (Self.covers(request.resource, entry) || Self.covers(entry, request.resource)) {
                redact.append(entry)
            }
        }
        if let sections = grant?.sections {
            for section in sectionsOf(request.resource) where !sections.contains(where: { Self.covers($0, section) }) && !redact.contains(section) {
                redact.append(section)
            }
            if !sections.contains(where: { Self.covers($0, request.resource) || Self.covers(request.resource, $0) }) {
                return AccessDecision(allowed: false, matched: allows.map(\.id.value), redact: [],
                                      reasons: ["the SEND service has not shared this part of the case with you"], trace: trace)
            }
        }
        if redact.contains(where: { Self.covers($0, request.resource) }) {
            return AccessDecision(allowed: false, matched: allows.map(\.id.value), redact: [],
                                  reasons: ["access to this part of the case is limited by the SEND service"], trace: trace)
        }
        let reasons = redact.isEmpty ? ["allowed by \(allows.map { "'\($0.id.value)'" }.joined(separator: ", "))"]
            : ["allowed by \(allows.map { "'\($0.id.value)'" }.joined(separator: ", ")); some parts are withheld by the SEND service"]
        return AccessDecision(allowed: true, matched: allows.map(\.id.value), redact: redact.sorted(), reasons: reasons, trace: trace)
    }

    /// The sections of a whole resource (`ehcp` → `ehcp.A` … `ehcp.K`); a section on its own is just itself.
    private func sectionsOf(_ resource: String) -> [String] {
        guard let declared = definition.resources.first(where: { $0.name.value == resource }) else { return [resource] }
        return declared.sections.map { "\(resource).\($0.value)" }
    }

    /// The values a condition reads: actor, the actor's grant, the case and the time.
    static func context(_ request: AccessRequest, grant: AccessGrant?, today: CalendarDate) -> EvaluationContext {
        var values: [String: ExpressionValue] = ["actor.id": .string(request.actor.id), "actor.role": .string(request.actor.role)]
        for (name, value) in request.attributes { values["actor.\(name)"] = value }
        if let grant {
            values["grant.to"] = .string(grant.to.id)
            values["grant.level"] = .string(grant.level)
            if let sections = grant.sections { values["grant.sections"] = .list(sections.map(ExpressionValue.string)) }
            if let from = grant.from { values["grant.from"] = .date(from) }
            if let until = grant.until { values["grant.until"] = .date(until) }
        }
        values["case.id"] = .string(request.caseID)
        values["case.workflow"] = .string(request.workflow)
        values["case.state"] = .string(request.state)
        for (path, value) in request.fields { values["case.\(path)"] = value }
        return EvaluationContext(values: values, today: today, now: request.at)
    }
}

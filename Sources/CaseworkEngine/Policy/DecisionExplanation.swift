import CaseworkDefinitions
import CaseworkExpressions

/// How one decision was reached, kept as a few rule sets and values: which rules were about the request, which held,
/// which could not be decided and why. ``AccessDecision`` renders it into the words of its trace, reasons and matched
/// rules only when they are read, so deciding never builds text nobody reads. A class, so a decision copied from step to
/// step carries one reference rather than each of these parts.
final class DecisionExplanation: Sendable {
    /// Which reasons the decision gives.
    enum Reasons: Sendable {
        /// Each matched deny's own reason (or ``CompiledPolicy/notAllowed``), each once.
        case denied
        /// One fixed reason.
        case fixed(String)
        /// "allowed by" the matched allows, saying whether some parts are withheld.
        case allowed(withheld: Bool)
    }

    /// A rule whose condition could not be decided, and why: a struct rather than a tuple, so the lists of them each
    /// decision keeps are copied and destroyed by the compiler's own code instead of the runtime's generic tuple walk.
    struct UndecidedRule: Sendable {
        /// The rule's place in the policy.
        let rule: Int
        /// Why its condition could not be decided.
        let error: EvaluationError
    }

    /// The policy's rules, to render from.
    let index: PolicyIndex
    /// The request's action.
    let action: String
    /// The request's resource.
    let resource: String
    /// Why no rule covers the request (an action or a path the policy does not know), or nil.
    let problem: String?
    /// The considered rules that hold (an undecided deny holds, to be safe).
    let holds: RuleMask
    /// The rules about grants that do not apply because the actor has no grant.
    let withoutGrant: RuleMask
    /// The rules whose conditions could not be decided, with why: those of the whole pass the decision was made in,
    /// shared by its decisions (the trace reads only the considered ones), in no particular order.
    let undecided: [UndecidedRule]
    /// The rules that decided it.
    let matched: RuleMask
    /// Which reasons it gives.
    let reasons: Reasons
    /// What the conditions were evaluated against, for the placeholders of deny reasons; kept only by a deny some of
    /// whose matched rules' reasons have placeholders, nil otherwise (nothing else reads it).
    let context: EvaluationContext?

    /// The explanation of a request for `action` on `resource` no rule covers, because of `problem`.
    convenience init(index: PolicyIndex, action: String, resource: String, problem: String) {
        self.init(index: index, action: action, resource: resource, problem: problem, holds: RuleMask(), withoutGrant: RuleMask(), undecided: [],
                  matched: RuleMask(), reasons: .fixed(problem), context: nil)
    }

    /// An explanation with every part given.
    init(
        index: PolicyIndex, action: String, resource: String, problem: String? = nil, holds: RuleMask, withoutGrant: RuleMask, undecided: [UndecidedRule],
        matched: RuleMask, reasons: Reasons, context: EvaluationContext?
    ) {
        self.index = index
        self.action = action
        self.resource = resource
        self.problem = problem
        self.holds = holds
        self.withoutGrant = withoutGrant
        self.undecided = undecided
        self.matched = matched
        self.reasons = reasons
        self.context = context
    }

    /// The ids of the rules that decided it, in the policy's order.
    var matchedRules: [String] { matched.positions.map { index.rules[$0].id } }

    /// The reasons, in plain words.
    var renderedReasons: [String] {
        switch reasons {
        case .fixed(let reason):
            return [reason]
        case .allowed(let withheld):
            let names = matched.positions.map { "'\(index.rules[$0].id)'" }.joined(separator: ", ")
            return [withheld ? "allowed by \(names); some parts are withheld" : "allowed by \(names)"]
        case .denied:
            var reasons: [String] = []
            matched.forEach { position in
                let reason = render(index.rules[position]) ?? CompiledPolicy.notAllowed
                if !reasons.contains(reason) { reasons.append(reason) }
            }
            return reasons
        }
    }

    /// Every rule and why it did or did not match. Which rules are about the action, and which of those cover the
    /// resource, are looked up again here rather than kept by every decision, which is seldom explained.
    var trace: [RuleTrace] {
        let aboutAction = index.actions[action] ?? RuleMask()
        let considered = index.question(AccessQuestion(action, on: resource)).considered
        return index.rules.indices.map { position in
            let rule = index.rules[position]
            if let problem { return RuleTrace(rule: rule.id, matched: false, why: "no rule covers this request: \(problem)") }
            guard aboutAction.contains(position) else { return RuleTrace(rule: rule.id, matched: false, why: "it is about \(rule.actionsText), not \(action)") }
            guard considered.contains(position) else { return RuleTrace(rule: rule.id, matched: false, why: "it is about \(rule.onText), not \(resource)") }
            let holds = holds.contains(position)
            guard index.conditions[position] != nil else { return RuleTrace(rule: rule.id, matched: holds, why: "it applies to \(action) on \(resource)") }
            let text = rule.conditionText
            if let error = undecided.first(where: { $0.rule == position })?.error {
                return RuleTrace(rule: rule.id, matched: holds,
                                 why: "its condition '\(text)' cannot be decided (\(error)), so it \(holds ? "counts, to be safe" : "does not count")")
            }
            if withoutGrant.contains(position) { return RuleTrace(rule: rule.id, matched: false, why: "it is about a grant, and you have no grant on this case") }
            return RuleTrace(rule: rule.id, matched: holds, why: "its condition '\(text)' is \(holds)")
        }
    }

    /// `rule`'s own reason with its placeholders filled from the context; nil when it gives none.
    private func render(_ rule: PolicyIndex.Rule) -> String? {
        guard let parts = rule.reason else { return nil }
        var text = ""
        for part in parts {
            switch part {
            case .literal(let literal): text += literal
            case .value(let expression):
                guard let context, case .success(let value) = expression.evaluate(context) else {
                    text += CompiledPolicy.unknownValue
                    continue
                }
                text += TemplateRenderer.format(value)
            }
        }
        return text
    }
}

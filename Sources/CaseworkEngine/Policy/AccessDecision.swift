import CaseworkDefinitions
import CaseworkExpressions
import Foundation

/// Why one rule did or did not match a request.
public struct RuleTrace: Sendable, Hashable {
    /// The rule's id.
    public var rule: String
    /// Whether it matched.
    public var matched: Bool
    /// Why, in words.
    public var why: String
}

/// A decision, as a value: allow or deny, the rules that matched, what is withheld, the reasons a parent
/// could read, and every rule considered.
///
/// The rules that matched, the reasons and the trace are kept as the decision's explanation and put into words only
/// when read, so a caller that needs only ``allowed`` and ``redactions`` never pays for the text. Reading them always
/// gives the same values; setting one keeps the value set. Two decisions are equal when every property reads the same.
public struct AccessDecision: Sendable, Hashable {
    /// Whether the request is allowed.
    public var allowed: Bool
    /// The ids of the rules that decided it: for an allow, the allows that matched; for a deny, the denies that
    /// counted (an undecided deny counts, to be safe), or the allows whose redaction withheld the whole request.
    public var matched: [String] {
        get { given.matched ?? explanation.matchedRules }
        set { given.matched = newValue }
    }
    /// The paths withheld from what is allowed (`case.address`, `ehcp.K`): ``redactions``' paths.
    public var redact: [String] { redactions.paths }
    /// What is withheld from what is allowed, as a value that says which case fields it hides.
    public var redactions: RedactionSet
    /// The decision without its explanation: what a caller that has the decision already reads, rather than asking
    /// the policy again for the verdict.
    var verdict: AccessVerdict { AccessVerdict(allowed: allowed, redactions: redactions) }
    /// The reasons, in plain words.
    public var reasons: [String] {
        get { given.reasons ?? explanation.renderedReasons }
        set { given.reasons = newValue }
    }
    /// Every rule considered and why it did or did not match.
    public var trace: [RuleTrace] {
        get { given.trace ?? explanation.trace }
        set { given.trace = newValue }
    }

    /// Which grant the decision was made on, as the engine's door chose it (``EffectiveGrants``): `case C` for the
    /// case's own grant, `child X` for the grant given for the child the case belongs to; nil when the actor held
    /// neither, or the decision was asked outside a case. It explains the decision, and is not compared by `==`.
    public var grantUsed: String?

    /// How the decision was reached, rendered when read.
    private let explanation: DecisionExplanation
    /// Values set in place of the explanation's.
    private var given = Given()

    /// The properties a caller has set, which replace what the explanation says.
    private struct Given: Sendable {
        var matched: [String]?
        var reasons: [String]?
        var trace: [RuleTrace]?
    }

    /// A decision explained by `explanation`.
    init(allowed: Bool, redactions: RedactionSet, explanation: DecisionExplanation) {
        self.allowed = allowed
        self.redactions = redactions
        self.explanation = explanation
    }

    /// Whether the two decisions read the same: allowed, matched rules, redactions, reasons and trace.
    public static func == (left: AccessDecision, right: AccessDecision) -> Bool {
        left.allowed == right.allowed && left.redactions == right.redactions && left.matched == right.matched && left.reasons == right.reasons
            && left.trace == right.trace
    }

    /// Hashes what equality compares (the trace aside: equal decisions have equal traces, so leaving it out keeps
    /// equal decisions' hashes equal).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(allowed)
        hasher.combine(redactions)
        hasher.combine(matched)
        hasher.combine(reasons)
    }
}

/// A decision without its explanation: whether the request is allowed and what is withheld from it, all that the
/// engine's own steps read of most decisions (the door letting an actor in, a change's result, a notice's recipient).
///
/// Made by the same steps as the ``AccessDecision`` for the same request (``CompiledPolicy/verdict(_:)``), so the two
/// always agree; it keeps no rule set, reason or context, so making one allocates nothing to explain it. A caller that
/// must say why a request is refused asks for the decision.
struct AccessVerdict: Sendable, Hashable {
    /// Whether the request is allowed.
    let allowed: Bool
    /// What is withheld from what is allowed (empty for a refusal), as ``AccessDecision/redactions``.
    let redactions: RedactionSet
}

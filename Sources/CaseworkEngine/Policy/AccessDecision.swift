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
public struct AccessDecision: Sendable, Hashable {
    /// Whether the request is allowed.
    public var allowed: Bool
    /// The ids of the rules that decided it: for an allow, the allows that matched; for a deny, the denies that
    /// counted (an undecided deny counts, to be safe), or the allows whose redaction withheld the whole request.
    public var matched: [String]
    /// The paths withheld from what is allowed (`case.address`, `ehcp.K`): ``redactions``' paths.
    public var redact: [String] { redactions.paths }
    /// What is withheld from what is allowed, as a value that says which case fields it hides.
    public var redactions: RedactionSet
    /// The reasons, in plain words.
    public var reasons: [String]
    /// Every rule considered and why it did or did not match.
    public var trace: [RuleTrace]
}

/// A case another workflow's case may open and read (`links: { plan: { workflow: ehcp-plan, one: true } }`): the
/// needs assessment opens the plan, the plan opens each annual review.
public struct LinkDefinition: Sendable, Hashable {
    /// The link's name, unique in its workflow; expressions read the linked cases as `linked.NAME.…`.
    public var name: Located<String>
    /// The workflow of the cases it opens.
    public var workflow: Located<String>
    /// Whether a case opens at most one case through it (`one: true`); otherwise any number, newest last.
    public var one: Bool

    /// Creates a link.
    public init(name: Located<String>, workflow: Located<String>, one: Bool = false) {
        self.name = name
        self.workflow = workflow
        self.one = one
    }

    /// The actor the engine fires a `report:` as, which the reported transition's `by:` must name: no person or
    /// organisation can be it, since `engine` is never a role a caller may act in.
    public static let engineActor = "engine:link"

    /// The name of the link a case opened by another reads its opener by, and a `report:` goes `to:`.
    public static let openedBy = "opened_by"
}

/// A transition effect that opens a case of a declared link for the same child (`open: { plan: { fields: { … } } }`).
public struct OpenEffect: Sendable, Hashable {
    /// The link it opens through.
    public var link: Located<String>
    /// The new case's fields, each the value of an expression on this case, checked like a `set:` of the target
    /// workflow's field of that path.
    public var fields: [FieldAssignment]

    /// Creates the effect.
    public init(link: Located<String>, fields: [FieldAssignment]) {
        self.link = link
        self.fields = fields
    }
}

/// A transition effect that fires a named transition on the case that opened this one, in the same change, as the
/// engine's actor ``LinkDefinition/engineActor`` (`report: { to: opened_by, fire: record_review_outcome, input: { … } }`).
public struct ReportEffect: Sendable, Hashable {
    /// Where it reports: `opened_by`, the case that opened this one.
    public var to: Located<String>
    /// The transitions it may fire there, of which it fires the one whose `from:` holds that case's state when it
    /// reports (`fire: [record_ordered_amendment, record_ordered_amendment_while_busy]`): one name, or several whose
    /// `from:` sets are disjoint, so the choice never depends on their order.
    public var fire: [Located<String>]
    /// The input it gives that transition, each the value of an expression on this case, checked against the
    /// opener's field of that path.
    public var input: [FieldAssignment]

    /// Creates the effect.
    public init(to: Located<String>, fire: [Located<String>], input: [FieldAssignment]) {
        self.to = to
        self.fire = fire
        self.input = input
    }
}

/// One link between two cases as both records keep it: the opener's entry names the case it opened (`opened`), the
/// opened case's names its opener (`opened_by`).
public struct CaseLink: Sendable, Hashable, Codable {
    /// The link's name in the opener's workflow (`plan`, `reviews`).
    public var name: String
    /// The other case's id.
    public var caseID: String
    /// The other case's workflow.
    public var workflow: String
    /// Which end of the link this record is.
    public var role: CaseLinkRole

    /// Creates a link entry.
    public init(name: String, caseID: String, workflow: String, role: CaseLinkRole) {
        self.name = name
        self.caseID = caseID
        self.workflow = workflow
        self.role = role
    }

    private enum CodingKeys: String, CodingKey {
        case name, caseID = "case", workflow, role
    }
}

/// Which end of a link a record is.
public enum CaseLinkRole: String, Sendable, Hashable, Codable {
    /// This case opened the other.
    case opened
    /// The other case opened this one.
    case openedBy = "opened_by"
}

import CaseworkExpressions

/// An access policy file (`policy:`): who may do what to which parts of a case, decided by rules over the actor, their grant and the case.
public struct PolicyDefinition: Sendable, Hashable {
    /// The policy's id, such as `send-portal`.
    public var id: Located<String>
    /// The definition's version.
    public var version: Int
    /// A title people read, when the policy gives one (`title:` is optional).
    public var title: String?
    /// The actor's attributes and their types (`id` and `role` are always there).
    public var actorAttributes: [FieldDefinition]
    /// The grant levels the SEND service decides case by case, such as `full`, `limited`, `none`.
    public var levels: [Located<String>]
    /// The actions rules may allow or deny, beyond the built-in ones.
    public var actions: [Located<String>]
    /// The resources and their sections.
    public var resources: [ResourceDefinition]
    /// The rules, in file order.
    public var rules: [PolicyRule]
    /// The fields each section of `case` stands for (`case.address: [address, child.address]`), where the
    /// policy maps one; an unmapped section stands for the field of its own name.
    public var sectionFields: [SectionFields]
    /// How notification recipients appear to the policy, by workflow role: the attributes a message's
    /// recipient is decided with, since nobody is signed in when a message is sent.
    public var recipients: [RecipientProfile]
    /// The people the policy is written for (`personas:`), which the handbook decides every resource and action for.
    public var personas: [PolicyPersona]
    /// The file the policy was read from.
    public var file: String

    /// The actions every policy knows, because the engine asks for them: seeing, commenting, submitting and
    /// editing, `open` for opening a case and `grant` for changing who has access to it.
    public static let builtInActions = ["view", "comment", "submit", "edit", "open", "grant"]

    /// The word a rule writes for every action the policy knows (the built-in ones and its own `actions:`).
    /// It is not an action itself: a request for `all` is a request for an unknown action.
    public static let everyAction = "all"

    /// Every action the policy knows: the built-in ones, then its own.
    public var knownActions: [String] { Self.builtInActions + actions.map(\.value) }

    /// Creates a policy.
    public init(
        id: Located<String>, version: Int, title: String?, actorAttributes: [FieldDefinition], levels: [Located<String>],
        actions: [Located<String>], resources: [ResourceDefinition], rules: [PolicyRule], sectionFields: [SectionFields] = [],
        recipients: [RecipientProfile] = [], personas: [PolicyPersona] = [], file: String
    ) {
        self.sectionFields = sectionFields
        self.personas = personas
        self.recipients = recipients
        self.id = id
        self.version = version
        self.title = title
        self.actorAttributes = actorAttributes
        self.levels = levels
        self.actions = actions
        self.resources = resources
        self.rules = rules
        self.file = file
    }
}

/// A resource a policy protects, and its sections (`ehcp: [A, B, …, K]`).
public struct ResourceDefinition: Sendable, Hashable {
    /// The resource's name.
    public var name: Located<String>
    /// Its sections.
    public var sections: [Located<String>]

    /// Creates a resource.
    public init(name: Located<String>, sections: [Located<String>]) {
        self.name = name
        self.sections = sections
    }
}

/// The case fields one section of `case` stands for (`section_fields: { case.address: [address, child.address] }`):
/// what redacting the section hides.
public struct SectionFields: Sendable, Hashable {
    /// The section, as written: `case.address`.
    public var section: Located<String>
    /// The field paths, each with everything under it.
    public var fields: [Located<String>]

    /// Creates a mapping.
    public init(section: Located<String>, fields: [Located<String>]) {
        self.section = section
        self.fields = fields
    }
}

/// One rule: allow or deny some actions on some resources when a condition holds, with redactions and a reason.
public struct PolicyRule: Sendable, Hashable {
    /// Whether the rule allows or denies.
    public enum Effect: String, Sendable, Hashable {
        /// The rule allows its actions.
        case allow
        /// The rule denies its actions; a matching deny beats any allow.
        case deny
    }

    /// The rule's id, unique in its policy.
    public var id: Located<String>
    /// Allow or deny.
    public var effect: Effect
    /// The actions it covers (`all` for every action).
    public var actions: [Located<String>]
    /// The resources or sections it covers (`case.state`, `ehcp`); empty for every resource.
    public var on: [Located<String>]
    /// The condition, when the rule has one.
    public var when: ExpressionSource?
    /// The resource paths withheld from what it allows, each with everything under it (see ``Redaction``).
    public var redact: [Located<String>]
    /// Why, in words a parent could read, shown when the rule denies; it may show values worked out from the request.
    public var reason: ReasonText?

    /// Creates a rule.
    public init(
        id: Located<String>, effect: Effect, actions: [Located<String>], on: [Located<String>], when: ExpressionSource?,
        redact: [Located<String>], reason: ReasonText?
    ) {
        self.id = id
        self.effect = effect
        self.actions = actions
        self.on = on
        self.when = when
        self.redact = redact
        self.reason = reason
    }
}

/// The attributes a notification recipient in one role is decided with (`parent: { relationship: parent }`).
public struct RecipientProfile: Sendable, Hashable {
    /// The workflow role.
    public var role: Located<String>
    /// The attributes, by name, typed by the policy's `actor`.
    public var attributes: [String: ExpressionValue]

    /// Creates a profile.
    public init(role: Located<String>, attributes: [String: ExpressionValue]) {
        self.role = role
        self.attributes = attributes
    }
}

/// One of the people a policy is written for (`personas:`): a role, the actor's attributes, the organisation they act
/// for, if any, and the grant they hold on the case, if any. Nothing decides with personas but the handbook, which
/// shows what the policy allows each of them.
public struct PolicyPersona: Sendable, Hashable {
    /// What people call them: "Parent, limited access".
    public var title: Located<String>
    /// The workflow role they act in.
    public var role: Located<String>
    /// The organisation they act for (its generic account), when they act for one; their grant is then the organisation's.
    public var organisation: Located<String>?
    /// The actor's attributes, by name, typed by the policy's `actor`.
    public var attributes: [String: ExpressionValue]
    /// Their grant on the case, or nil for someone the SEND service has granted nothing.
    public var grant: PersonaGrant?

    /// Creates a persona.
    public init(title: Located<String>, role: Located<String>, organisation: Located<String>? = nil, attributes: [String: ExpressionValue],
                grant: PersonaGrant?) {
        self.title = title
        self.role = role
        self.organisation = organisation
        self.attributes = attributes
        self.grant = grant
    }
}

/// A persona's grant: a level of the policy, and optionally the only sections it covers.
public struct PersonaGrant: Sendable, Hashable {
    /// The level, one of the policy's `levels`.
    public var level: Located<String>
    /// The only resources or sections it covers, when it is limited to some.
    public var sections: [Located<String>]?

    /// Creates a grant.
    public init(level: Located<String>, sections: [Located<String>]? = nil) {
        self.level = level
        self.sections = sections
    }
}

/// Who is acting: a role in the workflow, the person's id, and the organisation they act for, if any.
///
/// Written `ROLE:ID` for a person (`parent:jo`), `ROLE@ORG` for an organisation's generic
/// account (`school@hillside-primary`) and `ROLE:ID@ORG` for a named person acting for an
/// organisation (`school:sam@hillside-primary`). Access is decided on the ``principal``:
/// an organisation's grant for those acting for it, the person's own grant otherwise, so a
/// person and an organisation that share an id are never confused.
///
/// The ``operator`` is whoever runs the engine with the store in hand (the command line
/// without `--as`): it is recorded as such in the audit and is not judged by access policies.
///
/// Named `CaseActor`, not `Actor`, so that `import Casework` never hides Swift's `Actor` protocol
/// from a service that embeds the library (`isolated (any Actor)?` must keep meaning Swift's).
public struct CaseActor: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The workflow role.
    public var role: String
    /// The person's id, or the organisation's id for its generic account.
    public var id: String
    /// The organisation the actor acts for, when they act for one.
    public var organisation: String?
    /// Whether this is the operator of the engine rather than a participant in a case.
    public private(set) var isOperator: Bool

    /// Creates a person in a role, optionally acting for an organisation.
    public init(role: String, id: String, organisation: String? = nil) {
        self.role = role
        self.id = id
        self.organisation = organisation
        self.isOperator = false
    }

    /// An organisation's generic account in a role (`school@hillside-primary`).
    public static func organisation(_ organisation: String, role: String) -> CaseActor {
        CaseActor(role: role, id: organisation, organisation: organisation)
    }

    /// The operator, named for the audit (`operator:cli`).
    public static func `operator`(_ name: String = "cli") -> CaseActor {
        var actor = CaseActor(role: "operator", id: name)
        actor.isOperator = true
        return actor
    }

    /// Parses `ROLE:ID`, `ROLE@ORG` or `ROLE:ID@ORG` (a bare `ROLE` is the person of that id, as first written);
    /// nil when a part is missing or not a usable name.
    public init?(parsing text: String) {
        var rest = Substring(text)
        var organisation: String?
        if let at = rest.firstIndex(of: "@") {
            organisation = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        }
        let parts = rest.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let role = parts.first, NameRule.identifier.accepts(role) else { return nil }
        if let organisation {
            guard Identifier.isUsable(organisation) else { return nil }
            let id = parts.count > 1 ? parts[1] : organisation
            guard Identifier.isUsable(id) else { return nil }
            self.init(role: role, id: id, organisation: organisation)
        } else {
            let id = parts.count > 1 ? parts[1] : role
            guard Identifier.isUsable(id) else { return nil }
            self.init(role: role, id: id)
        }
    }

    /// Whom the actor's grant must be for: their organisation's, or their own.
    public var principal: Principal {
        organisation.map(Principal.organisation) ?? .person(id)
    }

    /// The engine's own actor, `engine:link`, which fires a linked case's `report:` on the case that opened it. No
    /// caller can act as it: the role `engine` is refused in every caller (``problems``).
    public static let linkEngine = CaseActor(role: "engine", id: "link")

    /// What is wrong with this actor as a caller: an unusable role, id or organisation, or the engine's own role;
    /// empty when none.
    public var problems: [InputProblem] {
        var problems: [InputProblem] = []
        if !NameRule.identifier.accepts(role) {
            problems.append(InputProblem(field: "actor.role", message: "is not a role name: use lower-case letters, digits and '_'"))
        } else if role == Self.linkEngine.role {
            problems.append(InputProblem(field: "actor.role", message: "'\(role)' is the engine's own role, which no caller may act in"))
        }
        if !Identifier.isUsable(id) {
            problems.append(InputProblem(field: "actor.id", message: "is not a usable id: use 1 to 100 letters, digits, '-', '_' or '.'"))
        }
        if let organisation, !Identifier.isUsable(organisation) {
            problems.append(InputProblem(field: "actor.organisation", message: "is not a usable id: use 1 to 100 letters, digits, '-', '_' or '.'"))
        }
        return problems
    }

    /// `role:id`, `role@org`, `role:id@org`, or `operator:name`.
    public var description: String {
        guard let organisation else { return "\(role):\(id)" }
        return id == organisation ? "\(role)@\(organisation)" : "\(role):\(id)@\(organisation)"
    }

    private enum CodingKeys: String, CodingKey {
        case role, id, organisation
        case isOperator = "operator"
    }

    /// Decodes an actor from a stored record; `organisation` and `operator` are absent in records written before they
    /// existed. A stored record may say `operator`, so a service must build the actors of incoming requests with
    /// ``init(parsing:)`` or ``init(role:id:organisation:)``, never by decoding what a caller sent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(String.self, forKey: .role)
        id = try container.decode(String.self, forKey: .id)
        organisation = try container.decodeIfPresent(String.self, forKey: .organisation)
        isOperator = try container.decodeIfPresent(Bool.self, forKey: .isOperator) ?? false
    }

    /// Encodes an actor, writing `organisation` and `operator` only when they say something, so an
    /// audit event of a person hashes as it did before they existed.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(role, forKey: .role)
        try container.encode(id, forKey: .id)
        try container.encodeIfPresent(organisation, forKey: .organisation)
        if isOperator { try container.encode(true, forKey: .isOperator) }
    }
}

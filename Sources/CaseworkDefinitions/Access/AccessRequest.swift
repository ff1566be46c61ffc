import CaseworkExpressions
import CaseworkTime
import Foundation

/// A grant: the SEND service's decision that a person or an organisation may see a case, at a level.
///
/// Grants are data, not policy: they live with the case and are changed through the engine.
public struct AccessGrant: Sendable, Hashable, Codable {
    /// The person or organisation the grant is for.
    public var to: Principal
    /// The level, one the policy declares (`full`, `limited`, `none`).
    public var level: String
    /// The only resources or sections it covers (`ehcp.A`, `case.state`), when it is limited to some.
    public var sections: [String]?
    /// The first day it holds.
    public var from: CalendarDate?
    /// The last day it holds.
    public var until: CalendarDate?
    /// Who recorded it.
    public var grantedBy: String?
    /// Why, as the service recorded it.
    public var reason: String?

    /// Creates a grant.
    public init(
        to: Principal, level: String, sections: [String]? = nil, from: CalendarDate? = nil, until: CalendarDate? = nil,
        grantedBy: String? = nil, reason: String? = nil
    ) {
        self.grantedBy = grantedBy
        self.reason = reason
        self.to = to
        self.level = level
        self.sections = sections
        self.from = from
        self.until = until
    }

    /// Whether the grant holds on `day`.
    public func holds(on day: CalendarDate) -> Bool {
        (from.map { $0 <= day } ?? true) && (until.map { day <= $0 } ?? true)
    }
}

/// One request for access: who, doing what, to which part of which case, with which grants, when.
public struct AccessRequest: Sendable {
    /// Who asks.
    public var actor: CaseActor
    /// On whose behalf: the person, or the organisation they act for, whose grant then applies.
    public var principal: Principal
    /// The actor's attributes by name (`second_factor_verified`, `relationship`).
    public var attributes: [String: ExpressionValue]
    /// What they want to do (`view`).
    public var action: String
    /// The resource or section (`case.address`, `ehcp`, `ehcp.K`).
    public var resource: String
    /// The case's id, workflow, state and fields.
    public var caseID: String
    /// The case's workflow.
    public var workflow: String
    /// The case's state.
    public var state: String
    /// The case's fields by dotted path.
    public var fields: [String: ExpressionValue]
    /// Every grant on the case.
    public var grants: [AccessGrant]
    /// When the request is made.
    public var at: Date
    /// The document the request is about, when it is about one: what the policy reads as `document.*`.
    public var document: DocumentFacts?

    /// Creates a request; `principal` defaults to the actor as a person. Inlinable, so the engine builds the request it
    /// asks a policy in place from the case's values instead of copying it out of a call.
    @inlinable
    public init(
        actor: CaseActor, principal: Principal? = nil, attributes: [String: ExpressionValue], action: String, resource: String, caseID: String,
        workflow: String, state: String, fields: [String: ExpressionValue], grants: [AccessGrant], at: Date, document: DocumentFacts? = nil
    ) {
        self.document = document
        self.actor = actor
        self.principal = principal ?? actor.principal
        self.attributes = attributes
        self.action = action
        self.resource = resource
        self.caseID = caseID
        self.workflow = workflow
        self.state = state
        self.fields = fields
        self.grants = grants
        self.at = at
    }
}

/// What a policy may read about the document a request is about (`document.kind`, `document.shared_with`): so that
/// which organisations a document was given is decided by the policy, as every other access is, and not by the code
/// that shows documents.
public struct DocumentFacts: Sendable, Hashable {
    /// The document kind, as the workflow declares it (`draft_plan`).
    public var kind: String
    /// The organisations the service has given the document to (their ids, `hillside-primary`), as its latest version
    /// records them; empty when it has been given to none.
    public var sharedWith: [String]

    /// Creates the facts.
    public init(kind: String, sharedWith: [String]) {
        self.kind = kind
        self.sharedWith = sharedWith
    }
}

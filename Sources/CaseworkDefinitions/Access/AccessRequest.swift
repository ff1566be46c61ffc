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
///
/// A value whose parts are kept in one shared box that is never changed (changing a part boxes a changed copy): a
/// request is copied into each decision's input, and out of the caller's array, and copying one reference costs one
/// count where copying the parts cost one for each of its dozen strings, dictionaries and arrays.
public struct AccessRequest: Sendable {
    /// Who asks.
    public var actor: CaseActor {
        @inlinable get { box.parts.actor }
        set { change { $0.actor = newValue } }
    }
    /// On whose behalf: the person, or the organisation they act for, whose grant then applies.
    public var principal: Principal {
        @inlinable get { box.parts.principal }
        set { change { $0.principal = newValue } }
    }
    /// The actor's attributes by name (`second_factor_verified`, `relationship`).
    public var attributes: [String: ExpressionValue] {
        @inlinable get { box.parts.attributes }
        set { change { $0.attributes = newValue } }
    }
    /// What they want to do (`view`).
    public var action: String {
        @inlinable get { box.parts.action }
        set { change { $0.action = newValue } }
    }
    /// The resource or section (`case.address`, `ehcp`, `ehcp.K`).
    public var resource: String {
        @inlinable get { box.parts.resource }
        set { change { $0.resource = newValue } }
    }
    /// The case's id.
    public var caseID: String {
        @inlinable get { box.parts.caseID }
        set { change { $0.caseID = newValue } }
    }
    /// The case's workflow.
    public var workflow: String {
        @inlinable get { box.parts.workflow }
        set { change { $0.workflow = newValue } }
    }
    /// The case's state.
    public var state: String {
        @inlinable get { box.parts.state }
        set { change { $0.state = newValue } }
    }
    /// The case's fields by dotted path.
    public var fields: [String: ExpressionValue] {
        @inlinable get { box.parts.fields }
        set { change { $0.fields = newValue } }
    }
    /// Every grant on the case.
    public var grants: [AccessGrant] {
        @inlinable get { box.parts.grants }
        set { change { $0.grants = newValue } }
    }
    /// When the request is made.
    public var at: Date {
        @inlinable get { box.parts.at }
        set { change { $0.at = newValue } }
    }
    /// The document the request is about, when it is about one: what the policy reads as `document.*`.
    public var document: DocumentFacts? {
        @inlinable get { box.parts.document }
        set { change { $0.document = newValue } }
    }

    /// The parts, shared by every copy.
    @usableFromInline
    var box: Box

    /// The parts of a request.
    @usableFromInline
    struct Parts: Sendable {
        @usableFromInline var actor: CaseActor
        @usableFromInline var principal: Principal
        @usableFromInline var attributes: [String: ExpressionValue]
        @usableFromInline var action: String
        @usableFromInline var resource: String
        @usableFromInline var caseID: String
        @usableFromInline var workflow: String
        @usableFromInline var state: String
        @usableFromInline var fields: [String: ExpressionValue]
        @usableFromInline var grants: [AccessGrant]
        @usableFromInline var at: Date
        @usableFromInline var document: DocumentFacts?

        /// The parts given.
        @usableFromInline
        init(
            actor: CaseActor, principal: Principal, attributes: [String: ExpressionValue], action: String, resource: String, caseID: String,
            workflow: String, state: String, fields: [String: ExpressionValue], grants: [AccessGrant], at: Date, document: DocumentFacts?
        ) {
            self.actor = actor
            self.principal = principal
            self.attributes = attributes
            self.action = action
            self.resource = resource
            self.caseID = caseID
            self.workflow = workflow
            self.state = state
            self.fields = fields
            self.grants = grants
            self.at = at
            self.document = document
        }
    }

    /// One request's parts, boxed once and never changed. Reading a part is inlinable, so a caller in another module
    /// reads it where it lies, as it read a stored property, rather than calling a getter.
    @usableFromInline
    final class Box: Sendable {
        @usableFromInline
        let parts: Parts

        @usableFromInline
        init(_ parts: Parts) {
            self.parts = parts
        }
    }

    /// Boxes the parts as `body` changes them.
    private mutating func change(_ body: (inout Parts) -> Void) {
        var parts = box.parts
        body(&parts)
        box = Box(parts)
    }

    /// Creates a request; `principal` defaults to the actor as a person. Inlinable, so the engine builds the request it
    /// asks a policy in place from the case's values instead of copying it out of a call.
    @inlinable
    public init(
        actor: CaseActor, principal: Principal? = nil, attributes: [String: ExpressionValue], action: String, resource: String, caseID: String,
        workflow: String, state: String, fields: [String: ExpressionValue], grants: [AccessGrant], at: Date, document: DocumentFacts? = nil
    ) {
        box = Box(Parts(actor: actor, principal: principal ?? actor.principal, attributes: attributes, action: action, resource: resource, caseID: caseID,
                        workflow: workflow, state: state, fields: fields, grants: grants, at: at, document: document))
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

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
        @inlinable get { box.actor }
        set { change { $0.actor = newValue } }
    }
    /// On whose behalf: the person, or the organisation they act for, whose grant then applies.
    public var principal: Principal {
        @inlinable get { box.principal }
        set { change { $0.principal = newValue } }
    }
    /// The actor's attributes by name (`second_factor_verified`, `relationship`).
    public var attributes: [String: ExpressionValue] {
        @inlinable get { box.attributes }
        set { change { $0.attributes = newValue } }
    }
    /// What they want to do (`view`).
    public var action: String {
        @inlinable get { box.action }
        set { change { $0.action = newValue } }
    }
    /// The resource or section (`case.address`, `ehcp`, `ehcp.K`).
    public var resource: String {
        @inlinable get { box.resource }
        set { change { $0.resource = newValue } }
    }
    /// The case's id.
    public var caseID: String {
        @inlinable get { box.caseID }
        set { change { $0.caseID = newValue } }
    }
    /// The case's workflow.
    public var workflow: String {
        @inlinable get { box.workflow }
        set { change { $0.workflow = newValue } }
    }
    /// The case's state.
    public var state: String {
        @inlinable get { box.state }
        set { change { $0.state = newValue } }
    }
    /// The case's fields by dotted path.
    public var fields: [String: ExpressionValue] {
        @inlinable get { box.fields }
        set { change { $0.fields = newValue } }
    }
    /// Every grant on the case.
    public var grants: [AccessGrant] {
        @inlinable get { box.grants }
        set { change { $0.grants = newValue } }
    }
    /// When the request is made.
    public var at: Date {
        @inlinable get { box.at }
        set { change { $0.at = newValue } }
    }
    /// The document the request is about, when it is about one: what the policy reads as `document.*`.
    public var document: DocumentFacts? {
        @inlinable get { box.document }
        set { change { $0.document = newValue } }
    }

    /// The parts, shared by every copy.
    @usableFromInline
    var box: Box

    /// The parts of a request, as a value ``change(_:)`` can change.
    private struct Parts {
        var actor: CaseActor
        var principal: Principal
        var attributes: [String: ExpressionValue]
        var action: String
        var resource: String
        var caseID: String
        var workflow: String
        var state: String
        var fields: [String: ExpressionValue]
        var grants: [AccessGrant]
        var at: Date
        var document: DocumentFacts?
    }

    /// One request's parts, boxed once and never changed. Reading a part is inlinable, so a caller in another module
    /// reads it where it lies, as it read a stored property, rather than calling a getter.
    ///
    /// Each part is a property of its own, initialised in place by an inlinable initialiser: kept as one value (a
    /// struct of the twelve), the value was built first and copied whole into the box, then destroyed (about 610
    /// instructions a request, several requests a fire).
    @usableFromInline
    final class Box: Sendable {
        @usableFromInline let actor: CaseActor
        @usableFromInline let principal: Principal
        @usableFromInline let attributes: [String: ExpressionValue]
        @usableFromInline let action: String
        @usableFromInline let resource: String
        @usableFromInline let caseID: String
        @usableFromInline let workflow: String
        @usableFromInline let state: String
        @usableFromInline let fields: [String: ExpressionValue]
        @usableFromInline let grants: [AccessGrant]
        @usableFromInline let at: Date
        @usableFromInline let document: DocumentFacts?

        /// A box of the parts given.
        @inlinable
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

    /// Boxes the parts as `body` changes them.
    private mutating func change(_ body: (inout Parts) -> Void) {
        var parts = Parts(actor: box.actor, principal: box.principal, attributes: box.attributes, action: box.action, resource: box.resource,
                          caseID: box.caseID, workflow: box.workflow, state: box.state, fields: box.fields, grants: box.grants, at: box.at,
                          document: box.document)
        body(&parts)
        box = Box(actor: parts.actor, principal: parts.principal, attributes: parts.attributes, action: parts.action, resource: parts.resource,
                  caseID: parts.caseID, workflow: parts.workflow, state: parts.state, fields: parts.fields, grants: parts.grants, at: parts.at,
                  document: parts.document)
    }

    /// Creates a request; `principal` defaults to the actor as a person. Inlinable, so the engine builds the request it
    /// asks a policy in place from the case's values instead of copying it out of a call.
    @inlinable
    public init(
        actor: CaseActor, principal: Principal? = nil, attributes: [String: ExpressionValue], action: String, resource: String, caseID: String,
        workflow: String, state: String, fields: [String: ExpressionValue], grants: [AccessGrant], at: Date, document: DocumentFacts? = nil
    ) {
        box = Box(actor: actor, principal: principal ?? actor.principal, attributes: attributes, action: action, resource: resource, caseID: caseID,
                  workflow: workflow, state: state, fields: fields, grants: grants, at: at, document: document)
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

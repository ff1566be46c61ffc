import CaseworkExpressions
import CaseworkTime
import Foundation

/// What a policy's conditions and reason placeholders are evaluated on: the access request and the requesting
/// actor's grant on the case, if they hold one that day.
public struct PolicyExpressionInput: ExpressionInput {
    /// The request.
    public var request: AccessRequest
    /// The grant for the request's principal that holds today, if any. `Optional` is spelled out: a `T?` stored
    /// property starts as nil before the initialiser runs, and assigning it there made the initialiser copy the whole
    /// input and destroy the first (docs/performance.md, Benchmarks, session 25).
    public var grant: Optional<AccessGrant>
    /// The day of the request.
    public var today: CalendarDate
    /// The instant of the request.
    public var now: Date { request.at }

    /// Creates an input.
    public init(request: AccessRequest, grant: AccessGrant?, today: CalendarDate) {
        self.request = request
        self.grant = grant
        self.today = today
    }
}

/// Declares the names a policy's conditions may use, each with its type and how its value is read from an access
/// request: the validator checks against them and ``CompiledPolicy`` decides with them (``ExpressionNames``).
///
/// - `actor.id`, `actor.role` (an enumeration of every workflow's roles; unset for a role of none of them),
///   `actor.organisation` (the organisation the actor acts for, from the request's principal; unset for someone acting
///   for themselves), and the policy's declared actor attributes, from the request's attributes;
/// - `grant.to`, `grant.level` (an enumeration of the policy's levels), `grant.sections`, `grant.from`, `grant.until`:
///   the requesting actor's grant on the case, unset when there is none (or it does not say);
/// - `case.id`, `case.workflow`, `case.state` (an enumeration of every workflow's states), and each workflow field
///   that has one type wherever it is declared, as `case.FIELD`, from the request's fields;
/// - `document.kind` and `document.shared_with` (the organisations the document was given), set only when the request
///   is about a document (``DocumentFacts``), unset otherwise, so a rule that reads them never allows anything else;
/// - `today` and `now`.
package enum PolicyNames {
    /// What a policy's names are made from, worked out from its set: plain values (no readers), so a definition cache
    /// keeps them and a hit makes the names from them (``make(from:)``) without reading the set's workflows again.
    package struct Declarations: Sendable, Equatable {
        /// One field path with its expression type.
        package struct Field: Sendable, Equatable {
            /// The path (`child.date_of_birth`).
            package var path: String
            /// Its type.
            package var type: ExpressionType

            /// A field of `type` at `path`.
            package init(path: String, type: ExpressionType) {
                self.path = path
                self.type = type
            }
        }

        /// The policy's id, which the levels' domain names.
        package var policy: String
        /// The policy's levels, in its order.
        package var levels: [String]
        /// Every workflow's roles, in first-seen order.
        package var roles: [String]
        /// Every workflow's states, in first-seen order.
        package var states: [String]
        /// Every workflow's id, in the set's order.
        package var workflows: [String]
        /// The policy's actor attributes, as `actor.` names.
        package var actorAttributes: [Field]
        /// Each workflow field path with one type wherever it is declared, as `case.` names, in first-seen order.
        package var caseFields: [Field]

        /// Declarations made of these parts.
        package init(
            policy: String, levels: [String], roles: [String], states: [String], workflows: [String], actorAttributes: [Field], caseFields: [Field]
        ) {
            self.policy = policy
            self.levels = levels
            self.roles = roles
            self.states = states
            self.workflows = workflows
            self.actorAttributes = actorAttributes
            self.caseFields = caseFields
        }
    }

    /// What the names for `policy`'s conditions in `set` are made from.
    package static func declarations(for policy: PolicyDefinition, in set: DefinitionSet) -> Declarations {
        Declarations(
            policy: policy.id.value, levels: policy.levels.map(\.value),
            roles: orderedUnion(set.workflows.map { $0.roles.map(\.value) }),
            states: orderedUnion(set.workflows.map { $0.states.map(\.name.value) }),
            workflows: set.workflows.map(\.id.value),
            actorAttributes: WorkflowNames.fieldTypes(of: policy.actorAttributes).map { Declarations.Field(path: $0.path, type: $0.type) },
            caseFields: caseFields(of: set.workflows).map { Declarations.Field(path: $0.path, type: $0.type) }
        )
    }

    /// What a declared actor attribute's name starts with (`actor.relationship`).
    private static let actorAttributePrefix = "actor."

    /// The names ``make(from:)`` values from the request's attributes alone (`actor.relationship`): each declared actor
    /// attribute, declared after `actor.id`, `actor.role` and `actor.organisation`, so an attribute of one of those names
    /// replaces it and is read from the attributes too. A condition that reads nothing else (``ExpressionNode/readsOnly(_:)``)
    /// has the same value for everyone who comes with the same attributes, such as a notification's recipients in one role.
    package static func attributeNames(_ declarations: Declarations) -> Set<String> {
        Set(declarations.actorAttributes.map { actorAttributePrefix + $0.path })
    }

    /// The names `declarations` make: the one place a policy's names are declared.
    package static func make(from declarations: Declarations) -> ExpressionNames<PolicyExpressionInput> {
        var names = ExpressionNames<PolicyExpressionInput>()
        let roles = declarations.roles
        let roleSet = Set(roles)
        names.declare("actor.id", .string) { .string($0.request.actor.id) }
        names.declare("actor.organisation", .string) { input in
            guard case .organisation(let organisation) = input.request.principal else { return nil }
            return .string(organisation)
        }
        names.declare("actor.role", .enumeration(EnumerationDomain(name: "role", member: "a role of the workflows", values: roles))) {
            roleSet.contains($0.request.actor.role) ? .string($0.request.actor.role) : nil
        }
        names.declare(fields: declarations.actorAttributes.map { ($0.path, $0.type) }, under: actorAttributePrefix, from: { $0.request.attributes })
        names.declare("grant.to", .string) { $0.grant.map { .string($0.to.id) } }
        names.declare("grant.level", .enumeration(EnumerationDomain(
            name: "level", member: "a level of policy '\(declarations.policy)'", values: declarations.levels
        ))) { $0.grant.map { .string($0.level) } }
        names.declare("grant.sections", .list(.string)) { $0.grant?.sections.map { .list($0.map(ExpressionValue.string)) } }
        names.declare("grant.from", .date) { $0.grant?.from.map(ExpressionValue.date) }
        names.declare("grant.until", .date) { $0.grant?.until.map(ExpressionValue.date) }
        names.declare("case.id", .string) { .string($0.request.caseID) }
        names.declare("case.workflow", .enumeration(EnumerationDomain(
            name: "workflow", member: "a workflow of the set", values: declarations.workflows
        ))) { .string($0.request.workflow) }
        names.declare("case.state", .enumeration(EnumerationDomain(name: "state", member: "a state of the workflows", values: declarations.states))) {
            .string($0.request.state)
        }
        names.declare(fields: declarations.caseFields.map { ($0.path, $0.type) }, under: "case.", from: { $0.request.fields })
        names.declare("document.kind", .string) { $0.request.document.map { .string($0.kind) } }
        names.declare("document.shared_with", .list(.string)) { $0.request.document.map { .list($0.sharedWith.map(ExpressionValue.string)) } }
        names.dateOfBirth = ["case.child.date_of_birth", "case.date_of_birth"].first { names.types[$0] == .date }
        return names
    }

    /// Each workflow field path that has one expression type wherever it is declared, with that type, in first-seen order.
    private static func caseFields(of workflows: [WorkflowDefinition]) -> [(path: String, type: ExpressionType)] {
        var order: [String] = []
        var types: [String: ExpressionType?] = [:]
        for workflow in workflows {
            for (path, type) in WorkflowNames.fieldTypes(of: workflow.fields) {
                switch types[path] {
                case nil:
                    types[path] = .some(type)
                    order.append(path)
                case .some(let existing?) where existing != type:
                    types[path] = .some(nil)
                default:
                    break
                }
            }
        }
        return order.compactMap { path -> (path: String, type: ExpressionType)? in
            guard case .some(.some(let type)) = types[path] else { return nil }
            return (path, type)
        }
    }

    private static func orderedUnion(_ lists: [[String]]) -> [String] {
        var seen = Set<String>()
        return lists.flatMap { $0 }.filter { seen.insert($0).inserted }
    }
}

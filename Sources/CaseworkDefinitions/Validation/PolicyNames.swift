import CaseworkExpressions
import CaseworkTime
import Foundation

/// What a policy's conditions and reason placeholders are evaluated on: the access request and the requesting
/// actor's grant on the case, if they hold one that day.
public struct PolicyExpressionInput: ExpressionInput {
    /// The request.
    public var request: AccessRequest
    /// The grant for the request's principal that holds today, if any.
    public var grant: AccessGrant?
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
    /// The names for `policy`'s conditions in `set`.
    package static func make(for policy: PolicyDefinition, in set: DefinitionSet) -> ExpressionNames<PolicyExpressionInput> {
        var names = ExpressionNames<PolicyExpressionInput>()
        let roles = orderedUnion(set.workflows.map { $0.roles.map(\.value) })
        let roleSet = Set(roles)
        let states = orderedUnion(set.workflows.map { $0.states.map(\.name.value) })
        names.declare("actor.id", .string) { .string($0.request.actor.id) }
        names.declare("actor.organisation", .string) { input in
            guard case .organisation(let organisation) = input.request.principal else { return nil }
            return .string(organisation)
        }
        names.declare("actor.role", .enumeration(EnumerationDomain(name: "role", member: "a role of the workflows", values: roles))) {
            roleSet.contains($0.request.actor.role) ? .string($0.request.actor.role) : nil
        }
        names.declare(fields: WorkflowNames.fieldTypes(of: policy.actorAttributes), under: "actor.", from: { $0.request.attributes })
        names.declare("grant.to", .string) { $0.grant.map { .string($0.to.id) } }
        names.declare("grant.level", .enumeration(EnumerationDomain(
            name: "level", member: "a level of policy '\(policy.id.value)'", values: policy.levels.map(\.value)
        ))) { $0.grant.map { .string($0.level) } }
        names.declare("grant.sections", .list(.string)) { $0.grant?.sections.map { .list($0.map(ExpressionValue.string)) } }
        names.declare("grant.from", .date) { $0.grant?.from.map(ExpressionValue.date) }
        names.declare("grant.until", .date) { $0.grant?.until.map(ExpressionValue.date) }
        names.declare("case.id", .string) { .string($0.request.caseID) }
        names.declare("case.workflow", .enumeration(EnumerationDomain(
            name: "workflow", member: "a workflow of the set", values: set.workflows.map(\.id.value)
        ))) { .string($0.request.workflow) }
        names.declare("case.state", .enumeration(EnumerationDomain(name: "state", member: "a state of the workflows", values: states))) {
            .string($0.request.state)
        }
        names.declare(fields: caseFields(of: set.workflows), under: "case.", from: { $0.request.fields })
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

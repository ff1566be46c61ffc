import Foundation

/// A case as one actor may see it: what the policy withholds is left out, not blanked.
public struct CaseView: Sendable {
    /// The case's id.
    public var id: String
    /// The workflow.
    public var workflow: String
    /// The state, when the actor may see it.
    public var state: String?
    /// The deadlines, when the actor may see them.
    public var deadlines: [DeadlineRecord]?
    /// The fields the actor may see.
    public var fields: [String: ExpressionValue]
    /// What was withheld (`case.fields`, `case.address`, …).
    public var withheld: [String]
    /// Why, in plain words.
    public var reasons: [String]
}

/// Access through the set's policy: grants recorded with the case (audited) and the case read as one actor sees it.
extension Engine {
    /// The one access policy of the definition set, or why there is none to use.
    func accessPolicy() throws(EngineError) -> CompiledPolicy {
        guard catalog.policies.count == 1, let policy = catalog.policies.values.first else {
            throw .formStepRefused(catalog.policies.isEmpty ? "the definitions hold no access policy"
                : "the definitions hold more than one access policy: \(catalog.policies.keys.sorted().joined(separator: ", "))")
        }
        return policy
    }

    /// Why the workflow's own policy refuses `actor` doing `action` to `resource`, or nil when it allows it
    /// (or the workflow names no policy, when the `by:` roles alone decide).
    func policyRefusal(
        _ record: CaseRecord, workflow: WorkflowDefinition, actor: Actor, attributes: [String: ExpressionValue], action: String, resource: String
    ) -> String? {
        guard let name = workflow.policy?.value, let policy = catalog.policies[name] else { return nil }
        let decision = decide(policy, record, actor: actor, attributes: attributes, action: action, resource: resource)
        return decision.allowed ? nil : decision.reasons.joined(separator: "; ")
    }

    /// Whether a notification about `resource` may go to the person or organisation playing `role`, and whether it
    /// may show the case's fields, decided by the workflow's policy with the policy's profile for that role.
    /// Without a policy every message goes, fields and all.
    func recipientAccess(_ record: CaseRecord, workflow: WorkflowDefinition, role: String, resource: String) -> (receives: Bool, seesFields: Bool) {
        guard let name = workflow.policy?.value, let policy = catalog.policies[name] else { return (true, true) }
        let actor = Actor(role: role, id: record.participants[role] ?? role)
        let attributes = policy.definition.recipients.first { $0.role.value == role }?.attributes ?? [:]
        let receives = decide(policy, record, actor: actor, attributes: attributes, action: "view", resource: resource).allowed
        let fields = receives && decide(policy, record, actor: actor, attributes: attributes, action: "view", resource: "case.fields").allowed
        return (receives, fields)
    }

    /// The policy's decision for `actor` doing `action` to `resource` of `record`, on the case's grants.
    func decide(_ policy: CompiledPolicy, _ record: CaseRecord, actor: Actor, attributes: [String: ExpressionValue], action: String, resource: String) -> AccessDecision {
        policy.decide(AccessRequest(actor: actor, attributes: attributes, action: action, resource: resource, caseID: record.id, workflow: record.workflow,
                                    state: record.state, fields: record.fields, grants: record.grants, at: Self.millisecondPrecision(clockNow())))
    }

    /// Records a grant on the case (replacing the grantee's earlier one), if the policy lets `actor` grant access.
    public func grantAccess(
        caseID: String, grant: AccessGrant, as actor: Actor, attributes: [String: ExpressionValue], reason: String
    ) throws(EngineError) -> ChangeResult {
        let policy = try accessPolicy()
        guard policy.definition.levels.contains(where: { $0.value == grant.level }) else {
            throw .invalidInput([InputProblem(field: "level", message: "'\(grant.level)' is not a level of policy '\(policy.definition.id.value)'")])
        }
        var recorded = grant
        recorded.grantedBy = actor.description
        recorded.reason = reason
        return try changeGrants(caseID: caseID, actor: actor, attributes: attributes, reason: reason, action: "access_granted", subject: grant.to,
                                input: ["to": .string(grant.to), "level": .string(grant.level)]) { grants in
            grants.removeAll { $0.to == grant.to }
            grants.append(recorded)
        }
    }

    /// Removes the grantee's grant, if the policy lets `actor` grant access.
    public func revokeAccess(caseID: String, to grantee: String, as actor: Actor, attributes: [String: ExpressionValue], reason: String) throws(EngineError) -> ChangeResult {
        try changeGrants(caseID: caseID, actor: actor, attributes: attributes, reason: reason, action: "access_revoked", subject: grantee,
                         input: ["to": .string(grantee)]) { grants in
            grants.removeAll { $0.to == grantee }
        }
    }

    private func changeGrants(
        caseID: String, actor: Actor, attributes: [String: ExpressionValue], reason: String, action: String, subject: String,
        input: [String: ExpressionValue], _ change: (inout [AccessGrant]) -> Void
    ) throws(EngineError) -> ChangeResult {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .invalidInput([InputProblem(field: "reason", message: "say why access changes")]) }
        let policy = try accessPolicy()
        let record = try caseRecord(caseID)
        let decision = decide(policy, record, actor: actor, attributes: attributes, action: "grant", resource: "case")
        guard decision.allowed else { throw .formStepRefused("you may not change access to this case: " + decision.reasons.joined(separator: "; ")) }
        var next = record
        change(&next.grants)
        guard next.grants != record.grants else { throw .formStepRefused("'\(subject)' has no grant on case '\(caseID)'") }
        var details = input
        details["reason"] = .string(trimmed)
        return try commitCaseChange(from: record, to: next, workflow: try workflow(for: record).definition, actor: actor, action: action,
                                    subject: subject, input: details, at: Self.millisecondPrecision(clockNow()))
    }

    /// The case as `actor` may see it under the set's policy: the state, the deadlines and the fields each
    /// need their own `view`; fields under a withheld section of `case` (`case.address`) are left out.
    public func view(caseID: String, as actor: Actor, attributes: [String: ExpressionValue]) throws(EngineError) -> CaseView {
        let policy = try accessPolicy()
        let record = try caseRecord(caseID)
        let whole = decide(policy, record, actor: actor, attributes: attributes, action: "view", resource: "case")
        var view = CaseView(id: record.id, workflow: record.workflow, state: nil, deadlines: nil, fields: [:], withheld: [], reasons: [])
        var anything = false
        for part in ["state", "deadlines", "fields"] {
            let decision = decide(policy, record, actor: actor, attributes: attributes, action: "view", resource: "case.\(part)")
            guard decision.allowed else {
                view.withheld.append("case.\(part)")
                for reason in decision.reasons where !view.reasons.contains(reason) { view.reasons.append(reason) }
                continue
            }
            anything = true
            switch part {
            case "state": view.state = record.state
            case "deadlines": view.deadlines = record.deadlines
            default:
                let hidden = (whole.allowed ? whole.redact : decision.redact).compactMap { $0.hasPrefix("case.") ? String($0.dropFirst(5)) : nil }
                view.fields = record.fields.filter { path, _ in !hidden.contains { path == $0 || path.hasPrefix($0 + ".") } }
                view.withheld += hidden.map { "case.\($0)" }
            }
        }
        guard anything else { throw .formStepRefused(view.reasons.first ?? "you may not see this case") }
        return view
    }
}

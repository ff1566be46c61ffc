import CaseworkDefinitions
import CaseworkExpressions
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
    /// Which grant let the viewer in (`case c1`, or `child c-17` for a grant given for the child the case belongs to);
    /// nil for those the policy lets in without one (caseworkers, the operator).
    public var grant: String? = nil
    /// The linked cases the actor may see: those this case opened and the one that opened it.
    public var links: [CaseLink] = []
    /// The child record the case belongs to (`case open --child`), nil when it belongs to none: shown to whoever the
    /// policy lets see the case, so a client can follow the child's merged timeline.
    public var child: String? = nil
}

/// Grants recorded with the case (audited, authorised by the case's own policy) and the case read as one actor sees it.
extension Engine {
    /// Records a grant on the case (replacing the grantee's earlier one), if the case's policy lets `actor` grant access.
    public func grantAccess(
        caseID: String, grant: AccessGrant, as actor: CaseActor, attributes: [String: ExpressionValue], reason: String, idempotencyKey: String? = nil
    ) throws(EngineError) -> ChangeResult {
        var recorded = grant
        recorded.grantedBy = actor.description
        recorded.reason = reason
        var details = ["level": grant.level]
        if let sections = grant.sections { details["sections"] = sections.joined(separator: ",") }
        if let from = grant.from { details["from"] = from.description }
        if let until = grant.until { details["until"] = until.description }
        return try changeGrants(caseID: caseID, actor: actor, attributes: attributes, reason: reason, action: "access_granted", subject: grant.to,
                                details: details, idempotencyKey: idempotencyKey) { (grants, policy) throws(EngineError) in
            guard policy.definition.levels.contains(where: { $0.value == grant.level }) else {
                throw .invalidInput([InputProblem(field: "level", message: "'\(grant.level)' is not a level of policy '\(policy.definition.id.value)'")])
            }
            grants.removeAll { $0.to == grant.to }
            grants.append(recorded)
        }
    }

    /// Removes the grantee's grant, if the case's policy lets `actor` grant access.
    public func revokeAccess(
        caseID: String, to grantee: Principal, as actor: CaseActor, attributes: [String: ExpressionValue], reason: String, idempotencyKey: String? = nil
    ) throws(EngineError) -> ChangeResult {
        try changeGrants(caseID: caseID, actor: actor, attributes: attributes, reason: reason, action: "access_revoked", subject: grantee,
                         details: [:], idempotencyKey: idempotencyKey) { (grants, _) throws(EngineError) in
            guard grants.contains(where: { $0.to == grantee }) else {
                throw .blocked(transition: "revoke", blockers: [TransitionBlocker(.nothingToChange, "'\(grantee)' has no grant on this case")])
            }
            grants.removeAll { $0.to == grantee }
        }
    }

    private func changeGrants(
        caseID: String, actor: CaseActor, attributes: [String: ExpressionValue], reason: String, action: String, subject: Principal,
        details: [String: String], idempotencyKey: String?, _ change: (inout [AccessGrant], CompiledPolicy) throws(EngineError) -> Void
    ) throws(EngineError) -> ChangeResult {
        let admitted = try admit(caseID, actor: actor, attributes: attributes, action: "grant", resource: "case")
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        var input: [String: ExpressionValue] = ["to": .string(subject.description), "reason": .string(trimmed)]
        for (name, value) in details { input[name] = .string(value) }
        let request = IdempotentRequest(key: idempotencyKey, operation: "\(action) \(subject) on \(caseID)", caseID: caseID, actor: actor, input: input)
        if let replay = try replay(request, actor: actor, attributes: attributes) { return replay }
        var problems: [InputProblem] = []
        if trimmed.isEmpty { problems.append(InputProblem(field: "reason", message: "say why access changes")) }
        if let problem = FieldValues.controlCharacterProblem(trimmed, allowingLineBreaks: true) { problems.append(InputProblem(field: "reason", message: problem)) }
        guard problems.isEmpty else { throw .invalidInput(problems) }
        guard case .policy(let policy) = admitted.access.accessGuard else {
            throw .definitionError("workflow '\(admitted.workflow.definition.id.value)' has no access policy, so there is no access to grant or revoke")
        }
        var next = admitted.record
        try change(&next.grants, policy)
        let decided = DecidedChange(before: admitted.record, after: next, workflow: admitted.workflow, calendars: admitted.definitions.calendars, action: action,
                                    subject: subject.description, input: input)
        return try commit([decided], actor: actor, attributes: attributes, request: request, at: admitted.access.at)
    }

    /// The case as `actor` may see it: the state, the deadlines and the fields each need their own `view`;
    /// withheld fields are left out (every field under a redacted path). Needs `view` on `case.state`.
    public func view(caseID: String, as actor: CaseActor, attributes: [String: ExpressionValue]) throws(EngineError) -> CaseView {
        let admitted = try admit(caseID, actor: actor, attributes: attributes, action: "view", resource: "case.state")
        let record = admitted.record
        var view = CaseView(id: record.id, workflow: record.workflow, state: record.state, deadlines: nil, fields: [:], withheld: [], reasons: [],
                            grant: admitted.access.actor.isOperator ? nil : admitted.access.effectiveGrants.source)
        if let decision = admitted.access.decision("view", on: "case.deadlines"), !decision.allowed {
            view.withheld.append("case.deadlines")
            view.reasons += decision.reasons.filter { !view.reasons.contains($0) }
        } else {
            view.deadlines = record.deadlines
        }
        let fields = admitted.access.decision("view", on: "case.fields")
        if let fields, !fields.allowed {
            view.withheld.append("case.fields")
            view.reasons += fields.reasons.filter { !view.reasons.contains($0) }
        } else {
            view.fields = FieldVisibility(fields?.verdict).filter(record.fields)
            view.withheld += (fields?.redact ?? []).sorted()
        }
        view.links = visibleLinks(of: record, to: actor, attributes: attributes)
        view.child = record.child
        return view
    }
}

import CaseworkDefinitions
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// A child record let through the door: the record, and what the actor may do with it.
struct AdmittedChild: Sendable {
    /// The child as stored.
    var record: ChildRecord
    /// The policy that guards child records; nil when only the operator may reach them (see ``Engine/childPolicy()``).
    var policy: CompiledPolicy?
    /// Who asks.
    var actor: CaseActor
    /// The attributes the actor came with.
    var attributes: [String: ExpressionValue]
    /// When the request was made.
    var at: Date

    /// Whether the actor may do `action` to `resource` of the child: the operator always; anyone else as the policy decides.
    func allows(_ action: String, on resource: String) -> Bool {
        guard !actor.isOperator else { return true }
        guard let policy else { return false }
        return policy.decide(Engine.childRequest(record.id, grants: record.grants, actor: actor, attributes: attributes, action: action,
                                                 resource: resource, at: at)).allowed
    }

    /// The record as the actor may see it: the people and grants (who else is involved) only for those who may `grant`.
    var visibleRecord: ChildRecord {
        var shown = record
        if !allows("grant", on: Engine.childResource) {
            shown.people = []
            shown.grants = []
        }
        return shown
    }
}

/// Child records: through the door (the `child` resource of the set's policy), changed through the one commit, each
/// change an event in the child's own chain.
extension Engine {
    /// The policy resource that guards child records.
    static let childResource = "child"

    /// The part of the child resource that guards a child's timeline (``childTimeline(_:as:attributes:)``), when the
    /// policy declares it (`child: [..., timeline]`): a policy can then let someone follow the child's cases they may
    /// see without showing them the child's record. A rule `on: [child]` covers it, as it covers every part.
    static let childTimelineResource = "child.timeline"

    /// The policy that guards child records: the set's policy when it holds exactly one. With none or several, a child
    /// record is the operator's alone, because no single policy says who else may reach it (a case names its policy;
    /// a child, which outlives its cases' workflows, does not).
    func childPolicy() -> CompiledPolicy? {
        catalog.policies.count == 1 ? catalog.policies.values.first : nil
    }

    /// The access request for `actor` doing `action` to `resource` of child `id`, decided on `grants`: a request about
    /// no case (no workflow, state or fields), so rules about a case's state or fields do not apply to it.
    static func childRequest(
        _ id: String, grants: [AccessGrant], actor: CaseActor, attributes: [String: ExpressionValue], action: String, resource: String, at: Date
    ) -> AccessRequest {
        AccessRequest(actor: actor, attributes: attributes, action: action, resource: resource, caseID: id, workflow: "", state: "", fields: [:],
                      grants: grants, at: at)
    }

    /// Lets `actor` through to child `id` to do `action` on the child resource, or refuses as the case door does: a
    /// child that does not exist is refused exactly as a child the actor has no grant on, and only those who would be
    /// let in are told it does not exist.
    func admitChild(
        _ id: String, actor: CaseActor, attributes: [String: ExpressionValue], action: String, resource: String = childResource
    ) throws(EngineError) -> AdmittedChild {
        guard actor.problems.isEmpty else { throw .invalidInput(actor.problems) }
        let at = Self.millisecondPrecision(clockNow())
        let policy = childPolicy()
        guard let record = try storeCall({ () throws(StoreError) in try store.child(id: id) }) else {
            throw childRefusal(id, grants: [], actor: actor, attributes: attributes, action: action, resource: resource, policy: policy, at: at, missing: true)
        }
        let admitted = AdmittedChild(record: record, policy: policy, actor: actor, attributes: attributes, at: at)
        guard admitted.allows(action, on: resource) else {
            throw childRefusal(id, grants: record.grants, actor: actor, attributes: attributes, action: action, resource: resource, policy: policy, at: at,
                               missing: false)
        }
        return admitted
    }

    /// The refusal of `action` on `resource` of child `id`: `not_found` for a missing child to those who would be let
    /// in, otherwise the policy's refusal, in the words it gives someone with no grant unless the actor holds one today.
    func childRefusal(
        _ id: String, grants: [AccessGrant], actor: CaseActor, attributes: [String: ExpressionValue], action: String, resource: String = childResource,
        policy: CompiledPolicy?, at: Date, missing: Bool
    ) -> EngineError {
        if actor.isOperator { return .store(.childNotFound(id)) }
        guard let policy else { return .forbidden(reasons: ["only the operator may reach child records where no single access policy guards them"]) }
        let decision = policy.decide(Self.childRequest(id, grants: grants, actor: actor, attributes: attributes, action: action, resource: resource, at: at))
        if missing, decision.allowed { return .store(.childNotFound(id)) }
        let holds = grants.contains { $0.to == actor.principal && $0.holds(on: CalendarDate(at)) }
        return .forbidden(reasons: Self.refusalReasons(decision, holdsGrant: holds))
    }

    /// Checks that a case about to be opened for child `id` may be: the child exists and, under a policy, the actor may
    /// `open` on it as on the case, decided by the case's guard with the child's grants (``EffectiveGrants``). A child
    /// that does not exist is refused as one the actor may not open for. Returns nothing; throws the refusal.
    func admitOpening(forChild id: String, proposed: CaseRecord, accessGuard: AccessGuard, actor: CaseActor, attributes: [String: ExpressionValue], at: Date)
        throws(EngineError)
    {
        guard Identifier.isUsable(id) else { throw .invalidInput([InputProblem(field: "child", message: "'\(id)' is not a usable child id")]) }
        let stored = try storeCall { () throws(StoreError) in try store.child(id: id) }
        let access = CaseAccess(record: proposed, childGrants: stored?.grants ?? [], accessGuard: accessGuard, actor: actor, attributes: attributes, at: at)
        if let decision = access.decision("open", on: Self.childResource), !decision.allowed {
            throw .forbidden(reasons: Self.refusalReasons(decision, holdsGrant: stored != nil && access.effectiveGrants.source != nil))
        }
        if stored == nil { throw .store(.childNotFound(id)) }
    }

    // MARK: Changes

    /// Adds a child record with its identity fields and people (`edit` on `child`); its first event is `child_added`.
    public func addChild(
        id: String, fields: [String: ExpressionValue] = [:], people: [ChildPerson] = [], as actor: CaseActor,
        attributes: [String: ExpressionValue] = [:], reason: String? = nil
    ) throws(EngineError) -> ChildRecord {
        guard actor.problems.isEmpty else { throw .invalidInput(actor.problems) }
        let at = Self.millisecondPrecision(clockNow())
        guard Identifier.isUsable(id) else { throw .invalidInput([InputProblem(field: "id", message: "'\(id)' is not a usable child id")]) }
        if !actor.isOperator {
            guard let policy = childPolicy() else {
                throw .forbidden(reasons: ["only the operator may reach child records where no single access policy guards them"])
            }
            let decision = policy.decide(Self.childRequest(id, grants: [], actor: actor, attributes: attributes, action: "edit", resource: Self.childResource, at: at))
            guard decision.allowed else { throw .forbidden(reasons: Self.refusalReasons(decision, holdsGrant: false)) }
        }
        if try storeCall({ () throws(StoreError) in try store.child(id: id) }) != nil { throw .store(.childExists(id)) }
        let (typed, fieldProblems) = declaredChildFields(fields)
        let problems = Self.childProblems(fields: fields, people: people) + fieldProblems + Self.reasonProblems(reason)
        guard problems.isEmpty else { throw .invalidInput(problems) }
        let after = ChildRecord(id: id, fields: typed, people: people, revision: 0, createdAt: at, updatedAt: at, auditHead: AuditEvent.genesisHash)
        return try commitChild(before: nil, after: after, actor: actor, attributes: attributes, action: ChildAuditEvent.added, subject: nil, reason: reason, at: at)
    }

    /// Sets and clears identity fields, and replaces the people when `people` is given (`edit` on `child`); audited as
    /// `child_changed`. A change that changes nothing is refused (`nothing_to_change`), as is one that both sets and
    /// clears a field (`invalid_input`).
    public func changeChild(
        id: String, setting fields: [String: ExpressionValue] = [:], clearing cleared: [String] = [], people: [ChildPerson]? = nil,
        as actor: CaseActor, attributes: [String: ExpressionValue] = [:], reason: String? = nil
    ) throws(EngineError) -> ChildRecord {
        let admitted = try admitChild(id, actor: actor, attributes: attributes, action: "edit")
        let (typed, fieldProblems) = declaredChildFields(fields)
        var problems = Self.childProblems(fields: fields, people: people ?? []) + fieldProblems + Self.reasonProblems(reason)
        for path in cleared where admitted.record.fields[path] == nil {
            problems.append(InputProblem(field: path, message: "child '\(id)' has no value at '\(path)' to clear"))
        }
        // A field both set and cleared is refused, never read as whichever the change applies last.
        for path in Set(cleared).intersection(fields.keys).sorted() {
            problems.append(InputProblem(field: path, message: "is both set and cleared; do one"))
        }
        guard problems.isEmpty else { throw .invalidInput(problems) }
        var after = admitted.record
        after.fields.merge(typed) { _, new in new }
        for path in cleared { after.fields[path] = nil }
        if let people { after.people = people }
        guard after != admitted.record else {
            throw .blocked(transition: "change", blockers: [TransitionBlocker(.nothingToChange, "the child record already holds these values")])
        }
        return try commitChild(before: admitted.record, after: after, actor: actor, attributes: attributes, action: "child_changed", subject: nil, reason: reason, at: admitted.at)
    }

    /// Records a grant for the child, covering every case of the child that has no grant of its own for the grantee
    /// (replacing the grantee's earlier child grant); `grant` on `child`; audited as `access_granted` in the child's chain.
    public func grantChildAccess(
        childID: String, grant: AccessGrant, as actor: CaseActor, attributes: [String: ExpressionValue] = [:], reason: String
    ) throws(EngineError) -> ChildRecord {
        let admitted = try admitChild(childID, actor: actor, attributes: attributes, action: "grant")
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems = Self.reasonProblems(trimmed)
        if trimmed.isEmpty { problems.append(InputProblem(field: "reason", message: "say why access changes")) }
        guard let policy = admitted.policy else {
            throw .definitionError("no single access policy guards child records, so there is no access to grant or revoke")
        }
        if !policy.definition.levels.contains(where: { $0.value == grant.level }) {
            problems.append(InputProblem(field: "level", message: "'\(grant.level)' is not a level of policy '\(policy.definition.id.value)'"))
        }
        if let from = grant.from, let until = grant.until, until < from {
            problems.append(InputProblem(field: "until", message: "the grant would end (\(until)) before it starts (\(from))"))
        }
        guard problems.isEmpty else { throw .invalidInput(problems) }
        var recorded = grant
        recorded.grantedBy = actor.description
        recorded.reason = trimmed
        var after = admitted.record
        after.grants.removeAll { $0.to == grant.to }
        after.grants.append(recorded)
        return try commitChild(before: admitted.record, after: after, actor: actor, attributes: attributes, action: "access_granted", subject: grant.to.description, reason: trimmed,
                               at: admitted.at)
    }

    /// Removes the grantee's grant for the child (`grant` on `child`); audited as `access_revoked` in the child's chain.
    public func revokeChildAccess(
        childID: String, to grantee: Principal, as actor: CaseActor, attributes: [String: ExpressionValue] = [:], reason: String
    ) throws(EngineError) -> ChildRecord {
        let admitted = try admitChild(childID, actor: actor, attributes: attributes, action: "grant")
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems = Self.reasonProblems(trimmed)
        if trimmed.isEmpty { problems.append(InputProblem(field: "reason", message: "say why access changes")) }
        guard problems.isEmpty else { throw .invalidInput(problems) }
        guard admitted.record.grants.contains(where: { $0.to == grantee }) else {
            throw .blocked(transition: "revoke", blockers: [TransitionBlocker(.nothingToChange, "'\(grantee)' has no grant for this child")])
        }
        var after = admitted.record
        after.grants.removeAll { $0.to == grantee }
        return try commitChild(before: admitted.record, after: after, actor: actor, attributes: attributes, action: "access_revoked", subject: grantee.description, reason: trimmed,
                               at: admitted.at)
    }

    /// The child's part of the one commit: numbers the revision, makes the audit event linked to the child's chain and
    /// hands the change to ``CaseworkStore/CaseStore/commit(all:children:)``, as ``commit(_:actor:attributes:request:at:)``
    /// does for a case. Returns the record as the actor may see it.
    private func commitChild(
        before: ChildRecord?, after: ChildRecord, actor: CaseActor, attributes: [String: ExpressionValue], action: String, subject: String?,
        reason: String?, at: Date
    ) throws(EngineError) -> ChildRecord {
        let previous = before?.revision ?? 0
        guard previous < Int.max else { throw .definitionError("child '\(after.id)' has reached the highest revision a record can have") }
        var next = after
        next.revision = previous + 1
        next.updatedAt = at
        let event = ChildAuditEvent(childID: next.id, sequence: next.revision, at: at, actor: actor, action: action, subject: subject,
                                    reason: reason.flatMap { $0.isEmpty ? nil : $0 }, revision: next.revision,
                                    change: ChildRecordChange.between(before, next), previousHash: before?.auditHead ?? AuditEvent.genesisHash,
                                    via: via)
        next.auditHead = event.hash
        try storeCall { () throws(StoreError) in
            try store.commit(all: [], children: [ChildChange(record: next, expectedRevision: before?.revision, events: [event])])
        }
        return AdmittedChild(record: next, policy: childPolicy(), actor: actor, attributes: attributes, at: at).visibleRecord
    }

    /// Identity fields given for a child, as the current set's child definition types them (``ChildFields``), with every
    /// problem (a field it does not declare, a value of the wrong type, text that does not read as the type); with no
    /// child definition in the set, the fields as given and no problem, as before child definitions existed. Child
    /// records are the set's, not a case's, so the current definition decides; a record kept from before it is read
    /// as stored (`casework child show` flags what does not fit).
    func declaredChildFields(_ fields: [String: ExpressionValue]) -> (fields: [String: ExpressionValue], problems: [InputProblem]) {
        guard let declared = catalog.child?.fieldTypes else { return (fields, []) }
        return ChildFields.checked(fields, declared: declared)
    }

    /// What is wrong with identity fields and people, each at its place.
    static func childProblems(fields: [String: ExpressionValue], people: [ChildPerson]) -> [InputProblem] {
        var problems: [InputProblem] = []
        for (path, value) in fields.sorted(by: { $0.key < $1.key }) {
            if path.isEmpty || path.split(separator: ".", omittingEmptySubsequences: false).contains(where: { !Identifier.isUsable(String($0)) }) {
                problems.append(InputProblem(field: path, message: "'\(path)' is not a field path (names joined by '.')"))
            }
            if case .string(let text) = value, let problem = FieldValues.controlCharacterProblem(text, allowingLineBreaks: false) {
                problems.append(InputProblem(field: path, message: problem))
            }
        }
        var seen = Set<Principal>()
        for (index, person) in people.enumerated() {
            if !seen.insert(person.principal).inserted {
                problems.append(InputProblem(field: "people[\(index)]", message: "'\(person.principal)' is named twice"))
            }
            if !Identifier.isUsable(person.relationship) {
                problems.append(InputProblem(field: "people[\(index)].relationship", message: "'\(person.relationship)' is not a relationship name"))
            }
            if let from = person.from, let until = person.until, until < from {
                problems.append(InputProblem(field: "people[\(index)].until", message: "the relationship would end (\(until)) before it starts (\(from))"))
            }
        }
        return problems
    }

    /// What is wrong with a reason given for a change.
    private static func reasonProblems(_ reason: String?) -> [InputProblem] {
        guard let reason, let problem = FieldValues.controlCharacterProblem(reason, allowingLineBreaks: true) else { return [] }
        return [InputProblem(field: "reason", message: problem)]
    }

    // MARK: Reading

    /// The child record as `actor` may see it (`view` on `child`): the people and grants only for those who may `grant`.
    public func child(_ id: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> ChildRecord {
        try admitChild(id, actor: actor, attributes: attributes, action: "view").visibleRecord
    }

    /// The ids of the child records `actor` may `view`, sorted.
    public func childIDs(visibleTo actor: CaseActor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> [String] {
        guard actor.problems.isEmpty else { throw .invalidInput(actor.problems) }
        let ids = try storeCall { () throws(StoreError) in try store.childIDs() }
        if actor.isOperator { return ids }
        return ids.filter { id in (try? admitChild(id, actor: actor, attributes: attributes, action: "view")) != nil }
    }

    /// The cases of the child that `actor` may see (`view` on `case.state`, each through the case's door), sorted by id.
    /// Needs `view` on the child first, so a person learns nothing of a child they may not see.
    public func cases(ofChild id: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> [CaseSummary] {
        _ = try admitChild(id, actor: actor, attributes: attributes, action: "view")
        var summaries: [CaseSummary] = []
        for caseID in try storeCall({ () throws(StoreError) in try store.caseIDs(childID: id) }) {
            guard let admitted = try? admit(caseID, actor: actor, attributes: attributes, action: "view", resource: "case.state") else { continue }
            summaries.append(CaseSummary(id: caseID, workflow: admitted.record.workflow, state: admitted.record.state, revision: admitted.record.revision,
                                         child: admitted.record.child))
        }
        return summaries
    }

    /// Walks the child's chain, replays it and compares what it rebuilds with the stored record, read in one snapshot.
    /// Needs `view` on `child`; the operator is also told of a child whose record is gone but whose events remain.
    public func verifyChildAudit(_ id: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> AuditVerification {
        if !actor.isOperator { _ = try admitChild(id, actor: actor, attributes: attributes, action: "view") }
        let snapshot = try storeCall { () throws(StoreError) in try store.childSnapshot(childID: id) }
        if snapshot.record == nil, snapshot.events.isEmpty { throw .store(.childNotFound(id)) }
        return AuditVerification.verify(child: snapshot.events, record: snapshot.record)
    }
}

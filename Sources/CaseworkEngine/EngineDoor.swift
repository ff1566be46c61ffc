import CaseworkDefinitions
import CaseworkExpressions
import CaseworkStore
import Foundation

/// How a workflow's cases are guarded: by the access policy it names, or by its `by:` roles alone.
enum AccessGuard: Sendable {
    /// The workflow's policy decides every read and change, after identity and before anything else.
    case policy(CompiledPolicy)
    /// The workflow runs without a policy (none in the set, or `policy: none`): any actor in one of its
    /// roles may read its cases, and the `by:` roles alone decide changes.
    case rolesOnly
}

/// The grants that decide a request about a case, and which record they came from: the one place that says how a
/// child's grants reach its cases.
///
/// The case's own grants for the principal if it has any (held today or not), otherwise the child's: the more specific
/// grant wins, as a court order about one case overrides the general access to a child; "most restrictive wins" is not
/// available, because levels are the policy's words, with no order the engine knows. A case grant that has lapsed
/// therefore does not let a child grant through for that case: the service decided about that case.
struct EffectiveGrants: Sendable {
    /// The grants the policy is given for the request.
    var grants: [AccessGrant]
    /// Which record the principal's grant came from; nil when they hold none on either.
    private var holder: Holder?

    /// A record that holds the principal's grant, by id.
    private enum Holder: Sendable {
        /// The case itself.
        case caseRecord(String)
        /// The child the case belongs to.
        case child(String)
    }

    /// Where the principal's grant came from (`case c1`, `child c-17`); nil when they hold none on either. Put into
    /// words only when read: every policy pass asks for the grants, and only a view or a refusal reads this.
    var source: String? {
        switch holder {
        case .caseRecord(let id)?: "case \(id)"
        case .child(let id)?: "child \(id)"
        case nil: nil
        }
    }

    /// The grants for `principal` on `record`, whose child (``CaseRecord/child``) holds `childGrants`.
    static func `for`(principal: Principal, case record: CaseRecord, childGrants: [AccessGrant]) -> EffectiveGrants {
        if record.grants.contains(where: { $0.to == principal }) { return EffectiveGrants(grants: record.grants, holder: .caseRecord(record.id)) }
        // A case of no child, or of a child with no grants (every pass of such a case), has no child grant to look for:
        // filtering an empty list still made a new one.
        guard let child = record.child, !childGrants.isEmpty else { return EffectiveGrants(grants: record.grants, holder: nil) }
        let mine = childGrants.filter { $0.to == principal }
        guard !mine.isEmpty else { return EffectiveGrants(grants: record.grants, holder: nil) }
        return EffectiveGrants(grants: record.grants + mine, holder: .child(child))
    }
}

/// What decides access to a case besides its record and the actor: how it is guarded, the forms of its definition set and
/// its child's grants. Three references, so a change's result can take them from the door's access to the case
/// (``CaseAccess/basis``) for less than looking them up again.
struct AccessBasis: Sendable {
    /// How the case is guarded.
    var accessGuard: AccessGuard
    /// The forms of the definition set the case runs on, by id.
    var forms: [String: LoadedForm]
    /// The grants of the child the case belongs to; empty for a case of no child.
    var childGrants: [AccessGrant]
}

/// What one actor may do with one case at one instant: the decisions of its guard, asked part by part.
struct CaseAccess: Sendable {
    /// The case as stored.
    var record: CaseRecord
    /// The grants of the child the case belongs to (``CaseRecord/child``); empty for a case of no child.
    var childGrants: [AccessGrant] = []
    /// How it is guarded.
    var accessGuard: AccessGuard
    /// Who asks.
    var actor: CaseActor
    /// The attributes the actor came with.
    var attributes: [String: ExpressionValue]
    /// When the request was made; every decision about it is made at this instant.
    var at: Date
    /// The forms of the definition set the case runs on, by id: each names the policy resource that guards its
    /// instances (``Engine/formResource(_:)``).
    var forms: [String: LoadedForm] = [:]
    /// The action and resource the door already allowed for this request, so it is not decided a second time. A struct,
    /// not a tuple, so every access's copy and destruction are the compiler's own code rather than the runtime's
    /// generic tuple walk.
    var allowedAtDoor: AccessQuestion?
    /// The document every decision is about, when the request is about one: the policy reads it as `document.*`.
    var document: DocumentFacts?

    /// The questions answered ahead by ``answer(_:)``, each an action on a resource, in the order asked.
    var answeredQuestions: [AccessQuestion] = []
    /// The verdict on each of ``answeredQuestions``, at the same place: the policy's own array, kept as it came.
    var answeredVerdicts: [AccessVerdict] = []

    /// What decides this access besides the record and the actor.
    var basis: AccessBasis { AccessBasis(accessGuard: accessGuard, forms: forms, childGrants: childGrants) }

    /// The grants that decide for this actor (``EffectiveGrants``).
    var effectiveGrants: EffectiveGrants { EffectiveGrants.for(principal: actor.principal, case: record, childGrants: childGrants) }

    /// The decision for `action` on `resource`, explained and naming the grant it used; nil when nothing but roles guard
    /// the case (the operator, or a workflow without a policy), which means allowed. Always made afresh, for a caller
    /// that reads why (its reasons, the rules that matched): one that needs only whether it is allowed and what is
    /// withheld asks for the ``verdict(_:on:)``, which nothing has to explain.
    func decision(_ action: String, on resource: String) -> AccessDecision? {
        guard !actor.isOperator, case .policy(let policy) = accessGuard else { return nil }
        let effective = effectiveGrants
        var decision = policy.decide(Engine.accessRequest(record, grants: effective.grants, actor: actor, attributes: attributes, action: action,
                                                          resource: resource, at: at, document: document))
        decision.grantUsed = effective.source
        return decision
    }

    /// The verdict on `action` on `resource` (whether it is allowed, what is withheld), without anything to explain it:
    /// the one answered ahead when there is one, otherwise made now; nil when nothing but roles guard the case, which
    /// means allowed. It is always the verdict of ``decision(_:on:)``'s decision.
    func verdict(_ action: String, on resource: String) -> AccessVerdict? {
        guard !actor.isOperator, case .policy(let policy) = accessGuard else { return nil }
        if let known = answeredIndex(action, on: resource) { return answeredVerdicts[known] }
        return policy.verdict(Engine.accessRequest(record, grants: effectiveGrants.grants, actor: actor, attributes: attributes, action: action,
                                                   resource: resource, at: at, document: document))
    }

    /// Makes the verdicts on `questions` ahead, in one pass of the policy over the actor and the case
    /// (``CompiledPolicy/verdicts(_:asking:)``): for a caller about to ask several, each then the verdict it would be
    /// on its own. It fills this access in place, so nothing of it is copied.
    mutating func answer(_ questions: [AccessQuestion]) {
        guard case .policy(let policy) = accessGuard,
              let verdicts = Self.verdicts(on: record, childGrants: childGrants, guardedBy: policy, actor: actor, attributes: attributes, at: at,
                                           document: document, asking: questions)
        else { return }
        answeredVerdicts = verdicts
        answeredQuestions = questions
    }

    /// The verdicts on `questions` for `actor` on `record` at `at`, in one pass of `policy` over them
    /// (``CompiledPolicy/verdicts(_:asking:)``), decided on the grants that decide for the actor (``EffectiveGrants``,
    /// with the grants of the record's child, `childGrants`); nil for the operator, whom no policy guards. What
    /// ``answer(_:)`` keeps, for a caller that reads the verdicts without an access to keep them in: the record is only
    /// read, not copied into one.
    static func verdicts(
        on record: CaseRecord, childGrants: [AccessGrant], guardedBy policy: CompiledPolicy, actor: CaseActor, attributes: [String: ExpressionValue],
        at: Date, document: DocumentFacts?, asking questions: [AccessQuestion]
    ) -> [AccessVerdict]? {
        guard !actor.isOperator else { return nil }
        guard let first = questions.first else { return [] }
        let grants = EffectiveGrants.for(principal: actor.principal, case: record, childGrants: childGrants).grants
        return policy.verdicts(Engine.accessRequest(record, grants: grants, actor: actor, attributes: attributes, action: first.action,
                                                    resource: first.resource, at: at, document: document), asking: questions)
    }

    /// Where ``answeredVerdicts`` holds the verdict on `action` on `resource`, if it does.
    private func answeredIndex(_ action: String, on resource: String) -> Int? {
        answeredQuestions.firstIndex { $0.action == action && $0.resource == resource }
    }

    /// This access with every decision about `document` instead: nothing decided before (at the door, or ahead) is
    /// taken for it, since what the policy may say turns on the document.
    func about(_ document: DocumentFacts) -> CaseAccess {
        var access = self
        access.document = document
        access.answeredQuestions = []
        access.answeredVerdicts = []
        access.allowedAtDoor = nil
        return access
    }

    /// Whether the actor may do `action` to `resource` of this case.
    func allows(_ action: String, on resource: String) -> Bool {
        if let allowedAtDoor, allowedAtDoor.action == action, allowedAtDoor.resource == resource { return true }
        // A verdict made ahead is read where it is kept, without copying it out.
        if let known = answeredIndex(action, on: resource) { return answeredVerdicts[known].allowed }
        return verdict(action, on: resource)?.allowed ?? true
    }

    /// Whether the actor may `edit` the case, which lets them see every form and every message of it.
    var editsCase: Bool { allows("edit", on: "case") }

    /// Which of the case's fields the actor may see: all of them, none, or all but the redacted paths.
    var fieldVisibility: FieldVisibility {
        FieldVisibility(verdict("view", on: "case.fields"))
    }

    /// The whole record as the actor may see it: the fields they may see; the grants and participants (who else is
    /// involved) only when they may change access; every form only when they may `edit` the case, otherwise just the
    /// forms shared with them, each only when they may `view` the resource its form names. `editsCase` is ``editsCase``,
    /// decided once by a caller that needs it for the messages too.
    ///
    /// It consumes the access: everything is decided first, then the access's own record is cut down in place and
    /// handed back, not copied.
    consuming func visibleRecord(editsCase: Bool) -> CaseRecord {
        let showsAccess = allows("grant", on: "case")
        var forms: [FormInstance]?
        if !editsCase {
            var viewable: [String: Bool] = [:]
            forms = record.forms.filter { instance in
                guard instance.recipientRole == actor.role, instance.recipientID.flatMap(Principal.parsed) == actor.principal else { return false }
                let resource = self.forms[instance.form].map { Engine.formResource($0.definition) } ?? instance.form
                if let known = viewable[resource] { return known }
                let allowed = allows("view", on: resource)
                viewable[resource] = allowed
                return allowed
            }
        }
        // The fields are set only when some are withheld: a record shares its parts with the store's copy, and
        // setting them, even to the same values, makes it copy them all. Their visibility is worked out once.
        let visibility = fieldVisibility
        if !visibility.showsEveryField { record.fields = visibility.filter(record.fields) }
        if !showsAccess {
            record.grants = []
            record.participants = CaseParticipants()
        }
        if let forms { record.forms = forms }
        return record
    }

    /// The messages the actor may read: every one for those who may `edit` the case (`editsCase`, decided once by the
    /// caller), otherwise only those addressed to them.
    func visibleMessages(_ messages: [OutboxMessage], editsCase: Bool) -> [OutboxMessage] {
        if editsCase { return messages }
        return messages.filter { message in
            message.recipientRole == actor.role && message.recipientID.flatMap(Principal.parsed) == actor.principal
        }
    }
}

/// A case let through the door: the case, its workflow, and what the actor may do with it.
struct AdmittedCase: Sendable {
    /// The workflow version the case runs on, its definition decoded and its expressions planned, taken once for the
    /// command: every step reads the definition from this one reference instead of copying it from the catalog.
    var workflow: PlannedWorkflow
    /// The whole definition set the case runs on: the forms, calendars and policy of its snapshot.
    var definitions: DefinitionCatalog
    /// What the actor may do with the case.
    var access: CaseAccess
    /// The case as stored.
    var record: CaseRecord { access.record }
}

/// Which of a case's fields one viewer may see: all, none, or all but those the policy's redactions hide (by path,
/// with everything under each path; ``RedactionSet`` decides which fields a path reaches).
struct FieldVisibility: Sendable, Hashable {
    /// What is withheld; nil when no field may be seen.
    private let redactions: RedactionSet?

    /// Every field may be seen.
    static let all = FieldVisibility(redactions: RedactionSet())
    /// No field may be seen.
    static let none = FieldVisibility(redactions: nil)

    /// Visibility that withholds every field `redactions` hides.
    init(redactions: RedactionSet?) {
        self.redactions = redactions
    }

    /// The visibility a verdict on `view` of `case.fields` gives: every field when nothing but roles guard the case
    /// (nil), none when it refuses, otherwise all but what it withholds.
    init(_ verdict: AccessVerdict?) {
        guard let verdict else {
            self = .all
            return
        }
        self.init(redactions: verdict.allowed ? verdict.redactions : nil)
    }

    /// Whether the field at the dotted `path` may be seen.
    func shows(_ path: String) -> Bool {
        guard let redactions else { return false }
        return !redactions.hides(field: path)
    }

    /// Whether every field may be seen: nothing is withheld, so ``filter(_:)`` gives back the values as they are.
    var showsEveryField: Bool {
        redactions?.isEmpty == true
    }

    /// The values that may be seen: all of them, as they are, when nothing is withheld.
    func filter(_ values: [String: ExpressionValue]) -> [String: ExpressionValue] {
        guard let redactions else { return [:] }
        if redactions.isEmpty { return values }
        return values.filter { !redactions.hides(field: $0.key) }
    }
}

/// The one door: every read and every change of a case passes here, after identity and before
/// anything that could reveal the case. A refused person learns nothing, not even whether the case
/// exists: a missing case is refused as the policy refuses an actor with no grant on a case it knows
/// nothing about, and only those the policy would let in are told that it does not exist.
extension Engine {
    /// The policy resource that guards the instances of `form`: its `resource:`. A form that names none (allowed only
    /// where no policy guards it) is asked about under its own id, which no policy can declare, so a policy refuses it.
    static func formResource(_ form: FormDefinition) -> String {
        form.resource?.value ?? form.id.value
    }

    /// How `workflow`'s cases are guarded, by the policy of the definition set the case runs on (``definitions(for:)``).
    func accessGuard(for workflow: PlannedWorkflow, in definitions: DefinitionCatalog) throws(EngineError) -> AccessGuard {
        guard let name = workflow.definition.policy?.value else { return .rolesOnly }
        guard let policy = definitions.policies[name] else {
            throw .definitionError("workflow '\(workflow.definition.id.value)' names policy '\(name)', which is not loaded")
        }
        return .policy(policy)
    }

    /// Lets `actor` through to case `caseID` to do `action` to `resource`, or refuses.
    ///
    /// Refuses an unusable actor (`invalid_input`), anyone the case's guard does not allow
    /// (`forbidden`, whether or not the case exists), and tells only those it would allow that
    /// there is no such case (`not_found`). A request about a document carries its `document` facts, which every
    /// decision of the admitted case is then made with.
    func admit(
        _ caseID: String, actor: CaseActor, attributes: [String: ExpressionValue], action: String, resource: String, document: DocumentFacts? = nil
    ) throws(EngineError) -> AdmittedCase {
        guard actor.problems.isEmpty else { throw .invalidInput(actor.problems) }
        let at = Self.millisecondPrecision(clockNow())
        guard let record = try storeCall({ () throws(StoreError) in try store.load(caseID: caseID) }) else {
            throw missingCaseRefusal(caseID, actor: actor, attributes: attributes, action: action, resource: resource, at: at, document: document)
        }
        let definitions = try definitions(for: record)
        let workflow = try workflow(for: record, in: definitions)
        let access = CaseAccess(record: record, childGrants: try childGrants(of: record), accessGuard: try accessGuard(for: workflow, in: definitions),
                                actor: actor, attributes: attributes, at: at, forms: definitions.forms, allowedAtDoor: AccessQuestion(action, on: resource), document: document)
        if actor.isOperator { return AdmittedCase(workflow: workflow, definitions: definitions, access: access) }
        switch access.accessGuard {
        case .rolesOnly:
            guard workflow.definition.roles.contains(where: { $0.value == actor.role }) else { throw .forbidden(reasons: [CompiledPolicy.noAccess]) }
        case .policy:
            // Letting the actor in needs only the verdict; a refusal is explained by the decision, made again for its
            // reasons from the same request (the same instant), so it refuses with exactly the verdict's outcome.
            if let verdict = access.verdict(action, on: resource), !verdict.allowed {
                let reasons = access.decision(action, on: resource).map { Self.refusalReasons($0, holdsGrant: access.effectiveGrants.source != nil) }
                throw .forbidden(reasons: reasons ?? [CompiledPolicy.noAccess])
            }
        }
        return AdmittedCase(workflow: workflow, definitions: definitions, access: access)
    }

    /// The refusal for a case that does not exist: `not_found` for those who would be let in to a case they have no grant on,
    /// otherwise exactly the refusal the set's policy gives an actor with no grant on a case it knows nothing about.
    private func missingCaseRefusal(
        _ caseID: String, actor: CaseActor, attributes: [String: ExpressionValue], action: String, resource: String, at: Date, document: DocumentFacts?
    ) -> EngineError {
        if actor.isOperator || catalog.policies.isEmpty { return .caseNotFound(caseID) }
        guard catalog.policies.count == 1, let policy = catalog.policies.values.first else { return .forbidden(reasons: [CompiledPolicy.noAccess]) }
        let unknown = CaseRecord(id: caseID, workflow: "", workflowVersion: 0, state: "", revision: 0, fields: [:], participants: [:], forms: [],
                                 openedAt: at, updatedAt: at, auditHead: AuditEvent.genesisHash)
        let decision = policy.decide(Self.accessRequest(unknown, grants: [], actor: actor, attributes: attributes, action: action, resource: resource, at: at,
                                                          document: document))
        return decision.allowed ? .caseNotFound(caseID) : .forbidden(reasons: Self.refusalReasons(decision, holdsGrant: false))
    }

    /// What a change gives back to the actor who asked for it: the case after it as they may see it, and only the
    /// notifications they may read. `basis` is what the door worked out for the actor's change to this same case, when
    /// the caller has it (``CaseAccess/basis``): the case's guard, forms and child's grants, which the change did not
    /// alter, are then taken from it instead of being looked up again.
    func changeResult(
        _ record: consuming CaseRecord, notifications: [OutboxMessage], replayed: Bool, actor: CaseActor, attributes: [String: ExpressionValue],
        basis: AccessBasis? = nil
    ) throws(EngineError) -> ChangeResult {
        let basis = if let basis { basis } else { try self.basis(of: record) }
        // The record moves into the access, which cuts it down in place for the result: it is not copied.
        var access = CaseAccess(record: consume record, childGrants: basis.childGrants, accessGuard: basis.accessGuard, actor: actor, attributes: attributes,
                                at: Self.millisecondPrecision(clockNow()), forms: basis.forms)
        access.answer(Self.resultQuestions)
        let editsCase = access.editsCase
        let visible = access.visibleMessages(notifications, editsCase: editsCase)
        return ChangeResult(record: (consume access).visibleRecord(editsCase: editsCase), replayed: replayed, notifications: visible)
    }

    /// What a change's result asks about the actor and the case after it (``changeResult(_:notifications:replayed:actor:attributes:basis:)``):
    /// made once, as the same three questions are asked after every change.
    static let resultQuestions = [AccessQuestion("edit", on: "case"), AccessQuestion("view", on: ResourcePaths.caseFields), AccessQuestion("grant", on: "case")]

    /// The questions asked of a case most often, as they are asked together: a fire's door (`submit` on `case`), a
    /// change's result (``resultQuestions``) and a transition notice's recipient (``stateNoticeQuestions``). Each policy
    /// resolves them against its rules once, when it is compiled (``PolicyIndex/questions(_:)``).
    static let frequentQuestionGroups = [[AccessQuestion("submit", on: "case")], resultQuestions, stateNoticeQuestions]

    /// What a notice's recipient is asked about a case (``recipientAccess(_:guardedBy:role:participant:resource:childGrants:)``):
    /// `view` on the notice's resource, and on `case.fields`, which says what its text may show.
    static func recipientQuestions(on resource: String) -> [AccessQuestion] {
        resource == stateNoticeQuestions[0].resource ? stateNoticeQuestions : [AccessQuestion("view", on: resource), AccessQuestion("view", on: ResourcePaths.caseFields)]
    }

    /// What a transition notice's recipient is asked (``recipientQuestions(on:)`` on `case.state`): made once, so each
    /// pass asks the group its policy resolved ahead, found by identity.
    static let stateNoticeQuestions = [AccessQuestion("view", on: "case.state"), AccessQuestion("view", on: ResourcePaths.caseFields)]

    /// What decides access to `record` besides the record and the actor, looked up: the guard of the workflow version it
    /// runs on, the forms of its definition set and its child's grants.
    private func basis(of record: CaseRecord) throws(EngineError) -> AccessBasis {
        let definitions = try definitions(for: record)
        return AccessBasis(accessGuard: try accessGuard(for: try workflow(for: record, in: definitions), in: definitions), forms: definitions.forms,
                           childGrants: try childGrants(of: record))
    }

    /// What a refusal may say. To someone who holds a grant on the case, the policy's own reasons. To anyone else, only
    /// the reasons of the rules that refused them (which a policy writes about the person, such as signing in with a
    /// second factor), otherwise that they have not been given access: never a reason that came from reading the case,
    /// so a case they have no grant on and a case that does not exist are refused in the same words.
    static func refusalReasons(_ decision: AccessDecision, holdsGrant: Bool) -> [String] {
        holdsGrant || !decision.matched.isEmpty ? decision.reasons : [CompiledPolicy.noAccess]
    }

    /// The access request for `actor` doing `action` to `resource` of `record` at `at`, decided on `grants` (the
    /// ``EffectiveGrants`` of a stored case), about `document` when it is about one.
    static func accessRequest(
        _ record: CaseRecord, grants: [AccessGrant], actor: CaseActor, attributes: [String: ExpressionValue], action: String, resource: String, at: Date,
        document: DocumentFacts? = nil
    ) -> AccessRequest {
        AccessRequest(actor: actor, attributes: attributes, action: action, resource: resource, caseID: record.id, workflow: record.workflow,
                      state: record.state, fields: record.fields, grants: grants, at: at, document: document)
    }

    /// The grants of the child `record` belongs to, read from the store; none for a case of no child. A child named by
    /// a case but not stored is damage to the case, never read as "no grants".
    func childGrants(of record: CaseRecord) throws(EngineError) -> [AccessGrant] {
        guard let child = record.child else { return [] }
        guard let stored = try storeCall({ () throws(StoreError) in try store.child(id: child) }) else {
            throw .store(.corruptRecord(caseID: record.id, detail: "it belongs to child '\(child)', which the store does not hold"))
        }
        return stored.grants
    }

    /// Whether a notification may reach `participant` (or the role as a whole, when nil) in `role` through the portal,
    /// and which fields its text may show whichever way it goes, decided by the case's guard with the policy's profile
    /// for that role (nobody is signed in when a message is sent). Used only by ``addresses(_:role:guardedBy:resource:)``.
    func recipientAccess(
        _ record: CaseRecord, guardedBy accessGuard: AccessGuard, role: String, participant: String?, resource: String, childGrants: [AccessGrant] = []
    ) -> (receives: Bool, fields: FieldVisibility) {
        guard case .policy(let policy) = accessGuard else { return (true, .all) }
        let questions = Self.recipientQuestions(on: resource)
        // A role whose answers the compiled policy gives alone (a deny that holds on its profile) needs no pass.
        if let known = policy.recipientVerdicts(role: role, asking: questions) { return (known[0].allowed, FieldVisibility(known[1])) }
        let principal = participant.flatMap(Principal.parsed)
        let actor: CaseActor
        switch principal {
        case .organisation(let organisation)?: actor = .organisation(organisation, role: role)
        case .person(let id)?: actor = CaseActor(role: role, id: id)
        case nil: actor = CaseActor(role: role, id: role)
        }
        let attributes = policy.recipientAttributes(of: role)
        // The verdicts are read as a case access reads those it answered ahead (``CaseAccess/allows(_:on:)``,
        // ``CaseAccess/fieldVisibility``), without copying the record into an access to keep them.
        guard let verdicts = CaseAccess.verdicts(
            on: record, childGrants: childGrants, guardedBy: policy, actor: actor, attributes: attributes, at: Self.millisecondPrecision(clockNow()),
            document: nil, asking: questions
        ) else { return (true, .all) }
        return (verdicts[0].allowed, FieldVisibility(verdicts[1]))
    }
}

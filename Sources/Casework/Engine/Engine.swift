import Foundation
import Synchronization

/// A request to fire a transition on a case.
public struct FireRequest: Sendable {
    /// The case.
    public var caseID: String
    /// The transition's name.
    public var transition: String
    /// Who is firing it.
    public var actor: Actor
    /// Field values the actor gives, by dotted path.
    public var input: [String: ExpressionValue]
    /// The revision the caller last saw; a change since then refuses the fire.
    public var expectedRevision: Int?
    /// A key that makes a retried request return the first result instead of firing twice.
    public var idempotencyKey: String?
    /// The actor's attributes for the workflow's access policy (`second_factor_verified`, `relationship`).
    public var attributes: [String: ExpressionValue]

    /// Creates a request.
    public init(
        caseID: String, transition: String, actor: Actor, input: [String: ExpressionValue] = [:], expectedRevision: Int? = nil,
        idempotencyKey: String? = nil, attributes: [String: ExpressionValue] = [:]
    ) {
        self.attributes = attributes
        self.caseID = caseID
        self.transition = transition
        self.actor = actor
        self.input = input
        self.expectedRevision = expectedRevision
        self.idempotencyKey = idempotencyKey
    }
}

/// What a change produced.
public struct ChangeResult: Sendable {
    /// The case after the change.
    public var record: CaseRecord
    /// True when an idempotency key matched an earlier change, so nothing was done now.
    public var replayed: Bool
    /// The notifications the change wrote (empty when replayed).
    public var notifications: [OutboxMessage]
}

/// One case in a list: enough to find it, as the listing actor may see it.
public struct CaseSummary: Sendable, Hashable {
    /// The case's id.
    public var id: String
    /// Its workflow.
    public var workflow: String
    /// Its state.
    public var state: String
    /// Its revision.
    public var revision: Int
}

/// A transition as seen by one actor now: whether it can fire, and if not, why not.
public struct TransitionAvailability: Sendable {
    /// The transition's name.
    public var name: String
    /// Its title.
    public var title: String
    /// Why it cannot fire now; empty when it can.
    public var blockers: [TransitionBlocker]
}

/// The interpreter services embed: opens cases, fires transitions, runs form cycles, writes audit and outbox, through a ``CaseStore``.
///
/// Every change is computed from a loaded case, checked completely, then
/// committed once with a revision check; when anything refuses, nothing is
/// written. Time comes from the injected ``Clock``. The engine holds no
/// mutable case state of its own, so one instance serves many threads.
public final class Engine: Sendable {
    /// The current definitions.
    public let catalog: DefinitionCatalog
    /// Where cases live.
    public let store: any CaseStore
    private let clock: any Clock
    /// The working-day calendar for deadlines and expressions in workflows that name none.
    let defaultCalendar: any WorkingDayCalendar
    private let olderVersions = Mutex<[String: LoadedWorkflow]>([:])

    /// Creates an engine and records every current definition version in the store.
    ///
    /// Refuses (``StoreError/definitionChanged(kind:id:version:)``) when a definition's
    /// content changed but its `version` did not.
    public init(catalog: DefinitionCatalog, store: any CaseStore, clock: any Clock = SystemClock(), calendar: any WorkingDayCalendar = WeekdayCalendar()) throws(EngineError) {
        self.catalog = catalog
        self.store = store
        self.clock = clock
        self.defaultCalendar = calendar
        for definition in catalog.stored.sorted(by: { ($0.kind, $0.id) < ($1.kind, $1.id) }) {
            do { try store.record(definition) } catch { throw .store(error) }
        }
    }

    // MARK: Reading

    /// The case as stored, for the engine's own steps only: every caller-facing read goes through ``admit``.
    func loadRecord(_ id: String) throws(EngineError) -> CaseRecord? {
        try storeCall { () throws(StoreError) in try store.load(caseID: id) }
    }

    /// The whole case as `actor` may see it: fields they may not see are left out, and grants and
    /// participants (who else is involved) only for those who may change access. Needs `view` on `case`.
    public func caseRecord(_ id: String, as actor: Actor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> CaseRecord {
        try admit(id, actor: actor, attributes: attributes, action: "view", resource: "case").access.visibleRecord
    }

    /// The cases `actor` may see (`view` on `case.state`), sorted by id, each with its workflow, state and revision.
    public func cases(visibleTo actor: Actor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> [CaseSummary] {
        guard actor.problems.isEmpty else { throw .invalidInput(actor.problems) }
        var summaries: [CaseSummary] = []
        for id in try storeCall({ () throws(StoreError) in try store.caseIDs() }) {
            guard let admitted = try? admit(id, actor: actor, attributes: attributes, action: "view", resource: "case.state") else { continue }
            summaries.append(CaseSummary(id: id, workflow: admitted.record.workflow, state: admitted.record.state, revision: admitted.record.revision))
        }
        return summaries
    }

    /// The notifications of one case as `actor` may see them: every message for those who may `edit` the case,
    /// otherwise only the messages addressed to the actor. Needs `view` on `case.state`.
    public func outbox(caseID: String, as actor: Actor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> [OutboxMessage] {
        let admitted = try admit(caseID, actor: actor, attributes: attributes, action: "view", resource: "case.state")
        return admitted.access.visibleMessages(try storeCall { () throws(StoreError) in try store.outbox(caseID: caseID) })
    }

    /// Every notification in the store, for the operator and the deliverers it runs.
    public func outbox(as actor: Actor) throws(EngineError) -> [OutboxMessage] {
        guard actor.isOperator else { throw .forbidden(reasons: ["only the operator may list every case's notifications; name a case"]) }
        return try storeCall { () throws(StoreError) in try store.outbox(caseID: nil) }
    }

    /// The case's audit history, oldest first, with each event's input cut to the fields `actor` may see.
    ///
    /// Needs `view` on `case` and `grant` on `case`: events name everyone involved in the case and every access
    /// decision, which only those who decide access may know (an estranged parent must not learn the other parent's
    /// id). Everyone else follows the case through ``timeline(caseID:as:attributes:)``.
    public func history(_ id: String, as actor: Actor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> [AuditEvent] {
        let admitted = try admit(id, actor: actor, attributes: attributes, action: "view", resource: "case")
        guard admitted.access.allows("grant", on: "case") else {
            throw .forbidden(reasons: ["the case's history names everyone involved in it; follow the case with its timeline"])
        }
        let events = try storeCall { () throws(StoreError) in try store.history(caseID: id) }
        let visibility = admitted.access.fieldVisibility
        guard !actor.isOperator else { return events }
        return events.map { event in
            var shown = event
            shown.input = event.action == "fired" || event.action == "opened" ? visibility.filter(event.input) : event.input
            return shown
        }
    }

    /// Walks the case's audit chain and names the first event that does not hold. Needs `view` on `case`.
    public func verifyAudit(_ id: String, as actor: Actor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> AuditVerification {
        let admitted = try admit(id, actor: actor, attributes: attributes, action: "view", resource: "case")
        let events = try storeCall { () throws(StoreError) in try store.history(caseID: id) }
        return AuditVerification.verify(events, caseHead: admitted.record.auditHead)
    }

    /// Every case id in the store, for the operator.
    public func caseIDs(as actor: Actor) throws(EngineError) -> [String] {
        guard actor.isOperator else { throw .forbidden(reasons: ["only the operator may list every case; list the cases you may see instead"]) }
        return try storeCall { () throws(StoreError) in try store.caseIDs() }
    }

    /// The definition of the workflow version a case runs on, for a caller about to fire one of its transitions
    /// (to read its input's types). Needs `submit` on `case`.
    public func workflowDefinition(ofCase caseID: String, as actor: Actor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> WorkflowDefinition {
        try admit(caseID, actor: actor, attributes: attributes, action: "submit", resource: "case").workflow.definition
    }

    /// The workflow version a case runs on.
    func workflow(for record: CaseRecord) throws(EngineError) -> LoadedWorkflow {
        if let current = catalog.workflows[record.workflow], current.definition.version == record.workflowVersion { return current }
        let key = "\(record.workflow)/\(record.workflowVersion)"
        if let cached = olderVersions.withLock({ $0[key] }) { return cached }
        guard let stored = try storeCall({ () throws(StoreError) in try store.definition(kind: "workflow", id: record.workflow, version: record.workflowVersion) }) else {
            throw .definitionError("workflow '\(record.workflow)' version \(record.workflowVersion) is not in the store")
        }
        let file = "\(record.workflow)@\(record.workflowVersion).yaml"
        let forms = catalog.forms.values.map { (file: "\($0.definition.id.value).yaml", text: $0.content) }
        let older = try DefinitionCatalog.load(sources: [(file, stored.content)] + forms)
        guard let loaded = older.workflows[record.workflow] else { throw .definitionError("workflow '\(key)' cannot be loaded from the store") }
        olderVersions.withLock { $0[key] = loaded }
        return loaded
    }

    /// Every transition of the case's workflow, with what blocks each for `actor` now. Needs `view` on `case.state`.
    public func availableTransitions(caseID: String, as actor: Actor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> [TransitionAvailability] {
        let admitted = try admit(caseID, actor: actor, attributes: attributes, action: "view", resource: "case.state")
        let now = admitted.access.at
        return admitted.workflow.definition.transitions.map { transition in
            TransitionAvailability(name: transition.name.value, title: transition.title,
                                   blockers: blockers(transition, admitted: admitted, input: [:], today: CalendarDate(now), now: now))
        }
    }

    // MARK: Opening

    /// Opens a case of `workflow` in its initial state, with initial field values.
    ///
    /// The actor must hold one of the workflow's roles and, under a policy, be allowed `open` on `case`
    /// (decided on the case as it would be, with no grants). Opening with the id of an existing case is a
    /// conflict for those who may see that case, and the same refusal as any other otherwise.
    public func open(
        workflow id: String, as actor: Actor, caseID: String? = nil, fields: [String: ExpressionValue] = [:],
        participants: [String: String] = [:], idempotencyKey: String? = nil, attributes: [String: ExpressionValue] = [:]
    ) throws(EngineError) -> ChangeResult {
        guard actor.problems.isEmpty else { throw .invalidInput(actor.problems) }
        guard let workflow = catalog.workflows[id] else {
            throw .unknownWorkflow(id, suggestion: NameSuggester.suggest(id, from: catalog.workflows.keys.sorted()))
        }
        let definition = workflow.definition
        let caseID = caseID ?? UUID().uuidString.lowercased()
        guard Identifier.isUsable(caseID) else { throw .invalidCaseID(caseID) }
        guard let initial = definition.states.first(where: \.isInitial) else { throw .invalidDefinitions([]) }
        let now = Self.millisecondPrecision(clockNow())
        let accessGuard = try accessGuard(for: definition)
        let proposed = CaseRecord(id: caseID, workflow: id, workflowVersion: definition.version, state: initial.name.value, revision: 1,
                                  fields: fields, participants: participants, forms: [], openedAt: now, updatedAt: now, auditHead: AuditEvent.genesisHash)
        if !actor.isOperator {
            guard definition.roles.contains(where: { $0.value == actor.role }) else {
                throw .forbidden(reasons: ["'\(actor.role)' is not a role of workflow '\(id)'"])
            }
            let access = CaseAccess(record: proposed, accessGuard: accessGuard, actor: actor, attributes: attributes, at: now)
            if let decision = access.decision("open", on: "case"), !decision.allowed { throw .forbidden(reasons: decision.reasons) }
        }
        let request = IdempotentRequest(key: idempotencyKey, operation: "open \(id) as \(caseID)", caseID: caseID, actor: actor, input: fields,
                                        details: participants)
        if let replay = try replay(request, actor: actor, attributes: attributes) { return replay }
        if try loadRecord(caseID) != nil {
            _ = try admit(caseID, actor: actor, attributes: attributes, action: "view", resource: "case.state")
            throw .store(.caseExists(caseID))
        }
        var problems = definition.openingInput.map { Self.inputProblems(fields, fields: definition.fields, declared: $0, step: "opening workflow '\(id)'") }
            ?? FieldValues.check(fields, against: definition.fields)
        for field in definition.openingInput ?? [] where field.isRequired && fields[field.field.value] == nil {
            problems.append(InputProblem(field: field.field.value, message: "must be given to open a case of workflow '\(id)'"))
        }
        let roles = Set(definition.roles.map(\.value))
        for (role, participant) in participants.sorted(by: { $0.key < $1.key }) {
            if !roles.contains(role) { problems.append(InputProblem(field: "participants.\(role)", message: "not a role of workflow '\(id)'")) }
            if Principal.parsed(participant) == nil {
                problems.append(InputProblem(field: "participants.\(role)", message: "'\(participant)' is not a person's id or 'organisation:ID'"))
            }
        }
        guard problems.isEmpty else { throw .invalidInput(problems) }
        let event = AuditEvent(caseID: caseID, sequence: 1, at: now, actor: actor, action: "opened", subject: id, fromState: nil,
                               toState: initial.name.value, revision: 1, input: fields, previousHash: AuditEvent.genesisHash)
        var record = proposed
        record.auditHead = event.hash
        advanceDeadlines(&record, previous: nil, fired: nil, workflow: definition, today: CalendarDate(now))
        let change = CaseChange(record: record, expectedRevision: nil, events: [event], outbox: [],
                                idempotency: request.record(caseID: caseID, state: record.state, revision: 1),
                                alarms: alarms(for: record, workflow: definition))
        if let replay = try commit([change], request: request, actor: actor, attributes: attributes) { return replay }
        return try changeResult(record, notifications: [], replayed: false, actor: actor, attributes: attributes)
    }

    // MARK: Firing

    /// Fires a transition: through the door (`submit` on `case`), then resolve, check input against
    /// the transition's declared `input:`, state, role and guard, apply effects, audit, render
    /// notifications, commit once. Any refusal leaves everything as it was.
    public func fire(_ request: FireRequest) throws(EngineError) -> ChangeResult {
        let admitted = try admit(request.caseID, actor: request.actor, attributes: request.attributes, action: "submit", resource: "case")
        let record = admitted.record
        let idempotent = IdempotentRequest(key: request.idempotencyKey, operation: "fire \(request.transition) on \(request.caseID)",
                                           caseID: request.caseID, actor: request.actor, input: request.input,
                                           details: request.expectedRevision.map { ["expected_revision": String($0)] } ?? [:])
        if let replay = try replay(idempotent, actor: request.actor, attributes: request.attributes) { return replay }
        if let expected = request.expectedRevision, expected != record.revision {
            throw .revisionMismatch(caseID: record.id, expected: expected, actual: record.revision)
        }
        let workflow = admitted.workflow
        let definition = workflow.definition
        guard let transition = definition.transitions.first(where: { $0.name.value == request.transition }) else {
            throw .unknownTransition(request.transition, workflow: definition.id.value,
                                     suggestion: NameSuggester.suggest(request.transition, from: definition.transitions.map(\.name.value)))
        }
        let problems = Self.inputProblems(request.input, fields: definition.fields, declared: transition.input, step: "transition '\(transition.name.value)'")
        guard problems.isEmpty else { throw .invalidInput(problems) }
        let now = admitted.access.at
        let today = CalendarDate(now)
        let blockers = blockers(transition, admitted: admitted, input: request.input, today: today, now: now)
        guard blockers.isEmpty else { throw .blocked(transition: transition.name.value, blockers: blockers) }

        var next = record
        next.fields.merge(request.input) { _, new in new }
        next.fields.merge(try assignedValues(transition, workflow: workflow, record: next, actor: request.actor, today: today, now: now)) { _, new in new }
        next.state = transition.to.value
        next.revision += 1
        next.updatedAt = now
        for start in transition.startForms {
            guard let form = catalog.forms[start.form.value] else { continue }
            for role in start.recipients {
                let number = next.forms.filter { $0.form == form.definition.id.value }.count + 1
                let formCalendar = definition.calendar.flatMap { catalog.calendars[$0.value] } ?? defaultCalendar
                let due = formCalendar.dueDate(from: today, after: form.definition.due.value) ?? today
                next.forms.append(FormInstance(
                    id: "\(form.definition.id.value)-\(number)", form: form.definition.id.value, formVersion: form.definition.version,
                    recipientRole: role.value, recipientID: record.participants[role.value], status: .shared, fields: [:],
                    dueOn: due, submissions: 0, informationRequired: nil
                ))
            }
        }
        advanceDeadlines(&next, previous: record, fired: transition.name.value, workflow: definition, today: today)
        let event = AuditEvent(caseID: record.id, sequence: next.revision, at: now, actor: request.actor, action: "fired",
                               subject: transition.name.value, fromState: record.state, toState: next.state, revision: next.revision,
                               input: request.input, previousHash: record.auditHead)
        next.auditHead = event.hash
        let accessGuard = admitted.access.accessGuard
        var outbox = notifications(for: transition, workflow: definition, guardedBy: accessGuard, record: next, at: now)
        outbox += formNotices(new: Array(next.forms.dropFirst(record.forms.count)), record: next, guardedBy: accessGuard, at: now, startingAt: outbox.count)
        let change = CaseChange(record: next, expectedRevision: record.revision, events: [event], outbox: outbox,
                                idempotency: idempotent.record(caseID: record.id, state: next.state, revision: next.revision),
                                alarms: alarms(for: next, workflow: definition))
        var changes = [change]
        if let grant = transition.grant {
            changes.append(try grantChange(grant, transition: transition.name.value, request: next, actor: request.actor, attributes: request.attributes, at: now))
        }
        if let replay = try commit(changes, request: idempotent, actor: request.actor, attributes: request.attributes) { return replay }
        return try changeResult(next, notifications: outbox, replayed: false, actor: request.actor, attributes: request.attributes)
    }

    /// The problems of values given to a step that declares `declared` as its input: a field the workflow does not have
    /// (with did-you-mean), a field the step does not take, or a value of the wrong type. Every problem is listed.
    static func inputProblems(_ input: [String: ExpressionValue], fields: [FieldDefinition], declared: [InputField], step: String) -> [InputProblem] {
        let names = Set(declared.map(\.field.value))
        let takes = declared.isEmpty ? "it takes no input" : "it takes \(declared.map(\.field.value).joined(separator: ", "))"
        let known = FieldValues.types(of: fields)
        var problems: [InputProblem] = []
        for (path, value) in input.sorted(by: { $0.key < $1.key }) {
            if known[path] != nil, !names.contains(path) {
                problems.append(InputProblem(field: path, message: "is not an input of \(step) (\(takes))"))
            } else {
                problems += FieldValues.check([path: value], against: fields)
            }
        }
        return problems
    }

    /// The change a `grant:` effect makes to the case it names: the grant recorded and audited there,
    /// authorised by that case's own access policy. Committed with the firing change, all or nothing.
    private func grantChange(
        _ effect: GrantEffect, transition: String, request: CaseRecord, actor: Actor, attributes: [String: ExpressionValue], at now: Date
    ) throws(EngineError) -> CaseChange {
        func blocked(_ message: String) -> EngineError {
            .blocked(transition: transition, blockers: [TransitionBlocker(.valueUndecided, "cannot grant access: \(message)")])
        }
        func text(_ field: Located<String>) throws(EngineError) -> String {
            guard case .string(let value)? = request.fields[field.value], !value.isEmpty else { throw blocked("'\(field.value)' is not set") }
            return value
        }
        let targetID = try text(effect.caseField)
        guard let grantee = Principal.parsed(try text(effect.toField)) else { throw blocked("'\(effect.toField.value)' is not a person's id or 'organisation:ID'") }
        let level = try text(effect.levelField)
        let admitted = try admit(targetID, actor: actor, attributes: attributes, action: "grant", resource: "case")
        let target = admitted.record
        let targetWorkflow = admitted.workflow.definition
        guard case .policy(let policy) = admitted.access.accessGuard else {
            throw .definitionError("workflow '\(targetWorkflow.id.value)' of case '\(targetID)' has no access policy, so access to it cannot be granted")
        }
        guard policy.definition.levels.contains(where: { $0.value == level }) else { throw blocked("'\(level)' is not a level of policy '\(policy.definition.id.value)'") }
        var next = target
        let reason = "access request \(request.id)"
        next.grants.removeAll { $0.to == grantee }
        next.grants.append(AccessGrant(to: grantee, level: level, grantedBy: actor.description, reason: reason))
        next.revision += 1
        next.updatedAt = now
        let event = AuditEvent(caseID: targetID, sequence: next.revision, at: now, actor: actor, action: "access_granted", subject: grantee.description,
                               fromState: target.state, toState: target.state, revision: next.revision,
                               input: ["to": .string(grantee.description), "level": .string(level), "reason": .string(reason)], previousHash: target.auditHead)
        next.auditHead = event.hash
        return CaseChange(record: next, expectedRevision: target.revision, events: [event], outbox: [], idempotency: nil,
                          alarms: alarms(for: next, workflow: targetWorkflow))
    }

    /// Everything that stops `transition` for `actor` on `record` with `input`: the one path that
    /// "can it fire", "why not" and "fire" share.
    private func blockers(
        _ transition: TransitionDefinition, admitted: AdmittedCase, input: [String: ExpressionValue], today: CalendarDate, now: Date
    ) -> [TransitionBlocker] {
        let record = admitted.record
        let actor = admitted.access.actor
        var blockers: [TransitionBlocker] = []
        if !transition.from.contains(where: { $0.value == record.state }) {
            let from = transition.from.map { "'\($0.value)'" }.joined(separator: " or ")
            blockers.append(TransitionBlocker(.wrongState, admitted.access.allows("view", on: "case.state")
                ? "case is in '\(record.state)', not \(from)" : "this cannot be done at the case's present stage"))
        }
        if !actor.isOperator, !transition.by.contains(where: { $0.value == actor.role }) {
            let roles = transition.by.map(\.value).joined(separator: " or ")
            blockers.append(TransitionBlocker(.roleNotAllowed, "only \(roles) may do this"))
        }
        if blockers.isEmpty, let decision = admitted.access.decision("submit", on: "case"), !decision.allowed {
            blockers.append(TransitionBlocker(.policyDenied, decision.reasons.joined(separator: "; ")))
        }
        for field in transition.input where field.isRequired && input[field.field.value] == nil && blockers.isEmpty {
            blockers.append(TransitionBlocker(.missingInput, "'\(field.field.value)' must be given"))
        }
        if blockers.isEmpty, let guardExpression = admitted.workflow.guards[transition.name.value], let text = transition.when?.text {
            var proposed = record
            proposed.fields.merge(input) { _, new in new }
            let context = evaluationContext(proposed, workflow: admitted.workflow, actor: actor, today: today, now: now)
            switch guardExpression.evaluateCondition(context) {
            case .success(true): break
            case .success(false): blockers.append(TransitionBlocker(.guardFalse, "guard '\(Self.oneLine(text))' is false"))
            case .failure(let error): blockers.append(TransitionBlocker(.guardUndecided, "guard '\(Self.oneLine(text))' cannot be decided: \(error)"))
            }
        }
        return blockers
    }

    /// The values the transition's `set:` expressions give, evaluated on the case with the input applied.
    private func assignedValues(
        _ transition: TransitionDefinition, workflow: LoadedWorkflow, record: CaseRecord, actor: Actor, today: CalendarDate, now: Date
    ) throws(EngineError) -> [String: ExpressionValue] {
        guard let assignments = workflow.assignments[transition.name.value] else { return [:] }
        let context = evaluationContext(record, workflow: workflow, actor: actor, today: today, now: now)
        var values: [String: ExpressionValue] = [:]
        for (field, expression) in assignments {
            switch expression.evaluate(context) {
            case .success(let value): values[field] = value
            case .failure(let error):
                throw .blocked(transition: transition.name.value, blockers: [TransitionBlocker(.valueUndecided, "cannot set '\(field)': \(error)")])
            }
        }
        return values
    }

    // MARK: Notifications

    private func notifications(
        for transition: TransitionDefinition, workflow: WorkflowDefinition, guardedBy accessGuard: AccessGuard, record: CaseRecord, at now: Date
    ) -> [OutboxMessage] {
        var values = record.fields
        values["case.id"] = .string(record.id)
        values["case.state"] = .string(record.state)
        values["case.state_title"] = .string(workflow.states.first { $0.name.value == record.state }?.title ?? record.state)
        values["workflow.title"] = .string(workflow.title)
        var messages: [OutboxMessage] = []
        for notification in transition.notify {
            guard let template = workflow.templates.first(where: { $0.name.value == notification.template.value }) else { continue }
            for recipient in notification.recipients {
                let access = recipientAccess(record, guardedBy: accessGuard, role: recipient.value, resource: "case.state")
                guard access.receives else { continue }
                let subject = TemplateRenderer.render(template.subject, values: values, showing: access.fields)
                let body = TemplateRenderer.render(template.body, values: values, showing: access.fields)
                messages.append(OutboxMessage(
                    id: "\(record.id)/\(record.revision)/\(messages.count + 1)", caseID: record.id, createdAt: now,
                    recipientRole: recipient.value, recipientID: record.participants[recipient.value],
                    template: template.name.value, subject: subject, body: body
                ))
            }
        }
        return messages
    }

    private func formNotices(new instances: [FormInstance], record: CaseRecord, guardedBy accessGuard: AccessGuard, at now: Date, startingAt offset: Int) -> [OutboxMessage] {
        instances.filter { recipientAccess(record, guardedBy: accessGuard, role: $0.recipientRole, resource: Self.formResource).receives }.enumerated().map { index, instance in
            let title = catalog.forms[instance.form]?.definition.title ?? instance.form
            return OutboxMessage(
                id: "\(record.id)/\(record.revision)/\(offset + index + 1)", caseID: record.id, createdAt: now,
                recipientRole: instance.recipientRole, recipientID: instance.recipientID, template: "form_shared",
                subject: "A form has been shared with you: \(title)",
                body: "Case \(record.id) needs '\(title)' from you by \(TemplateRenderer.format(.date(instance.dueOn))). Form reference: \(instance.id)."
            )
        }
    }

    // MARK: Outbox

    /// Claims undelivered notifications for a deliverer.
    public func claimNotifications(claimer: String, limit: Int = 100, lease: TimeInterval = 300) throws(EngineError) -> [OutboxMessage] {
        let claim = OutboxClaim(claimer: claimer, limit: limit, now: Self.millisecondPrecision(clock.now()), lease: lease)
        return try storeCall { () throws(StoreError) in try store.claimOutbox(claim) }
    }

    /// Acknowledges delivered notifications; returns how many were acknowledged.
    public func acknowledgeNotifications(_ ids: [String], claimer: String) throws(EngineError) -> Int {
        let now = Self.millisecondPrecision(clock.now())
        return try storeCall { () throws(StoreError) in try store.acknowledgeOutbox(ids: ids, claimer: claimer, at: now) }
    }

    // MARK: Shared steps

    /// Commits a change that leaves the state where it is (a deadline, a grant): one audit event, the notices
    /// for the recipients who may see `noticeResource`, and the case's new alarms.
    func commitCaseChange(
        from record: CaseRecord, to changed: CaseRecord, workflow: WorkflowDefinition, guardedBy accessGuard: AccessGuard, actor: Actor,
        action: String, subject: String, input: [String: ExpressionValue], notices: [(role: String, subject: String, body: String)] = [],
        noticeResource: String = "case.deadlines", request: IdempotentRequest? = nil, attributes: [String: ExpressionValue] = [:], at now: Date
    ) throws(EngineError) -> ChangeResult {
        var next = changed
        next.revision += 1
        next.updatedAt = now
        let event = AuditEvent(caseID: record.id, sequence: next.revision, at: now, actor: actor, action: action, subject: subject,
                               fromState: record.state, toState: record.state, revision: next.revision, input: input, previousHash: record.auditHead)
        next.auditHead = event.hash
        let outbox = notices.filter { recipientAccess(record, guardedBy: accessGuard, role: $0.role, resource: noticeResource).receives }.enumerated().map { offset, notice in
            OutboxMessage(id: "\(record.id)/\(next.revision)/\(offset + 1)", caseID: record.id, createdAt: now, recipientRole: notice.role,
                          recipientID: record.participants[notice.role], template: action, subject: notice.subject, body: notice.body)
        }
        let change = CaseChange(record: next, expectedRevision: record.revision, events: [event], outbox: outbox,
                                idempotency: request?.record(caseID: record.id, state: next.state, revision: next.revision),
                                alarms: alarms(for: next, workflow: workflow))
        if let replay = try commit([change], request: request, actor: actor, attributes: attributes) { return replay }
        return try changeResult(next, notifications: outbox, replayed: false, actor: actor, attributes: attributes)
    }

    /// The earlier result of the same request under the actor's idempotency key, or nil when the key is new (or none was given).
    /// The key is looked up only after the actor was let through the door; the same key with a different request is a conflict.
    func replay(_ request: IdempotentRequest, actor: Actor, attributes: [String: ExpressionValue]) throws(EngineError) -> ChangeResult? {
        guard let key = request.scopedKey else { return nil }
        guard let earlier = try storeCall({ () throws(StoreError) in try store.idempotencyRecord(key: key) }) else { return nil }
        guard earlier.request == request.stored else {
            let first = earlier.request.components(separatedBy: " sha256:").first ?? earlier.request
            throw .idempotencyKeyReused(key: String(key.dropFirst(actor.description.count + 1)), firstRequest: first)
        }
        guard var record = try loadRecord(earlier.caseID) else { throw .caseNotFound(earlier.caseID) }
        record.state = earlier.state
        record.revision = earlier.revision
        return try changeResult(record, notifications: [], replayed: true, actor: actor, attributes: attributes)
    }

    /// Commits changes to one or several cases together, all or none. When a concurrent request with the same key committed
    /// first, returns that request's result instead (nil otherwise).
    func commit(_ changes: [CaseChange], request: IdempotentRequest?, actor: Actor, attributes: [String: ExpressionValue]) throws(EngineError) -> ChangeResult? {
        do {
            try store.commit(all: changes)
            return nil
        } catch {
            if let request, let replay = try? replay(request, actor: actor, attributes: attributes) { return replay }
            throw .store(error)
        }
    }

    func clockNow() -> Date { clock.now() }

    func storeCall<T>(_ body: () throws(StoreError) -> T) throws(EngineError) -> T {
        do { return try body() } catch { throw .store(error) }
    }

    /// Instants as the store keeps them: whole milliseconds, so a stored event hashes the same when read back.
    static func millisecondPrecision(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}

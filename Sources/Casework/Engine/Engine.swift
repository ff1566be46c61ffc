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

    /// The case.
    public func caseRecord(_ id: String) throws(EngineError) -> CaseRecord {
        guard let record = try storeCall({ () throws(StoreError) in try store.load(caseID: id) }) else { throw .caseNotFound(id) }
        return record
    }

    /// Every case id in the store, sorted.
    public func caseIDs() throws(EngineError) -> [String] {
        try storeCall { () throws(StoreError) in try store.caseIDs() }
    }

    /// The notifications written for one case, or for all, oldest first, with their delivery state.
    public func outbox(caseID: String?) throws(EngineError) -> [OutboxMessage] {
        try storeCall { () throws(StoreError) in try store.outbox(caseID: caseID) }
    }

    /// The case's audit history, oldest first.
    public func history(_ id: String) throws(EngineError) -> [AuditEvent] {
        _ = try caseRecord(id)
        return try storeCall { () throws(StoreError) in try store.history(caseID: id) }
    }

    /// Walks the case's audit chain and names the first event that does not hold.
    public func verifyAudit(_ id: String) throws(EngineError) -> AuditVerification {
        let record = try caseRecord(id)
        let events = try storeCall { () throws(StoreError) in try store.history(caseID: id) }
        return AuditVerification.verify(events, caseHead: record.auditHead)
    }

    /// The workflow version a case runs on.
    public func workflow(for record: CaseRecord) throws(EngineError) -> LoadedWorkflow {
        if let current = catalog.workflows[record.workflow], current.definition.version == record.workflowVersion { return current }
        let key = "\(record.workflow)/\(record.workflowVersion)"
        if let cached = olderVersions.withLock({ $0[key] }) { return cached }
        guard let stored = try storeCall({ () throws(StoreError) in try store.definition(kind: "workflow", id: record.workflow, version: record.workflowVersion) }) else {
            throw .unknownWorkflow("\(record.workflow) version \(record.workflowVersion)", suggestion: nil)
        }
        let file = "\(record.workflow)@\(record.workflowVersion).yaml"
        let forms = catalog.forms.values.map { (file: "\($0.definition.id.value).yaml", text: $0.content) }
        let older = try DefinitionCatalog.load(sources: [(file, stored.content)] + forms)
        guard let loaded = older.workflows[record.workflow] else { throw .unknownWorkflow(key, suggestion: nil) }
        olderVersions.withLock { $0[key] = loaded }
        return loaded
    }

    /// Every transition of the case's workflow, with what blocks each for `actor` now.
    public func availableTransitions(caseID: String, as actor: Actor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> [TransitionAvailability] {
        let record = try caseRecord(caseID)
        let workflow = try workflow(for: record)
        let today = CalendarDate(clock.now())
        return workflow.definition.transitions.map { transition in
            TransitionAvailability(name: transition.name.value, title: transition.title,
                                   blockers: blockers(transition, workflow: workflow, record: record, actor: actor, attributes: attributes,
                                                      input: [:], today: today, now: clock.now()))
        }
    }

    // MARK: Opening

    /// Opens a case of `workflow` in its initial state, with initial field values.
    public func open(
        workflow id: String, as actor: Actor, caseID: String? = nil, fields: [String: ExpressionValue] = [:],
        participants: [String: String] = [:], idempotencyKey: String? = nil
    ) throws(EngineError) -> ChangeResult {
        guard let workflow = catalog.workflows[id] else {
            throw .unknownWorkflow(id, suggestion: NameSuggester.suggest(id, from: catalog.workflows.keys.sorted()))
        }
        let definition = workflow.definition
        let caseID = caseID ?? UUID().uuidString.lowercased()
        guard Self.isUsableID(caseID) else { throw .invalidCaseID(caseID) }
        let request = "open \(id) as \(caseID)"
        if let replay = try replay(idempotencyKey, request: request) { return replay }
        guard definition.roles.contains(where: { $0.value == actor.role }) else {
            throw .blocked(transition: "open", blockers: [TransitionBlocker(.roleNotAllowed, "'\(actor.role)' is not a role of workflow '\(id)'")])
        }
        var problems = FieldValues.check(fields, against: definition.fields)
        let roles = Set(definition.roles.map(\.value))
        for role in participants.keys.sorted() where !roles.contains(role) {
            problems.append(InputProblem(field: role, message: "not a role of workflow '\(id)'"))
        }
        guard problems.isEmpty else { throw .invalidInput(problems) }
        guard let initial = definition.states.first(where: \.isInitial) else { throw .invalidDefinitions([]) }
        let now = Self.millisecondPrecision(clock.now())
        let event = AuditEvent(caseID: caseID, sequence: 1, at: now, actor: actor, action: "opened", subject: id, fromState: nil,
                               toState: initial.name.value, revision: 1, input: fields, previousHash: AuditEvent.genesisHash)
        var record = CaseRecord(id: caseID, workflow: id, workflowVersion: definition.version, state: initial.name.value, revision: 1,
                                fields: fields, participants: participants, forms: [], openedAt: now, updatedAt: now, auditHead: event.hash)
        advanceDeadlines(&record, previous: nil, fired: nil, workflow: definition, today: CalendarDate(now))
        let key = idempotencyKey.map { IdempotencyRecord(key: $0, caseID: caseID, request: request, state: record.state, revision: 1) }
        let change = CaseChange(record: record, expectedRevision: nil, events: [event], outbox: [], idempotency: key,
                                alarms: alarms(for: record, workflow: definition))
        if let replay = try commit(change) { return replay }
        return ChangeResult(record: record, replayed: false, notifications: [])
    }

    // MARK: Firing

    /// Fires a transition: resolve, check role, check input, evaluate the guard, apply effects,
    /// audit, render notifications, commit once. Any refusal leaves everything as it was.
    public func fire(_ request: FireRequest) throws(EngineError) -> ChangeResult {
        let operation = "fire \(request.transition) on \(request.caseID)"
        if let replay = try replay(request.idempotencyKey, request: operation) { return replay }
        let record = try caseRecord(request.caseID)
        if let expected = request.expectedRevision, expected != record.revision {
            throw .revisionMismatch(caseID: record.id, expected: expected, actual: record.revision)
        }
        let workflow = try workflow(for: record)
        let definition = workflow.definition
        guard let transition = definition.transitions.first(where: { $0.name.value == request.transition }) else {
            throw .unknownTransition(request.transition, workflow: definition.id.value,
                                     suggestion: NameSuggester.suggest(request.transition, from: definition.transitions.map(\.name.value)))
        }
        var problems = FieldValues.check(request.input, against: definition.fields)
        if !transition.input.isEmpty {
            let declared = Set(transition.input.map(\.field.value))
            let fields = Set(FieldValues.flatten(definition.fields).map(\.path))
            for field in request.input.keys.sorted() where !declared.contains(field) && fields.contains(field) {
                problems.append(InputProblem(field: field, message: "is not an input of transition '\(transition.name.value)' (it takes \(transition.input.map(\.field.value).joined(separator: ", ")))"))
            }
        }
        guard problems.isEmpty else { throw .invalidInput(problems) }
        let now = Self.millisecondPrecision(clock.now())
        let today = CalendarDate(now)
        let blockers = blockers(transition, workflow: workflow, record: record, actor: request.actor, attributes: request.attributes,
                                input: request.input, today: today, now: now)
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
        var outbox = notifications(for: transition, workflow: definition, record: next, at: now)
        outbox += formNotices(new: Array(next.forms.dropFirst(record.forms.count)), record: next, workflow: definition, at: now, startingAt: outbox.count)
        let key = request.idempotencyKey.map { IdempotencyRecord(key: $0, caseID: record.id, request: operation, state: next.state, revision: next.revision) }
        let change = CaseChange(record: next, expectedRevision: record.revision, events: [event], outbox: outbox, idempotency: key,
                                alarms: alarms(for: next, workflow: definition))
        var changes = [change]
        if let grant = transition.grant {
            changes.append(try grantChange(grant, transition: transition.name.value, request: next, actor: request.actor, attributes: request.attributes, at: now))
        }
        if let replay = try commit(all: changes) { return replay }
        return ChangeResult(record: next, replayed: false, notifications: outbox)
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
        let grantee = try text(effect.toField)
        let level = try text(effect.levelField)
        guard let target = try storeCall({ () throws(StoreError) in try store.load(caseID: targetID) }) else { throw blocked("there is no case '\(targetID)'") }
        let targetWorkflow = try workflow(for: target).definition
        guard let policyName = targetWorkflow.policy?.value, let policy = catalog.policies[policyName] else {
            throw blocked("workflow '\(targetWorkflow.id.value)' of case '\(targetID)' names no access policy")
        }
        guard policy.definition.levels.contains(where: { $0.value == level }) else { throw blocked("'\(level)' is not a level of policy '\(policyName)'") }
        let decision = decide(policy, target, actor: actor, attributes: attributes, action: "grant", resource: "case")
        guard decision.allowed else {
            throw .blocked(transition: transition, blockers: [TransitionBlocker(.policyDenied, decision.reasons.joined(separator: "; "))])
        }
        var next = target
        let reason = "access request \(request.id)"
        next.grants.removeAll { $0.to == grantee }
        next.grants.append(AccessGrant(to: grantee, level: level, grantedBy: actor.description, reason: reason))
        next.revision += 1
        next.updatedAt = now
        let event = AuditEvent(caseID: targetID, sequence: next.revision, at: now, actor: actor, action: "access_granted", subject: grantee,
                               fromState: target.state, toState: target.state, revision: next.revision,
                               input: ["to": .string(grantee), "level": .string(level), "reason": .string(reason)], previousHash: target.auditHead)
        next.auditHead = event.hash
        return CaseChange(record: next, expectedRevision: target.revision, events: [event], outbox: [], idempotency: nil,
                          alarms: alarms(for: next, workflow: targetWorkflow))
    }

    /// Everything that stops `transition` for `actor` on `record` with `input`: the one path that
    /// "can it fire", "why not" and "fire" share.
    private func blockers(
        _ transition: TransitionDefinition, workflow: LoadedWorkflow, record: CaseRecord, actor: Actor, attributes: [String: ExpressionValue],
        input: [String: ExpressionValue], today: CalendarDate, now: Date
    ) -> [TransitionBlocker] {
        var blockers: [TransitionBlocker] = []
        if !transition.from.contains(where: { $0.value == record.state }) {
            let from = transition.from.map { "'\($0.value)'" }.joined(separator: " or ")
            blockers.append(TransitionBlocker(.wrongState, "case is in '\(record.state)', not \(from)"))
        }
        if !transition.by.contains(where: { $0.value == actor.role }) {
            let roles = transition.by.map(\.value).joined(separator: " or ")
            blockers.append(TransitionBlocker(.roleNotAllowed, "only \(roles) may do this"))
        }
        if blockers.isEmpty, let refusal = policyRefusal(record, workflow: workflow.definition, actor: actor, attributes: attributes, action: "submit", resource: "case") {
            blockers.append(TransitionBlocker(.policyDenied, refusal))
        }
        for field in transition.input where field.isRequired && input[field.field.value] == nil && blockers.isEmpty {
            blockers.append(TransitionBlocker(.missingInput, "'\(field.field.value)' must be given"))
        }
        if blockers.isEmpty, let guardExpression = workflow.guards[transition.name.value], let text = transition.when?.text {
            var proposed = record
            proposed.fields.merge(input) { _, new in new }
            let context = evaluationContext(proposed, workflow: workflow.definition, actor: actor, today: today, now: now)
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
        let context = evaluationContext(record, workflow: workflow.definition, actor: actor, today: today, now: now)
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

    /// The values a case offers expressions: its fields, `case.*`, `actor.*` and form summaries.
    func evaluationContext(_ record: CaseRecord, workflow: WorkflowDefinition, actor: Actor, today: CalendarDate, now: Date) -> EvaluationContext {
        var values = record.fields
        values["case.id"] = .string(record.id)
        values["case.state"] = .string(record.state)
        values["case.opened_on"] = .date(CalendarDate(record.openedAt))
        values["actor.id"] = .string(actor.id)
        values["actor.role"] = .string(actor.role)
        var byForm: [String: [FormInstance]] = [:]
        for instance in record.forms { byForm[instance.form, default: []].append(instance) }
        for transition in workflow.transitions {
            for start in transition.startForms {
                let instances = byForm[start.form.value] ?? []
                let name = "forms.\(WorkflowEnvironment.expressionName(ofForm: start.form.value))"
                let submitted = instances.filter { $0.status == .submitted || $0.status == .accepted }.count
                let accepted = instances.filter { $0.status == .accepted }.count
                values["\(name).count"] = .int(instances.count)
                values["\(name).submitted_count"] = .int(submitted)
                values["\(name).accepted_count"] = .int(accepted)
                values["\(name).all_submitted"] = .bool(!instances.isEmpty && submitted == instances.count)
                values["\(name).all_accepted"] = .bool(!instances.isEmpty && accepted == instances.count)
            }
        }
        let calendar = workflow.calendar.flatMap { catalog.calendars[$0.value] }
        return EvaluationContext(values: values, today: today, now: now, calendar: calendar ?? defaultCalendar)
    }

    // MARK: Notifications

    private func notifications(for transition: TransitionDefinition, workflow: WorkflowDefinition, record: CaseRecord, at now: Date) -> [OutboxMessage] {
        var values = record.fields
        values["case.id"] = .string(record.id)
        values["case.state"] = .string(record.state)
        values["case.state_title"] = .string(workflow.states.first { $0.name.value == record.state }?.title ?? record.state)
        values["workflow.title"] = .string(workflow.title)
        var messages: [OutboxMessage] = []
        for notification in transition.notify {
            guard let template = workflow.templates.first(where: { $0.name.value == notification.template.value }) else { continue }
            for recipient in notification.recipients {
                let access = recipientAccess(record, workflow: workflow, role: recipient.value, resource: "case.state")
                guard access.receives else { continue }
                let subject = TemplateRenderer.render(template.subject, values: values, fieldsWithheld: !access.seesFields)
                let body = TemplateRenderer.render(template.body, values: values, fieldsWithheld: !access.seesFields)
                messages.append(OutboxMessage(
                    id: "\(record.id)/\(record.revision)/\(messages.count + 1)", caseID: record.id, createdAt: now,
                    recipientRole: recipient.value, recipientID: record.participants[recipient.value],
                    template: template.name.value, subject: subject, body: body
                ))
            }
        }
        return messages
    }

    private func formNotices(new instances: [FormInstance], record: CaseRecord, workflow: WorkflowDefinition, at now: Date, startingAt offset: Int) -> [OutboxMessage] {
        instances.filter { recipientAccess(record, workflow: workflow, role: $0.recipientRole, resource: "advice_form").receives }.enumerated().map { index, instance in
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
        from record: CaseRecord, to changed: CaseRecord, workflow: WorkflowDefinition, actor: Actor, action: String, subject: String,
        input: [String: ExpressionValue], notices: [(role: String, subject: String, body: String)] = [], noticeResource: String = "case.deadlines",
        at now: Date
    ) throws(EngineError) -> ChangeResult {
        var next = changed
        next.revision += 1
        next.updatedAt = now
        let event = AuditEvent(caseID: record.id, sequence: next.revision, at: now, actor: actor, action: action, subject: subject,
                               fromState: record.state, toState: record.state, revision: next.revision, input: input, previousHash: record.auditHead)
        next.auditHead = event.hash
        let outbox = notices.filter { recipientAccess(record, workflow: workflow, role: $0.role, resource: noticeResource).receives }.enumerated().map { offset, notice in
            OutboxMessage(id: "\(record.id)/\(next.revision)/\(offset + 1)", caseID: record.id, createdAt: now, recipientRole: notice.role,
                          recipientID: record.participants[notice.role], template: action, subject: notice.subject, body: notice.body)
        }
        let change = CaseChange(record: next, expectedRevision: record.revision, events: [event], outbox: outbox, idempotency: nil,
                                alarms: alarms(for: next, workflow: workflow))
        _ = try commit(change)
        return ChangeResult(record: next, replayed: false, notifications: outbox)
    }

    func replay(_ key: String?, request: String) throws(EngineError) -> ChangeResult? {
        guard let key else { return nil }
        guard let earlier = try storeCall({ () throws(StoreError) in try store.idempotencyRecord(key: key) }) else { return nil }
        guard earlier.request == request else { throw .idempotencyKeyReused(key: key, firstRequest: earlier.request) }
        var record = try caseRecord(earlier.caseID)
        record.state = earlier.state
        record.revision = earlier.revision
        return ChangeResult(record: record, replayed: true, notifications: [])
    }

    /// Commits `change`. When a concurrent request with the same idempotency key committed
    /// first, returns that request's result instead (nil otherwise).
    func commit(_ change: CaseChange) throws(EngineError) -> ChangeResult? {
        try commit(all: [change])
    }

    /// Commits changes to several cases together; the first change's idempotency key decides a replay.
    func commit(all changes: [CaseChange]) throws(EngineError) -> ChangeResult? {
        do {
            try store.commit(all: changes)
            return nil
        } catch {
            if let key = changes.first?.idempotency, let replay = try? replay(key.key, request: key.request) { return replay }
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

    static func isUsableID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 100 && id.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "-" || $0 == "_" }
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}

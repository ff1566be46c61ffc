import CaseworkDefinitions
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// A message a change sends, rendered for its recipient and decided by the case's guard, before it has its id.
struct PendingMessage: Sendable {
    /// The role it is for.
    var role: String
    /// Who plays the role on the case, when the case names someone.
    var recipientID: String?
    /// The template or step it came from.
    var template: String
    /// Its subject.
    var subject: String
    /// Its body.
    var body: String
}

/// One case's change as a step decided it: the record as it will be after the change (its revision, time and
/// audit head still to be assigned), what to audit and what to send. Every kind of change (opening, firing, a
/// form step, a grant, a deadline action, a tick) is decided into this value and committed by ``Engine/commit(_:actor:attributes:request:at:)``,
/// the one place that numbers revisions, appends the audit event, writes the outbox and the due-time index.
struct DecidedChange: Sendable {
    /// The case before the change; nil when the change opens it.
    var before: CaseRecord?
    /// The case after the change.
    var after: CaseRecord
    /// The workflow version the case runs on, for its alarms.
    var workflow: WorkflowDefinition
    /// The calendars of the definition set the case runs on, for its alarms.
    var calendars: [String: WorkingCalendar]
    /// What happened, for the audit (`opened`, `fired`, `form_submitted`, `access_granted`, `deadline_breached`, …).
    var action: String
    /// What it happened to: the transition, form instance, grantee or deadline.
    var subject: String?
    /// The values given.
    var input: [String: ExpressionValue]
    /// The messages to send, in order.
    var messages: [PendingMessage] = []
    /// The day the step took effect, when it was recorded after the fact.
    var effectiveOn: CalendarDate? = nil
}

extension Engine {
    /// Commits decided changes to one or several cases together, all or none: each gets the next revision, an audit
    /// event that records what it changed and links to the case's chain, its messages with stable ids
    /// (`CASE/REVISION/N`) and its pending alarms, and the first carries the request's idempotency record. When a
    /// concurrent request with the same key committed first, returns that request's result instead.
    func commit(
        _ changes: [DecidedChange], actor: CaseActor, attributes: [String: ExpressionValue], request: IdempotentRequest?, at now: Date
    ) throws(EngineError) -> ChangeResult {
        var committed: [CaseChange] = []
        for (index, decided) in changes.enumerated() {
            let previous = decided.before?.revision ?? 0
            guard previous < Int.max else {
                throw .definitionError("case '\(decided.after.id)' has reached the highest revision a case can have; it cannot change again")
            }
            var next = decided.after
            next.revision = previous + 1
            next.updatedAt = now
            let event = AuditEvent(caseID: next.id, sequence: next.revision, at: now, actor: actor, action: decided.action, subject: decided.subject,
                                   fromState: decided.before?.state, toState: next.state, revision: next.revision, input: decided.input,
                                   change: RecordChange.between(decided.before, next), previousHash: decided.before?.auditHead ?? AuditEvent.genesisHash,
                                   effectiveOn: decided.effectiveOn)
            next.auditHead = event.hash
            let outbox = decided.messages.enumerated().map { offset, message in
                OutboxMessage(id: "\(next.id)/\(next.revision)/\(offset + 1)", caseID: next.id, createdAt: now, recipientRole: message.role,
                              recipientID: message.recipientID, template: message.template, subject: message.subject, body: message.body)
            }
            committed.append(CaseChange(record: next, expectedRevision: decided.before?.revision, events: [event], outbox: outbox,
                                        idempotency: index == 0 ? request?.record(caseID: next.id, state: next.state, revision: next.revision) : nil,
                                        alarms: alarms(for: next, workflow: decided.workflow, calendars: decided.calendars)))
        }
        do {
            try store.commit(all: committed)
        } catch {
            if let request, let replay = try? replay(request, actor: actor, attributes: attributes) { return replay }
            throw .store(error)
        }
        guard let first = committed.first else { throw .definitionError("a change must change at least one case") }
        return try changeResult(first.record, notifications: first.outbox, replayed: false, actor: actor, attributes: attributes)
    }

    /// The earlier result of the same request under the actor's idempotency key, or nil when the key is new (or none was given).
    /// The key is looked up only after the actor was let through the door; the same key with a different request is a conflict.
    func replay(_ request: IdempotentRequest, actor: CaseActor, attributes: [String: ExpressionValue]) throws(EngineError) -> ChangeResult? {
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

    /// The values every template may show whoever receives it: the case's reference, state and workflow.
    static func caseBuiltins(_ record: CaseRecord, workflow: WorkflowDefinition) -> [String: ExpressionValue] {
        [
            "case.id": .string(record.id),
            "case.state": .string(record.state),
            "case.state_title": .string(workflow.states.first { $0.name.value == record.state }?.title ?? record.state),
            "workflow.title": .string(workflow.title),
        ]
    }

    /// One of the engine's own messages to whoever plays each of `roles` on `record`, for the recipients the case's
    /// guard lets `view` `resource`: rendered from the template the form's `messages:` (for form messages), else the
    /// workflow's, names, with `values` (its `form.*` or `deadline.*` placeholders) and the fields each recipient may
    /// see, exactly as a transition's notifications are; in the neutral form when no template is named.
    /// `step` is what the outbox records as the message's template: the step that sent it.
    func messages(
        _ message: EngineMessage, to roles: [String], values: [String: ExpressionValue], step: String, form: FormDefinition? = nil,
        on record: CaseRecord, workflow: WorkflowDefinition, guardedBy accessGuard: AccessGuard, resource: String
    ) -> [PendingMessage] {
        let name = form?.messages[message] ?? workflow.messages[message]
        let template = name.flatMap { name in workflow.templates.first { $0.name.value == name.value } }
        let builtins = Self.caseBuiltins(record, workflow: workflow).merging(values) { _, step in step }
        return roles.compactMap { role in
            let access = recipientAccess(record, guardedBy: accessGuard, role: role, resource: resource)
            guard access.receives else { return nil }
            let (subject, body) = template.map {
                (TemplateRenderer.render($0.subject, fields: record.fields, builtins: builtins, showing: access.fields),
                 TemplateRenderer.render($0.body, fields: record.fields, builtins: builtins, showing: access.fields))
            } ?? TemplateRenderer.neutral(message, builtins: builtins)
            return PendingMessage(role: role, recipientID: record.participants[role], template: step, subject: subject, body: body)
        }
    }
}

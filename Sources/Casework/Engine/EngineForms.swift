import Foundation

/// The professional form cycle: shared → submitted → accepted, or rejected with the information required → resubmitted.
extension Engine {
    /// The receiving organisation submits its answers.
    ///
    /// Only the role the form was shared with may submit, and only the named
    /// organisation when the case names one; only a shared or rejected form can be submitted.
    public func submitForm(
        caseID: String, instance instanceID: String, as actor: Actor, fields: [String: ExpressionValue],
        expectedRevision: Int? = nil, idempotencyKey: String? = nil, attributes: [String: ExpressionValue] = [:]
    ) throws(EngineError) -> ChangeResult {
        try formStep(caseID: caseID, instanceID: instanceID, action: "form_submitted", actor: actor, attributes: attributes, policyAction: "submit", input: fields,
                     expectedRevision: expectedRevision, idempotencyKey: idempotencyKey) { (instance, form) throws(EngineError) in
            guard actor.role == instance.recipientRole, instance.recipientID == nil || instance.recipientID == actor.id else {
                let who = instance.recipientID.map { "\(instance.recipientRole):\($0)" } ?? instance.recipientRole
                throw .formStepRefused("only \(who), who received form '\(instance.id)', may submit it")
            }
            guard instance.status == .shared || instance.status == .rejected else {
                throw .formStepRefused("form '\(instance.id)' is \(instance.status.rawValue) and cannot be submitted again")
            }
            let problems = FieldValues.check(fields, against: form.definition.fields)
            guard problems.isEmpty else { throw .invalidInput(problems) }
            var next = instance
            next.fields = fields
            next.status = .submitted
            next.submissions += 1
            next.informationRequired = nil
            let notices = form.definition.acceptedBy.map { role in
                Notice(role: role.value, subject: "A form was submitted: \(form.definition.title)",
                       body: "\(actor) submitted form '\(instance.id)' on case \(caseID). Accept it or reject it with the information required.")
            }
            return (next, notices)
        }
    }

    /// The service accepts a submitted form.
    public func acceptForm(
        caseID: String, instance instanceID: String, as actor: Actor, expectedRevision: Int? = nil, idempotencyKey: String? = nil,
        attributes: [String: ExpressionValue] = [:]
    ) throws(EngineError) -> ChangeResult {
        try formStep(caseID: caseID, instanceID: instanceID, action: "form_accepted", actor: actor, attributes: attributes, policyAction: "edit", input: [:],
                     expectedRevision: expectedRevision, idempotencyKey: idempotencyKey) { (instance, form) throws(EngineError) in
            try Self.checkReviewer(actor, instance: instance, form: form)
            var next = instance
            next.status = .accepted
            let notice = Notice(role: instance.recipientRole, recipientID: instance.recipientID, subject: "Your form was accepted: \(form.definition.title)",
                                body: "Form '\(instance.id)' on case \(caseID) was accepted. Thank you.")
            return (next, [notice])
        }
    }

    /// The service rejects a submitted form, saying what information is required; the organisation resubmits.
    public func rejectForm(
        caseID: String, instance instanceID: String, as actor: Actor, informationRequired: String,
        expectedRevision: Int? = nil, idempotencyKey: String? = nil, attributes: [String: ExpressionValue] = [:]
    ) throws(EngineError) -> ChangeResult {
        let reason = informationRequired.trimmingCharacters(in: .whitespacesAndNewlines)
        return try formStep(caseID: caseID, instanceID: instanceID, action: "form_rejected", actor: actor, attributes: attributes, policyAction: "edit",
                            input: ["information_required": .string(reason)],
                            expectedRevision: expectedRevision, idempotencyKey: idempotencyKey) { (instance, form) throws(EngineError) in
            try Self.checkReviewer(actor, instance: instance, form: form)
            guard !reason.isEmpty else { throw .invalidInput([InputProblem(field: "information_required", message: "say what information is required")]) }
            var next = instance
            next.status = .rejected
            next.informationRequired = reason
            let notice = Notice(role: instance.recipientRole, recipientID: instance.recipientID,
                                subject: "More information is needed: \(form.definition.title)",
                                body: "Form '\(instance.id)' on case \(caseID) was returned. Information required: \(reason)")
            return (next, [notice])
        }
    }

    /// A message a form step sends.
    struct Notice {
        var role: String
        var recipientID: String?
        var subject: String
        var body: String
    }

    private static func checkReviewer(_ actor: Actor, instance: FormInstance, form: LoadedForm) throws(EngineError) {
        guard form.definition.acceptedBy.contains(where: { $0.value == actor.role }) else {
            let roles = form.definition.acceptedBy.map(\.value).joined(separator: " or ")
            throw .formStepRefused("only \(roles) may accept or reject form '\(instance.id)'")
        }
        guard instance.status == .submitted else {
            throw .formStepRefused("form '\(instance.id)' is \(instance.status.rawValue), not submitted, so it cannot be accepted or rejected")
        }
    }

    /// Loads the case and instance, lets `step` check and change the instance, then audits, notifies and commits once.
    private func formStep(
        caseID: String, instanceID: String, action: String, actor: Actor, attributes: [String: ExpressionValue], policyAction: String,
        input: [String: ExpressionValue], expectedRevision: Int?, idempotencyKey: String?,
        _ step: (FormInstance, LoadedForm) throws(EngineError) -> (FormInstance, [Notice])
    ) throws(EngineError) -> ChangeResult {
        let operation = "\(action) \(instanceID) on \(caseID)"
        if let replay = try replay(idempotencyKey, request: operation) { return replay }
        let record = try caseRecord(caseID)
        if let expected = expectedRevision, expected != record.revision {
            throw .revisionMismatch(caseID: caseID, expected: expected, actual: record.revision)
        }
        guard let index = record.forms.firstIndex(where: { $0.id == instanceID }) else { throw .unknownFormInstance(instanceID, caseID: caseID) }
        let instance = record.forms[index]
        guard let form = catalog.forms[instance.form] else {
            throw .formStepRefused("form '\(instance.form)' is no longer loaded")
        }
        let workflowDefinition = try workflow(for: record).definition
        if let refusal = policyRefusal(record, workflow: workflowDefinition, actor: actor, attributes: attributes, action: policyAction, resource: "advice_form") {
            throw .formStepRefused(refusal)
        }
        let (changed, notices) = try step(instance, form)
        let now = Self.millisecondPrecision(clockNow())
        var next = record
        next.forms[index] = changed
        next.revision += 1
        next.updatedAt = now
        let event = AuditEvent(caseID: caseID, sequence: next.revision, at: now, actor: actor, action: action, subject: instanceID,
                               fromState: record.state, toState: record.state, revision: next.revision, input: input, previousHash: record.auditHead)
        next.auditHead = event.hash
        let outbox = notices.filter { recipientAccess(next, workflow: workflowDefinition, role: $0.role, resource: "advice_form").receives }.enumerated().map { offset, notice in
            OutboxMessage(id: "\(caseID)/\(next.revision)/\(offset + 1)", caseID: caseID, createdAt: now, recipientRole: notice.role,
                          recipientID: notice.recipientID ?? record.participants[notice.role], template: action,
                          subject: notice.subject, body: notice.body)
        }
        let key = idempotencyKey.map { IdempotencyRecord(key: $0, caseID: caseID, request: operation, state: next.state, revision: next.revision) }
        let workflow = try workflow(for: record).definition
        let change = CaseChange(record: next, expectedRevision: record.revision, events: [event], outbox: outbox, idempotency: key,
                                alarms: alarms(for: next, workflow: workflow))
        if let replay = try commit(change) {
            return replay
        }
        return ChangeResult(record: next, replayed: false, notifications: outbox)
    }
}

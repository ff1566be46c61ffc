import Foundation

/// The professional form cycle: shared → submitted → accepted, or rejected with the information required → resubmitted.
extension Engine {
    /// The definition of a form instance's form, for the organisation about to submit it (to read its fields' types).
    /// Needs `submit` on the form's resource.
    public func formDefinition(caseID: String, instance instanceID: String, as actor: Actor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> FormDefinition {
        let admitted = try admit(caseID, actor: actor, attributes: attributes, action: "submit", resource: try formResource(caseID: caseID, instance: instanceID))
        guard let instance = admitted.record.forms.first(where: { $0.id == instanceID }) else { throw .unknownFormInstance(instanceID, caseID: caseID) }
        guard let form = admitted.definitions.forms[instance.form] else { throw .definitionError("form '\(instance.form)' is no longer loaded") }
        return form.definition
    }

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
            let recipient = instance.recipientID.flatMap(Principal.parsed)
            guard actor.isOperator || actor.role == instance.recipientRole && (recipient == nil || recipient == actor.principal) else {
                throw .forbidden(reasons: ["only the \(instance.recipientRole) the form was shared with may submit it"])
            }
            guard instance.status == .shared || instance.status == .rejected else {
                throw Self.formBlocked(instance, "form '\(instance.id)' is \(instance.status.rawValue) and cannot be submitted again")
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
            let notice = Notice(role: instance.recipientRole, subject: "Your form was accepted: \(form.definition.title)",
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
            let notice = Notice(role: instance.recipientRole,
                                subject: "More information is needed: \(form.definition.title)",
                                body: "Form '\(instance.id)' on case \(caseID) was returned. Information required: \(reason)")
            return (next, [notice])
        }
    }

    /// The resource the door asks the policy about for a step on form instance `instanceID`: the resource its form
    /// names (``formResource(_:)``). Read before the door only to name the resource (an instance's form never changes);
    /// for a case or instance that does not exist it is the case itself, so only those who may do the same to the whole
    /// case (who see every form) learn that the instance does not exist.
    func formResource(caseID: String, instance instanceID: String) throws(EngineError) -> String {
        guard let record = try loadRecord(caseID), let instance = record.forms.first(where: { $0.id == instanceID }),
              let form = try definitions(for: record).forms[instance.form] else { return ResourcePaths.caseResource }
        return Self.formResource(form.definition)
    }

    private static func formBlocked(_ instance: FormInstance, _ message: String) -> EngineError {
        .blocked(transition: instance.id, blockers: [TransitionBlocker(.formStatus, message)])
    }

    private static func checkReviewer(_ actor: Actor, instance: FormInstance, form: LoadedForm) throws(EngineError) {
        guard actor.isOperator || form.definition.acceptedBy.contains(where: { $0.value == actor.role }) else {
            let roles = form.definition.acceptedBy.map(\.value).joined(separator: " or ")
            throw .blocked(transition: instance.id, blockers: [TransitionBlocker(.roleNotAllowed, "only \(roles) may accept or reject form '\(instance.id)'")])
        }
        guard instance.status == .submitted else {
            throw formBlocked(instance, "form '\(instance.id)' is \(instance.status.rawValue), not submitted, so it cannot be accepted or rejected")
        }
    }

    /// Through the door (`policyAction` on the form), then lets `step` check and change the instance, then audits,
    /// notifies and commits once.
    private func formStep(
        caseID: String, instanceID: String, action: String, actor: Actor, attributes: [String: ExpressionValue], policyAction: String,
        input: [String: ExpressionValue], expectedRevision: Int?, idempotencyKey: String?,
        _ step: (FormInstance, LoadedForm) throws(EngineError) -> (FormInstance, [Notice])
    ) throws(EngineError) -> ChangeResult {
        let resource = try formResource(caseID: caseID, instance: instanceID)
        let admitted = try admit(caseID, actor: actor, attributes: attributes, action: policyAction, resource: resource)
        let record = admitted.record
        let request = IdempotentRequest(key: idempotencyKey, operation: "\(action) \(instanceID) on \(caseID)", caseID: caseID, actor: actor,
                                        input: input, details: expectedRevision.map { ["expected_revision": String($0)] } ?? [:])
        if let replay = try replay(request, actor: actor, attributes: attributes) { return replay }
        if let expected = expectedRevision, expected != record.revision {
            throw .revisionMismatch(caseID: caseID, expected: expected, actual: record.revision)
        }
        guard let index = record.forms.firstIndex(where: { $0.id == instanceID }) else { throw .unknownFormInstance(instanceID, caseID: caseID) }
        let instance = record.forms[index]
        guard let form = admitted.definitions.forms[instance.form] else {
            throw .definitionError("form '\(instance.form)' is no longer loaded")
        }
        let (changed, notices) = try step(instance, form)
        var next = record
        next.forms[index] = changed
        let decided = DecidedChange(before: record, after: next, workflow: admitted.workflow.definition, calendars: admitted.definitions.calendars, action: action, subject: instanceID, input: input,
                                    messages: messages(notices, template: action, on: next, guardedBy: admitted.access.accessGuard, resource: resource))
        return try commit([decided], actor: actor, attributes: attributes, request: request, at: admitted.access.at)
    }
}

import CaseworkDefinitions
import CaseworkExpressions
import Foundation

/// The professional form cycle: shared → submitted → accepted, or rejected with the information required → resubmitted.
extension Engine {
    /// The definition of a form instance's form, for the organisation about to submit it (to read its fields' types).
    /// Needs `submit` on the form's resource.
    public func formDefinition(caseID: String, instance instanceID: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> FormDefinition {
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
        caseID: String, instance instanceID: String, as actor: CaseActor, fields: [String: ExpressionValue],
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
            return FormChange(instance: next, message: .formSubmitted, to: form.definition.acceptedBy.map(\.value),
                              values: ["form.submitted_by": .string(actor.description)])
        }
    }

    /// The service accepts a submitted form. A form with `into_document:` adds, in the same change, a version of the
    /// document it names with the accepted answers (``formDocument(_:answers:form:admitted:instance:)``), recorded in the
    /// `form_accepted` audit event as any added version is.
    public func acceptForm(
        caseID: String, instance instanceID: String, as actor: CaseActor, expectedRevision: Int? = nil, idempotencyKey: String? = nil,
        attributes: [String: ExpressionValue] = [:]
    ) throws(EngineError) -> ChangeResult {
        try formStep(caseID: caseID, instanceID: instanceID, action: "form_accepted", actor: actor, attributes: attributes, policyAction: "edit", input: [:],
                     expectedRevision: expectedRevision, idempotencyKey: idempotencyKey) { (instance, form) throws(EngineError) in
            try Self.checkReviewer(actor, instance: instance, form: form)
            var next = instance
            next.status = .accepted
            return FormChange(instance: next, message: .formAccepted, to: [instance.recipientRole], fillsDocument: true)
        }
    }

    /// The service rejects a submitted form, saying what information is required; the organisation resubmits.
    public func rejectForm(
        caseID: String, instance instanceID: String, as actor: CaseActor, informationRequired: String,
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
            return FormChange(instance: next, message: .formReturned, to: [instance.recipientRole], values: ["form.information_required": .string(reason)])
        }
    }

    /// The case's submitted forms that `actor` may accept or return now, in the case's order: those a form step would
    /// let them take (`edit` on the form's resource, as ``acceptForm(caseID:instance:as:expectedRevision:idempotencyKey:attributes:)``
    /// asks, and a role the form is `accepted_by`, or the operator). Needs `view` on `case.state`, as the case itself
    /// does, so a person who may not see the case learns nothing of it, and one who may see it but take no form step
    /// is told of no form.
    public func formsWaiting(caseID: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> [FormInstance] {
        let admitted = try admit(caseID, actor: actor, attributes: attributes, action: "view", resource: "case.state")
        return admitted.record.forms.filter { instance in
            guard instance.status == .submitted, let form = admitted.definitions.forms[instance.form] else { return false }
            guard actor.isOperator || form.definition.acceptedBy.contains(where: { $0.value == actor.role }) else { return false }
            return admitted.access.allows("edit", on: Self.formResource(form.definition))
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

    private static func checkReviewer(_ actor: CaseActor, instance: FormInstance, form: LoadedForm) throws(EngineError) {
        guard actor.isOperator || form.definition.acceptedBy.contains(where: { $0.value == actor.role }) else {
            let roles = form.definition.acceptedBy.map(\.value).joined(separator: " or ")
            throw .blocked(transition: instance.id, blockers: [TransitionBlocker(.roleNotAllowed, "only \(roles) may accept or reject form '\(instance.id)'")])
        }
        guard instance.status == .submitted else {
            throw formBlocked(instance, "form '\(instance.id)' is \(instance.status.rawValue), not submitted, so it cannot be accepted or rejected")
        }
    }

    /// What a form step decided: the instance after it, and the message it sends to whom with its own values.
    private struct FormChange {
        /// The instance after the step.
        var instance: FormInstance
        /// The message the step sends.
        var message: EngineMessage
        /// The roles it goes to.
        var to: [String]
        /// The step's own placeholders, beyond those of every form message (``Engine/formValues(_:form:)``).
        var values: [String: ExpressionValue] = [:]
        /// Whether the step adds the answers to the document the form names (`into_document:`): accepting does.
        var fillsDocument = false
    }

    /// Through the door (`policyAction` on the form's resource), then lets `step` check and change the instance, then
    /// audits, sends the step's message and commits once.
    private func formStep(
        caseID: String, instanceID: String, action: String, actor: CaseActor, attributes: [String: ExpressionValue], policyAction: String,
        input: [String: ExpressionValue], expectedRevision: Int?, idempotencyKey: String?,
        _ step: (FormInstance, LoadedForm) throws(EngineError) -> FormChange
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
        let change = try step(instance, form)
        var next = record
        next.forms[index] = change.instance
        let values = Self.formValues(change.instance, form: form.definition).merging(change.values) { _, own in own }
        var decided = DecidedChange(before: record, after: next, workflow: admitted.workflow, calendars: admitted.definitions.calendars, action: action, subject: instanceID, input: input,
                                    messages: messages(change.message, to: change.to, values: values, step: action, form: form.definition, on: next,
                                                       workflow: admitted.workflow, guardedBy: admitted.access.accessGuard, resource: resource,
                                                       instance: change.instance))
        if change.fillsDocument, let target = form.definition.intoDocument {
            let (version, blob) = try formDocument(target, answers: change.instance.fields, form: form.definition, admitted: admitted, instance: instanceID)
            decided.document = (version, blob)
        }
        return try commit([decided], actor: actor, attributes: attributes, request: request, at: admitted.access.at)
    }
}

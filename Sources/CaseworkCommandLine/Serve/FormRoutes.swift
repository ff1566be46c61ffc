import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkServer
import Foundation

/// The form routes: the professional form cycle, as `casework form submit|accept|reject` runs it, through the same
/// ``CaseService`` calls; each answers with the case after it as the caller may see it, as the case routes do.
enum FormRoutes {
    /// `GET /v1/cases/{case}/forms`: `{"waiting": [{"form", "recipient_role", "recipient_id", "due_on", "submissions"}]}`,
    /// the case's submitted forms the caller may accept or return now (``CaseService/formsWaiting(caseID:as:attributes:)``),
    /// each as the work list's `forms_waiting` names it; none to a caller who may see the case but take no form step,
    /// and the case's own refusal to one who may not see it.
    static func waiting(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        let forms = try await api.engine { () async throws(EngineError) in
            try await api.cases.formsWaiting(caseID: call.parameter("case"), as: caller.actor, attributes: caller.attributes)
        }
        return APIService.json(["waiting": forms.map { form -> [String: Any] in
            ["form": form.id, "recipient_role": form.recipientRole, "recipient_id": form.recipientID ?? NSNull(), "due_on": form.dueOn.description,
             "submissions": form.submissions]
        }])
    }

    /// `POST /v1/cases/{case}/forms/{form}/submit`: `{"fields"}`, typed by the form's declared fields as `--set` types
    /// them, with `Idempotency-Key` and `If-Match` as `--key` and `--expect-revision`; 200 with the case.
    static func submit(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        let caseID = call.parameter("case"), instance = call.parameter("form")
        let body = try APIBody.object(call.request, allowed: ["fields"])
        let expected = try CaseRoutes.expectedRevision(call.request)
        let key = try CaseRoutes.idempotencyKey(call.request)
        let form = try await api.engine { () async throws(EngineError) in
            try await api.cases.formDefinition(caseID: caseID, instance: instance, as: caller.actor, attributes: caller.attributes)
        }
        let fields = try APIBody.fields(body["fields"], at: "fields", fields: form.fields)
        let result = try await api.engine { () async throws(EngineError) in
            try await api.cases(for: caller).submitForm(caseID: caseID, instance: instance, as: caller.actor, fields: fields, expectedRevision: expected,
                                           idempotencyKey: key, attributes: caller.attributes)
        }
        return try await CaseRoutes.answer(api, caseID: caseID, caller: caller, status: 200, replayed: result.replayed)
    }

    /// `POST /v1/cases/{case}/forms/{form}/accept`: no body; the service accepts a submitted form, as `form accept`,
    /// with `Idempotency-Key` and `If-Match`; 200 with the case.
    static func accept(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        let caseID = call.parameter("case"), instance = call.parameter("form")
        _ = try APIBody.object(call.request, allowed: [])
        let expected = try CaseRoutes.expectedRevision(call.request)
        let key = try CaseRoutes.idempotencyKey(call.request)
        let result = try await api.engine { () async throws(EngineError) in
            try await api.cases(for: caller).acceptForm(caseID: caseID, instance: instance, as: caller.actor, expectedRevision: expected, idempotencyKey: key,
                                           attributes: caller.attributes)
        }
        return try await CaseRoutes.answer(api, caseID: caseID, caller: caller, status: 200, replayed: result.replayed)
    }

    /// `POST /v1/cases/{case}/forms/{form}/reject`: `{"reason"}`, the information required, needed as `form reject
    /// --reason` needs it, with `Idempotency-Key` and `If-Match`; 200 with the case.
    static func reject(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        let caseID = call.parameter("case"), instance = call.parameter("form")
        let body = try APIBody.object(call.request, allowed: ["reason"])
        guard let reason = try APIBody.text(body, "reason"), !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .invalid([InputProblem(field: "reason", message: "is required: say what information is required")])
        }
        let expected = try CaseRoutes.expectedRevision(call.request)
        let key = try CaseRoutes.idempotencyKey(call.request)
        let result = try await api.engine { () async throws(EngineError) in
            try await api.cases(for: caller).rejectForm(caseID: caseID, instance: instance, as: caller.actor, informationRequired: reason, expectedRevision: expected,
                                           idempotencyKey: key, attributes: caller.attributes)
        }
        return try await CaseRoutes.answer(api, caseID: caseID, caller: caller, status: 200, replayed: result.replayed)
    }
}

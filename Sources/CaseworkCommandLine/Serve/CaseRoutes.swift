import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkServer
import CaseworkTime
import Foundation

/// The case routes: open, show, timeline, list transitions, fire. Each is the command line's `case open`, `case show
/// --format json`, `case timeline --format json`, `case transitions` and `case fire`, through the same ``CaseService``
/// calls and the same JSON.
enum CaseRoutes {
    /// The request header that makes a change idempotent, as `--key` does.
    static let idempotencyHeader = "Idempotency-Key"
    /// The request header that pins the revision a change expects, as `--expect-revision` does: `3` or `"3"`.
    static let ifMatchHeader = "If-Match"

    /// `POST /v1/cases`: `{"workflow", "id"?, "fields"?, "participants"?, "child"?}` opens a case (for the child record
    /// `child` names, as `case open --child` does); 201 with the case as the caller sees it (200 when an
    /// `Idempotency-Key` finds it already done).
    static func open(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        let body = try APIBody.object(call.request, allowed: ["workflow", "id", "fields", "participants", "child"])
        guard let workflowID = try APIBody.text(body, "workflow") else { throw .invalid([InputProblem(field: "workflow", message: "is required")]) }
        guard let workflow = api.catalog.workflows[workflowID] else {
            throw APIProblem(EngineError.unknownWorkflow(workflowID, suggestion: NameSuggester.suggest(workflowID, from: api.catalog.workflows.keys.sorted())))
        }
        let caseID = try APIBody.text(body, "id")
        let child = try APIBody.text(body, "child")
        let fields = try APIBody.fields(body["fields"], at: "fields", fields: workflow.definition.fields)
        let participants = try participants(body["participants"])
        let key = try idempotencyKey(call.request)
        let result = try await api.engine { () async throws(EngineError) in
            try await api.cases(for: caller).open(workflow: workflowID, as: caller.actor, caseID: caseID, fields: fields, participants: participants,
                                     idempotencyKey: key, attributes: caller.attributes, child: child)
        }
        return try await answer(api, caseID: result.record.id, caller: caller, status: result.replayed ? 200 : 201, replayed: result.replayed,
                                extra: [("Location", "/v1/cases/\(result.record.id)")])
    }

    /// `GET /v1/cases/{case}`: the case as the caller may see it, as `case show --format json` prints it for the same actor.
    static func show(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        try await answer(api, caseID: call.parameter("case"), caller: try api.caller(call), status: 200, replayed: false)
    }

    /// `GET /v1/cases/{case}/timeline`: the case's progress in plain words as the caller may follow it, as
    /// `case timeline --format json` prints it for the same actor.
    static func timeline(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        let timeline = try await api.engine { () async throws(EngineError) in
            try await api.cases.timeline(caseID: call.parameter("case"), as: caller.actor, attributes: caller.attributes)
        }
        return APIService.json(TimelineCommand.json(timeline))
    }

    /// `GET /v1/cases/{case}/transitions`: every transition with what blocks it for the caller now, the state it leads
    /// to and the input it declares (each field's path, whether it is required, and its type as ``FieldTypeJSON``
    /// writes it), so a form to fire it can be drawn from the answer alone.
    static func transitions(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        let caseID = call.parameter("case")
        let list = try await api.engine { () async throws(EngineError) in
            try await api.cases.availableTransitions(caseID: caseID, as: caller.actor, attributes: caller.attributes)
        }
        let workflow = try await api.engine { () async throws(EngineError) in
            try await api.cases.workflowDefinition(ofCase: caseID, as: caller.actor, attributes: caller.attributes)
        }
        let types = FieldValues.types(of: workflow.fields)
        return APIService.json(list.map { transition -> [String: Any] in
            var object: [String: Any] = ["name": transition.name, "title": transition.title, "can_fire": transition.blockers.isEmpty,
                                         "blockers": transition.blockers.map { ["code": $0.code.rawValue, "message": $0.message] }]
            if let definition = workflow.transitions.first(where: { $0.name.value == transition.name }) {
                object["to"] = transition.to
                if transition.stays { object["stays"] = true }
                object["input"] = definition.input.map { field -> [String: Any] in
                    ["field": field.field.value, "required": field.isRequired,
                     "type": types[field.field.value].map(FieldTypeJSON.json) ?? ["name": "string"]]
                }
            }
            return object
        })
    }

    /// `POST /v1/cases/{case}/transitions/{transition}`: `{"input"?, "effective_on"?}` fires it, with `Idempotency-Key`
    /// and `If-Match` as `--key` and `--expect-revision`; 200 with the case after it as the caller sees it.
    static func fire(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        let caseID = call.parameter("case")
        let body = try APIBody.object(call.request, allowed: ["input", "effective_on"])
        let expected = try expectedRevision(call.request)
        let key = try idempotencyKey(call.request)
        var effectiveOn: CalendarDate?
        if let text = try APIBody.text(body, "effective_on") {
            guard let day = CalendarDate(text) else { throw .invalid([InputProblem(field: "effective_on", message: "must be a date as YYYY-MM-DD")]) }
            effectiveOn = day
        }
        let workflow = try await api.engine { () async throws(EngineError) in
            try await api.cases.workflowDefinition(ofCase: caseID, as: caller.actor, attributes: caller.attributes)
        }
        let input = try APIBody.fields(body["input"], at: "input", fields: workflow.fields)
        let request = FireRequest(caseID: caseID, transition: call.parameter("transition"), actor: caller.actor, input: input, expectedRevision: expected,
                                  idempotencyKey: key, attributes: caller.attributes, effectiveOn: effectiveOn)
        let result = try await api.engine { () async throws(EngineError) in try await api.cases(for: caller).fire(request) }
        return try await answer(api, caseID: caseID, caller: caller, status: 200, replayed: result.replayed)
    }

    /// The case as the caller may see it, with its revision as the `ETag` for `If-Match`: all of it to the operator
    /// (`case show --format json`), what the policy lets anyone else see (`case show --as … --format json`).
    static func answer(
        _ api: APIService, caseID: String, caller: Caller, status: Int, replayed: Bool, extra: [(name: String, value: String)] = []
    ) async throws(APIProblem) -> HTTPResponse {
        let object: [String: Any]
        var revision: Int?
        if caller.actor.isOperator {
            let record = try await api.engine { () async throws(EngineError) in try await api.cases.caseRecord(caseID, as: caller.actor) }
            let workflow = try await api.engine { () async throws(EngineError) in try await api.cases.workflowDefinition(ofCase: caseID, as: caller.actor) }
            object = CaseCommand.json(record, title: workflow.states.first { $0.name.value == record.state }?.title, today: api.cases.today)
            revision = record.revision
        } else {
            let view = try await api.engine { () async throws(EngineError) in
                try await api.cases.view(caseID: caseID, as: caller.actor, attributes: caller.attributes)
            }
            object = CaseCommand.json(view)
            revision = try? await api.cases.caseRecord(caseID, as: caller.actor, attributes: caller.attributes).revision
        }
        var headers = extra
        if let revision { headers.append(("ETag", "\"\(revision)\"")) }
        if replayed { headers.append(("Idempotent-Replayed", "true")) }
        return APIService.json(object, status: status, headers: headers)
    }

    /// `{"ROLE": "PRINCIPAL"}` or `{"ROLE": ["P1", "P2"]}`, principals written as `--participant` writes them.
    private static func participants(_ value: Any?) throws(APIProblem) -> CaseParticipants {
        guard let value else { return CaseParticipants(entries: []) }
        guard let object = value as? [String: Any] else { throw .invalid([InputProblem(field: "participants", message: "must be an object of ROLE: PRINCIPAL")]) }
        var entries: [(String, String)] = []
        for (role, principals) in object.sorted(by: { $0.key < $1.key }) {
            let list = principals as? [Any] ?? [principals]
            for principal in list {
                guard let text = principal as? String, !text.isEmpty else {
                    throw .invalid([InputProblem(field: "participants.\(role)", message: "must be a principal or a list of them, such as \"jo\" or \"organisation:hillside-primary\"")])
                }
                entries.append((role, text))
            }
        }
        return CaseParticipants(entries: entries)
    }

    /// The `Idempotency-Key` header, when sent once.
    static func idempotencyKey(_ request: HTTPRequest) throws(APIProblem) -> String? {
        let values = request.headerValues(idempotencyHeader)
        guard values.count <= 1 else { throw .invalid([InputProblem(field: "header.\(idempotencyHeader)", message: "send one key, not \(values.count)")]) }
        return values.first
    }

    /// The revision `If-Match` pins: a whole number of 1 or more, bare or quoted as an entity tag.
    static func expectedRevision(_ request: HTTPRequest) throws(APIProblem) -> Int? {
        let values = request.headerValues(ifMatchHeader)
        guard let text = values.first else { return nil }
        var digits = Substring(text.trimmingCharacters(in: .whitespaces))
        if digits.count >= 2, digits.hasPrefix("\""), digits.hasSuffix("\"") { digits = digits.dropFirst().dropLast() }
        guard values.count == 1, digits.allSatisfy(\.isASCII), let revision = Int(digits), revision >= 1 else {
            throw .invalid([InputProblem(field: "header.\(ifMatchHeader)", message: "must be the case's revision, a whole number of 1 or more, such as \"3\"")])
        }
        return revision
    }
}

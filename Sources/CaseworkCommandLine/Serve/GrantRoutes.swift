import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkServer
import CaseworkTime

/// The grant routes: the SEND service's case-by-case access decisions, as `casework access grant` and `casework access
/// revoke` record them, through the same ``CaseService`` calls; each answers with the case after it as the caller may
/// see it, as the case routes do.
enum GrantRoutes {
    /// `POST /v1/cases/{case}/grants`: `{"to", "level", "reason", "sections"?, "from"?, "until"?}`, the options of
    /// `access grant` (`--sections` as a list), with `Idempotency-Key` as `--key`; 200 with the case.
    static func grant(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        let caseID = call.parameter("case")
        let body = try APIBody.object(call.request, allowed: ["to", "level", "reason", "sections", "from", "until"])
        let to = try principal(try APIBody.text(body, "to"), at: "to")
        guard let level = try APIBody.text(body, "level"), !level.isEmpty else { throw .invalid([InputProblem(field: "level", message: "is required")]) }
        let reason = try APIBody.reason(body)
        var grant = AccessGrant(to: to, level: level)
        if let sections = body["sections"] {
            guard let list = sections as? [Any], let names = list as? [String] else {
                throw .invalid([InputProblem(field: "sections", message: "must be a list of section names, such as [\"ehcp.A\"]")])
            }
            grant.sections = names
        }
        grant.from = try day(body, "from")
        grant.until = try day(body, "until")
        let key = try CaseRoutes.idempotencyKey(call.request)
        let result = try await api.engine { () async throws(EngineError) in
            try await api.cases(for: caller).grantAccess(caseID: caseID, grant: grant, as: caller.actor, attributes: caller.attributes, reason: reason, idempotencyKey: key)
        }
        return try await CaseRoutes.answer(api, caseID: caseID, caller: caller, status: 200, replayed: result.replayed)
    }

    /// `POST /v1/cases/{case}/grants/{principal}/revoke`: `{"reason"}` removes the principal's grant, as `access
    /// revoke --to PRINCIPAL`, with `Idempotency-Key` as `--key`; 200 with the case, 422 `blocked` when there is none.
    static func revoke(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        let caseID = call.parameter("case")
        let to = try principal(call.parameter("principal"), at: "path.principal")
        let body = try APIBody.object(call.request, allowed: ["reason"])
        let reason = try APIBody.reason(body)
        let key = try CaseRoutes.idempotencyKey(call.request)
        let result = try await api.engine { () async throws(EngineError) in
            try await api.cases(for: caller).revokeAccess(caseID: caseID, to: to, as: caller.actor, attributes: caller.attributes, reason: reason, idempotencyKey: key)
        }
        return try await CaseRoutes.answer(api, caseID: caseID, caller: caller, status: 200, replayed: result.replayed)
    }

    /// A principal as `--to` reads it: a person's id, `person:ID` or `organisation:ID`.
    private static func principal(_ text: String?, at field: String) throws(APIProblem) -> Principal {
        guard let text, !text.isEmpty else { throw .invalid([InputProblem(field: field, message: "is required")]) }
        guard let principal = Principal.parsed(text) else {
            throw .invalid([InputProblem(field: field, message: "is not a principal; write a person's id, person:ID or organisation:ID")])
        }
        return principal
    }

    /// A day written `YYYY-MM-DD`, when given.
    private static func day(_ body: [String: Any], _ key: String) throws(APIProblem) -> CalendarDate? {
        guard let text = try APIBody.text(body, key) else { return nil }
        guard let day = CalendarDate(text) else { throw .invalid([InputProblem(field: key, message: "must be a date as YYYY-MM-DD")]) }
        return day
    }
}

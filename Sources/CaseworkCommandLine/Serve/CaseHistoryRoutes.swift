import Casework
import CaseworkEngine
import CaseworkServer
import Foundation

/// A case's audit trail over HTTP: its history, as `casework case history --format json` prints it, and the check of
/// its hash chain, as `casework audit verify CASE` makes it; both through the same ``CaseService`` calls, so the
/// policy decides who may read them exactly as on the command line.
enum CaseHistoryRoutes {
    /// `GET /v1/cases/{case}/history?limit=N&after=CURSOR`: one page of the case's audit events, oldest first, each
    /// cut to the fields the caller may see; 200 `{"events": [...], "next": CURSOR or null}`. Only those who may change
    /// access to the case read it (the events name everyone involved); everyone else follows the timeline.
    static func history(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        let page = try CaseListRoute.pageRequest(call.request)
        let found = try await api.engine { () async throws(EngineError) in
            try await api.cases.history(call.parameter("case"), as: caller.actor, attributes: caller.attributes, page: page)
        }
        let next: Any = found.next?.token ?? NSNull()
        return APIService.json(["events": found.items.map(CaseCommand.json), "next": next])
    }

    /// `GET /v1/cases/{case}/audit`: walks the case's hash chain, replays it and compares it with the stored record;
    /// 200 `{"case", "holds", "finding", "via"}`, `holds` false (and the finding saying where) when the chain or the record
    /// does not hold. The finding is the line `audit verify CASE` prints; `via` counts the events that came through each
    /// service or identity provider (`{"kind", "name", "events"}`, read just after the check), none for steps taken directly.
    static func audit(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        let caseID = call.parameter("case")
        let verification = try await api.engine { () async throws(EngineError) in
            try await api.cases.verifyAudit(caseID, as: caller.actor, attributes: caller.attributes)
        }
        let intermediaries = try await api.engine { () async throws(EngineError) in
            try await api.cases.auditIntermediaries(caseID, as: caller.actor, attributes: caller.attributes)
        }
        let via = AuditCommand.intermediaries(intermediaries).map { via, events -> [String: Any] in
            ["kind": via.kind.rawValue, "name": via.name, "events": events]
        }
        let finding = AuditCommand.line(caseID, verification, alone: true) ?? ""
        return APIService.json(["case": caseID, "holds": verification.holds,
                                "finding": finding.trimmingCharacters(in: .whitespacesAndNewlines), "via": via])
    }
}

import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkServer
import Foundation

/// `GET /v1/cases?limit=N&after=CURSOR`: one page of the cases the caller may see, by id, as `casework case list`
/// lists them, with the cursor of the next page.
enum CaseListRoute {
    /// 200 `{"cases": [{"id", "workflow", "state", "revision", "child"?}], "next": CURSOR or null}`, `child` naming the
    /// child record a case belongs to as its own answer does (to whoever may see the case); a case whose record cannot
    /// be read is listed to the operator as `{"id", "damage"}`. `limit` is 1 to 1000 (100 when not given).
    static func list(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        let page = try pageRequest(call.request)
        let found = try await api.engine { () async throws(EngineError) in
            try await api.cases.cases(visibleTo: caller.actor, attributes: caller.attributes, page: page)
        }
        let cases = found.items.map { summary -> [String: Any] in
            if let damage = summary.damage { return ["id": summary.id, "damage": damage] }
            var object: [String: Any] = ["id": summary.id, "workflow": summary.workflow, "state": summary.state, "revision": summary.revision]
            if let child = summary.child { object["child"] = child }
            return object
        }
        let next: Any = found.next?.token ?? NSNull()
        return APIService.json(["cases": cases, "next": next])
    }

    /// The largest page a caller may ask for.
    static let largestLimit = 1_000

    /// The page `limit` and `after` ask for, checked: the list routes share it.
    static func pageRequest(_ request: HTTPRequest) throws(APIProblem) -> PageRequest {
        let limits = request.queryValues("limit"), afters = request.queryValues("after")
        guard limits.count <= 1, afters.count <= 1 else {
            throw .invalid([InputProblem(field: limits.count > 1 ? "query.limit" : "query.after", message: "give it once")])
        }
        var limit = 100
        if let text = limits.first {
            guard text.allSatisfy(\.isASCII), let value = Int(text), (1...largestLimit).contains(value) else {
                throw .invalid([InputProblem(field: "query.limit", message: "must be a whole number from 1 to \(largestLimit)")])
            }
            limit = value
        }
        guard let after = afters.first else { return PageRequest(limit: limit) }
        guard !after.isEmpty else { throw .invalid([InputProblem(field: "query.after", message: "must be the next cursor of an earlier page")]) }
        return PageRequest(after: PageCursor(token: after), limit: limit)
    }
}

import Casework
import CaseworkEngine
import CaseworkServer

/// `GET /healthz` and `GET /readyz`: whether the process answers, and whether it can serve (the store reachable, the
/// definitions loaded). Both need a token, as every route does; neither says anything about any case.
enum HealthRoutes {
    /// 200 `{"status": "ok"}` while the process answers at all.
    static func health(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        APIService.json(["status": "ok"])
    }

    /// 200 `{"status": "ready", "workflows": N, "policies": N}` when one page of case ids can be read from the store;
    /// 503 `unavailable` when it cannot.
    static func ready(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        _ = try await api.engine { () async throws(EngineError) in
            do throws(StoreError) {
                return try await api.cases.driver.caseIDs(page: PageRequest(limit: 1)).items.count
            } catch {
                throw .store(error)
            }
        }
        return APIService.json(["status": "ready", "workflows": api.catalog.workflows.count, "policies": api.catalog.policies.count])
    }
}

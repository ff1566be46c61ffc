import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkServer
import Foundation

/// The API over one engine: what `casework serve` answers each request with, after the HTTP layer has read it.
///
/// Each request is let in by its service token or bearer JWT (``ServiceAuthFile``), routed (``APIRoutes``), and answered by the same
/// ``CaseService`` calls and the same JSON the command line's `--format json` prints, so the API and the CLI give the
/// same answers; every refusal is an ``APIProblem``.
package final class APIService: Sendable {
    /// The engine's async front over the store.
    let cases: CaseService
    /// The services and identity providers' tokens that may call.
    let auth: ServiceAuthFile
    /// What the server counts, for `GET /metrics`.
    let metrics: ServiceMetrics
    /// How long a request may take before it is answered 503 `timeout` (``RequestDeadline``); nil for no limit.
    let requestTimeout: Duration?

    /// The API over `cases`, letting in the services of `auth`, counting into `metrics`, each request answered within
    /// `requestTimeout`.
    init(cases: CaseService, auth: ServiceAuthFile, metrics: ServiceMetrics = ServiceMetrics(), requestTimeout: Duration? = nil) {
        self.cases = cases
        self.auth = auth
        self.metrics = metrics
        self.requestTimeout = requestTimeout
    }

    /// The API over `cases`, letting in who the auth file at `authPath` names (checked against the catalog's actor
    /// attributes), with no time limit: the API in process without a server, as the API's fuzz target runs it.
    package convenience init(cases: CaseService, authPath: String) throws(ServiceAuthFileError) {
        self.init(cases: cases, auth: try ServiceAuthFile.load(path: authPath, catalog: cases.catalog), requestTimeout: nil)
    }

    /// What `casework serve` answers `request` with once its HTTP layer has read it: a page of the case desk
    /// (``Desk``), counted once as the desk's, or the API's answer (``handle(_:)``). The one place that tells the two
    /// apart; `secure` says whether the server listens with TLS (the desk's cookies say so).
    package func answer(_ request: HTTPRequest, secure: Bool) async -> HTTPResponse {
        guard Desk.owns(request.path) else { return await handle(request) }
        return await counted(route: Desk.metricsRoute) { (await Desk.handle(self, request, secure: secure), nil) }
    }

    /// The loaded definitions.
    var catalog: DefinitionCatalog { cases.catalog }

    /// The answer to one request, within the time limit, counted in ``metrics`` by its route's pattern.
    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let label = (try? APIRoutes.match(method: request.method, path: request.path)).map { "\($0.0.method) \($0.0.pattern)" } ?? "unmatched"
        return await counted(route: label) { await self.answerWithinLimit(request) }
    }

    /// The answer to one request made in process by the case desk for one of its pages, within the time limit but not
    /// counted: the desk's page is counted once, as its own route (``Desk/metricsRoute``), not as the API calls it makes.
    func answerForDesk(_ request: HTTPRequest) async -> HTTPResponse {
        await answerWithinLimit(request).response
    }

    /// Runs `body` and counts its answer in ``metrics`` under `route`, with the time it took.
    func counted(route: String, _ body: () async -> (response: HTTPResponse, refusal: String?)) async -> HTTPResponse {
        let started = ContinuousClock.now
        let answer = await body()
        let elapsed = ContinuousClock.now - started
        metrics.recordRequest(route: route, status: answer.response.status,
                              seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, refusal: answer.refusal)
        return answer.response
    }

    /// The route's answer, or 503 `timeout` when it is not ready within ``requestTimeout``.
    private func answerWithinLimit(_ request: HTTPRequest) async -> (response: HTTPResponse, refusal: String?) {
        guard let limit = requestTimeout else { return await route(request) }
        return await RequestDeadline.answer(within: limit, timedOut: {
            let problem = RequestDeadline.problem(limit)
            return (problem.response, problem.code)
        }) { await self.route(request) }
    }

    /// The answer of the route the request names, and the refusal code when it is a problem.
    private func route(_ request: HTTPRequest) async -> (response: HTTPResponse, refusal: String?) {
        do throws(APIProblem) {
            let credential = try auth.credential(for: request, catalog: catalog)
            let (route, parameters) = try APIRoutes.match(method: request.method, path: request.path)
            return (try await route.run(self, APICall(request: request, parameters: parameters, credential: credential)), nil)
        } catch {
            return (error.response, error.code)
        }
    }

    /// The caller of `call`, with the actor it acts as or for.
    func caller(_ call: APICall) throws(APIProblem) -> Caller {
        try auth.caller(for: call.request, credential: call.credential, catalog: catalog)
    }

    /// The engine's async front for `caller`'s changes: every audit event they write names the service or issuer the
    /// caller came through (``Caller/via``). Every route that changes a case goes through it.
    func cases(for caller: Caller) -> CaseService { cases.through(caller.via) }

    /// Runs an engine call, a refusal becoming its problem.
    func engine<T: Sendable>(_ body: () async throws(EngineError) -> T) async throws(APIProblem) -> T {
        do throws(EngineError) {
            return try await body()
        } catch {
            throw APIProblem(error)
        }
    }

    /// A JSON answer, written as the command line writes JSON (``JSONOutput``).
    static func json(_ object: Any, status: Int = 200, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json", text: JSONOutput.render(object), headers: headers)
    }
}

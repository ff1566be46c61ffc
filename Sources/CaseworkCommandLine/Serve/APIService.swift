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
final class APIService: Sendable {
    /// The engine's async front over the store.
    let cases: CaseService
    /// The services and identity providers' tokens that may call.
    let auth: ServiceAuthFile

    /// The API over `cases`, letting in the services of `auth`.
    init(cases: CaseService, auth: ServiceAuthFile) {
        self.cases = cases
        self.auth = auth
    }

    /// The loaded definitions.
    var catalog: DefinitionCatalog { cases.catalog }

    /// The answer to one request.
    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        do throws(APIProblem) {
            let credential = try auth.credential(for: request, catalog: catalog)
            let (route, parameters) = try APIRoutes.match(method: request.method, path: request.path)
            return try await route.run(self, APICall(request: request, parameters: parameters, credential: credential))
        } catch {
            return error.response
        }
    }

    /// The caller of `call`, with the actor it acts as or for.
    func caller(_ call: APICall) throws(APIProblem) -> Caller {
        try auth.caller(for: call.request, credential: call.credential, catalog: catalog)
    }

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

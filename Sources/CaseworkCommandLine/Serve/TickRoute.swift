import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkServer
import CaseworkStore

/// `POST /v1/tick`: applies the deadline reminders and breaches due now, as `casework tick --format json` does,
/// through ``CaseService/tick(limit:)``, for a scheduler the operator runs.
enum TickRoute {
    /// `{"limit"?}` (default 10000, as `--limit`); 200 with what was done, as `tick --format json` prints it. Only a
    /// service that acts as the operator may tick: it changes every case with something due. The moment is the
    /// server's clock; `--at` stays the command line's, for a replay or a test.
    static func tick(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        guard caller.actor.isOperator else { throw .forbidden("only a service that acts as the operator may tick") }
        let body = try APIBody.object(call.request, allowed: ["limit"])
        var limit = 10_000
        if let value = body["limit"] {
            guard case .success(.int(let whole)) = FieldValues.fromJSON(value, as: .int), whole >= 1, whole <= PageRequest.largestLimit else {
                throw .invalid([InputProblem(field: "limit", message: "must be a whole number from 1 to \(PageRequest.largestLimit), such as 100")])
            }
            limit = whole
        }
        let actions: [TickAction]
        do throws(APIProblem) {
            actions = try await api.engine { () async throws(EngineError) in try await api.cases(for: caller).tick(limit: limit) }
        } catch {
            api.metrics.recordTickFailure()
            throw error
        }
        api.metrics.recordTick(actions)
        return APIService.json(TickCommand.json(actions))
    }
}

import Casework
import CaseworkEngine
import CaseworkServer

/// The child routes: a child's progress across all their cases, as `casework child timeline` shows it, through the same
/// ``CaseService`` call and the same JSON.
enum ChildRoutes {
    /// `GET /v1/children/{child}/timeline`: every case of the child the caller may see, their stages and messages merged
    /// in date order, as `child timeline --format json` prints it for the same actor; refused as for a missing child
    /// to anyone not admitted to the child.
    static func timeline(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        _ = try APIBody.query(call.request, allowed: [])
        let timeline = try await api.engine { () async throws(EngineError) in
            try await api.cases.childTimeline(call.parameter("child"), as: caller.actor, attributes: caller.attributes)
        }
        return APIService.json(ChildTimelineCommand.json(timeline))
    }
}

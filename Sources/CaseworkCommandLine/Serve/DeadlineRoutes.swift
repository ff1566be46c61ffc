import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkServer

/// The deadline routes: pause, resume or excuse one of a case's clocks, as `casework deadline pause|resume|excuse`
/// does, through the same ``CaseService`` calls; each answers with the case after it as the caller may see it.
enum DeadlineRoutes {
    /// `POST /v1/cases/{case}/deadlines/{deadline}/pause`: `{"reason", "exception"?}`, as `deadline pause --reason
    /// --exception`; 200 with the case.
    static func pause(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        try await act(api, call, takesException: true) { (caller, caseID, deadline, reason, exception) async throws(EngineError) in
            try await api.cases(for: caller).pauseDeadline(caseID: caseID, deadline: deadline, as: caller.actor, reason: reason, exception: exception,
                                              attributes: caller.attributes)
        }
    }

    /// `POST /v1/cases/{case}/deadlines/{deadline}/resume`: `{"reason"}`, as `deadline resume --reason`; 200 with the
    /// case, the clock's due date moved on by the days it was paused.
    static func resume(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        try await act(api, call, takesException: false) { (caller, caseID, deadline, reason, _) async throws(EngineError) in
            try await api.cases(for: caller).resumeDeadline(caseID: caseID, deadline: deadline, as: caller.actor, reason: reason, attributes: caller.attributes)
        }
    }

    /// `POST /v1/cases/{case}/deadlines/{deadline}/excuse`: `{"reason", "exception"?}`, as `deadline excuse --reason
    /// --exception`; 200 with the case, the clock reported and never breached.
    static func excuse(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        try await act(api, call, takesException: true) { (caller, caseID, deadline, reason, exception) async throws(EngineError) in
            try await api.cases(for: caller).excuseDeadline(caseID: caseID, deadline: deadline, as: caller.actor, reason: reason, exception: exception,
                                               attributes: caller.attributes)
        }
    }

    /// Reads the body (`reason`, and `exception` where the action cites one), makes the change and answers with the case.
    private static func act(
        _ api: APIService, _ call: APICall, takesException: Bool,
        _ change: (Caller, String, String, String, String?) async throws(EngineError) -> ChangeResult
    ) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        let caseID = call.parameter("case")
        let body = try APIBody.object(call.request, allowed: takesException ? ["reason", "exception"] : ["reason"])
        let reason = try APIBody.reason(body)
        let exception = try APIBody.text(body, "exception")
        _ = try await api.engine { () async throws(EngineError) in try await change(caller, caseID, call.parameter("deadline"), reason, exception) }
        return try await CaseRoutes.answer(api, caseID: caseID, caller: caller, status: 200, replayed: false)
    }
}

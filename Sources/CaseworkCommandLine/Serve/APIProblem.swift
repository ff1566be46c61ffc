import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkServer

/// A refusal of the HTTP API, sent as an RFC 9457 `application/problem+json` body: the one place an engine refusal,
/// a caller not let in or a request the API cannot route becomes a status and a body.
///
/// The body's keys: `type` (`urn:casework:problem:CODE`), `title` (the status's phrase), `status`, `code` (the
/// engine's refusal code, or `unauthenticated`, `method_not_allowed`, `too_large`), `detail` (one line), and when they
/// apply `blockers` (each `{code, message}`, in plain words) and `problems` (each invalid value as `{path, message}`).
struct APIProblem: Error, Sendable {
    /// The HTTP status.
    var status: Int
    /// The refusal code.
    var code: String
    /// One line a person can act on.
    var detail: String
    /// Why a step cannot be taken now.
    var blockers: [TransitionBlocker] = []
    /// Every value that cannot be used, at its path.
    var problems: [InputProblem] = []
    /// Header lines the refusal needs, such as `WWW-Authenticate` or `Allow`.
    var headers: [(name: String, value: String)] = []

    /// The status for each engine refusal code: 403, 404, 409, 422 for the caller's refusals, 500 for definitions the
    /// server cannot run, 503 for a store that failed (nothing changed; try again).
    static func status(for code: RefusalCode) -> Int {
        switch code {
        case .forbidden: 403
        case .notFound: 404
        case .conflict: 409
        case .invalidInput, .blocked: 422
        case .definitionError: 500
        case .unavailable: 503
        }
    }

    /// The problem for an engine refusal: its code, its first line as the detail, its blockers and invalid values.
    init(_ error: EngineError) {
        status = Self.status(for: error.code)
        code = error.code.rawValue
        switch error {
        case .blocked(let transition, let blockers):
            detail = "cannot do '\(transition)' now"
            self.blockers = blockers
        case .invalidInput(let problems):
            detail = "the values given cannot be used"
            self.problems = problems
        default:
            detail = String(error.description.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        }
        if error.code == .unavailable { headers = [("Retry-After", "1")] }
    }

    /// A problem with every part given.
    init(status: Int, code: String, detail: String, problems: [InputProblem] = [], headers: [(name: String, value: String)] = []) {
        self.status = status
        self.code = code
        self.detail = detail
        self.problems = problems
        self.headers = headers
    }

    /// No usable credentials: 401, with the scheme to use.
    static func unauthenticated(_ detail: String) -> APIProblem {
        APIProblem(status: 401, code: "unauthenticated", detail: detail, headers: [("WWW-Authenticate", "Bearer realm=\"casework\"")])
    }

    /// A bearer JWT that cannot be used (malformed, wrongly signed, out of date, for another audience or issuer): 401,
    /// with RFC 6750's `invalid_token` error in `WWW-Authenticate`.
    static func invalidToken(_ detail: String) -> APIProblem {
        APIProblem(status: 401, code: "unauthenticated", detail: detail, headers: [("WWW-Authenticate", "Bearer realm=\"casework\", error=\"invalid_token\"")])
    }

    /// Values that cannot be used: 422 `invalid_input`.
    static func invalid(_ problems: [InputProblem]) -> APIProblem {
        APIProblem(status: 422, code: RefusalCode.invalidInput.rawValue, detail: "the values given cannot be used", problems: problems)
    }

    /// The caller may not do this: 403 `forbidden`.
    static func forbidden(_ detail: String) -> APIProblem {
        APIProblem(status: 403, code: RefusalCode.forbidden.rawValue, detail: detail)
    }

    /// A body over the server's limit: 413.
    static func tooLarge(limit: Int) -> APIProblem {
        APIProblem(status: 413, code: "too_large", detail: "the request body is over the limit of \(limit) bytes", headers: [("Connection", "close")])
    }

    /// The phrase of a status, as RFC 9110 names it.
    static func title(_ status: Int) -> String {
        switch status {
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 422: "Unprocessable Content"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Error"
        }
    }

    /// The problem as an HTTP response.
    var response: HTTPResponse {
        var object: [String: Any] = ["type": "urn:casework:problem:\(code)", "title": Self.title(status), "status": status, "code": code, "detail": detail]
        if !blockers.isEmpty { object["blockers"] = blockers.map { ["code": $0.code.rawValue, "message": $0.message] } }
        if !problems.isEmpty { object["problems"] = problems.map { ["path": $0.field, "message": $0.message] } }
        return HTTPResponse(status: status, contentType: "application/problem+json", text: JSONOutput.render(object), headers: headers)
    }
}

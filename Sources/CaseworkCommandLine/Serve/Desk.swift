import CaseworkServer
import Foundation

/// The case desk: the web pages `casework serve` delivers under `/desk/`, for caseworkers and managers (a work list,
/// a page for each case) and for families (their cases' timelines in plain words).
///
/// Every page is drawn on the server, so it reads with no script; a little script (`desk.js`) only helps. The desk
/// holds no data and decides nothing: each page makes the API calls a client would make, in process, with the
/// signed-in person's credential and headers (``DeskSession``), through ``APIService/answerForDesk(_:)`` — the same check of
/// who is calling, the same routes, the same refusals — and draws what they answer. What the policy withholds from
/// someone the API does not answer, so the desk cannot show it.
enum Desk {
    /// Where the desk lives.
    static let prefix = "/desk"

    /// The route every desk request is counted under in `/metrics`: the desk's pages are one family of their own, and
    /// the API calls a page makes in process are not counted again as requests.
    static let metricsRoute = "desk"

    /// Whether `path` is the desk's, not the API's.
    static func owns(_ path: String) -> Bool { path == prefix || path.hasPrefix(prefix + "/") }

    /// The answer to one request for a desk path.
    static func handle(_ api: APIService, _ request: HTTPRequest, secure: Bool) async -> HTTPResponse {
        let segments = request.path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let context = DeskContext(api: api, request: request, session: DeskSession(request: request), secure: secure)
        switch (request.method, segments.count, segments.first) {
        case ("GET", 1, "desk.css"): return DeskAssets.stylesheet
        case ("GET", 1, "desk.js"): return DeskAssets.script
        case ("GET", 1, "favicon.svg"): return DeskAssets.icon
        case ("GET", 1, "sign-in"): return DeskSignIn.form(context)
        case ("POST", 1, "sign-in"): return await DeskSignIn.signIn(context)
        case ("POST", 1, "sign-out"): return DeskSignIn.signOut(context)
        default: break
        }
        guard let session = context.session else { return redirect("\(prefix)/sign-in") }
        switch (request.method, segments) {
        case ("GET", []): return session.family ? redirect("\(prefix)/family/") : await DeskWorkPage.page(context, session)
        case ("GET", ["family"]): return await DeskFamilyPage.page(context, session, only: nil)
        case ("GET", let path) where path.count == 3 && path[0] == "family" && path[1] == "cases":
            return await DeskFamilyPage.page(context, session, only: path[2])
        case ("GET", let path) where path.count == 2 && path[0] == "cases":
            let done = request.queryValues("done").first.map(DeskCasePage.Outcome.done)
            let formDone = zip(request.queryValues("form"), request.queryValues("step")).first { _ in true }.map(DeskCasePage.Outcome.formDone)
            return await DeskCasePage.page(context, session, caseID: path[1], outcome: done ?? formDone)
        case ("GET", let path) where path.count == 5 && path[0] == "cases" && path[2] == "documents" && path[4] == "content":
            return await DeskDocuments.content(context, session, caseID: path[1], kind: path[3])
        case ("POST", let path) where path.count == 4 && path[0] == "cases" && path[2] == "transitions":
            return await DeskCasePage.fire(context, session, caseID: path[1], transition: path[3])
        case ("POST", let path) where path.count == 5 && path[0] == "cases" && path[2] == "forms" && DeskFormSteps.steps.contains(path[4]):
            return await DeskFormSteps.take(context, session, caseID: path[1], form: path[3], step: path[4])
        default:
            return DeskHTML.page(title: "Not found", session: session, body: "<h1>Page not found</h1><p><a href=\"\(prefix)/\">Back to the desk</a></p>",
                                 status: 404)
        }
    }

    /// 303 to `location`: after a form is posted, and for a page that needs a sign-in first.
    static func redirect(_ location: String, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: 303, headers: [("Location", location), ("Cache-Control", "no-store")] + headers)
    }
}

/// One desk request: the API it calls, the request, who is signed in, and whether the server speaks HTTPS.
struct DeskContext: Sendable {
    /// The API the desk calls in process.
    var api: APIService
    /// The browser's request.
    var request: HTTPRequest
    /// Who its cookie says is signed in.
    var session: DeskSession?
    /// Whether cookies must be `Secure`.
    var secure: Bool

    /// Calls the API as `session`, in process: the request a client would send, answered by ``APIService/answerForDesk(_:)``.
    func call(_ session: DeskSession, _ method: String, _ path: String, query: [(name: String, value: String)] = [],
              json: Any? = nil, headers: [(name: String, value: String)] = []) async -> DeskAnswer {
        var lines = headers
        var body: [UInt8] = []
        if let json, let data = try? JSONSerialization.data(withJSONObject: json) {
            lines.append(("Content-Type", "application/json"))
            body = Array(data)
        }
        let response = await send(session, method, path, query: query, headers: lines, body: body)
        let etag = response.headers.first { $0.name.caseInsensitiveCompare("ETag") == .orderedSame }?.value
        return DeskAnswer(status: response.status, json: try? JSONSerialization.jsonObject(with: Data(response.body)), etag: etag)
    }

    /// The API's whole answer to a call made as `session`, for a desk route that sends it on (a document's bytes).
    func send(_ session: DeskSession, _ method: String, _ path: String, query: [(name: String, value: String)] = [],
              headers: [(name: String, value: String)] = [], body: [UInt8] = []) async -> HTTPResponse {
        await api.answerForDesk(HTTPRequest(method: method, path: path, query: query, headers: session.headers + headers, body: body))
    }
}

/// What the API answered one of the desk's calls: its status and its JSON (read and drawn within the one request, so
/// never shared between tasks).
struct DeskAnswer {
    /// The HTTP status.
    var status: Int
    /// The body as `JSONSerialization` reads it.
    var json: Any?
    /// The `ETag` it answered with: a case's revision.
    var etag: String? = nil

    /// Whether the call succeeded.
    var ok: Bool { (200..<300).contains(status) }
    /// The body as an object (a problem document, or an object answer); empty otherwise.
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    /// The body as a list of objects; empty otherwise.
    var list: [[String: Any]] { json as? [[String: Any]] ?? [] }
}

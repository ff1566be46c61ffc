import Foundation
import Testing
@testable import CaseworkCommandLine

/// A parent granted access to one child's case reaches no other child's case through any route: every route in the
/// table that takes a case id answers them for another child's case exactly as for a case that does not exist
/// (the same status and the same body), and that case is left as it was.
@Suite struct ServeCaseIsolationTests {
    static let parent = [("Casework-Act-As", "parent:jo"), ("Casework-Attribute", "relationship=parent"), ("Casework-Attribute", "second_factor_verified=true")]

    /// Every route whose pattern takes a case, as `METHOD PATTERN`.
    static let caseRoutes = APIRoutes.table.filter { $0.pattern.contains("{case}") }.map { "\($0.method) \($0.pattern)" }

    /// A value for each segment a case route captures besides the case: names that exist on the other child's case.
    static let segments = ["transition": "record_evidence", "form": "professional-advice-1", "principal": "jo", "deadline": "decide_whether_to_assess",
                           "kind": "draft_plan"]

    /// A request each route would act on, by the pattern's last segment: a body that fits, and a query where it takes one.
    static func request(_ method: String, _ pattern: String) -> (query: String, contentType: String, body: String) {
        let last = String(pattern.split(separator: "/").last ?? "")
        switch (method, last) {
        case ("POST", "{transition}"): return ("", "application/json", #"{"input": {"evidence_complete": false}}"#)
        case ("POST", "submit"): return ("", "application/json", #"{"fields": {"advice_type": "educational", "met_child": true, "assessed_on": "2025-10-10", "advice_giver": {"name": "Dr Rao"}}}"#)
        case ("POST", "grants"): return ("", "application/json", #"{"to": "jo", "level": "full", "reason": "asked for it"}"#)
        case ("POST", "excuse"): return ("", "application/json", #"{"reason": "the family abroad", "exception": "reg-5-4-circumstances"}"#)
        case ("POST", "accept"): return ("", "", "")
        case ("POST", "{kind}"): return ("?section=A&reason=mine", "text/plain", "Sam loves trains.\n")
        case ("POST", _): return ("", "application/json", #"{"reason": "asked for it"}"#)
        default: return ("", "", "")
        }
    }

    static func path(_ pattern: String, caseID: String) throws -> String {
        try pattern.split(separator: "/", omittingEmptySubsequences: false).map { part -> String in
            guard part.hasPrefix("{") else { return String(part) }
            let name = String(part.dropFirst().dropLast())
            if name == "case" { return caseID }
            return try #require(segments[name], "the route \(pattern) captures '\(name)': give it a value here")
        }.joined(separator: "/")
    }

    @Test func everyRouteThatTakesACaseIsCovered() {
        #expect(Self.caseRoutes.count >= 18)
        #expect(Self.caseRoutes.contains("POST /v1/cases/{case}/transitions/{transition}"))
    }

    @Test(arguments: caseRoutes)
    func aParentReachingAnotherChildsCaseIsAnsweredAsForNoCase(route: String) async throws {
        let parts = route.split(separator: " ").map(String.init)
        let (method, pattern) = (parts[0], parts[1])
        let server = try await TestServer.start()
        // Child A's case, the parent jo granted access; child B's case, with a form shared, a deadline running and a
        // document, jo taking no part in it.
        try await server.openCase("child-a")
        let granted = try await server.send("POST", "/v1/cases/child-a/grants", json: #"{"to": "jo", "level": "full", "reason": "the family's portal"}"#)
        #expect(granted.status == 200, "\(granted.text)")
        #expect(try await server.send("GET", "/v1/cases/child-a", token: Tokens.portal, headers: Self.parent).status == 200)
        let opened = try await server.send("POST", "/v1/cases", json: TestServer.openBody("child-b").replacingOccurrences(of: #""parent": "jo""#, with: #""parent": "kim""#))
        #expect(opened.status == 201, "\(opened.text)")
        for (transition, body) in [("acknowledge_request", "{}"), ("record_evidence", #"{"input": {"evidence_complete": true}}"#),
                                   ("agree_to_assess", #"{"input": {"assessment_decision_on": "2025-10-01", "advice_requested_on": "2025-10-02"}}"#)] {
            let fired = try await server.send("POST", "/v1/cases/child-b/transitions/\(transition)", json: body)
            #expect(fired.status == 200, "\(transition): \(fired.text)")
        }
        let document = try await server.send("POST", "/v1/cases/child-b/documents/draft_plan?section=A", headers: [("Content-Type", "text/plain")],
                                             raw: Array("Kim's section A.\n".utf8))
        #expect(document.status == 201, "\(document.text)")
        let before = try await server.send("GET", "/v1/cases/child-b")
        let historyBefore = try await server.send("GET", "/v1/cases/child-b/history")
        #expect(before.status == 200 && historyBefore.status == 200)

        let request = Self.request(method, pattern)
        func send(_ caseID: String) async throws -> RawResponse {
            let headers = Self.parent + (request.contentType.isEmpty ? [] : [("Content-Type", request.contentType)])
            return try await server.send(method, try Self.path(pattern, caseID: caseID) + request.query, token: Tokens.portal, headers: headers,
                                         raw: Array(request.body.utf8))
        }
        let hidden = try await send("child-b")
        let missing = try await send("no-such-case")
        #expect(hidden.status == missing.status, "\(route): \(hidden.text) beside \(missing.text)")
        #expect(hidden.text == missing.text, "\(route)")
        // The request itself is sound, so what refuses it is the door, not the body.
        #expect(hidden.object["code"] as? String == "forbidden", "\(route): \(hidden.status) \(hidden.text)")

        let after = try await server.send("GET", "/v1/cases/child-b")
        #expect(after.object["revision"] as? Int == before.object["revision"] as? Int)
        #expect(after.text == before.text)
        #expect(try await server.send("GET", "/v1/cases/child-b/history").text == historyBefore.text)
    }
}

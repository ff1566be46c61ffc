import Foundation
import Testing

/// `POST /v1/cases/{case}/documents/{kind}/withdraw` withdraws a document as `casework document withdraw` does, and
/// every read afterwards agrees with the command line's.
@Suite struct ServeDocumentWithdrawRouteTests {
    typealias Routes = ServeDocumentRouteTests

    @Test func theAPIWithdrawsAsTheCommandLineDoesAndBothShowTheSame() async throws {
        let server = try await Routes.server()
        let withdrawn = try await server.send("POST", "/v1/cases/c1/documents/draft_plan/withdraw", token: Tokens.portal,
                                              headers: Routes.staff + [("If-Match", "\"4\"")], json: #"{"reason": "draft sent in error"}"#)
        #expect(withdrawn.status == 201, "\(withdrawn.text)")
        #expect(withdrawn.header("Location") == "/v1/cases/c1/documents/draft_plan?version=3")
        #expect(withdrawn.object["withdrawn"] as? Bool == true)
        #expect(withdrawn.object["withdrawn_in"] as? Int == 3)
        #expect((withdrawn.object["parts"] as? [Any])?.isEmpty == true)
        #expect(withdrawn.text == server.casework(["document", "show", "c1", "draft_plan", "--format", "json"] + Routes.staffArguments).out)
        for (headers, arguments) in [(Routes.staff, Routes.staffArguments), (Routes.parent, Routes.parentArguments)] {
            let list = try await server.send("GET", "/v1/cases/c1/documents", token: Tokens.portal, headers: headers)
            #expect(list.text == server.casework(["document", "list", "c1", "--format", "json"] + arguments).out)
            let older = try await server.send("GET", "/v1/cases/c1/documents/draft_plan?version=2", token: Tokens.portal, headers: headers)
            #expect(older.object["withdrawn_in"] as? Int == 3)
            #expect(older.text == server.casework(["document", "show", "c1", "draft_plan", "--version", "2", "--format", "json"] + arguments).out)
        }
        let current = try await server.send("GET", "/v1/cases/c1/documents/draft_plan/content?section=A", token: Tokens.portal, headers: Routes.parent)
        #expect(current.status == 422, "\(current.text)")
        #expect(!current.text.contains("trains"))
        let earlier = try await server.send("GET", "/v1/cases/c1/documents/draft_plan/content?section=A&version=2", token: Tokens.portal, headers: Routes.parent)
        #expect(earlier.text == "Sam loves trains.\n")
        let again = try await server.send("POST", "/v1/cases/c1/documents/draft_plan/withdraw", token: Tokens.portal, headers: Routes.staff,
                                          json: #"{"reason": "again"}"#)
        #expect(again.status == 422, "\(again.text)")
        #expect(again.text.contains("already withdrawn"))
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 5)
        #expect(server.casework(["audit", "verify", "c1"]).status == .success)
    }

    /// Each refusal of a withdrawal, and nothing written.
    @Test(arguments: [
        ("c1", Routes.parent, #"{"reason": "no"}"#, nil as String?, 403),
        ("c1", Routes.stranger, #"{"reason": "no"}"#, nil, 403),
        ("nope", Routes.staff, #"{"reason": "no"}"#, nil, 404),
        ("c1", Routes.staff, #"{}"#, nil, 422),
        ("c1", Routes.staff, #"{"reason": "no", "other": 1}"#, nil, 422),
        ("c1", Routes.staff, #"{"reason": "no"}"#, "\"3\"", 409),
    ])
    func aRefusedWithdrawalWritesNothing(caseID: String, headers: [(String, String)], body: String, ifMatch: String?, status: Int) async throws {
        let server = try await Routes.server()
        let response = try await server.send("POST", "/v1/cases/\(caseID)/documents/draft_plan/withdraw", token: Tokens.portal,
                                             headers: headers + (ifMatch.map { [("If-Match", $0)] } ?? []), json: body)
        #expect(response.status == status, "\(response.text)")
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 4)
    }

    @Test func aStrangerLearnsNothing() async throws {
        let server = try await Routes.server()
        let there = try await server.send("POST", "/v1/cases/c1/documents/draft_plan/withdraw", token: Tokens.portal, headers: Routes.stranger,
                                          json: #"{"reason": "no"}"#)
        let absent = try await server.send("POST", "/v1/cases/nope/documents/draft_plan/withdraw", token: Tokens.portal, headers: Routes.stranger,
                                           json: #"{"reason": "no"}"#)
        #expect(there.status == 403)
        #expect(there.text == absent.text.replacingOccurrences(of: "nope", with: "c1"))
    }

    @Test func theDeskShowsAWithdrawnDocumentAsWithdrawnWithNothingToRead() async throws {
        let server = try await TestServer.start()
        try await Desks.open(server, "c1", child: "Sam", parent: "jo", daysAgo: 10)
        try await Desks.grant(server, "c1", "jo", "full")
        try await DeskTests.addDocuments(server, "c1")
        let withdrawn = try await server.send("POST", "/v1/cases/c1/documents/advice_report/withdraw", token: Tokens.portal, headers: Desks.caseworker,
                                              json: #"{"reason": "report replaced"}"#)
        #expect(withdrawn.status == 201, "\(withdrawn.text)")
        var jo = DeskBrowser(server: server)
        _ = try await jo.signIn("parent:jo", relationship: "parent", family: true)
        for path in ["/desk/family/cases/c1", "/desk/cases/c1"] {
            let page = try await jo.get(path)
            #expect(page.status == 200, "\(path): \(page.text)")
            #expect(page.text.contains("<li class=\"document withdrawn\" data-document=\"advice_report\">"), "\(path): \(page.text)")
            #expect(page.text.contains("Withdrawn: not the current document") && page.text.contains("<dd>report replaced</dd>"), "\(path)")
            #expect(!page.text.contains("/documents/advice_report/content"), "\(path): no part of the withdrawal to read")
            #expect(page.text.contains("/documents/draft_plan/content?version=2"), "\(path): the plan is still current")
        }
    }
}

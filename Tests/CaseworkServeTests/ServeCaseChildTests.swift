import Foundation
import Testing

/// A case's child over HTTP: the case JSON names the child it belongs to (as `case show --format json` does, and only to
/// those admitted to the case), `POST /v1/cases` opens a case for a child as `case open --child` does, with the same
/// refusals, and the family desk shows a child's cases under the child's merged timeline.
@Suite struct ServeCaseChildTests {
    @Test(arguments: [("c1", "k-17"), ("c2", "k-17")])
    func theCaseNamesItsChildTheSameWayToTheAPIAndTheCommandLine(caseID: String, child: String) async throws {
        let server = try await ServeChildRouteTests.server()
        let jo = ServeChildRouteTests.parent("jo")
        for (headers, arguments, token) in [([(String, String)](), [String](), Tokens.desk), (jo.headers, jo.arguments, Tokens.portal)] {
            let api = try await server.send("GET", "/v1/cases/\(caseID)", token: token, headers: headers)
            let cli = server.casework(["case", "show", caseID, "--format", "json"] + arguments)
            #expect(api.status == 200 && cli.status == .success, "\(api.text) \(cli.err)")
            #expect(api.object["child"] as? String == child, "\(api.text)")
            let cliObject = try JSONSerialization.jsonObject(with: Data(cli.out.utf8)) as? [String: Any]
            #expect(cliObject?["child"] as? String == child, "\(cli.out)")
        }
    }

    /// Each case the list names carries the same `child` as the case's own answer, to each caller, and a case without
    /// a child none; a case the caller may not see is not listed, so its child is not named.
    @Test func theListNamesEachCasesChildAsTheCaseAnswerDoes() async throws {
        let server = try await ServeChildRouteTests.server()
        try await server.openCase("c5")
        let jo = ServeChildRouteTests.parent("jo")
        for (headers, token, expected) in [([(String, String)](), Tokens.desk, ["c1", "c2", "c3", "c5"]), (jo.headers, Tokens.portal, ["c1", "c2"])] {
            let listed = try await server.send("GET", "/v1/cases", token: token, headers: headers)
            #expect(listed.status == 200, "\(listed.text)")
            let cases = try #require(listed.object["cases"] as? [[String: Any]])
            #expect(cases.compactMap { $0["id"] as? String } == expected, "\(listed.text)")
            for item in cases {
                let id = try #require(item["id"] as? String)
                let answer = try await server.send("GET", "/v1/cases/\(id)", token: token, headers: headers)
                #expect(item["child"] as? String == answer.object["child"] as? String, "\(id): \(listed.text)")
            }
        }
        let all = try await server.send("GET", "/v1/cases", token: Tokens.desk)
        let children = (all.object["cases"] as? [[String: Any]] ?? []).map { $0["child"] as? String }
        #expect(children == ["k-17", "k-17", "k-18", nil], "\(all.text)")
    }

    @Test func aCaseWithoutAChildHasNoChildKey() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let api = try await server.send("GET", "/v1/cases/c1")
        #expect(api.status == 200 && api.object["child"] == nil, "\(api.text)")
    }

    @Test func aStrangerOrAParentWithdrawnFromTheCaseNeverLearnsItsChild() async throws {
        let server = try await ServeChildRouteTests.server()
        for (person, caseID, child) in [("zed", "c1", "k-17"), ("jo", "c3", "k-18")] {
            let headers = ServeChildRouteTests.parent(person).headers
            let answer = try await server.send("GET", "/v1/cases/\(caseID)", token: Tokens.portal, headers: headers)
            #expect(answer.status == 403, "\(answer.text)")
            #expect(!answer.text.contains(child), "\(answer.text)")
            let listed = try await server.send("GET", "/v1/cases", token: Tokens.portal, headers: headers)
            #expect(!listed.text.contains(child), "\(listed.text)")
        }
    }

    @Test func theAPIOpensACaseForAChildAsTheCommandLineDoes() async throws {
        let server = try await ServeChildRouteTests.server()
        let body = try Self.openBody(id: "c9", child: "k-18")
        let opened = try await server.send("POST", "/v1/cases", json: body)
        #expect(opened.status == 201, "\(opened.text)")
        #expect(opened.object["child"] as? String == "k-18")
        let listed = server.casework(["case", "list", "--child", "k-18"])
        #expect(listed.status == .success && listed.out.contains("c9"), "\(listed.out) \(listed.err)")
        #expect(try await server.send("GET", "/v1/cases/c9").text == server.casework(["case", "show", "c9", "--format", "json"]).out)
    }

    @Test func anUnknownChildIsRefusedAndNothingIsOpened() async throws {
        let server = try await ServeChildRouteTests.server()
        let refused = try await server.send("POST", "/v1/cases", json: try Self.openBody(id: "c9", child: "k-99"))
        #expect(refused.status == 404, "\(refused.text)")
        #expect(refused.text.contains("k-99"))
        let cli = server.casework(["case", "open", "ehcp-needs-assessment", "--id", "c8", "--child", "k-99"] + ServeChildRouteTests.fields("Sam"))
        #expect(cli.status != .success && cli.err.hasPrefix("error[not_found]"), "\(cli.err)")
        #expect(try await server.send("GET", "/v1/cases/c9").status == 404)
        #expect(try await server.send("POST", "/v1/cases", json: try Self.openBody(id: "c9", child: "")).status == 422)
        #expect(try await server.send("GET", "/v1/cases/c9").status == 404)
        let wrongType = #"{"workflow": "ehcp-needs-assessment", "id": "c9", "child": 17}"#
        #expect(try await server.send("POST", "/v1/cases", json: wrongType).status == 422)
    }

    @Test func theFamilyDeskShowsAChildsMergedTimelineOnceAndOtherCasesAsBefore() async throws {
        let server = try await ServeChildRouteTests.server()
        try await Desks.open(server, "c4", child: "Robin", parent: "jo", daysAgo: 3)
        try await Desks.grant(server, "c4", "jo", "full")
        var jo = DeskBrowser(server: server)
        #expect(try await jo.signIn("parent:jo", relationship: "parent", family: true).status == 303)
        let page = try await jo.get("/desk/family/")
        #expect(page.status == 200)
        let text = page.text
        #expect(text.components(separatedBy: "Cases for child k-17").count == 2, "\(text)")
        #expect(text.contains("/desk/family/cases/c1") && text.contains("/desk/family/cases/c2") && text.contains("/desk/family/cases/c4"))
        #expect(text.components(separatedBy: "<section class=\"timeline\"").count == 3, "one merged timeline for k-17, one for c4: \(text)")
        #expect(text.contains("Robin") && !text.contains("Alex") && !text.contains("k-18"))
        let one = try await jo.get("/desk/family/cases/c1")
        #expect(one.status == 200 && !one.text.contains("Cases for child"), "a case's own page keeps its own timeline")
    }

    static func openBody(id: String, child: String) throws -> String {
        let body: [String: Any] = ["workflow": "ehcp-needs-assessment", "id": id, "child": child, "participants": ["parent": "jo"],
                                   "fields": ["requested_on": "2025-09-01", "requested_by": "parent",
                                              "child": ["first_name": "Alex", "last_name": "Lee", "date_of_birth": "2015-01-01"]]]
        return String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
    }
}

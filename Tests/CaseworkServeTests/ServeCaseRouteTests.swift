import Foundation
import Testing

/// The case routes answer as the engine decides, with the status and problem body each refusal code maps to.
@Suite struct ServeCaseRouteTests {
    @Test func healthAndReadinessAnswerWithAToken() async throws {
        let server = try await TestServer.start()
        let health = try await server.send("GET", "/healthz")
        #expect(health.status == 200)
        #expect(health.object["status"] as? String == "ok")
        let ready = try await server.send("GET", "/readyz")
        #expect(ready.status == 200)
        #expect(ready.object["status"] as? String == "ready")
        #expect((ready.object["workflows"] as? Int ?? 0) > 0)
    }

    @Test func openShowsTheCaseAndGivesItsRevisionAsTheETag() async throws {
        let server = try await TestServer.start()
        let opened = try await server.openCase("c1")
        #expect(opened.header("Location") == "/v1/cases/c1")
        #expect(opened.header("ETag") == "\"1\"")
        #expect(opened.header("Content-Type") == "application/json")
        #expect(opened.object["state"] as? String == "requested")
        let shown = try await server.send("GET", "/v1/cases/c1")
        #expect(shown.status == 200)
        #expect(shown.text == opened.text)
        #expect(shown.object["revision"] as? Int == 1)
        #expect((shown.object["participants"] as? [String: Any])?["parent"] as? [String] == ["jo"])
    }

    @Test func openWithAKeyTwiceOpensOnceAndAnotherRequestUnderTheKeyIsAConflict() async throws {
        let server = try await TestServer.start()
        let key = [("Idempotency-Key", "open-c1")]
        let first = try await server.send("POST", "/v1/cases", headers: key, json: TestServer.openBody("c1"))
        #expect(first.status == 201)
        let again = try await server.send("POST", "/v1/cases", headers: key, json: TestServer.openBody("c1"))
        #expect(again.status == 200)
        #expect(again.header("Idempotent-Replayed") == "true")
        let other = try await server.send("POST", "/v1/cases", headers: key, json: TestServer.openBody("c2"))
        #expect(other.status == 409)
        #expect(other.object["code"] as? String == "conflict")
        #expect(try await server.send("GET", "/v1/cases/c2").status == 404)
    }

    @Test func transitionsListWhatCanFireAndWhatBlocksTheRest() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let response = try await server.send("GET", "/v1/cases/c1/transitions")
        #expect(response.status == 200)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]])
        let acknowledge = try #require(list.first { $0["name"] as? String == "acknowledge_request" })
        #expect(acknowledge["can_fire"] as? Bool == true)
        let evidence = try #require(list.first { $0["name"] as? String == "record_evidence" })
        #expect(evidence["can_fire"] as? Bool == false)
        let blockers = try #require(evidence["blockers"] as? [[String: Any]])
        #expect(blockers.first?["code"] as? String == "wrong_state")
        let message = blockers.first?["message"] as? String ?? ""
        #expect(message.contains("requested"))
    }

    @Test func fireMovesTheCaseAndAStaleIfMatchIsAConflictThatChangesNothing() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let fired = try await server.send("POST", "/v1/cases/c1/transitions/acknowledge_request", headers: [("If-Match", "\"1\"")])
        #expect(fired.status == 200, "\(fired.text)")
        #expect(fired.header("ETag") == "\"2\"")
        #expect(fired.object["revision"] as? Int == 2)
        let stale = try await server.send("POST", "/v1/cases/c1/transitions/acknowledge_request", headers: [("If-Match", "1")])
        #expect(stale.status == 409)
        #expect(stale.header("Content-Type") == "application/problem+json")
        #expect(stale.object["code"] as? String == "conflict")
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 2)
    }

    @Test func fireWithAKeyTwiceFiresOnce() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let key = [("Idempotency-Key", "ack-c1")]
        #expect(try await server.send("POST", "/v1/cases/c1/transitions/acknowledge_request", headers: key).status == 200)
        let again = try await server.send("POST", "/v1/cases/c1/transitions/acknowledge_request", headers: key)
        #expect(again.status == 200)
        #expect(again.header("Idempotent-Replayed") == "true")
        #expect(again.object["revision"] as? Int == 2)
    }

    @Test func aBlockedStepIs422WithItsBlockersInPlainWords() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let response = try await server.send("POST", "/v1/cases/c1/transitions/record_evidence")
        #expect(response.status == 422)
        #expect(response.object["code"] as? String == "blocked")
        #expect(response.object["type"] as? String == "urn:casework:problem:blocked")
        let blockers = try #require(response.object["blockers"] as? [[String: Any]])
        #expect(blockers.contains { ($0["message"] as? String ?? "").contains("not 'deciding_to_assess'") })
    }

    @Test(arguments: [
        ("POST", "/v1/cases", #"{"workflow": "ehcp-needs-assessment", "id": "c9", "fields": {"requested_on": "2025-09-01", "requested_by": "parent"}}"#, "child.first_name"),
        ("POST", "/v1/cases", #"{"workflow": "ehcp-needs-assessment", "colour": "red"}"#, "colour"),
        ("POST", "/v1/cases", #"{"workflow": 7}"#, "workflow"),
        ("POST", "/v1/cases", "not json", "body"),
        ("POST", "/v1/cases/c1/transitions/acknowledge_request", #"{"input": {"no_such_field": 1}}"#, "no_such_field"),
        ("POST", "/v1/cases/c1/transitions/acknowledge_request", #"{"effective_on": "last tuesday"}"#, "effective_on"),
        ("POST", "/v1/cases/c1/transitions/no_such_step", "", ""),
        ("POST", "/v1/decide", #"{"actor": {"id": "jo"}}"#, "action"),
    ])
    func invalidInputIs422WithEveryProblemAtItsPath(method: String, path: String, body: String, problemPath: String) async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let response = try await server.send(method, path, json: body)
        #expect(response.status == 422, "\(response.text)")
        #expect(response.object["code"] as? String == "invalid_input")
        if !problemPath.isEmpty {
            let problems = try #require(response.object["problems"] as? [[String: Any]], "\(response.text)")
            #expect(problems.contains { $0["path"] as? String == problemPath }, "\(response.text)")
        }
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 1)
    }

    @Test func aBadIfMatchIs422() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let response = try await server.send("POST", "/v1/cases/c1/transitions/acknowledge_request", headers: [("If-Match", "W/\"x\"")])
        #expect(response.status == 422)
        #expect((response.object["problems"] as? [[String: Any]])?.first?["path"] as? String == "header.If-Match")
    }

    @Test func missingThingsAre404() async throws {
        let server = try await TestServer.start()
        let missing = try await server.send("GET", "/v1/cases/nope")
        #expect(missing.status == 404)
        #expect(missing.object["code"] as? String == "not_found")
        let workflow = try await server.send("POST", "/v1/cases", json: #"{"workflow": "ehcp-needs-assesment"}"#)
        #expect(workflow.status == 404)
        #expect((workflow.object["detail"] as? String ?? "").contains("did you mean 'ehcp-needs-assessment'"))
    }

    @Test func aCaseSomeoneMayNotSeeAnswersExactlyAsAMissingOne() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let stranger = [("Casework-Act-As", "parent:zed"), ("Casework-Attribute", "relationship=parent"), ("Casework-Attribute", "second_factor_verified=true")]
        for path in ["/v1/cases/c1", "/v1/cases/c1/transitions", "/v1/cases/c1/timeline"] {
            let hidden = try await server.send("GET", path, token: Tokens.portal, headers: stranger)
            let missing = try await server.send("GET", path.replacingOccurrences(of: "c1", with: "c404"), token: Tokens.portal, headers: stranger)
            #expect(hidden.status == 403)
            #expect(hidden.object["code"] as? String == "forbidden")
            #expect(hidden.status == missing.status)
            #expect(hidden.text == missing.text)
        }
        let fire = try await server.send("POST", "/v1/cases/c1/transitions/acknowledge_request", token: Tokens.portal, headers: stranger)
        let fireMissing = try await server.send("POST", "/v1/cases/c404/transitions/acknowledge_request", token: Tokens.portal, headers: stranger)
        #expect(fire.status == 403)
        #expect(fire.text == fireMissing.text)
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 1)
    }

    @Test func unknownRoutesAre404AndWrongMethods405WithAllow() async throws {
        let server = try await TestServer.start()
        let unknown = try await server.send("GET", "/v2/cases")
        #expect(unknown.status == 404)
        #expect(unknown.header("Content-Type") == "application/problem+json")
        let wrong = try await server.send("DELETE", "/v1/cases/c1")
        #expect(wrong.status == 405)
        #expect(wrong.header("Allow") == "GET")
        #expect(wrong.object["code"] as? String == "method_not_allowed")
    }
}

/// `GET /v1/cases` pages through the cases the caller may see.
@Suite struct ServeCaseListTests {
    @Test func theListPagesByCursorAndShowsEachCallerOnlyTheirCases() async throws {
        let server = try await TestServer.start()
        for id in ["c1", "c2", "c3"] { try await server.openCase(id) }
        let first = try await server.send("GET", "/v1/cases?limit=2")
        #expect(first.status == 200, "\(first.text)")
        let firstCases = try #require(first.object["cases"] as? [[String: Any]])
        #expect(firstCases.map { $0["id"] as? String } == ["c1", "c2"])
        #expect(firstCases.first?["state"] as? String == "requested")
        #expect(firstCases.first?["revision"] as? Int == 1)
        let next = try #require(first.object["next"] as? String)
        let second = try await server.send("GET", "/v1/cases?limit=2&after=\(next)")
        #expect((second.object["cases"] as? [[String: Any]])?.map { $0["id"] as? String } == ["c3"])
        #expect(second.object["next"] is NSNull)
        let listed = server.casework(["case", "list"]).out.split(separator: "\n").map { String($0.split(separator: "\t")[0]) }
        #expect(listed == ["c1", "c2", "c3"])
        let stranger = try await server.send("GET", "/v1/cases", token: Tokens.portal, headers: [
            ("Casework-Act-As", "parent:zed"), ("Casework-Attribute", "relationship=parent"), ("Casework-Attribute", "second_factor_verified=true"),
        ])
        #expect(stranger.status == 200)
        #expect((stranger.object["cases"] as? [Any])?.isEmpty == true)
    }

    @Test(arguments: ["/v1/cases?limit=0", "/v1/cases?limit=1001", "/v1/cases?limit=two", "/v1/cases?after=", "/v1/cases?after=not-a-cursor",
                      "/v1/cases?limit=1&limit=2"])
    func aPageThatCannotBeReadIs422(path: String) async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let response = try await server.send("GET", path)
        #expect(response.status == 422, "\(response.text)")
        #expect(response.object["code"] as? String == "invalid_input")
    }
}

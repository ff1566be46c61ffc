import Foundation
import Testing

/// `POST /v1/tick` applies what is due as `casework tick --format json` does.
@Suite struct ServeTickRouteTests {
    @Test func aTickByTheAPIDoesWhatTheCommandLinesTickDoes() async throws {
        let server = try await TestServer.start()
        // Requested in 2025, so its deadlines' reminders and breaches are long due.
        try await server.openCase("c1")
        let api = try await server.send("POST", "/v1/tick", json: "{}")
        #expect(api.status == 200, "\(api.text)")
        let actions = try #require(try JSONSerialization.jsonObject(with: Data(api.body)) as? [[String: Any]])
        #expect(!actions.isEmpty)
        #expect(actions.allSatisfy { $0["case"] as? String == "c1" })
        #expect(try await server.send("POST", "/v1/tick", json: "{}").text == "[]\n")

        try await server.openCase("c2")
        let cli = server.casework(["tick", "--format", "json"])
        #expect(cli.status == .success, "\(cli.err)")
        #expect(cli.out == api.text.replacingOccurrences(of: "\"c1\"", with: "\"c2\""))
    }

    @Test func aLimitAppliesAtMostThatMany() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let one = try await server.send("POST", "/v1/tick", json: #"{"limit": 1}"#)
        #expect(one.status == 200, "\(one.text)")
        #expect((try JSONSerialization.jsonObject(with: Data(one.body)) as? [Any])?.isEmpty == false)
    }

    @Test(arguments: [#"{"limit": 0}"#, #"{"limit": 10001}"#, #"{"limit": "5"}"#, #"{"limit": true}"#, #"{"at": "2025-10-14"}"#])
    func aBadBodyIsRefusedAndTicksNothing(body: String) async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let response = try await server.send("POST", "/v1/tick", json: body)
        #expect(response.status == 422, "\(response.text)")
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 1)
    }

    @Test func onlyAServiceActingAsTheOperatorMayTick() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let person = [("Casework-Act-As", "send_manager:sam"), ("Casework-Attribute", "relationship=caseworker"), ("Casework-Attribute", "second_factor_verified=true")]
        let refused = try await server.send("POST", "/v1/tick", token: Tokens.portal, headers: person, json: "{}")
        #expect(refused.status == 403, "\(refused.text)")
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 1)
    }
}

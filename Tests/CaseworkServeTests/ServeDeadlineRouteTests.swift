import Foundation
import Testing

/// The deadline routes pause, resume and excuse a case's clocks as `casework deadline pause|resume|excuse` do.
@Suite struct ServeDeadlineRouteTests {
    static let manager = [("Casework-Act-As", "send_manager:sam"), ("Casework-Attribute", "relationship=caseworker"), ("Casework-Attribute", "second_factor_verified=true")]
    static let managerArguments = ["--as", "send_manager:sam", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"]
    static let parent = [("Casework-Act-As", "parent:jo"), ("Casework-Attribute", "relationship=parent"), ("Casework-Attribute", "second_factor_verified=true")]
    static let excuse = #"{"reason": "the family abroad", "exception": "reg-5-4-circumstances"}"#

    @Test func anExcuseByTheAPIIsTheExcuseTheCommandLineRecords() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        try await server.openCase("c2")
        let api = try await server.send("POST", "/v1/cases/c1/deadlines/decide_whether_to_assess/excuse", token: Tokens.portal, headers: Self.manager, json: Self.excuse)
        #expect(api.status == 200, "\(api.text)")
        #expect(api.header("ETag") == "\"2\"")
        let cli = server.casework(["deadline", "excuse", "c2", "decide_whether_to_assess", "--reason", "the family abroad", "--exception", "reg-5-4-circumstances"]
                                  + Self.managerArguments)
        #expect(cli.status == .success, "\(cli.err)")
        // The two cases are the same but for their ids and the seconds they were opened and changed in.
        func shown(_ id: String) throws -> NSDictionary {
            var object = try #require(try JSONSerialization.jsonObject(with: Data(server.casework(["case", "show", id, "--format", "json"]).out.utf8)) as? [String: Any])
            object["id"] = nil
            object["opened_at"] = nil
            object["updated_at"] = nil
            return object as NSDictionary
        }
        #expect(try shown("c1") == (try shown("c2")))
        let deadlines = try shown("c1")["deadlines"] as? [[String: Any]]
        #expect(deadlines?.first { $0["name"] as? String == "decide_whether_to_assess" }?["state"] as? String == "excused")
        // The operator's answer is the case as `case show --format json` prints it.
        let operatorCall = try await server.send("POST", "/v1/cases/c1/deadlines/decide_whether_to_assess/excuse", json: Self.excuse)
        #expect(operatorCall.status == 422, "an excused clock cannot be excused again: \(operatorCall.text)")
        #expect(operatorCall.object["code"] as? String == "blocked" || operatorCall.object["code"] as? String == "invalid_input")
    }

    /// Each refusal, by the API and by the command line, carries the same code, and nothing changes.
    @Test(arguments: [
        ("pause", #"{"reason": "r", "exception": "reg-5-4-circumstances"}"#, ["--exception", "reg-5-4-circumstances"]),
        ("resume", #"{"reason": "r"}"#, []),
        ("excuse", #"{"reason": "r", "exception": "no-such-exception"}"#, ["--exception", "no-such-exception"]),
    ])
    func aStepTheClockIsNotReadyForIsRefusedAsTheCommandLineRefusesIt(action: String, body: String, options: [String]) async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let api = try await server.send("POST", "/v1/cases/c1/deadlines/decide_whether_to_assess/\(action)", token: Tokens.portal, headers: Self.manager, json: body)
        let cli = server.casework(["deadline", action, "c1", "decide_whether_to_assess", "--reason", "r"] + options + Self.managerArguments)
        #expect(cli.status == .failure)
        let code = try #require(api.object["code"] as? String, "\(api.text)")
        #expect(cli.err.hasPrefix("error[\(code)]"), "\(cli.err) vs \(api.text)")
        #expect(api.status == 422 || api.status == 404, "\(api.text)")
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 1)
    }

    @Test(arguments: [
        (#"{}"#, 422), (#"{"reason": ""}"#, 422), (#"{"reason": 5}"#, 422), (#"{"reason": "r", "until": "2025-10-01"}"#, 422), ("[1]", 422),
    ])
    func aBadBodyIsRefusedAndChangesNothing(body: String, status: Int) async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let response = try await server.send("POST", "/v1/cases/c1/deadlines/decide_whether_to_assess/excuse", token: Tokens.portal, headers: Self.manager, json: body)
        #expect(response.status == status, "\(response.text)")
        #expect(response.object["code"] as? String == "invalid_input")
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 1)
    }

    @Test func resumeTakesNoException() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let response = try await server.send("POST", "/v1/cases/c1/deadlines/decide_whether_to_assess/resume", token: Tokens.portal, headers: Self.manager,
                                             json: #"{"reason": "r", "exception": "reg-5-4-circumstances"}"#)
        #expect(response.status == 422)
        #expect((response.object["problems"] as? [[String: Any]])?.first?["path"] as? String == "exception")
    }

    @Test func aParentMayNotExcuseAndAStrangerLearnsNothing() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let parent = try await server.send("POST", "/v1/cases/c1/deadlines/decide_whether_to_assess/excuse", token: Tokens.portal, headers: Self.parent, json: Self.excuse)
        #expect(parent.status == 403, "\(parent.text)")
        let stranger = [("Casework-Act-As", "parent:zed"), ("Casework-Attribute", "relationship=parent"), ("Casework-Attribute", "second_factor_verified=true")]
        let there = try await server.send("POST", "/v1/cases/c1/deadlines/decide_whether_to_assess/excuse", token: Tokens.portal, headers: stranger, json: Self.excuse)
        let absent = try await server.send("POST", "/v1/cases/nope/deadlines/decide_whether_to_assess/excuse", token: Tokens.portal, headers: stranger, json: Self.excuse)
        #expect(there.status == absent.status)
        #expect(there.text == absent.text.replacingOccurrences(of: "nope", with: "c1"))
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 1)
        let unknown = try await server.send("POST", "/v1/cases/nope/deadlines/decide_whether_to_assess/excuse", json: Self.excuse)
        #expect(unknown.status == 404, "\(unknown.text)")
        let noToken = try await server.send("POST", "/v1/cases/c1/deadlines/decide_whether_to_assess/excuse", token: nil, json: Self.excuse)
        #expect(noToken.status == 401)
    }
}

import Foundation
import Testing

/// The grant routes record and remove access as `casework access grant|revoke` do, through the same engine calls.
@Suite struct ServeGrantRouteTests {
    static let manager = [("Casework-Act-As", "send_manager:sam"), ("Casework-Attribute", "relationship=caseworker"), ("Casework-Attribute", "second_factor_verified=true")]
    static let parent = [("Casework-Act-As", "parent:jo"), ("Casework-Attribute", "relationship=parent"), ("Casework-Attribute", "second_factor_verified=true")]
    static let stranger = [("Casework-Act-As", "parent:zed"), ("Casework-Attribute", "relationship=parent"), ("Casework-Attribute", "second_factor_verified=true")]
    static let grantBody = #"{"to": "jo", "level": "limited", "reason": "the family's portal"}"#

    @Test func aGrantByTheAPIIsTheGrantTheCommandLineRecords() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        try await server.openCase("c2")
        let before = try await server.send("GET", "/v1/cases/c1", token: Tokens.portal, headers: Self.parent)
        #expect(before.status == 403, "\(before.text)")

        let granted = try await server.send("POST", "/v1/cases/c1/grants", token: Tokens.portal, headers: Self.manager, json: Self.grantBody)
        #expect(granted.status == 200, "\(granted.text)")
        #expect(granted.header("ETag") == "\"2\"")
        let cli = server.casework(["access", "grant", "c2", "--to", "jo", "--level", "limited", "--reason", "the family's portal",
                                   "--as", "send_manager:sam", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"])
        #expect(cli.status == .success, "\(cli.err)")
        #expect(cli.out == "c2: person:jo has limited access (revision 2)\n")

        // The parent sees the same redacted case through the API and the command line, granted either way.
        let parentArguments = ["--as", "parent:jo", "--attribute", "relationship=parent", "--attribute", "second_factor_verified=true", "--format", "json"]
        for id in ["c1", "c2"] {
            let api = try await server.send("GET", "/v1/cases/\(id)", token: Tokens.portal, headers: Self.parent)
            #expect(api.status == 200, "\(api.text)")
            let shown = server.casework(["case", "show", id] + parentArguments)
            #expect(shown.status == .success, "\(shown.err)")
            #expect(api.text == shown.out)
        }
        let c1 = try await server.send("GET", "/v1/cases/c1", token: Tokens.portal, headers: Self.parent)
        let c2 = try await server.send("GET", "/v1/cases/c2", token: Tokens.portal, headers: Self.parent)
        #expect(c1.text.replacingOccurrences(of: "\"c1\"", with: "\"c2\"") == c2.text)

        // The operator's answer is `case show --format json`.
        let operatorGrant = try await server.send("POST", "/v1/cases/c1/grants", json: #"{"to": "organisation:hillside-primary", "level": "limited", "reason": "school advice", "sections": ["ehcp.A"], "from": "2025-09-01", "until": "2026-08-31"}"#)
        #expect(operatorGrant.status == 200, "\(operatorGrant.text)")
        #expect(operatorGrant.text == server.casework(["case", "show", "c1", "--format", "json"]).out)
    }

    @Test func aRevokeByTheAPIRemovesTheGrantAsTheCommandLineDoes() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        #expect(try await server.send("POST", "/v1/cases/c1/grants", token: Tokens.portal, headers: Self.manager, json: Self.grantBody).status == 200)
        let revoked = try await server.send("POST", "/v1/cases/c1/grants/jo/revoke", token: Tokens.portal, headers: Self.manager + [("Idempotency-Key", "r1")],
                                            json: #"{"reason": "moved away"}"#)
        #expect(revoked.status == 200, "\(revoked.text)")
        #expect(revoked.header("ETag") == "\"3\"")
        #expect(try await server.send("GET", "/v1/cases/c1", token: Tokens.portal, headers: Self.parent).status == 403)
        let again = try await server.send("POST", "/v1/cases/c1/grants/jo/revoke", token: Tokens.portal, headers: Self.manager + [("Idempotency-Key", "r1")],
                                          json: #"{"reason": "moved away"}"#)
        #expect(again.status == 200)
        #expect(again.header("Idempotent-Replayed") == "true")

        // Nothing to revoke: blocked, as the command line says.
        let none = try await server.send("POST", "/v1/cases/c1/grants/jo/revoke", token: Tokens.portal, headers: Self.manager, json: #"{"reason": "moved away"}"#)
        #expect(none.status == 422)
        #expect(none.object["code"] as? String == "blocked")
        let cli = server.casework(["access", "revoke", "c1", "--to", "jo", "--reason", "moved away",
                                   "--as", "send_manager:sam", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"])
        #expect(cli.err.hasPrefix("error[blocked]"), "\(cli.err)")
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 3)
    }

    @Test(arguments: [
        (#"{"level": "limited", "reason": "r"}"#, "to"),
        (#"{"to": "jo", "reason": "r"}"#, "level"),
        (#"{"to": "jo", "level": "limited"}"#, "reason"),
        (#"{"to": "jo", "level": "limited", "reason": "r", "from": "1 Sept"}"#, "from"),
        (#"{"to": "jo", "level": "limited", "reason": "r", "sections": "ehcp.A"}"#, "sections"),
        (#"{"to": "jo", "level": "limited", "reason": "r", "colour": "red"}"#, "colour"),
        (#"{"to": "", "level": "limited", "reason": "r"}"#, "to"),
    ])
    func aBadGrantIsRefusedWithItsPathAndChangesNothing(body: String, path: String) async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let response = try await server.send("POST", "/v1/cases/c1/grants", json: body)
        #expect(response.status == 422, "\(response.text)")
        let problems = response.object["problems"] as? [[String: Any]] ?? []
        #expect(problems.first?["path"] as? String == path, "\(response.text)")
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 1)
    }

    @Test func aStrangerLearnsNothingAboutWhetherTheCaseExists() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let grant = Self.grantBody.replacingOccurrences(of: "jo", with: "zed"), revoke = #"{"reason": "r"}"#
        for (hidden, missing, body) in [("/v1/cases/c1/grants", "/v1/cases/c404/grants", grant), ("/v1/cases/c1/grants/jo/revoke", "/v1/cases/c404/grants/jo/revoke", revoke)] {
            let refused = try await server.send("POST", hidden, token: Tokens.portal, headers: Self.stranger, json: body)
            let absent = try await server.send("POST", missing, token: Tokens.portal, headers: Self.stranger, json: body)
            #expect(refused.status == 403, "\(refused.text)")
            #expect(refused.status == absent.status)
            #expect(refused.text == absent.text)
        }
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 1)
    }
}

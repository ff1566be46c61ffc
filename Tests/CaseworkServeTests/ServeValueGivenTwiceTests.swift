import CaseworkTestSupport
import Foundation
import Testing
@testable import CaseworkCommandLine
import Casework

/// A request to the API that gives one value twice (a body naming a member twice, a field both nested and by its dotted
/// name, an attribute header sent twice, a token naming a claim twice) is refused and changes nothing: the server never
/// acts on whichever value its JSON reader kept. A number in a body is kept as written, never through a double.
@Suite struct ServeValueGivenTwiceTests {
    static let portalStaff = [("Casework-Act-As", "caseworker:ana"), ("Casework-Attribute", "relationship=caseworker")]

    @Test(arguments: [
        ("POST", "/v1/cases", #"{"workflow": "ehcp-needs-assessment", "id": "c9", "id": "c1"}"#, ["id"]),
        ("POST", "/v1/cases", #"{"workflow": "ehcp-needs-assessment", "id": "c9", "fields": {"requested_on": "2025-09-01", "requested_by": "parent", "#
            + #""child": {"first_name": "Sam", "last_name": "Taylor", "date_of_birth": "2016-02-14"}, "child.first_name": "Tom"}}"#, ["child.first_name"]),
        ("POST", "/v1/cases", #"{"workflow": "ehcp-needs-assessment", "fields": {"requested_by": "parent", "requested_by": "school"}}"#, ["fields.requested_by"]),
        ("POST", "/v1/cases/c1/transitions/acknowledge_request", #"{"effective_on": "2025-09-02", "effective_on": "2025-09-03"}"#, ["effective_on"]),
        ("POST", "/v1/decide", #"{"action": "view", "action": "edit"}"#, ["action"]),
        ("POST", "/v1/cases", #"{"workflow": "ehcp-needs-assessment""#, ["body"]),
    ])
    func aBodyGivingAValueTwiceIs422AtItsPath(method: String, path: String, body: String, paths: [String]) async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let response = try await server.send(method, path, json: body)
        #expect(response.status == 422, "\(response.text)")
        #expect(response.object["code"] as? String == "invalid_input")
        let problems = try #require(response.object["problems"] as? [[String: Any]], "\(response.text)")
        #expect(problems.map { $0["path"] as? String } == paths, "\(response.text)")
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 1)
        #expect(try await server.send("GET", "/v1/cases/c9").status == 404, "no case was opened")
    }

    /// A decimal amount given as a JSON number is kept as written, digit for digit, as `--set` keeps the same text:
    /// read through a double, `1234.56` became 1234.5599999999997952. A number with more digits than a decimal keeps is
    /// refused, not rounded.
    @Test(arguments: [("1234.56", "1234.56"), ("19.99", "19.99"), ("1e3", "1000"), ("0.1", "0.1"), ("123456789012345678901234567890.5", "123456789012345678901234567890.5")])
    func aDecimalAmountIsKeptAsWritten(written: String, kept: String) async throws {
        let server = try await TestServer.start()
        let opened = try await server.send("POST", "/v1/cases", json: """
            {"workflow": "personal-budget", "id": "pb1",
             "fields": {"child": {"first_name": "Sam", "last_name": "Lee", "date_of_birth": "2015-01-01"}, "plan_case": "c1",
                        "requested_on": "2025-09-01", "request_stage": "review", "direct_payments_requested": false}}
            """)
        #expect(opened.status == 201, "\(opened.text)")
        let fired = try await server.send("POST", "/v1/cases/pb1/transitions/prepare_personal_budget", json: """
            {"input": {"budget_decision_sent_on": "2025-09-10", "budget_amount": \(written), "budget_provision": "Speech and language therapy"}}
            """)
        #expect(fired.status == 200, "\(fired.text)")
        let shown = server.casework(["case", "show", "pb1", "--format", "json"])
        #expect(shown.out.contains("\"budget_amount\" : \(kept),") || shown.out.contains("\"budget_amount\" : \"\(kept)\""), "\(shown.out)")
    }

    @Test(arguments: ["1234.560000000000000000000000000000000001", "1e200", "1.5e-200"])
    func aNumberADecimalCannotHoldIsRefused(written: String) async throws {
        let server = try await TestServer.start()
        _ = try await server.send("POST", "/v1/cases", json: """
            {"workflow": "personal-budget", "id": "pb1",
             "fields": {"child": {"first_name": "Sam", "last_name": "Lee", "date_of_birth": "2015-01-01"}, "plan_case": "c1",
                        "requested_on": "2025-09-01", "request_stage": "review", "direct_payments_requested": false}}
            """)
        let fired = try await server.send("POST", "/v1/cases/pb1/transitions/prepare_personal_budget", json: """
            {"input": {"budget_decision_sent_on": "2025-09-10", "budget_amount": \(written), "budget_provision": "Speech and language therapy"}}
            """)
        #expect(fired.status == 422, "\(fired.text)")
        #expect((fired.object["problems"] as? [[String: Any]])?.map { $0["path"] as? String } == ["budget_amount"], "\(fired.text)")
        #expect(try await server.send("GET", "/v1/cases/pb1").object["revision"] as? Int == 1)
    }

    /// A service that sends one attribute twice is refused, whichever value comes last.
    @Test(arguments: ["second_factor_verified=true", "second_factor_verified=false"])
    func anAttributeSentTwiceIs422(last: String) async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let headers = Self.portalStaff + [("Casework-Attribute", "second_factor_verified=true"), ("Casework-Attribute", last)]
        let fired = try await server.send("POST", "/v1/cases/c1/transitions/acknowledge_request", token: Tokens.portal, headers: headers)
        #expect(fired.status == 422, "\(fired.text)")
        let problems = try #require(fired.object["problems"] as? [[String: Any]], "\(fired.text)")
        #expect(problems.map { $0["path"] as? String } == ["attribute.second_factor_verified"])
        #expect(!fired.text.contains("c1"), "the refusal says nothing of the case")
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 1)
    }

    /// A token whose claims name `casework_role` twice, correctly signed, is refused 401: its reader kept the last role.
    @Test func aTokenNamingAClaimTwiceIs401() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let idp = TestIdentityProvider.self
        var claims = String(decoding: try JSONSerialization.data(withJSONObject: idp.caseworkerClaims(), options: [.sortedKeys]), as: UTF8.self)
        claims.removeLast()
        claims += #","casework_role":"send_manager"}"#
        let signed = idp.part(["typ": "JWT", "alg": "ES256", "kid": idp.ecKey.id]) + "." + TestSigningKey.base64URL(Array(claims.utf8))
        let token = signed + "." + TestSigningKey.base64URL(idp.ecKey.sign(Array(signed.utf8)))
        let fired = try await server.send("POST", "/v1/cases/c1/transitions/acknowledge_request", token: token)
        #expect(fired.status == 401, "\(fired.text)")
        #expect((fired.object["detail"] as? String ?? "").contains("claims are not base64url JSON that names each member once"), "\(fired.text)")
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 1)
    }
}

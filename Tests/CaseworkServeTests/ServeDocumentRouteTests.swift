import Foundation
import Testing

/// The document routes add and read a case's documents as `casework document add|list|show|get` do, each part as the
/// policy lets the caller see it.
@Suite struct ServeDocumentRouteTests {
    static let staff = [("Casework-Act-As", "caseworker:ana"), ("Casework-Attribute", "relationship=caseworker"), ("Casework-Attribute", "second_factor_verified=true")]
    static let staffArguments = ["--as", "caseworker:ana", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"]
    static let parent = [("Casework-Act-As", "parent:jo"), ("Casework-Attribute", "relationship=parent"), ("Casework-Attribute", "second_factor_verified=true")]
    static let parentArguments = ["--as", "parent:jo", "--attribute", "relationship=parent", "--attribute", "second_factor_verified=true"]
    static let stranger = [("Casework-Act-As", "parent:zed"), ("Casework-Attribute", "relationship=parent"), ("Casework-Attribute", "second_factor_verified=true")]

    /// A case `c1` with the parent `jo` granted limited access and a draft plan of two sections, A and K, added by the API.
    static func server() async throws -> TestServer {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let granted = try await server.send("POST", "/v1/cases/c1/grants", token: Tokens.portal, headers: Self.staff,
                                            json: #"{"to": "jo", "level": "limited", "reason": "the family's portal"}"#)
        #expect(granted.status == 200, "\(granted.text)")
        let a = try await server.send("POST", "/v1/cases/c1/documents/draft_plan?section=A&reason=Section%20A%20from%20the%20family", token: Tokens.portal,
                                      headers: Self.staff + [("Content-Type", "text/markdown; charset=utf-8")], raw: Array("Sam loves trains.\n".utf8))
        #expect(a.status == 201, "\(a.text)")
        #expect(a.header("Location") == "/v1/cases/c1/documents/draft_plan?version=1")
        #expect(a.object["reason"] as? String == "Section A from the family")
        let k = try await server.send("POST", "/v1/cases/c1/documents/draft_plan?section=K", token: Tokens.portal,
                                      headers: Self.staff + [("Content-Type", "text/markdown")], raw: Array("Advice from the educational psychologist.\n".utf8))
        #expect(k.status == 201, "\(k.text)")
        #expect(k.object["version"] as? Int == 2)
        return server
    }

    @Test func theAPIShowsWhatTheCommandLineShowsAndWithholdsWhatItWithholds() async throws {
        let server = try await Self.server()
        for (headers, arguments) in [(Self.staff, Self.staffArguments), (Self.parent, Self.parentArguments)] {
            let list = try await server.send("GET", "/v1/cases/c1/documents", token: Tokens.portal, headers: headers)
            #expect(list.status == 200, "\(list.text)")
            #expect(list.text == server.casework(["document", "list", "c1", "--format", "json"] + arguments).out)
            for version in ["", "?version=1"] {
                let shown = try await server.send("GET", "/v1/cases/c1/documents/draft_plan\(version)", token: Tokens.portal, headers: headers)
                #expect(shown.status == 200, "\(shown.text)")
                let cli = server.casework(["document", "show", "c1", "draft_plan", "--format", "json"] + (version.isEmpty ? [] : ["--version", "1"]) + arguments)
                #expect(shown.text == cli.out, "\(cli.err)")
            }
        }
        let parentView = try await server.send("GET", "/v1/cases/c1/documents/draft_plan", token: Tokens.portal, headers: Self.parent)
        let parts = try #require(parentView.object["parts"] as? [[String: Any]])
        #expect(parts.map { $0["withheld"] as? Bool } == [false, true])
        #expect(!parentView.text.contains("Advice"))

        let a = try await server.send("GET", "/v1/cases/c1/documents/draft_plan/content?section=A", token: Tokens.portal, headers: Self.parent)
        #expect(a.status == 200, "\(a.text)")
        #expect(a.text == "Sam loves trains.\n")
        #expect(a.header("Content-Type") == "text/markdown")
        #expect(a.header("Content-Disposition") == "attachment")
        #expect(a.header("X-Content-Type-Options") == "nosniff")
        let out = server.directory.appendingPathComponent("a.md").path
        #expect(server.casework(["document", "get", "c1", "draft_plan", "--section", "A", "--out", out] + Self.parentArguments).status == .success)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(a.body))

        let k = try await server.send("GET", "/v1/cases/c1/documents/draft_plan/content?section=K", token: Tokens.portal, headers: Self.parent)
        #expect(k.status == 403, "\(k.text)")
        #expect(!k.text.contains("Advice"))
        let staffK = try await server.send("GET", "/v1/cases/c1/documents/draft_plan/content?section=K&version=2", token: Tokens.portal, headers: Self.staff)
        #expect(staffK.text == "Advice from the educational psychologist.\n")
        #expect(server.casework(["audit", "verify", "c1"]).status == .success)
    }

    @Test func aStrangerLearnsNothingThroughAnyDocumentRoute() async throws {
        let server = try await Self.server()
        let routes: [(String, String)] = [("GET", "/documents"), ("GET", "/documents/draft_plan"), ("GET", "/documents/draft_plan/content?section=A"),
                                          ("POST", "/documents/draft_plan?section=A")]
        for (method, tail) in routes {
            let there = try await server.send(method, "/v1/cases/c1\(tail)", token: Tokens.portal, headers: Self.stranger + [("Content-Type", "text/plain")], raw: Array("x".utf8))
            let absent = try await server.send(method, "/v1/cases/nope\(tail)", token: Tokens.portal, headers: Self.stranger + [("Content-Type", "text/plain")], raw: Array("x".utf8))
            #expect(there.status == 403, "\(tail): \(there.text)")
            #expect(there.text == absent.text.replacingOccurrences(of: "nope", with: "c1"), "\(tail)")
        }
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 4)
    }

    @Test func withoutATokenNoDocumentRouteAnswers() async throws {
        let server = try await Self.server()
        for (method, tail) in [("GET", "/documents"), ("GET", "/documents/draft_plan"), ("GET", "/documents/draft_plan/content?section=A"),
                               ("POST", "/documents/draft_plan?section=A")] {
            let response = try await server.send(method, "/v1/cases/c1\(tail)", token: nil, headers: [("Content-Type", "text/plain")], raw: Array("x".utf8))
            #expect(response.status == 401, "\(tail): \(response.text)")
            #expect(!response.text.contains("Sam"))
        }
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 4)
    }

    /// Each refusal of an add, and nothing written.
    @Test(arguments: [
        ("/v1/cases/c1/documents/draft_plan?section=A", "text/html", 422, "invalid_input"),
        ("/v1/cases/c1/documents/draft_plan?section=A", "", 422, "invalid_input"),
        ("/v1/cases/c1/documents/draft_plan?section=", "text/plain", 422, "invalid_input"),
        ("/v1/cases/c1/documents/draft_plan?section=A&section=B", "text/plain", 422, "invalid_input"),
        ("/v1/cases/c1/documents/draft_plan?sectoin=A", "text/plain", 422, "invalid_input"),
        ("/v1/cases/c1/documents/no_such_kind", "text/plain", 422, "invalid_input"),
        ("/v1/cases/nope/documents/draft_plan?section=A", "text/plain", 404, "not_found"),
    ])
    func aBadAddIsRefusedAndWritesNothing(path: String, type: String, status: Int, code: String) async throws {
        let server = try await Self.server()
        let headers = type.isEmpty ? Self.staff : Self.staff + [("Content-Type", type)]
        let response = try await server.send("POST", path, token: Tokens.portal, headers: headers, raw: Array("<p>plan</p>".utf8))
        #expect(response.status == status, "\(response.text)")
        #expect(response.object["code"] as? String == code, "\(response.text)")
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 4)
    }

    @Test func aStaleIfMatchIsAConflictAndWritesNothing() async throws {
        let server = try await Self.server()
        let stale = try await server.send("POST", "/v1/cases/c1/documents/draft_plan?section=B", token: Tokens.portal,
                                          headers: Self.staff + [("Content-Type", "text/plain"), ("If-Match", "\"3\"")], raw: Array("b".utf8))
        #expect(stale.status == 409, "\(stale.text)")
        let fresh = try await server.send("POST", "/v1/cases/c1/documents/draft_plan?section=B", token: Tokens.portal,
                                          headers: Self.staff + [("Content-Type", "text/plain"), ("If-Match", "\"4\"")], raw: Array("b".utf8))
        #expect(fresh.status == 201, "\(fresh.text)")
    }

    @Test(arguments: ["?version=0", "?version=x", "?version=9", "?section=Z", "?other=1"])
    func aBadReadIsRefused(query: String) async throws {
        let server = try await Self.server()
        let response = try await server.send("GET", "/v1/cases/c1/documents/draft_plan/content\(query)", token: Tokens.portal, headers: Self.staff)
        #expect([404, 422].contains(response.status), "\(query): \(response.text)")
        #expect(response.header("Content-Type") == "application/problem+json")
    }
}

import Foundation
import Testing

/// `GET /v1/children/{child}/timeline` answers as `casework child timeline --format json` does for the same actor: the
/// child's cases the caller may see, none for one admitted to the child who may see none of them, and a refusal that
/// tells a stranger nothing, not even whether the child exists.
@Suite struct ServeChildRouteTests {
    static let staffArguments = ["--as", "caseworker:ana", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"]

    static func parent(_ id: String) -> (headers: [(String, String)], arguments: [String]) {
        ([("Casework-Act-As", "parent:\(id)"), ("Casework-Attribute", "relationship=parent"), ("Casework-Attribute", "second_factor_verified=true")],
         ["--as", "parent:\(id)", "--attribute", "relationship=parent", "--attribute", "second_factor_verified=true"])
    }

    /// Child k-17 with cases c1 and c2, child k-18 with case c3, made by the command line; `jo` given full access for both
    /// children, but withdrawn from c3 by a grant of its own.
    static func server() async throws -> TestServer {
        let server = try await TestServer.start()
        let commands: [[String]] = [
            ["child", "add", "k-17", "--set", "first_name=Sam"],
            ["child", "add", "k-18", "--set", "first_name=Alex"],
            ["case", "open", "ehcp-needs-assessment", "--id", "c1", "--child", "k-17"] + Self.fields("Sam"),
            ["case", "open", "ehcp-needs-assessment", "--id", "c2", "--child", "k-17"] + Self.fields("Sam"),
            ["case", "open", "ehcp-needs-assessment", "--id", "c3", "--child", "k-18"] + Self.fields("Alex"),
            ["case", "fire", "c1", "acknowledge_request"] + Self.staffArguments,
            ["child", "grant", "k-17", "--to", "jo", "--level", "full", "--reason", "mother"] + Self.staffArguments,
            ["child", "grant", "k-18", "--to", "jo", "--level", "full", "--reason", "mother"] + Self.staffArguments,
            ["access", "grant", "c3", "--to", "jo", "--level", "none", "--reason", "court order"] + Self.staffArguments,
        ]
        for command in commands {
            let run = server.casework(command)
            #expect(run.status == .success, "\(command): \(run.err)")
        }
        return server
    }

    static func fields(_ child: String) -> [String] {
        ["--set", "requested_on=2025-09-01", "--set", "requested_by=parent", "--set", "child.first_name=\(child)", "--set", "child.last_name=Lee",
         "--set", "child.date_of_birth=2015-01-01", "--participant", "parent=jo"]
    }

    @Test(arguments: [("k-17", ["c1", "c2"]), ("k-18", [])])
    func theAPIGivesTheTimelineTheCommandLineGives(child: String, cases: [String]) async throws {
        let server = try await Self.server()
        let jo = Self.parent("jo")
        let api = try await server.send("GET", "/v1/children/\(child)/timeline", token: Tokens.portal, headers: jo.headers)
        #expect(api.status == 200, "\(api.text)")
        let cli = server.casework(["child", "timeline", child, "--format", "json"] + jo.arguments)
        #expect(cli.status == .success, "\(cli.err)")
        #expect(api.text == cli.out)
        #expect((api.object["cases"] as? [[String: Any]])?.compactMap { $0["case"] as? String } == cases, "\(api.text)")
        #expect(!api.text.contains("Alex"), "a case withdrawn from the parent is not hinted at")
        let operatorView = try await server.send("GET", "/v1/children/\(child)/timeline")
        #expect(operatorView.text == server.casework(["child", "timeline", child, "--format", "json"]).out)
    }

    /// A parent with limited access for k-17 (`child.timeline` on the shipped policy), withdrawn from c2 by its own
    /// grant, follows c1 alone, alike through the API and the command line, and is refused the child's record.
    @Test func aParentWithLimitedAccessFollowsTheCasesSheMaySee() async throws {
        let server = try await Self.server()
        for command in [["child", "grant", "k-17", "--to", "lee", "--level", "limited", "--reason", "court order"] + Self.staffArguments,
                        ["access", "grant", "c2", "--to", "lee", "--level", "none", "--reason", "court order"] + Self.staffArguments] {
            let run = server.casework(command)
            #expect(run.status == .success, "\(command): \(run.err)")
        }
        let lee = Self.parent("lee")
        let api = try await server.send("GET", "/v1/children/k-17/timeline", token: Tokens.portal, headers: lee.headers)
        #expect(api.status == 200, "\(api.text)")
        #expect(api.text == server.casework(["child", "timeline", "k-17", "--format", "json"] + lee.arguments).out)
        #expect((api.object["cases"] as? [[String: Any]])?.compactMap { $0["case"] as? String } == ["c1"], "\(api.text)")
        #expect(!api.text.contains("c2"), "a case withdrawn from her is not hinted at")
        #expect(server.casework(["child", "show", "k-17"] + lee.arguments).err.hasPrefix("error[forbidden]"))
    }

    @Test func aStrangerIsRefusedAsForAChildThatDoesNotExist() async throws {
        let server = try await Self.server()
        let zed = Self.parent("zed")
        let there = try await server.send("GET", "/v1/children/k-17/timeline", token: Tokens.portal, headers: zed.headers)
        let absent = try await server.send("GET", "/v1/children/k-99/timeline", token: Tokens.portal, headers: zed.headers)
        #expect(there.status == 403, "\(there.text)")
        #expect(there.text == absent.text.replacingOccurrences(of: "k-99", with: "k-17"))
        #expect(!there.text.contains("Sam"))
        #expect(server.casework(["child", "timeline", "k-17", "--format", "json"] + zed.arguments).err.hasPrefix("error[forbidden]"))
        #expect(try await server.send("GET", "/v1/children/k-17/timeline?x=1").status == 422)
        #expect(try await server.send("GET", "/v1/children/k-17/timeline", token: nil).status == 401)
    }
}

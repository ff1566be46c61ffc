import Foundation
import Testing
@testable import CaseworkCommandLine

/// Every change the API makes records, beside its actor, what the actor came through: the service whose token called
/// or the issuer whose JWT named them. The command line records none, and otherwise writes the same history.
@Suite struct ServeAuditViaTests {
    static let staff = [("Casework-Act-As", "caseworker:ana"), ("Casework-Attribute", "relationship=caseworker"), ("Casework-Attribute", "second_factor_verified=true")]
    static let staffArguments = ["--as", "caseworker:ana", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"]
    static let manager = [("Casework-Act-As", "send_manager:sam"), ("Casework-Attribute", "relationship=caseworker"), ("Casework-Attribute", "second_factor_verified=true")]

    /// The case's history as `case history --format json` prints it.
    static func history(_ server: TestServer, _ id: String) throws -> [[String: Any]] {
        let printed = server.casework(["case", "history", id, "--format", "json"])
        return try #require(try JSONSerialization.jsonObject(with: Data(printed.out.utf8)) as? [[String: Any]], "\(printed.err)")
    }

    /// An event's `via` as `KIND NAME`, or `directly` when it is null.
    static func via(_ event: [String: Any]) -> String {
        guard let via = event["via"] as? [String: Any] else { return event["via"] is NSNull ? "directly" : "missing" }
        return "\(via["kind"] as? String ?? "?") \(via["name"] as? String ?? "?")"
    }

    @Test func everyWriteRouteRecordsTheServiceOrIssuerItsActorCameThrough() async throws {
        // Opened by the desk service, granted and given two documents by the portal for a caseworker.
        let server = try await ServeDocumentRouteTests.server()
        let fired = try await server.send("POST", "/v1/cases/c1/transitions/acknowledge_request", token: TestIdentityProvider.token(TestIdentityProvider.caseworkerClaims()))
        #expect(fired.status == 200, "\(fired.text)")
        let excused = try await server.send("POST", "/v1/cases/c1/deadlines/decide_whether_to_assess/excuse", token: Tokens.portal, headers: Self.manager,
                                            json: #"{"reason": "the family abroad", "exception": "reg-5-4-circumstances"}"#)
        #expect(excused.status == 200, "\(excused.text)")
        let direct = server.casework(["case", "fire", "c1", "record_evidence", "--set", "evidence_complete=true"] + Self.staffArguments)
        #expect(direct.status == .success, "\(direct.err)")

        let events = try Self.history(server, "c1")
        #expect(events.map { "\($0["actor"] as? String ?? "?") via \(Self.via($0))" } == [
            "operator:desk via service desk", "caseworker:ana via service portal", "caseworker:ana via service portal", "caseworker:ana via service portal",
            "caseworker:ana via issuer \(TestIdentityProvider.issuer)", "send_manager:sam via service portal", "caseworker:ana via directly",
        ])
        let verified = server.casework(["audit", "verify", "c1"])
        #expect(verified.status == .success)
        #expect(verified.out == """
            case c1: 7 events, chain intact, record replays
            case c1: 1 event through issuer \(TestIdentityProvider.issuer)
            case c1: 1 event through service desk
            case c1: 4 events through service portal

            """, "\(verified.err)")
        let audit = try await server.send("GET", "/v1/cases/c1/audit", token: Tokens.portal, headers: Self.staff)
        #expect(audit.object["holds"] as? Bool == true, "\(audit.text)")
        #expect((audit.object["via"] as? [[String: Any]])?.map { "\($0["kind"] as? String ?? "?") \($0["name"] as? String ?? "?"): \($0["events"] as? Int ?? 0)" } == [
            "issuer \(TestIdentityProvider.issuer): 1", "service desk: 1", "service portal: 4",
        ], "\(audit.text)")
        let api = try await server.send("GET", "/v1/cases/c1/history", token: Tokens.portal, headers: Self.staff)
        #expect((api.object["events"] as? [[String: Any]])?.map(Self.via) == events.map(Self.via))
        let text = server.casework(["case", "history", "c1"]).out
        #expect(text.contains(" send_manager:sam via service portal deadline_excused decide_whether_to_assess"), "\(text)")
    }

    @Test func theDeskShowsWhatEachStepCameThrough() async throws {
        let server = try await TestServer.start()
        try await Desks.open(server, "c1", daysAgo: 5)
        let fired = try await server.send("POST", "/v1/cases/c1/transitions/acknowledge_request", token: Tokens.portal, headers: Desks.caseworker)
        #expect(fired.status == 200, "\(fired.text)")
        var browser = DeskBrowser(server: server)
        #expect(try await browser.signIn("caseworker:amy", relationship: "caseworker").status == 303)
        let page = try await browser.get("/desk/cases/c1")
        #expect(page.status == 200, "\(page.text)")
        #expect(page.text.contains("caseworker:amy<br><span class=\"via\">via service portal</span>"), "\(page.text)")
        #expect(page.text.contains("<ul id=\"audit-via\"><li>1 through service desk</li><li>1 through service portal</li></ul>"), "\(page.text)")
    }

    @Test func theFormStepsRecordTheServiceToo() async throws {
        let server = try await TestServer.start()
        try await ServeFormRouteTests.gatheringAdvice(server, "c1")
        #expect(try await server.send("POST", "/v1/cases/c1/forms/professional-advice-1/submit", json: ServeFormRouteTests.answers).status == 200)
        #expect(try await server.send("POST", "/v1/cases/c1/forms/professional-advice-1/reject", json: #"{"reason": "Say more"}"#).status == 200)
        #expect(try await server.send("POST", "/v1/cases/c1/forms/professional-advice-1/submit", json: ServeFormRouteTests.answers).status == 200)
        #expect(try await server.send("POST", "/v1/cases/c1/forms/professional-advice-1/accept").status == 200)
        let events = try Self.history(server, "c1")
        #expect(events.suffix(4).map { $0["action"] as? String ?? "?" } == ["form_submitted", "form_rejected", "form_submitted", "form_accepted"])
        #expect(Set(events.map(Self.via)) == ["service desk"])
    }

    @Test func aTickAskedForByAServiceNamesItAndTheCommandLinesNamesNone() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        #expect(try await server.send("POST", "/v1/tick", json: "{}").status == 200)
        try await server.openCase("c2")
        #expect(server.casework(["tick"]).status == .success)
        let api = try Self.history(server, "c1").dropFirst()
        let cli = try Self.history(server, "c2").dropFirst()
        #expect(!api.isEmpty && api.count == cli.count)
        #expect(api.allSatisfy { $0["actor"] as? String == "operator:tick" && Self.via($0) == "service desk" }, "\(api)")
        #expect(cli.allSatisfy { $0["actor"] as? String == "operator:tick" && Self.via($0) == "directly" }, "\(cli)")
    }

    @Test func theCommandLineAndTheAPIWriteTheSameHistoryApartFromVia() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        try await server.openCase("c2")
        let api = try await server.send("POST", "/v1/cases/c1/transitions/acknowledge_request", token: Tokens.portal, headers: Self.staff)
        #expect(api.status == 200, "\(api.text)")
        let cli = server.casework(["case", "fire", "c2", "acknowledge_request"] + Self.staffArguments)
        #expect(cli.status == .success, "\(cli.err)")
        func comparable(_ id: String) throws -> [NSDictionary] {
            try Self.history(server, id).map { event in
                var event = event
                for key in ["at", "hash", "previous_hash", "via"] { event[key] = nil }
                return event as NSDictionary
            }
        }
        #expect(try comparable("c1") == (try comparable("c2")))
        #expect(try Self.history(server, "c1").map(Self.via) == ["service desk", "service portal"])
        #expect(try Self.history(server, "c2").map(Self.via) == ["service desk", "directly"])
    }
}

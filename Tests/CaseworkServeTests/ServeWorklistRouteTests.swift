import Foundation
import Testing

/// People as the portal service signs them in, for the routes the case desk reads.
enum Desks {
    static let caseworker = [("Casework-Act-As", "caseworker:amy"), ("Casework-Attribute", "relationship=caseworker"),
                             ("Casework-Attribute", "second_factor_verified=true")]
    static let manager = [("Casework-Act-As", "send_manager:pat"), ("Casework-Attribute", "relationship=caseworker"),
                          ("Casework-Attribute", "second_factor_verified=true")]
    static func parent(_ id: String) -> [(String, String)] {
        [("Casework-Act-As", "parent:\(id)"), ("Casework-Attribute", "relationship=parent"), ("Casework-Attribute", "second_factor_verified=true")]
    }

    /// The day `days` before today, as the API takes dates.
    static func daysAgo(_ days: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London")!
        let day = calendar.date(byAdding: .day, value: -days, to: Date())!
        let parts = calendar.dateComponents([.year, .month, .day], from: day)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// Opens an EHC needs assessment for `child`, requested `daysAgo` days ago, with `parent` taking part.
    static func open(_ server: TestServer, _ id: String, child: String = "Sam", parent: String = "jo", daysAgo: Int, summary: String? = nil) async throws {
        var fields: [String: Any] = ["requested_on": Self.daysAgo(daysAgo), "requested_by": "parent",
                                     "child": ["first_name": child, "last_name": "Lee", "date_of_birth": "2015-01-01"]]
        fields["request_summary"] = summary
        let body: [String: Any] = ["workflow": "ehcp-needs-assessment", "id": id, "fields": fields, "participants": ["parent": parent]]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        let opened = try await server.send("POST", "/v1/cases", json: json)
        #expect(opened.status == 201, "\(opened.text)")
    }

    /// Gives `parent` access to case `id` at `level`, as the operator.
    static func grant(_ server: TestServer, _ id: String, _ parent: String, _ level: String) async throws {
        let granted = try await server.send("POST", "/v1/cases/\(id)/grants", json: #"{"to": "\#(parent)", "level": "\#(level)", "reason": "test"}"#)
        #expect(granted.status == 200, "\(granted.text)")
    }
}

/// `GET /v1/worklist`: the clocks overdue, due this week and paused, the notices owed and the forms waiting on the
/// cases the caller may see, each part only as the caller may read it.
@Suite struct ServeWorklistRouteTests {
    static func cases(_ list: Any?) -> [String] { (list as? [[String: Any]] ?? []).compactMap { $0["case"] as? String } }

    @Test func theWorkListSortsTheClocksAndListsTheFormsWaiting() async throws {
        let server = try await TestServer.start()
        try await Desks.open(server, "soon", daysAgo: 38)
        try await Desks.open(server, "late", daysAgo: 45)
        try await Desks.open(server, "fresh", daysAgo: 1)
        try await ServeFormRouteTests.gatheringAdvice(server, "advice")
        let submitted = try await server.send("POST", "/v1/cases/advice/forms/professional-advice-1/submit", json: ServeFormRouteTests.answers)
        #expect(submitted.status == 200, "\(submitted.text)")

        let response = try await server.send("GET", "/v1/worklist", token: Tokens.portal, headers: Desks.caseworker)
        #expect(response.status == 200, "\(response.text)")
        let list = response.object
        #expect(Self.cases(list["due_this_week"]) == ["soon"], "\(response.text)")
        #expect(Self.cases(list["overdue"]).contains("late"))
        #expect(!Self.cases(list["overdue"]).contains("fresh") && !Self.cases(list["due_this_week"]).contains("fresh"))
        let due = try #require((list["due_this_week"] as? [[String: Any]])?.first)
        #expect(due["name"] as? String == "decide_whether_to_assess")
        #expect(due["title"] as? String == "Decide whether to carry out an EHC needs assessment (Regs 5(1))")
        let shown = try await server.send("GET", "/v1/cases/soon").object["deadlines"] as? [[String: Any]]
        #expect(due["days_left"] as? Int == shown?.first { $0["name"] as? String == "decide_whether_to_assess" }?["days_left"] as? Int)
        let waiting = try #require((list["forms_waiting"] as? [[String: Any]])?.first, "\(response.text)")
        #expect(waiting["case"] as? String == "advice" && waiting["form"] as? String == "professional-advice-1")
        let forms = try await server.send("GET", "/v1/cases/advice/forms", token: Tokens.portal, headers: Desks.caseworker).object["waiting"] as? [[String: Any]]
        #expect(forms?.map { $0["form"] as? String } == [waiting["form"] as? String], "the work list names the forms the case's own list does")
        let manager = try await server.send("GET", "/v1/worklist", token: Tokens.portal, headers: ServeDeadlineRouteTests.manager)
        #expect((manager.object["forms_waiting"] as? [Any])?.isEmpty == true, "a manager the form is not accepted_by has no form to accept: \(manager.text)")
        #expect(list["next"] is NSNull)
        #expect(list["paused"] as? [Any] != nil && list["notices_owed"] as? [Any] != nil && list["as_of"] is String)
    }

    @Test func noticesOwedAreStaffWorkAndAParentSeesOnlyTheirOwnCase() async throws {
        let server = try await TestServer.start()
        try await Desks.open(server, "c1", daysAgo: 10)
        try await Desks.open(server, "c2", child: "Alex", parent: "kim", daysAgo: 10)
        try await Desks.grant(server, "c2", "kim", "full")
        // jo has no grant on c1, so the acknowledgement the workflow sends jo is owed by another route.
        let fired = try await server.send("POST", "/v1/cases/c1/transitions/acknowledge_request", token: Tokens.portal, headers: Desks.caseworker)
        #expect(fired.status == 200, "\(fired.text)")

        let staff = try await server.send("GET", "/v1/worklist", token: Tokens.portal, headers: Desks.caseworker).object
        let owed = try #require(staff["notices_owed"] as? [[String: Any]])
        #expect(owed.contains { $0["case"] as? String == "c1" && $0["recipient_id"] as? String == "jo" }, "\(owed)")

        let parent = try await server.send("GET", "/v1/worklist", token: Tokens.portal, headers: Desks.parent("kim"))
        #expect(parent.status == 200, "\(parent.text)")
        #expect((parent.object["notices_owed"] as? [Any])?.isEmpty == true)
        #expect(!parent.text.contains("\"c1\""), "\(parent.text)")
        #expect(Self.cases(parent.object["due_this_week"]) + Self.cases(parent.object["overdue"]) == [])
    }

    @Test func theWorkListNeedsATokenAndTakesThePagingOfTheCaseList() async throws {
        let server = try await TestServer.start()
        #expect(try await server.send("GET", "/v1/worklist", token: nil).status == 401)
        #expect(try await server.send("GET", "/v1/worklist?limit=0").status == 422)
        try await Desks.open(server, "a", daysAgo: 38)
        try await Desks.open(server, "b", daysAgo: 38)
        let first = try await server.send("GET", "/v1/worklist?limit=1").object
        #expect(Self.cases(first["due_this_week"]) == ["a"])
        let next = try #require(first["next"] as? String)
        let second = try await server.send("GET", "/v1/worklist?limit=1&after=\(next)").object
        #expect(Self.cases(second["due_this_week"]) == ["b"])
    }
}

/// `GET /v1/cases/{case}/history` and `/audit`: the case's audit trail as `case history` and `audit verify` give it;
/// `GET /v1/cases/{case}/transitions` with each step's declared input.
@Suite struct ServeCaseHistoryRouteTests {
    @Test func historyIsForThoseWhoDecideAccessAndAgreesWithTheCommandLine() async throws {
        let server = try await TestServer.start()
        try await Desks.open(server, "c1", daysAgo: 5)
        try await Desks.grant(server, "c1", "jo", "full")
        let history = try await server.send("GET", "/v1/cases/c1/history", token: Tokens.portal, headers: Desks.caseworker)
        #expect(history.status == 200, "\(history.text)")
        let events = try #require(history.object["events"] as? [[String: Any]])
        #expect(events.map { $0["action"] as? String } == ["opened", "access_granted"])
        let cli = server.casework(["case", "history", "c1", "--format", "json", "--as", "caseworker:amy", "--attribute", "relationship=caseworker",
                                   "--attribute", "second_factor_verified=true"])
        let printed = try JSONSerialization.jsonObject(with: Data(cli.out.utf8)) as? [[String: Any]]
        #expect(printed?.map { $0["hash"] as? String } == events.map { $0["hash"] as? String })

        let parent = try await server.send("GET", "/v1/cases/c1/history", token: Tokens.portal, headers: Desks.parent("jo"))
        #expect(parent.status == 403, "\(parent.text)")
        #expect(!parent.text.contains("Sam"))
        #expect(try await server.send("GET", "/v1/cases/c1/history", token: nil).status == 401)
    }

    @Test func theAuditCheckHoldsForAnUntouchedCaseAndIsRefusedToStrangers() async throws {
        let server = try await TestServer.start()
        try await Desks.open(server, "c1", daysAgo: 5)
        let audit = try await server.send("GET", "/v1/cases/c1/audit", token: Tokens.portal, headers: Desks.caseworker)
        #expect(audit.status == 200, "\(audit.text)")
        #expect(audit.object["holds"] as? Bool == true)
        #expect(audit.object["finding"] as? String == "case c1: 1 events, chain intact, record replays")
        let stranger = try await server.send("GET", "/v1/cases/c1/audit", token: Tokens.portal, headers: Desks.parent("zed"))
        let missing = try await server.send("GET", "/v1/cases/nope/audit", token: Tokens.portal, headers: Desks.parent("zed"))
        #expect(stranger.status == 403 && missing.status == 403, "\(stranger.text) \(missing.text)")
        #expect(stranger.object["detail"] as? String == missing.object["detail"] as? String)
    }

    @Test func transitionsGiveTheStateTheyLeadToAndTheirDeclaredInput() async throws {
        let server = try await TestServer.start()
        try await Desks.open(server, "c1", daysAgo: 5)
        let list = try await server.send("GET", "/v1/cases/c1/transitions", token: Tokens.portal, headers: Desks.caseworker)
        #expect(list.status == 200, "\(list.text)")
        let steps = (try JSONSerialization.jsonObject(with: Data(list.body)) as? [[String: Any]]) ?? []
        let evidence = try #require(steps.first { $0["name"] as? String == "record_evidence" })
        #expect(evidence["to"] as? String == "deciding_to_assess")
        let input = try #require((evidence["input"] as? [[String: Any]])?.first)
        #expect(input["field"] as? String == "evidence_complete" && input["required"] as? Bool == true)
        #expect((input["type"] as? [String: Any])?["name"] as? String == "bool")
        let withdraw = try #require(steps.first { $0["name"] as? String == "withdraw_request" })
        let types = (withdraw["input"] as? [[String: Any]] ?? []).map { ($0["type"] as? [String: Any])?["name"] as? String }
        #expect(types.contains("date"), "\(withdraw)")
    }
}

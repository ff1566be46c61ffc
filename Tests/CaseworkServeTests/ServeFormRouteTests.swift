import Foundation
import Testing

/// The form routes take a shared form through submit, accept and reject as `casework form submit|accept|reject` do,
/// through the same engine calls.
@Suite struct ServeFormRouteTests {
    static let stranger = [("Casework-Act-As", "parent:zed"), ("Casework-Attribute", "relationship=parent"), ("Casework-Attribute", "second_factor_verified=true")]
    static let answers = #"{"fields": {"advice_type": "educational", "met_child": true, "assessed_on": "2025-10-10", "advice_giver": {"name": "Dr Rao"}}}"#

    /// Opens case `id` and takes it to gathering advice, where the professional advice forms are shared.
    static func gatheringAdvice(_ server: TestServer, _ id: String) async throws {
        try await server.openCase(id)
        for (transition, body) in [("acknowledge_request", "{}"), ("record_evidence", #"{"input": {"evidence_complete": true}}"#),
                                   ("agree_to_assess", #"{"input": {"assessment_decision_on": "2025-10-01", "advice_requested_on": "2025-10-02"}}"#)] {
            let fired = try await server.send("POST", "/v1/cases/\(id)/transitions/\(transition)", json: body)
            #expect(fired.status == 200, "\(transition): \(fired.text)")
        }
    }

    static func form(_ response: RawResponse, _ id: String) -> [String: Any]? {
        (response.object["forms"] as? [[String: Any]])?.first { $0["id"] as? String == id }
    }

    @Test func aFormIsSubmittedReturnedResubmittedAndAccepted() async throws {
        let server = try await TestServer.start()
        try await Self.gatheringAdvice(server, "c1")
        let revision = try #require(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int)

        let submitted = try await server.send("POST", "/v1/cases/c1/forms/professional-advice-1/submit", headers: [("If-Match", "\"\(revision)\"")], json: Self.answers)
        #expect(submitted.status == 200, "\(submitted.text)")
        #expect(submitted.header("ETag") == "\"\(revision + 1)\"")
        #expect(Self.form(submitted, "professional-advice-1")?["status"] as? String == "submitted")
        #expect(submitted.text == server.casework(["case", "show", "c1", "--format", "json"]).out)

        let returned = try await server.send("POST", "/v1/cases/c1/forms/professional-advice-1/reject", headers: [("Idempotency-Key", "r1")],
                                             json: #"{"reason": "Say how many hours of support"}"#)
        #expect(returned.status == 200, "\(returned.text)")
        #expect(Self.form(returned, "professional-advice-1")?["status"] as? String == "rejected")
        let again = try await server.send("POST", "/v1/cases/c1/forms/professional-advice-1/reject", headers: [("Idempotency-Key", "r1")],
                                          json: #"{"reason": "Say how many hours of support"}"#)
        #expect(again.status == 200, "\(again.text)")
        #expect(again.header("Idempotent-Replayed") == "true")
        #expect(again.header("ETag") == returned.header("ETag"))

        #expect(try await server.send("POST", "/v1/cases/c1/forms/professional-advice-1/submit", json: Self.answers).status == 200)
        let accepted = try await server.send("POST", "/v1/cases/c1/forms/professional-advice-1/accept")
        #expect(accepted.status == 200, "\(accepted.text)")
        #expect(Self.form(accepted, "professional-advice-1")?["status"] as? String == "accepted")
        #expect(accepted.header("ETag") == "\"\(revision + 4)\"")
    }

    @Test(arguments: [
        ("submit", #"{"fields": {"advice_type": "astrological"}}"#, "advice_type"),
        ("submit", #"{"fields": {"met_child": "yes", "assessed_on": "10 Oct"}}"#, "assessed_on"),
        ("submit", #"{"fields": {"advice_giver": {"shoe_size": 9}}}"#, "advice_giver.shoe_size"),
        ("submit", #"{"fields": "all of them"}"#, "fields"),
        ("submit", #"{"answers": {}}"#, "answers"),
        ("reject", #"{}"#, "reason"),
        ("reject", #"{"reason": "  "}"#, "reason"),
        ("reject", #"{"reason": 3}"#, "reason"),
        ("accept", #"{"reason": "fine"}"#, "reason"),
    ])
    func aBadFormStepIsRefusedWithItsPathAndChangesNothing(step: String, body: String, path: String) async throws {
        let server = try await TestServer.start()
        try await Self.gatheringAdvice(server, "c1")
        let before = try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int
        let response = try await server.send("POST", "/v1/cases/c1/forms/professional-advice-1/\(step)", json: body)
        #expect(response.status == 422, "\(response.text)")
        let problems = response.object["problems"] as? [[String: Any]] ?? []
        #expect(problems.map { $0["path"] as? String }.contains(path), "\(response.text)")
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == before)
    }

    @Test func aStepTheFormIsNotReadyForIsBlockedAndAStaleRevisionConflicts() async throws {
        let server = try await TestServer.start()
        try await Self.gatheringAdvice(server, "c1")
        let before = try #require(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int)
        for step in ["accept", "reject"] {
            let early = try await server.send("POST", "/v1/cases/c1/forms/professional-advice-1/\(step)", json: step == "reject" ? #"{"reason": "r"}"# : nil)
            #expect(early.status == 422, "\(early.text)")
            #expect(early.object["code"] as? String == "blocked", "\(early.text)")
        }
        let stale = try await server.send("POST", "/v1/cases/c1/forms/professional-advice-1/submit", headers: [("If-Match", "\(before - 1)")], json: Self.answers)
        #expect(stale.status == 409, "\(stale.text)")
        let unknown = try await server.send("POST", "/v1/cases/c1/forms/no-such-form-1/accept")
        #expect(unknown.status == 404, "\(unknown.text)")
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == before)
    }

    @Test func aStrangerLearnsNothingAboutWhetherTheCaseExists() async throws {
        let server = try await TestServer.start()
        try await Self.gatheringAdvice(server, "c1")
        let before = try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int
        for (step, body) in [("submit", Self.answers), ("accept", "{}"), ("reject", #"{"reason": "r"}"#)] {
            let refused = try await server.send("POST", "/v1/cases/c1/forms/professional-advice-1/\(step)", token: Tokens.portal, headers: Self.stranger, json: body)
            let absent = try await server.send("POST", "/v1/cases/c404/forms/professional-advice-1/\(step)", token: Tokens.portal, headers: Self.stranger, json: body)
            #expect(refused.status == 403, "\(step): \(refused.text)")
            #expect(refused.status == absent.status)
            #expect(refused.text == absent.text)
        }
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == before)
    }

    /// `case show --format json` with the times the case was opened and last changed left out: they differ by when it ran.
    static func shown(_ server: TestServer) throws -> NSDictionary {
        let shown = server.casework(["case", "show", "c1", "--format", "json"])
        #expect(shown.status == .success, "\(shown.err)")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(shown.out.utf8)) as? [String: Any])
        object["opened_at"] = nil
        object["updated_at"] = nil
        return object as NSDictionary
    }

    static let psychologist = ["--as", "educational_psychology:ep@ep-service", "--attribute", "relationship=professional", "--attribute", "second_factor_verified=true"]
    static let psychologistHeaders = [("Casework-Act-As", "educational_psychology:ep@ep-service"), ("Casework-Attribute", "relationship=professional"),
                                      ("Casework-Attribute", "second_factor_verified=true")]
    static let caseworker = ["--as", "caseworker:ana", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"]
    static let caseworkerHeaders = [("Casework-Act-As", "caseworker:ana"), ("Casework-Attribute", "relationship=caseworker"), ("Casework-Attribute", "second_factor_verified=true")]

    /// The forms on the case's own answer for those who may take a form step: `GET /v1/cases/{case}/forms` names a
    /// submitted form to the caseworker the form is `accepted_by` and to the operator; a manager (not `accepted_by`)
    /// and a parent with full access are told of none; a stranger is refused exactly as for the case itself, learning
    /// nothing of the form; a form no longer submitted waits for no one.
    @Test func theFormsWaitingAreThoseTheCallerMayAcceptOrReturn() async throws {
        let server = try await TestServer.start()
        try await Self.gatheringAdvice(server, "c1")
        try await Desks.grant(server, "c1", "jo", "full")
        func waiting(_ token: String = Tokens.desk, _ headers: [(String, String)] = []) async throws -> [String]? {
            let answer = try await server.send("GET", "/v1/cases/c1/forms", token: token, headers: headers)
            #expect(answer.status == 200, "\(answer.text)")
            return (answer.object["waiting"] as? [[String: Any]])?.compactMap { $0["form"] as? String }
        }
        #expect(try await waiting() == [], "nothing is submitted yet")
        #expect(try await server.send("POST", "/v1/cases/c1/forms/professional-advice-1/submit", json: Self.answers).status == 200)

        #expect(try await waiting() == ["professional-advice-1"])
        #expect(try await waiting(Tokens.portal, Self.caseworkerHeaders) == ["professional-advice-1"])
        #expect(try await waiting(Tokens.portal, ServeDeadlineRouteTests.manager) == [], "a manager is not among the form's accepted_by")
        #expect(try await waiting(Tokens.portal, ServeDeadlineRouteTests.parent) == [], "a parent may not take a form step")
        let entry = try #require((try await server.send("GET", "/v1/cases/c1/forms").object["waiting"] as? [[String: Any]])?.first)
        let shown = try #require(Self.form(try await server.send("GET", "/v1/cases/c1"), "professional-advice-1"))
        #expect(entry["recipient_role"] as? String == shown["recipient_role"] as? String && entry["due_on"] as? String == shown["due_on"] as? String)
        #expect(entry["submissions"] as? Int == 1)

        let stranger = try await server.send("GET", "/v1/cases/c1/forms", token: Tokens.portal, headers: Self.stranger)
        let caseAnswer = try await server.send("GET", "/v1/cases/c1", token: Tokens.portal, headers: Self.stranger)
        #expect(stranger.status == caseAnswer.status && stranger.object["code"] as? String == caseAnswer.object["code"] as? String, "\(stranger.text)")
        #expect(!stranger.text.contains("professional-advice"), "\(stranger.text)")
        let missing = try await server.send("GET", "/v1/cases/nowhere/forms", token: Tokens.portal, headers: Self.stranger)
        #expect(missing.status == stranger.status && missing.object["code"] as? String == stranger.object["code"] as? String,
                "a stranger cannot tell a case they may not see from no case: \(missing.text)")

        #expect(try await server.send("POST", "/v1/cases/c1/forms/professional-advice-1/accept", token: Tokens.portal, headers: Self.caseworkerHeaders).status == 200)
        #expect(try await waiting(Tokens.portal, Self.caseworkerHeaders) == [], "an accepted form waits no more")
        #expect(try await server.send("GET", "/v1/cases/c1/forms", token: nil).status == 401)
    }

    @Test func theCommandLineAndTheAPIDoingTheSameStepsLeaveTheSameCase() async throws {
        let cliServer = try await TestServer.start(), apiServer = try await TestServer.start()
        for server in [cliServer, apiServer] {
            try await Self.gatheringAdvice(server, "c1")
            let granted = try await server.send("POST", "/v1/cases/c1/grants", json: #"{"to": "organisation:ep-service", "level": "full", "reason": "advice"}"#)
            #expect(granted.status == 200, "\(granted.text)")
        }
        let form = "professional-advice-1"
        let submit = cliServer.casework(["form", "submit", "c1", form, "--set", "advice_type=educational", "--set", "met_child=true",
                                         "--set", "assessed_on=2025-10-10", "--set", "advice_giver.name=Dr Rao"] + Self.psychologist)
        #expect(submit.status == .success, "\(submit.err)")
        let reject = cliServer.casework(["form", "reject", "c1", form, "--reason", "Say how many hours of support"] + Self.caseworker)
        #expect(reject.status == .success, "\(reject.err)")
        let submitted = try await apiServer.send("POST", "/v1/cases/c1/forms/\(form)/submit", token: Tokens.advice, headers: Self.psychologistHeaders, json: Self.answers)
        #expect(submitted.status == 200, "\(submitted.text)")
        let rejected = try await apiServer.send("POST", "/v1/cases/c1/forms/\(form)/reject", token: Tokens.portal, headers: Self.caseworkerHeaders,
                                                json: #"{"reason": "Say how many hours of support"}"#)
        #expect(rejected.status == 200, "\(rejected.text)")
        let returned = try Self.shown(apiServer)
        #expect(((returned["forms"] as? [[String: Any]])?.first { $0["id"] as? String == form })?["status"] as? String == "rejected")
        #expect(try Self.shown(cliServer) == returned)

        let resubmit = cliServer.casework(["form", "submit", "c1", form, "--set", "advice_type=medical"] + Self.psychologist)
        #expect(resubmit.status == .success, "\(resubmit.err)")
        let accept = cliServer.casework(["form", "accept", "c1", form] + Self.caseworker)
        #expect(accept.status == .success, "\(accept.err)")
        #expect(try await apiServer.send("POST", "/v1/cases/c1/forms/\(form)/submit", token: Tokens.advice, headers: Self.psychologistHeaders,
                                         json: #"{"fields": {"advice_type": "medical"}}"#).status == 200)
        let accepted = try await apiServer.send("POST", "/v1/cases/c1/forms/\(form)/accept", token: Tokens.portal, headers: Self.caseworkerHeaders)
        #expect(accepted.status == 200, "\(accepted.text)")
        let cli = try Self.shown(cliServer), api = try Self.shown(apiServer)
        #expect(cli == api)
        #expect(((cli["forms"] as? [[String: Any]])?.first { $0["id"] as? String == form })?["status"] as? String == "accepted")
    }
}

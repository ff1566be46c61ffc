import Foundation
import Testing
@testable import CaseworkCommandLine

/// The API and the command line give the same answers to the same requests: they make the same engine calls and
/// write the same JSON.
@Suite struct ServeCLIAgreementTests {
    @Test func oneCaseReadAndDecidedBothWaysGivesTheSameAnswers() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        // The operator's view of the whole case.
        let cliShow = server.casework(["case", "show", "c1", "--format", "json"])
        #expect(cliShow.status == .success, "\(cliShow.err)")
        #expect(try await server.send("GET", "/v1/cases/c1").text == cliShow.out)

        // A step fired by the command line as a caseworker is seen by the API, and the reverse.
        let caseworker = ["--as", "caseworker:ana", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"]
        #expect(server.casework(["case", "fire", "c1", "acknowledge_request"] + caseworker).status == .success)
        let grant = server.casework(["access", "grant", "c1", "--to", "jo", "--level", "limited", "--reason", "the family's portal",
                                     "--as", "send_manager:sam", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"])
        #expect(grant.status == .success, "\(grant.err)")

        // A parent with limited access sees the same redacted case both ways.
        let parent = ["--as", "parent:jo", "--attribute", "relationship=parent", "--attribute", "second_factor_verified=true"]
        let cliParent = server.casework(["case", "show", "c1", "--format", "json"] + parent)
        #expect(cliParent.status == .success, "\(cliParent.err)")
        let apiParent = try await server.send("GET", "/v1/cases/c1", token: Tokens.portal, headers: [
            ("Casework-Act-As", "parent:jo"), ("Casework-Attribute", "relationship=parent"), ("Casework-Attribute", "second_factor_verified=true"),
        ])
        #expect(apiParent.status == 200)
        #expect(apiParent.text == cliParent.out)
        #expect(apiParent.object["withheld"] as? [String] != nil)

        // And follows the same timeline both ways.
        let cliTimeline = server.casework(["case", "timeline", "c1", "--format", "json"] + parent)
        #expect(cliTimeline.status == .success, "\(cliTimeline.err)")
        let apiTimeline = try await server.send("GET", "/v1/cases/c1/timeline", token: Tokens.portal, headers: [
            ("Casework-Act-As", "parent:jo"), ("Casework-Attribute", "relationship=parent"), ("Casework-Attribute", "second_factor_verified=true"),
        ])
        #expect(apiTimeline.status == 200)
        #expect(apiTimeline.text == cliTimeline.out)

        // A refusal carries the same code both ways: a stranger is forbidden.
        let stranger = ["--as", "parent:zed", "--attribute", "relationship=parent", "--attribute", "second_factor_verified=true"]
        let cliStranger = server.casework(["case", "show", "c1", "--format", "json"] + stranger)
        #expect(cliStranger.err.hasPrefix("error[forbidden]"))
        let apiStranger = try await server.send("GET", "/v1/cases/c1", token: Tokens.portal, headers: [
            ("Casework-Act-As", "parent:zed"), ("Casework-Attribute", "relationship=parent"), ("Casework-Attribute", "second_factor_verified=true"),
        ])
        #expect(apiStranger.object["code"] as? String == "forbidden")

        // One access decision, and a batch of them, from the same request text.
        let request = #"{"actor": {"id": "parent-b", "role": "parent", "second_factor_verified": true, "relationship": "parent"}, "action": "view", "resource": "ehcp", "case": {"id": "c1", "workflow": "ehcp-needs-assessment", "state": "gathering_advice", "fields": {"child": {"date_of_birth": "2015-03-02"}}}, "grants": [{"to": "parent-a", "level": "full"}, {"to": "parent-b", "level": "limited"}], "at": "2025-11-25T10:00:00Z"}"#
        let file = server.directory.appendingPathComponent("request.json")
        try request.write(to: file, atomically: true, encoding: .utf8)
        let cliDecide = server.casework(["decide", file.path, "--format", "json"], store: false)
        #expect(cliDecide.status == .success, "\(cliDecide.err)")
        #expect(try await server.send("POST", "/v1/decide", json: request).text == cliDecide.out)
        let lines = request + "\n{\"actor\": 1}\n"
        let batchFile = server.directory.appendingPathComponent("requests.jsonl")
        try lines.write(to: batchFile, atomically: true, encoding: .utf8)
        let cliBatch = server.casework(["decide", "--batch", batchFile.path], store: false)
        let apiBatch = try await server.send("POST", "/v1/decide/batch", json: lines)
        #expect(apiBatch.status == 200)
        #expect(apiBatch.header("Content-Type") == "application/x-ndjson")
        #expect(apiBatch.text == cliBatch.out)
        #expect(apiBatch.text.split(separator: "\n").count == 2)
    }
}

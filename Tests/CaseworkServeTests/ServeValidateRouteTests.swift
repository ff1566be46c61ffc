import Foundation
import Testing
@testable import CaseworkCommandLine

/// `POST /v1/validate` checks definition files sent in the body as `casework validate --format json` checks them on disk.
@Suite struct ServeValidateRouteTests {
    static let broken = "workflow: x\nversion: 1\nstates:\n  - name: a\n    unknown_key: 1\n"

    @Test func theDiagnosticsAreTheCommandLinesForTheSameFiles() async throws {
        let server = try await TestServer.start()
        let file = server.directory.appendingPathComponent("broken.yaml")
        try Self.broken.write(to: file, atomically: true, encoding: .utf8)
        let console = Captured()
        let status = CaseworkCommand.run(["validate", file.path, "--format", "json"], console: console)
        #expect(status == .failure)
        let body = try JSONSerialization.data(withJSONObject: ["files": [file.path: Self.broken]])
        let api = try await server.send("POST", "/v1/validate", json: String(decoding: body, as: UTF8.self))
        #expect(api.status == 200, "\(api.text)")
        #expect(api.text == console.streams.withLock { $0.out })
        let diagnostics = try #require(try JSONSerialization.jsonObject(with: Data(api.body)) as? [[String: Any]])
        #expect(diagnostics.contains { $0["severity"] as? String == "error" })
    }

    @Test func aYAMLErrorIsADiagnosticNotAFailure() async throws {
        let server = try await TestServer.start()
        let api = try await server.send("POST", "/v1/validate", json: #"{"files": {"Workflows/x.yaml": "a: [\n"}}"#)
        #expect(api.status == 200, "\(api.text)")
        #expect(api.text.contains("Workflows/x.yaml"))
    }

    @Test(arguments: [#"{}"#, #"{"files": {}}"#, #"{"files": []}"#, #"{"files": {"x.yaml": 1}}"#, #"{"files": {"": "a: 1"}}"#,
                      #"{"files": {"x.yaml": "a: 1"}, "paths": []}"#, "not json"])
    func aBadBodyIsRefused(body: String) async throws {
        let server = try await TestServer.start()
        let response = try await server.send("POST", "/v1/validate", json: body)
        #expect(response.status == 422, "\(response.text)")
        #expect(response.object["code"] as? String == "invalid_input")
    }

    @Test func withoutATokenNothingIsChecked() async throws {
        let server = try await TestServer.start()
        #expect(try await server.send("POST", "/v1/validate", token: nil, json: #"{"files": {"x.yaml": "a: 1"}}"#).status == 401)
    }
}

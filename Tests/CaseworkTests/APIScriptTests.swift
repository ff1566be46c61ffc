import Casework
import CaseworkServer
import Synchronization
@testable import CaseworkAPIScript
import Foundation
import Testing

/// The API fuzz target's scripts (`APIScript`) are read as the HTTP layer hands a request over, and every exchange is
/// seen: what the seeds in `Fuzz/corpus/api/` mean depends on it.
@Suite struct APIScriptTests {
    @Test func aScriptIsRequestsWithHeadersAndBodies() {
        let script = "POST /v1/cases?dry=1&x\nAuthorization: Bearer desk\nContent-Type:application/json\n\n{\"a\": 1}\n\nmore\n%%\nGET /v1/cases/c1\n%%\nnonsense\n%%\n"
        let requests = APIScript.requests(in: Array(script.utf8))
        #expect(requests.map(\.method) == ["POST", "GET"])
        #expect(requests.map(\.path) == ["/v1/cases", "/v1/cases/c1"])
        #expect(requests[0].query.map { "\($0.name)=\($0.value)" } == ["dry=1", "x="])
        #expect(requests[0].headers.map { "\($0.name)|\($0.value)" } == ["Authorization|Bearer desk", "Content-Type|application/json"])
        #expect(String(decoding: requests[0].body, as: UTF8.self) == "{\"a\": 1}\n\nmore")
        #expect(requests[1].body.isEmpty && requests[1].headers.isEmpty)
    }

    /// The line break that ends a script's file is not sent: a desk form's last field (`csrf=…`) would be one byte
    /// longer than written.
    @Test func theFilesLastLineBreakIsNotPartOfTheLastBody() {
        let requests = APIScript.requests(in: Array("POST /desk/x\n\ncsrf=abc\n".utf8))
        #expect(requests.map { String(decoding: $0.body, as: UTF8.self) } == ["csrf=abc"])
    }

    /// An answer is checked as what it says it is: newline-delimited JSON line by line (`POST /v1/decide/batch`),
    /// JSON whole, anything else not at all.
    @Test(arguments: [
        ("application/x-ndjson", "{\"a\": 1}\n{\"b\": 2}\n", true), ("application/x-ndjson", "", true),
        ("application/x-ndjson", "{\"a\": 1}\n{\"b\"\n", false), ("application/json", "{\"a\": 1}\n{\"b\": 2}\n", false),
        ("application/problem+json", "{\"a\": 1}", true), ("application/json", "", false), ("text/html", "<p>", true),
    ])
    func anAnswerReadsAsItsContentTypeSays(contentType: String, body: String, reads: Bool) {
        let response = HTTPResponse(status: 200, headers: [("Content-Type", contentType)], body: Array(body.utf8))
        #expect(APIScript.readsAsDeclared(response) == reads)
    }

    /// The bearer-token target's tokens are signed by a provider the API trusts, so its seeds reach past the
    /// signature: a caseworker who signed in with a second factor reads, fires and lists; without one, the policy
    /// refuses the case; a token the provider never signed is refused before anything is read.
    @Test(arguments: [
        ("caseworker-with-second-factor.txt", [201, 200, 200, 200]), ("caseworker-without-second-factor.txt", [201, 403, 403, 200]),
        ("refused-crit-expired-unknown-role.txt", [201, 401, 401, 401]),
    ])
    func aSeedTokenIsLetInAsItsClaimsSay(seed: String, statuses: [Int]) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let authPath = try TokenScript.write(into: directory)
        let input = [UInt8](try Data(contentsOf: RepositoryPaths.root.appendingPathComponent("Fuzz/corpus/bearer-token/\(seed)")))
        let catalog = try DefinitionCatalog.load(paths: [RepositoryPaths.root.appendingPathComponent("Workflows").path,
                                                         RepositoryPaths.root.appendingPathComponent("Policies").path])
        let seen = Mutex<[Int]>([])
        try await APIScript.run(TokenScript.script(input), catalog: catalog, authPath: authPath) { exchange in seen.withLock { $0.append(exchange.response.status) } }
        #expect(seen.withLock { $0 } == statuses)
    }

    @Test func aScriptRunsAtMostEightRequests() {
        let script = Array(repeating: "GET /healthz", count: 12).joined(separator: "\n%%\n")
        #expect(APIScript.requests(in: Array(script.utf8)).count == APIScript.maxRequests)
    }
}

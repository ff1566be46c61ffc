import CaseworkAPIScript
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

    @Test func aScriptRunsAtMostEightRequests() {
        let script = Array(repeating: "GET /healthz", count: 12).joined(separator: "\n%%\n")
        #expect(APIScript.requests(in: Array(script.utf8)).count == APIScript.maxRequests)
    }
}

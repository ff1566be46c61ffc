import Foundation
import Testing
@testable import CaseworkCommandLine

/// `GET /metrics` counts requests, latencies, refusals, ticks and the outbox in the Prometheus text format.
@Suite struct ServeMetricsTests {
    static let parent = [("Casework-Act-As", "parent:zed"), ("Casework-Attribute", "relationship=parent"), ("Casework-Attribute", "second_factor_verified=true")]

    /// The value of the sample `name{labels}` in `text`, or nil when it is not there.
    static func sample(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") { return Double(line.dropFirst(series.count + 1)) }
        return nil
    }

    @Test func theCountsFollowWhatTheServerDid() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        #expect(try await server.send("GET", "/v1/cases/c1").status == 200)
        #expect(try await server.send("GET", "/v1/cases/c1").status == 200)
        #expect(try await server.send("GET", "/v1/cases/c1", token: Tokens.portal, headers: Self.parent).status == 403)
        #expect(try await server.send("GET", "/v1/nowhere").status == 404)
        #expect(try await server.send("POST", "/v1/tick", json: "{}").status == 200)

        let response = try await server.send("GET", "/metrics")
        #expect(response.status == 200, "\(response.text)")
        #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        let text = response.text
        #expect(Self.sample(text, #"casework_http_requests_total{route="GET /v1/cases/{case}",status="200"}"#) == 2)
        #expect(Self.sample(text, #"casework_http_requests_total{route="GET /v1/cases/{case}",status="403"}"#) == 1)
        #expect(Self.sample(text, #"casework_http_requests_total{route="POST /v1/cases",status="201"}"#) == 1)
        #expect(Self.sample(text, #"casework_http_requests_total{route="unmatched",status="404"}"#) == 1)
        #expect(Self.sample(text, #"casework_refusals_total{code="forbidden"}"#) == 1)
        #expect(Self.sample(text, #"casework_refusals_total{code="not_found"}"#) == 1)
        #expect(Self.sample(text, #"casework_http_request_duration_seconds_count{route="GET /v1/cases/{case}"}"#) == 3)
        #expect(Self.sample(text, #"casework_http_request_duration_seconds_bucket{route="GET /v1/cases/{case}",le="+Inf"}"#) == 3)
        #expect(Self.sample(text, "casework_ticks_total") == 1)
        #expect((Self.sample(text, #"casework_tick_actions_total{kind="breach"}"#) ?? 0) >= 1)
        #expect(!text.contains("c1"), "no case id reaches a metric")

        // The outbox's depth is the undelivered messages `outbox list` lists.
        let listed = server.casework(["outbox", "list", "--format", "json"])
        let messages = try #require(try JSONSerialization.jsonObject(with: Data(listed.out.utf8)) as? [[String: Any]], "\(listed.err)")
        let undelivered = messages.filter { $0["delivered_at"] is NSNull && $0["channel"] as? String == "portal" }.count
        #expect(Self.sample(text, #"casework_outbox_depth{channel="portal"}"#) == Double(undelivered))
    }

    /// A desk page is counted once, under the desk's own route, and the API calls it makes in process are not counted
    /// as API requests.
    @Test func deskPagesAreTheirOwnRouteAndTheirAPICallsAreNotCounted() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        var desk = DeskBrowser(server: server)
        #expect(try await desk.signIn("caseworker:ana", relationship: "caseworker").status == 303)
        #expect(try await desk.get("/desk/").status == 200)
        #expect(try await desk.get("/desk/cases/c1").status == 200)
        #expect(try await desk.get("/desk/cases/c1").status == 200)
        let text = try await server.send("GET", "/metrics").text
        #expect(Self.sample(text, #"casework_http_requests_total{route="desk",status="200"}"#) == 3, "\(text)")
        #expect(Self.sample(text, #"casework_http_requests_total{route="desk",status="303"}"#) == 1, "\(text)")
        #expect(Self.sample(text, #"casework_http_request_duration_seconds_count{route="desk"}"#) == 4, "\(text)")
        let apiRoutes = text.split(separator: "\n").filter { $0.hasPrefix("casework_http_requests_total{route=\"") && !$0.contains("route=\"desk\"") }
        #expect(apiRoutes == [#"casework_http_requests_total{route="POST /v1/cases",status="201"} 1"#], "only the test's own API call: \(text)")
    }

    @Test func everyLineIsInTheTextFormatAndEveryHistogramAddsUp() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        _ = try await server.send("GET", "/v1/cases/c1")
        let text = try await server.send("GET", "/metrics").text
        let sampleLine = try Regex(#"^[a-z_]+(\{[a-z_]+="[^"\\\n]*"(,[a-z_]+="[^"\\\n]*")*\})? -?[0-9.e+]+$"#)
        for line in text.split(separator: "\n") where !line.hasPrefix("# HELP ") && !line.hasPrefix("# TYPE ") {
            #expect(line.wholeMatch(of: sampleLine) != nil, "\(line)")
        }
        var previous = 0.0
        for bound in ServiceMetrics.latencyBuckets.map(ServiceMetrics.number) + ["+Inf"] {
            let count = try #require(Self.sample(text, "casework_http_request_duration_seconds_bucket{route=\"GET /v1/cases/{case}\",le=\"\(bound)\"}"))
            #expect(count >= previous)
            previous = count
        }
    }

    @Test(arguments: [("a\"b\\c\nd", #"a\"b\\c\nd"#)])
    func labelValuesAreEscaped(value: String, escaped: String) {
        #expect(ServiceMetrics.escape(value) == escaped)
    }

    @Test func onlyTheOperatorsServicesMayReadThem() async throws {
        let server = try await TestServer.start()
        #expect(try await server.send("GET", "/metrics", token: nil).status == 401)
        #expect(try await server.send("GET", "/metrics", token: "wrong").status == 401)
        let person = try await server.send("GET", "/metrics", token: Tokens.portal, headers: [("Casework-Act-As", "send_manager:sam"),
                                           ("Casework-Attribute", "relationship=caseworker"), ("Casework-Attribute", "second_factor_verified=true")])
        #expect(person.status == 403, "\(person.text)")
        #expect(try await server.send("GET", "/metrics", token: Tokens.school, headers: [("Casework-Act-As", "school:pat")]).status == 403)
        let argument = try await server.send("GET", "/metrics?format=json")
        #expect(argument.status == 422, "a query argument is refused, never ignored: \(argument.text)")
        #expect((argument.object["problems"] as? [[String: Any]])?.first?["path"] as? String == "query.format")
    }
}

import Foundation
import Testing
@testable import CaseworkCommandLine

/// Several servers ticking one store, by `POST /v1/tick` or by `--tick-every`, apply each reminder, breach and notice
/// once.
@Suite struct ServeTickEveryTests {
    /// Every deadline event of the case as `(action, subject)`, from `case history --format json`.
    static func deadlineEvents(_ server: TestServer, _ id: String) throws -> [String] {
        let history = server.casework(["case", "history", id, "--format", "json"])
        let events = try #require(try JSONSerialization.jsonObject(with: Data(history.out.utf8)) as? [[String: Any]], "\(history.err)")
        return events.compactMap { event in
            guard let action = event["action"] as? String, action.hasPrefix("deadline_") else { return nil }
            return "\(action) \(event["subject"] as? String ?? "")"
        }
    }

    /// The case's notifications as `(template, recipient)`, from `outbox list --format json`.
    static func notices(_ server: TestServer, _ id: String) throws -> [String] {
        let listed = server.casework(["outbox", "list", "--case", id, "--format", "json"])
        let messages = try #require(try JSONSerialization.jsonObject(with: Data(listed.out.utf8)) as? [[String: Any]], "\(listed.err)")
        return messages.map { "\($0["template"] as? String ?? "") \($0["recipient_role"] as? String ?? "") \($0["recipient_id"] as? String ?? "")" }
    }

    @Test func twoServersTickingOneStoreAtOnceApplyEachActionOnce() async throws {
        let first = try await TestServer.start()
        let second = try await TestServer.start(sharing: first)
        let ids = (1...4).map { "c\($0)" }
        for id in ids { try await first.openCase(id) }
        let before = try ids.map { try Self.notices(first, $0) }

        async let a = first.send("POST", "/v1/tick", json: "{}")
        async let b = second.send("POST", "/v1/tick", json: "{}")
        async let c = first.send("POST", "/v1/tick", json: "{}")
        async let d = second.send("POST", "/v1/tick", json: "{}")
        let answers = try await [a, b, c, d]
        var applied: [String] = []
        for answer in answers {
            #expect(answer.status == 200, "\(answer.text)")
            let actions = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [[String: Any]])
            applied += actions.map { "\($0["case"] as? String ?? "") \($0["deadline"] as? String ?? "") \($0["kind"] as? String ?? "") \($0["due_on"] as? String ?? "")" }
        }
        #expect(!applied.isEmpty)
        #expect(Set(applied).count == applied.count, "an action applied twice: \(applied.sorted())")
        #expect(try await first.send("POST", "/v1/tick", json: "{}").text == "[]\n", "nothing is left")

        // The same cases ticked once by one process give the same events and notices.
        let single = try await TestServer.start()
        for id in ids { try await single.openCase(id) }
        #expect(try await single.send("POST", "/v1/tick", json: "{}").status == 200)
        for (index, id) in ids.enumerated() {
            let events = try Self.deadlineEvents(first, id)
            #expect(Set(events).count == events.count, "\(id): \(events)")
            #expect(events == (try Self.deadlineEvents(single, id)), "\(id)")
            let notices = try Self.notices(first, id)
            #expect(notices.sorted() == (try Self.notices(single, id)).sorted(), "\(id)")
            #expect(notices.count >= before[index].count)
        }
    }

    @Test func serversWithTickEveryTickTheStoreThemselvesAndNeverTwice() async throws {
        let opener = try await TestServer.start()
        let ids = (1...3).map { "c\($0)" }
        for id in ids { try await opener.openCase(id) }
        let tickers = [try await TestServer.start(sharing: opener) { $0.tickEvery = .seconds(1) },
                       try await TestServer.start(sharing: opener) { $0.tickEvery = .seconds(1) }]
        // Wait (at most ten minutes, on a loaded machine) until each ticker has ticked three times: by then every
        // action due has been applied by one of them, and each has found it applied at least twice.
        for ticker in tickers {
            var ticks = 0.0
            for _ in 0..<6_000 where ticks < 3 {
                try await Task.sleep(for: .milliseconds(100))
                ticks = ServeMetricsTests.sample(try await ticker.send("GET", "/metrics").text, "casework_ticks_total") ?? 0
            }
            #expect(ticks >= 3)
        }
        #expect(try await opener.send("POST", "/v1/tick", json: "{}").text == "[]\n", "the tickers left nothing due")
        let single = try await TestServer.start()
        for id in ids { try await single.openCase(id) }
        #expect(try await single.send("POST", "/v1/tick", json: "{}").status == 200)
        var applied = 0.0
        for ticker in tickers {
            let text = try await ticker.send("GET", "/metrics").text
            applied += ["reminder", "breach", "close"].compactMap { ServeMetricsTests.sample(text, "casework_tick_actions_total{kind=\"\($0)\"}") }.reduce(0, +)
            #expect(ServeMetricsTests.sample(text, "casework_tick_failures_total") == 0)
        }
        var expected = 0
        for id in ids {
            let events = try Self.deadlineEvents(opener, id)
            #expect(events == (try Self.deadlineEvents(single, id)), "\(id)")
            #expect(try Self.notices(opener, id).sorted() == (try Self.notices(single, id)).sorted(), "\(id)")
            expected += events.count
        }
        #expect(applied == Double(expected), "the two tickers' actions add up to the events, none counted twice")
    }

    @Test(arguments: [("30s", 30), ("5m", 300), ("1h", 3_600), ("24h", 86_400), ("1s", 1)])
    func aTickIntervalIsRead(text: String, seconds: Int) {
        #expect(ServeTicker.interval(text) == .seconds(seconds))
    }

    @Test(arguments: ["", "s", "30", "0s", "25h", "1.5m", "-1s", "1d", "999999999s", "٣s"])
    func aTickIntervalThatCannotBeUsedIsRefused(text: String) {
        #expect(ServeTicker.interval(text) == nil)
    }
}

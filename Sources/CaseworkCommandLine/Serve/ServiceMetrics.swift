import Casework
import Foundation
import Synchronization

/// What `casework serve` counts while it runs, for `GET /metrics` in the Prometheus text exposition format (0.0.4):
/// requests by route and status, their latency, refusals by code, ticks and what they did.
///
/// Routes are labelled by their pattern (`/v1/cases/{case}`), never by the path asked for, so no case id reaches a
/// metric and the number of series stays fixed; a request that matches no route is labelled `unmatched`.
final class ServiceMetrics: Sendable {
    /// The upper bounds of the latency histogram's buckets, in seconds.
    static let latencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    private struct Latency {
        var buckets = [Int](repeating: 0, count: ServiceMetrics.latencyBuckets.count)
        var count = 0
        var sum = 0.0
    }

    private struct RequestKey: Hashable, Comparable {
        var route: String
        var status: Int
        static func < (a: Self, b: Self) -> Bool { (a.route, a.status) < (b.route, b.status) }
    }

    private struct State {
        var requests: [RequestKey: Int] = [:]
        var latency: [String: Latency] = [:]
        var refusals: [String: Int] = [:]
        var ticks = 0
        var tickFailures = 0
        var tickActions: [String: Int] = [:]
    }

    private let state = Mutex(State())

    /// A fresh set of counters, all at zero.
    init() {}

    /// Counts one answered request: its route's pattern (or `unmatched`), status, time taken and refusal code (for a
    /// problem answer).
    func recordRequest(route: String, status: Int, seconds: Double, refusal: String?) {
        state.withLock { state in
            state.requests[RequestKey(route: route, status: status), default: 0] += 1
            var latency = state.latency[route] ?? Latency()
            for (index, bound) in Self.latencyBuckets.enumerated() where seconds <= bound { latency.buckets[index] += 1 }
            latency.count += 1
            latency.sum += seconds
            state.latency[route] = latency
            if let refusal { state.refusals[refusal, default: 0] += 1 }
        }
    }

    /// Counts one tick, by the route or by the server's own clock, and what it did (by kind: reminder, breach, close).
    func recordTick(_ actions: [TickAction]) {
        state.withLock { state in
            state.ticks += 1
            for action in actions { state.tickActions[action.kind, default: 0] += 1 }
        }
    }

    /// Counts a tick that failed (the store refused); nothing it had not committed was applied.
    func recordTickFailure() {
        state.withLock { $0.tickFailures += 1 }
    }

    /// Every metric in the text exposition format, with `outboxDepth` (undelivered notifications by channel).
    func render(outboxDepth: [NoticeChannel: Int]) -> String {
        let state = state.withLock { $0 }
        var text = ""
        func family(_ name: String, _ type: String, _ help: String) { text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n" }
        family("casework_http_requests_total", "counter", "HTTP requests answered, by route pattern and status.")
        for (key, count) in state.requests.sorted(by: { $0.key < $1.key }) {
            text += "casework_http_requests_total{route=\"\(Self.escape(key.route))\",status=\"\(key.status)\"} \(count)\n"
        }
        family("casework_http_request_duration_seconds", "histogram", "Time from a whole request to its answer, by route pattern.")
        for (route, latency) in state.latency.sorted(by: { $0.key < $1.key }) {
            let label = "route=\"\(Self.escape(route))\""
            for (index, bound) in Self.latencyBuckets.enumerated() {
                text += "casework_http_request_duration_seconds_bucket{\(label),le=\"\(Self.number(bound))\"} \(latency.buckets[index])\n"
            }
            text += "casework_http_request_duration_seconds_bucket{\(label),le=\"+Inf\"} \(latency.count)\n"
            text += "casework_http_request_duration_seconds_sum{\(label)} \(Self.number(latency.sum))\n"
            text += "casework_http_request_duration_seconds_count{\(label)} \(latency.count)\n"
        }
        family("casework_refusals_total", "counter", "Requests refused, by refusal code.")
        for (code, count) in state.refusals.sorted(by: { $0.key < $1.key }) { text += "casework_refusals_total{code=\"\(Self.escape(code))\"} \(count)\n" }
        family("casework_ticks_total", "counter", "Ticks run, by POST /v1/tick or --tick-every.")
        text += "casework_ticks_total \(state.ticks)\n"
        family("casework_tick_failures_total", "counter", "Ticks the store refused part way; what they committed stays, the rest is applied by the next.")
        text += "casework_tick_failures_total \(state.tickFailures)\n"
        family("casework_tick_actions_total", "counter", "Deadline actions applied by ticks, by kind.")
        for (kind, count) in state.tickActions.sorted(by: { $0.key < $1.key }) { text += "casework_tick_actions_total{kind=\"\(Self.escape(kind))\"} \(count)\n" }
        family("casework_outbox_depth", "gauge", "Notifications not yet delivered, claimed or not, by channel (other: owed, sent by staff outside the portal).")
        for channel in NoticeChannel.allCases { text += "casework_outbox_depth{channel=\"\(channel.rawValue)\"} \(outboxDepth[channel] ?? 0)\n" }
        return text
    }

    /// A label value escaped as the format asks: backslash, double quote and line feed.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// A number as the format writes it: whole numbers without a fraction.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

import CaseworkCommandLine
import Foundation

/// Issue 18's load figure: `casework serve` started in this process on a fresh SQLite store (and on the PostgreSQL
/// database `CASEWORK_BENCH_POSTGRES` names, when set), loaded by concurrent keep-alive clients that open cases, read
/// shared cases and fire a transition on them with `If-Match` (``ServeLoad``). It prints requests per second, the
/// p50 and p99 latency, the ratio to the same opens, reads and fires made through `CaseService` in the same process
/// with no HTTP, and the checks: no 5xx, no lost update.
enum ServeLoadBenchmark {
    static let clients = 16
    static let requestsPerClient = 250
    static let sharedCases = 4

    static func run() {
        guard FileManager.default.fileExists(atPath: "Workflows/ehcp-needs-assessment.yaml") else {
            print("serve-load: run from the repository's root (needs Workflows/ and Policies/)")
            return
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("casework-bench-serve-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        print("serve-load: \(clients) keep-alive clients × \(requestsPerClient) requests (1 in 10 opens a case; the rest read one of \(sharedCases) shared cases, then fire on it with If-Match)")
        measure("sqlite", database: scratch.appendingPathComponent("cases.sqlite").path)
        if let conninfo = ProcessInfo.processInfo.environment["CASEWORK_BENCH_POSTGRES"] {
            measure("postgres", database: url(conninfo))
        } else {
            print("  postgres: skipped; set CASEWORK_BENCH_POSTGRES to a libpq connection string of a database the bench may write")
        }
    }

    private static func measure(_ name: String, database: String) {
        let options = ServeLoad.Options(database: database, definitions: ["Workflows", "Policies"], clients: clients,
                                        requestsPerClient: requestsPerClient, sharedCases: sharedCases)
        do {
            let report = try ServeLoad.run(options)
            let statuses = report.statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
            print("  \(name): \(Measure.format(report.requestsPerSecond, decimals: 0)) requests/s   p50 \(Measure.format(report.percentile(0.5) * 1000, decimals: 2)) ms   p99 \(Measure.format(report.percentile(0.99) * 1000, decimals: 2)) ms   in process through CaseService \(Measure.format(report.inProcessPerSecond, decimals: 0))/s   HTTP/in-process \(Measure.format(report.requestsPerSecond / report.inProcessPerSecond, decimals: 2))")
            print("    answers \(statuses); fires accepted \(report.acceptedFires), overtaken (409) \(report.conflicts)")
            print("    checks: 5xx \(report.serverErrors == 0 ? "none" : "\(report.serverErrors) FAILED")   lost updates \(report.lostUpdates.isEmpty ? "none" : "\(report.lostUpdates.count) FAILED")   unexpected answers \(report.unexpected == 0 ? "none" : "\(report.unexpected) FAILED")")
            for finding in report.lostUpdates.prefix(10) { print("    lost: \(finding)") }
        } catch {
            print("  \(name): load failed: \(error)")
        }
    }

    /// `CASEWORK_BENCH_POSTGRES` as the `postgresql://` URL `--db` takes: a URL as it is, a `key=value` connection
    /// string as a URL whose query holds each key.
    static func url(_ conninfo: String) -> String {
        if conninfo.hasPrefix("postgres://") || conninfo.hasPrefix("postgresql://") { return conninfo }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let query = conninfo.split(whereSeparator: \.isWhitespace).map { pair -> String in
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            let value = parts.count == 2 ? parts[1] : ""
            return "\(parts[0])=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }
        return "postgresql:///?" + query.joined(separator: "&")
    }
}

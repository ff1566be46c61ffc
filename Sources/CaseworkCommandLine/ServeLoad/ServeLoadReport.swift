/// What one ``ServeLoad`` run measured and found.
public struct ServeLoadReport: Sendable {
    /// The HTTP requests the clients made while the clock ran.
    public var requests: Int
    /// How long the clients took, in seconds.
    public var seconds: Double
    /// Each request's time from writing it to reading its whole answer, in seconds, sorted.
    public var latencies: [Double]
    /// How many answers came with each status.
    public var statuses: [Int: Int]
    /// Fires answered 200: each must be in its case's history.
    public var acceptedFires: Int
    /// Fires answered 409, their `If-Match` revision overtaken by another client's fire: refused, nothing changed.
    public var conflicts: Int
    /// Every way the stored histories disagree with what the clients were told; empty when no update was lost.
    public var lostUpdates: [String]
    /// How long the same opens, reads and fires took through ``CaseService`` in the same process, with no HTTP, in seconds.
    public var inProcessSeconds: Double

    /// Requests per second.
    public var requestsPerSecond: Double { Double(requests) / seconds }
    /// The same work per second through ``CaseService`` in process.
    public var inProcessPerSecond: Double { Double(requests) / inProcessSeconds }
    /// Answers with a 5xx status.
    public var serverErrors: Int { statuses.filter { $0.key >= 500 }.values.reduce(0, +) }
    /// Answers other than 200, 201 and the 409 of an overtaken `If-Match`: none are expected.
    public var unexpected: Int { statuses.filter { ![200, 201, 409].contains($0.key) }.values.reduce(0, +) }

    /// The latency below which `fraction` of the requests finished, in seconds.
    public func percentile(_ fraction: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        return latencies[max(0, min(latencies.count - 1, Int((Double(latencies.count) * fraction).rounded(.up)) - 1))]
    }
}

/// Why a ``ServeLoad`` run could not be made (as opposed to what it found, which its report holds).
public struct ServeLoadFailure: Error, CustomStringConvertible, Sendable {
    /// What went wrong, in a sentence.
    public var description: String

    init(_ description: String) { self.description = description }
}

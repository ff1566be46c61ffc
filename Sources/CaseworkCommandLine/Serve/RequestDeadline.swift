import Casework
import CaseworkServer
import Synchronization

/// Answers a request within `--request-timeout`: the work runs with a ``CommitGate``, and when the limit passes first
/// the gate is closed and the caller answered 503 `timeout` at once. The work may go on reading, but writes nothing
/// after that, so "nothing was changed" is true. When a write is already under way as the limit passes, the gate
/// cannot close, and the caller is given the work's own answer when the write ends (the store's own timeout bounds
/// it), so a change that was made is never reported as not made.
enum RequestDeadline {
    /// The answer of `work`, or `timedOut` when `limit` passes before it and nothing is being written.
    static func answer<Answer: Sendable>(
        within limit: Duration, timedOut: @escaping @Sendable () -> Answer, _ work: @escaping @Sendable () async -> Answer
    ) async -> Answer {
        let gate = CommitGate()
        let first = FirstAnswer<Answer>()
        return await withCheckedContinuation { continuation in
            first.wait(with: continuation)
            let timer = Task {
                do {
                    try await Task.sleep(for: limit)
                } catch {
                    return
                }
                if gate.close() { first.give(timedOut()) }
            }
            Task {
                let response = await CommitGate.$current.withValue(gate) { await work() }
                timer.cancel()
                first.give(response)
            }
        }
    }

    /// The 503 problem for a request that ran out of time.
    static func problem(_ limit: Duration) -> APIProblem {
        APIProblem(status: 503, code: "timeout",
                   detail: "the request took longer than the server's limit of \(limit.components.seconds) seconds; nothing was changed, try again",
                   headers: [("Retry-After", "1")])
    }
}

/// The first of two answers, handed to the one waiting continuation; the second is dropped.
private final class FirstAnswer<Answer: Sendable>: Sendable {
    private let waiting = Mutex<CheckedContinuation<Answer, Never>?>(nil)

    func wait(with continuation: CheckedContinuation<Answer, Never>) {
        waiting.withLock { $0 = continuation }
    }

    func give(_ response: Answer) {
        waiting.withLock { continuation in
            continuation?.resume(returning: response)
            continuation = nil
        }
    }
}

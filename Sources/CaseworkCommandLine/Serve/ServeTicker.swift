import Casework
import CaseworkEngine
import Dispatch
import Synchronization

/// `casework serve --tick-every DURATION`: the clock run inside the server, one tick at start and one each interval
/// after, as `POST /v1/tick` runs one (``CaseService/tick(limit:)``), counted in the metrics.
///
/// Several servers may tick one store at once: each action is decided and committed on its own under its case's
/// revision, so when two servers reach the same case, the second's commit is refused as a concurrent change, its
/// decision is made again on the case as it now is, and finds nothing left to do. No reminder, breach or notice is
/// applied twice, on SQLite or PostgreSQL, without a lock or a leader.
final class ServeTicker: Sendable {
    private let task: Task<Void, Never>
    private let finished = DispatchSemaphore(value: 0)

    /// Starts ticking `api`'s store every `interval`, telling `report` of a tick the store refused.
    init(every interval: Duration, api: APIService, report: @escaping @Sendable (String) -> Void) {
        let finished = finished
        task = Task {
            defer { finished.signal() }
            while !Task.isCancelled {
                do throws(EngineError) {
                    api.metrics.recordTick(try await api.cases.tick())
                } catch {
                    api.metrics.recordTickFailure()
                    report("casework serve: a tick failed, and the next applies what it did not: \(error.code.rawValue): "
                           + String(error.description.split(separator: "\n").first ?? ""))
                }
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
            }
        }
    }

    /// Stops ticking: a tick under way finishes its action in hand (waited for at most `seconds`); no other begins.
    func stop(waiting seconds: Int) {
        task.cancel()
        _ = finished.wait(timeout: .now() + .seconds(seconds))
    }

    /// Reads a `--tick-every` duration: a whole number with `s`, `m` or `h` (`30s`, `5m`, `1h`), from 1 second to 1 day.
    static func interval(_ text: String) -> Duration? {
        guard let unit = text.last, let seconds = ["s": 1, "m": 60, "h": 3_600][String(unit)] else { return nil }
        let digits = text.dropLast()
        guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int(digits) else { return nil }
        let total = count * seconds
        return (1...86_400).contains(total) ? .seconds(total) : nil
    }
}

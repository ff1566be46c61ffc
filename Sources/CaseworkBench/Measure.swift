import Foundation

/// Timing helpers: the best of several runs, on a monotonic clock.
enum Measure {
    /// The fastest of `repetitions` runs of `body`, in seconds, with the last run's result.
    ///
    /// Each result is released outside the timed region, so freeing one run's
    /// output is not charged to the next.
    static func best<Result>(repetitions: Int, _ body: () -> Result) -> (seconds: Double, result: Result) {
        var best = Double.infinity
        var last: Result?
        for _ in 0..<repetitions {
            last = nil
            let start = DispatchTime.now().uptimeNanoseconds
            let result = body()
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = min(best, elapsed)
            last = result
        }
        return (best, last!)
    }

    /// ``best(repetitions:_:)`` for work that can fail.
    static func bestThrowing<Result>(repetitions: Int, _ body: () throws -> Result) throws -> (seconds: Double, result: Result) {
        var failure: (any Error)?
        let measured = best(repetitions: repetitions) { () -> Result? in
            do { return try body() } catch {
                failure = error
                return nil
            }
        }
        if let failure { throw failure }
        guard let result = measured.result else { throw MeasureError.noResult }
        return (measured.seconds, result)
    }

    /// A measurement that produced nothing.
    enum MeasureError: Error {
        case noResult
    }

    /// `12.3` style formatting for figures.
    static func format(_ value: Double, decimals: Int = 1) -> String {
        String(format: "%.\(decimals)f", value)
    }
}

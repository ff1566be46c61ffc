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

    /// `12.3` style formatting for figures.
    static func format(_ value: Double, decimals: Int = 1) -> String {
        String(format: "%.\(decimals)f", value)
    }
}

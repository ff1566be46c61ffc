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

    /// Starts a new peak: the kernel forgets the process's highest resident set size so far (Linux's `clear_refs`),
    /// so ``peakResidentBytes()`` afterwards is the peak of what ran since. False where the kernel cannot.
    @discardableResult
    static func resetPeakResident() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    /// The highest resident set size since the process started or ``resetPeakResident()`` last ran (`VmHWM`), in bytes.
    static func peakResidentBytes() -> Int? { statusField("VmHWM:") }

    /// The resident set size now (`VmRSS`), in bytes.
    static func residentBytes() -> Int? { statusField("VmRSS:") }

    /// A `kB` figure from `/proc/self/status`, in bytes.
    private static func statusField(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
              let kilobytes = Int(line.dropFirst(name.count).split(whereSeparator: \.isWhitespace).first ?? "") else { return nil }
        return kilobytes * 1024
    }

    /// Bytes as megabytes (2^20), for figures.
    static func megabytes(_ bytes: Int) -> String { format(Double(bytes) / 1_048_576) + " MB" }

    /// `12.3` style formatting for figures.
    static func format(_ value: Double, decimals: Int = 1) -> String {
        String(format: "%.\(decimals)f", value)
    }
}

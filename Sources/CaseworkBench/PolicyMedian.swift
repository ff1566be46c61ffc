import Foundation

/// Times work done request by request in batches, for figures per request that one slow moment on a shared machine
/// cannot move: the median of the batches' times per request, and the overall rate.
struct BatchTiming {
    /// Each batch's time divided by its size, in seconds.
    private(set) var perRequest: [Double] = []
    /// Every batch's time, in seconds.
    private(set) var total: Double = 0
    /// Every batch's size.
    private(set) var count = 0

    /// Runs `body` on `batch`, timing it as one batch.
    mutating func time<Item>(_ batch: ArraySlice<Item>, _ body: (ArraySlice<Item>) -> Void) {
        let start = DispatchTime.now().uptimeNanoseconds
        body(batch)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        perRequest.append(seconds / Double(batch.count))
        total += seconds
        count += batch.count
    }

    /// The median of the batches' times per request, in microseconds.
    var medianMicroseconds: Double {
        let sorted = perRequest.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return (sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2) * 1e6
    }

    /// Requests per second over every batch.
    var rate: Double { total > 0 ? Double(count) / total : 0 }
}

/// A seeded pseudo-random generator (SplitMix64), so property tests and benchmark workloads repeat exactly from their seed.
///
/// Not for anything secret: it exists so a failing generated case can be replayed and a benchmark
/// measures the same work every run. Shared by the test targets and `casework-bench`.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next number of the sequence.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

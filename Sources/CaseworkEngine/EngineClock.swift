import Foundation
import Synchronization

/// Where the engine gets the time. Injected, so the same events give the same state and tests control time.
///
/// Named `EngineClock`, not `Clock`, so that `import Casework` never hides Swift's `Clock` protocol
/// (`ContinuousClock`, `SuspendingClock`) from a service that embeds the library.
public protocol EngineClock: Sendable {
    /// The current instant.
    func now() -> Date
}

/// The machine's clock.
public struct SystemClock: EngineClock {
    /// Creates the clock.
    public init() {}

    /// The current instant.
    public func now() -> Date { Date() }
}

/// One instant, for the engines a ``CaseService`` decides a command with: a command happens at one time however
/// often it is decided again after reading more.
struct FixedClock: EngineClock {
    /// The instant.
    let instant: Date

    func now() -> Date { instant }
}

/// A clock that says what it is told: for tests, demos and replay.
public final class ManualClock: EngineClock {
    private let current: Mutex<Date>

    /// Creates a clock stopped at `start`.
    public init(_ start: Date) { current = Mutex(start) }

    /// The instant the clock was last set to.
    public func now() -> Date { current.withLock { $0 } }

    /// Sets the clock.
    public func set(_ date: Date) { current.withLock { $0 = date } }

    /// Moves the clock on.
    public func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}

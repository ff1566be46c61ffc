import Foundation
import Testing
import Casework
import EmbeddingStory

/// `import Casework` leaves the standard library as it was: Swift's `Duration`, `Clock` and `Actor` are still the
/// ones a service means (issue 12), and the sample's story runs to its end.
@Suite("Embedding Casework")
struct EmbeddingSampleTests {
    /// Waits on Swift's clock in whatever isolation the caller is in: `any Actor` here is Swift's protocol.
    static func pause(for duration: Duration, isolation: isolated (any Actor)? = #isolation) async throws {
        try await ContinuousClock().sleep(for: duration)
    }

    @Test func theStandardLibraryIsNotShadowed() async throws {
        let pause: Duration = .milliseconds(1)
        let clock = ContinuousClock()
        let start = clock.now
        try await Self.pause(for: pause)
        #expect(clock.now - start >= pause)
        #expect(Duration.milliseconds(1) == .microseconds(1_000))
    }

    @Test func theStoryRunsToItsEnd() throws {
        let report = try EmbeddingStory.run(repository: EmbeddingStory.repository)
        #expect(report.finalState == "deciding_to_assess")
        #expect(report.auditIntact)
        #expect(report.delivered > 0)
        #expect(report.refusals == [.forbidden, .notFound, .blocked, .conflict, .invalidInput, .unavailable])
        #expect(!report.log.contains { $0.contains("unexpectedly allowed") })
    }
}

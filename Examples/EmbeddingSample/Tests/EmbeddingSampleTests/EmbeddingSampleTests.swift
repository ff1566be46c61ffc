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

    /// The async service a server embeds: opened over a store's driver, it opens and reads a case, pages its history
    /// and answers a refusal with its code, all from `import Casework` alone.
    @Test func theAsyncServiceRunsOverAStoreDriver() async throws {
        let root = EmbeddingStory.repository
        let catalog = try DefinitionCatalog.load(paths: [root.appendingPathComponent("Workflows").path, root.appendingPathComponent("Policies").path])
        let service = try await CaseService(catalog: catalog, driver: InMemoryCaseStore().driver, clock: ManualClock(Date(timeIntervalSince1970: 1_756_717_200)))
        let opened = try await service.open(workflow: "ehcp-needs-assessment", as: .operator("intake"), caseID: "c1", fields: [
            "requested_on": .date(CalendarDate("2025-09-01")!), "requested_by": .string("parent"), "child.first_name": .string("Sam"),
            "child.last_name": .string("Smith"), "child.date_of_birth": .date(CalendarDate("2015-03-02")!),
        ])
        #expect(opened.record.revision == 1)
        let history = try await service.history("c1", as: .operator(), page: PageRequest(limit: 10))
        #expect(history.items.map(\.action) == ["opened"])
        #expect(history.next == nil)
        await #expect(throws: EngineError.self) { try await service.caseRecord("c1", as: CaseActor(role: "parent", id: "stranger")) }
        do {
            _ = try await service.caseRecord("c1", as: CaseActor(role: "parent", id: "stranger"))
        } catch {
            #expect([.forbidden, .notFound].contains(error.code))
        }
    }
}

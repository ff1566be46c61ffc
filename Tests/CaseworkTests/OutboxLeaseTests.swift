import Casework
import CaseworkCommandLine
import CaseworkSQLite
import Foundation
import Testing

/// A claim's lease is a number of seconds above 0 and at most 12 hours, written in decimal, at every front door: a
/// deliverer that stops keeps the notices it claimed from every other deliverer until its lease ends, so a lease of
/// `1e308` (which the command line read as a `Double` and the store clamped to the largest instant it holds) was a
/// claim for ever, `inf` was refused as a database failure, and `0x10` was read as 16 seconds.
@Suite("an outbox claim's lease")
struct OutboxLeaseTests {
    /// A workspace whose case has sent one notice (`deciding`), so a claim has something to take.
    static func workspaceWithANotice() throws -> CommandWorkspace {
        let space = try CommandWorkspace(["assessment.yaml": EngineFixtures.workflow, "advice.yaml": EngineFixtures.form])
        _ = space.run(["case", "open", "assessment", "--id", "c1", "--as", "parent:jo", "--set", "requested_on=2025-09-01"])
        let fired = space.run(["case", "fire", "c1", "start_deciding", "--as", "caseworker:ana", "--set", "evidence_complete=true"])
        #expect(fired.status == .success, "\(fired.err)")
        return space
    }

    /// Whether any of the case's messages is claimed, read as the operator.
    static func anyClaimed(_ space: CommandWorkspace) throws -> Bool {
        let listed = space.run(["outbox", "list", "--case", "c1", "--format", "json"])
        let messages = try #require(try JSONSerialization.jsonObject(with: Data(listed.out.utf8)) as? [[String: Any]])
        #expect(!messages.isEmpty)
        return messages.contains { !($0["claimed_by"] is NSNull) }
    }

    @Test(arguments: ["0", "-5", "abc", "", "inf", "infinity", "nan", "1e308", "1e3", "0x10", " 300", "43201", "43200.5", "9223372036854775807"])
    func aLeaseThatIsNotOneIsAUsageErrorAndClaimsNothing(_ lease: String) throws {
        let space = try Self.workspaceWithANotice()
        let claimed = space.run(["outbox", "claim", "--as", "mailer", "--lease", lease])
        #expect(claimed.status == .usage, "\(claimed)")
        #expect(claimed.err.hasPrefix("error: --lease must be a number of seconds above 0 and at most 43200 (12 hours), such as 300, found '\(lease)'\n"),
                "\(claimed.err)")
        #expect(try !Self.anyClaimed(space))
    }

    @Test(arguments: [("1.5", 1.5), ("300", 300), ("43200", 43_200)])
    func aLeaseUpToTwelveHoursHoldsForAsLong(_ lease: String, seconds: Double) throws {
        let space = try Self.workspaceWithANotice()
        let before = Date()
        let claimed = space.run(["outbox", "claim", "--as", "mailer", "--lease", lease])
        #expect(claimed.status == .success, "\(claimed.err)")
        let message = try #require(try SQLiteCaseStore(path: space.database).outbox(caseID: "c1").first { $0.claimedBy == "mailer" })
        let until = try #require(message.leaseUntil)
        // The claim was made between `before` and now, to the millisecond.
        #expect(until >= before.addingTimeInterval(seconds - 0.001) && until <= Date().addingTimeInterval(seconds + 0.001), "lease until \(until) for \(seconds) s")
    }

    /// What the engine and the service refuse a lease with.
    static func isLeaseRefusal(_ error: any Error) -> Bool {
        guard case .invalidInput(let problems)? = error as? EngineError else { return false }
        return problems == [InputProblem(field: "lease", message: "must be a number of seconds above 0 and at most 43200 (12 hours), such as 300")]
    }

    @Test(arguments: [Double.infinity, .nan, 0, -1, 43_200.001, 1e308])
    func theEngineAndTheServiceRefuseSuchALeaseAndClaimNothing(_ lease: Double) async throws {
        let store = InMemoryCaseStore()
        let engine = try EngineFixtures.engine(store: store)
        _ = try EngineFixtures.openCase(engine)
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: EngineFixtures.caseworker, input: ["evidence_complete": .bool(true)]))
        #expect(performing: { try engine.claimNotifications(claimer: "mailer", lease: lease) }, throws: Self.isLeaseRefusal)
        let service = try await CaseService(catalog: engine.catalog, driver: store.driver, clock: ManualClock(EngineFixtures.start))
        await #expect(performing: { try await service.claimNotifications(claimer: "mailer", lease: lease) }, throws: Self.isLeaseRefusal)
        let messages = try engine.outbox(as: .operator())
        #expect(!messages.isEmpty && messages.allSatisfy { $0.claimedBy == nil })
        #expect(try engine.claimNotifications(claimer: "mailer", lease: OutboxClaim.longestLease).count == messages.count)
    }
}

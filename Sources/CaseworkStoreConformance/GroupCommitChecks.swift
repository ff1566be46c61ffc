import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

extension StoreConformance {
    /// Group commit: the store's batch commit (``CaseStore/commit(each:)``) refusing each group alone, and the service's
    /// callers gathered into one batch (held behind a commit in flight, so the batch is known) each getting their own
    /// answer, their own audit event, and, when the store fails, their own error with nothing of the batch written.
    static let groupCommitChecks: [Check] = [
        Check("a batch commits its groups in order, each seeing the ones before it, and refuses a group alone") { makeStore, expect in
            let store = try makeStore()
            let first = try Fixture.open(store, "c1")
            let moved = Fixture.event("c1", 2, previous: first.hash)
            let stale = AuditEvent(caseID: "c1", sequence: 2, at: Fixture.at, actor: CaseActor(role: "caseworker", id: "bo"), action: "fired", subject: "u",
                                   fromState: "requested", toState: "b", revision: 2, input: [:], previousHash: first.hash)
            let groups: [[CaseChange]] = [
                [Fixture.opening("c2")],
                [CaseChange(record: Fixture.record("c1", revision: 2, state: "a", head: moved.hash), expectedRevision: 1, events: [moved], outbox: [],
                            idempotency: nil)],
                [CaseChange(record: Fixture.record("c1", revision: 2, state: "b", head: stale.hash), expectedRevision: 1, events: [stale], outbox: [],
                            idempotency: nil)],
                [Fixture.opening("c2", message: "c2/1/2")],
                [Fixture.opening("c3", key: "k")],
                [Fixture.opening("c4", key: "k")],
                [Fixture.opening("c5"), Fixture.opening("c5", message: "c5/1/2")],
                [Fixture.opening("c6"), Fixture.opening("c7")],
            ]
            let answers = try store.commit(each: groups)
            expect.equal(answers, [
                nil, nil, .revisionConflict(caseID: "c1", expected: 1, actual: 2), .caseExists("c2"), nil, .duplicate("idempotency key 'k'"),
                .duplicate("a second change to case 'c5' in one commit"), nil,
            ], "each group's answer")
            expect.equal(try store.caseIDs(), ["c1", "c2", "c3", "c6", "c7"], "the cases the batch left")
            expect.equal(try store.load(caseID: "c1")?.state, "a", "the case two groups changed: the first's change")
            expect.equal(try store.history(caseID: "c1").map(\.hash), [first.hash, moved.hash], "its events")
            expect.equal(try store.outbox(caseID: "c2").map(\.id), ["c2/1/1"], "the messages of the case opened twice: the first opening's")
            expect.equal(try store.idempotencyRecord(key: "k")?.caseID, "c3", "the key two groups recorded: the first's")
            expect.equal(try store.commit(each: []), [], "an empty batch")
        },
        Check("callers gathered into one batch each get their own answer, and a loser never sinks the others") { makeStore, expect in
            let failing = FailingStore(wrapping: try makeStore())
            let service = try await CaseService(catalog: try Fixture.catalog(), driver: failing.driver, clock: ManualClock(Fixture.at))
            let distinct = (1...6).map { "d\($0)" }
            for id in ["plug", "shared", "keyed"] + distinct { try await openCase(service, id) }
            var callers = distinct.map { starting(service, $0, by: "cw-\($0)") }
            callers += (1...4).map { starting(service, "shared", by: "cw-shared-\($0)", pinnedTo: 1) }
            callers += (1...2).map { _ in starting(service, "keyed", by: "cw-keyed", key: "key-1") }
            callers += (1...2).map { parent in
                { try await service.open(workflow: "assessment", as: CaseActor(role: "parent", id: "parent-\(parent)"), caseID: "new",
                                         fields: ["requested_on": .date(CalendarDate("2025-09-01")!)]) }
            }
            let results = try await gathered(service, failing, expect, callers)
            for (index, id) in distinct.enumerated() {
                guard case .success(let result) = results[index] else { expect.record("the fire on \(id) failed: \(results[index])"); continue }
                let events = try failing.inner.history(caseID: id)
                expect.equal(events.map(\.actor.id), ["parent-jo", "cw-\(id)"], "case \(id)'s events: its caller's fire once")
                expect.equal(result.record.auditHead, events.last?.hash ?? "", "the head handed to \(id)'s caller: its own event")
            }
            let shared = Array(results[6..<10])
            let winners = shared.indices.filter { if case .success = shared[$0] { true } else { false } }
            expect.equal(winners.count, 1, "callers pinned to one revision of one case who won")
            for loser in shared.indices where !winners.contains(loser) {
                if case .failure(let error) = shared[loser] { expect.equal((error as? EngineError)?.code, .conflict, "a pinned loser's refusal") }
            }
            if let winner = winners.first {
                expect.equal(try failing.inner.history(caseID: "shared").map(\.actor.id), ["parent-jo", "cw-shared-\(winner + 1)"], "the shared case's events")
            }
            let keyed = results[10..<12].compactMap { try? $0.get() }
            for case .failure(let error) in results[10..<12] { expect.record("a caller with the shared key was refused: \(error)") }
            expect.equal(keyed.map(\.record.revision), [2, 2], "both callers with one key: the revision each was given")
            expect.equal(keyed.map(\.replayed).sorted { !$0 && $1 }, [false, true], "one applied, the other replayed")
            expect.equal(try failing.inner.history(caseID: "keyed").count, 2, "the keyed case's events: the fire once")
            let opened = results[12..<14].filter { if case .success = $0 { true } else { false } }
            expect.equal(opened.count, 1, "callers opening one new case who succeeded")
            for id in ["shared", "keyed", "new"] + distinct {
                let verification = try await service.verifyAudit(id, as: .operator())
                expect.that(verification.holds, "case \(id)'s audit: \(verification)")
            }
        },
        Check("a store failure while a batch is written fails every caller in it, and nothing of the batch lands") { makeStore, expect in
            let failing = FailingStore(wrapping: try makeStore())
            let service = try await CaseService(catalog: try Fixture.catalog(), driver: failing.driver, clock: ManualClock(Fixture.at))
            let ids = (1...5).map { "f\($0)" }
            for id in ["plug"] + ids { try await openCase(service, id) }
            let before = try ids.map { (id: String) throws in try failing.inner.snapshot(caseID: id) }
            let results = try await gathered(service, failing, expect, ids.map { starting(service, $0, by: "cw-ana") }) { failing.fail(atOperation: 1) }
            for (id, result) in zip(ids, results) {
                if case .failure(let error) = result {
                    expect.equal((error as? EngineError)?.code, .unavailable, "the refusal of \(id)'s caller")
                } else {
                    expect.record("\(id)'s caller was told its fire landed in a batch that failed")
                }
            }
            expect.equal(try ids.map { (id: String) throws in try failing.inner.snapshot(caseID: id) }, before, "the batch's cases afterwards")
            failing.reset()
            for id in ids { expect.equal(try await starting(service, id, by: "cw-ana")().record.revision, 2, "\(id)'s fire tried again") }
        },
    ]

    /// A caller of the service firing `start_deciding` on case `id` as caseworker `actor`.
    private static func starting(_ service: CaseService, _ id: String, by actor: String, pinnedTo revision: Int? = nil, key: String? = nil) -> Caller {
        {
            try await service.fire(FireRequest(caseID: id, transition: "start_deciding", actor: CaseActor(role: "caseworker", id: actor),
                                               expectedRevision: revision, idempotencyKey: key))
        }
    }

    /// One caller of the service: a command, and the answer it got.
    private typealias Caller = @Sendable () async throws -> ChangeResult

    /// Runs `callers` at once behind a commit held in flight (a fire on case `plug`), waits until every one of them
    /// waits for the next batch, runs `beforeRelease`, then lets the held commit go: the callers' first commits are then
    /// one batch. Returns each caller's answer in order.
    private static func gathered(
        _ service: CaseService, _ failing: FailingStore, _ expect: Expectations, _ callers: [Caller],
        beforeRelease: () -> Void = {}
    ) async throws -> [Result<ChangeResult, any Error>] {
        failing.holdNextCommit()
        let plug = Task { try await starting(service, "plug", by: "cw-ana")() }
        try await waitUntil(expect, "the plug's commit is held") { failing.isHoldingCommit }
        let tasks = callers.map { caller in
            Task { () async -> Result<ChangeResult, any Error> in
                do { return .success(try await caller()) } catch { return .failure(error) }
            }
        }
        try await waitUntil(expect, "every caller waits for the batch") { service.committer.waitingCount == callers.count }
        beforeRelease()
        failing.releaseCommit()
        if case .failure(let error) = await plug.result { expect.record("the plug's fire failed: \(error)") }
        var results: [Result<ChangeResult, any Error>] = []
        for task in tasks { results.append(await task.value) }
        return results
    }

    /// Waits, a millisecond at a time for up to a minute, until `condition` holds; records `what` when it never does.
    private static func waitUntil(_ expect: Expectations, _ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<60_000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(1))
        }
        expect.record("\(what) never happened")
    }
}

import Casework
import CaseworkTestSupport
import Foundation
import Testing
@testable import CaseworkSQLite

/// Random operations, many of them refused, run on an ``InMemoryCaseStore`` and an ``SQLiteCaseStore`` side by side:
/// every answer and every refusal must be the same. This checks behaviour the conformance suite may not think of
/// (refusal order, claim order with mixed leases); it does not replace that suite.
@Suite("SQLite store answers as the in-memory store does")
struct InMemoryParityTests {
    @Test("random operations give the same answers and refusals", arguments: [1, 2, 3] as [UInt64])
    func randomOperations(seed: UInt64) throws {
        let directory = try TemporaryDirectory()
        let memory = InMemoryCaseStore()
        let sqlite = try SQLiteCaseStore(path: directory.path("parity.sqlite"), options: .init(synchronous: .normal))
        var random = SeededGenerator(seed: seed)
        let caseIDs = ["c-1", "c-2", "c-3"]
        let messageIDs = (1...30).map { "m-\($0)" }
        var clock: Int64 = 0

        func same<T: Equatable>(_ what: String, _ operation: (any CaseStore) throws(StoreError) -> T) {
            let expected = Result<T, StoreError> { () throws(StoreError) -> T in try operation(memory) }
            let actual = Result<T, StoreError> { () throws(StoreError) -> T in try operation(sqlite) }
            #expect(actual == expected, "seed \(seed): \(what)")
        }

        for step in 0..<400 {
            clock += Int64.random(in: 0...20_000, using: &random)
            let now = Sample.instant(clock)
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4:
                let id = caseIDs.randomElement(using: &random)!
                let current = (try? memory.load(caseID: id))??.revision
                let expected: Int? = [nil, current, current.map { $0 - 1 }, current.map { $0 + 1 }, current].randomElement(using: &random)!
                let revision = (expected ?? 0) + 1
                var record = Sample.record(id, revision: revision, state: "s-\(step)")
                record.updatedAt = now
                let sequences = Bool.random(using: &random) ? [revision] : [revision, Int.random(in: 1...revision, using: &random)]
                let change = CaseChange(
                    record: record, expectedRevision: expected, events: sequences.map { Sample.event(id, sequence: $0) },
                    outbox: (0..<Int.random(in: 0...2, using: &random)).map { _ in
                        var message = Sample.message(messageIDs.randomElement(using: &random)!, caseID: id, at: clock)
                        message.createdAt = now
                        return message
                    },
                    idempotency: Bool.random(using: &random)
                        ? IdempotencyRecord(key: "k-\(Int.random(in: 0..<8, using: &random))", caseID: id, request: "step \(step)", state: record.state, revision: revision)
                        : nil
                )
                same("commit at step \(step)") { (store: any CaseStore) throws(StoreError) in try store.commit(change); return true }
            case 4, 5:
                let claim = OutboxClaim(
                    claimer: ["a", "b"].randomElement(using: &random)!, limit: Int.random(in: 0...3, using: &random), now: now,
                    lease: TimeInterval(Int.random(in: 0...40, using: &random))
                )
                same("claim at step \(step)") { (store: any CaseStore) throws(StoreError) in try store.claimOutbox(claim) }
            case 6:
                let ids = (0..<Int.random(in: 1...4, using: &random)).map { _ in messageIDs.randomElement(using: &random)! }
                let claimer = ["a", "b"].randomElement(using: &random)!
                same("acknowledge at step \(step)") { (store: any CaseStore) throws(StoreError) in
                    try store.acknowledgeOutbox(ids: ids, claimer: claimer, at: now)
                }
            case 7:
                let definition = StoredDefinition(
                    kind: "workflow", id: "w", version: Int.random(in: 1...3, using: &random),
                    fingerprint: "f\(Int.random(in: 1...2, using: &random))", content: "text"
                )
                same("record at step \(step)") { (store: any CaseStore) throws(StoreError) in try store.record(definition); return true }
            default:
                let id = caseIDs.randomElement(using: &random)!
                same("load \(id) at step \(step)") { (store: any CaseStore) throws(StoreError) in try store.load(caseID: id) }
                same("history \(id) at step \(step)") { (store: any CaseStore) throws(StoreError) in try store.history(caseID: id) }
                same("outbox \(id) at step \(step)") { (store: any CaseStore) throws(StoreError) in try store.outbox(caseID: id) }
            }
        }
        same("case ids") { (store: any CaseStore) throws(StoreError) in try store.caseIDs() }
        same("whole outbox") { (store: any CaseStore) throws(StoreError) in try store.outbox(caseID: nil) }
        for key in (0..<8).map({ "k-\($0)" }) {
            same("key \(key)") { (store: any CaseStore) throws(StoreError) in try store.idempotencyRecord(key: key) }
        }
        for version in 1...3 {
            same("definition \(version)") { (store: any CaseStore) throws(StoreError) in try store.definition(kind: "workflow", id: "w", version: version) }
        }
        for id in caseIDs {
            same("final history \(id)") { (store: any CaseStore) throws(StoreError) in try store.history(caseID: id) }
        }
    }
}

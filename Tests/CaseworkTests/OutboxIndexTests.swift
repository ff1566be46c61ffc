@testable import CaseworkDefinitions
@testable import CaseworkStore
import CaseworkTestSupport
import Foundation
import Testing

/// The in-memory store enters a batch's messages in its outbox index while it checks them, one look-up each, and takes
/// them out again when the batch is refused (docs/performance.md, Benchmarks, session 26 `fire15s`). These batches are
/// checked against a model of the rules as the store checked them before, a look-up to check and another to enter:
/// the same refusal, word for word, for the same batch; the same outbox afterwards; and every message found by its id.
@Suite("The in-memory outbox index")
struct OutboxIndexTests {
    /// The rules the store applies to a batch, in their order, kept as plain sets: the refusal the batch must get, or
    /// nil when it lands. Only what these batches vary is modelled: changes to cases that exist, their revisions,
    /// one event each, their messages and idempotency keys.
    struct Model {
        var revisions: [String: Int] = [:]
        var messageIDs: Set<String> = []
        var keys: Set<String> = []
        var outbox: [String] = []

        func refusal(_ changes: [CaseChange]) -> StoreError? {
            let several = changes.count > 1
            var cases = Set<String>(), messages = Set<String>(), batchKeys = Set<String>()
            for change in changes {
                let id = change.record.id
                if several, !cases.insert(id).inserted { return .duplicate("a second change to case '\(id)' in one commit") }
                let revision = revisions[id]!
                if let expected = change.expectedRevision, expected != revision {
                    return .revisionConflict(caseID: id, expected: expected, actual: revision)
                }
                for message in change.outbox where messageIDs.contains(message.id) || !messages.insert(message.id).inserted {
                    return .duplicate("outbox message '\(message.id)'")
                }
                if let key = change.idempotency?.key, keys.contains(key) || several && !batchKeys.insert(key).inserted {
                    return .duplicate("idempotency key '\(key)'")
                }
            }
            return nil
        }

        mutating func apply(_ changes: [CaseChange]) {
            for change in changes {
                revisions[change.record.id] = change.record.revision
                messageIDs.formUnion(change.outbox.map(\.id))
                outbox += change.outbox.map(\.id)
                if let key = change.idempotency?.key { keys.insert(key) }
            }
        }
    }

    static let at = Date(timeIntervalSince1970: 1_756_717_200)

    static func message(_ id: String, caseID: String) -> OutboxMessage {
        OutboxMessage(id: id, caseID: caseID, createdAt: at, recipientRole: "parent", recipientID: nil, template: "t", subject: "s", body: "b \(id)",
                      channel: .portal, owedReason: nil)
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func aBatchIsRefusedAndIndexedAsCheckingAndEnteringApartDid(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let store = InMemoryCaseStore()
        var model = Model()
        let cases = ["a", "b", "c"]
        for id in cases {
            try store.commit(CaseChange(record: FireCommitPathTests.record(id, revision: 1), expectedRevision: nil,
                                        events: [FireCommitPathTests.event(id, 1)], outbox: [], idempotency: nil))
            model.revisions[id] = 1
        }
        var fresh = 0
        var refusedAfterIndexing = 0, refusedAsRepeat = 0, landed = 0, landedAfterRefusal = 0
        // Ids a refused batch entered while checking and took out again: a later batch may use them.
        var refusedIDs: Set<String> = []
        for _ in 0..<400 {
            var changes: [CaseChange] = []
            var batchIDs: [String] = []
            for _ in 0...(random.next() % 3) {
                // Mostly distinct cases; now and then the same case twice.
                let id = cases[Int(random.next() % 3)]
                let held = model.revisions[id]!
                // Now and then a stale revision: a refusal after earlier changes' messages were entered.
                let expected = random.next() % 9 == 0 ? held - 1 : held
                let messages = (0..<(random.next() % 4)).map { _ -> OutboxMessage in
                    let pick = random.next() % 12
                    if pick == 0, let stored = model.outbox.randomElement(using: &random) { return Self.message(stored, caseID: id) }
                    if pick == 1, let earlier = batchIDs.randomElement(using: &random) { return Self.message(earlier, caseID: id) }
                    if pick < 4, let again = refusedIDs.sorted().randomElement(using: &random) {
                        batchIDs.append(again)
                        return Self.message(again, caseID: id)
                    }
                    fresh += 1
                    // Ids of several shapes: the engine's, plain, and non-ASCII ones, precomposed and decomposed.
                    let text = ["\(id)/\(fresh)/1", "m\(fresh)", "é\(fresh)", "e\u{301}\(fresh)"][Int(random.next() % 4)]
                    batchIDs.append(text)
                    return Self.message(text, caseID: id)
                }
                let key = random.next() % 10 == 0 ? "key-\(random.next() % 6)" : nil
                changes.append(CaseChange(record: FireCommitPathTests.record(id, revision: held + 1), expectedRevision: expected,
                                          events: [FireCommitPathTests.event(id, held + 1)], outbox: messages,
                                          idempotency: key.map { IdempotencyRecord(key: $0, caseID: id, request: "r", state: "open", revision: held + 1) }))
            }
            let refusal = model.refusal(changes)
            do {
                try store.commit(all: changes)
                #expect(refusal == nil, "landed, where the model refuses it: \(String(describing: refusal))")
                model.apply(changes)
                landed += 1
                landedAfterRefusal += changes.flatMap(\.outbox).filter { refusedIDs.remove($0.id) != nil }.count
            } catch {
                refusedIDs.formUnion(changes.flatMap(\.outbox).map(\.id).filter { !model.messageIDs.contains($0) })
                #expect(error == refusal)
                if case .duplicate(let what) = error, what.hasPrefix("outbox message") { refusedAsRepeat += 1 }
                if !changes.flatMap(\.outbox).isEmpty, case .revisionConflict = error { refusedAfterIndexing += 1 }
                if !changes.flatMap(\.outbox).isEmpty, case .duplicate(let what) = error, !what.hasPrefix("outbox") { refusedAfterIndexing += 1 }
            }
        }
        #expect(landed > 100 && refusedAsRepeat > 20 && refusedAfterIndexing > 20 && landedAfterRefusal > 10,
                "\(landed) landed, \(refusedAsRepeat) refused as a repeat, \(refusedAfterIndexing) refused after messages were entered, \(landedAfterRefusal) messages landed with an id a refused batch had entered")
        #expect(try KeptFireDataTests.all(store, caseID: nil).map(\.id) == model.outbox)
        // Every message is found by its id at its own place: acknowledging each alone marks it and no other.
        let claimed = try store.claimOutbox(OutboxClaim(claimer: "w", limit: model.outbox.count, now: Self.at, lease: 60))
        #expect(claimed.map(\.id) == model.outbox)
        var acknowledged: [String] = []
        for id in model.outbox.shuffled(using: &random).prefix(model.outbox.count / 2) {
            #expect(try store.acknowledgeOutbox(ids: [id], claimer: "w", at: Self.at) == 1)
            acknowledged.append(id)
        }
        let read = try KeptFireDataTests.all(store, caseID: nil)
        #expect(Set(read.filter { $0.deliveredAt != nil }.map(\.id)) == Set(acknowledged))
        // An id a refused batch entered and took out is free: a change with it lands.
        for id in cases {
            let held = model.revisions[id]!
            try store.commit(CaseChange(record: FireCommitPathTests.record(id, revision: held + 1), expectedRevision: held,
                                        events: [FireCommitPathTests.event(id, held + 1)], outbox: [Self.message("after-\(id)", caseID: id)],
                                        idempotency: nil))
        }
    }

    @Test func anIdARefusedBatchEnteredIsFreeAfterwardsAndAStoredOneKeepsItsPlace() throws {
        let store = InMemoryCaseStore()
        for id in ["a", "b"] {
            try store.commit(CaseChange(record: FireCommitPathTests.record(id, revision: 1), expectedRevision: nil,
                                        events: [FireCommitPathTests.event(id, 1)], outbox: [Self.message("\(id)/1/1", caseID: id)], idempotency: nil))
        }
        // The first change's messages are entered, then the second change is refused for its stale revision.
        let refused = [
            CaseChange(record: FireCommitPathTests.record("a", revision: 2), expectedRevision: 1, events: [FireCommitPathTests.event("a", 2)],
                       outbox: [Self.message("a/2/1", caseID: "a"), Self.message("a/2/2", caseID: "a")], idempotency: nil),
            CaseChange(record: FireCommitPathTests.record("b", revision: 2), expectedRevision: 7, events: [FireCommitPathTests.event("b", 2)],
                       outbox: [Self.message("b/2/1", caseID: "b")], idempotency: nil),
        ]
        #expect(throws: StoreError.revisionConflict(caseID: "b", expected: 7, actual: 1)) { try store.commit(all: refused) }
        // A repeat of a stored id after new ones: refused, naming it; the stored one keeps its place.
        #expect(throws: StoreError.duplicate("outbox message 'b/1/1'")) {
            try store.commit(CaseChange(record: FireCommitPathTests.record("a", revision: 2), expectedRevision: 1, events: [FireCommitPathTests.event("a", 2)],
                                        outbox: [Self.message("a/2/1", caseID: "a"), Self.message("b/1/1", caseID: "a")], idempotency: nil))
        }
        // A repeat within one change: refused, naming the repeated id.
        #expect(throws: StoreError.duplicate("outbox message 'a/2/1'")) {
            try store.commit(CaseChange(record: FireCommitPathTests.record("a", revision: 2), expectedRevision: 1, events: [FireCommitPathTests.event("a", 2)],
                                        outbox: [Self.message("a/2/1", caseID: "a"), Self.message("a/2/1", caseID: "a")], idempotency: nil))
        }
        try store.commit(all: refused.map { change in
            var change = change
            change.expectedRevision = 1
            return change
        })
        #expect(try KeptFireDataTests.all(store, caseID: nil).map(\.id) == ["a/1/1", "b/1/1", "a/2/1", "a/2/2", "b/2/1"])
        _ = try store.claimOutbox(OutboxClaim(claimer: "w", limit: 10, now: Self.at, lease: 60))
        #expect(try store.acknowledgeOutbox(ids: ["b/1/1", "a/2/2"], claimer: "w", at: Self.at) == 2)
        #expect(try KeptFireDataTests.all(store, caseID: nil).filter { $0.deliveredAt != nil }.map(\.id) == ["b/1/1", "a/2/2"])
    }
}

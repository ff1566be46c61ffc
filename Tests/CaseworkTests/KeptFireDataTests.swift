@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkExpressions
@testable import CaseworkStore
import CaseworkTestSupport
import Foundation
import Testing

/// What the in-memory store keeps of a fire, kept in less memory (docs/performance.md, Benchmarks, "Session 21"): a change's
/// set fields are its event's input itself when they are the same values, and the outbox grows by pages. Each reads back
/// exactly as before: the same changes, events, hashes and messages, in the same order, claimed and acknowledged as before.
@Suite("What the store keeps of a fire")
struct KeptFireDataTests {
    /// The address of the storage a dictionary's value holds: equal for two values sharing one storage.
    static func storage(_ dictionary: [String: ExpressionValue]) -> [UInt8] {
        withUnsafeBytes(of: dictionary) { Array($0) }
    }

    /// Each seed with the most paths a step touches: up to 3 (a transition's input, searched by comparing) or up to 12
    /// (beyond the 8 `setsExactly` compares, so found through a set), where most paths are given, so that steps with
    /// many touched paths are shared too.
    @Test(arguments: [(1, 3), (2, 3), (3, 3), (4, 3), (5, 12), (6, 12)] as [(UInt64, Int)])
    func theGivenValuesAreTheSetFieldsExactlyWhenTheStepSetThemAll(seed: UInt64, mostTouched: Int) {
        var generator = RecordGenerator(random: SeededGenerator(seed: seed))
        var shared = 0, built = 0, sharedBeyondComparing = 0
        let few = mostTouched <= 3
        for _ in 0..<600 {
            let before = generator.record()
            var after = before
            var touched: [String] = []
            var given: [String: ExpressionValue] = [:]
            for _ in 0..<Int(generator.random.next() % UInt64(mostTouched + 1)) {
                let existing = before.fields.keys.sorted()
                let path = !existing.isEmpty && generator.chance() ? generator.pick(existing) : generator.text()
                guard !touched.contains(path) else { continue }
                touched.append(path)
                // The actor's value, sometimes the one the case holds already.
                let value = generator.chance() && (few || generator.chance()) ? before.fields[path] ?? generator.value() : generator.value()
                switch generator.random.next() % (few ? 6 : 24) {
                case 0: after.fields[path] = generator.value()  // a `set:` value over the given one
                case 1: after.fields[path] = nil  // cleared
                case 2: after.fields[path] = value  // set by a `set:` value alone: not given
                default:
                    after.fields[path] = value
                    given[path] = value
                }
            }
            // Sometimes a value given for a path the step did not touch.
            if generator.chance() && generator.chance() { given[generator.text()] = generator.value() }
            let touchedOnly = RecordChange.between(before, after, fieldsTouched: touched)
            let withGiven = RecordChange.between(before, after, fieldsTouched: touched, given: given)
            #expect(withGiven == touchedOnly)
            #expect(withGiven == RecordChange.between(before, after))
            // Shared exactly when the touched paths are the given ones and each was set to its given value; a touched
            // path left as it was (or cleared when it held nothing) adds nothing to the change, but is not given.
            if given.count == touched.count && touchedOnly.setFields == given && touchedOnly.clearedFields.isEmpty {
                #expect(Self.storage(withGiven.setFields) == Self.storage(given), "the given values themselves, not an equal copy")
                shared += 1
                if touched.count > 8 { sharedBeyondComparing += 1 }
            } else {
                #expect(Self.storage(withGiven.setFields) != Self.storage(given) || given.isEmpty, "built, not the given values")
                built += 1
            }
        }
        #expect(shared > 50 && built > 50, "both ways were taken: \(shared) shared, \(built) built")
        #expect(few || sharedBeyondComparing > 0, "no step of more than 8 touched paths was shared")
    }

    @Test func aFireThatRecordsOnlyItsInputKeepsOneDictionaryForItsInputAndChange() throws {
        let store = InMemoryCaseStore()
        let engine = try PlannedTransitionTests.engine(store)
        _ = try engine.open(workflow: "touch", as: PlannedTransitionTests.caseworker, caseID: "c", fields: ["ready": .bool(true)])
        for index in 1...30 {
            _ = try engine.fire(FireRequest(caseID: "c", transition: "plain", actor: PlannedTransitionTests.caseworker, input: ["a": .int(index)]))
        }
        // `step` sets `b` and `c` besides its input: its change is built, and holds them.
        _ = try engine.fire(FireRequest(caseID: "c", transition: "step", actor: PlannedTransitionTests.caseworker, input: ["a": .int(99)]))
        let events = try store.snapshot(caseID: "c").events
        #expect(events.count == 32)
        for event in events[1...30] {
            let change = try #require(event.change)
            #expect(change.setFields == event.input)
            #expect(Self.storage(change.setFields) == Self.storage(event.input))
        }
        let step = try #require(events.last?.change)
        #expect(step.setFields == ["a": .int(99), "b": .string("fixed"), "c": .int(7)])
        #expect(AuditVerification.verify(events, record: try store.load(caseID: "c")) == .intact(events: 32))
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func aPagedListIsTheArrayItStandsFor(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        var list = PagedList<Int>()
        var array: [Int] = []
        #expect(list.isEmpty && Array(list) == [])
        for step in 0..<1_500 {
            if random.next() % 4 == 0, !array.isEmpty {
                let position = Int(random.next() % UInt64(array.count))
                list[position] += step
                array[position] += step
            } else {
                // Batches of any size: empty, within a page, filling one exactly, spanning several.
                let batch = (0..<Int(random.next() % 600 == 0 ? 700 : random.next() % 7)).map { step * 1_000 + $0 }
                list.append(contentsOf: batch)
                array.append(contentsOf: batch)
            }
        }
        #expect(list.count == array.count && array.count > 2 * PagedList<Int>.pageCapacity)
        #expect(Array(list) == array)
        #expect(list.indices == array.indices)
        #expect(list.enumerated().map(\.offset) == Array(array.indices))
        for position in [0, PagedList<Int>.pageCapacity - 1, PagedList<Int>.pageCapacity, array.count - 1] {
            #expect(list[position] == array[position])
        }
        #expect(list.filter { $0.isMultiple(of: 3) } == array.filter { $0.isMultiple(of: 3) })
    }

    @Test func theOutboxReadsBackInCommitOrderAcrossPages() throws {
        let store = InMemoryCaseStore()
        let at = Date(timeIntervalSince1970: 1_756_717_200)
        var expected: [OutboxMessage] = []
        var revisions: [String: Int] = [:]
        var random = SeededGenerator(seed: 7)
        for commit in 0..<700 {
            let id = "c\(random.next() % 3)"
            let previous = revisions[id]
            let revision = (previous ?? 0) + 1
            let messages = (0..<Int(random.next() % 3)).map { number in
                OutboxMessage(id: "\(id)/\(revision)/\(number + 1)", caseID: id, createdAt: at, recipientRole: "parent", recipientID: nil,
                              template: "t", subject: "Subject \(commit)", body: "Body \(commit) \(number)",
                              channel: commit.isMultiple(of: 5) ? .other : .portal, owedReason: commit.isMultiple(of: 5) ? .noParticipant : nil)
            }
            try store.commit(CaseChange(record: FireCommitPathTests.record(id, revision: revision), expectedRevision: previous,
                                        events: [FireCommitPathTests.event(id, revision)], outbox: messages, idempotency: nil))
            revisions[id] = revision
            expected += messages
        }
        #expect(expected.count > 2 * PagedList<OutboxMessage>.pageCapacity)
        // A message already held is refused wherever its page is.
        #expect(throws: StoreError.duplicate("outbox message '\(expected[3].id)'")) {
            try store.commit(CaseChange(record: FireCommitPathTests.record("c0", revision: revisions["c0"]! + 1), expectedRevision: revisions["c0"],
                                        events: [FireCommitPathTests.event("c0", revisions["c0"]! + 1)], outbox: [expected[3]], idempotency: nil))
        }
        #expect(try Self.all(store, caseID: nil) == expected)
        #expect(try Self.all(store, caseID: "c1") == expected.filter { $0.caseID == "c1" })
        // Claims take the oldest claimable messages, across pages, and acknowledgements find them by id.
        let claimed = try store.claimOutbox(OutboxClaim(claimer: "w", limit: 300, now: at, lease: 60))
        let claimable = expected.filter { $0.isClaimable(at: at) }
        #expect(claimed.map(\.id) == claimable.prefix(300).map(\.id))
        #expect(claimed.allSatisfy { $0.claimedBy == "w" && $0.attempts == 1 })
        let last = Array(claimed.suffix(10).map(\.id))
        #expect(try store.acknowledgeOutbox(ids: last + ["nothing"], claimer: "w", at: at) == 10)
        let read = try Self.all(store, caseID: nil)
        #expect(read.map(\.id) == expected.map(\.id))
        #expect(read.filter { $0.deliveredAt != nil }.map(\.id) == last)
        #expect(read.filter { $0.claimedBy == "w" }.map(\.id) == claimed.map(\.id))
        #expect(try store.archive(caseID: "c2")?.outbox.map(\.id) == expected.filter { $0.caseID == "c2" }.map(\.id))
    }

    /// Every message of the store's outbox (of `caseID`, or all), read page by page.
    static func all(_ store: InMemoryCaseStore, caseID: String?) throws -> [OutboxMessage] {
        var messages: [OutboxMessage] = []
        var request = PageRequest(limit: 100)
        while true {
            let page = try store.outbox(caseID: caseID, page: request)
            messages += page.items
            guard let next = page.next else { return messages }
            request = PageRequest(after: next, limit: 100)
        }
    }
}

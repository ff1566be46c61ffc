@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkExpressions
@testable import CaseworkStore
import Foundation
import Testing

/// The commit path's cheaper ways of doing what it did (docs/performance.md, Benchmarks, "Session 20"): a message id
/// written once at its length is the text the interpolation gave, and the in-memory store, keeping each case's highest
/// event sequence instead of a set of them all, refuses exactly the events a set refused and keeps the rest in order.
@Suite("Fire commit path")
struct FireCommitPathTests {
    @Test func aMessageIdIsTheTextTheInterpolationGave() {
        let ids = ["", "c1", "case-1", "a-case-id-much-longer-than-fifteen-bytes", "café", "ç/ü/1", "🙂 case", "x\u{0}y"]
        let numbers = [0, 1, 9, 10, 99, 100, 12_345, 1_000_000_007, Int.max, -1, Int.min]
        for id in ids {
            for revision in numbers {
                for number in numbers {
                    #expect(Engine.messageID(caseID: id, revision: revision, number: number) == "\(id)/\(revision)/\(number)")
                }
            }
        }
    }

    @Test func aFiresMessagesAreNumberedAsBefore() throws {
        let engine = try PlannedTransitionTests.engine()
        _ = try engine.open(workflow: "touch", as: PlannedTransitionTests.caseworker, caseID: "case_9.a-long-id", fields: ["ready": .bool(true)])
        for index in 1...12 {
            let result = try engine.fire(FireRequest(caseID: "case_9.a-long-id", transition: "plain", actor: PlannedTransitionTests.caseworker,
                                                     input: ["a": .int(index)]))
            #expect(result.notifications.map(\.id) == ["case_9.a-long-id/\(index + 1)/1"])
        }
    }

    /// An event of `caseID` numbered `sequence`.
    static func event(_ caseID: String, _ sequence: Int) -> AuditEvent {
        AuditEvent(caseID: caseID, sequence: sequence, at: Date(timeIntervalSince1970: 1_756_717_200 + Double(sequence)),
                   actor: CaseActor(role: "caseworker", id: "ana"), action: "fired", subject: "t", fromState: "open", toState: "open",
                   revision: sequence, input: ["n": .int(sequence)], previousHash: AuditEvent.genesisHash)
    }

    /// Case `caseID`'s record at `revision`.
    static func record(_ caseID: String, revision: Int) -> CaseRecord {
        CaseRecord(id: caseID, workflow: "w", workflowVersion: 1, state: "open", revision: revision, fields: [:], participants: [:], forms: [],
                   openedAt: Date(timeIntervalSince1970: 1_756_717_200), updatedAt: Date(timeIntervalSince1970: 1_756_717_200), auditHead: "h")
    }

    @Test func theStoreRefusesTheEventsASetOfSequencesRefused() throws {
        // Changes of one or two events with sequences in any order, repeats among them: each refused exactly when one of
        // its sequences is already held (or it repeats one of its own), as a set of every sequence decided it.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let store = InMemoryCaseStore()
            try store.commit(CaseChange(record: Self.record("c", revision: 1), expectedRevision: nil, events: [Self.event("c", 1)], outbox: [],
                                        idempotency: nil))
            var held: Set<Int> = [1]
            var order = [1]
            var revision = 1
            for _ in 0..<40 {
                let sequences = (0..<Int.random(in: 1...2, using: &generator)).map { _ in Int.random(in: -3...25, using: &generator) }
                let change = CaseChange(record: Self.record("c", revision: revision + 1), expectedRevision: revision,
                                        events: sequences.map { Self.event("c", $0) }, outbox: [], idempotency: nil)
                let repeated = sequences.first { held.contains($0) } ?? (sequences.count == 2 && sequences[0] == sequences[1] ? sequences[1] : nil)
                if let repeated {
                    #expect(throws: StoreError.duplicate("audit event \(repeated) of case 'c'")) { try store.commit(change) }
                } else {
                    try store.commit(change)
                    held.formUnion(sequences)
                    order += sequences
                    revision += 1
                }
            }
            #expect(try store.snapshot(caseID: "c").events.map(\.sequence) == order)
        }
    }
}

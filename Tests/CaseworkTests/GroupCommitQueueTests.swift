import Casework
import CaseworkStoreConformance
import Synchronization
import Testing

/// A driver draining a group committer's queue (``CaseStoreDriver/startCommitting(_:)``): it writes each batch the
/// queue hands over, in order, answers each with its own groups' refusals or the store's failure of it, and stops when
/// the queue has none left.
@Suite("Group commit: a driver draining the queue")
struct GroupCommitQueueTests {
    /// A queue of batches fixed in advance, recording the answers, that says when the driver asked past its last batch.
    final class Batches: GroupCommitQueue {
        private struct State {
            var left: [[[CaseChange]]]
            var answers: [Result<[StoreError?], StoreError>] = []
            var done: CheckedContinuation<Void, Never>?
            var finished = false
        }

        private let state: Mutex<State>

        init(_ batches: [[[CaseChange]]]) {
            state = Mutex(State(left: batches))
        }

        func nextBatch() -> [PreparedCommit]? {
            let (batch, done) = state.withLock { state -> ([PreparedCommit]?, CheckedContinuation<Void, Never>?) in
                guard state.left.isEmpty else { return (state.left.removeFirst().map(PreparedCommit.init), nil) }
                state.finished = true
                defer { state.done = nil }
                return (nil, state.done)
            }
            done?.resume()
            return batch
        }

        func answer(_ answers: Result<[StoreError?], StoreError>) {
            state.withLock { $0.answers.append(answers) }
        }

        /// The answers, once the driver has asked for a batch after the last one.
        func drained() async -> [Result<[StoreError?], StoreError>] {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let finished = state.withLock { state in
                    if !state.finished { state.done = done }
                    return state.finished
                }
                if finished { done.resume() }
            }
            return state.withLock { $0.answers }
        }
    }

    @Test func eachBatchIsWrittenInOrderAndAnsweredGroupByGroup() async throws {
        let store = InMemoryCaseStore()
        let batches = Batches([
            [[Fixture.opening("c1")], [Fixture.opening("c2")]],
            [[Fixture.opening("c3")], [Fixture.opening("c1")], [Fixture.opening("c4")]],
        ])
        store.driver.startCommitting(batches)
        let answers = await batches.drained()
        try #require(answers.count == 2)
        #expect(try answers[0].get() == [nil, nil])
        #expect(try answers[1].get() == [nil, .caseExists("c1"), nil], "the second opening of c1 is refused alone, meeting the first batch's")
        #expect(try store.caseIDs() == ["c1", "c2", "c3", "c4"])
    }

    @Test func aFailingBatchIsAnsweredAsAFailureAndTheNextStillLands() async throws {
        let store = FailingStore(wrapping: InMemoryCaseStore())
        store.fail(atOperation: 1)
        let batches = Batches([[[Fixture.opening("c1")], [Fixture.opening("c2")]], [[Fixture.opening("c3")]]])
        store.driver.startCommitting(batches)
        let answers = await batches.drained()
        try #require(answers.count == 2)
        guard case .failure(let failure) = answers.first else {
            Issue.record("the first batch was answered \(String(describing: answers.first)), not as a failure")
            return
        }
        #expect(failure == .failed("injected failure"), "the whole first batch failed")
        #expect(try answers.last?.get() == [nil])
        #expect(try store.caseIDs() == ["c3"], "nothing of the failed batch was written")
    }
}

import Synchronization

/// Writes the commits of a ``CaseService``'s callers that arrive while another is being written as one batch, so a
/// durable store pays one transaction (one `fsync`) for them all instead of one each.
///
/// Callers queue, and the driver drains the queue (``CaseStoreDriver/startCommitting(_:)``), with no timer: the first
/// caller to find no writing under way starts it, and is written at once (alone, it waits for no one); the driver then
/// takes everyone waiting by the time a batch is written as the next batch, and stops when none is waiting. A blocking
/// store's driver does this on one of its own threads, so one batch follows another with no task woken between them;
/// each caller waits in its own task for its own answer, and no task is started.
///
/// Each caller encodes its change's rows itself as it joins the queue (``CaseStoreDriver/prepare(_:)``), on its own
/// thread, so callers encode side by side while the batch before them is written and the driver's thread does only the
/// batch's SQL. Each caller's change is its own group of the batch (``CaseStoreDriver/commit(prepared:)``): a change
/// the store refuses (its case moved on, a key taken) is refused to that caller alone and the others land; a failure
/// of the store itself fails every caller of the batch, with no change of it written.
package final class GroupCommitter: GroupCommitQueue {
    /// The most callers' changes written in one batch; the rest wait for the next.
    static let largestBatch = 128

    /// A caller waiting for its change to be written.
    private struct Waiting: Sendable {
        let group: PreparedCommit
        /// Woken with the change's refusal or failure, or nil when it was written.
        let answer: CheckedContinuation<StoreError?, Never>
    }

    private struct State {
        /// The callers not yet taken into a batch, in the order they came.
        var waiting: [Waiting] = []
        /// The callers of the batch being written.
        var writing: [Waiting] = []
        /// Whether the driver is draining the queue.
        var draining = false
        var batches = 0
    }

    private let driver: any CaseStoreDriver
    private let state = Mutex(State())

    /// A committer writing to `driver`.
    init(driver: any CaseStoreDriver) {
        self.driver = driver
    }

    /// How many callers wait for the batch in flight to be written: the next batch is them all (up to ``largestBatch``).
    package var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// How many batches have been written (or failed) so far: with the commits made, how many callers share a
    /// transaction on average.
    package var batchCount: Int { state.withLock { $0.batches } }

    /// Writes `changes` (all of them or none) in the next batch, their rows encoded here first; throws the store's
    /// refusal of them or its failure.
    func commit(_ changes: [CaseChange]) async throws(StoreError) {
        let group = try driver.prepare(changes)
        let refusal = await withCheckedContinuation { (answer: CheckedContinuation<StoreError?, Never>) in
            let starts = state.withLock { state in
                state.waiting.append(Waiting(group: group, answer: answer))
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if starts { driver.startCommitting(self) }
        }
        if let refusal { throw refusal }
    }

    /// Takes everyone waiting (up to ``largestBatch``) as the batch to write, or ends the draining when none is.
    package func nextBatch() -> [PreparedCommit]? {
        state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.draining = false
                return nil
            }
            let taken = min(state.waiting.count, Self.largestBatch)
            state.writing = Array(state.waiting.prefix(taken))
            state.waiting.removeFirst(taken)
            state.batches += 1
            return state.writing.map(\.group)
        }
    }

    /// Wakes each caller of the batch written with its own answer.
    package func answer(_ answers: Result<[StoreError?], StoreError>) {
        let batch = state.withLock { state in
            defer { state.writing = [] }
            return state.writing
        }
        let refusals: [StoreError?] = switch answers {
        case .success(let each) where each.count == batch.count: each
        case .success(let each): Array(repeating: .failed("the store answered \(each.count) of a batch of \(batch.count) changes"), count: batch.count)
        case .failure(let error): Array(repeating: error, count: batch.count)
        }
        for (caller, refusal) in zip(batch, refusals) { caller.answer.resume(returning: refusal) }
    }
}

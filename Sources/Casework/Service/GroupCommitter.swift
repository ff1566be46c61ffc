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

    /// Where a waiting caller is woken with its change's refusal or failure, or nil when it was written.
    ///
    /// Unsafe rather than checked (which allocates a canary object for each wait to catch a second or a missing
    /// resume): each continuation is resumed exactly once, by ``answer(_:)``. It enters ``State/waitingAnswers`` once,
    /// in ``commit(_:)``; ``nextBatch()`` moves it to ``State/writingAnswers`` and the driver answers every batch it
    /// takes (``CaseStoreDriver/startCommitting(_:)``: each ``nextBatch()`` is followed by one ``answer(_:)``), which
    /// empties ``State/writingAnswers`` under the lock before resuming what it took, so none is resumed twice or left.
    private typealias Answer = UnsafeContinuation<StoreError?, Never>

    private struct State {
        /// The groups of the callers not yet taken into a batch, in the order they came.
        var waitingGroups: [PreparedCommit] = []
        /// Their callers, in the same order.
        var waitingAnswers: [Answer] = []
        /// The callers of the batch being written, in the batch's order.
        var writingAnswers: [Answer] = []
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
    package var waitingCount: Int { state.withLock { $0.waitingGroups.count } }

    /// How many batches have been written (or failed) so far: with the commits made, how many callers share a
    /// transaction on average.
    package var batchCount: Int { state.withLock { $0.batches } }

    /// Writes `changes` (all of them or none) in the next batch, their rows encoded here first; throws the store's
    /// refusal of them or its failure.
    func commit(_ changes: [CaseChange]) async throws(StoreError) {
        let group = try driver.prepare(changes)
        let refusal = await withUnsafeContinuation { (answer: Answer) in
            let starts = state.withLock { state in
                state.waitingGroups.append(group)
                state.waitingAnswers.append(answer)
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if starts { driver.startCommitting(self) }
        }
        if let refusal { throw refusal }
    }

    /// Takes everyone waiting (up to ``largestBatch``) as the batch to write, or ends the draining when none is.
    /// Everyone (the usual case) is taken by handing over the waiting arrays whole, so no caller's group is copied.
    package func nextBatch() -> [PreparedCommit]? {
        state.withLock { state in
            guard !state.waitingGroups.isEmpty else {
                state.draining = false
                return nil
            }
            state.batches += 1
            guard state.waitingGroups.count > Self.largestBatch else {
                state.writingAnswers = state.waitingAnswers
                state.waitingAnswers = []
                defer { state.waitingGroups = [] }
                return state.waitingGroups
            }
            state.writingAnswers = Array(state.waitingAnswers.prefix(Self.largestBatch))
            state.waitingAnswers.removeFirst(Self.largestBatch)
            defer { state.waitingGroups.removeFirst(Self.largestBatch) }
            return Array(state.waitingGroups.prefix(Self.largestBatch))
        }
    }

    /// Wakes each caller of the batch written with its own answer.
    package func answer(_ answers: Result<[StoreError?], StoreError>) {
        let batch = state.withLock { state in
            defer { state.writingAnswers = [] }
            return state.writingAnswers
        }
        let refusals: [StoreError?] = switch answers {
        case .success(let each) where each.count == batch.count: each
        case .success(let each): Array(repeating: .failed("the store answered \(each.count) of a batch of \(batch.count) changes"), count: batch.count)
        case .failure(let error): Array(repeating: error, count: batch.count)
        }
        for (caller, refusal) in zip(batch, refusals) { caller.resume(returning: refusal) }
    }
}

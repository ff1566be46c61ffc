import Synchronization

/// Writes the commits of a ``CaseService``'s callers that arrive while another is being written as one batch, so a
/// durable store pays one transaction (one `fsync`) for them all instead of one each.
///
/// Leader and followers, with no timer: a caller finding no batch in flight leads one at once (alone, it waits for no
/// one); a caller finding one in flight waits. When the leader's batch is written it hands the lead to the first caller
/// still waiting, who writes everyone waiting by then in one batch, and answers each caller in its own batch. Every caller stays in
/// its own task, so no task is started and none is left behind.
///
/// Each caller's change is its own group of the batch (``CaseStoreDriver/commit(each:)``): a change the store refuses
/// (its case moved on, a key taken) is refused to that caller alone and the others land; a failure of the store itself
/// fails every caller of the batch, with no change of it written.
package final class GroupCommitter: Sendable {
    /// The most callers' changes written in one batch; the rest wait for the next.
    static let largestBatch = 128

    /// What a waiting caller is woken with.
    private enum Turn: Sendable {
        /// Its change was written (nil) or refused or failed (the error).
        case answered(StoreError?)
        /// It leads the next batch.
        case lead
    }

    /// A caller waiting for a batch.
    private struct Waiting: Sendable {
        let changes: [CaseChange]
        let turn: CheckedContinuation<Turn, Never>
    }

    private struct State {
        var waiting: [Waiting] = []
        var writing = false
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

    /// Writes `changes` (all of them or none) in the next batch; throws the store's refusal of them or its failure.
    func commit(_ changes: [CaseChange]) async throws(StoreError) {
        let leads = state.withLock { state in
            guard !state.writing else { return false }
            state.writing = true
            return true
        }
        if !leads {
            let turn = await withCheckedContinuation { (turn: CheckedContinuation<Turn, Never>) in
                let leadsNow = state.withLock { state in
                    guard !state.writing else {
                        state.waiting.append(Waiting(changes: changes, turn: turn))
                        return false
                    }
                    state.writing = true
                    return true
                }
                if leadsNow { turn.resume(returning: .lead) }
            }
            if case .answered(let refusal) = turn {
                if let refusal { throw refusal }
                return
            }
        }
        try await lead(changes)
    }

    /// Writes `changes` with every change waiting (up to ``largestBatch``), hands the lead on, then answers the others.
    private func lead(_ changes: [CaseChange]) async throws(StoreError) {
        let followers = state.withLock { state in
            let taken = Array(state.waiting.prefix(Self.largestBatch - 1))
            state.waiting.removeFirst(taken.count)
            state.batches += 1
            return taken
        }
        let groups = [changes] + followers.map(\.changes)
        var answers: [StoreError?]
        do throws(StoreError) {
            answers = try await driver.commit(each: groups)
        } catch {
            answers = Array(repeating: error, count: groups.count)
        }
        if answers.count != groups.count {
            answers = Array(repeating: .failed("the store answered \(answers.count) of a batch of \(groups.count) changes"), count: groups.count)
        }
        // The lead is handed on before the answers go out, so the next batch's leader is woken ahead of the callers
        // answered here (who go on to decide their next changes) and the store waits as little as it can.
        let next = state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.writing = false
                return nil as Waiting?
            }
            return state.waiting.removeFirst()
        }
        next?.turn.resume(returning: .lead)
        for (follower, answer) in zip(followers, answers.dropFirst()) { follower.turn.resume(returning: .answered(answer)) }
        if let refusal = answers[0] { throw refusal }
    }
}

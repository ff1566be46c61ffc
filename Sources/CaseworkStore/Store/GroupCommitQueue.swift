/// A group committer's waiting batches as the driver writing them sees them (``CaseStoreDriver/startCommitting(_:)``):
/// the driver takes a batch, writes it, answers it, and takes the next, until none is waiting.
public protocol GroupCommitQueue: Sendable {
    /// The groups of the next batch, taken from the callers waiting (each encoded by its caller as it joined), or nil
    /// when none is waiting: the writing ends there, and the next caller to arrive starts it again.
    func nextBatch() -> [PreparedCommit]?
    /// The answer to the batch ``nextBatch()`` handed over last: each group's refusal (nil when it landed), or the
    /// store's failure of the whole batch, none of it written.
    func answer(_ answers: Result<[StoreError?], StoreError>)
}

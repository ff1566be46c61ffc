/// One group committer's caller's changes, with the rows the store writes for them already encoded: made by the
/// store's ``CaseStore/prepare(_:)`` on the caller's own thread as it joins the queue (``CaseStoreDriver/prepare(_:)``),
/// so the callers encode their rows side by side while the batch before them is written, and the thread that drains
/// the queue does only the batch's SQL (``CaseStore/commit(prepared:)``).
public struct PreparedCommit: Sendable {
    /// The changes, all of them or none.
    public let changes: [CaseChange]
    /// The rows as the store that prepared them writes them, or nil for a store that encodes nothing ahead (it
    /// writes from ``changes``); only that kind of store reads them.
    public let rows: (any Sendable)?

    /// Changes with nothing encoded ahead: what a store that writes from the changes themselves prepares.
    public init(_ changes: [CaseChange]) {
        self.changes = changes
        rows = nil
    }

    /// Changes with the rows a store encoded for them.
    public init(_ changes: [CaseChange], rows: any Sendable) {
        self.changes = changes
        self.rows = rows
    }
}

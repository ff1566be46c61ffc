import Dispatch
import Synchronization

extension Array where Element: Sendable {
    /// `transform` of each element, in order, worked out on every core at once (`DispatchQueue.concurrentPerform`): how
    /// the SQLite and PostgreSQL stores encode a group committer's batch, whose rows' JSON is most of the CPU a batch
    /// takes, before its transaction opens, so a batch of four waits for two encodings in a row on two cores, not four.
    package func concurrentlyMapped<Output: Sendable>(_ transform: @Sendable (Element) -> Output) -> [Output] {
        let outputs = Mutex<[Output?]>(Array<Output?>(repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: count) { index in
            let output = transform(self[index])
            outputs.withLock { $0[index] = output }
        }
        return outputs.withLock { $0.compactMap { $0 } }
    }
}

import Synchronization

/// A caller's say over whether the ``CaseService`` call it started may still write: a server that answers within a
/// time limit closes the gate when it gives up, and from then on the call writes nothing, so the caller's answer
/// ("nothing was changed") stays true.
///
/// The service passes every write through the gate of the task it runs in (``current``): a decision's commit, a
/// claim or an acknowledgement of the outbox. A write already under way when the caller gives up is not stopped;
/// ``close()`` then says so, and the caller waits for the call's real answer instead.
public final class CommitGate: Sendable {
    private enum State {
        case open
        case writing
        case closed
    }

    /// The gate of the task the service is called in, if its caller set one.
    @TaskLocal public static var current: CommitGate?

    private let state = Mutex(State.open)

    /// An open gate.
    public init() {}

    /// Shuts the gate when no write is under way, and answers whether it did: after true, the call writes nothing
    /// more; after false, a write is under way and the call's own answer will say how it went.
    public func close() -> Bool {
        state.withLock { state in
            guard case .open = state else { return false }
            state = .closed
            return true
        }
    }

    /// Runs `write` unless the gate is closed, the gate held open for it; a closed gate is a refusal that changed nothing.
    package static func write<T: Sendable>(_ write: () async throws(StoreError) -> T) async throws(StoreError) -> T {
        guard let gate = current else { return try await write() }
        let admitted = gate.state.withLock { state -> Bool in
            guard case .open = state else { return false }
            state = .writing
            return true
        }
        guard admitted else { throw .busy("the caller stopped waiting; nothing was changed") }
        defer { gate.state.withLock { $0 = .open } }
        return try await write()
    }
}

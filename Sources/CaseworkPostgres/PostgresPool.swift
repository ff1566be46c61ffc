import Foundation
import Synchronization

/// A small pool of connections to one database: the one door through which the store reaches PostgreSQL.
///
/// A caller borrows a connection for one closure (``withConnection(_:)``, ``read(_:)``, ``transaction(_:_:)``,
/// ``pipeline(_:)``): an idle one when there is one, otherwise a new one. At most ``openLimit`` connections are open at
/// once, idle or borrowed; a caller finding them all borrowed waits until one comes back, for at most ``waitLimit``,
/// then is told the database is busy. Afterwards a connection goes back to the idle list if it is still open, outside
/// any transaction, and the list holds fewer than ``idleLimit``; otherwise it is closed. An idle connection is checked
/// before it is handed out (what the server sent meanwhile is read, without a round trip), so a connection the server
/// dropped is closed rather than used: a server restart costs the calls in flight, not the pool.
///
/// `Sendable` without `@unchecked`: the mutable state (the idle list and the count of open connections) is behind a
/// `Mutex`, only ever taken while holding `changed`, the condition callers wait on, so the two locks are always taken
/// in one order; a connection is in the idle list or with exactly one caller, never both (see ``PostgresConnection``).
package final class PostgresPool: Sendable {
    /// The idle connections and how many are open in all.
    private struct State {
        var idle: [PostgresConnection] = []
        var open = 0
    }

    /// The libpq connection string. Never printed: it may hold a password.
    private let conninfo: String
    /// The most idle connections kept open.
    package let idleLimit: Int
    /// The most connections open at once, idle or borrowed.
    package let openLimit: Int
    /// How long a caller waits for a connection when ``openLimit`` are borrowed.
    package let waitLimit: Duration
    private let state = Mutex(State())
    /// Signalled whenever a connection comes back or closes, for callers waiting on ``openLimit``.
    private let changed = NSCondition()

    /// A pool for the database `conninfo` names; it opens one connection at once, so a database that cannot be
    /// reached is an error here rather than at the first call.
    package init(conninfo: String, idleLimit: Int = 8, openLimit: Int = 16, waitLimit: Duration = .seconds(30)) throws(PostgresError) {
        self.conninfo = conninfo
        self.idleLimit = max(0, idleLimit)
        self.openLimit = max(1, openLimit)
        self.waitLimit = waitLimit
        let first = try PostgresConnection(conninfo: conninfo)
        state.withLock {
            $0.open = 1
            $0.idle.append(first)
        }
    }

    /// Runs `body` with a connection of its own, then returns the connection to the pool or closes it.
    package func withConnection<T, Failure: PostgresErrorConvertible>(_ body: (PostgresConnection) throws(Failure) -> sending T) throws(Failure) -> sending T {
        let (connection, _) = try borrow(Failure.self)
        defer { giveBack(connection) }
        return try body(connection)
    }

    /// Runs `body`, which only reads, with a connection of its own. An idle connection may have been closed by the
    /// server so lately that checking it did not see it; when `body` fails on a reused connection that is then found
    /// closed, it runs once more on a new connection. Safe because reading twice changes nothing.
    package func read<T, Failure: PostgresErrorConvertible>(_ body: (PostgresConnection) throws(Failure) -> sending T) throws(Failure) -> sending T {
        let (connection, reused) = try borrow(Failure.self)
        do throws(Failure) {
            let value = try body(connection)
            giveBack(connection)
            return value
        } catch {
            giveBack(connection)
            guard reused, !connection.isOpen else { throw error }
        }
        let (fresh, _) = try borrow(Failure.self, reusing: false)
        defer { giveBack(fresh) }
        return try body(fresh)
    }

    /// Runs `body` in a transaction on a connection of its own (``PostgresConnection/transaction(_:_:)``).
    ///
    /// When `BEGIN` fails because a reused idle connection turns out closed, nothing of the transaction has reached the
    /// server, so it begins once more on a new connection. A connection lost after that is reported, never retried:
    /// the change may or may not have been applied, and only reading it back can tell.
    package func transaction<T, Failure: PostgresErrorConvertible>(
        _ begin: StaticString = "BEGIN", _ body: (PostgresConnection) throws(Failure) -> sending T
    ) throws(Failure) -> sending T {
        var (connection, reused) = try borrow(Failure.self)
        do throws(PostgresError) {
            try connection.execute(begin)
        } catch {
            giveBack(connection)
            guard reused, !connection.isOpen else { throw Failure(error) }
            (connection, _) = try borrow(Failure.self, reusing: false)
            do throws(PostgresError) { try connection.execute(begin) } catch {
                giveBack(connection)
                throw Failure(error)
            }
        }
        defer { giveBack(connection) }
        return try connection.finishTransaction(body)
    }

    /// Runs `statements` as one transaction in one round trip on a connection of its own
    /// (``PostgresConnection/pipeline(_:)``). Never retried: a connection lost after the statements were sent leaves
    /// the outcome unknown, and only reading it back can tell.
    package func pipeline(_ statements: [PostgresStatement]) throws(PostgresPipelineFailure) -> [PostgresRows] {
        let connection: PostgresConnection
        do throws(PostgresError) { (connection, _) = try borrow(PostgresError.self) } catch {
            throw PostgresPipelineFailure(index: nil, error: error)
        }
        defer { giveBack(connection) }
        return try connection.pipeline(statements)
    }

    /// An idle connection that is still alive (when `reusing`), or a new one when fewer than ``openLimit`` are open,
    /// waiting up to ``waitLimit`` for one of those; and whether it was idle. A failure to connect, or the wait
    /// running out, is reported as `Failure`.
    private func borrow<Failure: PostgresErrorConvertible>(_: Failure.Type, reusing: Bool = true) throws(Failure) -> (PostgresConnection, reused: Bool) {
        let deadline = Date.now.addingTimeInterval(Double(waitLimit.components.seconds) + Double(waitLimit.components.attoseconds) / 1e18)
        changed.lock()
        while true {
            let (idle, mayOpen) = state.withLock { state -> (PostgresConnection?, Bool) in
                if reusing, let idle = state.idle.popLast() { return (idle, false) }
                guard state.open < openLimit else { return (nil, false) }
                state.open += 1
                return (nil, true)
            }
            if let idle {
                if idle.isAliveWhenIdle {
                    changed.unlock()
                    return (idle, true)
                }
                state.withLock { $0.open -= 1 }
                continue
            }
            if mayOpen { break }
            guard changed.wait(until: deadline) else {
                changed.unlock()
                let message = "all \(openLimit) connections to PostgreSQL are in use; waited \(waitLimit.components.seconds) s for one"
                throw Failure(PostgresError(sqlState: "55P03", message: message))
            }
        }
        changed.unlock()
        do throws(PostgresError) {
            return (try PostgresConnection(conninfo: conninfo), false)
        } catch {
            closed()
            throw Failure(error)
        }
    }

    /// Puts a borrowed connection back in the idle list if it may be used again and there is room; otherwise it closes
    /// (when the caller lets it go). Either way a caller waiting for a connection is woken.
    private func giveBack(_ connection: PostgresConnection) {
        let kept = connection.isReusable && state.withLock { state in
            guard state.idle.count < idleLimit else { return false }
            state.idle.append(connection)
            return true
        }
        if kept {
            changed.lock()
            changed.broadcast()
            changed.unlock()
        } else {
            closed()
        }
    }

    /// Counts one connection fewer as open, and wakes a caller waiting to open one.
    private func closed() {
        changed.lock()
        state.withLock { $0.open -= 1 }
        changed.broadcast()
        changed.unlock()
    }
}

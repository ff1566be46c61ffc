import Synchronization

/// A small pool of connections to one database: the one door through which the store reaches PostgreSQL.
///
/// A caller borrows a connection for one closure (``withConnection(_:)``, ``transaction(_:_:)``): an idle one when
/// there is one, otherwise a new one. Afterwards it goes back to the idle list if it is still open, outside any
/// transaction, and the list holds fewer than ``idleLimit``; otherwise it is closed. A connection the server dropped is
/// therefore never handed out again, and the next call opens a fresh one: a server restart costs the calls in flight,
/// not the pool.
///
/// `Sendable` without `@unchecked`: the only mutable state is the idle list, behind a `Mutex`, and a connection is in
/// that list or with exactly one caller, never both (see ``PostgresConnection``).
///
/// Known gaps: the pool does not cap how many connections are open at once; as many callers as run at once each get
/// one, so the server's `max_connections` is the cap.
package final class PostgresPool: Sendable {
    /// The libpq connection string. Never printed: it may hold a password.
    private let conninfo: String
    /// The most idle connections kept open.
    package let idleLimit: Int
    private let idle = Mutex<[PostgresConnection]>([])

    /// A pool for the database `conninfo` names; it opens one connection at once, so a database that cannot be
    /// reached is an error here rather than at the first call.
    package init(conninfo: String, idleLimit: Int = 8) throws(PostgresError) {
        self.conninfo = conninfo
        self.idleLimit = idleLimit
        let first = try PostgresConnection(conninfo: conninfo)
        idle.withLock { $0.append(first) }
    }

    /// Runs `body` with a connection of its own, then returns the connection to the pool or closes it.
    package func withConnection<T, Failure: PostgresErrorConvertible>(_ body: (PostgresConnection) throws(Failure) -> sending T) throws(Failure) -> sending T {
        let (connection, _) = try borrow(Failure.self)
        defer { giveBack(connection) }
        return try body(connection)
    }

    /// Runs `body`, which only reads, with a connection of its own. An idle connection may have been closed by the
    /// server since its last use (a restart, a session ended by an administrator), which libpq learns only when it
    /// next uses it; when `body` fails on a reused connection that is then found closed, it runs once more on a new
    /// connection. Safe because reading twice changes nothing.
    package func read<T, Failure: PostgresErrorConvertible>(_ body: (PostgresConnection) throws(Failure) -> sending T) throws(Failure) -> sending T {
        let (connection, reused) = try borrow(Failure.self)
        defer { giveBack(connection) }
        do throws(Failure) {
            return try body(connection)
        } catch {
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
            guard reused, !connection.isOpen else {
                giveBack(connection)
                throw Failure(error)
            }
            (connection, _) = try borrow(Failure.self, reusing: false)
            do throws(PostgresError) { try connection.execute(begin) } catch {
                giveBack(connection)
                throw Failure(error)
            }
        }
        defer { giveBack(connection) }
        return try connection.finishTransaction(body)
    }

    /// An idle connection (when `reusing` and there is one) or a new one, and whether it was idle; a failure to connect
    /// is reported as `Failure`.
    private func borrow<Failure: PostgresErrorConvertible>(_: Failure.Type, reusing: Bool = true) throws(Failure) -> (PostgresConnection, reused: Bool) {
        if reusing, let idle = idle.withLock({ $0.popLast() }) { return (idle, true) }
        do throws(PostgresError) { return (try PostgresConnection(conninfo: conninfo), false) } catch { throw Failure(error) }
    }

    /// Puts a borrowed connection back in the idle list if it may be used again and there is room; otherwise it closes.
    private func giveBack(_ connection: PostgresConnection) {
        guard connection.isReusable else { return }
        idle.withLock { if $0.count < idleLimit { $0.append(connection) } }
    }
}

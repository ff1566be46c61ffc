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
        let connection: PostgresConnection
        if let reused = idle.withLock({ $0.popLast() }) {
            connection = reused
        } else {
            do throws(PostgresError) { connection = try PostgresConnection(conninfo: conninfo) } catch { throw Failure(error) }
        }
        defer {
            if connection.isReusable {
                idle.withLock { if $0.count < idleLimit { $0.append(connection) } }
            }
        }
        return try body(connection)
    }

    /// Runs `body` in a transaction on a connection of its own (``PostgresConnection/transaction(_:_:)``).
    package func transaction<T, Failure: PostgresErrorConvertible>(
        _ begin: StaticString = "BEGIN", _ body: (PostgresConnection) throws(Failure) -> sending T
    ) throws(Failure) -> sending T {
        try withConnection { (connection: PostgresConnection) throws(Failure) -> sending T in try connection.transaction(begin, body) }
    }
}

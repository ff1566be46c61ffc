import CSQLite
import Synchronization

/// An SQLite database file and the one connection to it, shared safely between threads.
///
/// The connection sits behind a `Mutex`: ``withConnection(_:)`` and
/// ``transaction(kind:_:)`` are the only ways to reach it, and each holds the lock
/// for its whole closure, so statements from two threads never interleave on
/// the connection. That is what makes the type `Sendable` without
/// `@unchecked`. Other processes, or other `SQLiteDatabase` values on the same
/// file, are kept in step by SQLite's own file locks.
package final class SQLiteDatabase: Sendable {
    /// How to open the file.
    package struct OpenFlags: OptionSet, Sendable, Hashable {
        /// The `SQLITE_OPEN_*` bits.
        package let rawValue: Int32

        /// Creates flags from `SQLITE_OPEN_*` bits.
        package init(rawValue: Int32) { self.rawValue = rawValue }

        /// Read only.
        package static let readOnly = OpenFlags(rawValue: SQLITE_OPEN_READONLY)
        /// Read and write.
        package static let readWrite = OpenFlags(rawValue: SQLITE_OPEN_READWRITE)
        /// Create the file when it does not exist (with ``readWrite``).
        package static let create = OpenFlags(rawValue: SQLITE_OPEN_CREATE)
        /// Interpret the path as a `file:` URI.
        package static let uri = OpenFlags(rawValue: SQLITE_OPEN_URI)
        /// Refuse to follow a symbolic link as the final path component.
        package static let noFollow = OpenFlags(rawValue: SQLITE_OPEN_NOFOLLOW)

        /// Read and write, creating the file when needed.
        package static let `default`: OpenFlags = [.readWrite, .create]
    }

    /// The path the database was opened with.
    package let path: String

    private let connection: Mutex<SQLiteConnection>

    /// Opens (or creates) the database at `path`; `":memory:"` opens a private in-memory database.
    ///
    /// SQLite's own per-connection mutex is switched off (`SQLITE_OPEN_NOMUTEX`)
    /// because this type's lock already serialises every use of the connection.
    package init(path: String, flags: OpenFlags = .default) throws(SQLiteError) {
        self.path = path
        let opened = try SQLiteConnection(path: path, flags: flags.rawValue | SQLITE_OPEN_NOMUTEX)
        connection = Mutex(opened)
    }

    /// Runs `body` with the connection, holding the lock until it returns.
    ///
    /// The result is `sending`, so nothing tied to the connection (a statement,
    /// the connection itself) can be returned and used outside the lock.
    package func withConnection<T, Failure: Error>(_ body: (SQLiteConnection) throws(Failure) -> sending T) throws(Failure) -> sending T {
        try connection.withLock { (connection: inout sending SQLiteConnection) throws(Failure) -> sending T in
            try body(connection)
        }
    }

    /// Runs a script of one or more statements (``SQLiteConnection/execute(_:)``).
    package func execute(_ script: String) throws(SQLiteError) {
        try withConnection { (connection: SQLiteConnection) throws(SQLiteError) in try connection.execute(script) }
    }

    /// Runs `body` in a transaction, under the lock: commits when it returns, rolls back when it throws
    /// (``SQLiteConnection/transaction(kind:_:)``).
    package func transaction<T, Failure: SQLiteErrorConvertible>(
        kind: SQLiteTransactionKind = .deferred, _ body: (SQLiteConnection) throws(Failure) -> sending T
    ) throws(Failure) -> sending T {
        try withConnection { (connection: SQLiteConnection) throws(Failure) -> sending T in
            try connection.transaction(kind: kind, body)
        }
    }
}

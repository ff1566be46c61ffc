import CSQLite
import Foundation

/// A failure reported by SQLite: its result codes, its message and the SQL that failed.
///
/// Every SQLite failure in Casework becomes one of these, built in one place
/// (`init(code:connection:sql:)`) and rendered in one place (``description``).
/// The SQL is the statement's text as written, never with its bound values, so a
/// case's personal data cannot reach a log through an error.
public struct SQLiteError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The primary result code (`SQLITE_CONSTRAINT` is 19): the kind of failure.
    public var code: Int32
    /// The extended result code (`SQLITE_CONSTRAINT_PRIMARYKEY` is 1555): the precise failure.
    public var extendedCode: Int32
    /// SQLite's message (`UNIQUE constraint failed: cases.id`), or what the wrapper found wrong.
    public var message: String
    /// The statement that failed, when a statement failed.
    public var sql: String?

    /// Creates an error from its parts.
    public init(extendedCode: Int32, message: String, sql: String? = nil) {
        self.code = extendedCode & 0xFF
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    /// Reads the connection's latest error message for the result code `code` that an API call just returned.
    init(code: Int32, connection: OpaquePointer?, sql: String? = nil) {
        let text: String
        if let connection, let pointer = sqlite3_errmsg(connection) {
            text = String(cString: pointer)
        } else {
            text = String(cString: sqlite3_errstr(code))
        }
        self.init(extendedCode: code, message: text, sql: sql)
    }

    /// Another connection holds a lock for longer than the busy timeout (`SQLITE_BUSY`, `SQLITE_LOCKED`).
    public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }

    /// The file is damaged or is not a database (`SQLITE_CORRUPT`, `SQLITE_NOTADB`).
    public var isDamage: Bool { code == SQLITE_CORRUPT || code == SQLITE_NOTADB }

    /// A constraint refused the change (`SQLITE_CONSTRAINT`).
    public var isConstraint: Bool { code == SQLITE_CONSTRAINT }

    /// A row with the same primary key or unique key already exists.
    public var isUniquenessViolation: Bool {
        extendedCode == ExtendedCode.constraintPrimaryKey || extendedCode == ExtendedCode.constraintUnique
    }

    /// SQLite's name for the result code (`SQLITE_CONSTRAINT_PRIMARYKEY`), or its number when the wrapper does not know it.
    public var codeName: String {
        SQLiteError.names[extendedCode] ?? SQLiteError.names[code].map { "\($0) (\(extendedCode))" } ?? "SQLite result \(extendedCode)"
    }

    /// One line: the message, the code's name, and the SQL when there is some.
    public var description: String {
        var text = "\(message) [\(codeName)]"
        if let sql { text += " in `\(sql.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " "))`" }
        return text
    }

    /// The result codes Casework meets, by number.
    private static let names: [Int32: String] = [
        SQLITE_ERROR: "SQLITE_ERROR",
        SQLITE_INTERNAL: "SQLITE_INTERNAL",
        SQLITE_PERM: "SQLITE_PERM",
        SQLITE_ABORT: "SQLITE_ABORT",
        SQLITE_BUSY: "SQLITE_BUSY",
        SQLITE_LOCKED: "SQLITE_LOCKED",
        SQLITE_NOMEM: "SQLITE_NOMEM",
        SQLITE_READONLY: "SQLITE_READONLY",
        SQLITE_INTERRUPT: "SQLITE_INTERRUPT",
        SQLITE_IOERR: "SQLITE_IOERR",
        SQLITE_CORRUPT: "SQLITE_CORRUPT",
        SQLITE_NOTFOUND: "SQLITE_NOTFOUND",
        SQLITE_FULL: "SQLITE_FULL",
        SQLITE_CANTOPEN: "SQLITE_CANTOPEN",
        SQLITE_PROTOCOL: "SQLITE_PROTOCOL",
        SQLITE_SCHEMA: "SQLITE_SCHEMA",
        SQLITE_TOOBIG: "SQLITE_TOOBIG",
        SQLITE_CONSTRAINT: "SQLITE_CONSTRAINT",
        SQLITE_MISMATCH: "SQLITE_MISMATCH",
        SQLITE_MISUSE: "SQLITE_MISUSE",
        SQLITE_RANGE: "SQLITE_RANGE",
        SQLITE_NOTADB: "SQLITE_NOTADB",
        ExtendedCode.busySnapshot: "SQLITE_BUSY_SNAPSHOT",
        ExtendedCode.busyTimeout: "SQLITE_BUSY_TIMEOUT",
        ExtendedCode.readOnlyCantInit: "SQLITE_READONLY_CANTINIT",
        ExtendedCode.readOnlyDirectory: "SQLITE_READONLY_DIRECTORY",
        ExtendedCode.constraintCheck: "SQLITE_CONSTRAINT_CHECK",
        ExtendedCode.constraintForeignKey: "SQLITE_CONSTRAINT_FOREIGNKEY",
        ExtendedCode.constraintNotNull: "SQLITE_CONSTRAINT_NOTNULL",
        ExtendedCode.constraintPrimaryKey: "SQLITE_CONSTRAINT_PRIMARYKEY",
        ExtendedCode.constraintTrigger: "SQLITE_CONSTRAINT_TRIGGER",
        ExtendedCode.constraintUnique: "SQLITE_CONSTRAINT_UNIQUE",
        ExtendedCode.constraintDatatype: "SQLITE_CONSTRAINT_DATATYPE",
    ]
}

extension SQLiteError {
    /// The extended result codes Casework tells apart. Their C macros are expressions, which Swift does not import.
    public enum ExtendedCode {
        /// A deferred transaction could not upgrade to write because another connection wrote first (`SQLITE_BUSY_SNAPSHOT`).
        public static let busySnapshot: Int32 = SQLITE_BUSY | (2 << 8)
        /// The busy timeout ran out (`SQLITE_BUSY_TIMEOUT`).
        public static let busyTimeout: Int32 = SQLITE_BUSY | (3 << 8)
        /// A read-only connection could not set up the WAL index because it may not create the `-shm` file (`SQLITE_READONLY_CANTINIT`).
        public static let readOnlyCantInit: Int32 = SQLITE_READONLY | (5 << 8)
        /// A read-only connection may not create the `-shm` and `-wal` files in the database's directory (`SQLITE_READONLY_DIRECTORY`).
        public static let readOnlyDirectory: Int32 = SQLITE_READONLY | (6 << 8)
        /// A `CHECK` constraint failed.
        public static let constraintCheck: Int32 = SQLITE_CONSTRAINT | (1 << 8)
        /// A foreign key constraint failed.
        public static let constraintForeignKey: Int32 = SQLITE_CONSTRAINT | (3 << 8)
        /// A `NOT NULL` constraint failed.
        public static let constraintNotNull: Int32 = SQLITE_CONSTRAINT | (5 << 8)
        /// A primary key is already taken.
        public static let constraintPrimaryKey: Int32 = SQLITE_CONSTRAINT | (6 << 8)
        /// A trigger raised an error (`RAISE(ABORT, ...)`).
        public static let constraintTrigger: Int32 = SQLITE_CONSTRAINT | (7 << 8)
        /// A `UNIQUE` constraint failed.
        public static let constraintUnique: Int32 = SQLITE_CONSTRAINT | (8 << 8)
        /// A value of the wrong type was written to a `STRICT` table's column.
        public static let constraintDatatype: Int32 = SQLITE_CONSTRAINT | (12 << 8)
    }
}

/// An error type that can carry an SQLite failure, so a transaction whose body throws it can report its own
/// `BEGIN` or `COMMIT` failing in the same type.
package protocol SQLiteErrorConvertible: Error {
    /// Wraps or translates an SQLite failure.
    init(_ error: SQLiteError)
}

extension SQLiteError: SQLiteErrorConvertible {
    /// The failure itself.
    public init(_ error: SQLiteError) { self = error }
}

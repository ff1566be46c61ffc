import Foundation

/// One SQLite value, in SQLite's five storage classes.
package enum SQLiteValue: Sendable, Hashable {
    /// NULL.
    case null
    /// A 64-bit signed integer.
    case integer(Int64)
    /// An IEEE double. SQLite stores NaN as NULL.
    case real(Double)
    /// UTF-8 text, which may contain NUL characters.
    case text(String)
    /// Bytes.
    case blob(Data)
}

/// A Swift value that can be bound to a statement parameter.
///
/// `Int`, `Int64`, `Double`, `String`, `Data`, ``SQLiteValue`` and optionals of them
/// (nil binds NULL), so a list of arguments can mix types: `[id, revision, json]`. Values, so `Sendable`: a batch's
/// rows are encoded by its callers, each on its own thread, and written on the driver's.
package protocol SQLiteBindable: Sendable {
    /// The value as SQLite stores it.
    var sqliteValue: SQLiteValue { get }
}

extension SQLiteValue: SQLiteBindable {
    /// The value itself.
    package var sqliteValue: SQLiteValue { self }
}

extension Int: SQLiteBindable {
    /// An integer.
    package var sqliteValue: SQLiteValue { .integer(Int64(self)) }
}

extension Int64: SQLiteBindable {
    /// An integer.
    package var sqliteValue: SQLiteValue { .integer(self) }
}

extension Double: SQLiteBindable {
    /// A real.
    package var sqliteValue: SQLiteValue { .real(self) }
}

extension String: SQLiteBindable {
    /// Text.
    package var sqliteValue: SQLiteValue { .text(self) }
}

extension Data: SQLiteBindable {
    /// A blob.
    package var sqliteValue: SQLiteValue { .blob(self) }
}

extension Optional: SQLiteBindable where Wrapped: SQLiteBindable {
    /// The wrapped value, or NULL.
    package var sqliteValue: SQLiteValue { self?.sqliteValue ?? .null }
}

import Foundation

/// One SQLite value, in SQLite's five storage classes.
public enum SQLiteValue: Sendable, Hashable {
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
/// (nil binds NULL), so a list of arguments can mix types: `[id, revision, json]`.
public protocol SQLiteBindable {
    /// The value as SQLite stores it.
    var sqliteValue: SQLiteValue { get }
}

extension SQLiteValue: SQLiteBindable {
    /// The value itself.
    public var sqliteValue: SQLiteValue { self }
}

extension Int: SQLiteBindable {
    /// An integer.
    public var sqliteValue: SQLiteValue { .integer(Int64(self)) }
}

extension Int64: SQLiteBindable {
    /// An integer.
    public var sqliteValue: SQLiteValue { .integer(self) }
}

extension Double: SQLiteBindable {
    /// A real.
    public var sqliteValue: SQLiteValue { .real(self) }
}

extension String: SQLiteBindable {
    /// Text.
    public var sqliteValue: SQLiteValue { .text(self) }
}

extension Data: SQLiteBindable {
    /// A blob.
    public var sqliteValue: SQLiteValue { .blob(self) }
}

extension Optional: SQLiteBindable where Wrapped: SQLiteBindable {
    /// The wrapped value, or NULL.
    public var sqliteValue: SQLiteValue { self?.sqliteValue ?? .null }
}

import CSQLite
import Foundation

/// SQLite's `SQLITE_TRANSIENT`: copy the bytes now, because Swift owns the buffer. The C macro is a cast Swift cannot import.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A compiled statement: bind parameters, step through rows, read columns, reset, run again.
///
/// Statements come from a ``SQLiteConnection`` and are used only inside the
/// closure that received it, so they never outlive the connection's lock.
/// The statement is finalized when the last reference goes.
///
/// Parameters are numbered from 1, as in SQLite; columns from 0, as in SQLite.
/// Reading a NULL column gives nil; reading a column of another storage class
/// converts it by SQLite's rules (``value(at:)`` gives the exact value).
package final class SQLiteStatement {
    private let handle: OpaquePointer

    /// The statement's SQL as written.
    package let sql: String

    init(handle: OpaquePointer, sql: String) {
        self.handle = handle
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    private var connection: OpaquePointer? { sqlite3_db_handle(handle) }

    private func check(_ code: Int32) throws(SQLiteError) {
        guard code == SQLITE_OK else { throw SQLiteError(code: code, connection: connection, sql: sql) }
    }

    // MARK: Binding

    /// How many parameters the statement has.
    package var parameterCount: Int { Int(sqlite3_bind_parameter_count(handle)) }

    /// Binds `value` to the parameter at `index` (from 1).
    package func bind(_ value: some SQLiteBindable, at index: Int) throws(SQLiteError) {
        guard let position = Int32(exactly: index) else {
            throw SQLiteError(extendedCode: SQLITE_RANGE, message: "parameter index \(index) is out of range", sql: sql)
        }
        let code: Int32
        switch value.sqliteValue {
        case .null: code = sqlite3_bind_null(handle, position)
        case .integer(let integer): code = sqlite3_bind_int64(handle, position, integer)
        case .real(let real): code = sqlite3_bind_double(handle, position, real)
        case .text(var text):
            code = text.withUTF8 { bytes in
                // A nil pointer would bind NULL, so the empty string gets a real (empty) one.
                bytes.isEmpty
                    ? sqlite3_bind_text(handle, position, "", 0, transient)
                    : sqlite3_bind_text64(handle, position, bytes.baseAddress, UInt64(bytes.count), transient, UInt8(SQLITE_UTF8))
            }
        case .blob(let data):
            code = data.isEmpty
                ? sqlite3_bind_zeroblob(handle, position, 0)
                : data.withUnsafeBytes { bytes in sqlite3_bind_blob64(handle, position, bytes.baseAddress, UInt64(bytes.count), transient) }
        }
        try check(code)
    }

    /// Binds `value` to the parameter named `name`, written with its prefix (`:id`, `@id`, `$id`).
    package func bind(_ value: some SQLiteBindable, named name: String) throws(SQLiteError) {
        let index = sqlite3_bind_parameter_index(handle, name)
        guard index > 0 else {
            throw SQLiteError(extendedCode: SQLITE_RANGE, message: "no parameter named '\(name)'", sql: sql)
        }
        try bind(value, at: Int(index))
    }

    /// Binds NULL to the parameter at `index` (from 1).
    package func bindNull(at index: Int) throws(SQLiteError) {
        try bind(SQLiteValue.null, at: index)
    }

    /// Binds NULL to the parameter named `name`.
    package func bindNull(named name: String) throws(SQLiteError) {
        try bind(SQLiteValue.null, named: name)
    }

    /// Binds `values` to parameters 1, 2, …; the count must match the statement's, so a forgotten argument is an error, not a NULL.
    package func bind(_ values: [any SQLiteBindable]) throws(SQLiteError) {
        guard values.count == parameterCount else {
            throw SQLiteError(extendedCode: SQLITE_RANGE, message: "the statement has \(parameterCount) parameters but \(values.count) values were given", sql: sql)
        }
        for (offset, value) in values.enumerated() {
            try bind(value.sqliteValue, at: offset + 1)
        }
    }

    /// Sets every parameter back to NULL.
    package func clearBindings() {
        sqlite3_clear_bindings(handle)
    }

    // MARK: Running

    /// Runs the statement to its next row: true when a row is ready to read, false when it is done.
    package func step() throws(SQLiteError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw SQLiteError(code: code, connection: connection, sql: sql)
        }
    }

    /// Makes the statement ready to run again from the start, keeping its bindings.
    ///
    /// It also ends the read the statement holds, which matters in WAL mode: an
    /// unreset statement keeps its snapshot open. The step's error, if any, was
    /// already thrown by ``step()``, so the code `sqlite3_reset` repeats is ignored.
    package func reset() {
        sqlite3_reset(handle)
    }

    /// Whether the statement has started and not yet been reset or run to the end.
    package var isBusy: Bool { sqlite3_stmt_busy(handle) != 0 }

    /// Binds `arguments` (nil keeps the bindings already made), runs the statement to the end and resets it:
    /// for statements that return no rows. Returns how many rows it inserted, updated or deleted.
    @discardableResult
    package func run(_ arguments: [any SQLiteBindable]? = nil) throws(SQLiteError) -> Int {
        reset()
        defer { reset() }
        if let arguments { try bind(arguments) }
        while try step() {}
        return Int(sqlite3_changes64(connection))
    }

    /// Binds `arguments` (nil keeps the bindings already made), reads every row with `read` and resets the statement.
    package func rows<Row>(_ arguments: [any SQLiteBindable]? = nil, _ read: (SQLiteStatement) -> Row) throws(SQLiteError) -> [Row] {
        reset()
        defer { reset() }
        if let arguments { try bind(arguments) }
        var rows: [Row] = []
        while try step() { rows.append(read(self)) }
        return rows
    }

    // MARK: Reading columns

    /// How many columns each row has.
    package var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// The name of the column at `index` (from 0).
    package func columnName(at index: Int) -> String {
        sqlite3_column_name(handle, Int32(index)).map { String(cString: $0) } ?? ""
    }

    /// Whether the column at `index` is NULL in the current row.
    package func isNull(at index: Int) -> Bool {
        sqlite3_column_type(handle, Int32(index)) == SQLITE_NULL
    }

    /// The column at `index` exactly as stored.
    package func value(at index: Int) -> SQLiteValue {
        let column = Int32(index)
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT: return .text(text(column))
        case SQLITE_BLOB: return .blob(blob(column))
        default: return .null
        }
    }

    /// The column at `index` as an integer, or nil when NULL.
    package func int64(at index: Int) -> Int64? {
        isNull(at: index) ? nil : sqlite3_column_int64(handle, Int32(index))
    }

    /// The column at `index` as an `Int`, or nil when NULL.
    package func int(at index: Int) -> Int? {
        int64(at: index).map { Int(truncatingIfNeeded: $0) }
    }

    /// The column at `index` as a double, or nil when NULL.
    package func double(at index: Int) -> Double? {
        isNull(at: index) ? nil : sqlite3_column_double(handle, Int32(index))
    }

    /// The column at `index` as text, or nil when NULL. NUL characters inside the text are kept.
    package func string(at index: Int) -> String? {
        isNull(at: index) ? nil : text(Int32(index))
    }

    /// `read` of the text of the column at `index`, as SQLite holds it (valid only during `read`), or nil when NULL:
    /// for comparing a column's bytes without making a string of them.
    package func withText<T>(at index: Int, _ read: (UnsafeRawBufferPointer) -> T?) -> T? {
        let column = Int32(index)
        guard !isNull(at: index) else { return nil }
        // Ask for the text before its length: sqlite3_column_bytes then counts the converted text.
        let bytes = sqlite3_column_text(handle, column)
        return read(UnsafeRawBufferPointer(start: bytes, count: bytes == nil ? 0 : Int(sqlite3_column_bytes(handle, column))))
    }

    /// The column at `index` as bytes, or nil when NULL.
    package func data(at index: Int) -> Data? {
        isNull(at: index) ? nil : blob(Int32(index))
    }

    private func text(_ column: Int32) -> String {
        // Ask for the text before its length: sqlite3_column_bytes then counts the converted text.
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    private func blob(_ column: Int32) -> Data {
        guard let bytes = sqlite3_column_blob(handle, column) else { return Data() }
        return Data(bytes: bytes, count: Int(sqlite3_column_bytes(handle, column)))
    }
}

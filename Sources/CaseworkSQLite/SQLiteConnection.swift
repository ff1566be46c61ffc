import CSQLite
import Foundation

/// How a transaction takes its locks (SQLite's `BEGIN DEFERRED`, `IMMEDIATE`, `EXCLUSIVE`).
package enum SQLiteTransactionKind: String, Sendable {
    /// Locks on first read or write. A deferred transaction that reads and then writes can fail with
    /// `SQLITE_BUSY` at once, without waiting, when another connection wrote in between.
    case deferred = "DEFERRED"
    /// Takes the write lock at `BEGIN`, waiting up to the busy timeout: for read-check-write changes.
    case immediate = "IMMEDIATE"
    /// As immediate; in WAL mode the same as immediate.
    case exclusive = "EXCLUSIVE"
}

/// One open SQLite connection: statements, scripts and transactions.
///
/// Reached only through ``SQLiteDatabase/withConnection(_:)`` and
/// ``SQLiteDatabase/transaction(kind:_:)``, which hold the database's lock for
/// the closure's whole run; this type is not `Sendable`, and the closures
/// return only `sending` values, so neither it nor its statements can leave the lock.
package final class SQLiteConnection {
    /// The raw `sqlite3 *`.
    let handle: OpaquePointer

    /// Prepared statements by SQL text. The store uses a fixed set of texts, so the cache is small;
    /// if it ever holds more than ``cacheLimit`` statements it starts again.
    private var cache: [String: SQLiteStatement] = [:]

    /// The same statements by where their text's bytes are, for texts longer than a string keeps inline: the store's
    /// statements are constants, so each is one string whose bytes never move, and finding it by that address hashes
    /// one integer instead of the whole text (a group commit's lookups of its long statements fell from 2,270 to
    /// 1,360 instructions each: docs/performance.md, `group-commit`). Each entry holds its text, so its bytes cannot be
    /// freed and their address reused for another text while the entry is here; the text is still compared, which
    /// for the same string is a comparison of two references. Started again with ``cache``, and on its own when it
    /// holds ``cacheLimit`` entries: a text built afresh for each call (the same words at a new address each time)
    /// would otherwise add an entry a call, each keeping its text alive, without end. The address is kept as an `Int`:
    /// a table keyed by `UnsafeRawPointer` made the runtime ask, on its first use in a process, whether
    /// `UnsafeRawPointer` is `Hashable` (a scan of every conformance record), where `Int`'s answer is one a command
    /// has had already.
    private var cacheByAddress: [Int: (sql: String, statement: SQLiteStatement)] = [:]

    /// How many statements are filed by where their text's bytes are: never more than ``cacheLimit``, however many
    /// strings a caller makes of the same text.
    package var statementsFiledByAddress: Int { cacheByAddress.count }

    /// The most statements the cache keeps.
    static let cacheLimit = 128

    /// Opens the file at `path` with `flags`, with extended result codes on.
    init(path: String, flags: Int32) throws(SQLiteError) {
        var opened: OpaquePointer?
        let code = sqlite3_open_v2(path, &opened, flags, nil)
        guard code == SQLITE_OK, let opened else {
            let error = SQLiteError(code: code, connection: opened)
            // SQLite hands back a connection even when opening fails, so it can report why; it must still be closed.
            sqlite3_close_v2(opened)
            throw SQLiteError(extendedCode: error.extendedCode, message: "\(error.message) (opening '\(path)')")
        }
        handle = opened
        sqlite3_extended_result_codes(handle, 1)
    }

    deinit {
        cacheByAddress.removeAll()
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// How long a statement waits for another connection's lock before failing with `SQLITE_BUSY`.
    package func setBusyTimeout(_ seconds: TimeInterval) {
        let milliseconds = (seconds * 1000).rounded()
        sqlite3_busy_timeout(handle, milliseconds.isNaN ? 0 : Int32(max(0, min(milliseconds, Double(Int32.max)))))
    }

    /// Compiles one statement. `sql` must hold exactly one statement; text after it is an error, not ignored.
    package func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        try compile(sql, flags: 0)
    }

    /// The cached statement for `sql`, reset with its bindings cleared, compiled on first use.
    ///
    /// When the cached statement is still in use (a caller is stepping through
    /// it), a fresh one is compiled instead, so nested use cannot disturb it.
    package func cachedStatement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        let address = Self.address(of: sql)
        let cached: SQLiteStatement?
        if let address, let entry = cacheByAddress[address], entry.sql == sql {
            cached = entry.statement
        } else {
            cached = cache[sql]
            if let address, let cached { remember(cached, for: sql, at: address) }
        }
        if let statement = cached {
            if !statement.isBusy {
                statement.reset()
                statement.clearBindings()
                return statement
            }
            return try prepare(sql)
        }
        let statement = try compile(sql, flags: UInt32(SQLITE_PREPARE_PERSISTENT))
        if cache.count >= SQLiteConnection.cacheLimit {
            cache.removeAll()
            cacheByAddress.removeAll()
        }
        cache[sql] = statement
        if let address { remember(statement, for: sql, at: address) }
        return statement
    }

    /// Files `statement` under where the bytes of `sql` are, starting the map again when it is full.
    private func remember(_ statement: SQLiteStatement, for sql: String, at address: Int) {
        if cacheByAddress.count >= SQLiteConnection.cacheLimit { cacheByAddress.removeAll() }
        cacheByAddress[address] = (sql, statement)
    }

    /// Where the bytes of `sql` are, for a text longer than a string can keep inline (whose bytes would be copied to
    /// a new place for each look); nil for a short text or one not stored in one piece.
    private static func address(of sql: String) -> Int? {
        guard sql.utf8.count > 15 else { return nil }
        return sql.utf8.withContiguousStorageIfAvailable { $0.baseAddress.map { Int(bitPattern: $0) } } ?? nil
    }

    private func compile(_ sql: String, flags: UInt32) throws(SQLiteError) -> SQLiteStatement {
        var compiled: OpaquePointer?
        var rest = ""
        let code = sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            let code = sqlite3_prepare_v3(handle, text, -1, flags, &compiled, &tail)
            rest = tail.map { String(cString: $0) } ?? ""
            return code
        }
        guard code == SQLITE_OK else { throw SQLiteError(code: code, connection: handle, sql: sql) }
        guard let compiled else { throw SQLiteError(extendedCode: SQLITE_MISUSE, message: "no statement to prepare", sql: sql) }
        guard rest.allSatisfy({ $0.isWhitespace || $0 == ";" }) else {
            sqlite3_finalize(compiled)
            throw SQLiteError(extendedCode: SQLITE_MISUSE, message: "more than one statement; use execute for scripts", sql: sql)
        }
        return SQLiteStatement(handle: compiled, sql: sql)
    }

    /// Runs a script of one or more statements, ignoring any rows. A failing statement is named in the error.
    package func execute(_ script: String) throws(SQLiteError) {
        let outcome: Result<Void, SQLiteError> = script.withCString { start in
            var cursor = start
            while cursor.pointee != 0 {
                var compiled: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let code = sqlite3_prepare_v2(handle, cursor, -1, &compiled, &tail)
                let end = code == SQLITE_OK ? tail ?? cursor + strlen(cursor) : cursor + strlen(cursor)
                let text = String(decoding: UnsafeRawBufferPointer(start: cursor, count: cursor.distance(to: end)), as: UTF8.self)
                guard code == SQLITE_OK else { return .failure(SQLiteError(code: code, connection: handle, sql: text.trimmingWhitespace)) }
                cursor = end
                // Whitespace, a comment or a lone semicolon compiles to no statement.
                guard let compiled else { continue }
                let statement = SQLiteStatement(handle: compiled, sql: text.trimmingWhitespace)
                do throws(SQLiteError) {
                    while try statement.step() {}
                } catch {
                    return .failure(error)
                }
            }
            return .success(())
        }
        try outcome.get()
    }

    /// Runs `body` in a transaction of `kind`: commits when it returns, rolls back when it throws.
    ///
    /// A failure to begin or commit is reported as `Failure` through
    /// ``SQLiteErrorConvertible``. Transactions do not nest: beginning one
    /// inside another is an error.
    package func transaction<T, Failure: SQLiteErrorConvertible>(
        kind: SQLiteTransactionKind = .deferred, _ body: (SQLiteConnection) throws(Failure) -> sending T
    ) throws(Failure) -> sending T {
        do throws(SQLiteError) { try run("BEGIN \(kind.rawValue)") } catch { throw Failure(error) }
        let result: T
        do throws(Failure) {
            result = try body(self)
        } catch {
            rollback()
            throw error
        }
        do throws(SQLiteError) {
            try run("COMMIT")
        } catch {
            rollback()
            throw Failure(error)
        }
        return result
    }

    /// Whether the connection may not write its main database: opened read-only, or SQLite fell back to
    /// read-only because the file could not be opened for writing.
    package var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    /// How many rows the connection's statements have inserted, changed or deleted since it opened (those of
    /// triggers included): unchanged across a statement that changed nothing.
    package var totalChanges: Int64 { sqlite3_total_changes64(handle) }

    /// Whether a transaction is open.
    package var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Rolls back the open transaction, if SQLite has not already rolled it back itself (as it does on some I/O and full-disk errors).
    private func rollback() {
        guard isInTransaction else { return }
        // Statements left mid-step would keep their reads; reset them so the rollback releases everything.
        for statement in cache.values where statement.isBusy { statement.reset() }
        // ROLLBACK fails only when there is no transaction, which was checked just above.
        _ = try? run("ROLLBACK")
    }

    /// Runs a statement from the cache with `arguments`; returns how many rows it changed.
    @discardableResult
    package func run(_ sql: String, _ arguments: [any SQLiteBindable] = []) throws(SQLiteError) -> Int {
        try cachedStatement(sql).run(arguments)
    }

    /// Runs a query from the cache with `arguments`, reading each row with `read`.
    package func rows<Row>(_ sql: String, _ arguments: [any SQLiteBindable] = [], _ read: (SQLiteStatement) -> Row) throws(SQLiteError) -> [Row] {
        try cachedStatement(sql).rows(arguments, read)
    }
}

extension String {
    /// The text without the whitespace SQL allows around a statement (space, tab, line feed, form feed, carriage
    /// return) at either end. Read as bytes: `Character.isWhitespace` loads Unicode's property tables on first use,
    /// which was 2 % of a warm `casework case show` for one `PRAGMA` (docs/performance.md, Benchmarks, `cli`).
    fileprivate var trimmingWhitespace: String {
        let bytes = Array(utf8)
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}

import CLibPQ
import CaseworkStore
import Foundation

/// The rows of one statement's result, copied into Swift values before libpq's result is freed.
package struct PostgresRows: Sendable {
    /// Each row's columns in text format; nil is SQL `NULL`.
    package var rows: [[String?]]
    /// How many rows an `INSERT`, `UPDATE` or `DELETE` changed (0 for other statements).
    package var changed: Int
}

/// One open libpq connection: parameterised statements, constant scripts and transactions.
///
/// Reached only through ``PostgresPool/withConnection(_:)`` and ``PostgresPool/transaction(_:)``, which hand a
/// connection to one closure at a time.
///
/// `@unchecked Sendable`, and why that holds: libpq allows a `PGconn` to be used from any thread but by only one at a
/// time. The pool gives each connection to exactly one caller, taking it out of its idle list under its `Mutex`
/// before the caller's closure runs and putting it back only after the closure has returned; the closures return
/// `sending` values, and nothing in this module stores a connection anywhere else. So no two threads ever use one
/// connection at once. The conformance is needed only to move a connection between the pool's lock and its caller.
package final class PostgresConnection: @unchecked Sendable {
    /// The raw `PGconn *`.
    private let handle: OpaquePointer
    /// The server-side name of each statement text this connection has prepared (`cw1`, `cw2`, …), so a statement
    /// sent again skips parsing and planning. Changed only by the connection's one borrower (see above).
    private var prepared: [String: String] = [:]

    /// Opens a connection from a libpq connection string (`host=/tmp dbname=cases` or `postgres://…`).
    /// A failure never repeats the string, which may hold a password.
    ///
    /// libpq's default notice processor writes every notice, and an error the server sends outside a statement (such as
    /// "FATAL: terminating connection due to administrator command" when it shuts down), to this process's standard
    /// error: raw text in a command's output or a service's log. The store reports every failure through results, so
    /// notices are dropped, and the processor is set before the handshake (`PQconnectStart`, then `PQconnectPoll`),
    /// since a server shutting down can say so while a connection is still being made (seen in CI, session 33;
    /// PostgreSQL's own helpers were changed the same way in 2026).
    init(conninfo: String) throws(PostgresError) {
        guard let opened = PQconnectStart(conninfo) else { throw PostgresError(connection: nil, context: "connecting to PostgreSQL") }
        PQsetNoticeProcessor(opened, { _, _ in }, nil)
        switch Self.finishConnecting(opened) {
        case .open:
            handle = opened
        case .failed:
            let error = PostgresError(connection: opened, context: "connecting to PostgreSQL")
            PQfinish(opened)
            throw error
        case .timedOut(let seconds):
            PQfinish(opened)
            throw PostgresError(sqlState: nil, message: "connecting to PostgreSQL: no answer within connect_timeout (\(seconds) s)", connectionLost: true)
        }
    }

    /// How making a connection ended.
    private enum Connecting {
        case open, failed
        /// `connect_timeout` passed first; its seconds.
        case timedOut(Int)
    }

    /// Drives a connection `PQconnectStart` began until it is open or has failed, waiting on its socket
    /// between steps as libpq asks. `connect_timeout`, which `PQconnectPoll` leaves to its caller, bounds the wait as
    /// `PQconnectdb` bounds it (at least 2 seconds; none when it is not set or 0).
    private static func finishConnecting(_ connection: OpaquePointer) -> Connecting {
        guard PQstatus(connection) != CONNECTION_BAD else { return .failed }
        let timeout = PQconninfo(connection).flatMap { options -> Int? in
            defer { PQconninfoFree(options) }
            var option = options
            while let keyword = option.pointee.keyword {
                if String(cString: keyword) == "connect_timeout" { return option.pointee.val.flatMap { Int(String(cString: $0)) } }
                option += 1
            }
            return nil
        }
        // As libpq reads it: 0 or none is no limit, and 1 is taken as 2.
        let seconds = timeout.flatMap { $0 > 0 ? max($0, 2) : nil }
        let deadline = seconds.map { ContinuousClock.now + .seconds($0) }
        var step = PGRES_POLLING_WRITING
        while true {
            switch step {
            case PGRES_POLLING_OK: return .open
            case PGRES_POLLING_FAILED: return .failed
            default:
                var waiting = pollfd(fd: PQsocket(connection), events: Int16(step == PGRES_POLLING_READING ? POLLIN : POLLOUT), revents: 0)
                let left = deadline.map { ContinuousClock.now.duration(to: $0) }
                if let left, let seconds, left <= .zero { return .timedOut(seconds) }
                let milliseconds = left.map { Int32(min(($0 / .milliseconds(1)).rounded(.up), 60_000)) } ?? -1
                if poll(&waiting, 1, milliseconds) < 0, errno != EINTR { return .failed }
            }
            step = PQconnectPoll(connection)
        }
    }

    deinit {
        PQfinish(handle)
    }

    /// The name of the database the connection is to (for messages; never the connection string).
    var databaseName: String { PQdb(handle).map { String(cString: $0) } ?? "" }

    /// Whether libpq still takes the connection to be open (it learns of a closed one when it next reads or writes).
    var isOpen: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Whether the connection is still open, outside any transaction and out of pipeline mode, so the pool may hand
    /// it out again.
    var isReusable: Bool {
        PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) == PQTRANS_IDLE && PQpipelineStatus(handle) == PQ_PIPELINE_OFF
    }

    /// Whether an idle connection is still usable, found without a round trip: whatever the server has sent since its
    /// last use is read (a server ending the session sends why, then closes), and libpq then knows if it has gone.
    var isAliveWhenIdle: Bool {
        PQconsumeInput(handle) == 1 && isReusable
    }

    /// Runs one statement with positional parameters (`$1`, `$2`, …) in text format; nil is SQL `NULL`.
    ///
    /// The values travel apart from the SQL (`PQexecParams`), so no value is ever part of a statement's text. A text
    /// value holding a NUL character is refused before anything is sent: PostgreSQL's text cannot hold one, and libpq
    /// would cut the value short at it.
    @discardableResult
    package func run(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> PostgresRows {
        if parameters.contains(where: Self.holdsNUL) {
            throw PostgresError(sqlState: nil, message: "a text value holds a NUL character, which PostgreSQL text cannot", sql: sql)
        }
        let result = Self.withCStrings(parameters) { values in
            PQexecParams(handle, sql, Int32(values.count), nil, values, nil, nil, 0)
        }
        return try take(result, sql: sql)
    }

    /// Runs `statements` as one implicit transaction in one round trip (libpq's pipeline mode): all are sent, then one
    /// synchronisation point, then every answer is read. The server runs them in order and commits at the
    /// synchronisation point; the first that fails rolls back those before it and the rest are never run.
    ///
    /// Returns each statement's rows. A statement that failed is reported with its place in `statements`
    /// (``PostgresPipelineFailure``); a failure no one statement owns (the connection lost, the sync refused) has none.
    /// Blocking mode is safe at the sizes the store sends (a few statements per case changed): libpq reads the server's
    /// answers while its own sending is held up, and each answer is a few bytes.
    package func pipeline(_ statements: [PostgresStatement]) throws(PostgresPipelineFailure) -> [PostgresRows] {
        if let index = statements.firstIndex(where: { $0.parameters.contains(where: Self.holdsNUL) }) {
            let error = PostgresError(sqlState: nil, message: "a text value holds a NUL character, which PostgreSQL text cannot", sql: statements[index].sql)
            throw PostgresPipelineFailure(index: index, error: error)
        }
        guard PQenterPipelineMode(handle) == 1 else {
            throw PostgresPipelineFailure(index: nil, error: PostgresError(connection: handle, context: "starting a pipeline"))
        }
        defer { _ = PQexitPipelineMode(handle) }
        // A statement text not yet prepared on this connection is prepared in the same pipeline, just before its first
        // use; it counts as prepared only once the server has said so.
        var preparing: [Int: String] = [:]
        var names = prepared
        for (index, statement) in statements.enumerated() {
            let name: String
            if let known = names[statement.sql] {
                name = known
            } else {
                name = "cw\(names.count + 1)"
                names[statement.sql] = name
                guard PQsendPrepare(handle, name, statement.sql, Int32(statement.parameters.count), nil) == 1 else {
                    throw PostgresPipelineFailure(index: nil, error: PostgresError(result: nil, connection: handle, sql: statement.sql))
                }
                preparing[index] = name
            }
            let sent = Self.withCStrings(statement.parameters) { values in
                PQsendQueryPrepared(handle, name, Int32(values.count), values, nil, nil, 0)
            }
            guard sent == 1 else { throw PostgresPipelineFailure(index: nil, error: PostgresError(result: nil, connection: handle, sql: statement.sql)) }
        }
        guard PQpipelineSync(handle) == 1 else {
            throw PostgresPipelineFailure(index: nil, error: PostgresError(result: nil, connection: handle, sql: nil))
        }
        var answers: [PostgresRows] = []
        answers.reserveCapacity(statements.count)
        var failure: PostgresPipelineFailure?
        for (index, statement) in statements.enumerated() {
            if let name = preparing[index] {
                guard let result = PQgetResult(handle) else {
                    throw PostgresPipelineFailure(index: nil, error: PostgresError(result: nil, connection: handle, sql: statement.sql))
                }
                let status = PQresultStatus(result)
                let error = status == PGRES_COMMAND_OK || status == PGRES_PIPELINE_ABORTED ? nil : PostgresError(result: result, connection: handle, sql: statement.sql)
                PQclear(result)
                while let extra = PQgetResult(handle) { PQclear(extra) }
                if status == PGRES_COMMAND_OK { prepared[statement.sql] = name }
                if let error {
                    guard !error.isConnectionFailure else { throw PostgresPipelineFailure(index: nil, error: error) }
                    if failure == nil { failure = PostgresPipelineFailure(index: index, error: error) }
                }
            }
            guard let result = PQgetResult(handle) else {
                throw PostgresPipelineFailure(index: nil, error: PostgresError(result: nil, connection: handle, sql: statement.sql))
            }
            switch PQresultStatus(result) {
            case PGRES_PIPELINE_ABORTED:
                PQclear(result)
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
                answers.append(Self.rows(of: result))
                PQclear(result)
            default:
                let error = PostgresError(result: result, connection: handle, sql: statement.sql)
                PQclear(result)
                // A connection the server ended or that broke answers every statement left with the same failure;
                // it is no one statement's.
                guard !error.isConnectionFailure else { throw PostgresPipelineFailure(index: nil, error: error) }
                if failure == nil { failure = PostgresPipelineFailure(index: index, error: error) }
            }
            // Each statement's answers end with a null result.
            while let extra = PQgetResult(handle) { PQclear(extra) }
        }
        guard let sync = PQgetResult(handle) else {
            throw PostgresPipelineFailure(index: nil, error: PostgresError(result: nil, connection: handle, sql: nil))
        }
        let synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC
        let syncError = synced ? nil : PostgresError(result: sync, connection: handle, sql: nil)
        PQclear(sync)
        if let failure { throw failure }
        if let syncError { throw PostgresPipelineFailure(index: nil, error: syncError) }
        return answers
    }

    /// Runs a constant script of one or more statements with no parameters (migrations, `BEGIN`, `COMMIT`).
    /// Never given text built from values: every script is a literal in this module.
    package func execute(_ script: StaticString) throws(PostgresError) {
        let text = script.description
        try take(PQexec(handle, text), sql: text)
    }

    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws (or when `COMMIT` fails).
    ///
    /// `begin` is the statement that opens it (`BEGIN`, or `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`).
    /// A `COMMIT` whose connection is lost leaves the outcome unknown, which the error says (``PostgresError/connectionLost``).
    package func transaction<T, Failure: PostgresErrorConvertible>(
        _ begin: StaticString = "BEGIN", _ body: (PostgresConnection) throws(Failure) -> sending T
    ) throws(Failure) -> sending T {
        do throws(PostgresError) { try execute(begin) } catch { throw Failure(error) }
        return try finishTransaction(body)
    }

    /// Runs `body` in the transaction this connection has just begun, then commits; rolls back when it throws (or
    /// when `COMMIT` fails).
    func finishTransaction<T, Failure: PostgresErrorConvertible>(_ body: (PostgresConnection) throws(Failure) -> sending T) throws(Failure) -> sending T {
        let result: T
        do throws(Failure) {
            result = try body(self)
        } catch {
            rollback()
            throw error
        }
        do throws(PostgresError) {
            try execute("COMMIT")
        } catch {
            rollback()
            throw Failure(error)
        }
        return result
    }

    /// Rolls back the open transaction, if the connection is still there and one is open (after a failed
    /// statement PostgreSQL keeps the transaction open but aborted, and only `ROLLBACK` ends it).
    private func rollback() {
        guard PQstatus(handle) == CONNECTION_OK, PQtransactionStatus(handle) != PQTRANS_IDLE else { return }
        // ROLLBACK fails only when the connection is gone; the pool then drops it (isReusable is false).
        PQclear(PQexec(handle, "ROLLBACK"))
    }

    /// Copies a result into Swift values and frees it; a failed result becomes a ``PostgresError``.
    @discardableResult
    private func take(_ result: OpaquePointer?, sql: String) throws(PostgresError) -> PostgresRows {
        defer { PQclear(result) }
        guard let result else { throw PostgresError(result: nil, connection: handle, sql: sql) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            break
        default:
            throw PostgresError(result: result, connection: handle, sql: sql)
        }
        return Self.rows(of: result)
    }

    /// Copies a successful result's rows and changed-row count into Swift values.
    private static func rows(of result: OpaquePointer) -> PostgresRows {
        let count = Int(PQntuples(result))
        let columns = Int(PQnfields(result))
        var rows: [[String?]] = []
        rows.reserveCapacity(count)
        for row in 0..<Int32(count) {
            rows.append((0..<Int32(columns)).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            })
        }
        let changed = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresRows(rows: rows, changed: changed)
    }

    /// Whether a parameter holds a NUL character, which PostgreSQL text cannot: its bytes searched with `memchr`, as
    /// every parameter of every statement is, on the thread that writes the batches.
    private static func holdsNUL(_ value: String?) -> Bool {
        guard var value else { return false }
        return value.withUTF8 { bytes in bytes.baseAddress.map { memchr($0, 0, bytes.count) != nil } ?? false }
    }

    /// Calls `body` with the parameters as C strings (a null pointer for `NULL`), valid only during the call.
    private static func withCStrings<R>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = values.map { $0.map { strdup($0) } ?? nil }
        defer { for pointer in pointers { free(pointer) } }
        return pointers.withUnsafeMutableBufferPointer { buffer in
            body(buffer.map { $0.map { UnsafePointer($0) } })
        }
    }
}

/// One statement of a pipeline: its text and its positional parameters in text format (nil is SQL `NULL`).
package struct PostgresStatement: Sendable {
    /// The statement, with `$1`, `$2`, … for its parameters; never built from values.
    package var sql: String
    /// The parameters, sent apart from the text.
    package var parameters: [String?]

    /// Creates a statement.
    package init(_ sql: String, _ parameters: [String?]) {
        self.sql = sql
        self.parameters = parameters
    }
}

/// Why a pipeline failed: the server's or libpq's error, and which statement failed when one did (nil when the
/// connection or the synchronisation point failed, so no statement owns it). Nothing of the pipeline was committed,
/// unless the connection was lost after the synchronisation point was sent, when the outcome is unknown.
package struct PostgresPipelineFailure: Error {
    /// The failed statement's place in the pipeline, when one failed.
    package var index: Int?
    /// What went wrong.
    package var error: PostgresError
}

/// An error type that can carry a PostgreSQL failure, so a transaction whose body throws it can report its own
/// `BEGIN` or `COMMIT` failing in the same type.
package protocol PostgresErrorConvertible: Error {
    /// Wraps or translates a PostgreSQL failure.
    init(_ error: PostgresError)
}

extension PostgresError: PostgresErrorConvertible {
    /// The failure itself.
    public init(_ error: PostgresError) { self = error }
}

extension StoreError: PostgresErrorConvertible {}

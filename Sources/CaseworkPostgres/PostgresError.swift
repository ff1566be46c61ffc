import CLibPQ
import CaseworkStore
import Foundation

/// A failure reported by PostgreSQL or libpq: the SQLSTATE when the server sent one, its message and the SQL that failed.
///
/// Every libpq failure in Casework becomes one of these, built from a result (``init(result:connection:sql:)``) or a
/// connection (``init(connection:context:)``). The SQL is the statement's text as written, never with its parameter
/// values, so a case's personal data cannot reach a log through an error; the connection string (which may hold a
/// password) is never part of one.
public struct PostgresError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The five-character SQLSTATE (`23505` is a unique violation); nil when the failure is libpq's own (a lost
    /// connection, a value the wrapper refused) rather than the server's.
    public var sqlState: String?
    /// The server's primary message, or what libpq or the wrapper found wrong.
    public var message: String
    /// The statement that failed, when a statement failed.
    public var sql: String?
    /// Whether the connection was unusable after the failure, so the outcome of a statement in flight is unknown.
    public var connectionLost: Bool

    /// Creates an error from its parts.
    public init(sqlState: String?, message: String, sql: String? = nil, connectionLost: Bool = false) {
        self.sqlState = sqlState
        self.message = message
        self.sql = sql
        self.connectionLost = connectionLost
    }

    /// Reads the failure from a result (which may be nil when libpq could not send the statement), then the connection.
    init(result: OpaquePointer?, connection: OpaquePointer?, sql: String?) {
        let state = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) }
        let primary = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "M"))) }.map { String(cString: $0) }
        let fallback = connection.flatMap { PQerrorMessage($0) }.map { String(cString: $0) } ?? "libpq gave no result"
        let lost = connection.map { PQstatus($0) != CONNECTION_OK } ?? true
        self.init(sqlState: state, message: (primary ?? fallback).trimmedLine, sql: sql, connectionLost: lost)
    }

    /// Reads why a connection failed or could not be opened.
    init(connection: OpaquePointer?, context: String) {
        let text = connection.flatMap { PQerrorMessage($0) }.map { String(cString: $0) } ?? "out of memory"
        self.init(sqlState: nil, message: "\(context): \(text.trimmedLine)", connectionLost: true)
    }

    /// SQLSTATE class 40 (serialization failure `40001`, deadlock `40P01`) or a lock not had in time (`55P03`): the
    /// transaction was rolled back through no fault of its own and may be tried again.
    public var isRetryable: Bool { ["40001", "40P01", "55P03"].contains(sqlState ?? "") }

    /// A row with the same primary or unique key already exists (`23505`).
    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// The server could not be reached or went away: SQLSTATE class `08`, the server shutting down (`57P01`–`57P03`),
    /// or a connection libpq found broken.
    public var isConnectionFailure: Bool {
        connectionLost || (sqlState?.hasPrefix("08") ?? false) || isSessionEndedByServer
    }

    /// The server ended the session and said so (`57P01` administrator command or fast shutdown, `57P02` crash of
    /// another backend, `57P03` cannot connect now): it sends this only once the session's transaction has ended.
    public var isSessionEndedByServer: Bool { ["57P01", "57P02", "57P03"].contains(sqlState ?? "") }

    /// One line: the message, the SQLSTATE, and the SQL when there is some.
    public var description: String {
        var text = message
        if let sqlState { text += " [SQLSTATE \(sqlState)]" }
        if let sql { text += " in `\(sql.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " "))`" }
        return text
    }
}

extension StoreError {
    /// Translates a PostgreSQL failure: a serialization failure, deadlock or lock timeout is ``StoreError/busy(_:)``;
    /// a lost connection is ``StoreError/failed(_:)`` saying the server is unavailable; anything else is
    /// ``StoreError/failed(_:)`` with the server's message and statement. Unique violations are told apart by the
    /// caller, which knows which row it wrote.
    package init(_ error: PostgresError) {
        if error.isRetryable {
            self = .busy(error.description)
        } else if error.isConnectionFailure {
            self = .failed("the PostgreSQL server is unavailable: \(error.description)")
        } else {
            self = .failed(error.description)
        }
    }
}

extension String {
    /// The text on one line, without the newline libpq ends its messages with.
    fileprivate var trimmedLine: String {
        split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}

import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// What ``SQLiteCaseStore/check()`` found in a store: SQLite's integrity check and every record read back.
public struct SQLiteStoreReport: Sendable, Hashable {
    /// Each problem in one line: SQLite's findings as it words them (pages and tables, never case data),
    /// then each record that cannot be used, named by its table and key.
    public var problems: [String]
    /// The cases read back.
    public var cases: Int
    /// The audit events read back.
    public var events: Int
    /// The outbox messages read back.
    public var messages: Int
    /// The idempotency records read back.
    public var keys: Int
    /// The document versions read back, and the stored document bytes hashed again (none in a file before schema version 5).
    public var documents = 0, blobs = 0
}

extension SQLiteCaseStore {
    /// Checks the whole store, reading only: `PRAGMA integrity_check`, then every case, audit event, outbox
    /// message, idempotency record and document version decoded as the engine would read it, and every document's bytes
    /// hashed again (a case also filed under its own id,
    /// with no counter at its limit).
    ///
    /// The records are read in one read transaction, so the counts describe one moment even while others write;
    /// it ends with `ROLLBACK` (a read has nothing to keep), since on a damaged file SQLite can fail even the
    /// `COMMIT` of a read. A table SQLite cannot read is one problem, and the check goes on with the next.
    /// Problems are listed, not thrown; only a failure to run the check at all (a lock held past the busy timeout) throws.
    public func check() throws(StoreError) -> SQLiteStoreReport {
        try database.withConnection { (db: SQLiteConnection) throws(StoreError) -> SQLiteStoreReport in
            var report = SQLiteStoreReport(problems: try Self.integrityProblems(db, thorough: true), cases: 0, events: 0, messages: 0, keys: 0)
            do throws(SQLiteError) { try db.execute("BEGIN DEFERRED") } catch { throw StoreError(error) }
            defer { try? db.execute("ROLLBACK") }
            report.cases = scan(db, "SELECT id, record FROM cases ORDER BY id", into: &report.problems) { row in
                let id = row.string(at: 0) ?? "?"
                do throws(StoreError) {
                    let record = try decode(CaseRecord.self, row.string(at: 1), "its record")
                    return Self.problem(with: record, filedAs: id).map { "case '\(id)': \($0)" }
                } catch {
                    return "case '\(id)': \(error.failureDetail)"
                }
            }
            report.events = scan(db, "SELECT case_id, sequence, event FROM audit_events ORDER BY case_id, sequence", into: &report.problems) { row in
                let what = "audit event \(row.int(at: 1).map(String.init) ?? "?") of case '\(row.string(at: 0) ?? "?")'"
                do throws(StoreError) {
                    _ = try decode(AuditEvent.self, row.string(at: 2), what)
                    return nil
                } catch {
                    return error.failureDetail
                }
            }
            report.messages = scan(db, "SELECT id, message FROM outbox ORDER BY position", into: &report.problems) { row in
                do throws(StoreError) {
                    _ = try decode(OutboxMessage.self, row.string(at: 1), "outbox message '\(row.string(at: 0) ?? "?")'")
                    return nil
                } catch {
                    return error.failureDetail
                }
            }
            report.keys = scan(db, "SELECT key, record FROM idempotency ORDER BY key", into: &report.problems) { row in
                do throws(StoreError) {
                    _ = try decode(IdempotencyRecord.self, row.string(at: 1), "idempotency key '\(row.string(at: 0) ?? "?")'")
                    return nil
                } catch {
                    return error.failureDetail
                }
            }
            Self.checkDocuments(db, into: &report)
            return report
        }
    }

    /// Runs `sql` and adds the problem `inspect` finds in each row to `problems`; returns how many rows were read.
    /// A table SQLite cannot read is one problem naming the statement.
    private func scan(_ db: SQLiteConnection, _ sql: String, into problems: inout [String], _ inspect: (SQLiteStatement) -> String?) -> Int {
        do throws(SQLiteError) {
            let found = try db.rows(sql, [], inspect)
            problems += found.compactMap { $0 }
            return found.count
        } catch {
            problems.append("cannot read every row: \(error)")
            return 0
        }
    }
}

import Casework
import CaseworkDefinitions
import CaseworkStore
import Foundation

/// Archives: a case read whole in one snapshot of the file, and written back whole in one immediate transaction.
extension SQLiteCaseStore {
    /// One case's rows, read in one deferred transaction.
    private struct ArchiveRows: Sendable {
        var record: [String?]
        var events: [(Int?, String?)]
        var outbox: [String?]
        var keys: [String?]
        var alarms: [(String?, String?, Int64?)]
        var documents: DocumentRows
    }

    /// The case's record, events, messages, keys and alarms, read in one deferred transaction: one snapshot of the
    /// file, whatever others commit meanwhile.
    public func archive(caseID: String) throws(StoreError) -> CaseArchive? {
        let rows = try database.transaction(kind: .deferred) { (db: SQLiteConnection) throws(StoreError) -> ArchiveRows in
            ArchiveRows(
                record: try db.query(StoreSQL.loadCase, [caseID]) { $0.string(at: 0) },
                events: try db.query(StoreSQL.history, [caseID]) { ($0.int(at: 0), $0.string(at: 1)) },
                outbox: try db.query(StoreSQL.caseOutbox, [caseID]) { $0.string(at: 1) },
                keys: try db.query(StoreSQL.caseIdempotency, [caseID]) { $0.string(at: 0) },
                alarms: try db.query(StoreSQL.caseAlarms, [caseID]) { ($0.string(at: 0), $0.string(at: 1), $0.int64(at: 2)) },
                documents: try Self.documentRows(caseID, withBlobs: true, in: db))
        }
        guard let row = rows.record.first else { return try CaseArchive.withoutRecord(caseID, events: rows.events.count) }
        let record = try record(from: row, caseID: caseID)
        let outbox = try rows.outbox.map { (text: String?) throws(StoreError) in try decode(OutboxMessage.self, text, "an outbox message of case '\(caseID)'") }
        let keys = try rows.keys.map { (text: String?) throws(StoreError) in try decode(IdempotencyRecord.self, text, "an idempotency key of case '\(caseID)'") }
        let alarms = try rows.alarms.map { (deadline: String?, kind: String?, due: Int64?) throws(StoreError) -> DeadlineAlarm in
            guard let deadline, let kind, let due else { throw .corruptRecord(caseID: caseID, detail: "a deadline alarm is stored incomplete") }
            return DeadlineAlarm(caseID: caseID, deadline: deadline, kind: kind, dueAt: Date(timeIntervalSince1970: Double(due) / 1000))
        }
        return CaseArchive(record: record, events: try events(from: rows.events, caseID: caseID), outbox: outbox, idempotency: keys, alarms: alarms,
                           documents: try documents(from: rows.documents, caseID: caseID), blobs: rows.documents.blobs)
    }

    /// Writes the archive in one `BEGIN IMMEDIATE` transaction: its opening change as a commit writes it (messages with
    /// their delivery state), then its keys; a refusal rolls all of it back.
    public func restore(_ archive: CaseArchive) throws(StoreError) {
        if let problem = archive.problem { throw .corruptRecord(caseID: archive.record.id, detail: problem) }
        let opening = try PreparedChange(archive.opening, store: self)
        let keys = try archive.idempotency.map { (key: IdempotencyRecord) throws(StoreError) -> [any SQLiteBindable] in
            [key.key, try json(key, "idempotency key '\(key.key)'")]
        }
        try write { (db: SQLiteConnection) throws(StoreError) in
            try opening.write(to: db)
            for (key, columns) in zip(archive.idempotency, keys) {
                try db.change(StoreSQL.insertIdempotency, columns, ifTaken: .duplicate("idempotency key '\(key.key)'"))
            }
        }
    }
}

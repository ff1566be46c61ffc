import Casework
import CaseworkDefinitions
import CaseworkStore
import Foundation

/// Archives: a case read whole in one `REPEATABLE READ` snapshot, and written back whole in one transaction.
extension PostgresCaseStore {
    /// The case's record, events, messages, keys and alarms, read in one `REPEATABLE READ` transaction: one snapshot,
    /// whatever others commit meanwhile.
    public func archive(caseID: String) throws(StoreError) -> CaseArchive? {
        let rows = try pool.read { (db: PostgresConnection) throws(StoreError) -> [[[String?]]] in
            try db.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { (db: PostgresConnection) throws(StoreError) -> [[[String?]]] in
                try [PostgresSQL.loadCase, PostgresSQL.history, PostgresSQL.caseOutbox, PostgresSQL.caseIdempotency, PostgresSQL.caseAlarms,
                     PostgresDocumentSQL.caseVersions, PostgresDocumentSQL.caseBlobs]
                    .map { (sql: String) throws(StoreError) in try db.query(sql, [caseID]) }
            }
        }
        let (records, events, outbox, keys, alarms) = (rows[0], rows[1], rows[2], rows[3], rows[4])
        guard let row = records.first else { return try CaseArchive.withoutRecord(caseID, events: events.count) }
        return CaseArchive(
            record: try record(from: row.first ?? nil, caseID: caseID),
            events: try self.events(from: events, caseID: caseID),
            outbox: try outbox.map { (row: [String?]) throws(StoreError) in try Self.message(row, from: 0) },
            idempotency: try keys.map { (row: [String?]) throws(StoreError) in
                try Self.decode(IdempotencyRecord.self, row[1], caseID: caseID, "an idempotency key")
            },
            alarms: try alarms.map { (row: [String?]) throws(StoreError) -> DeadlineAlarm in
                guard let deadline = row[0], let kind = row[1], let time = row[2].flatMap({ Int64($0) }) else {
                    throw .corruptRecord(caseID: caseID, detail: "a deadline alarm is stored incomplete")
                }
                return DeadlineAlarm(caseID: caseID, deadline: deadline, kind: kind, dueAt: Date(timeIntervalSince1970: Double(time) / 1000))
            },
            documents: try Self.documents(from: rows[5], caseID: caseID),
            blobs: try rows[6].map { (row: [String?]) throws(StoreError) in try Self.blob(row, caseID: caseID) })
    }

    /// Writes the archive in one transaction, sent as one pipeline as a commit is: its opening change as a commit
    /// writes it (messages with their delivery state), then its keys, each under the key's advisory lock as a commit
    /// takes it; a refusal rolls all of it back.
    public func restore(_ archive: CaseArchive) throws(StoreError) {
        let id = archive.record.id
        if let problem = archive.problem { throw .corruptRecord(caseID: id, detail: problem) }
        var statements = try PreparedChange(archive.opening).statements
        for key in archive.idempotency {
            let text = try Self.json(key, "idempotency key '\(key.key)'")
            statements.append((PostgresStatement(PostgresSQL.insertIdempotency, [id, key.key, text]), .ifTaken(.duplicate("idempotency key '\(key.key)'"))))
        }
        try send(statements, writing: [archive.opening])
    }
}

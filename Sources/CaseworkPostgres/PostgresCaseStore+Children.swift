import CaseworkDefinitions
import CaseworkStore
import Foundation

/// The SQL of child records: `children`, their chains in `child_audit`, and which child each case belongs to in
/// `child_cases` (schema version 4).
enum PostgresChildSQL {
    /// A new child; its id is taken when the child exists. (child_id, revision, audit_head, record)
    static let insertChild = "INSERT INTO children (child_id, revision, audit_head, record) VALUES ($1, $2, $3, $4)"
    /// The compare-and-set of a change to a child, failing with ``PostgresSQL/staleRevision``.
    /// (child_id, expected revision, revision, audit_head, record)
    static let updateChild = "SELECT casework_update_child($1, $2, $3, $4, $5)"
    /// A child's stored revision. (child_id)
    static let childRevision = "SELECT revision FROM children WHERE child_id = $1"
    /// One event of a child's chain. (child_id, sequence, hash, event)
    static let insertEvent = "INSERT INTO child_audit (child_id, sequence, hash, event) VALUES ($1, $2, $3, $4)"
    /// The hash stored for one event of a child's chain, to learn whether a commit landed. (child_id, sequence)
    static let eventHash = "SELECT hash FROM child_audit WHERE child_id = $1 AND sequence = $2"
    /// A child's record. (child_id)
    static let loadChild = "SELECT record FROM children WHERE child_id = $1"
    /// A child's events in sequence order. (child_id)
    static let history = "SELECT sequence, event FROM child_audit WHERE child_id = $1 ORDER BY sequence"
    /// The first page of child ids. (limit)
    static let firstChildIDs = "SELECT child_id FROM children ORDER BY child_id LIMIT $1"
    /// A page of child ids after a cursor. (after, limit)
    static let childIDsAfter = "SELECT child_id FROM children WHERE child_id > $1 ORDER BY child_id LIMIT $2"
    /// Files a case under its child, with the case's opening. (case_id, child_id)
    static let insertChildCase = "INSERT INTO child_cases (case_id, child_id) VALUES ($1, $2)"
    /// The cases of a child, sorted. (child_id)
    static let childCases = "SELECT case_id FROM child_cases WHERE child_id = $1 ORDER BY case_id"
}

extension PostgresCaseStore {
    /// The statements of a commit's child changes, before its case changes: each child's compare-and-set (or new row),
    /// then its events.
    static func prepare(_ children: [ChildChange]) throws(StoreError) -> [(PostgresStatement, StatementMeaning)] {
        if let problem = childProblems(children) { throw problem }
        var statements: [(PostgresStatement, StatementMeaning)] = []
        for change in children {
            let child = change.record
            let record = try json(child, "child '\(child.id)'")
            if let expected = change.expectedRevision {
                statements.append((PostgresStatement(PostgresChildSQL.updateChild, [child.id, "\(expected)", "\(child.revision)", child.auditHead, record]),
                                   .childCompareAndSet(childID: child.id, expected: expected)))
            } else {
                statements.append((PostgresStatement(PostgresChildSQL.insertChild, [child.id, "\(child.revision)", child.auditHead, record]),
                                   .ifTaken(.childExists(child.id))))
            }
            for event in change.events {
                let what = "audit event \(event.sequence) of child '\(child.id)'"
                statements.append((PostgresStatement(PostgresChildSQL.insertEvent, [child.id, "\(event.sequence)", event.hash, try json(event, what)]),
                                   .ifTaken(.duplicate(what))))
            }
        }
        return statements
    }

    /// The child record, or nil.
    public func child(id: String) throws(StoreError) -> ChildRecord? {
        let rows = try pool.read { (db: PostgresConnection) throws(StoreError) in try db.query(PostgresChildSQL.loadChild, [id]) }
        return try rows.first.map { (row: [String?]) throws(StoreError) in try Self.childRecord(row.first ?? nil, id: id) }
    }

    /// A page of the child ids in byte order (the `"C"` collation).
    public func childIDs(page: PageRequest) throws(StoreError) -> Page<String> {
        if let problem = page.problem { throw .invalidPage(problem) }
        let after = try page.after.map { (cursor: PageCursor) throws(StoreError) in try cursor.key(parts: 1)[0] }
        let rows = try pool.read { (db: PostgresConnection) throws(StoreError) in
            if let after { return try db.query(PostgresChildSQL.childIDsAfter, [after, "\(page.limit + 1)"]) }
            return try db.query(PostgresChildSQL.firstChildIDs, ["\(page.limit + 1)"])
        }
        let ids = rows.compactMap { $0.first ?? nil }
        let items = Array(ids.prefix(page.limit))
        return Page(items: items, next: ids.count > page.limit ? items.last.map { PageCursor(key: [$0]) } : nil)
    }

    /// The record and its events read in one `REPEATABLE READ` transaction.
    public func childSnapshot(childID: String) throws(StoreError) -> ChildSnapshot {
        let (recordRows, eventRows) = try pool.read { (db: PostgresConnection) throws(StoreError) -> ([[String?]], [[String?]]) in
            try db.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { (db: PostgresConnection) throws(StoreError) -> ([[String?]], [[String?]]) in
                (try db.query(PostgresChildSQL.loadChild, [childID]), try db.query(PostgresChildSQL.history, [childID]))
            }
        }
        let record = try recordRows.first.map { (row: [String?]) throws(StoreError) in try Self.childRecord(row.first ?? nil, id: childID) }
        let events = try eventRows.map { (row: [String?]) throws(StoreError) in
            try Self.decode(ChildAuditEvent.self, row.count == 2 ? row[1] : nil, caseID: childID, "audit event \(row.first.flatMap { $0 } ?? "?") of the child")
        }
        return ChildSnapshot(record: record, events: events)
    }

    /// The cases filed under the child, sorted.
    public func caseIDs(childID: String) throws(StoreError) -> [String] {
        let rows = try pool.read { (db: PostgresConnection) throws(StoreError) in try db.query(PostgresChildSQL.childCases, [childID]) }
        return rows.compactMap { $0.first ?? nil }
    }

    /// A child row's record, or that child's `corruptRecord` error.
    private static func childRecord(_ text: String?, id: String) throws(StoreError) -> ChildRecord {
        let record = try decode(ChildRecord.self, text, caseID: id, "the child's record")
        guard record.id == id else { throw .corruptRecord(caseID: id, detail: "its record is of child '\(record.id)'") }
        if let limit = record.counterAtLimit { throw .corruptRecord(caseID: id, detail: limit) }
        return record
    }
}

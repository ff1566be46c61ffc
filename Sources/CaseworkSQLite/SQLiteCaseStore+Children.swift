import CaseworkDefinitions
import CaseworkStore
import Foundation

/// The SQL of child records: `children`, their chains in `child_audit`, and which child each case belongs to in
/// `child_cases` (schema version 6).
enum ChildSQL {
    /// Whether the file has the child tables: a store at an older schema version, read without migrating, has none and
    /// so holds no child records.
    static let hasTables = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'children'"
    /// A new child; its id is taken when the child exists.
    static let insertChild = "INSERT INTO children (id, revision, audit_head, record) VALUES (?, ?, ?, ?)"
    /// The compare-and-set of a change to a child: only at the expected revision.
    static let updateChild = "UPDATE children SET revision = ?, audit_head = ?, record = ? WHERE id = ? AND revision = ?"
    /// A child's stored revision.
    static let childRevision = "SELECT revision FROM children WHERE id = ?"
    /// One event of a child's chain.
    static let insertEvent = "INSERT INTO child_audit (child_id, sequence, hash, event) VALUES (?, ?, ?, ?)"
    /// A child's record.
    static let loadChild = "SELECT record FROM children WHERE id = ?"
    /// A child's events in sequence order.
    static let history = "SELECT sequence, event FROM child_audit WHERE child_id = ? ORDER BY sequence"
    /// The first page of child ids.
    static let firstChildIDs = "SELECT id FROM children ORDER BY id LIMIT ?"
    /// A page of child ids after a cursor.
    static let childIDsAfter = "SELECT id FROM children WHERE id > ? ORDER BY id LIMIT ?"
    /// Files a case under its child, with the case's opening.
    static let insertChildCase = "INSERT INTO child_cases (case_id, child_id) VALUES (?, ?)"
    /// The cases of a child, sorted.
    static let childCases = "SELECT case_id FROM child_cases WHERE child_id = ? ORDER BY case_id"
}

/// A child change with its rows encoded before the transaction opens.
struct PreparedChildChange {
    let change: ChildChange
    let record: String
    let events: [[any SQLiteBindable]]

    init(_ change: ChildChange, store: SQLiteCaseStore) throws(StoreError) {
        self.change = change
        let id = change.record.id
        record = try store.json(change.record, "child '\(id)'")
        events = try change.events.map { (event: ChildAuditEvent) throws(StoreError) in
            [id, event.sequence, event.hash, try store.json(event, "audit event \(event.sequence) of child '\(id)'")]
        }
    }

    /// Writes the change inside an open transaction: the revision check (or the new row), then the events.
    func write(to db: SQLiteConnection) throws(StoreError) {
        let child = change.record
        if let expected = change.expectedRevision {
            if try db.change(ChildSQL.updateChild, [child.revision, child.auditHead, record, child.id, expected]) == 0 {
                let actual = try db.query(ChildSQL.childRevision, [child.id]) { $0.int(at: 0) }.first
                guard let actual, let actual else { throw .childNotFound(child.id) }
                throw .childRevisionConflict(childID: child.id, expected: expected, actual: actual)
            }
        } else {
            try db.change(ChildSQL.insertChild, [child.id, child.revision, child.auditHead, record], ifTaken: .childExists(child.id))
        }
        for (event, columns) in zip(change.events, events) {
            try db.change(ChildSQL.insertEvent, columns, ifTaken: .duplicate("audit event \(event.sequence) of child '\(child.id)'"))
        }
    }
}

extension SQLiteCaseStore {
    /// A commit's child changes with their rows encoded, after the checks every store makes.
    func prepare(_ children: [ChildChange]) throws(StoreError) -> [PreparedChildChange] {
        if let problem = Self.childProblems(children) { throw problem }
        return try children.map { (child: ChildChange) throws(StoreError) in try PreparedChildChange(child, store: self) }
    }

    /// The child record, or nil.
    public func child(id: String) throws(StoreError) -> ChildRecord? {
        let rows = try read { (db: SQLiteConnection) throws(StoreError) -> [String?] in
            guard try Self.hasChildTables(db) else { return [] }
            return try db.query(ChildSQL.loadChild, [id]) { $0.string(at: 0) }
        }
        return try rows.first.map { (text: String?) throws(StoreError) in try childRecord(from: text, id: id) }
    }

    /// A page of the child ids in byte order.
    public func childIDs(page: PageRequest) throws(StoreError) -> Page<String> {
        if let problem = page.problem { throw .invalidPage(problem) }
        let after = try page.after.map { (cursor: PageCursor) throws(StoreError) in try cursor.key(parts: 1)[0] }
        let rows = try read { (db: SQLiteConnection) throws(StoreError) -> [String?] in
            guard try Self.hasChildTables(db) else { return [] }
            if let after { return try db.query(ChildSQL.childIDsAfter, [after, page.limit + 1]) { $0.string(at: 0) } }
            return try db.query(ChildSQL.firstChildIDs, [page.limit + 1]) { $0.string(at: 0) }
        }
        let ids = rows.compactMap { $0 }
        let items = Array(ids.prefix(page.limit))
        return Page(items: items, next: ids.count > page.limit ? items.last.map { PageCursor(key: [$0]) } : nil)
    }

    /// The record and its events read in one deferred transaction: one snapshot of the file.
    public func childSnapshot(childID: String) throws(StoreError) -> ChildSnapshot {
        let (recordRows, eventRows) = try reader.transaction(kind: .deferred) { (db: SQLiteConnection) throws(StoreError) -> ([String?], [(Int?, String?)]) in
            guard try Self.hasChildTables(db) else { return ([], []) }
            return (try db.query(ChildSQL.loadChild, [childID]) { $0.string(at: 0) }, try db.query(ChildSQL.history, [childID]) { ($0.int(at: 0), $0.string(at: 1)) })
        }
        let record = try recordRows.first.map { (text: String?) throws(StoreError) in try childRecord(from: text, id: childID) }
        let events = try eventRows.map { (row: (Int?, String?)) throws(StoreError) in
            do throws(StoreError) {
                return try decode(ChildAuditEvent.self, row.1, "audit event \(row.0 ?? 0) of child '\(childID)'")
            } catch {
                throw .corruptRecord(caseID: childID, detail: error.failureDetail)
            }
        }
        return ChildSnapshot(record: record, events: events)
    }

    /// The cases filed under the child, sorted.
    public func caseIDs(childID: String) throws(StoreError) -> [String] {
        try read { (db: SQLiteConnection) throws(StoreError) -> [String] in
            guard try Self.hasChildTables(db) else { return [] }
            return try db.query(ChildSQL.childCases, [childID]) { $0.string(at: 0) }.compactMap { $0 }
        }
    }

    /// A child row's record, or that child's `corruptRecord` error.
    private func childRecord(from text: String?, id: String) throws(StoreError) -> ChildRecord {
        let record: ChildRecord
        do throws(StoreError) {
            record = try decode(ChildRecord.self, text, "the record of child '\(id)'")
        } catch {
            throw .corruptRecord(caseID: id, detail: error.failureDetail)
        }
        guard record.id == id else { throw .corruptRecord(caseID: id, detail: "its record is of child '\(record.id)'") }
        if let limit = record.counterAtLimit { throw .corruptRecord(caseID: id, detail: limit) }
        return record
    }

    private static func hasChildTables(_ db: SQLiteConnection) throws(StoreError) -> Bool {
        let count: Int?? = try db.query(ChildSQL.hasTables, []) { $0.int(at: 0) }.first
        return (count.flatMap { $0 } ?? 0) > 0
    }
}

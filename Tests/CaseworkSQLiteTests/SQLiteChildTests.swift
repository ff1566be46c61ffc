import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkStore
import Foundation
import Testing

@testable import CaseworkSQLite
@testable import CaseworkStoreConformance

/// Child records on an SQLite file: schema version 6 on a file written by version 5 (tables added, no row changed),
/// the append-only chain and filing, and a chain edited past the triggers found by verification.
@Suite("SQLite: child records")
struct SQLiteChildTests {
    let directory: TemporaryDirectory
    let path: String

    init() throws {
        directory = try TemporaryDirectory()
        path = directory.path("casework.sqlite")
    }

    /// Every row of `table` as text, in a stable order, to show a migration changed none.
    func rows(_ table: String, in store: SQLiteCaseStore) throws -> [String] {
        try store.database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in
            try db.rows("SELECT * FROM \(table) ORDER BY 1, 2") { row in (0..<row.columnCount).map { row.string(at: $0) ?? "null" }.joined(separator: "|") }
        }
    }

    @Test("a version 5 file is read as holding no children, then gains the child tables (and every later version) when opened to write, with no existing row changed")
    func versionFiveFileMigrates() throws {
        do {
            let database = try SQLiteDatabase(path: path)
            try database.execute(SQLiteSchema.migrations[0..<5].joined() + "PRAGMA user_version = 5;")
        }
        do {
            let store = try SQLiteCaseStore(path: path)
            try store.commit(Sample.opening())
        }
        try SQLiteDatabase(path: path).execute("DROP TABLE child_cases; DROP TABLE child_audit; DROP TABLE children; PRAGMA user_version = 5;")
        let before = try SQLiteCaseStore(path: path, options: .init(access: .readOnly))
        let cases = try rows("cases", in: before), events = try rows("audit_events", in: before)
        #expect(try before.child(id: "k1") == nil)
        #expect(try before.childIDs() == [])
        #expect(try before.caseIDs(childID: "k1") == [])
        #expect(try before.childSnapshot(childID: "k1") == ChildSnapshot(record: nil, events: []))
        let writer = try SQLiteCaseStore(path: path, options: .init(access: .readWrite))
        let version = try writer.database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in try db.rows("PRAGMA user_version") { $0.int(at: 0) } }
        #expect(version == [SQLiteSchema.latestVersion])
        #expect(try rows("cases", in: writer) == cases, "no case row changed")
        #expect(try rows("audit_events", in: writer) == events, "no audit row changed")
        #expect(try writer.load(caseID: "case-1")?.child == nil, "a case stored before belongs to no child")
        try writer.commit(all: [], children: [ChildFixture.adding("k1")])
        #expect(try writer.childIDs() == ["k1"])
    }

    @Test("child audit events and the filing of cases under children cannot be updated or deleted", arguments: [
        "UPDATE child_audit SET hash = 'x'", "DELETE FROM child_audit", "UPDATE child_cases SET child_id = 'k2'", "DELETE FROM child_cases",
    ])
    func appendOnly(statement: String) throws {
        let store = try SQLiteCaseStore(path: path)
        try ChildFixture.family(try ChildFixture.engine(store: store))
        #expect(throws: SQLiteError.self) { try store.database.execute(statement) }
        #expect(try store.caseIDs(childID: "k1") == ["k1-a", "k1-b"])
        #expect(try store.childSnapshot(childID: "k1").events.count == 2)
    }

    @Test("a grant written into the child's record past the chain is found by verification, naming the part")
    func editedRecordIsFound() throws {
        let store = try SQLiteCaseStore(path: path)
        let engine = try ChildFixture.engine(store: store)
        try ChildFixture.family(engine)
        #expect(try engine.verifyChildAudit("k2", as: .operator()) == .intact(events: 1))
        try store.database.execute("""
            UPDATE children SET record = json_set(record, '$.grants', json('[{"level":"full","to":"parent-lee"}]')) WHERE id = 'k2'
            """)
        #expect(try engine.verifyChildAudit("k2", as: .operator()) == .recordDiffers(parts: ["grants"]))
        try store.database.execute("DROP TRIGGER child_audit_no_delete; DELETE FROM child_audit WHERE child_id = 'k1' AND sequence = 2")
        #expect(try engine.verifyChildAudit("k1", as: .operator()).chainBreak?.sequence == 2)
    }

    @Test("a grant end day that does not read is damage to the child, refused on every case of it, never a grant without an end")
    func malformedGrantEndIsAnError() throws {
        let store = try SQLiteCaseStore(path: path)
        let engine = try ChildFixture.engine(store: store)
        try ChildFixture.family(engine)
        try store.database.execute("""
            UPDATE children SET record = json_set(record, '$.grants[0].until', '2025-13-40') WHERE id = 'k1'
            """)
        #expect(throws: StoreError.self) { try store.child(id: "k1") }
        let error = #expect(throws: EngineError.self) {
            try engine.view(caseID: "k1-a", as: ChildFixture.parent, attributes: ChildFixture.family)
        }
        guard case .store(.corruptRecord(let id, _))? = error else { Issue.record("not damage: \(String(describing: error))"); return }
        #expect(id == "k1")
        #expect(try engine.view(caseID: "k2-a", as: ChildFixture.caseworker, attributes: ChildFixture.staff).state == "drafting", "another child's cases still read")
    }
}

import Casework
import Foundation
import Testing

@testable import CaseworkSQLite

/// Schema version 3 (definition snapshots) on a file written by version 2: the cases there keep working.
@Suite("SQLite: definition snapshots on an older file")
struct SnapshotSchemaTests {
    @Test("a version 2 file gains the snapshot tables, and its cases, which name no snapshot, still read back")
    func versionTwoFileMigrates() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("casework.sqlite")
        let record = Sample.record()
        let json = String(decoding: StoredJSON.encode(record), as: UTF8.self)
        #expect(!json.contains("definitionSnapshot"), "a record with no snapshot is written as before")
        do {
            let database = try SQLiteDatabase(path: path)
            try database.execute(SQLiteSchema.migrations[0] + SQLiteSchema.migrations[1] + "PRAGMA user_version = 2;")
            try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in
                _ = try db.run("INSERT INTO cases (id, workflow, workflow_version, state, revision, updated_at, record) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               [record.id, record.workflow, record.workflowVersion, record.state, record.revision, Int64(0), json])
                _ = try db.run("INSERT INTO definitions (kind, id, version, fingerprint, content) VALUES ('workflow', 'w', 1, 'f1', 'workflow: w')")
            }
        }
        let store = try SQLiteCaseStore(path: path)
        #expect(try store.load(caseID: record.id) == record)
        #expect(try store.load(caseID: record.id)?.definitionSnapshot == nil)
        let snapshot = DefinitionSnapshot(members: [DefinitionVersion(kind: "workflow", id: "w", version: 1, fingerprint: "f1")])
        try store.record(snapshot)
        #expect(try store.snapshots() == [snapshot])
        let database = try SQLiteDatabase(path: path)
        let refused = #expect(throws: SQLiteError.self) { try database.execute("DELETE FROM definition_snapshot_members") }
        #expect(refused?.message.contains("a stored definition snapshot never changes") == true)
    }
}

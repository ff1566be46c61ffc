import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkStore
import Foundation
import Testing

@testable import CaseworkSQLite
@testable import CaseworkStoreConformance

/// Documents on an SQLite file: schema version 5 on a file written by version 4, the append-only tables, and bytes
/// damaged in the file found when they are read.
@Suite("SQLite: documents")
struct SQLiteDocumentTests {
    let directory: TemporaryDirectory
    let path: String

    init() throws {
        directory = try TemporaryDirectory()
        path = directory.path("casework.sqlite")
    }

    /// An engine on `store` with case c1 opened and planned.
    func planned(_ store: SQLiteCaseStore) throws -> Engine {
        try DocumentFixture.planned { store }.1
    }

    @Test("a version 4 file is read as holding no documents, then gains the document tables when opened to write, its cases intact")
    func versionFourFileMigrates() throws {
        do {
            let database = try SQLiteDatabase(path: path)
            try database.execute(SQLiteSchema.migrations[0..<4].joined() + "PRAGMA user_version = 4;")
        }
        do {
            let store = try SQLiteCaseStore(path: path)
            try store.commit(Sample.opening())
        }
        try SQLiteDatabase(path: path).execute(
            "DROP TABLE child_cases; DROP TABLE child_audit; DROP TABLE children; DROP TABLE blobs; DROP TABLE document_versions; PRAGMA user_version = 4;")
        let reader = try SQLiteCaseStore(path: path, options: .init(access: .readOnly))
        #expect(try reader.documentVersions(caseID: "case-1") == [])
        #expect(try reader.blob(sha256: String(repeating: "0", count: 64)) == nil)
        let writer = try SQLiteCaseStore(path: path, options: .init(access: .readWrite))
        #expect(try writer.load(caseID: "case-1") == Sample.record())
        let version = try writer.database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in try db.rows("PRAGMA user_version") { $0.int(at: 0) } }
        #expect(version == [SQLiteSchema.latestVersion])
        _ = try planned(writer)
        #expect(try writer.documentVersions(caseID: "c1").count == 3)
    }

    @Test("stored versions and bytes cannot be updated or deleted", arguments: [
        "UPDATE document_versions SET revision = 1", "DELETE FROM document_versions", "UPDATE blobs SET bytes = X'00'", "DELETE FROM blobs",
    ])
    func appendOnly(statement: String) throws {
        let store = try SQLiteCaseStore(path: path)
        _ = try planned(store)
        #expect(throws: SQLiteError.self) { try store.database.execute(statement) }
        #expect(try store.documentVersions(caseID: "c1").count == 3)
    }

    @Test("bytes changed in the file past the triggers are refused when read, as damage to the case, while the audit chain still proves the hash")
    func damagedBlobIsFound() throws {
        let store = try SQLiteCaseStore(path: path)
        let engine = try planned(store)
        try store.database.execute("DROP TRIGGER blobs_no_update; UPDATE blobs SET bytes = CAST('edited' AS BLOB) WHERE bytes = CAST('views' AS BLOB)")
        let error = #expect(throws: EngineError.self) {
            try engine.documentContent(caseID: "c1", kind: "draft_plan", section: "A", as: DocumentFixture.caseworker, attributes: DocumentFixture.staff)
        }
        guard case .store(.corruptRecord(let caseID, let detail))? = error else { Issue.record("not damage: \(String(describing: error))"); return }
        #expect(caseID == "c1")
        #expect(detail.contains("do not match the hash its audit event recorded"))
        #expect(try engine.documentContent(caseID: "c1", kind: "draft_plan", section: "K", as: DocumentFixture.caseworker, attributes: DocumentFixture.staff)
            == Array("advice".utf8), "the other parts still read")
        #expect(try engine.verifyAudit("c1", as: .operator()) == .intact(events: 5))
        #expect(try engine.documentProblems("c1", as: .operator()) == ["the document bytes stored as \(SHA256.hex(Array("views".utf8))) no longer have that hash"])
        let report = try store.check()
        #expect(report.problems == ["the document bytes stored as \(SHA256.hex(Array("views".utf8))) no longer have that hash"], "store check finds it too")
        #expect(report.documents == 3 && report.blobs == 3)
    }

    @Test("store copy carries every version and its bytes to the new store, where they read back and check")
    func storeCopyCarriesDocuments() throws {
        let source = try SQLiteCaseStore(path: path)
        _ = try planned(source)
        let target = try SQLiteCaseStore(path: directory.path("copy.sqlite"))
        _ = try StoreCopy.copy(from: source, to: target)
        #expect(try target.documentVersions(caseID: "c1") == (try source.documentVersions(caseID: "c1")))
        let copied = try DocumentFixture.engine(store: target)
        #expect(try copied.documentContent(caseID: "c1", kind: "decision_letter", as: DocumentFixture.caseworker, attributes: DocumentFixture.staff)
            == Array("%PDF-1.7 letter".utf8))
        #expect(try copied.documentProblems("c1", as: .operator()) == [])
    }

    @Test("the documents are checked against the audit chain: a version removed, or stored other than its event says, is found")
    func documentsAreCheckedAgainstTheirEvents() throws {
        let store = try SQLiteCaseStore(path: path)
        let engine = try planned(store)
        #expect(try engine.documentProblems("c1", as: .operator()) == [])
        try store.database.execute("""
            DROP TRIGGER document_versions_no_delete; DROP TRIGGER document_versions_no_update;
            DELETE FROM document_versions WHERE kind = 'decision_letter';
            UPDATE document_versions SET document = json_set(document, '$.change.reason', 'rewritten') WHERE kind = 'draft_plan' AND version = 2;
            """)
        #expect(try engine.documentProblems("c1", as: .operator()) == [
            "version 2 of document 'draft_plan' is not stored as event 4 records it",
            "version 1 of document 'decision_letter', added by event 5, is not stored",
        ])
        #expect(throws: EngineError.self) { try engine.documentProblems("c1", as: DocumentFixture.stranger, attributes: DocumentFixture.family) }
    }
}

import CSQLite
import Casework
import Foundation
import Testing

@testable import CaseworkSQLite

/// How a store opens its file (read, write, create), and what it refuses to hand the engine.
@Suite("SQLite store access and damage")
struct SQLiteStoreAccessTests {
    let directory: TemporaryDirectory
    let path: String

    init() throws {
        directory = try TemporaryDirectory()
        path = directory.path("casework.sqlite")
    }

    func opened(_ access: SQLiteCaseStore.Options.Access) throws -> SQLiteCaseStore {
        try SQLiteCaseStore(path: path, options: .init(access: access))
    }

    @Test("without create, a missing file is refused as missing, for reading and writing, and nothing is created")
    func missingFile() throws {
        for access in [SQLiteCaseStore.Options.Access.readOnly, .readWrite] {
            let error = #expect(throws: StoreError.self) { try opened(access) }
            #expect(error == .missing(path: path))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
        _ = try opened(.create)
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test("reading an empty file finds no store there, and leaves it empty")
    func emptyFileIsNoStoreToRead() throws {
        try #require(FileManager.default.createFile(atPath: path, contents: nil))
        let error = #expect(throws: StoreError.self) { try opened(.readOnly) }
        #expect(error == .missing(path: path))
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == 0)
    }

    @Test("a store opened to read refuses every change as read-only and writes nothing")
    func readOnlyRefusesChanges() throws {
        let writer = try opened(.create)
        try writer.commit(Sample.opening(messages: ["m1"]))
        let reader = try opened(.readOnly)
        #expect(try reader.load(caseID: "case-1") == Sample.record())
        #expect(try reader.history(caseID: "case-1").count == 1)
        let refusal = StoreError.readOnly(path: path)
        #expect(throws: refusal) { try reader.commit(Sample.advancing(from: 1)) }
        #expect(throws: refusal) { try reader.record(StoredDefinition(kind: "workflow", id: "w", version: 1, fingerprint: "f", content: "c")) }
        #expect(throws: refusal) { try reader.claimOutbox(OutboxClaim(claimer: "m", limit: 1, now: Sample.opened, lease: 60)) }
        #expect(throws: refusal) { try reader.acknowledgeOutbox(ids: ["m1"], claimer: "m", at: Sample.opened) }
        #expect(try writer.load(caseID: "case-1")?.revision == 1)
        #expect(try writer.outbox(caseID: nil).map(\.claimedBy) == [nil])
        #expect(try writer.definition(kind: "workflow", id: "w", version: 1) == nil)
    }

    @Test("a file with no write permission bit is refused for writing, even by root")
    func unwritableFileIsReadOnly() throws {
        _ = try opened(.create)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        #expect(throws: StoreError.readOnly(path: path)) { try opened(.readWrite) }
        #expect(throws: Never.self) { try opened(.readOnly) }
    }

    @Test("a store of an older schema version is read as it is, without migrating it")
    func olderVersionIsReadUnmigrated() throws {
        let store = try opened(.create)
        try store.commit(Sample.opening())
        try store.database.execute("DROP TABLE deadline_alarms; PRAGMA user_version = 1")
        let reader = try opened(.readOnly)
        #expect(try reader.load(caseID: "case-1") != nil)
        let version = try store.database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in try db.rows("PRAGMA user_version") { $0.int(at: 0) } }
        #expect(version == [1])
    }

    @Test("a record edited to a counter's limit, or filed under another id, is that case's corrupt record on load")
    func recordsTheEngineCannotUse() throws {
        let store = try opened(.create)
        for id in ["case-1", "case-2", "case-3", "case-4"] { try store.commit(Sample.opening(id)) }
        try store.database.execute("""
            UPDATE cases SET record = json_set(record, '$.revision', 9223372036854775807) WHERE id = 'case-1';
            UPDATE cases SET record = json_set(record, '$.forms[0].submissions', 9223372036854775807) WHERE id = 'case-2';
            UPDATE cases SET record = (SELECT record FROM cases WHERE id = 'case-4') WHERE id = 'case-3';
            """)
        #expect(throws: StoreError.corruptRecord(caseID: "case-1", detail: "its revision is 9223372036854775807, the largest there can be, so it cannot change again")) {
            try store.load(caseID: "case-1")
        }
        #expect(throws: StoreError.corruptRecord(caseID: "case-2", detail: "form 'professional-advice-1' has 9223372036854775807 submissions, the most there can be")) {
            try store.load(caseID: "case-2")
        }
        #expect(throws: StoreError.corruptRecord(caseID: "case-3", detail: "its record is of case 'case-4'")) { try store.load(caseID: "case-3") }
        #expect(try store.load(caseID: "case-4") != nil)
        let report = try store.check()
        #expect(report.problems.count == 3)
        #expect(report.cases == 4)
    }


    @Test("check reads every record back: a sound store has no problems; an undecodable message or key is named")
    func checkNamesEachProblem() throws {
        let store = try opened(.create)
        try store.commit(Sample.opening(messages: ["m1", "m2"], key: "k1"))
        let sound = try store.check()
        #expect(sound == SQLiteStoreReport(problems: [], cases: 1, events: 1, messages: 2, keys: 1))
        try store.database.execute("UPDATE outbox SET message = '{}' WHERE id = 'm2'; UPDATE idempotency SET record = 'x' WHERE key = 'k1'")
        let report = try store.check()
        #expect(report.problems.count == 2)
        #expect(report.problems[0].hasPrefix("outbox message 'm2' cannot be read back: "))
        #expect(report.problems[1].hasPrefix("idempotency key 'k1' cannot be read back: "))
    }
}

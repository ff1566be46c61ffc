import CSQLite
import Casework
import CaseworkSQLite
import CaseworkStoreConformance
import Foundation
import Testing
@testable import CaseworkCommandLine

/// `casework store copy` between SQLite files, and `StoreCopy` on stores that fail: what it copies, what it refuses
/// before writing, and what a failure midway says. The copies to and from PostgreSQL are in CaseworkPostgresTests.
@Suite("casework store copy")
struct StoreCopyTests {
    /// A new folder for the demo's store and its copies.
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("casework-copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The shipped definitions, as `--definitions` arguments.
    static let definitions = ["--definitions", RepositoryPaths.root.appendingPathComponent("Workflows").path,
                              "--definitions", RepositoryPaths.root.appendingPathComponent("Policies").path]

    /// The demo's store, written into `folder`.
    static func demo(in folder: URL) throws -> String {
        let path = folder.appendingPathComponent("demo.sqlite").path
        try #require(runCasework(["demo", "--db", path] + definitions).status == .success)
        return path
    }

    @Test func copiesTheDemoStoreIntoANewFileWhereEveryChainVerifies() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try Self.demo(in: folder)
        let target = folder.appendingPathComponent("copy.sqlite").path
        let copied = runCasework(["store", "copy", "--from", source, "--to", target])
        #expect(copied.status == .success && copied.err.isEmpty, "\(copied.err)")
        try GoldenFiles.check(copied.out, against: RepositoryPaths.fixtures.appendingPathComponent("cli/store-copy.txt"))
        for path in [source, target] {
            #expect(runCasework(["audit", "verify", "--db", path] + Self.definitions).status == .success, "audit verify on \(path)")
        }
        for command in [["case", "show", "demo-ehcna-1", "--format", "json"], ["case", "history", "demo-ehcna-1", "--format", "json"],
                        ["outbox", "list", "--format", "json"]] {
            let shown = [source, target].map { runCasework(command + ["--db", $0] + Self.definitions) }
            #expect(shown[0].status == .success && shown[0].out == shown[1].out, "\(command) differs between the source and the copy")
        }
    }

    @Test func aTargetHoldingAnythingIsRefusedAndNothingIsWritten() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try Self.demo(in: folder)
        let target = folder.appendingPathComponent("held.sqlite").path
        let held = StoredDefinition(kind: "workflow", id: "other", version: 1, fingerprint: "f", content: "workflow: other")
        try SQLiteCaseStore(path: target).record(held)
        let refused = runCasework(["store", "copy", "--from", source, "--to", target])
        #expect(refused.status == .failure)
        #expect(refused.err == "error: the target store is not empty: it holds workflow 'other' version 1; copy into a new, empty store; nothing was written\n")
        let store = try SQLiteCaseStore(path: target, options: .init(access: .readOnly))
        #expect(try store.caseIDs().isEmpty && store.outbox(caseID: nil).isEmpty && store.snapshots().isEmpty)
        #expect(try store.definitionVersions() == [DefinitionVersion(held)])

        let again = runCasework(["store", "copy", "--from", source, "--to", folder.appendingPathComponent("./demo.sqlite").path])
        #expect(again.status == .usage && again.err.hasPrefix("error: --from and --to name the same store\n"), "\(again.err)")
        let missing = runCasework(["store", "copy", "--from", folder.appendingPathComponent("none.sqlite").path, "--to", target])
        #expect(missing.status == .usage && missing.err.contains("no Casework store at"), "\(missing.err)")
    }

    @Test func aSourceCaseWithoutItsRecordIsRefusedBeforeAnythingIsWritten() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try Self.demo(in: folder)
        var db: OpaquePointer?
        #expect(sqlite3_open(source, &db) == SQLITE_OK)
        for statement in ["PRAGMA foreign_keys = OFF", "DELETE FROM deadline_alarms", "DELETE FROM cases"] {
            #expect(sqlite3_exec(db, statement, nil, nil, nil) == SQLITE_OK, "\(String(cString: sqlite3_errmsg(db)))")
        }
        sqlite3_close(db)
        let target = folder.appendingPathComponent("copy.sqlite").path
        let refused = runCasework(["store", "copy", "--from", source, "--to", target])
        #expect(refused.status == .failure)
        #expect(refused.err == "error: the source store cannot be copied: case 'demo-ehcna-1' is stored damaged: its record is missing, "
                + "but 33 audit events remain; nothing was written\n", "\(refused.err)")
        let store = try SQLiteCaseStore(path: target, options: .init(access: .readOnly))
        #expect(try store.auditedCaseIDs().isEmpty && store.definitionVersions().isEmpty)
    }

    @Test func aChainBrokenOnTheSourceIsCopiedAsItIsAndNamed() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try Self.demo(in: folder)
        var db: OpaquePointer?
        #expect(sqlite3_open(source, &db) == SQLITE_OK)
        for statement in ["DROP TRIGGER audit_events_no_update",
                          "UPDATE audit_events SET event = replace(event, '\"Sam\"', '\"Tom\"') WHERE case_id = 'demo-ehcna-1' AND sequence = 1"] {
            #expect(sqlite3_exec(db, statement, nil, nil, nil) == SQLITE_OK, "\(String(cString: sqlite3_errmsg(db)))")
        }
        sqlite3_close(db)
        let copied = runCasework(["store", "copy", "--from", source, "--to", folder.appendingPathComponent("copy.sqlite").path])
        #expect(copied.status == .failure)
        #expect(copied.out.hasPrefix("case demo-ehcna-1: event 1 does not match: its content does not match its hash\ncopied 2 cases, 34 audit events"), "\(copied.out)")
        #expect(copied.out.hasSuffix("; 1 chain not holding on the target, as on the source\n"), "\(copied.out)")
    }

    @Test func aFailureMidwaySaysTheTargetIsIncompleteAndACopyAgainIsRefused() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try SQLiteCaseStore(path: try Self.demo(in: folder), options: .init(access: .readOnly))
        let rehearsal = FailingStore(wrapping: InMemoryCaseStore())
        let summary = try StoreCopy.copy(from: source, to: rehearsal)
        #expect(summary.cases == 2 && summary.events == 34 && summary.unverified.isEmpty)
        let restore = try #require(rehearsal.operations.firstIndex(of: "restore")) + 1

        let target = FailingStore(wrapping: InMemoryCaseStore())
        target.fail(atOperation: restore)
        #expect {
            try StoreCopy.copy(from: source, to: target)
        } throws: { error in
            let copy = try #require(error as? StoreCopyError)
            return copy.targetIncomplete && copy.reason == .targetFailed(.failed("injected failure"))
                && copy.description == "the target store refused or failed: the database failed: injected failure; the target is incomplete "
                + "(0 cases copied): empty it, or make a new one, before copying again"
        }
        #expect {
            try StoreCopy.copy(from: source, to: target)
        } throws: { error in
            guard case .targetNotEmpty = (error as? StoreCopyError)?.reason else { return false }
            return (error as? StoreCopyError)?.targetIncomplete == false
        }
    }
}

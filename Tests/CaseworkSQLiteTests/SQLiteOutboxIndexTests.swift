import Casework
import CaseworkTestSupport
import Foundation
import Testing

@testable import CaseworkSQLite

/// Schema version 7 drops `outbox_undelivered`, which nothing read: a fresh file has only the outbox indexes some query
/// uses, a version 6 file loses the index when opened to write with no row changed, and claims still walk the index of
/// portal messages and take what they took before.
@Suite("SQLite: the outbox's indexes")
struct SQLiteOutboxIndexTests {
    let directory: TemporaryDirectory
    let path: String

    init() throws {
        directory = try TemporaryDirectory()
        path = directory.path("casework.sqlite")
    }

    /// The names of `table`'s indexes, the ones SQLite makes for keys included, sorted.
    func indexes(_ table: String, in database: SQLiteDatabase) throws -> [String] {
        try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in
            try db.rows("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? ORDER BY name", [table]) { $0.string(at: 0) ?? "" }
        }
    }

    /// Every row of the outbox as text, in order, to show a migration changed none.
    func outboxRows(in database: SQLiteDatabase) throws -> [String] {
        try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in
            try db.rows("SELECT * FROM outbox ORDER BY position") { row in (0..<row.columnCount).map { row.string(at: $0) ?? "null" }.joined(separator: "|") }
        }
    }

    /// The plan of a claim: which index it walks.
    func claimPlan(in database: SQLiteDatabase) throws -> [String] {
        try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in
            try db.rows("EXPLAIN QUERY PLAN " + StoreSQL.claimable, [Int64(0), 10]) { $0.string(at: 3) ?? "" }
        }
    }

    @Test("a fresh file indexes the outbox by case and by what a claim may take, and no more")
    func freshFileHasTheIndexesQueriesUse() throws {
        let store = try SQLiteCaseStore(path: path)
        #expect(try indexes("outbox", in: store.database) == ["outbox_by_case", "outbox_claimable", "sqlite_autoindex_outbox_1"])
        #expect(try claimPlan(in: store.database).contains { $0.contains("outbox_claimable") })
    }

    @Test("a version 6 file loses the unread index when opened to write; no message changes, and claims take what they took")
    func versionSixFileMigrates() throws {
        do {
            let store = try SQLiteCaseStore(path: path)
            try store.commit(Sample.opening(messages: ["case-1/1/1", "case-1/1/2"]))
            try store.commit(Sample.advancing(from: 1, messages: ["case-1/2/1"]))
            _ = try store.claimOutbox(OutboxClaim(claimer: "mailer", limit: 1, now: Sample.instant(60_000), lease: 30))
            #expect(try store.acknowledgeOutbox(ids: ["case-1/1/1"], claimer: "mailer", at: Sample.instant(61_000)) == 1)
        }
        // The file as version 6 left it: the index there, and the version.
        try SQLiteDatabase(path: path).execute("CREATE INDEX outbox_undelivered ON outbox (position) WHERE delivered_at IS NULL; PRAGMA user_version = 6;")
        let old = try SQLiteCaseStore(path: path, options: .init(access: .readOnly))
        #expect(try indexes("outbox", in: old.database).contains("outbox_undelivered"))
        let rows = try outboxRows(in: old.database)
        let outbox = try old.outbox(caseID: nil)

        let store = try SQLiteCaseStore(path: path, options: .init(access: .readWrite))
        let version = try store.database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in try db.rows("PRAGMA user_version") { $0.int(at: 0) } }
        #expect(version == [SQLiteSchema.latestVersion])
        #expect(try indexes("outbox", in: store.database) == ["outbox_by_case", "outbox_claimable", "sqlite_autoindex_outbox_1"])
        #expect(try outboxRows(in: store.database) == rows, "no message row changed")
        #expect(try store.outbox(caseID: nil) == outbox)
        #expect(try claimPlan(in: store.database).contains { $0.contains("outbox_claimable") })
        let claimed = try store.claimOutbox(OutboxClaim(claimer: "other", limit: 10, now: Sample.instant(120_000), lease: 30))
        #expect(claimed.map(\.id) == ["case-1/1/2", "case-1/2/1"], "the delivered message stays delivered; the lapsed lease and the new one are claimed")
    }
}

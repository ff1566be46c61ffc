import Casework
import CaseworkStoreConformance
import Foundation
import Testing

@testable import CaseworkSQLite

/// A group committer's batch on SQLite failing inside its transaction: the file full part-way through (SQLite's
/// `SQLITE_FULL`, made by capping `max_page_count`) fails the whole batch, with no group of it written, even the
/// groups before the one that could not be written; the same batch then lands once there is room.
@Suite("SQLite group commit")
struct SQLiteGroupCommitTests {
    @Test func aFullFilePartWayThroughABatchWritesNoneOfIt() throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteCaseStore(path: directory.path("full.sqlite"))
        try store.commit(Fixture.opening("c0"))
        let pages = try store.database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in try db.rows("PRAGMA page_count") { $0.int(at: 0) } }
        let full = try #require(pages.first ?? nil)
        try store.database.execute("PRAGMA max_page_count = \(full + 2)")
        var large = Fixture.opening("c2")
        large.outbox[0].body = String(repeating: "x", count: 64 * 1024)
        let batch = [[Fixture.opening("c1")], [Fixture.opening("c0")], [large], [Fixture.opening("c3")]]
        #expect {
            _ = try store.commit(each: batch)
        } throws: { error in
            guard let error = error as? StoreError, case .failed(let detail) = error else { return false }
            return detail.contains("full")
        }
        #expect(try store.caseIDs() == ["c0"], "no group of the failed batch was written")
        #expect(try store.outbox(caseID: nil).map(\.id) == ["c0/1/1"])
        try store.database.execute("PRAGMA max_page_count = 1073741823")
        #expect(try store.commit(each: batch) == [nil, .caseExists("c0"), nil, nil])
        #expect(try store.caseIDs() == ["c0", "c1", "c2", "c3"])
    }
}

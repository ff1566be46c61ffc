import Foundation
import Testing

@testable import CaseworkSQLite
@testable import CaseworkStore

/// The quick check a writing store runs on open reads the file through a small page cache
/// (``SQLiteCaseStore/quickCheckCachePages``): it must find exactly what the check through the connection's own cache
/// finds, wherever the damage lies, and leave the connection's cache as it was.
@Suite("SQLite quick check through a small page cache")
struct SQLiteQuickCheckTests {
    /// A database file of many pages (a table of rows with an index, well over the check's cache), checkpointed, so
    /// every page lies in the main file; its path and page count.
    private static func largeFile() throws -> (path: String, pages: Int) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quick-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("large.sqlite").path
        let database = try SQLiteDatabase(path: path)
        try database.execute("""
            PRAGMA journal_mode = WAL;
            CREATE TABLE rows (id INTEGER PRIMARY KEY, name TEXT NOT NULL, body TEXT NOT NULL);
            CREATE INDEX rows_by_name ON rows (name);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
            INSERT INTO rows (id, name, body) SELECT i, printf('name-%06d', (i * 7919) % 3000), printf('%0200d', i) FROM n;
            PRAGMA wal_checkpoint(TRUNCATE);
            """)
        let pages = try database.withConnection { (connection: SQLiteConnection) throws(SQLiteError) in
            try connection.rows("PRAGMA page_count") { $0.int(at: 0) }.first ?? nil
        }
        return (path, pages ?? 0)
    }

    /// Removes the directory `largeFile()` made for the file at `path`.
    private static func remove(_ path: String) {
        try? FileManager.default.removeItem(at: URL(fileURLWithPath: path).deletingLastPathComponent())
    }

    /// What `quick_check` finds through a fresh connection with SQLite's default cache, its rows' lines and then the
    /// statement's own failure, if it fails as damage: the reference.
    private static func referenceFindings(_ path: String) throws -> [String] {
        let database = try SQLiteDatabase(path: path)
        return try database.withConnection { (connection: SQLiteConnection) throws(SQLiteError) in
            var lines: [String] = []
            let statement = try connection.prepare("PRAGMA quick_check(100)")
            do throws(SQLiteError) {
                while try statement.step() { lines += (statement.string(at: 0) ?? "").split(whereSeparator: \.isNewline).map(String.init) }
            } catch {
                guard error.isDamage else { throw error }
                lines.append(error.message)
            }
            let findings = lines.filter { !$0.hasPrefix("*** ") }
            return findings == ["ok"] ? [] : findings
        }
    }

    @Test("a sound file has no problems, and the connection's cache size is as it was", arguments: [-2000, -64, 10, 500])
    func soundFileKeepsTheCacheSize(cacheSize: Int) throws {
        let file = try Self.largeFile()
        defer { Self.remove(file.path) }
        #expect(file.pages > 10 * SQLiteCaseStore.quickCheckCachePages)
        let database = try SQLiteDatabase(path: file.path)
        let (problems, after) = try database.withConnection { (connection: SQLiteConnection) throws(StoreError) in
            do throws(SQLiteError) { try connection.execute("PRAGMA cache_size = \(cacheSize)") } catch { throw StoreError(error) }
            let problems = try SQLiteCaseStore.integrityProblems(connection, thorough: false)
            return (problems, try connection.query("PRAGMA cache_size", []) { $0.int(at: 0) }.first ?? nil)
        }
        #expect(problems.isEmpty)
        #expect(after == cacheSize)
    }

    @Test("damage to any of a spread of pages is found, exactly as the check through the default cache finds it")
    func damageIsFoundAsBefore() throws {
        let sound = try Self.largeFile()
        Self.remove(sound.path)
        let size = 4096
        // The second page, a stride through the file, and the last page.
        let damagedPages = Array(Set([2] + Array(stride(from: 3, to: sound.pages, by: 37)) + [sound.pages])).sorted()
        for page in damagedPages {
            let file = try Self.largeFile()
            defer { Self.remove(file.path) }
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: file.path))
            try handle.seek(toOffset: UInt64((page - 1) * size))
            try handle.write(contentsOf: Data(repeating: 0xA5, count: size))
            try handle.close()
            let reference = try Self.referenceFindings(file.path)
            #expect(!reference.isEmpty, "page \(page) damaged, yet the reference check found nothing")
            let database = try SQLiteDatabase(path: file.path)
            let problems = try database.withConnection { (connection: SQLiteConnection) throws(StoreError) in
                try SQLiteCaseStore.integrityProblems(connection, thorough: false)
            }
            #expect(problems == reference, "page \(page)")
        }
    }
}

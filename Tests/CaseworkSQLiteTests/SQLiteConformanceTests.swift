import CaseworkSQLite
import CaseworkStoreConformance
import Foundation
import Testing

/// The conformance suite (CaseworkStoreConformance) on `SQLiteCaseStore`, each check on fresh temporary files, with
/// a connection of its own for reads (the default) and with reads through the writing connection (the command line's).
@Suite("Store conformance: SQLite")
struct SQLiteConformanceTests {
    @Test(arguments: StoreConformance.checks, [true, false])
    func sqliteStoreConforms(check: StoreConformance.Check, separateReader: Bool) async throws {
        let directory = try TemporaryDirectory()
        let root = directory.url
        let options = SQLiteCaseStore.Options(separateReader: separateReader)
        let failures = await StoreConformance.exercise([check]) {
            let store = try SQLiteCaseStore(path: root.appendingPathComponent("\(UUID().uuidString).sqlite").path, options: options)
            #expect(store.readsThroughWriter == !separateReader)
            return store
        }
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
    }
}

import CaseworkSQLite
import CaseworkStoreConformance
import Foundation
import Testing

/// The conformance suite (CaseworkStoreConformance) on `SQLiteCaseStore`, each check on fresh temporary files.
@Suite("Store conformance: SQLite")
struct SQLiteConformanceTests {
    @Test(arguments: StoreConformance.checks)
    func sqliteStoreConforms(check: StoreConformance.Check) async throws {
        let directory = try TemporaryDirectory()
        let root = directory.url
        let failures = await StoreConformance.exercise([check]) { try SQLiteCaseStore(path: root.appendingPathComponent("\(UUID().uuidString).sqlite").path) }
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
    }
}

import CaseworkPostgres
import CaseworkStoreConformance
import Foundation
import Synchronization
import Testing

/// The conformance suite (CaseworkStoreConformance) on `PostgresCaseStore`, each store in a fresh database of one
/// throwaway server (``TestServer``). Without PostgreSQL's binaries the test says so loudly; with `CI` set, that is a
/// failure, so CI never skips it.
@Suite("Store conformance: PostgreSQL")
struct PostgresConformanceTests {
    @Test(arguments: StoreConformance.checks)
    func postgresStoreConforms(check: StoreConformance.Check) async throws {
        guard let server = TestServer.usable("the PostgreSQL conformance check '\(check.name)'") else { return }
        let made = Mutex<[String]>([])
        let failures = await StoreConformance.exercise([check]) {
            let database = try server.makeDatabase()
            made.withLock { $0.append(database.name) }
            return try PostgresCaseStore(conninfo: database.conninfo)
        }
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
        try server.dropDatabases(made.withLock { $0 })
    }
}

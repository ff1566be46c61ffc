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
        let server: TestServer
        switch TestServer.shared {
        case .success(let started):
            server = started
        case .failure(let unavailable):
            if ProcessInfo.processInfo.environment["CI"] != nil {
                Issue.record("PostgreSQL is needed in CI and is not usable: \(unavailable)")
            } else {
                print("warning: SKIPPED the PostgreSQL conformance check '\(check.name)': \(unavailable)")
            }
            return
        }
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

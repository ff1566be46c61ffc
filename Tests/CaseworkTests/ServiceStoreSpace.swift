import CaseworkSQLite
import Foundation
@testable import Casework

/// The stores the async service's tests run on: in memory and on SQLite.
enum ServiceStoreKind: String, CaseIterable, Sendable { case memory, sqlite }

/// A store of one ``ServiceStoreKind``, and the directory that holds it (kept alive for as long as the store is used,
/// removed with it).
final class ServiceStoreSpace: Sendable {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-service-store-\(UUID().uuidString)")
    let store: any CaseStore

    init(_ kind: ServiceStoreKind) throws {
        switch kind {
        case .memory: store = InMemoryCaseStore()
        case .sqlite:
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            store = try SQLiteCaseStore(path: directory.appendingPathComponent("casework.sqlite").path)
        }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}

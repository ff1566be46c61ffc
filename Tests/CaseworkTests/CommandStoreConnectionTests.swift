import CaseworkSQLite
import Foundation
import Testing
@testable import CaseworkCommandLine

/// How the command line opens an SQLite store: a command does one thing at a time, so it reads through the one
/// writing connection (no second open and schema parse); `casework serve` keeps a connection of its own for reads.
@Suite("Command line: one SQLite connection a command")
struct CommandStoreConnectionTests {
    static func path() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("casework-connections-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent("cases.sqlite").path
    }

    @Test(arguments: [SQLiteCaseStore.Options.Access.create, .readWrite, .readOnly])
    func aCommandReadsThroughOneConnection(access: SQLiteCaseStore.Options.Access) throws {
        let path = try Self.path()
        _ = try EngineOptions.open(path, .create)
        let store = try #require(try EngineOptions.open(path, access) as? SQLiteCaseStore)
        #expect(store.readsThroughWriter)
    }

    @Test func aServiceReadsThroughAConnectionOfItsOwn() throws {
        let path = try Self.path()
        let store = try #require(try EngineOptions.open(path, .create, servingConcurrently: true) as? SQLiteCaseStore)
        #expect(!store.readsThroughWriter)
        let reading = try #require(try EngineOptions.open(path, .readOnly, servingConcurrently: true) as? SQLiteCaseStore)
        #expect(reading.readsThroughWriter)
    }
}

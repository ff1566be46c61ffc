import Foundation
import Testing
@testable import CaseworkCommandLine

/// How `--db`, `--from`, `--to` and `CASEWORK_DATABASE_URL` name a store: one reading, for every command.
@Suite("Store locations")
struct StoreLocationTests {
    @Test(arguments: [
        ("casework.sqlite", StoreLocation.sqlite(path: "casework.sqlite")),
        ("sqlite:casework.sqlite", .sqlite(path: "casework.sqlite")),
        ("sqlite:/var/lib/casework/cases.sqlite", .sqlite(path: "/var/lib/casework/cases.sqlite")),
        ("/tmp/postgres://odd-file-name", .sqlite(path: "/tmp/postgres://odd-file-name")),
        ("postgres://app:secret@db.example/casework", .postgres(url: "postgres://app:secret@db.example/casework")),
        ("postgresql:///casework?host=/run/postgresql", .postgres(url: "postgresql:///casework?host=/run/postgresql")),
    ])
    func aStoreIsNamedByItsPrefix(text: String, location: StoreLocation) {
        #expect(StoreLocation(text) == location)
    }

    @Test func sqlitePrefixedAndPlainPathsOpenTheSameFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("casework-location-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("cases.sqlite").path
        let definitions = ["--definitions", RepositoryPaths.root.appendingPathComponent("Workflows").path,
                           "--definitions", RepositoryPaths.root.appendingPathComponent("Policies").path]
        let opened = runCasework(["case", "open", "ehcp-needs-assessment", "--id", "c1", "--db", "sqlite:\(path)", "--set", "requested_on=2025-09-01",
                                  "--set", "requested_by=parent", "--set", "child.first_name=Sam", "--set", "child.last_name=Taylor",
                                  "--set", "child.date_of_birth=2016-02-14"] + definitions)
        #expect(opened.status == .success, "\(opened.err)")
        let shown = runCasework(["case", "show", "c1", "--db", path, "--format", "json"] + definitions)
        #expect(shown.status == .success && shown.out.contains("c1"), "the case opened through sqlite:FILE is in FILE: \(shown.out) \(shown.err)")
        let checked = runCasework(["store", "check", "--db", "sqlite:\(path)"])
        #expect(checked.status == .success, "\(checked.err)")
        let refused = runCasework(["store", "check", "--db", "postgresql://app:secret@db.example/casework"])
        #expect(refused.status == .usage && refused.err.contains("store check reads an SQLite file"))
        #expect(!refused.err.contains("secret") && !refused.out.contains("secret"), "the URL's password is never printed")
    }
}

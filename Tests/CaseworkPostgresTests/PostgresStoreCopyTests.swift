import Casework
import CaseworkPostgres
import CaseworkSQLite
import Foundation
import Testing

/// `casework store copy` from SQLite to PostgreSQL and back, run as the built executable: the demo's store and 1,000
/// generated cases, each side's audit verified; a PostgreSQL target holding anything refused; a password in a URL
/// never printed. Without a server each test says so loudly (a failure with `CI` set), as the other PostgreSQL tests do.
@Suite("PostgreSQL: casework store copy")
struct PostgresStoreCopyTests {
    /// Runs the built `casework` to its end.
    static func run(_ arguments: [String]) throws -> CaseworkProcess.Outcome { try CaseworkProcess.run(arguments) }

    /// A fresh database on the test server and a folder for SQLite files and definitions, for one test.
    struct Scene {
        let server: TestServer
        let database: String
        let conninfo: String
        let folder: URL

        /// The scene, or nil after saying why there is no server (a failure with `CI` set).
        static func make(_ test: String) throws -> Scene? {
            guard let server = TestServer.usable("the PostgreSQL store copy test '\(test)'") else { return nil }
            let database = try server.makeDatabase()
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("casework-pg-copy-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return Scene(server: server, database: database.name, conninfo: database.conninfo, folder: folder)
        }

        /// The path of a file in the folder.
        func file(_ name: String) -> String { folder.appendingPathComponent(name).path }

        /// The database's URL.
        var postgres: String { PostgresStoreCopyTests.url(server, database) }

        /// Drops the database and removes the folder.
        func remove() {
            try? server.dropDatabases([database])
            try? FileManager.default.removeItem(at: folder)
        }
    }

    /// The `postgresql://` URL of a database on the test server, with `password` in it when given.
    static func url(_ server: TestServer, _ database: String, password: String? = nil) -> String {
        "postgresql://casework\(password.map { ":\($0)" } ?? "")@/\(database)?host=\(server.root)/socket"
    }

    /// The shipped definitions, as `--definitions` arguments.
    static let shipped = ["--definitions", CaseworkProcess.root.appendingPathComponent("Workflows").path,
                          "--definitions", CaseworkProcess.root.appendingPathComponent("Policies").path]

    @Test func theDemoStoreGoesToPostgresAndBackVerifiedOnEachSide() throws {
        guard let scene = try Scene.make("the demo's store") else { return }
        defer { scene.remove() }
        let (server, source, back, postgres) = (scene.server, scene.file("demo.sqlite"), scene.file("back.sqlite"), scene.postgres)
        try #require(try Self.run(["demo", "--db", source] + Self.shipped).status == 0)

        for (from, to) in [(source, postgres), (postgres, back)] {
            let copied = try Self.run(["store", "copy", "--from", from, "--to", to])
            #expect(copied.status == 0, "\(copied.err)")
            #expect(copied.out == "copied 2 cases, 34 audit events, 37 notifications, 0 idempotency keys, 2 deadline alarms, 20 definition versions, "
                    + "1 definition snapshot; every audit chain verified on the target\n", "\(copied.out)")
        }
        let stores = [source, postgres, back]
        for store in stores {
            let verified = try Self.run(["audit", "verify", "--db", store] + Self.shipped)
            #expect(verified.status == 0 && verified.out == "2 cases, every chain intact\n", "\(verified.out)\(verified.err)")
        }
        for command in [["case", "show", "demo-ehcna-1", "--format", "json"], ["case", "history", "demo-ehcna-1", "--format", "json"],
                        ["outbox", "list", "--format", "json"], ["definitions", "list", "--format", "json"]] {
            let shown = try stores.map { try Self.run(command + ["--db", $0] + Self.shipped) }
            #expect(shown[0].status == 0 && shown.allSatisfy { $0.out == shown[0].out }, "\(command) differs between the stores")
        }

        let secret = "Sh0uld-never-be-printed"
        let refused = try Self.run(["store", "copy", "--from", source, "--to", Self.url(server, scene.database, password: secret)])
        #expect(refused.status == 1 && refused.err.contains("the target store is not empty: it holds case 'demo-ehcna-1'"), "\(refused.err)")
        let unreachable = try Self.run(["store", "copy", "--from", Self.url(server, "no_such_database", password: secret), "--to", back + ".2"])
        #expect(unreachable.status == 6, "\(unreachable.err)")
        let reversed = try Self.run(["store", "copy", "--from", source, "--to", Self.url(server, "no_such_database", password: secret)])
        #expect(reversed.status == 6, "\(reversed.err)")
        for output in [refused, unreachable, reversed] {
            #expect(!(output.out + output.err).contains(secret), "a password was printed: \(output.err)")
        }
    }

    /// A workflow that sends a notification, keeps a deadline and finishes, for generated cases.
    static let bulk = """
        workflow: bulk
        version: 1
        title: Bulk
        roles: [parent, caseworker]
        fields: { requested_on: date }
        states:
          open: { initial: true }
          deciding: {}
          done: { final: true }
        transitions:
          - name: start
            from: open
            to: deciding
            by: [caseworker]
            notify: [{ to: [parent], template: started }]
          - { name: finish, from: deciding, to: done, by: [caseworker] }
        deadlines:
          - name: decide
            title: Decide
            from: requested_on
            due: 6 weeks
            until: [done]
            remind: [1 week before]
        templates:
          started: { subject: "Case {{ case.id }} has started", body: "We are deciding." }

        """

    /// Opens `count` cases in a new SQLite store through the engine: each started with an idempotency key (a
    /// notification and two alarms), every third finished; then some notifications claimed and some delivered.
    static func generate(_ count: Int, at path: String, definitions: URL) throws {
        try Data(bulk.utf8).write(to: definitions.appendingPathComponent("bulk.yaml"))
        let store = try SQLiteCaseStore(path: path, options: .init(synchronous: .normal))
        let clock = ManualClock(Date(timeIntervalSince1970: 1_756_717_200))
        let engine = try Engine(catalog: try DefinitionCatalog.load(paths: [definitions.path]), store: store, clock: clock)
        let caseworker = CaseActor(role: "caseworker", id: "ana")
        for index in 0..<count {
            let id = "bulk-\(index)"
            _ = try engine.open(workflow: "bulk", as: CaseActor(role: "parent", id: "jo-\(index)"), caseID: id,
                                fields: ["requested_on": .date(CalendarDate("2025-09-01")!)], participants: ["parent": "jo-\(index)"])
            _ = try engine.fire(FireRequest(caseID: id, transition: "start", actor: caseworker, idempotencyKey: "start-\(id)"))
            if index % 3 == 0 { _ = try engine.fire(FireRequest(caseID: id, transition: "finish", actor: caseworker)) }
        }
        let claimed = try store.claimOutbox(OutboxClaim(claimer: "courier", limit: count / 2, now: clock.now(), lease: 3_600))
        _ = try store.acknowledgeOutbox(ids: claimed.prefix(count / 4).map(\.id), claimer: "courier", at: clock.now())
    }

    @Test func aThousandGeneratedCasesGoToPostgresAndBackWithEveryCountAndChain() throws {
        guard let scene = try Scene.make("1,000 generated cases") else { return }
        defer { scene.remove() }
        let (folder, source, back, postgres) = (scene.folder, scene.file("bulk.sqlite"), scene.file("back.sqlite"), scene.postgres)
        try Self.generate(1_000, at: source, definitions: folder)

        let expected = "copied 1000 cases, 2334 audit events, 1000 notifications, 1000 idempotency keys, 1332 deadline alarms, "
            + "1 definition version, 1 definition snapshot; every audit chain verified on the target\n"
        for (from, to) in [(source, postgres), (postgres, back)] {
            let copied = try Self.run(["store", "copy", "--from", from, "--to", to])
            #expect(copied.status == 0 && copied.out == expected, "\(copied.out)\(copied.err)")
        }
        let common = ["--definitions", folder.path]
        for store in [source, postgres, back] {
            let verified = try Self.run(["audit", "verify", "--db", store] + common)
            #expect(verified.status == 0 && verified.out == "1000 cases, every chain intact\n", "\(verified.out)\(verified.err)")
        }
        let original = try SQLiteCaseStore(path: source, options: .init(access: .readOnly))
        let returned = try SQLiteCaseStore(path: back, options: .init(access: .readOnly))
        let target = try PostgresCaseStore(conninfo: scene.conninfo, options: .init(access: .readOnly))
        #expect(try returned.outbox(caseID: nil) == original.outbox(caseID: nil), "every notification, in order, with its delivery state")
        #expect(try target.outbox(caseID: nil) == original.outbox(caseID: nil))
        #expect(try returned.dueAlarms(at: .distantFuture, limit: 10_000) == original.dueAlarms(at: .distantFuture, limit: 10_000))
        for id in ["bulk-0", "bulk-1", "bulk-500", "bulk-999"] {
            #expect(try returned.archive(caseID: id) == original.archive(caseID: id), "\(id) came back as it went")
            #expect(try returned.idempotencyRecord(key: "start-\(id)") == original.idempotencyRecord(key: "start-\(id)"))
        }
    }
}

import CSQLite
import CaseworkTestSupport
import Foundation
import Testing
import Casework
import CaseworkCommandLine

/// Issue 11, a store that holds at its edges: reads that never write, stores created only when asked, safe
/// concurrent creation, discovery that opens only regular files, counters that cannot overflow, damage that is
/// one case's error, and a damaged file found before a write.
@Suite("A store that holds at its edges")
struct StoreEdgeTests {
    static func workspace() throws -> CommandWorkspace {
        try CommandWorkspace(["assessment.yaml": EngineFixtures.workflow, "advice.yaml": EngineFixtures.form])
    }

    /// A workspace with cases `ids` opened by the parent jo.
    static func populated(_ ids: [String] = ["c1"]) throws -> CommandWorkspace {
        let space = try workspace()
        for id in ids {
            let opened = space.run(["case", "open", "assessment", "--id", id, "--as", "parent:jo", "--set", "child.first_name=Sam"])
            try #require(opened.status == .success, "\(opened.err)")
        }
        return space
    }

    /// Runs SQL on the file straight through SQLite, as someone editing it outside Casework would.
    static func sql(_ path: String, _ script: String) throws {
        var db: OpaquePointer?
        defer { sqlite3_close_v2(db) }
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK else { throw SQLFailure(message: "cannot open \(path)") }
        guard sqlite3_exec(db, script, nil, nil, nil) == SQLITE_OK else { throw SQLFailure(message: String(cString: sqlite3_errmsg(db))) }
    }

    /// One integer SQLite computes from the file.
    static func integer(_ path: String, _ query: String) throws -> Int64 {
        var db: OpaquePointer?
        var statement: OpaquePointer?
        defer {
            sqlite3_finalize(statement)
            sqlite3_close_v2(db)
        }
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, sqlite3_prepare_v2(db, query, -1, &statement, nil) == SQLITE_OK,
            sqlite3_step(statement) == SQLITE_ROW
        else { throw SQLFailure(message: "cannot run \(query)") }
        return sqlite3_column_int64(statement, 0)
    }

    struct SQLFailure: Error { var message: String }

    /// A process of the built `casework` on the workspace, run to its end within `timeout` seconds (killed past it).
    struct Run {
        var status: Int32
        var exited: Bool
        var timedOut: Bool
        var out: String
        var err: String
    }

    static func launch(_ arguments: [String], in space: CommandWorkspace, unprivileged: Bool = false, timeout: TimeInterval = 60) throws -> Run {
        let binary = try CaseCommandTests.executable()
        let argv = unprivileged && getuid() == 0 ? [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", binary.path] + arguments
            : [binary.path] + arguments
        let outcome = try Spawn.run(argv, timeout: timeout)
        return Run(status: outcome.status ?? outcome.signal ?? 0, exited: outcome.status != nil, timedOut: outcome.timedOut, out: outcome.out,
                   err: outcome.err)
    }

    static let setpriv = "/usr/bin/setpriv"

    /// Whether a test can run `casework` as a user the file permissions bind: not root, or root able to drop to `nobody`.
    static let canRunUnprivileged = getuid() != 0 || FileManager.default.isExecutableFile(atPath: setpriv)

    // MARK: 1. Reads never write

    @Test("a read-only store file is shown, listed and verified; a change is refused and the file is unchanged")
    func readOnlyFile() throws {
        let space = try Self.populated()
        #expect(space.run(["case", "fire", "c1", "start_deciding", "--as", "caseworker:ana", "--set", "evidence_complete=true"]).status == .success)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: space.database)
        let before = try Data(contentsOf: URL(fileURLWithPath: space.database))

        let show = space.run(["case", "show", "c1", "--format", "json"])
        #expect(show.status == .success, "\(show.err)")
        #expect(show.out.contains("\"revision\" : 2"))
        #expect(space.run(["case", "list"]).out == "c1\tassessment\tdeciding\trevision 2\n")
        #expect(space.run(["audit", "verify"]).out == "case c1: 2 events, chain intact, record replays\n")
        for read in [["case", "history", "c1"], ["case", "transitions", "c1"], ["case", "timeline", "c1"], ["outbox", "list", "--case", "c1"],
                     ["store", "check"]] {
            let result = read == ["store", "check"] ? runCasework(read + ["--db", space.database]) : space.run(read)
            #expect(result.status == .success, "\(read): \(result.err)")
        }

        let fire = space.run(["case", "fire", "c1", "agree_to_assess", "--as", "caseworker:ana", "--set", "decision_notes=Agreed"])
        #expect(fire.status == .unavailable)
        #expect(fire.err == "error[unavailable]: the store '\(space.database)' is read-only; nothing was changed\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: space.database)) == before)
        #expect(space.run(["case", "list"]).out == "c1\tassessment\tdeciding\trevision 2\n")
    }

    @Test("a read-only file in a read-only directory, with no -shm to index its WAL, is still read (immutable)",
          .enabled(if: canRunUnprivileged, "needs a user file permissions bind"))
    func readOnlyDirectory() throws {
        let space = try Self.populated(["c1", "c2"])
        let folder = space.directory.appendingPathComponent("frozen")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let frozen = folder.appendingPathComponent("cases.sqlite").path
        try FileManager.default.copyItem(atPath: space.database, toPath: frozen)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: frozen)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path) }
        #expect(!FileManager.default.fileExists(atPath: frozen + "-shm"))

        let common = ["--db", frozen, "--definitions", space.definitions]
        let list = try Self.launch(["case", "list"] + common, in: space, unprivileged: true)
        #expect(list.status == 0, "\(list.err)")
        #expect(list.out == "c1\tassessment\trequested\trevision 1\nc2\tassessment\trequested\trevision 1\n")
        let verify = try Self.launch(["audit", "verify"] + common, in: space, unprivileged: true)
        #expect(verify.status == 0, "\(verify.err)")
        #expect(verify.out == "2 cases, every chain intact\n")
        let check = try Self.launch(["store", "check", "--db", frozen], in: space, unprivileged: true)
        #expect(check.status == 0, "\(check.err)")
        let fire = try Self.launch(["case", "fire", "c1", "start_deciding", "--as", "caseworker:ana", "--set", "evidence_complete=true"] + common,
                                   in: space, unprivileged: true)
        #expect(fire.status == ExitStatus.unavailable.rawValue)
        #expect(fire.err.contains("is read-only; nothing was changed"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["cases.sqlite"])
    }

    @Test("a read still refuses a definition changed without a new version, comparing it with the stored one, writing nothing")
    func readsRefuseAChangedDefinition() throws {
        let space = try Self.populated()
        let file = space.definitions + "/assessment.yaml"
        let changed = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "title: Needs assessment", with: "title: Assessment")
        try changed.write(toFile: file, atomically: true, encoding: .utf8)
        let before = try Data(contentsOf: URL(fileURLWithPath: space.database))
        let show = space.run(["case", "show", "c1"])
        #expect(show.status == .definitionError)
        #expect(show.err == "error[definition_error]: workflow 'assessment' version 1 is already stored with different content: raise its 'version' when you change it\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: space.database)) == before)
    }

    @Test("reads do not wait for another connection's write transaction")
    func readsBesideAWriter() throws {
        let space = try Self.populated()
        var writer: OpaquePointer?
        try #require(sqlite3_open_v2(space.database, &writer, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK)
        defer { sqlite3_close_v2(writer) }
        try #require(sqlite3_exec(writer, "BEGIN IMMEDIATE; INSERT INTO idempotency (key, record) VALUES ('held', '{}')", nil, nil, nil) == SQLITE_OK)
        // The writer holds its transaction until after the reads, so a read that needed the write lock could never get
        // it: it would wait out the busy timeout and fail as locked. Succeeding is the proof, with no clock to read (a
        // time limit failed on a loaded machine with nothing waiting).
        #expect(space.run(["case", "show", "c1"]).status == .success)
        #expect(space.run(["case", "list"]).out == "c1\tassessment\trequested\trevision 1\n")
        #expect(space.run(["audit", "verify"]).status == .success)
        #expect(space.run(["outbox", "list"]).status == .success)
        sqlite3_exec(writer, "ROLLBACK", nil, nil, nil)
    }

    // MARK: 2. A store is created only when asked

    @Test("a command on a missing store is a usage error naming it, and creates nothing")
    func missingStoreIsNotCreated() throws {
        let space = try Self.workspace()
        let typo = space.directory.appendingPathComponent("typo.sqlite").path
        let verify = runCasework(["audit", "verify", "--db", typo, "--definitions", space.definitions])
        #expect(verify.status == .usage)
        #expect(verify.err == """
            error: no Casework store at '\(typo)'; nothing was created
              help: check --db FILE; 'casework case open' creates a store, as does --create on a command that changes cases

            """)
        for command in [["case", "show", "c1"], ["case", "list"], ["outbox", "list"], ["tick"], ["store", "check"],
                        ["case", "fire", "c1", "start_deciding", "--as", "caseworker:ana"]] {
            let arguments = command == ["store", "check"] ? command + ["--db", typo] : command + ["--db", typo, "--definitions", space.definitions]
            #expect(runCasework(arguments).status == .usage, "\(command)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: space.directory.path) == ["defs"])

        let showCreate = space.run(["case", "show", "c1", "--create"])
        #expect(showCreate.status == .usage)
        #expect(showCreate.err.contains("--create is for commands that change cases"))
        #expect(runCasework(["tick", "--create", "--db", typo, "--definitions", space.definitions]).out == "nothing due\n")
        #expect(FileManager.default.fileExists(atPath: typo))
        #expect(space.run(["case", "open", "assessment", "--id", "c1", "--as", "parent:jo"]).status == .success)
        #expect(FileManager.default.fileExists(atPath: space.database))
    }

    // MARK: 3. Creating a new file is safe when several processes do it at once

    /// Before the fix about one process in 120 failed ("already has tables but no Casework schema version"), so
    /// 480 processes fail with odds of about 98% on the old code.
    @Test("eight processes opening cases on one new file at once all succeed, round after round")
    func concurrentCreation() throws {
        let space = try Self.workspace()
        let binary = try CaseCommandTests.executable()
        var failures: [String] = []
        for round in 1...60 {
            let database = space.directory.appendingPathComponent("round-\(round).sqlite").path
            var processes: [(pid_t, String)] = []
            for index in 1...8 {
                let err = space.directory.appendingPathComponent("err-\(round)-\(index)").path
                let arguments = ["case", "open", "assessment", "--id", "c\(index)", "--as", "parent:jo", "--db", database, "--definitions", space.definitions]
                processes.append((try Spawn.start([binary.path] + arguments, out: "/dev/null", err: err), err))
            }
            for (process, err) in processes where Spawn.wait(process).status != 0 {
                failures.append("round \(round): \((try? String(contentsOfFile: err, encoding: .utf8)) ?? "")")
            }
            #expect(try Self.integer(database, "SELECT count(*) FROM cases") == 8 - Int64(failures.filter { $0.hasPrefix("round \(round):") }.count))
        }
        #expect(failures.isEmpty, "\(failures.count) of 480 failed: \(failures.prefix(3))")
    }

    // MARK: 4. Definition discovery reads regular files only

    @Test("a FIFO named x.yaml among the definitions is skipped, and one named as a path is refused, without hanging")
    func fifoIsNotOpened() throws {
        let space = try Self.workspace()
        let fifo = space.definitions + "/x.yaml"
        try #require(mkfifo(fifo, 0o644) == 0)
        let validate = try Self.launch(["validate", space.definitions], in: space, timeout: 20)
        #expect(!validate.timedOut, "validate hung opening the FIFO")
        #expect(validate.status == 0, "\(validate.err)")
        #expect(validate.out.contains("2 files"))
        let open = try Self.launch(["case", "open", "assessment", "--as", "parent:jo", "--db", space.database, "--definitions", space.definitions],
                                   in: space, timeout: 20)
        #expect(!open.timedOut)
        #expect(open.status == 0, "\(open.err)")
        let named = try Self.launch(["validate", fifo], in: space, timeout: 20)
        #expect(!named.timedOut)
        #expect(named.status == ExitStatus.usage.rawValue)
        #expect(named.err.contains("not a regular file or directory (a FIFO): \(fifo)"))
    }

    // MARK: 5. Revisions and counters never overflow into a crash

    @Test("a case stored at the largest revision is refused with an error; firing it does not crash")
    func revisionAtMaximum() throws {
        let space = try Self.populated()
        try Self.sql(space.database, """
            UPDATE cases SET revision = 9223372036854775807, record = json_set(record, '$.revision', 9223372036854775807) WHERE id = 'c1'
            """)
        let fire = try Self.launch(["case", "fire", "c1", "start_deciding", "--as", "caseworker:ana", "--set", "evidence_complete=true",
                                    "--db", space.database, "--definitions", space.definitions], in: space)
        #expect(fire.exited, "casework crashed (signal \(fire.status))")
        #expect(fire.status == ExitStatus.unavailable.rawValue)
        #expect(fire.err.contains("case 'c1' is stored damaged: its revision is 9223372036854775807, the largest there can be"))
        #expect(try Self.integer(space.database, "SELECT count(*) FROM audit_events") == 1)
    }

    // MARK: 6. One bad record is that case's error

    @Test("an undecodable case or audit event is that case's error: list shows the rest, verify reports it and goes on")
    func oneDamagedCase() throws {
        let space = try Self.populated(["c1", "c2", "c3"])
        try Self.sql(space.database, """
            UPDATE cases SET record = '{broken' WHERE id = 'c2';
            DROP TRIGGER audit_events_no_update;
            UPDATE audit_events SET event = '[]' WHERE case_id = 'c3';
            """)
        let list = space.run(["case", "list"]).out.split(separator: "\n").map(String.init)
        #expect(list.count == 3, "the operator sees every case, the damaged one named as such: \(list)")
        #expect(list.first == "c1\tassessment\trequested\trevision 1")
        #expect(list.dropFirst().first?.hasPrefix("c2\tdamaged: its record cannot be read back") == true)
        #expect(list.last == "c3\tassessment\trequested\trevision 1")
        let verify = space.run(["audit", "verify"])
        #expect(verify.status == .failure)
        let lines = verify.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.first?.hasPrefix("case c2: damaged: its record cannot be read back: ") == true)
        #expect(lines.dropFirst().first?.hasPrefix("case c3: damaged: audit event 1 cannot be read back: ") == true)
        #expect(lines.last == "1 cases intact, 2 damaged")
        let show = space.run(["case", "show", "c2"])
        #expect(show.status == .unavailable)
        #expect(show.err.hasPrefix("error[unavailable]: case 'c2' is stored damaged: its record cannot be read back"))
        #expect(space.run(["case", "show", "c1"]).status == .success)
        let check = runCasework(["store", "check", "--db", space.database])
        #expect(check.status == .failure)
        #expect(check.out.contains("problem: case 'c2': its record cannot be read back"))
        #expect(check.out.contains("problem: audit event 1 of case 'c3' cannot be read back"))
        #expect(check.out.hasSuffix("store '\(space.database)': 2 problems (3 cases, 3 audit events, 0 notifications, 0 idempotency keys read back)\n"))
    }

    // MARK: 7. A damaged file is detected before a write

    @Test("a page overwritten with garbage is found before a write, which changes nothing; store check reports it")
    func damagedPage() throws {
        let space = try Self.populated(["c1", "c2"])
        #expect(runCasework(["store", "check", "--db", space.database]).out
                == "store '\(space.database)': 2 cases, 2 audit events, 0 notifications, 0 idempotency keys read back; no problems\n")
        try Self.sql(space.database, "PRAGMA wal_checkpoint(TRUNCATE)")
        // The idempotency table's page: `case fire` without --key never reads it, so only a check finds the damage.
        let page = try Self.integer(space.database, "SELECT rootpage FROM sqlite_schema WHERE name = 'idempotency'")
        let size = try Self.integer(space.database, "PRAGMA page_size")
        let file = try FileHandle(forUpdating: URL(fileURLWithPath: space.database))
        try file.seek(toOffset: UInt64((page - 1) * size))
        try file.write(contentsOf: Data(repeating: 0xA5, count: Int(size)))
        try file.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: space.database))

        let fire = space.run(["case", "fire", "c1", "start_deciding", "--as", "caseworker:ana", "--set", "evidence_complete=true"])
        #expect(fire.status == .unavailable)
        #expect(fire.err.hasPrefix("error[unavailable]: the store '\(space.database)' is damaged ("))
        #expect(fire.err.hasSuffix("); nothing was changed\n"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: space.database)) == before)

        let check = runCasework(["store", "check", "--db", space.database])
        #expect(check.status == .failure)
        #expect(check.out.hasPrefix("problem: Page \(page): "), "\(check.out)")
        #expect(check.out.hasSuffix("(2 cases, 2 audit events, 0 notifications, 0 idempotency keys read back)\n"))
    }
}

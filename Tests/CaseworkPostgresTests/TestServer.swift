import CaseworkPostgres
import CaseworkTestSupport
import Foundation
import Synchronization
import Testing

/// One throwaway PostgreSQL server for the whole test process, started on first use and stopped (its files deleted)
/// when the process exits.
///
/// The binaries are looked for on `PATH`, then under `/usr/lib/postgresql/*/bin` (Debian's place, newest first).
/// `initdb` makes a cluster in a temporary directory with `trust` authentication and the `C` locale; the server
/// listens only on a unix socket in that directory (`listen_addresses=''`), with fsync on. `initdb` refuses to run as
/// root, so under root (as CI runs) the directory is given to the `postgres` user and both programs run as it
/// through `runuser`.
final class TestServer: Sendable {
    /// Why there is no server: what is missing, in words to print.
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    /// The server, or why there is none; started once, on first use.
    static let shared: Result<TestServer, Unavailable> = start()

    /// The shared server, or nil after saying loudly why there is none, naming `what` is skipped (a failure under CI).
    static func usable(_ what: String) -> TestServer? {
        usable(shared, what)
    }

    /// `server`, or nil after saying loudly why there is none (a failure under CI).
    static func usable(_ server: Result<TestServer, Unavailable>, _ what: String) -> TestServer? {
        switch server {
        case .success(let server): return server
        case .failure(let unavailable):
            if ProcessInfo.processInfo.environment["CI"] != nil {
                Issue.record("PostgreSQL is needed in CI and is not usable: \(unavailable)")
            } else {
                print("warning: SKIPPED \(what): \(unavailable)")
            }
            return nil
        }
    }

    /// The temporary directory holding the cluster, its socket and its log.
    let root: String
    /// The directory of the binaries, and the user they run as (nil: this process's).
    private let binaries: String
    private let runAs: String?
    /// The connection to the `postgres` database, for creating and dropping test databases.
    private let admin: PostgresPool
    private let counter = Atomic<Int>(0)

    private init(root: String, binaries: String, runAs: String?) throws(PostgresError) {
        self.root = root
        self.binaries = binaries
        self.runAs = runAs
        admin = try PostgresPool(conninfo: Self.conninfo(root: root, database: "postgres"), idleLimit: 2)
    }

    /// The libpq connection string of database `database` on the server in `root`.
    private static func conninfo(root: String, database: String) -> String {
        "host=\(root)/socket dbname=\(database) user=casework"
    }

    /// A fresh empty database, by name and connection string.
    func makeDatabase() throws -> (name: String, conninfo: String) {
        let name = "store_\(counter.add(1, ordering: .relaxed).newValue)"
        // The name is made here from a counter, never from outside input; identifiers cannot be parameters.
        _ = try admin.withConnection { (db: PostgresConnection) throws(PostgresError) in try db.run("CREATE DATABASE \(name)") }
        return (name, Self.conninfo(root: root, database: name))
    }

    /// Drops databases made by ``makeDatabase()``, closing any connection still open to them.
    func dropDatabases(_ names: [String]) throws {
        for name in names {
            _ = try admin.withConnection { (db: PostgresConnection) throws(PostgresError) in try db.run("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        }
    }

    /// Restarts the server as an operator would (`pg_ctl restart -m fast`): every session is ended, open transactions
    /// roll back, and it listens again when this returns.
    func restart() throws {
        try Self.run(binaries + "/pg_ctl", ["-D", root + "/data", "-o", Self.serverOptions(root), "-l", root + "/server.log", "-m", "fast", "-w", "restart"],
                     as: runAs, log: root + "/pg_ctl.log")
    }

    /// The server's options: a unix socket in `root`, no TCP.
    private static func serverOptions(_ root: String) -> String {
        "-k \(root)/socket -c listen_addresses='' -c max_connections=200"
    }

    /// Finds the binaries, makes a cluster and starts it; registers its stop at exit. Tests that need a server of their
    /// own (one they restart) call this; the others share ``shared``.
    static func start() -> Result<TestServer, Unavailable> {
        guard let binaries = findBinaries() else {
            return .failure(Unavailable(description: "PostgreSQL's server binaries (initdb, pg_ctl) are not on PATH nor under /usr/lib/postgresql/*/bin; install the 'postgresql' package"))
        }
        var runAs: String?
        if geteuid() == 0 {
            guard getpwnam("postgres") != nil else {
                return .failure(Unavailable(description: "running as root, and there is no 'postgres' user to run initdb and the server as"))
            }
            runAs = "postgres"
        }
        var template = Array("/tmp/casework-pg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { return .failure(Unavailable(description: "cannot make a temporary directory: \(String(cString: strerror(errno)))")) }
        let root = String(cString: made)
        do {
            try FileManager.default.createDirectory(atPath: root + "/socket", withIntermediateDirectories: true)
            if let runAs, let user = getpwnam(runAs) {
                for path in [root, root + "/socket"] where chown(path, user.pointee.pw_uid, user.pointee.pw_gid) != 0 {
                    throw Unavailable(description: "cannot give \(path) to \(runAs): \(String(cString: strerror(errno)))")
                }
            }
            try run(binaries + "/initdb", ["-D", root + "/data", "--auth=trust", "--username=casework", "--locale=C", "--encoding=UTF8", "--no-sync"],
                    as: runAs, log: root + "/initdb.log")
            try run(binaries + "/pg_ctl", ["-D", root + "/data", "-o", serverOptions(root), "-l", root + "/server.log", "-w", "start"],
                    as: runAs, log: root + "/pg_ctl.log")
            stopAtExit.withLock { servers in
                if servers.isEmpty { atexit { TestServer.stopAll() } }
                servers.append((binaries, root, runAs))
            }
            return .success(try TestServer(root: root, binaries: binaries, runAs: runAs))
        } catch let error as Unavailable {
            return .failure(error)
        } catch {
            return .failure(Unavailable(description: "the test server did not start: \(error) (its files are in \(root))"))
        }
    }

    /// The servers to stop at exit: the binaries, the directory and the user of each.
    private static let stopAtExit = Mutex<[(binaries: String, root: String, runAs: String?)]>([])

    /// Stops every server at once and deletes its directory.
    private static func stopAll() {
        for (binaries, root, runAs) in stopAtExit.withLock({ $0 }) {
            try? run(binaries + "/pg_ctl", ["-D", root + "/data", "-m", "immediate", "-w", "stop"], as: runAs, log: "/dev/null")
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    /// Runs a program to its end (through `runuser -u USER --` when `user` is given), its output to `log`; a failure
    /// carries the log. Spawned and waited for directly (``Spawn``): Foundation's `Process` can miss the end of
    /// `pg_ctl`, whose server child lives on.
    private static func run(_ program: String, _ arguments: [String], as user: String?, log: String) throws {
        let runuser = FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") ? "/usr/sbin/runuser" : "/sbin/runuser"
        let argv = user.map { [runuser, "-u", $0, "--", program] + arguments } ?? [program] + arguments
        let ending: Spawn.Ending
        do { ending = Spawn.wait(try Spawn.start(argv, out: log)) } catch { throw Unavailable(description: error.description) }
        guard ending.status == 0 else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw Unavailable(description: "\(program) \(arguments.joined(separator: " ")) failed (\(ending)): \(text)")
        }
    }

    /// The directory holding both `initdb` and `pg_ctl`: on `PATH` first, then Debian's versioned directories.
    private static func findBinaries() -> String? {
        let manager = FileManager.default
        let onPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let debian = ((try? manager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
        for directory in onPath + debian {
            let initdb = URL(fileURLWithPath: directory + "/initdb").resolvingSymlinksInPath().path
            let pgctl = URL(fileURLWithPath: directory + "/pg_ctl").resolvingSymlinksInPath().path
            if manager.isExecutableFile(atPath: initdb), manager.isExecutableFile(atPath: pgctl),
                URL(fileURLWithPath: initdb).deletingLastPathComponent() == URL(fileURLWithPath: pgctl).deletingLastPathComponent()
            {
                return URL(fileURLWithPath: initdb).deletingLastPathComponent().path
            }
        }
        return nil
    }
}

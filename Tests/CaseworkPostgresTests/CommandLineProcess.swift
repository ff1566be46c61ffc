import Foundation
import Synchronization
import Testing

/// The built `casework` executable (`.build/debug/casework`) run as a separate process, as an application server,
/// a ticker or a deliverer would run it: started, waited for with a time limit, or killed.
///
/// Spawned and reaped directly (``Spawn``), not through Foundation's `Process`, which can miss a child's end (the
/// child then stays a zombie and its waiter waits for ever). Its output goes to files, not pipes: a pipe is read to
/// its end, which never comes while another process holds its write end. Not `Sendable`: each process belongs to the
/// thread that started it.
final class CaseworkProcess {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// How a process ended: its exit status, or the signal that killed it, or that it did not end in time.
    struct Outcome: CustomStringConvertible {
        /// The exit status; nil when it was killed or timed out.
        var status: Int32?
        /// The signal that ended it, when one did.
        var signal: Int32?
        /// Whether it was still running when its time ran out (then it was killed).
        var timedOut = false
        var out: String
        var err: String

        var description: String {
            let end = timedOut ? "timed out" : status.map { "exit \($0)" } ?? "killed by signal \(signal ?? 0)"
            return "\(end), out: \(out.debugDescription), err: \(err.debugDescription)"
        }
    }

    private let pid: pid_t
    private let directory: URL

    /// Starts `casework` with `arguments` (and `environment` added to this process's).
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        let binary = Self.root.appendingPathComponent(".build/debug/casework")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "the casework executable is not built at \(binary.path)")
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let variables = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }.map { "\($0.key)=\($0.value)" }
        pid = try Spawn.start([binary.path] + arguments, environment: variables, out: directory.appendingPathComponent("out").path,
                              err: directory.appendingPathComponent("err").path)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Kills it at once (SIGKILL), wherever it is. Until ``wait(timeout:)`` reaps it, its id cannot be another's.
    func kill() {
        _ = Foundation.kill(pid, SIGKILL)
    }

    /// What it has written to its standard output so far.
    var outputSoFar: String {
        (try? String(contentsOf: directory.appendingPathComponent("out"), encoding: .utf8)) ?? ""
    }

    /// Waits for its end, at most `timeout` seconds; past that it is killed and reported as timed out.
    func wait(timeout: TimeInterval = 120) -> Outcome {
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0, timedOut = false
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped == -1 && errno != EINTR) { break }
            if Date() > deadline {
                timedOut = true
                kill()
                status = Spawn.wait(pid)
                break
            }
            usleep(2_000)
        }
        let read = { (name: String) in (try? String(contentsOf: self.directory.appendingPathComponent(name), encoding: .utf8)) ?? "" }
        let signal = status & 0x7f
        return Outcome(status: signal == 0 && !timedOut ? (status >> 8) & 0xff : nil, signal: signal == 0 ? nil : signal, timedOut: timedOut,
                       out: read("out"), err: read("err"))
    }

    /// Runs `casework` with `arguments` to its end (at most `timeout` seconds).
    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 120) throws -> Outcome {
        try CaseworkProcess(arguments, environment: environment).wait(timeout: timeout)
    }

    /// Runs `body(0)` … `body(count - 1)` each on a thread of its own, all at once, and returns their results in order.
    /// Threads rather than a dispatch queue, which would run no more at once than the machine has cores.
    static func concurrently<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
        let results = Mutex<[Int: Result<T, any Error>]>([:])
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            let thread = Thread {
                let result = Result { try body(index) }
                results.withLock { $0[index] = result }
                group.leave()
            }
            thread.start()
        }
        group.wait()
        return try results.withLock { finished in try (0..<count).map { try finished[$0]!.get() } }
    }
}

/// A fresh database of a test server with a directory of definitions, as the command line is given them.
final class CommandLineStore: Sendable {
    let server: TestServer
    let database: (name: String, conninfo: String)
    let definitions: URL

    /// Makes the database and writes each of `files` (name to YAML text) into the definitions directory.
    init(on server: TestServer, files: [String: String]) throws {
        self.server = server
        database = try server.makeDatabase()
        definitions = FileManager.default.temporaryDirectory.appendingPathComponent("casework-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: definitions, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: definitions.appendingPathComponent(name)) }
    }

    /// Drops the database and deletes the definitions.
    func remove() {
        try? server.dropDatabases([database.name])
        try? FileManager.default.removeItem(at: definitions)
    }

    /// `--db` for the command line.
    var url: String { "postgresql:///\(database.name)?host=\(server.root)/socket&user=casework" }

    /// The options every command here takes: the database and the definitions.
    var common: [String] { ["--db", url, "--definitions", definitions.path] }
}

/// Starting and reaping a child process with `posix_spawn` and `waitpid`, its input from `/dev/null` and its output to
/// files; shared by ``CaseworkProcess`` and ``TestServer``.
enum Spawn {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts `argv[0]` with `argv`, its output to the file `out` and its errors to `err` (nil: to `out` too), with
    /// `environment` (`NAME=VALUE`; nil: this process's). Returns its id.
    static func start(_ argv: [String], environment: [String]? = nil, out: String, err: String? = nil) throws(Failure) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let err {
            posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        var pid: pid_t = 0
        let arguments = argv.map { strdup($0) } + [nil]
        let variables = environment.map { $0.map { strdup($0) } + [nil] }
        defer { for pointer in arguments + (variables ?? []) { free(pointer) } }
        let spawned = variables.map { posix_spawn(&pid, argv[0], &actions, nil, arguments, $0) } ?? posix_spawn(&pid, argv[0], &actions, nil, arguments, environ)
        guard spawned == 0 else { throw Failure(description: "cannot run \(argv[0]): \(String(cString: strerror(spawned)))") }
        return pid
    }

    /// Waits for the child `pid` to end; its wait status.
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return status
    }
}

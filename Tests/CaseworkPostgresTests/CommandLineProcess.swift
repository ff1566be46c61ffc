import CaseworkTestSupport
import Foundation
import Synchronization
import Testing

/// The built `casework` executable (`.build/debug/casework`) run as a separate process, as an application server,
/// a ticker or a deliverer would run it: started, waited for with a time limit, or killed.
///
/// Spawned and reaped directly with ``Spawn`` (which says why not Foundation's `Process`), its output to files. Not
/// `Sendable`: each process belongs to the thread that started it.
final class CaseworkProcess {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// How a process ended and what it wrote.
    typealias Outcome = Spawn.Outcome

    private let pid: pid_t
    private let directory: URL

    /// Starts `casework` with `arguments` (and `environment` added to this process's).
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        let binary = Self.root.appendingPathComponent(".build/debug/casework")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "the casework executable is not built at \(binary.path)")
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let variables = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
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
        let ending = Spawn.wait(pid, timeout: timeout)
        let read = { (name: String) in (try? String(contentsOf: self.directory.appendingPathComponent(name), encoding: .utf8)) ?? "" }
        return Outcome(ending, out: read("out"), err: read("err"))
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

import Foundation
import Synchronization
import Testing

/// The built `casework` executable (`.build/debug/casework`) run as a separate process, as an application server,
/// a ticker or a deliverer would run it: started, waited for with a time limit, or killed.
///
/// Its output goes to files, not pipes: a pipe is read to its end, which never comes while any other process holds
/// its write end (a server started meanwhile inherits what the test process has open), and a file has no end to wait
/// for. Not `Sendable`: each process belongs to the thread that started it.
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

    private let process = Process()
    private let directory: URL
    private let ended = DispatchSemaphore(value: 0)

    /// Starts `casework` with `arguments` (and `environment` added to this process's).
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        let binary = Self.root.appendingPathComponent(".build/debug/casework")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "the casework executable is not built at \(binary.path)")
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["out", "err"] { _ = FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: nil) }
        process.executableURL = binary
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: directory.appendingPathComponent("out"))
        process.standardError = try FileHandle(forWritingTo: directory.appendingPathComponent("err"))
        let ended = ended
        process.terminationHandler = { _ in ended.signal() }
        try process.run()
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Kills it at once (SIGKILL), wherever it is.
    func kill() {
        _ = Foundation.kill(process.processIdentifier, SIGKILL)
    }

    /// Waits for its end, at most `timeout` seconds; past that it is killed and reported as timed out.
    func wait(timeout: TimeInterval = 120) -> Outcome {
        var timedOut = false
        if ended.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill()
            ended.wait()
        }
        let read = { (name: String) in (try? String(contentsOf: self.directory.appendingPathComponent(name), encoding: .utf8)) ?? "" }
        let signalled = process.terminationReason == .uncaughtSignal
        return Outcome(status: signalled || timedOut ? nil : process.terminationStatus, signal: signalled ? process.terminationStatus : nil,
                       timedOut: timedOut, out: read("out"), err: read("err"))
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

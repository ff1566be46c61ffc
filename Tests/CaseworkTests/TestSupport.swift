import Foundation
import Synchronization
import CaseworkCommandLine

/// A console that keeps what a command writes, so tests can compare it with what users must see.
final class CapturingConsole: Console {
    private let streams = Mutex<(out: String, err: String)>(("", ""))

    func out(_ text: String) { streams.withLock { $0.out += text } }
    func err(_ text: String) { streams.withLock { $0.err += text } }

    var standardOutput: String { streams.withLock { $0.out } }
    var standardError: String { streams.withLock { $0.err } }
}

/// Paths inside the repository, found from this file's location.
enum RepositoryPaths {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("Tests/CaseworkTests/Fixtures")

    static func fixture(_ relative: String) -> String { fixtures.appendingPathComponent(relative).path }
}

/// Runs `casework` in process with `arguments`, returning its exit status and captured output.
func runCasework(_ arguments: [String]) -> (status: ExitStatus, out: String, err: String) {
    let console = CapturingConsole()
    let status = CaseworkCommand.run(arguments, console: console)
    return (status, console.standardOutput, console.standardError)
}

/// A folder of definition files and the path of a database file beside them, for command tests.
struct CommandWorkspace {
    let directory: URL
    var database: String { directory.appendingPathComponent("cases.sqlite").path }
    var definitions: String { directory.appendingPathComponent("defs").path }

    /// Writes `files` (name → YAML text) into a new folder's `defs/`.
    init(_ files: [String: String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-cli-\(UUID().uuidString)")
        let defs = directory.appendingPathComponent("defs")
        try FileManager.default.createDirectory(at: defs, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: defs.appendingPathComponent(name)) }
    }

    /// Runs `casework` in process on this workspace's definitions and database.
    func run(_ arguments: [String]) -> (status: ExitStatus, out: String, err: String) {
        runCasework(arguments + ["--db", database, "--definitions", definitions])
    }
}

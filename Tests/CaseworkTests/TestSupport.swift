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

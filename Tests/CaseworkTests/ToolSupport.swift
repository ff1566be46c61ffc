import CaseworkTestSupport
import Foundation
import Testing

// Finding the programs some tests run (Graphviz, Chromium, Python), and saying so when one is missing.

/// The executable `name` on `PATH`, or nil.
func executableOnPath(_ name: String) -> URL? {
    (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        .map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}

/// Says that `check` cannot run for want of a tool: a loud `SKIPPED` warning, or under `CI`, which installs every tool
/// the tests use, a failure.
func skipWithoutTool(_ check: String, reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
    if ProcessInfo.processInfo.environment["CI"] != nil {
        Issue.record("\(check) is needed in CI: \(reason)", sourceLocation: sourceLocation)
    } else {
        print("warning: SKIPPED \(check): \(reason)")
    }
}

/// Runs `executable` with `arguments` to its end, returning its exit status and what it wrote to standard output and
/// standard error together (through a file, so a long output never fills a pipe).
func runProgram(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let outcome = try Spawn.run([executable.path] + arguments, errorsToOutput: true, timeout: 600)
    return (try #require(outcome.status, "\(executable.path) did not exit: \(outcome)"), outcome.out)
}

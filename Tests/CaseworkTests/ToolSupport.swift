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
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("casework-program-\(UUID().uuidString)")
    guard FileManager.default.createFile(atPath: output.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
    defer { try? FileManager.default.removeItem(at: output) }
    let handle = try FileHandle(forWritingTo: output)
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    process.waitUntilExit()
    try handle.close()
    return (process.terminationStatus, try String(contentsOf: output, encoding: .utf8))
}

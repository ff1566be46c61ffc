import CaseworkTestSupport
import Foundation
import Testing

/// ``Spawn``, how every test runs another program instead of Foundation's `Process`: what it reports of a child's end,
/// what the child reads and writes, the environment it gets, and the kill when its time runs out.
@Suite("Spawn, the tests' way to run a program")
struct SpawnTests {
    @Test("an exit status is reported as it was", arguments: [0, 1, 3, 255] as [Int32])
    func exitStatus(_ code: Int32) throws {
        let outcome = try Spawn.run(["/bin/sh", "-c", "exit \(code)"])
        #expect(outcome.status == code, "\(outcome)")
        #expect(outcome.signal == nil && !outcome.timedOut)
    }

    /// Also that the child starts with no signal blocked or ignored, whatever this process does with them.
    @Test func aSignalThatEndsTheChildIsReportedAndNoStatus() throws {
        let outcome = try Spawn.run(["/bin/sh", "-c", "kill -TERM $$"])
        #expect(outcome.signal == SIGTERM, "\(outcome)")
        #expect(outcome.status == nil && !outcome.timedOut)
        #expect(outcome.description.contains("killed by signal \(SIGTERM)"))
    }

    @Test func outputAndErrorsAreKeptApartOrTogether() throws {
        let script = ["/bin/sh", "-c", "echo to-out; echo to-err >&2; echo again"]
        let apart = try Spawn.run(script)
        #expect(apart.out == "to-out\nagain\n" && apart.err == "to-err\n", "\(apart)")
        let together = try Spawn.run(script, errorsToOutput: true)
        #expect(together.out == "to-out\nto-err\nagain\n" && together.err.isEmpty, "\(together)")
    }

    @Test func startWritesToTheNamedFilesAndWaitReapsTheChild() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-spawn-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in").path, out = directory.appendingPathComponent("out").path
        try Data("read from a file\n".utf8).write(to: URL(fileURLWithPath: input))
        let pid = try Spawn.start(["/bin/sh", "-c", "cat; exit 4"], input: input, out: out)
        #expect(Spawn.wait(pid) == Spawn.Ending(waitStatus: 4 << 8))
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "read from a file\n")
        #expect(waitpid(pid, nil, WNOHANG) == -1 && errno == ECHILD, "the child was reaped: no zombie is left")
    }

    @Test func theEnvironmentIsTheCallersOrExactlyTheOneGiven() throws {
        let inherited = try Spawn.run(["/usr/bin/env"])
        #expect(inherited.out.split(separator: "\n").contains { $0.hasPrefix("PATH=") }, "nil passes this process's environment: \(inherited)")
        let given = try Spawn.run(["/usr/bin/env"], environment: ["CASEWORK_SPAWN_PROBE": "a value = with spaces"])
        #expect(given.out == "CASEWORK_SPAWN_PROBE=a value = with spaces\n", "a given environment is the whole environment: \(given)")
    }

    @Test func standardInputIsTheBytesGivenOrNothing() throws {
        let bytes = Data("line one\nline two, no newline".utf8)
        #expect(try Spawn.run(["/bin/cat"], input: bytes).out == "line one\nline two, no newline")
        let empty = try Spawn.run(["/bin/cat"])
        #expect(empty.status == 0 && empty.out.isEmpty, "without input the child reads /dev/null and ends: \(empty)")
    }

    @Test func aChildStillRunningWhenItsTimeRunsOutIsKilled() throws {
        let outcome = try Spawn.run(["/bin/sleep", "60"], timeout: 0.5)
        #expect(outcome.timedOut && outcome.status == nil && outcome.signal == SIGKILL, "\(outcome)")
        #expect(outcome.description.hasPrefix("timed out"))
    }

    @Test func aProgramThatCannotBeStartedIsAFailureNamingIt() {
        #expect {
            try Spawn.run(["/nonexistent/casework-no-such-program"])
        } throws: { error in
            (error as? Spawn.Failure)?.description == "cannot run /nonexistent/casework-no-such-program: No such file or directory"
        }
    }
}

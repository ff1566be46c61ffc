import CaseworkTestSupport
import Foundation
import Testing
@testable import CaseworkEngine

/// The shipped commands answer byte for byte alike whether the definition cache is off (`--no-cache` or
/// `CASEWORK_NO_CACHE=1`), cold (an empty cache directory: a miss that writes the entry) or warm (a hit: the kept
/// trees stand for the YAML), run as the `casework` executable on a copy of the shipped `Workflows/` and `Policies/`;
/// and each leaves no `-wal` or `-shm` file beside its store.
@Suite("the definition cache: commands agree")
struct DefinitionCacheAgreementTests {
    /// One way of running: extra arguments and environment, and the cache directory it uses (nil: none).
    struct Mode {
        let name: String
        let arguments: [String]
        let environment: [String: String]
    }

    static let staff = ["--as", "caseworker:ana", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"]

    @Test func showFireAndDecideAnswerAlikeOffColdAndWarm() throws {
        let space = try DefinitionCacheTests.Space()
        let binary = try CaseCommandTests.executable()
        let database = space.root.appendingPathComponent("cases.sqlite").path
        let request = space.root.appendingPathComponent("request.json")
        try Data(DefinitionCacheTests.decideRequest.utf8).write(to: request)
        let definitions = space.paths.flatMap { ["--definitions", $0] }
        func run(_ arguments: [String], environment extra: [String: String]) throws -> (status: Int32, out: String, err: String) {
            var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CASEWORK_") }
            environment.merge(extra) { _, new in new }
            let outcome = try Spawn.run([binary.path] + arguments, environment: environment)
            return (try #require(outcome.status, "\(outcome)"), outcome.out, outcome.err)
        }
        let unused = space.root.appendingPathComponent("unused").path
        let modes = [
            Mode(name: "--no-cache", arguments: ["--no-cache"], environment: ["CASEWORK_CACHE_DIR": unused]),
            Mode(name: "CASEWORK_NO_CACHE=1", arguments: [], environment: ["CASEWORK_CACHE_DIR": unused, "CASEWORK_NO_CACHE": "1"]),
            Mode(name: "cold", arguments: [], environment: ["CASEWORK_CACHE_DIR": space.directory]),
            Mode(name: "warm", arguments: [], environment: ["CASEWORK_CACHE_DIR": space.directory]),
        ]
        // One case every mode shows, never changed, and one for each mode to fire on.
        for id in ["shown"] + modes.indices.map({ "f\($0)" }) {
            let opened = try run(["case", "open", "ehcp-needs-assessment", "--id", id, "--db", database, "--set", "requested_on=2025-09-01",
                                  "--set", "requested_by=parent", "--set", "child.first_name=Sam", "--set", "child.last_name=Taylor",
                                  "--set", "child.date_of_birth=2016-02-14", "--no-cache"] + definitions, environment: [:])
            #expect(opened.status == 0, "\(opened.err)")
        }
        var transcripts: [String] = []
        for (number, mode) in modes.enumerated() {
            if mode.name == "cold" { #expect(space.entries.isEmpty) }
            let environment = mode.environment
            var transcript = ""
            for arguments in [
                ["case", "show", "shown", "--db", database] + Self.staff,
                ["case", "show", "shown", "--db", database, "--format", "json"] + Self.staff,
                ["case", "fire", "f\(number)", "acknowledge_request", "--db", database] + Self.staff,
                ["decide", request.path],
                ["decide", request.path, "--format", "json"],
            ] {
                let answer = try run(arguments + definitions + mode.arguments, environment: environment)
                // Each mode fires on its own case; its answer is compared with the case's id taken out.
                let out = arguments[1] == "fire" ? answer.out.replacingOccurrences(of: "f\(number):", with: "fN:") : answer.out
                transcript += "\(arguments.prefix(2)) \(answer.status)\n\(out)\(answer.err)\n"
            }
            transcripts.append(transcript)
            // The process ends with its store closed, whatever it keeps until then (`CommandCatalog`): the last
            // connection checkpointed the log and removed it.
            for suffix in ["-wal", "-shm"] { #expect(!FileManager.default.fileExists(atPath: database + suffix), "\(mode.name): \(suffix) left") }
            if mode.name == "cold" { #expect(space.entryIsWhole(count: DefinitionCacheTests.fileCount)) }
        }
        #expect(transcripts[0].contains("fN: deciding_to_assess (revision 2)") && transcripts[0].contains("\"decision\""), "\(transcripts[0])")
        for (mode, transcript) in zip(modes, transcripts).dropFirst() {
            #expect(transcript == transcripts[0], "\(mode.name) differs from --no-cache")
        }
        #expect(!FileManager.default.fileExists(atPath: unused))
    }
}

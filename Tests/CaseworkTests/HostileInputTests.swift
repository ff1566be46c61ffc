import Foundation
import Testing
import CaseworkCommandLine

/// Hostile YAML files: each must end in exit status 1 and a located error naming the file, never a crash or hang.
///
/// Elapsed times are printed (not asserted; timing belongs to benchmarks) so a
/// regression to seconds shows in the test log.
@Suite("Hostile definition files")
struct HostileInputTests {
    static let corpus: [(file: String, code: String)] = [
        ("billion-laughs.yaml", "CW0015"),
        ("deep-flow.yaml", "CW0013"),
        ("deep-block.yaml", "CW0013"),
        ("many-aliases.yaml", "CW0016"),
        ("long-laughs.yaml", "CW0017"),
        ("two-documents.yaml", "CW0007"),
        ("foreign-tag.yaml", "CW0011"),
        ("list-root.yaml", "CW0008"),
        ("duplicate-keys.yaml", "CW0009"),
        ("syntax-error.yaml", "CW0005"),
        ("nul-byte.yaml", "CW0003"),
        ("invalid-utf8.yaml", "CW0004"),
        ("control-character.yaml", "CW0005"),
        ("undefined-alias.yaml", "CW0012"),
        ("empty.yaml", "CW0006"),
    ]

    @Test(arguments: corpus)
    func committedCorpusIsRejectedWithALocatedError(file: String, code: String) {
        let path = RepositoryPaths.fixture("hostile/\(file)")
        expectRejected(path, code: code)
    }

    /// The engine reads a definition's whole tree (its fingerprint), which `validate` does not: a long value repeated
    /// by aliases is refused there too, as the file's error, where it once grew to gigabytes (10 KB of file, 600 MB).
    @Test(arguments: ["long-laughs.yaml", "billion-laughs.yaml"])
    func theEngineRefusesAnAliasBombAsTheFilesError(file: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(atPath: RepositoryPaths.fixture("hostile/\(file)"), toPath: directory.appendingPathComponent(file).path)
        let request = RepositoryPaths.root.appendingPathComponent("Bench/request.json").path
        let start = Date()
        let result = runCasework(["decide", request, "--definitions", directory.path])
        print("hostile \(file) through the engine: exit \(result.status.rawValue) in \(String(format: "%.3f", Date().timeIntervalSince(start))) s")
        #expect(result.status != .success)
        #expect(result.err.contains("\(file):") && result.err.contains(file == "long-laughs.yaml" ? "error[CW0017]" : "error[CW0015]"), "\(result.err.prefix(600))")
        #expect(result.out.isEmpty)
    }

    @Test func multiMegabyteScalarIsRejected() throws {
        let path = try temporaryFile("big-scalar.yaml", contents: "workflow: big\ntitle: " + String(repeating: "x", count: 3_000_000) + "\n")
        expectRejected(path, code: "CW0014")
    }

    @Test func oversizedFileIsRejectedBeforeParsing() throws {
        let line = "# " + String(repeating: "padding ", count: 12) + "\n"
        let path = try temporaryFile("huge.yaml", contents: "workflow: huge\n" + String(repeating: line, count: 90_000))
        expectRejected(path, code: "CW0002")
    }

    private func expectRejected(_ path: String, code: String) {
        let start = Date()
        let result = runCasework(["validate", path])
        let elapsed = Date().timeIntervalSince(start)
        print("hostile \((path as NSString).lastPathComponent): exit \(result.status.rawValue) in \(String(format: "%.3f", elapsed)) s")
        #expect(result.status == .failure)
        #expect(result.out.contains("\(path):"), "the error names the file")
        #expect(result.out.contains("error[\(code)]"), "expected \(code) in:\n\(result.out.prefix(600))")
        #expect(result.err.isEmpty)
    }

    private func temporaryFile(_ name: String, contents: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try Data(contents.utf8).write(to: url)
        return url.path
    }
}

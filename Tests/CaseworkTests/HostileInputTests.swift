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

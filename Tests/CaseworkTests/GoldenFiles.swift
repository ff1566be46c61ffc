import Foundation
import Testing

/// Reading and (re)writing the golden files that tests compare generated text with.
///
/// Set `CASEWORK_UPDATE_GOLDEN=1` to write the generated text instead of comparing;
/// then read every changed file before committing it.
enum GoldenFiles {
    /// The repository root, found from this file's place in `Tests/CaseworkTests`.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Whether this run rewrites golden files rather than checking them.
    static let updating = ProcessInfo.processInfo.environment["CASEWORK_UPDATE_GOLDEN"] == "1"

    /// Compares `actual` with the file at `url`, or writes it there when updating.
    static func check(_ actual: String, against url: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        if updating {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: url)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing golden file \(url.path); run the tests with CASEWORK_UPDATE_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        #expect(actual == expected, "\(url.lastPathComponent) differs; run with CASEWORK_UPDATE_GOLDEN=1 and review the diff",
                sourceLocation: sourceLocation)
    }
}

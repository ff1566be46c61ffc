import Foundation
import Testing
import Casework
import CaseworkYAML

/// The golden diagnostic corpus in `Fixtures/diagnostics`: each case is `NAME.yaml` or a
/// directory `NAME/` of files checked together, with the exact `casework validate` text
/// output in `NAME.expected` beside it, paths shown relative to the corpus directory.
enum DiagnosticCorpus {
    /// The corpus directory.
    static let directory = GoldenFiles.repositoryRoot.appendingPathComponent("Tests/CaseworkTests/Fixtures/diagnostics")

    /// Codes no corpus case can produce, each tested directly in ``DiagnosticLimitTests``:
    /// an unreadable file needs the file system, and the size limits need files too large to commit.
    static let codesTestedDirectly = Set(["CW0001", "CW0002", "CW0014"].map(DiagnosticCode.init(rawValue:)))

    /// The codes only `casework test` reports (CW05xx): the scenario goldens in `Fixtures/scenarios` produce them
    /// instead (``ScenarioTests``), as a definition file never can.
    static let codesOfScenarios = Set(DiagnosticKind.allCodes.filter { $0.rawValue.hasPrefix("CW05") })

    /// The case names: every `*.yaml` file and every directory in the corpus, sorted.
    static let caseNames: [String] = {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return entries.compactMap { entry -> String? in
            if entry.hasSuffix(".yaml") { return String(entry.dropLast(".yaml".count)) }
            var isDirectory: ObjCBool = false
            let path = directory.appendingPathComponent(entry).path
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue ? entry : nil
        }.sorted()
    }()

    /// The input of a case: its `.yaml` file, or its directory.
    static func input(_ name: String) -> URL {
        let file = directory.appendingPathComponent("\(name).yaml")
        return FileManager.default.fileExists(atPath: file.path) ? file : directory.appendingPathComponent(name)
    }

    /// Validates a case from disk, then shows every path relative to the corpus directory.
    static func run(_ name: String) throws -> (diagnostics: [Diagnostic], sources: [String: String], files: Int) {
        let report = try Validator.validate(paths: [input(name).path])
        let prefix = directory.path + "/"
        func relative(_ path: String) -> String { path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path }
        func relative(_ range: SourceRange) -> SourceRange { SourceRange(file: relative(range.file), start: range.start, end: range.end) }
        let diagnostics = report.diagnostics.map { diagnostic in
            Diagnostic(diagnostic.kind, at: relative(diagnostic.range),
                       notes: diagnostic.notes.map { DiagnosticNote($0.message, at: relative($0.range)) })
        }
        let sources = Dictionary(uniqueKeysWithValues: report.sources.map { (relative($0.key), $0.value) })
        return (diagnostics, sources, report.files.count)
    }

    /// What `casework validate` prints for a case: the diagnostics, then the summary line.
    static func output(_ name: String) throws -> String {
        let (diagnostics, sources, files) = try run(name)
        return DiagnosticRenderer.text(diagnostics, sources: sources) + DiagnosticRenderer.summary(diagnostics, files: files) + "\n"
    }
}

@Suite("Golden diagnostic corpus")
struct DiagnosticGoldenTests {
    @Test("output matches the .expected file", arguments: DiagnosticCorpus.caseNames)
    func outputMatchesExpected(name: String) throws {
        let expected = DiagnosticCorpus.directory.appendingPathComponent("\(name).expected")
        try GoldenFiles.check(try DiagnosticCorpus.output(name), against: expected)
    }

    @Test func everyExpectedFileHasACase() throws {
        let entries = try FileManager.default.contentsOfDirectory(atPath: DiagnosticCorpus.directory.path)
        let orphans = entries.filter { $0.hasSuffix(".expected") }
            .map { String($0.dropLast(".expected".count)) }
            .filter { !DiagnosticCorpus.caseNames.contains($0) }
        #expect(orphans.isEmpty, "expected files without an input: \(orphans)")
        #expect(DiagnosticCorpus.caseNames.count >= DiagnosticKind.allCodes.count - DiagnosticCorpus.codesTestedDirectly.count - DiagnosticCorpus.codesOfScenarios.count)
    }

    @Test func corpusCoversEveryCode() throws {
        var produced = Set<DiagnosticCode>()
        for name in DiagnosticCorpus.caseNames {
            produced.formUnion(try DiagnosticCorpus.run(name).diagnostics.map(\.code))
        }
        let all = Set(DiagnosticKind.allCodes)
        let missing = all.subtracting(DiagnosticCorpus.codesTestedDirectly).subtracting(DiagnosticCorpus.codesOfScenarios).subtracting(produced).sorted()
        #expect(missing.isEmpty, "no corpus case produces \(missing.map(\.rawValue))")
        #expect(produced.isSubset(of: all), "codes missing from allCodes: \(produced.subtracting(all).sorted().map(\.rawValue))")
        #expect(produced.isDisjoint(with: DiagnosticCorpus.codesTestedDirectly))
    }

    @Test func severitiesMatchTheExplanations() throws {
        for name in DiagnosticCorpus.caseNames {
            for diagnostic in try DiagnosticCorpus.run(name).diagnostics {
                let explanation = try #require(DiagnosticExplanations.explanation(for: diagnostic.code))
                #expect(diagnostic.severity == explanation.severity, "\(name): \(diagnostic)")
            }
        }
    }
}

@Suite("Diagnostic JSON")
struct DiagnosticJSONTests {
    /// Every diagnostic the corpus produces: with and without help, with and without notes.
    static func corpusDiagnostics() throws -> [Diagnostic] {
        try DiagnosticCorpus.caseNames.flatMap { try DiagnosticCorpus.run($0).diagnostics }
    }

    @Test func jsonRoundTripsToRecords() throws {
        let diagnostics = try Self.corpusDiagnostics()
        #expect(diagnostics.contains { $0.help == nil } && diagnostics.contains { $0.help != nil })
        #expect(diagnostics.contains { !$0.notes.isEmpty })
        let json = DiagnosticRenderer.json(diagnostics)
        let decoded = try JSONDecoder().decode([DiagnosticRecord].self, from: Data(json.utf8))
        #expect(decoded == diagnostics.map(DiagnosticRecord.init))
    }

    @Test func jsonHasTheDocumentedKeys() throws {
        let diagnostics = try Self.corpusDiagnostics()
        let json = DiagnosticRenderer.json(diagnostics)
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(objects.count == diagnostics.count)
        let keys: Set = ["file", "line", "column", "end_line", "end_column", "severity", "code", "message", "help", "notes"]
        for object in objects {
            #expect(Set(object.keys) == keys)
            for note in try #require(object["notes"] as? [[String: Any]]) {
                #expect(Set(note.keys) == ["file", "line", "column", "message"])
            }
        }
    }

    @Test func noDiagnosticsIsAnEmptyArray() throws {
        let decoded = try JSONDecoder().decode([DiagnosticRecord].self, from: Data(DiagnosticRenderer.json([]).utf8))
        #expect(decoded.isEmpty)
    }
}

@Suite("Diagnostics that need the file system or large inputs")
struct DiagnosticLimitTests {
    private static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("casework-golden-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func brokenLinkIsUnreadable() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let link = directory.appendingPathComponent("annual-review.yaml")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "deleted.yaml")
        let report = try Validator.validate(paths: [directory.path])
        #expect(report.files == [link.path])
        #expect(report.diagnostics.map(\.description) == ["\(link.path):1:1: error[CW0001]: cannot read file: No such file or directory"])
    }

    @Test func directoryNamedLikeADefinitionIsSearchedNotRead() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let nested = directory.appendingPathComponent("reviews.yaml")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        let valid = DiagnosticCorpus.directory.appendingPathComponent("valid/annual-review.yaml")
        try FileManager.default.copyItem(at: valid, to: nested.appendingPathComponent("annual-review.yaml"))
        let report = try Validator.validate(paths: [directory.path])
        #expect(report.files == [nested.appendingPathComponent("annual-review.yaml").path])
        #expect(report.diagnostics.map(\.code) == [DiagnosticCode(rawValue: "CW0207")], "only the form it starts is missing")
    }

    @Test func fileOverTheSizeLimitIsRefusedBeforeReading() throws {
        let path = DiagnosticCorpus.directory.appendingPathComponent("valid/annual-review.yaml").path
        var limits = YAMLLimits.standard
        limits.maxFileBytes = 64
        let report = try Validator.validate(paths: [path], limits: limits)
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(report.diagnostics.map(\.description) == ["\(path):1:1: error[CW0002]: file is \(size) bytes, over the limit of 64 bytes"])
        #expect(report.diagnostics.first?.help == "definition files are small; split or simplify this one")
    }

    @Test func valueOverTheScalarLimitIsRefused() {
        var limits = YAMLLimits.standard
        limits.maxScalarBytes = 16
        let report = Validator.validate(sources: [("big.yaml", "workflow: annual-review\ntitle: Annual review of an EHC plan\n")], limits: limits)
        #expect(report.diagnostics.map(\.description) == ["big.yaml:2:8: error[CW0014]: value is 28 bytes, over the limit of 16 bytes"])
        #expect(DiagnosticRenderer.text(report.diagnostics, sources: report.sources) == """
            big.yaml:2:8: error[CW0014]: value is 28 bytes, over the limit of 16 bytes
             2 | title: Annual review of an EHC plan
               |        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~
              help: definition files are small; split or simplify this one

            """)
    }
}

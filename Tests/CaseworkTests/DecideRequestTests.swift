import CaseworkTestSupport
import Foundation
import Synchronization
import Testing
import Casework
@testable import CaseworkCommandLine

/// `casework decide` is strict and bounded: every malformed part of a request is an error at its JSON path, a huge
/// request is refused before parsing, and `--batch` answers one line per line, in order, whatever the lines hold.
@Suite("casework decide: strict requests and batches")
struct DecideRequestTests {
    static let definitions = DecideCommandTests.definitions

    /// A request that is allowed: a parent with full access viewing the plan.
    static func base() -> [String: Any] {
        [
            "actor": ["id": "parent-a", "role": "parent", "second_factor_verified": true, "relationship": "parent"] as [String: Any],
            "action": "view", "resource": "ehcp",
            "case": ["id": "c1", "workflow": "ehcp-needs-assessment", "state": "gathering_advice",
                     "fields": ["child": ["date_of_birth": "2015-03-02"]]] as [String: Any],
            "grants": [["to": "parent-a", "level": "full"]],
            "at": "2025-11-25T10:00:00Z",
        ]
    }

    /// `object` with `value` put at the dotted `path` (`grants.0.until`); nil removes it.
    static func setting(_ path: String, to value: Any?, in object: Any) -> Any {
        let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
        if var list = object as? [Any], let index = Int(parts[0]) {
            list[index] = parts.count == 1 ? value as Any : setting(parts[1], to: value, in: list[index])
            return list
        }
        var dictionary = object as? [String: Any] ?? [:]
        dictionary[parts[0]] = parts.count == 1 ? value : setting(parts[1], to: value, in: dictionary[parts[0]] as Any)
        return dictionary
    }

    static func line(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    static func write(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("casework-decide-\(UUID().uuidString).json")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func theBaseRequestIsAllowed() throws {
        let result = runCasework(["decide", try Self.write(try Self.line(Self.base())), "--format", "json"] + Self.definitions)
        #expect(result.status == .success, "\(result.err)")
        #expect(result.out.contains("\"decision\" : \"allow\""))
    }

    /// Each reproduction from issue 10: the request is refused (exit 1) with the problem at its JSON path, never
    /// read as a more open request (a grant with no end, no sections limit, the real clock, a known action).
    @Test(arguments: [
        ("grants.0.until", "\"2024-01-01T00:00:00Z\"", "grants[0].until"),
        ("grants.0.until", "\"2024-02-30\"", "grants[0].until"),
        ("grants.0.from", "\"2024-13-01\"", "grants[0].from"),
        ("grants.0.until", "20240101", "grants[0].until"),
        ("grants.0.sections", "\"ehcp.A\"", "grants[0].sections"),
        ("grants.0.sections", "[\"ehcp.Z\"]", "grants[0].sections[0]"),
        ("grants.0.sections", "[\"ehcp.A\", 7]", "grants[0].sections[1]"),
        ("grants", "{\"to\": \"parent-a\", \"level\": \"full\"}", "grants"),
        ("grants.0", "\"parent-a\"", "grants[0]"),
        ("grants.0.to", "7", "grants[0].to"),
        ("grants.0.to", "\"team:hill\"", "grants[0].to"),
        ("grants.0.to", "\"parent a\"", "grants[0].to"),
        ("grants.0.to", "\"parent\\u0000a\"", "grants[0].to"),
        ("grants.0.level", "\"ful\"", "grants[0].level"),
        ("grants.0.expires", "\"2030-01-01\"", "grants[0].expires"),
        ("at", "5", "at"),
        ("at", "true", "at"),
        ("at", "null", "at"),
        ("at", "\"tomorrow\"", "at"),
        ("action", "\"delete\"", "action"),
        ("document", "\"draft_plan\"", "document"),
        ("document", "{\"shared_with\": [\"hill\"]}", "document.kind"),
        ("document", "{\"kind\": \"draft_pln\"}", "document.kind"),
        ("document", "{\"kind\": \"draft_plan\", \"shared_with\": \"hill\"}", "document.shared_with"),
        ("document", "{\"kind\": \"draft_plan\", \"shared_with\": [\"hill school\"]}", "document.shared_with[0]"),
        ("document", "{\"kind\": \"draft_plan\", \"given_to\": [\"hill\"]}", "document.given_to"),
        ("action", "\"\"", "action"),
        ("action", "\"VIEW\"", "action"),
        ("action", "\"all\"", "action"),
        ("action", "null", "action"),
        ("resource", "\"ehcp.Z\"", "resource"),
        ("resource", "\"case.state.x\"", "resource"),
        ("resource", "\"\"", "resource"),
        ("resource", "[\"ehcp\"]", "resource"),
        ("actor.second_factor_verified", "\"yes\"", "actor.second_factor_verified"),
        ("actor.id", "\"parent\\na\"", "actor.id"),
        ("actor.role", "\"parnet\"", "actor.role"),
        ("actor.organisation", "\"hill primary\"", "actor.organisation"),
        ("actor.colour", "\"blue\"", "actor.colour"),
        ("case.fields.child.date_of_birth", "\"2015-02-30\"", "case.fields.child.date_of_birth"),
        ("case.fields.child", "\"Sam\"", "case.fields.child"),
        ("case.state", "\"requsted\"", "case.state"),
        ("case.workflow", "\"ehcp\"", "case.workflow"),
        ("case.colour", "1", "case.colour"),
        ("colour", "1", "colour"),
    ])
    func aMalformedPartIsAnErrorAtItsPath(path: String, json: String, reported: String) throws {
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
        let request = Self.setting(path, to: value, in: Self.base())
        let result = runCasework(["decide", try Self.write(try Self.line(request))] + Self.definitions)
        #expect(result.status == .failure, "\(result.out)")
        #expect(result.out.isEmpty, "no decision is printed")
        #expect(result.err.hasPrefix("error[invalid_input]: the values given cannot be used:\n"))
        #expect(result.err.contains("  - '\(reported)': "), "\(result.err)")
    }

    /// A request that names a member twice, or gives a field both nested and by its dotted name, is refused at that
    /// path, as a file and as a batch's line, whichever value comes first (Foundation's reader keeps the last, so the
    /// second `action` or `level` was the one decided on).
    @Test(arguments: [
        ("action", #""action": "view", "action": "comment""#, "action"),
        ("action", #""action": "comment", "action": "view""#, "action"),
        ("grants", #""grants": [{"to": "parent-a", "level": "limited", "level": "full"}]"#, "grants[0].level"),
        ("actor", #""actor": {"id": "parent-b", "id": "parent-a", "role": "parent", "second_factor_verified": true, "relationship": "parent"}"#, "actor.id"),
        ("case", #""case": {"id": "c1", "workflow": "ehcp-needs-assessment", "state": "gathering_advice", "fields": {"child": {"date_of_birth": "2015-03-02"}, "child.date_of_birth": "2010-01-01"}}"#,
         "case.fields.child.date_of_birth"),
    ])
    func aValueGivenTwiceIsRefusedAtItsPath(replaced: String, members: String, reported: String) throws {
        let rest = try Self.line(Self.setting(replaced, to: nil, in: Self.base()))
        let request = "{" + members + "," + rest.dropFirst()
        let single = runCasework(["decide", try Self.write(request)] + Self.definitions)
        #expect(single.status == .failure, "\(single.out)")
        #expect(single.out.isEmpty, "no decision is printed")
        #expect(single.err.contains("  - '\(reported)': is ") && single.err.contains("more than once"), "\(single.err)")
        let batch = runCasework(["decide", "--batch", try Self.write(request + "\n" + (try Self.line(Self.base())) + "\n")] + Self.definitions)
        let answers = try Self.decisions(batch.out)
        #expect(answers.count == 2)
        #expect((answers.first?["problems"] as? [[String: String]])?.map { $0["path"] } == [reported], "\(batch.out)")
        #expect(answers.last?["decision"] as? String == "allow", "the next line is answered as before")
    }

    @Test func everyProblemIsListedNotOnlyTheFirst() throws {
        var request = Self.setting("grants.0.until", to: "2024-02-30", in: Self.base())
        request = Self.setting("action", to: "delete", in: request)
        request = Self.setting("at", to: 5, in: request)
        request = Self.setting("case.fields.child.date_of_birth", to: "yesterday", in: request)
        let result = runCasework(["decide", try Self.write(try Self.line(request))] + Self.definitions)
        #expect(result.status == .failure)
        let paths = result.err.split(separator: "\n").dropFirst().map { $0.split(separator: "'")[1] }
        #expect(paths == ["action", "at", "case.fields.child.date_of_birth", "grants[0].until"])
    }

    @Test func aMissingAtUsesTheCurrentTime() throws {
        let request = Self.setting("at", to: nil, in: Self.base())
        #expect(runCasework(["decide", try Self.write(try Self.line(request))] + Self.definitions).status == .success)
    }

    @Test func anOrganisationsGrantAppliesToThePersonActingForIt() throws {
        var request = Self.setting("actor.organisation", to: "hill", in: Self.base())
        request = Self.setting("grants.0.to", to: "organisation:hill", in: request)
        request = Self.setting("actor.id", to: "someone-at-hill", in: request)
        request = Self.setting("actor.role", to: "school", in: request)
        request = Self.setting("actor.relationship", to: "professional", in: request)
        request = Self.setting("resource", to: "case.state", in: request)
        let result = runCasework(["decide", try Self.write(try Self.line(request)), "--format", "json"] + Self.definitions)
        #expect(result.status == .success, "\(result.err)")
        #expect(result.out.contains("\"decision\" : \"allow\""))
        request = Self.setting("actor.role", to: "parent", in: request)
        request = Self.setting("actor.relationship", to: "parent", in: request)
        let asParent = runCasework(["decide", try Self.write(try Self.line(request)), "--format", "json"] + Self.definitions)
        #expect(asParent.out.contains("\"decision\" : \"deny\""), "an organisation's grant never lets someone act as a parent")
    }

    /// A request about a document carries what the policy reads as `document.*`: the school sees the plan only when it
    /// was given to the school's organisation, and not at all in a request about no document.
    @Test(arguments: [(["hill"], "allow"), (["elsewhere"], "deny"), (nil, "deny")] as [([String]?, String)])
    func aProfessionalSeesADocumentOnlyWhenItWasGivenToTheirOrganisation(sharedWith: [String]?, decision: String) throws {
        var request = Self.setting("actor.organisation", to: "hill", in: Self.base())
        request = Self.setting("grants.0.to", to: "organisation:hill", in: request)
        request = Self.setting("actor.role", to: "school", in: request)
        request = Self.setting("actor.relationship", to: "professional", in: request)
        if let sharedWith { request = Self.setting("document", to: ["kind": "draft_plan", "shared_with": sharedWith] as [String: Any], in: request) }
        let result = runCasework(["decide", try Self.write(try Self.line(request)), "--format", "json"] + Self.definitions)
        #expect(result.status == .success, "\(result.err)")
        #expect(result.out.contains("\"decision\" : \"\(decision)\""), "\(result.out)")
    }

    @Test func aHugeRequestIsRefusedBeforeParsing() throws {
        let path = try Self.write("{\"actor\": \"" + String(repeating: "x", count: 35 * 1024 * 1024) + "\"}")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let start = ContinuousClock.now
        let result = runCasework(["decide", path] + Self.definitions)
        let elapsed = ContinuousClock.now - start
        #expect(result.status == .failure)
        #expect(result.err.contains("is over the limit of 65536 bytes for one request"))
        print("a 35 MB request was refused in \(elapsed)")
        #expect(elapsed < .seconds(5), "refused before parsing, not after")
    }

    // MARK: --batch

    static func decisions(_ output: String) throws -> [[String: Any]] {
        try output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func aBatchAnswersEveryLineInOrderABadLineInPlace() throws {
        let allowed = try Self.line(Self.base())
        let limited = try Self.line(Self.setting("grants.0.level", to: "limited", in: Self.base()))
        let bad = try Self.line(Self.setting("grants.0.until", to: "2024-02-30", in: Self.base()))
        let denied = try Self.line(Self.setting("actor.second_factor_verified", to: false, in: Self.base()))
        let long = "{\"x\": \"" + String(repeating: "y", count: 70_000) + "\"}"
        let path = try Self.write([allowed, limited, bad, "", "{", long, denied].joined(separator: "\n") + "\n")
        let result = runCasework(["decide", "--batch", path] + Self.definitions)
        #expect(result.status == .failure, "some lines were bad")
        #expect(!result.out.contains("\n\n") && !result.out.contains("  "), "compact JSON, one answer per line")
        let answers = try Self.decisions(result.out)
        #expect(answers.count == 7)
        #expect(answers.map { $0["decision"] as? String ?? "error" } == ["allow", "allow", "error", "error", "error", "error", "deny"])
        #expect(answers[1]["redact"] as? [String] == ["ehcp.K"])
        #expect(Set(answers[0].keys) == ["decision", "matched", "redact", "reasons", "trace"])
        #expect(answers[6]["reasons"] as? [String] == ["Sign in with your emailed code to see SEND information."])
        for (index, answer) in answers.enumerated() where answer["error"] != nil {
            #expect(answer["line"] as? Int == index + 1)
            #expect(answer["error"] as? String == "invalid_input")
            #expect((answer["problems"] as? [[String: String]])?.isEmpty == false)
        }
        #expect((answers[2]["problems"] as? [[String: String]])?.first?["path"] == "grants[0].until")
        #expect((answers[5]["problems"] as? [[String: String]])?.first?["message"]?.contains("over the limit of 65536 bytes") == true)
    }

    /// A batch answer is the same decision `casework decide --format json` prints, on one line; text that needs
    /// escaping in JSON comes back intact.
    @Test(arguments: [("resource", "\"ehcp\""), ("grants.0.level", "\"limited\""), ("actor.second_factor_verified", "false"),
                      ("resource", "\"case.address\""), ("action", "\"de\\\"le\\\\te\\n\\u0001é\"")])
    func aBatchAnswerIsTheSingleDecisionOnOneLine(path: String, json: String) throws {
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
        let line = try Self.line(Self.setting(path, to: value, in: Self.base()))
        let batch = runCasework(["decide", "--batch", try Self.write(line)] + Self.definitions)
        let answer = try #require(try Self.decisions(batch.out).first)
        guard answer["error"] == nil else {
            let message = try #require((answer["problems"] as? [[String: String]])?.first?["message"])
            #expect(message.contains("'de\"le\\te\n\u{1}é'"), "\(message)")
            return
        }
        let single = runCasework(["decide", try Self.write(line), "--format", "json"] + Self.definitions)
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(single.out.utf8)) as? [String: Any])
        #expect(NSDictionary(dictionary: answer).isEqual(to: expected))
        #expect(batch.out == String(decoding: try JSONSerialization.data(withJSONObject: expected, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self) + "\n",
                "the same bytes JSONSerialization would write")
    }

    @Test func aBatchOfGoodLinesExitsZeroAndTakesALastLineWithoutNewline() throws {
        let line = try Self.line(Self.base())
        let result = runCasework(["decide", "--batch", try Self.write("\(line)\r\n\(line)")] + Self.definitions)
        #expect(result.status == .success, "\(result.err)")
        #expect(try Self.decisions(result.out).count == 2)
    }

    @Test func batchUsageErrors() throws {
        let path = try Self.write("")
        #expect(runCasework(["decide", "--batch", path, path] + Self.definitions).status == .usage)
        #expect(runCasework(["decide", "--batch", path, "--format", "text"] + Self.definitions).status == .usage)
        #expect(runCasework(["decide", "--batch", "/no/such/file"] + Self.definitions).status == .failure)
        let empty = runCasework(["decide", "--batch", path] + Self.definitions)
        #expect(empty.status == .success && empty.out.isEmpty && empty.err.isEmpty, "no lines, no answers")
    }

    /// A console that signals each time something is written.
    final class SignallingConsole: Console {
        let written = DispatchSemaphore(value: 0)
        private let text = Mutex("")
        func out(_ output: String) {
            guard !output.isEmpty else { return }
            text.withLock { $0 += output }
            written.signal()
        }
        func err(_ output: String) { out(output) }
        var output: String { text.withLock { $0 } }
    }

    /// A caller that writes one line and waits for its answer gets it before writing the next: answers are
    /// written as lines complete, not when the input ends. Lines arrive in pieces, split across reads.
    @Test func aBatchAnswersEachLineBeforeTheInputEnds() throws {
        let catalog = try DefinitionCatalog.load(paths: ["Workflows", "Policies"].map { RepositoryPaths.root.appendingPathComponent($0).path })
        let reader = AccessRequestReader(policy: try #require(catalog.policies["send-portal"]), catalog: catalog)
        let pipe = Pipe()
        let console = SignallingConsole()
        let status = Mutex<CaseworkCommandLine.ExitStatus?>(nil)
        let done = DispatchSemaphore(value: 0)
        let descriptor = pipe.fileHandleForReading.fileDescriptor
        Thread {
            let result = try? DecideBatch.run(descriptor: descriptor, named: "-", reader: reader, console: console)
            status.withLock { $0 = result }
            done.signal()
        }.start()
        let lines = [try Self.line(Self.base()), "[]", try Self.line(Self.setting("resource", to: "ehcp.K", in: Self.base()))]
        for (index, line) in lines.enumerated() {
            let bytes = Array((line + "\n").utf8)
            for start in stride(from: 0, to: bytes.count, by: 37) {
                pipe.fileHandleForWriting.write(Data(bytes[start..<min(start + 37, bytes.count)]))
            }
            #expect(console.written.wait(timeout: .now() + 10) == .success, "line \(index + 1) is answered while the input is still open")
        }
        try pipe.fileHandleForWriting.close()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(status.withLock { $0 } == .failure, "line 2 was bad")
        let answers = try Self.decisions(console.output)
        #expect(answers.map { $0["decision"] as? String ?? "error" } == ["allow", "error", "allow"])
    }

    /// The real `casework` binary reading standard input, as a pipeline would use it.
    @Test func aBatchReadsStandardInput() throws {
        let binary = GoldenFiles.repositoryRoot.appendingPathComponent(".build/debug/casework")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build casework first (swift build)")
        let built = try #require(try FileManager.default.attributesOfItem(atPath: binary.path)[.modificationDate] as? Date)
        for source in ["DecideCommand.swift", "DecideBatch.swift"] {
            let path = GoldenFiles.repositoryRoot.appendingPathComponent("Sources/CaseworkCommandLine/\(source)").path
            let changed = try #require(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
            try #require(changed <= built, "\(binary.path) is older than \(source): run swift build before swift test")
        }
        let lines = [try Self.line(Self.base()), "not json", try Self.line(Self.setting("resource", to: "ehcp.K", in: Self.base()))]
        let batch = try Spawn.run([binary.path, "decide", "--batch", "-"] + Self.definitions, input: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(batch.status == 1, "\(batch)")
        let answers = try Self.decisions(batch.out)
        #expect(answers.map { $0["decision"] as? String ?? "error" } == ["allow", "error", "allow"])
        #expect(answers[1]["line"] as? Int == 2)
    }
}

import Foundation
import Testing
import CaseworkCommandLine
import Casework

@Suite("casework validate: command line")
struct ValidateCommandTests {
    static let valid = """
        workflow: tiny
        version: 1
        title: Tiny
        roles: [caseworker, parent]
        states:
          open: { initial: true }
          closed: { final: true }
        transitions:
          - name: close
            from: open
            to: closed
            by: [caseworker]

        """

    private func write(_ files: [String: String]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-cli-\(UUID().uuidString)")
        for (name, text) in files {
            let url = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return directory.path
    }

    @Test func cleanDefinitionsExitZeroWithASummary() throws {
        let directory = try write(["tiny.yaml": Self.valid])
        let result = runCasework(["validate", directory])
        #expect(result.status == .success)
        #expect(result.out == "checked 1 file: no problems found\n")
        #expect(result.err.isEmpty)
    }

    @Test func errorsExitOneAndAreAllReported() throws {
        let broken = Self.valid.replacingOccurrences(of: "to: closed", with: "to: clossed")
            .replacingOccurrences(of: "by: [caseworker]", with: "by: [caseworkr]")
        let directory = try write(["tiny.yaml": broken])
        let result = runCasework(["validate", directory])
        #expect(result.status == .failure)
        #expect(result.out.contains("tiny.yaml:11:9: error[CW0204]: transition 'close' refers to unknown state 'clossed'"))
        #expect(result.out.contains("  help: did you mean 'closed'?"))
        #expect(result.out.contains("tiny.yaml:12:10: error[CW0205]: transition 'close' refers to unknown role 'caseworkr'"))
        #expect(result.out.hasSuffix("checked 1 file: 2 errors, 0 warnings\n"), "the broken edge is not reported again as an unreachable state:\n\(result.out)")
    }

    @Test func warningsAloneExitZero() throws {
        let withUnusedTemplate = Self.valid + "templates:\n  spare: { subject: Hello, body: Hi }\n"
        let directory = try write(["tiny.yaml": withUnusedTemplate])
        let result = runCasework(["validate", directory])
        #expect(result.status == .success)
        #expect(result.out.contains("warning[CW0213]: template 'spare' is never used"))
        #expect(result.out.hasSuffix("checked 1 file: 0 errors, 1 warning\n"))
    }

    @Test func jsonFormatPrintsAnArrayOfRecords() throws {
        let directory = try write(["tiny.yaml": Self.valid.replacingOccurrences(of: "to: closed", with: "to: clossed")])
        let result = runCasework(["validate", "--format", "json", directory])
        #expect(result.status == .failure)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [[String: Any]])
        let first = try #require(array.first)
        #expect(first["code"] as? String == "CW0204")
        #expect(first["line"] as? Int == 11)
        #expect(first["column"] as? Int == 9)
        #expect(first["help"] as? String == "did you mean 'closed'?")
    }

    @Test func directoriesAreSearchedRecursivelyAndFilesCheckedTogether() throws {
        let form = """
            form: advice
            version: 1
            title: Advice
            due: 6 weeks
            shared_with: [school]
            accepted_by: [caseworker]
            fields: { summary: text }
            messages: { form_shared: advice_note, form_submitted: advice_note, form_accepted: advice_note, form_returned: advice_note }

            """
        let workflow = Self.valid.replacingOccurrences(of: "roles: [caseworker, parent]", with: "roles: [caseworker, parent, school]")
            + "    start_forms: [{ form: advice, for: [school] }]\n"
            + "templates:\n  advice_note: { subject: \"{{ form.title }}\", body: \"Form {{ form.instance }} on case {{ case.id }}\" }\n"
        let directory = try write(["a/tiny.yaml": workflow, "b/c/advice.yml": form, "notes.txt": "not yaml"])
        let result = runCasework(["validate", directory])
        #expect(result.out == "checked 2 files: no problems found\n")
        #expect(result.status == .success)
    }

    @Test func shippedDefinitionsValidateWithoutAnyFinding() throws {
        let paths = ["Workflows", "Policies"].map { RepositoryPaths.root.appendingPathComponent($0).path }
        let report = try Validator.validate(paths: paths)
        #expect(report.files.count >= 2)
        #expect(report.diagnostics.isEmpty, "\(DiagnosticRenderer.text(report.diagnostics, sources: report.sources))")
        #expect(report.definitions.workflow("ehcp-needs-assessment") != nil)
        #expect(report.definitions.form("professional-advice") != nil)
    }

    @Test func jsonWithNoFindingsIsAnEmptyArray() throws {
        let directory = try write(["tiny.yaml": Self.valid])
        #expect(runCasework(["validate", "--format", "json", directory]).out == "[]\n")
    }

    @Test func missingPathIsAUsageError() {
        let result = runCasework(["validate", "/no/such/place"])
        #expect(result.status == .usage)
        #expect(result.err.hasPrefix("error: no such file or directory: /no/such/place\n"))
        #expect(result.out.isEmpty)
    }

    @Test func misspeltOptionGetsADidYouMean() {
        let result = runCasework(["validate", "--fromat", "json"])
        #expect(result.status == .usage)
        #expect(result.err == """
            error: unknown option '--fromat'
              help: did you mean '--format'?
              usage: casework validate [PATH ...] [--format text|json] [--explain CODE] [--definitions PATH]...

            """)
    }

    @Test(arguments: [
        (["validate", "--format", "yaml"], "error: unknown format 'yaml'"),
        (["validate", "--format"], "error: option '--format' needs a value"),
        (["valdate"], "error: unknown command 'valdate'\n  help: did you mean 'validate'?"),
        (["validate", "--explain", "CW9999"], "error: unknown diagnostic code 'CW9999'"),
        ([], "usage: casework <command>"),
    ])
    func usageErrorsExitTwo(arguments: [String], expected: String) {
        let result = runCasework(arguments)
        #expect(result.status == .usage)
        #expect(result.err.hasPrefix(expected), "got: \(result.err)")
    }

    @Test func explainPrintsTheCodesExplanation() {
        let result = runCasework(["validate", "--explain", "cw0204"])
        #expect(result.status == .success)
        #expect(result.out.contains("CW0204"))
        #expect(result.out.lowercased().contains("state"))
    }

    @Test func helpIsPrintedOnRequest() {
        let result = runCasework(["validate", "--help"])
        #expect(result.status == .success)
        #expect(result.out.contains("usage: casework validate"))
    }

    /// A workflow whose calendar is in another file of its project.
    static let project: [String: String] = [
        "Workflows/tiny.yaml": valid.replacingOccurrences(of: "title: Tiny\n", with: "title: Tiny\ncalendar: england\n"),
        "Workflows/calendars/england.yaml": "calendar: england\nversion: 1\ntitle: England\nworking_days: [monday, tuesday, wednesday, thursday, friday]\n",
    ]

    @Test func oneFileResolvesItsReferencesAgainstTheProjectAroundIt() throws {
        let directory = try write(Self.project)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let alone = try Validator.validate(paths: ["\(directory)/Workflows/tiny.yaml"])
        #expect(alone.diagnostics.map(\.code.rawValue) == ["CW0218"], "without the project, the calendar is unknown: \(alone.diagnostics)")
        let result = runCasework(["validate", "\(directory)/Workflows/tiny.yaml"])
        #expect(result.out == "checked 1 file: no problems found\n")
        #expect(result.status == .success)
    }

    @Test func oneFileShowsOnlyItsOwnDiagnostics() throws {
        var files = Self.project
        files["Workflows/broken.yaml"] = Self.valid.replacingOccurrences(of: "workflow: tiny", with: "workflow: broken").replacingOccurrences(of: "to: closed", with: "to: clossed")
        let directory = try write(files)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(runCasework(["validate", "\(directory)/Workflows/tiny.yaml"]).out == "checked 1 file: no problems found\n")
        let broken = runCasework(["validate", "\(directory)/Workflows/broken.yaml"])
        #expect(broken.out.contains("error[CW0204]") && broken.out.hasSuffix("checked 1 file: 1 error, 0 warnings\n"), "\(broken.out)")
    }

    @Test func definitionsNameTheProjectForAFileOutsideIt() throws {
        let directory = try write(["tiny.yaml": Self.project["Workflows/tiny.yaml"]!, "defs/england.yaml": Self.project["Workflows/calendars/england.yaml"]!])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(runCasework(["validate", "\(directory)/tiny.yaml"]).status == .failure)
        let result = runCasework(["validate", "\(directory)/tiny.yaml", "--definitions", "\(directory)/defs"])
        #expect(result.out == "checked 1 file: no problems found\n")
    }
}

@Suite("Diagnostic excerpts")
struct DiagnosticExcerptTests {
    @Test(arguments: ["\n", "\r\n", "\r"])
    func excerptsFollowLibyamlsLineBreaks(lineBreak: String) {
        let text = ["workflow: tiny", "version: 1", "title: Tiny", "roles: [caseworker]", "states:", "  open: { initial: true }",
                    "  shut: { final: true }", "transitions:", "  - { name: close, from: open, to: shutt, by: [caseworker] }", ""]
            .joined(separator: lineBreak)
        let report = Validator.validate(sources: [(file: "tiny.yaml", text: text)])
        let rendered = DiagnosticRenderer.text(report.diagnostics, sources: report.sources)
        #expect(rendered.hasPrefix("""
            tiny.yaml:9:36: error[CW0204]: transition 'close' refers to unknown state 'shutt'
             9 |   - { name: close, from: open, to: shutt, by: [caseworker] }
               |                                    ^~~~~

            """), "got:\n\(rendered)")
    }
}

@Suite("One mistake, one error")
struct CascadeTests {
    @Test func aFieldWithAMisspeltTypeIsReportedOnceNotAtEveryUse() {
        let text = """
            workflow: cascade
            version: 1
            title: Cascade
            roles: [caseworker]
            fields:
              decided_on: Date
              child: { name: strng }
            states:
              open: { initial: true }
              closed: { final: true }
            transitions:
              - name: close
                from: open
                to: closed
                by: caseworker
                when: has(decided_on) and decided_on < today and child.name != "x"
                input: { decided_on: optional }
                set: { child.name: "'y'" }
                notify: [{ to: caseworker, template: closed }]
            deadlines:
              - { name: decide, from: decided_on, due: 6 weeks, until: [closed] }
            templates:
              closed: { subject: "Closed (case {{ case.id }})", body: "Decided on {{ decided_on }} for {{ child.name }}" }

            """
        let report = Validator.validate(sources: [(file: "cascade.yaml", text: text)])
        #expect(report.diagnostics.map(\.code.rawValue) == ["CW0107", "CW0107"], "\(report.diagnostics.map(\.description))")
    }
}

@Suite("A definition that fails to load is still known by name")
struct UnloadedDefinitionTests {
    @Test(arguments: [
        ("form: school-consultation\ndue: 15 dayz\n", "form", "school-consultation"),
        ("# the consultation\nform: \"school-consultation\"  # quoted\n", "form", "school-consultation"),
        ("calendar: 'england'\n\tversion: 1\n", "calendar", "england"),
        ("title: x\npolicy: send-portal\n", "policy", "send-portal"),
    ])
    func itsIDIsReadFromItsKindsKey(text: String, kind: String, id: String) {
        var unloaded = UnloadedDefinitions()
        unloaded.record(text)
        #expect(unloaded.contains(kind, id))
        #expect(!unloaded.contains(kind == "form" ? "calendar" : "form", id))
    }

    @Test(arguments: ["  form: nested-is-not-a-kind\n", "form:\n", "title: no kind at all\n"])
    func aFileWithoutATopLevelKindRecordsNothing(text: String) {
        var unloaded = UnloadedDefinitions()
        unloaded.record(text)
        #expect(!unloaded.contains("form", "nested-is-not-a-kind") && !unloaded.contains("form", ""))
    }

    @Test func aWorkflowStartingAFormWithABrokenYAMLFileReportsOnlyTheForm() {
        let report = Validator.validate(sources: [
            (file: "tiny.yaml", text: ValidateCommandTests.valid.replacingOccurrences(of: "    by: [caseworker]\n", with: "    by: [caseworker]\n    start_forms: [{ form: advice, for: [parent] }]\n")),
            (file: "advice.yaml", text: "form: advice\nversion: 1\ntitle: \"Advice\n"),
        ])
        #expect(report.diagnostics.map(\.range.file) == ["advice.yaml"], "\(report.diagnostics.map(\.description))")
        #expect(report.diagnostics.first?.help == "close the quote: this value starts with '\"' but the line has no closing '\"'")
    }
}

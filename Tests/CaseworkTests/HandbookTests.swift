import Foundation
import Testing
import CaseworkCommandLine
import CaseworkDefinitions
import CaseworkEngine
import CaseworkHandbook
import CaseworkScenarios
import CaseworkYAML

/// `casework docs`: the handbook's pages from a small hostile fixture (goldens, escaping), the shipped set's pages
/// (every workflow, time limit, citation, rule and scenario there, nothing loaded from elsewhere), and the pages
/// rendered in headless Chromium by `Tests/browser/check-handbook.sh`.
@Suite("casework docs")
struct HandbookTests {
    static let fixtures = RepositoryPaths.fixtures.appendingPathComponent("handbook")
    static let shippedPaths = ["Workflows", "Policies"].map { RepositoryPaths.root.appendingPathComponent($0).path }

    /// The fixture's handbook: one workflow and one calendar whose texts try to break out of HTML, and one scenario.
    static func fixtureHandbook() throws -> Handbook {
        let sources = try ["small.yaml", "plain.yaml"].map { (file: $0, text: try String(contentsOf: fixtures.appendingPathComponent($0), encoding: .utf8)) }
        let report = Validator.validate(sources: sources)
        #expect(!report.hasErrors, "\(report.diagnostics)")
        let text = try String(contentsOf: fixtures.appendingPathComponent("small.test.yaml"), encoding: .utf8)
        let root = try #require(YAMLLoader.load(Array(text.utf8), file: "small.test.yaml").root)
        let (scenarios, problems) = root.withView { ScenarioDecoder.decode($0, file: "small.test.yaml") }
        #expect(problems.isEmpty, "\(problems)")
        return Handbook(definitions: report.definitions, scenarios: [scenarios], years: [2026])
    }

    @Test func theOneEscapingFunctionEscapesTextAndAttributes() {
        #expect(Markup.escape(#"<script>alert('x')</script> & "q""#) == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;")
        #expect(Markup.escape("a\u{0}b\u{1B}c\td\ne") == "a b c\td\ne", "control characters HTML cannot show become spaces")
        let link = Markup.element("a", [("href", #""><script>"#)], text: "<b>&")
        #expect(link.html == #"<a href="&quot;&gt;&lt;script&gt;">&lt;b&gt;&amp;</a>"#)
    }

    @Test func aSmallWorkflowPageAndItsScenariosMatchTheirGoldens() throws {
        let files = try Self.fixtureHandbook().files { _ in nil }
        #expect(files.map(\.name) == ["index.html", "workflow-small.html", "calendars.html", "scenarios.html"])
        let page = try #require(files.first { $0.name == "workflow-small.html" })
        try GoldenFiles.check(page.contents, against: Self.fixtures.appendingPathComponent("golden/workflow-small.html"))
        // Every page has the same head; the scenarios page's golden is its body.
        let scenarios = try #require(files.first { $0.name == "scenarios.html" }).contents
        let body = try #require(scenarios.range(of: "<body>"))
        try GoldenFiles.check(String(scenarios[body.lowerBound...]), against: Self.fixtures.appendingPathComponent("golden/scenarios-body.html"))
    }

    @Test func hostileTextNeverReachesAPageAsMarkup() throws {
        let files = try Self.fixtureHandbook().files { _ in "<svg></svg>" }
        for file in files where file.name.hasSuffix(".html") {
            for markup in ["<script", "<img src=x", "<b>", "<i>", "<weekdays>"] {
                #expect(!file.contents.contains(markup), "\(file.name) holds \(markup)")
            }
        }
        let page = try #require(files.first { $0.name == "workflow-small.html" }).contents
        #expect(page.contains("Regs 5(4)(a) &lt;&quot;&amp;&#39;&gt;"), "the exception's citation, escaped")
        #expect(page.contains(#"<img src="workflow-small.svg""#) && files.contains { $0.name == "workflow-small.svg" })
        #expect(page.contains(#"<span class="placeholder">{{ child.first_name }}</span>"#), "a placeholder shown as a placeholder")
    }

    @Test func theShippedHandbookHasEveryWorkflowTimeLimitCitationRuleAndScenario() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("casework-docs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = runCasework(["docs", "--out", out.path] + Self.shippedPaths.flatMap { ["--definitions", $0] })
        #expect(run.status == .success, "\(run.out)\(run.err)")
        func page(_ name: String) throws -> String { try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8) }
        let set = try Validator.validate(paths: Self.shippedPaths).definitions
        for workflow in set.workflows {
            let html = try page("workflow-\(workflow.id.value).html")
            for text in workflow.states.map(\.title) + workflow.transitions.map(\.title) + workflow.deadlines.map(\.title)
                + workflow.exceptions.map(\.cites) {
                #expect(html.contains(Markup.escape(text)), "\(workflow.id.value)'s page lacks \(text)")
            }
            for part in workflow.templates.flatMap({ $0.subject.parts + $0.body.parts }) {
                switch part {
                case .literal(let text): #expect(html.contains(Markup.escape(text)), "\(workflow.id.value)'s page lacks a letter's \(text)")
                case .placeholder(let path): #expect(html.contains("{{ \(path.value) }}</span>"), "\(workflow.id.value)'s page lacks {{ \(path.value) }}")
                }
            }
        }
        let policy = try page("policy.html")
        for rule in set.policies.flatMap(\.rules) { #expect(policy.contains(Markup.escape(rule.id.value)), "policy page lacks \(rule.id.value)") }
        let scenarios = try page("scenarios.html")
        let report = try ScenarioSuite.run(paths: Self.shippedPaths, catalog: DefinitionCatalog.load(paths: Self.shippedPaths))
        #expect(!report.scenarios.isEmpty)
        for scenario in report.scenarios { #expect(scenarios.contains(Markup.escape(scenario.name)), "scenarios page lacks \(scenario.name)") }
        #expect(try page("calendars.html").contains("Bank holidays in"))
        for name in try FileManager.default.contentsOfDirectory(atPath: out.path) where name.hasSuffix(".html") {
            let html = try page(name)
            #expect(!html.contains("<script"), "\(name) has a script")
            #expect(html.range(of: #"(src|href)="(https?:)?//"#, options: .regularExpression) == nil, "\(name) refers to another host")
        }
    }

    @Test func eachWorkflowPageNamesTheCasesItOpensAndHearsFromAndThoseThatOpenIt() throws {
        let set = try Validator.validate(paths: Self.shippedPaths).definitions
        let handbook = Handbook(definitions: set, scenarios: [], years: [2026])
        let pages = Dictionary(uniqueKeysWithValues: handbook.files { _ in nil }.map { ($0.name, $0.contents) })
        var links = 0
        for opener in set.workflows {
            for link in opener.links {
                let target = try #require(set.workflow(link.workflow.value))
                let openerPage = try #require(pages["workflow-\(opener.id.value).html"])
                let targetPage = try #require(pages["workflow-\(target.id.value).html"])
                for page in [openerPage, targetPage] { #expect(page.contains("id=\"linked-cases\"")) }
                #expect(openerPage.contains("href=\"workflow-\(target.id.value).html\""), "\(opener.id.value) does not link to \(target.id.value)")
                #expect(targetPage.contains("href=\"workflow-\(opener.id.value).html\""), "\(target.id.value) does not link to \(opener.id.value)")
                for transition in opener.transitions where transition.open.contains(where: { $0.link.value == link.name.value }) {
                    #expect(openerPage.contains(Markup.escape(transition.title)) && targetPage.contains(Markup.escape(transition.title)))
                }
                for transition in target.transitions {
                    guard let report = transition.report else { continue }
                    let heard = report.fire.compactMap { name in opener.transitions.first { $0.name.value == name.value }?.title }
                    guard !heard.isEmpty else { continue }
                    let line = Markup.escape(transition.title + " → " + heard.joined(separator: ", or "))
                    #expect(openerPage.contains(line) && targetPage.contains(line), "\(line) is missing")
                }
                links += 1
            }
        }
        #expect(links >= 5)
        #expect(pages["workflow-access-request.html"]?.contains("id=\"linked-cases\"") == false)
    }

    @Test func docsWritesNothingFromDefinitionsWithErrors() throws {
        let workspace = try CommandWorkspace(["broken.yaml": "workflow: broken\nversion: 1\n"])
        let out = workspace.directory.appendingPathComponent("handbook")
        let run = runCasework(["docs", "--out", out.path, "--definitions", workspace.definitions])
        #expect(run.status == .failure && run.out.contains("no handbook was written"), "\(run.out)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(runCasework(["docs"]).status == .usage, "--out is required")
    }

    /// The pages in a real browser: `Tests/browser/check-handbook.sh` renders each in headless Chromium and fails on a
    /// console message or a missing image. Without Chromium it says so loudly, and fails under CI, which installs it.
    @Test func theHandbookRendersInHeadlessChromiumWithoutErrors() throws {
        guard executableOnPath("chromium") ?? executableOnPath("chromium-browser") != nil else {
            skipWithoutTool("the handbook's browser check", reason: "chromium is not on PATH (apt-get install chromium)")
            return
        }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("casework-docs-browser-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = runCasework(["docs", "--out", out.appendingPathComponent("handbook").path] + Self.shippedPaths.flatMap { ["--definitions", $0] })
        #expect(run.status == .success, "\(run.out)\(run.err)")
        let (status, output) = try runProgram(URL(fileURLWithPath: "/bin/bash"), [
            RepositoryPaths.root.appendingPathComponent("Tests/browser/check-handbook.sh").path,
            "--handbook", out.appendingPathComponent("handbook").path, "--screenshots", out.appendingPathComponent("screenshots").path,
        ])
        #expect(status == 0, "check-handbook.sh failed:\n\(output)")
    }
}

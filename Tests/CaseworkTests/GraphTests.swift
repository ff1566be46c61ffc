import Foundation
import CaseworkTestSupport
import Testing
import CaseworkCommandLine
import CaseworkDefinitions
import CaseworkDiagrams
import CaseworkYAML

/// `casework graph`: golden drawings of a shipped workflow and of a case's path, the clocks each state and transition
/// starts and stops, escaping of hostile text in both formats, and every shipped workflow's DOT read by Graphviz.
@Suite("casework graph")
struct GraphTests {
    /// The repository's own definitions, as the command reads them.
    static let shipped = ["Workflows", "Policies"].flatMap { ["--definitions", RepositoryPaths.root.appendingPathComponent($0).path] }
    /// Every shipped workflow.
    static let workflowIDs = ["ehcp-needs-assessment", "annual-review", "tribunal-appeal", "access-request", "plan-amendment", "tribunal-orders", "re-assessment", "ceasing-to-maintain", "phase-transfer", "council-transfer", "mediation", "personal-budget", "ehcp-plan"]

    static func golden(_ name: String) -> URL { RepositoryPaths.fixtures.appendingPathComponent("graph/\(name)") }

    @Test(arguments: [("dot", "tribunal-appeal.dot"), ("mermaid", "tribunal-appeal.mmd")])
    func shippedWorkflowMatchesItsGoldenFile(format: String, file: String) throws {
        let result = runCasework(["graph", "tribunal-appeal", "--format", format] + Self.shipped)
        #expect(result.status == .success, "\(result.err)")
        try GoldenFiles.check(result.out, against: Self.golden(file))
    }

    @Test func dotIsTheDefaultFormat() {
        #expect(runCasework(["graph", "access-request"] + Self.shipped).out == runCasework(["graph", "access-request", "--format", "dot"] + Self.shipped).out)
    }

    /// Each state says which clocks entering it starts, restarts, meets or lapses, and each transition which it starts
    /// or restarts, as `docs/reference/language.md` §10 says the engine keeps them.
    @Test func clocksAreDrawnWhereTheyStartAndStop() {
        let result = runCasework(["graph", "clocks", "--definitions", RepositoryPaths.fixture("graph/clocks.yaml")])
        #expect(result.status == .success, "\(result.err)")
        let lines = result.out.split(separator: "\n").map(String.init)
        let expected = [
            #"  s1 [label="open\nstarts on opening: from_opening"];"#,
            #"  s2 [label="working\nWorking \"hard\" <on it> & {more}\nstarts: from_entering"];"#,
            #"  s3 [label="decided\nrestarts: from_firing\nmeets: from_opening (dated by decided_on)\nlapses: from_entering"];"#,
            #"  s4 [label="dropped\nlapses: from_opening, from_entering, from_firing, from_a_step", peripheries=2];"#,
            #"  s5 [label="done\nmeets: from_entering, from_firing, from_a_step\nlapses: from_opening", peripheries=2];"#,
            #"  s2 -> s3 [label="decide\nby: officer\nstarts: from_firing, from_a_step"];"#,
            #"  s3 -> s2 [label="redo\nby: officer\nrestarts: from_firing"];"#,
            #"  s1 -> s2 [label="start\nby: officer\nwhen: has(opened_on) and opened_on <= today"];"#,
        ]
        for line in expected { #expect(lines.contains(line), "missing \(line)") }
    }

    /// A case's path (states entered, transitions fired) and its current state are marked, read through the door:
    /// someone the policy does not let see the case is refused exactly as `case show` refuses them.
    @Test func aCaseIsDrawnWithItsPathForThoseWhoMaySeeIt() throws {
        let space = try AccessCommandTests.workspace()
        let manager = ["--as", "send_manager:mo", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"]
        #expect(space.run(["case", "open", "ehcp-needs-assessment", "--id", "c1"] + AccessCommandTests.request + AccessCommandTests.parent("parent-a")).status == .success)
        #expect(space.run(["case", "fire", "c1", "acknowledge_request"] + AccessCommandTests.caseworker).status == .success)
        #expect(space.run(["case", "fire", "c1", "record_evidence", "--set", "evidence_complete=true"] + AccessCommandTests.caseworker).status == .success)
        let agree = space.run(["case", "fire", "c1", "agree_to_assess", "--set", "assessment_decision_on=2025-10-01", "--set", "advice_requested_on=2025-10-01"] + manager)
        #expect(agree.status == .success, "\(agree.err)")

        let dot = space.run(["graph", "ehcp-needs-assessment", "--case", "c1"] + AccessCommandTests.caseworker)
        #expect(dot.status == .success, "\(dot.err)")
        try GoldenFiles.check(dot.out, against: Self.golden("ehcp-needs-assessment-case.dot"))

        let mermaid = space.run(["graph", "ehcp-needs-assessment", "--case", "c1", "--format", "mermaid"] + AccessCommandTests.caseworker)
        #expect(mermaid.out.hasSuffix("    class s1,s2 visited\n    class s4 current\n    linkStyle 1,2,4 stroke:#1f5fa8,stroke-width:3px\n"))
        #expect(MermaidCheck.problems(mermaid.out).isEmpty, "\(MermaidCheck.problems(mermaid.out))")

        let stranger = AccessCommandTests.parent("parent-c")
        let refused = space.run(["graph", "ehcp-needs-assessment", "--case", "c1"] + stranger)
        #expect(refused.status == .forbidden)
        #expect(refused.out.isEmpty)
        #expect(refused.err == space.run(["case", "show", "c1"] + stranger).err)
        #expect(space.run(["graph", "ehcp-needs-assessment", "--case", "no-such-case"] + stranger).err == refused.err, "a missing case is refused the same way")

        let other = space.run(["graph", "tribunal-appeal", "--case", "c1"] + AccessCommandTests.caseworker)
        #expect(other.status == .failure)
        #expect(other.err.contains("case 'c1' runs workflow 'ehcp-needs-assessment', not 'tribunal-appeal'"))
    }

    @Test func wrongCommandLinesAreRefusedWithHelp() {
        let unknown = runCasework(["graph", "ehcp-needs-assesment"] + Self.shipped)
        #expect(unknown.status == .forbidden)
        #expect(unknown.err == "error[not_found]: no workflow 'ehcp-needs-assesment'; did you mean 'ehcp-needs-assessment'?\n")
        let format = runCasework(["graph", "access-request", "--format", "mermiad"] + Self.shipped)
        #expect(format.status == .usage)
        #expect(format.err.hasPrefix("error: unknown format 'mermiad'\n  help: did you mean 'mermaid'?\n"))
        let actor = runCasework(["graph", "access-request", "--as", "caseworker:ana"] + Self.shipped)
        #expect(actor.status == .usage)
        #expect(actor.err.hasPrefix("error: --as is for drawing a case\n"))
        let broken = runCasework(["graph", "clocks", "--definitions", "/no/such/definitions"])
        #expect(broken.status == .definitionError)
    }

    /// Hostile text in a label, and how each format writes it: DOT escapes only `"`, `\` and line breaks inside its
    /// quotes; Mermaid writes anything but letters, digits and safe marks as a numeric entity.
    @Test(arguments: [
        (#"a "quoted" guard"#, #""a \"quoted\" guard""#, "a #34;quoted#34; guard"),
        (#"back\slash \N \l"#, #""back\\slash \\N \\l""#, "back#92;slash #92;N #92;l"),
        (#"trailing\"#, #""trailing\\""#, "trailing#92;"),
        ("line\nbreak", #""line\nbreak""#, "line<br>break"),
        ("x < 3 && y > 2", #""x < 3 && y > 2""#, "x #60; 3 #38;#38; y #62; 2"),
        ("a | b {c} [d]", #""a | b {c} [d]""#, "a #124; b #123;c#125; #91;d#93;"),
        ("#35; %% end; --> x", ##""#35; %% end; --> x""##, "#35;35#59; #37;#37; end#59; --#62; x"),
        ("<b>bold</b> `md`", #""<b>bold</b> `md`""#, "#60;b#62;bold#60;/b#62; #96;md#96;"),
        ("tab\there\r", #""tab here ""#, "tab here "),
        ("é ✓", #""é ✓""#, "#233; #10003;"),
    ])
    func hostileTextIsEscaped(text: String, dot: String, mermaid: String) {
        #expect(DotDiagram.quoted(text) == dot)
        #expect(MermaidDiagram.escaped(text) == mermaid)
    }

    /// A workflow whose names, titles and guard are all hostile still draws as one well-formed graph in each format,
    /// each state once and each transition once, and Graphviz reads it.
    @Test func hostileWorkflowDrawsWellFormed() throws {
        let workflow = Self.hostileWorkflow()
        let graph = WorkflowGraph(workflow)
        #expect(graph.nodes.map(\.id) == ["s1", "s2", "s3"])
        #expect(graph.edges.count == 2)
        let mermaid = MermaidDiagram.render(graph)
        #expect(MermaidCheck.problems(mermaid).isEmpty, "\(MermaidCheck.problems(mermaid))")
        let dot = DotDiagram.render(graph)
        #expect(dot.contains(#"s1 [label="end\n\"start\" -> s9; } digraph {\nstarts on opening: clock"];"#))
        try Graphviz.check(dot, named: "hostile workflow")
    }

    /// Every shipped workflow's DOT is read by Graphviz's `dot -Tsvg`, as CI checks; without `dot` the test says loudly
    /// that it skipped, and with `CI` set it fails.
    @Test(arguments: workflowIDs)
    func everyShippedWorkflowParsesWithGraphviz(_ workflow: String) throws {
        let result = runCasework(["graph", workflow] + Self.shipped)
        #expect(result.status == .success, "\(result.err)")
        try Graphviz.check(result.out, named: workflow)
    }

    /// Every shipped workflow's Mermaid passes the structural check (no Mermaid renderer runs in CI).
    @Test(arguments: workflowIDs)
    func everyShippedWorkflowIsWellFormedMermaid(_ workflow: String) {
        let result = runCasework(["graph", workflow, "--format", "mermaid"] + Self.shipped)
        #expect(result.status == .success, "\(result.err)")
        #expect(MermaidCheck.problems(result.out).isEmpty, "\(MermaidCheck.problems(result.out))")
    }

    /// States named and titled to break a format (a Mermaid keyword, quotes, braces, a DOT statement), and a guard
    /// full of markup, built directly: the validator would refuse such names, but the renderer must not rely on it.
    static func hostileWorkflow() -> WorkflowDefinition {
        let here = SourceRange.startOf("hostile.yaml")
        func located(_ text: String) -> Located<String> { Located(text, at: here) }
        var clock = DeadlineDefinition(name: located("clock"), title: "clock", start: .field(located("opened_on")), due: nil, until: [located("a|b")])
        clock.lapsesOn = [located("x{y}")]
        return WorkflowDefinition(
            id: located("hostile \"graph\" {"), version: 1, title: "Hostile", roles: [located("role<1>")], fields: [],
            states: [
                StateDefinition(name: located("end"), title: "\"start\" -> s9; } digraph {", isInitial: true, isFinal: false),
                StateDefinition(name: located("a|b"), title: "%% comment\nclassDef x fill:red", isInitial: false, isFinal: false),
                StateDefinition(name: located("x{y}"), title: "<img src=x onerror=alert(1)> #quot; &amp;", isInitial: false, isFinal: true),
            ],
            transitions: [
                TransitionDefinition(name: located("go\"\\"), title: "go", from: [located("end")], to: .state(located("a|b")), by: [located("role<1>")],
                                     when: ExpressionSource(text: #"name == "a\"b" and x < 1 || y > 2 & {z} | `w` # end"#, range: here, style: .plain)),
                TransitionDefinition(name: located("-->"), title: "stop", from: [located("a|b")], to: .state(located("x{y}")), by: [located("role<1>")],
                                     startForms: [FormStart(form: located("form]"), recipients: [located("school;")])]),
            ],
            templates: [], deadlines: [clock], file: "hostile.yaml")
    }
}

/// Runs Graphviz's `dot -Tsvg` on a drawing, when `dot` is on `PATH`.
enum Graphviz {
    /// `dot` on `PATH`, or nil.
    static let executable = executableOnPath("dot")

    /// Records an issue unless `dot -Tsvg` reads `text` and writes an SVG; without `dot`, prints a loud warning, or
    /// records an issue when `CI` is set (CI installs Graphviz, so it must never skip).
    static func check(_ text: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard let executable else {
            skipWithoutTool("reading the graph of \(name) with Graphviz", reason: "dot is not on PATH (apt-get install graphviz)",
                            sourceLocation: sourceLocation)
            return
        }
        let dot = try Spawn.run([executable.path, "-Tsvg"], input: Data(text.utf8))
        #expect(dot.status == 0 && dot.err.isEmpty, "dot -Tsvg on \(name): \(dot)", sourceLocation: sourceLocation)
        #expect(dot.out.contains("</svg>"), "dot -Tsvg on \(name) wrote no SVG", sourceLocation: sourceLocation)
    }
}

/// A structural check of the Mermaid the renderer writes: the header, then only node, link, class and style lines of
/// the shapes it uses, every id declared once before use, labels free of raw quotes and markup, `linkStyle` indices
/// within the links drawn.
enum MermaidCheck {
    /// What is wrong with `text`, one line each; empty when it is well formed.
    static func problems(_ text: String) -> [String] {
        let node = /^    (s\d+)(?:\(\(|\(\[|\[)"([^"]*)"(?:\)\)|\]\)|\])$/
        let link = /^    (s\d+) -->(?:\|"([^"]*)"\|)? (s\d+)$/
        let classDef = /^    classDef [a-z]+ [a-z0-9:#,.\-]+$/
        let classUse = /^    class (s\d+(?:,s\d+)*) [a-z]+$/
        let linkStyle = /^    linkStyle (\d+(?:,\d+)*) [a-z0-9:#,.\-]+$/
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first == "flowchart TD", lines.last == "" else { return ["not a flowchart ending with a line break"] }
        lines = Array(lines.dropFirst().dropLast())
        var declared = Set<String>()
        var links = 0
        var problems: [String] = []
        func label(_ text: Substring?) {
            guard let text else { return }
            let stripped = text.replacing("<br>", with: "").replacing(/#[0-9]+;/, with: "")
            if stripped.contains(where: { "\"<>`|;#&".contains($0) }) { problems.append("unescaped label: \(text)") }
        }
        for line in lines {
            if let match = line.wholeMatch(of: node) {
                if !declared.insert(String(match.1)).inserted { problems.append("declared twice: \(match.1)") }
                label(match.2)
            } else if let match = line.wholeMatch(of: link) {
                for id in [match.1, match.3] where !declared.contains(String(id)) { problems.append("undeclared: \(id)") }
                label(match.2)
                links += 1
            } else if line.wholeMatch(of: classDef) != nil {
                continue
            } else if let match = line.wholeMatch(of: classUse) {
                for id in match.1.split(separator: ",") where !declared.contains(String(id)) { problems.append("undeclared: \(id)") }
            } else if let match = line.wholeMatch(of: linkStyle) {
                for index in match.1.split(separator: ",") where Int(index)! >= links { problems.append("no link \(index)") }
            } else {
                problems.append("unexpected line: \(line)")
            }
        }
        return problems
    }
}

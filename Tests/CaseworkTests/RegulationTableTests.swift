@testable import CaseworkEngine
import Foundation
import Testing

/// `docs/reference/regulations.md` indexes the shipped workflows by regulation. Checked both ways: every clock and step
/// it names exists in the workflow it names, and every shipped clock whose title cites a regulation is named there, so
/// a clock added, renamed or removed without the table following fails here.
@Suite("The regulation-indexed coverage table")
struct RegulationTableTests {
    /// A name the table gives: what it claims to be (`clock` or `step`), the workflow and the name in it.
    struct Named: Hashable, CustomStringConvertible {
        var kind: String
        var workflow: String
        var name: String
        var description: String { "\(kind) `\(workflow)/\(name)`" }
    }

    /// The table's rows: every `| ...` line of the page.
    static func rows() throws -> [Substring] {
        let text = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("docs/reference/regulations.md"), encoding: .utf8)
        return text.split(separator: "\n").filter { $0.hasPrefix("| ") }
    }

    /// Each `workflow/name` a row gives, with the `clock` or `step` it follows (`clocks \`a/b\`, \`a/c\`` names two
    /// clocks); a `workflow/name` after neither word is returned with an empty kind, so that the test can refuse it.
    static func named(in row: Substring) throws -> [Named] {
        let span = try Regex(#"`([a-z0-9-]+)/([a-z0-9_]+)`"#)
        let word = try Regex(#"(clocks?|steps?) $"#)
        var found: [Named] = []
        var kind = ""
        var rest = row[...]
        while let match = rest.firstMatch(of: span) {
            let before = rest[rest.startIndex..<match.range.lowerBound]
            if let said = before.firstMatch(of: word) {
                kind = said.output[1].substring.map { $0.hasPrefix("clock") ? "clock" : "step" } ?? ""
            } else if !(before == ", " && !kind.isEmpty) {
                kind = ""
            }
            found.append(Named(kind: kind, workflow: String(match.output[1].substring ?? ""), name: String(match.output[2].substring ?? "")))
            rest = rest[match.range.upperBound...]
        }
        return found
    }

    @Test func everyNameInTheTableExistsAsTheKindItSays() throws {
        let workflows = ShippedDefinitionsTests.catalog.workflows
        var count = 0
        for row in try Self.rows() {
            for named in try Self.named(in: row) {
                count += 1
                #expect(!named.kind.isEmpty, "\(named.workflow)/\(named.name) follows neither 'clock' nor 'step': \(row)")
                let workflow = try #require(workflows[named.workflow], "no shipped workflow '\(named.workflow)': \(row)").definition
                let names = named.kind == "clock" ? workflow.deadlines.map(\.name.value) : workflow.transitions.map(\.name.value)
                #expect(names.contains(named.name), "\(named) is not a \(named.kind) of \(named.workflow): \(row)")
            }
        }
        #expect(count > 100)
    }

    @Test func everyShippedClockCitingARegulationIsInTheTable() throws {
        let clocks = Set(try Self.rows().flatMap { try Self.named(in: $0) }.filter { $0.kind == "clock" }.map { "\($0.workflow)/\($0.name)" })
        let citesARegulation = try Regex(#"\b[Rr]egs? \d"#)
        var citing = 0
        for (id, loaded) in ShippedDefinitionsTests.catalog.workflows {
            for deadline in loaded.definition.deadlines where deadline.title.contains(citesARegulation) {
                citing += 1
                #expect(clocks.contains("\(id)/\(deadline.name.value)"), "\(id) \(deadline.name.value) ('\(deadline.title)') is not in regulations.md")
            }
        }
        #expect(citing > 60)
    }

    /// The parser the two tests rest on reads a list after one word, and refuses a name after no word.
    @Test func theRowReaderKnowsWhatEachNameIs() throws {
        let row: Substring = "| reg 1 | x | clocks `a-b/c_d`, `a-b/e`; step `f/g`; see `h/i` |"
        #expect(try Self.named(in: row) == [
            Named(kind: "clock", workflow: "a-b", name: "c_d"), Named(kind: "clock", workflow: "a-b", name: "e"),
            Named(kind: "step", workflow: "f", name: "g"), Named(kind: "", workflow: "h", name: "i"),
        ])
    }
}

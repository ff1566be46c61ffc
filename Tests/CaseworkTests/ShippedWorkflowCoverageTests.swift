@testable import CaseworkEngine
import Foundation
import Testing

/// `docs/reference/workflows.md` lists every statutory clock of every shipped workflow under that workflow's heading,
/// and nothing else: a clock added, renamed or removed in `Workflows/` without the page following fails here.
@Suite("The shipped workflows' coverage page")
struct ShippedWorkflowCoverageTests {
    /// The clocks the page lists, by workflow: the first column of each table row under a `## \`workflow\`` heading.
    static func listed() throws -> [String: [String]] {
        let text = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("docs/reference/workflows.md"), encoding: .utf8)
        var listed: [String: [String]] = [:]
        var workflow: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") {
                let heading = line.dropFirst(3)
                workflow = heading.hasPrefix("`") && heading.hasSuffix("`") ? String(heading.dropFirst().dropLast()) : nil
                if let workflow { listed[workflow, default: []] = listed[workflow] ?? [] }
            } else if let workflow, line.hasPrefix("| `") {
                let clock = line.dropFirst(3).prefix { $0 != "`" }
                listed[workflow, default: []].append(String(clock))
            }
        }
        return listed
    }

    @Test func everyShippedClockIsListedUnderItsWorkflowAndNothingElse() throws {
        let listed = try Self.listed()
        let shipped = ShippedDefinitionsTests.catalog.workflows.mapValues { $0.definition.deadlines.map(\.name.value) }
        #expect(Set(listed.keys) == Set(shipped.keys), "every shipped workflow has its section, and every section a shipped workflow")
        for (workflow, clocks) in shipped {
            #expect(listed[workflow] == clocks, "\(workflow): the page lists \(listed[workflow] ?? []), the file declares \(clocks)")
        }
        #expect(shipped.values.map(\.count).reduce(0, +) > 60)
    }

    /// Every clock says which provision sets it, in the title that reports, reminders and breaches print: a time limit
    /// a council cannot trace to the law is one it cannot defend before a tribunal.
    @Test func everyShippedClockCitesItsProvision() throws {
        let citation = try Regex(#"(Regs? \d|regs? \d|CFA s\.|s\.\d|r\.\d)"#)
        for (workflow, loaded) in ShippedDefinitionsTests.catalog.workflows {
            for deadline in loaded.definition.deadlines {
                #expect(deadline.title.contains(citation), "\(workflow) \(deadline.name.value): '\(deadline.title)' cites no provision")
            }
        }
    }
}

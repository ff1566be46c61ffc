@testable import CaseworkDefinitions
import CaseworkEngine
import CaseworkHandbook
import Foundation
import Testing

/// Issue 15: a policy's `personas:` (the people it is written for) are checked like the rest of the policy, and the
/// handbook's policy page decides every resource and action for each of them with the compiled policy.
@Suite("Policy personas")
struct PolicyPersonaTests {
    static func validate(personas: String) -> [String] {
        let policy = PolicyPathTests.policy(rules: PolicyPathTests.limited, sectionFields: "personas:\n" + personas)
        let report = Validator.validate(sources: [(file: "family-case.yaml", text: PolicyPathTests.workflow), (file: "family-portal.yaml", text: policy)])
        return report.diagnostics.map { "\($0.code.rawValue) \($0.message)" + ($0.help.map { " (\($0))" } ?? "") }
    }

    @Test(arguments: [
        ("  - { title: Parent, role: parent, attributes: { relationship: parent }, grant: { level: limited, sections: [case.state] } }", nil),
        ("  - { title: Caseworker, role: caseworker, attributes: { relationship: caseworker } }", nil),
        ("  - { title: School, role: parent, organisation: hillside-primary, grant: { level: full } }", nil),
        ("  - { title: Parent, role: parent, attributes: { relationshp: parent } }", "CW0101"),
        ("  - { title: Parent, role: parent, attributes: { relationship: teacher } }", "CW0103"),
        ("  - { title: Parent, role: parent, grant: { level: fulll } }", "CW0246"),
        ("  - { title: Parent, role: parnt }", "CW0205"),
        ("  - { title: Parent, role: parent, grant: { level: full, sections: [ehcp.Z] } }", "CW0225"),
        ("  - { title: Parent, role: parent, grnt: { level: full } }", "CW0101"),
        ("  - { title: Parent, role: parent, grant: { sections: [ehcp] } }", "CW0102"),
        ("  - { title: Parent }", "CW0102"),
        ("  - { title: School, role: parent, organisation: hillside primary }", "CW0103"),
        ("  - { title: Parent, role: parent, attributes: [relationship] }", "CW0103"),
        ("  { title: Parent, role: parent }", "CW0103"),
    ] as [(String, String?)])
    func aPersonaIsCheckedAgainstThePolicyAndTheWorkflows(persona: String, code: String?) {
        let found = Self.validate(personas: persona)
        #expect(found.map { String($0.prefix(6)) } == (code.map { [$0] } ?? []), "\(found)")
    }

    @Test func mistakesSayWhatWasMeant() {
        #expect(Self.validate(personas: "  - { title: Parent, role: parent, attributes: { relationshp: parent } }")
            .contains { $0.contains("'relationshp'") && $0.contains("did you mean 'relationship'?") })
        #expect(Self.validate(personas: "  - { title: Parent, role: parent, grant: { level: fulll } }")
            == ["CW0246 persona 'Parent' of policy 'family-portal' holds a grant at unknown level 'fulll' (did you mean 'full'?)"])
        #expect(Self.validate(personas: "  - { title: Parent, role: parnt }")
            == ["CW0205 persona 'Parent' of policy 'family-portal' refers to unknown role 'parnt' (did you mean 'parent'?)"])
    }

    /// The cells of the row of `person` in the table of `resource` on the shipped policy's page, as text.
    static func cells(_ page: String, resource: String, person: String) throws -> [String] {
        let start = try #require(page.range(of: #"id="send-portal-\#(resource)""#), "no table for \(resource)")
        let table = page[start.upperBound...]
        let end = try #require(table.range(of: "</table>"))
        let rowStart = try #require(table[..<end.lowerBound].range(of: "<tr><td>\(Markup.escape(person))</td>"), "no row for \(person)")
        let row = table[rowStart.lowerBound...].prefix(while: { $0 != "\n" })
        return row.components(separatedBy: "<td>").dropFirst().map {
            $0.replacingOccurrences(of: #"<[^>]+>"#, with: "", options: .regularExpression)
        }
    }

    @Test func theShippedPolicyPageShowsWhatEachPersonaMayDo() throws {
        let report = try Validator.validate(paths: HandbookTests.shippedPaths)
        #expect(!report.hasErrors, "\(report.diagnostics)")
        let catalog = try DefinitionCatalog(report)
        let handbook = Handbook(definitions: report.definitions, scenarios: [], years: [2026], policies: catalog.policies)
        let page = try #require(handbook.files { _ in nil }.first { $0.name == "policy.html" }).contents
        #expect(page.contains("for a child born on 2016-03-01"), "the page says which facts it assumes")
        // Columns: the person, then view, comment, submit, edit, open, grant.
        #expect(try Self.cells(page, resource: "ehcp", person: "Parent, limited access") == [
            "Parent, limited access", "allow limited-access; withholds ehcp.K", "deny no rule allows it", "deny no rule allows it",
            "deny no rule allows it", "deny no rule allows it", "deny no rule allows it",
        ])
        #expect(try Self.cells(page, resource: "case", person: "Parent, full access, second factor") == [
            "Parent, full access, second factor", "allow parents-with-full-access", "allow parents-with-full-access",
            "allow parents-decide-until-sixteen", "deny no rule allows it", "allow families-open-requests", "deny no rule allows it",
        ])
        #expect(try Self.cells(page, resource: "ehcp", person: "Caseworker without second factor").dropFirst()
            .allSatisfy { $0 == "deny no-second-factor-no-access" })
        #expect(try Self.cells(page, resource: "advice_form", person: "School (advice form)")[1] == "allow professionals-through-their-organisation")
        // The rules stay listed below the tables.
        let grid = try #require(page.range(of: "Who may do what: advice_form"))
        let listing = try #require(page.range(of: "Resources × actions"))
        #expect(grid.lowerBound < listing.lowerBound)
    }
}

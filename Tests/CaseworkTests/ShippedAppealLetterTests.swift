import CaseworkDefinitions
@testable import CaseworkEngine
import Foundation
import Testing

/// Every shipped letter that tells the family of a right of appeal says what the law requires of it: the provision
/// that gives the right (CFA s.51), and, for a decision letter, the date by which to appeal and reg 32's mediation
/// information with the council's two contacts (the adviser's, Regs 32(c), and whom to tell, 32(f)). The scenarios
/// check each letter's rendered text; this finds a new letter with appeal rights that says less.
@Suite("The shipped letters with appeal rights")
struct ShippedAppealLetterTests {
    /// The letters with appeal rights: the family's templates with a "Your right to appeal" section.
    static func letters() -> [(workflow: String, template: String, body: TemplateText)] {
        ShippedDefinitionsTests.catalog.workflows.flatMap { id, loaded in
            loaded.definition.templates.filter { $0.body.source.contains("Your right to appeal") }
                .map { (id, $0.name.value, $0.body) }
        }.sorted { ($0.workflow, $0.template) < ($1.workflow, $1.template) }
    }

    @Test func everyLetterWithAppealRightsNamesSection51() throws {
        let letters = Self.letters()
        #expect(letters.count >= 20)
        let section51 = try Regex(#"Section 51(\(2\)\([a-f]\))? of the Children and Families Act 2014 gives you this right\."#)
        for letter in letters {
            #expect(letter.body.source.contains(section51), "\(letter.workflow) \(letter.template) does not name CFA s.51")
        }
    }

    /// A decision letter prints the appeal date and both contacts. The mediation case's letters follow a certificate:
    /// the family has already been to the adviser, so they print the two appeal dates instead.
    @Test func everyDecisionLetterGivesTheAppealDateAndTheMediationContacts() {
        for letter in Self.letters() where letter.workflow != "mediation" {
            let printed = Set(letter.body.placeholders.map(\.value))
            let missing = ["appeal_due_on", "mediation_adviser_contact", "mediation_contact"].filter { !printed.contains($0) }
            #expect(missing.isEmpty, "\(letter.workflow) \(letter.template) does not print \(missing)")
        }
    }
}

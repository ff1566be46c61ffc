import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkExpressions
import Testing

/// What a visibility says of a case's fields: every field shown only when nothing is withheld, and the values handed
/// back as they are exactly then (the door then leaves a record's fields untouched, not copied).
@Suite("Access: field visibility")
struct FieldVisibilityTests {
    static let values: [String: ExpressionValue] = [
        "child.first_name": .string("Sam"), "child.address.line1": .string("1 High Street"), "weeks_waited": .int(3),
    ]

    @Test(arguments: [
        (FieldVisibility.all, true, ["child.first_name", "child.address.line1", "weeks_waited"]),
        (FieldVisibility.none, false, []),
        (FieldVisibility(redactions: RedactionSet([Redaction(path: "case.address", fields: .under(["child.address"]))])), false,
         ["child.first_name", "weeks_waited"]),
        (FieldVisibility(redactions: RedactionSet([Redaction(path: "ehcp.K", fields: .none)])), false,
         ["child.first_name", "child.address.line1", "weeks_waited"]),
        (FieldVisibility(redactions: RedactionSet([Redaction(path: "case.fields", fields: .every)])), false, []),
    ])
    func everyFieldIsShownOnlyWhenNothingIsWithheld(visibility: FieldVisibility, showsEveryField: Bool, shown: [String]) {
        #expect(visibility.showsEveryField == showsEveryField)
        let filtered = visibility.filter(Self.values)
        #expect(filtered.keys.sorted() == shown.sorted())
        for path in Self.values.keys { #expect(visibility.shows(path) == shown.contains(path), "\(path)") }
        if showsEveryField { #expect(filtered == Self.values) }
    }
}

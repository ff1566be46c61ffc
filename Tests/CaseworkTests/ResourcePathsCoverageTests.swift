@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkExpressions
import CaseworkTestSupport
import Testing

/// Which paths lie under which (``ResourcePaths/covers(_:_:)``, ``ResourcePaths/fieldPath(of:)``), byte lengths
/// included: a path spelt in fewer bytes than an entry it begins with is not under it, and nothing traps; every name a
/// policy's paths list (``ResourcePaths/resourceNames``) is one it can name, which ``PolicyIndex`` relies on when it
/// works out each one's coverage without asking; and a policy's recipients' denies, worked out the first time they are
/// asked for, are the same whoever asks first and however many ask at once.
@Suite("Policies: resource paths' coverage, and the recipients' denies worked out when first asked")
struct ResourcePathsCoverageTests {
    /// `e` and a combining acute accent: one character, three bytes.
    static let decomposedE = "e\u{301}"
    /// `é` as one scalar, then `a`: two characters, three bytes, beginning with the character above.
    static let precomposedThenA = "\u{E9}a"

    static let covering: [(entry: String, path: String, covers: Bool)] = [
        ("ehcp", "ehcp", true),
        ("ehcp", "ehcp.K", true),
        ("ehcp", "ehcp.K.x", true),
        ("case", "case.", true),
        ("ehcp", "ehcpK", false),
        ("ehcp", "ehcp_K", false),
        ("ehcp.K", "ehcp", false),
        ("ehcp", "ehc", false),
        ("ehcp", "", false),
        ("", "ehcp", false),
        ("", "", true),
        ("ehcp", "EHCP.K", false),
        ("case.fields", "case.fields.child.address", true),
        (decomposedE, precomposedThenA, false),
        ("ehcp", "ehcp\u{301}.K", false),
    ]

    @Test(arguments: covering)
    func anEntryCoversItselfAndWhatLiesUnderIt(_ entry: String, _ path: String, _ expected: Bool) {
        #expect(ResourcePaths.covers(entry, path) == expected, "'\(entry)' covers '\(path)'")
    }

    static let fields: [(path: String, field: String?)] = [
        ("case.fields.child", "child"),
        ("case.fields.child.address.postcode", "child.address.postcode"),
        ("case.fields.", ""),
        ("case.fields", nil),
        ("case.fieldsx", nil),
        ("case.field", nil),
        ("case", nil),
        ("ehcp.fields.child", nil),
        ("", nil),
    ]

    @Test(arguments: fields)
    func aFieldsPathIsWhatFollowsCaseFields(_ path: String, _ field: String?) {
        #expect(ResourcePaths.fieldPath(of: path) == field, "'\(path)'")
    }

    /// Every name the shipped policy's paths list, and a policy's declaring a `fields` section of its own, is known, and
    /// each is listed once.
    @Test func everyResourceNameIsOneThePolicyCanName() throws {
        let shipped = PolicyFastPathTests.shipped.paths
        let declaringFields = RecipientVerdictTests.custom.paths
        for paths in [shipped, declaringFields] {
            let names = paths.resourceNames
            #expect(!names.isEmpty)
            #expect(Set(names).count == names.count, "\(names)")
            for name in names { #expect(paths.isKnown(name), "'\(name)'") }
        }
        #expect(shipped.resourceNames.contains(ResourcePaths.caseFields))
        #expect(declaringFields.resourceNames.filter { $0 == ResourcePaths.caseFields }.count == 1)
    }

    /// A freshly compiled policy asked by many tasks at once for the same recipients' verdicts answers each alike, and as
    /// a policy that had already worked them out answers.
    @Test func manyAskingFirstAtOnceAreAnsweredAlike() async throws {
        let catalog = try DefinitionCatalog(Validator.validate(sources: RecipientVerdictTests.sources))
        let settled = try #require(catalog.policies["recipients"])
        let roles = ["parent", "school", "locked", "caseworker", "health", "nobody"]
        let groups = RecipientVerdictTests.groups(settled)
        let expected = roles.map { role in groups.map { settled.recipientVerdicts(role: role, asking: $0) } }
        for _ in 0..<4 {
            let fresh = try #require(try DefinitionCatalog(Validator.validate(sources: RecipientVerdictTests.sources)).policies["recipients"])
            let answers = await withTaskGroup(of: (Int, [[AccessVerdict]?]).self) { tasks in
                for (place, role) in roles.enumerated() {
                    tasks.addTask { (place, groups.map { fresh.recipientVerdicts(role: role, asking: $0) }) }
                }
                var answers = Array(repeating: [[AccessVerdict]?](), count: roles.count)
                for await (place, answer) in tasks { answers[place] = answer }
                return answers
            }
            #expect(answers == expected)
        }
        #expect(expected.contains { $0.contains { $0 != nil } }, "some recipient is answered by the compiled policy alone")
        #expect(expected.contains { $0.contains { $0 == nil } }, "some recipient needs a pass over the case")
    }
}

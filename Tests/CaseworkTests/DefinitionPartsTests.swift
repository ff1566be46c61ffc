@testable import CaseworkDefinitions
@testable import CaseworkDiagnostics
@testable import CaseworkTime
import CaseworkYAML
import Testing

@Suite("Durations, names, templates, suggestions")
struct DefinitionPartsTests {
    @Test(arguments: [
        ("6 weeks", StatutoryDuration(count: 6, unit: .weeks)),
        ("15 working days", StatutoryDuration(count: 15, unit: .workingDays)),
        ("2 months", StatutoryDuration(count: 2, unit: .months)),
        ("1 day", StatutoryDuration(count: 1, unit: .days)),
        ("1 year", StatutoryDuration(count: 1, unit: .years)),
        ("  3   Weeks ", StatutoryDuration(count: 3, unit: .weeks)),
    ])
    func durationsParse(text: String, expected: StatutoryDuration) throws {
        #expect(try StatutoryDuration.parse(text).get() == expected)
    }

    @Test(arguments: [
        ("", StatutoryDuration.ParseError.empty),
        ("six weeks", .notANumber("six")),
        ("-1 weeks", .notANumber("-1")),
        ("0 days", .outOfRange(0)),
        ("10001 days", .outOfRange(10_001)),
        ("6", .unknownUnit("")),
        ("6 fortnights", .unknownUnit("fortnights")),
        ("6 working weeks", .unknownUnit("working")),
        ("6 weeks before", .unexpectedWords("before")),
    ])
    func badDurationsSayWhy(text: String, expected: StatutoryDuration.ParseError) {
        guard case .failure(let error) = StatutoryDuration.parse(text) else {
            Issue.record("'\(text)' should not parse")
            return
        }
        #expect(error == expected)
    }

    @Test func relativeDurationsNeedADirection() throws {
        #expect(try RelativeDuration.parse("1 week before").get() == RelativeDuration(duration: StatutoryDuration(count: 1, unit: .weeks), direction: .before))
        #expect(try RelativeDuration.parse("2 working days after").get().direction == .after)
        #expect((try? RelativeDuration.parse("1 week").get()) == nil)
        #expect((try? RelativeDuration.parse("1 week soon").get()) == nil)
    }

    @Test(arguments: [
        (NameRule.definitionID, "ehcp-needs-assessment", true),
        (.definitionID, "advice", true),
        (.definitionID, "a1-b2", true),
        (.definitionID, "Ehcp", false),
        (.definitionID, "ehcp--x", false),
        (.definitionID, "ehcp-", false),
        (.definitionID, "ehcp_x", false),
        (.definitionID, "1ehcp", false),
        (.identifier, "requested_on", true),
        (.identifier, "h1", true),
        (.identifier, "Requested", false),
        (.identifier, "requested-on", false),
        (.identifier, "_x", false),
        (.identifier, "", false),
        (.identifier, "café", false),
    ])
    func namesFollowTheirRule(rule: NameRule, name: String, accepted: Bool) {
        #expect(rule.accepts(name) == accepted)
    }

    /// Every character below U+0100, alone, after a letter and between letters, against the rules as their help
    /// states them: the byte masks the rules read (``ASCIISet``) must hold exactly the characters the rules name.
    @Test(arguments: [NameRule.identifier, .section, .identifierPath, .resourcePath, .definitionID])
    func everyCharacterIsJudgedAsTheRuleStates(rule: NameRule) {
        func isLower(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) }
        func isUpper(_ c: Unicode.Scalar) -> Bool { ("A"..."Z").contains(c) }
        func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
        for value in UInt32(1)..<256 {
            let c = Unicode.Scalar(value)!
            // The separators (`.` in paths, `-` in ids) have their own rows in the table above.
            if c == "." && (rule == .identifierPath || rule == .resourcePath) || c == "-" && rule == .definitionID { continue }
            let part: Bool
            switch rule {
            case .identifier, .identifierPath, .resourcePath: part = isLower(c) || isDigit(c) || c == "_"
            case .section: part = isLower(c) || isUpper(c) || isDigit(c) || c == "_"
            case .definitionID: part = isLower(c) || isDigit(c)
            }
            let start = rule == .section ? part : isLower(c)
            #expect(rule.accepts(String(c)) == start, "\(rule) alone U+\(String(value, radix: 16))")
            #expect(rule.accepts("a" + String(c) + "b") == part, "\(rule) between U+\(String(value, radix: 16))")
            #expect(rule.accepts("a" + String(c)) == part, "\(rule) after U+\(String(value, radix: 16))")
        }
    }

    @Test func templatesSplitIntoLiteralsAndPlaceholders() throws {
        let range = SourceRange.startOf("t.yaml")
        let text = try TemplateText.parse("Dear {{ parent_name }}, about {{child.first_name}}.", at: range).get()
        #expect(text.placeholders.map(\.value) == ["parent_name", "child.first_name"])
        #expect(text.parts.count == 5)
        #expect(try TemplateText.parse("no placeholders", at: range).get().parts == [.literal("no placeholders")])
        #expect(try TemplateText.parse("Cher {{\tparent_name\t}} – café {{a.b}}}}{ {x} ✓", at: range).get().parts == [
            .literal("Cher "), .placeholder(Located("parent_name", at: range)), .literal(" – café "),
            .placeholder(Located("a.b", at: range)), .literal("}}{ {x} ✓"),
        ])
    }

    @Test(arguments: [
        ("Hello {{ name", TemplateText.ParseError.unclosed),
        ("Hello {{  }}", .empty),
        ("Hello {{ a b }}", .notAPath("a b")),
        ("Hello {{ a..b }}", .notAPath("a..b")),
        ("{{{a}}}", .notAPath("{a")),
        ("é {{ ü }}", .notAPath("ü")),
    ])
    func malformedTemplatesSayWhy(text: String, expected: TemplateText.ParseError) {
        guard case .failure(let error) = TemplateText.parse(text, at: .startOf("t.yaml")) else {
            Issue.record("'\(text)' should not parse")
            return
        }
        #expect(error == expected)
    }

    @Test func suggestionsPickTheNearestCloseName() {
        #expect(NameSuggester.suggest("asessing", from: ["assessing", "deciding", "requested"]) == "assessing")
        #expect(NameSuggester.suggest("desicion", from: ["decision", "division"]) == "decision")
        #expect(NameSuggester.suggest("tilte", from: ["title", "version"]) == "title")
        #expect(NameSuggester.suggest("zzzzzz", from: ["title", "version"]) == nil)
        #expect(NameSuggester.suggest("title", from: ["title"]) == nil, "an exact match is not a suggestion")
    }

    @Test func locatedValuesIgnoreWhereTheyWereWritten() {
        let here = Located("open", at: SourceRange(file: "a.yaml", at: SourceMark(line: 1, column: 1, offset: 0)))
        let there = Located("open", at: SourceRange(file: "b.yaml", at: SourceMark(line: 9, column: 4, offset: 80)))
        #expect(here == there)
        #expect(Set([here, there]).count == 1)
    }
}

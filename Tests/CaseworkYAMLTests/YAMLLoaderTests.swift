import Testing
@testable import CaseworkYAML

@Suite("YAML loader: nodes and marks")
struct YAMLLoaderTests {
    private func load(_ text: String, limits: YAMLLimits = .standard) -> YAMLLoadResult {
        YAMLLoader.load(Array(text.utf8), file: "test.yaml", limits: limits)
    }

    @Test func keysAndValuesKeepOneBasedMarks() throws {
        let result = load("workflow: demo\nstates:\n  requested: { initial: true }\n")
        #expect(result.errors.isEmpty)
        let pairs = try #require(result.root?.mapping)
        #expect(pairs.map(\.key.name) == ["workflow", "states"])
        #expect(pairs[0].key.range.start == SourceMark(line: 1, column: 1, offset: 0))
        #expect(pairs[0].value.range.start == SourceMark(line: 1, column: 11, offset: 10))
        #expect(pairs[0].value.range.end.column == 15)
        let states = try #require(pairs[1].value.mapping)
        #expect(states[0].key.range.start.line == 3)
        #expect(states[0].key.range.start.column == 3)
        let flow = try #require(states[0].value.mapping)
        #expect(flow[0].value.range.start == SourceMark(line: 3, column: 25, offset: 47))
        #expect(result.root?.range.file == "test.yaml")
    }

    @Test func columnsCountUnicodeScalarsNotBytes() throws {
        let result = load("title: Café é\nnext: x\nrole: 名前 y\n")
        let pairs = try #require(result.root?.mapping)
        #expect(pairs[0].value.scalar?.value == "Café é")
        #expect(pairs[0].value.range.end.column == 14)
        #expect(pairs[2].value.range.start.column == 7)
        #expect(pairs[2].value.range.end.column == 11)
    }

    @Test(arguments: [
        ("a: plain", YAMLScalarStyle.plain, "plain"),
        ("a: 'single ''quoted'''", .singleQuoted, "single 'quoted'"),
        ("a: \"double\\tquoted\"", .doubleQuoted, "double\tquoted"),
        ("a: |\n  line one\n  line two\n", .literal, "line one\nline two\n"),
        ("a: >\n  folded\n  text\n", .folded, "folded text\n"),
    ])
    func scalarsKeepTheirStyle(source: String, style: YAMLScalarStyle, value: String) throws {
        let scalar = try #require(load(source).root?.mapping?.first?.value.scalar)
        #expect(scalar.style == style)
        #expect(scalar.value == value)
    }

    @Test func nullScalarsAreRecognised() throws {
        let pairs = try #require(load("a:\nb: ~\nc: null\nd: 'null'\n").root?.mapping)
        #expect(pairs.map { $0.value.scalar?.isNull } == [true, true, true, false])
    }

    @Test func aliasesRepeatTheAnchoredNode() throws {
        let pairs = try #require(load("a: &roles [parent, school]\nb: *roles\n").root?.mapping)
        #expect(pairs[1].value.sequence?.compactMap { $0.scalar?.value } == ["parent", "school"])
    }

    @Test func standardTagsAreKept() throws {
        let pairs = try #require(load("a: !!str 12\n").root?.mapping)
        #expect(pairs[0].value.tag == .string)
    }
}

@Suite("YAML loader: what it rejects")
struct YAMLLoaderRejectionTests {
    private func errors(_ text: String, limits: YAMLLimits = .standard) -> [YAMLError] {
        YAMLLoader.load(Array(text.utf8), file: "bad.yaml", limits: limits).errors
    }

    @Test func syntaxErrorsCarryLibyamlsMark() throws {
        let found = errors("a: b\n  c: d\n")
        guard case .syntax(let problem, _, let at) = try #require(found.first) else {
            Issue.record("expected a syntax error, got \(found)")
            return
        }
        #expect(problem == "mapping values are not allowed in this context")
        #expect(at.start.line == 2)
        #expect(at.start.column == 4)
    }

    /// A problem libyaml finds at the end of a file whose last line has no line break is placed just after that
    /// line's last character, not at the start of a line the file does not have (libyaml's own mark, which the
    /// `auth-file` fuzz target caught in session 34). Ending in a break, the next line's start is the file's end.
    @Test(arguments: [
        ("a: 1\nb", 2, 2, 6),
        ("a: 1\n\u{e9}\u{e9}", 2, 3, 7),
        ("a: [1\r\nb\r\nc", 3, 2, 11),
        ("a: [1\u{2028}b", 2, 2, 7),
        ("a: 1\nb\n", 3, 1, 7),
    ])
    func aProblemAtTheEndOfTheLastLineIsPlacedOnIt(_ text: String, _ line: Int, _ column: Int, _ offset: Int) throws {
        let found = errors(text)
        guard case .syntax(_, _, let at) = try #require(found.first) else {
            Issue.record("expected a syntax error, got \(found)")
            return
        }
        #expect(at.start == SourceMark(line: line, column: column, offset: offset))
    }

    /// The same for what libyaml places at that end without a problem: the empty document of `---` and the empty value
    /// of a last key.
    @Test func anEmptyDocumentOrValueAtTheEndOfTheLastLineIsPlacedOnIt() throws {
        guard case .emptyDocument(let at) = try #require(errors("---").first) else {
            Issue.record("expected an empty document, got \(errors("---"))")
            return
        }
        #expect(at.start == SourceMark(line: 1, column: 4, offset: 3))
        let root = try #require(YAMLLoader.load(Array("a: 1\nb:".utf8), file: "test.yaml").root)
        let last = try #require(root.mapping?.last)
        #expect(last.value.range.start == SourceMark(line: 2, column: 3, offset: 7))
        let terminated = try #require(YAMLLoader.load(Array("a: 1\nb:\n".utf8), file: "test.yaml").root?.mapping?.last)
        #expect(terminated.value.range.start == last.value.range.start, "placed as when the line has its break")
    }

    @Test func duplicateKeysPointAtBothPlaces() throws {
        let result = YAMLLoader.load(Array("a: 1\nb: 2\na: 3\n".utf8), file: "bad.yaml")
        #expect(result.root != nil, "a duplicate key still leaves a usable tree")
        #expect(result.errors == [.duplicateKey(
            key: "a",
            at: SourceRange(file: "bad.yaml", start: SourceMark(line: 3, column: 1, offset: 10), end: SourceMark(line: 3, column: 2, offset: 11)),
            first: SourceRange(file: "bad.yaml", start: SourceMark(line: 1, column: 1, offset: 0), end: SourceMark(line: 1, column: 2, offset: 1))
        )])
        #expect(result.root?.mapping?.count == 2, "the first value is kept")
    }

    /// Keys of a small mapping are compared byte for byte up to 16 bytes and through `memcmp` beyond: pairs that differ
    /// only in their last byte, or only in length, at lengths on both sides of that line, are distinct keys, and each key
    /// written twice is one duplicate (found in a mapping of up to 8 keys, which is searched by comparing).
    @Test(arguments: [1, 2, 8, 15, 16, 17, 24, 40])
    func keysNearlyAlikeAreDistinctAndRepeatsAreFound(length: Int) {
        let stem = String(repeating: "k", count: length - 1)
        let keys = [stem + "a", stem + "b", stem + "é", stem, stem + "ab"].filter { !$0.isEmpty }
        let distinct = keys.map { "\($0): v\n" }.joined()
        #expect(errors(distinct).isEmpty, "\(errors(distinct))")
        for (position, key) in keys.enumerated() {
            let found = errors(distinct + "\(key): again\n")
            guard found.count == 1, case .duplicateKey(let name, let at, let first) = found[0] else {
                Issue.record("expected one duplicate of '\(key)', got \(found)")
                continue
            }
            #expect(name == key)
            #expect(at.start.line == keys.count + 1)
            #expect(first.start.line == position + 1)
        }
    }

    @Test func duplicateKeysAreFoundInLargeMappings() {
        let text = (0..<50).map { "k\($0): v\n" }.joined() + "k7: again\n"
        let found = errors(text)
        #expect(found.count == 1)
        if case .duplicateKey(let key, let at, let first) = found.first {
            #expect(key == "k7")
            #expect(at.start.line == 51)
            #expect(first.start.line == 8)
        } else {
            Issue.record("expected a duplicate key, got \(found)")
        }
    }

    @Test func foreignTagsAreRejected() {
        guard case .unsupportedTag(let tag, let at) = errors("a: !include other.yaml\n").first else {
            Issue.record("expected an unsupported tag")
            return
        }
        #expect(tag == "!include")
        #expect(at.start.column == 4)
    }

    @Test func secondDocumentIsRejected() {
        guard case .multipleDocuments(let at) = errors("a: 1\n---\nb: 2\n").first else {
            Issue.record("expected multiple documents")
            return
        }
        #expect(at.start.line == 2)
    }

    @Test(arguments: ["- a\n- b\n", "just words\n"])
    func rootMustBeAMapping(text: String) {
        guard case .rootNotMapping = errors(text).first else {
            Issue.record("expected root-not-mapping for \(text)")
            return
        }
    }

    @Test(arguments: ["", "# only a comment\n", "~\n"])
    func emptyFilesAreRejected(text: String) {
        guard case .emptyDocument = errors(text).first else {
            Issue.record("expected an empty document for \(text.debugDescription)")
            return
        }
    }

    @Test func complexKeysAreRejected() {
        guard case .complexKey(let at) = errors("? [a, b]\n: c\n").first else {
            Issue.record("expected a complex key")
            return
        }
        #expect(at.start.line == 1)
    }

    @Test func undefinedAliasIsRejected() {
        guard case .undefinedAlias("nowhere", _) = errors("a: *nowhere\n").first else {
            Issue.record("expected an undefined alias")
            return
        }
    }

    @Test func nulBytesAreLocated() {
        let bytes = Array("a: 1\nb: x".utf8) + [0] + Array("y\n".utf8)
        let result = YAMLLoader.load(bytes, file: "bad.yaml")
        #expect(result.errors == [.nulByte(at: SourceRange(file: "bad.yaml", at: SourceMark(line: 2, column: 5, offset: 9)))])
    }

    /// A byte the loader finds itself is placed on the line libyaml would count: its breaks are a carriage return
    /// alone or before a line feed (once), U+0085, U+2028 and U+2029 as well as a line feed.
    @Test(arguments: [("a: 1\rb: x", 2), ("a: 1\r\nb: x", 2), ("a: 1\u{85}b: x", 2), ("a: 1\u{2028}b: x", 2), ("a: 1\u{2029}\nb: x", 3)])
    func nulBytesAreLocatedOnYAMLsLines(_ text: String, _ line: Int) {
        let bytes = Array(text.utf8) + [0]
        let expected = SourceMark(line: line, column: 5, offset: text.unicodeScalars.count)
        #expect(YAMLLoader.load(bytes, file: "bad.yaml").errors == [.nulByte(at: SourceRange(file: "bad.yaml", at: expected))])
    }

    @Test func invalidUTF8IsLocated() {
        let bytes = Array("a: 1\nb: caf".utf8) + [0xC3, 0x28] + Array("\n".utf8)
        let result = YAMLLoader.load(bytes, file: "bad.yaml")
        guard case .invalidUTF8(let at) = result.errors.first else {
            Issue.record("expected invalid UTF-8, got \(result.errors)")
            return
        }
        #expect(at.start.line == 2)
        #expect(at.start.column == 7)
    }

    @Test func limitsAreEnforced() {
        let small = YAMLLimits(maxFileBytes: 1_000, maxDepth: 3, maxScalarBytes: 10, maxNodes: 20, maxAliases: 2)
        #expect(errors(String(repeating: "#", count: 1_001), limits: small) == [.fileTooLarge(file: "bad.yaml", bytes: 1_001, limit: 1_000)])
        guard case .tooDeep(3, _) = errors("a: [[[[1]]]]\n", limits: small).first else {
            Issue.record("expected too deep")
            return
        }
        guard case .scalarTooLarge(11, 10, _) = errors("a: 12345678901\n", limits: small).first else {
            Issue.record("expected scalar too large")
            return
        }
        guard case .tooManyNodes(20, _) = errors("a: [" + String(repeating: "x, ", count: 30) + "]\n", limits: small).first else {
            Issue.record("expected too many nodes")
            return
        }
        guard case .tooManyAliases(2, _) = errors("a: &x 1\nb: [*x, *x, *x]\n", limits: small).first else {
            Issue.record("expected too many aliases")
            return
        }
    }

    /// Every scalar's bytes count, keys included, and an alias adds all the bytes its anchor holds (a container's
    /// with the aliases inside it expanded): the count stops a file whose aliases repeat long text at the alias that
    /// crosses the limit, and a file just under it loads.
    @Test func expandedTextIsCountedAndLimited() {
        let limits = YAMLLimits(maxFileBytes: 1_000, maxDepth: 8, maxScalarBytes: 100, maxNodes: 1_000, maxAliases: 100, maxExpandedBytes: 50)
        // `a` 1, `0123456789` 10, `b` 1: 12; each alias 10 more: 22, 32, 42, then 52 at the fourth.
        guard case .tooMuchExpandedText(50, let at)? = errors("a: &x 0123456789\nb: [*x, *x, *x, *x]\n", limits: limits).first else {
            Issue.record("expected too much expanded text")
            return
        }
        #expect(at.start.line == 2 && at.start.column == 17, "the fourth alias: \(at)")
        #expect(errors("a: &x 0123456789\nb: [*x, *x, *x]\n", limits: limits).isEmpty, "42 bytes load")
        // A container's anchor holds its scalars and what its own aliases repeat: `l` holds 2 + 2 = 4 bytes, `m` 8.
        let nested = "k: &x ab\nl: &l [*x, *x]\nm: &m [*l, *l]\nn: [*m, *m, *m, *m, *m]\n"
        // 1 + 2, 1 + 4, 1 + 8, 1: 18 bytes before `n`'s list; its aliases add 8 each: 26, 34, 42, 50, then 58 at the fifth.
        guard case .tooMuchExpandedText(50, let nestedAt)? = errors(nested, limits: limits).first else {
            Issue.record("expected too much expanded text from nested anchors")
            return
        }
        #expect(nestedAt.start.line == 4 && nestedAt.start.column == 21, "the fifth alias: \(nestedAt)")
        #expect(YAMLLimits(maxFileBytes: 7, maxDepth: 1, maxScalarBytes: 1, maxNodes: 1, maxAliases: 1).maxExpandedBytes == 14)
        #expect(YAMLLimits.standard.maxExpandedBytes == 16 * 1024 * 1024)
    }
}

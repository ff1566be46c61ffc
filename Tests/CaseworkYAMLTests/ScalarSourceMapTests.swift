import CaseworkTestSupport
import CaseworkYAML
import Testing

// MARK: Helpers

/// Loads `source` (which must load cleanly) and returns the node reached by `path`:
/// mapping keys, or decimal indexes into sequences.
private func node(_ source: String, _ path: [String]) throws -> YAMLNode {
    let result = YAMLLoader.load(Array(source.utf8), file: "map.yaml")
    #expect(result.errors.isEmpty, "load errors: \(result.errors)")
    var node = try #require(result.root)
    for step in path {
        if let items = node.sequence, let index = Int(step), items.indices.contains(index) {
            node = items[index]
        } else {
            node = try #require(node.mapping?.first { $0.key.name == step }?.value, "no key '\(step)'")
        }
    }
    return node
}

/// The map of the scalar reached by `path` in `source`.
private func map(_ source: String, _ path: String...) throws -> ScalarSourceMap {
    try #require(ScalarSourceMap(source: source, node: try node(source, path)))
}

/// True for the Unicode scalars libyaml ends a line at.
private func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
    ["\r", "\n", "\u{85}", "\u{2028}", "\u{2029}"].contains(scalar)
}

/// The Unicode scalar written at `mark`'s line and column of `source`, counting lines as
/// libyaml does (CRLF is one line break), or nil when there is none.
private func written(at mark: SourceMark, in source: String) -> Unicode.Scalar? {
    let scalars = Array(source.unicodeScalars)
    var line = 1
    var column = 1
    var index = 0
    while index < scalars.count {
        if line == mark.line, column == mark.column { return scalars[index] }
        if isLineBreak(scalars[index]) {
            index += scalars[index] == "\r" && index + 1 < scalars.count && scalars[index + 1] == "\n" ? 2 : 1
            line += 1
            column = 1
        } else {
            index += 1
            column += 1
        }
    }
    return nil
}

/// The Unicode scalar at `mark`'s offset in `source`, or nil when there is none.
private func written(atOffset mark: SourceMark, in source: String) -> Unicode.Scalar? {
    let scalars = Array(source.unicodeScalars)
    return scalars.indices.contains(mark.offset) ? scalars[mark.offset] : nil
}

/// `line:column` of the first occurrence of `token` in the mapped scalar's value.
private func position(of token: String, in map: ScalarSourceMap, value: String) -> String {
    let haystack = Array(value.unicodeScalars)
    let needle = Array(token.unicodeScalars)
    guard let start = haystack.indices.first(where: { haystack[$0...].starts(with: needle) }) else {
        return "'\(token)' not in value"
    }
    return map.mark(atValueOffset: start).description
}

/// How the value characters of a scalar were mapped.
private struct Tally: Equatable {
    /// Mapped to the same character in the source.
    var same = 0
    /// Mapped to the backslash of an escape.
    var escaped = 0
    /// A space or line feed mapped to the line break it came from.
    var folded = 0
}

/// Checks that every value offset of the scalar `node` maps to a position in `source` that
/// holds the same character, the backslash of an escape, or the line break a folded space
/// or kept line feed came from; that marks agree with offsets and increase; and that the
/// end offset lies after the last character.
@discardableResult
private func checkEveryOffset(
    _ source: String, _ node: YAMLNode, sourceLocation: SourceLocation = #_sourceLocation
) -> Tally {
    guard let scalar = node.scalar, let map = ScalarSourceMap(source: source, node: node) else {
        Issue.record("not a scalar", sourceLocation: sourceLocation)
        return Tally()
    }
    #expect(map.isExact, "no exact map for \(scalar.style) \(scalar.value.debugDescription) in \(source.debugDescription)", sourceLocation: sourceLocation)
    let value = Array(scalar.value.unicodeScalars)
    #expect(map.valueLength == value.count, sourceLocation: sourceLocation)
    var tally = Tally()
    var previous: SourceMark?
    for (offset, character) in value.enumerated() {
        let mark = map.mark(atValueOffset: offset)
        let atLine = written(at: mark, in: source)
        #expect(atLine == written(atOffset: mark, in: source), "offset and line:column disagree at \(mark)", sourceLocation: sourceLocation)
        if let previous { #expect(previous < mark, "marks not increasing at \(offset)", sourceLocation: sourceLocation) }
        previous = mark
        let span = map.range(valueOffsets: offset..<offset + 1)
        #expect(span.start == mark && mark.offset < span.end.offset, sourceLocation: sourceLocation)
        guard let atLine else {
            Issue.record("offset \(offset) maps outside the source: \(mark)", sourceLocation: sourceLocation)
            continue
        }
        if atLine == character {
            tally.same += 1
        } else if atLine == "\\", scalar.style == .doubleQuoted {
            tally.escaped += 1
        } else if isLineBreak(atLine), character == " " || character == "\n" {
            tally.folded += 1
        } else {
            Issue.record(
                "value offset \(offset) \(String(character).debugDescription) maps to \(mark), which holds \(String(atLine).debugDescription), in \(source.debugDescription)",
                sourceLocation: sourceLocation)
        }
    }
    if let previous {
        #expect(previous < map.mark(atValueOffset: value.count), sourceLocation: sourceLocation)
    }
    return tally
}


// MARK: Every offset, every style

@Suite("ScalarSourceMap: every value offset maps to its own character")
struct ScalarSourceMapEveryOffsetTests {
    @Test(arguments: [
        // plain
        "when: evidence_complete and requested_on < today\n",
        "when: evidence_complete\n  and   requested_on  \n\n  < today\n",
        "when: a\n\n\n  b\n     c\n",
        "when: a\tand\tb\n",
        "outer:\n  - to: x\n    when: evidence_complete and\n      requested_on < today\n",
        "when: !!str a and b\n",
        "when: &guard a and b\n",
        "when: !!str\n  a and\n  b\n",
        // single-quoted
        "when: 'it''s x'\n",
        "when: 'first\n  second ''quoted''\n\n  third '\n",
        "when: '  lead and trail  '\n",
        "when: ''\n",
        // double-quoted
        "when: \"a \\t b == c\"\n",
        "when: \"\\\"q\\\" \\\\ \\t\\x41\\u00e9\\U0001F600 \\/ \\N\\_\\L\\P \\0 \\a\\b\\v\\f\\r\\e\\ end\"\n",
        "when: \"one \\\n   two\"\n",
        "when: \"a\n  b\n\n  c  \"\n",
        "when: \"tab\\\tliteral and\ttab\"\n",
        "when: &g \"a \\t b\"\n",
        "when: \"\"\n",
        // literal
        "when: |\n  evidence_complete\n  and requested_on\n  < today\n",
        "when: |-\n  a\n   b\n\n  c\n\n",
        "when: |+\n  a\n  b\n\n\n",
        "outer:\n  when: |2\n      indented\n    base\n",
        "when: |1\n   two more\n  one more\n",
        "when: |-2\n    x\n  y\n",
        "when: | # comment\n\n  \n  after blank lines\nb: 1\n",
        "when: |\n  a\tb\n  \tc\n",
        // folded
        "when: >\n  evidence_complete\n  and requested_on\n\n  < today\n    more indented\n  back\n",
        "when: >-\n  a\n  b\n\n  c\n",
        "when: >+\n  a\n  b\n\n",
        "outer:\n  - when: >2-\n        x\n      y\n      z\n",
        // flow collections
        "x: {when: 'a b', list: [c d, \"e\\tf\"]}\n",
        // non-ASCII and tabs before the token
        "名前: \"é \\t 名 == x\"\n",
        "title: Café é 名前 < x\n",
        "when: |\n  é名\t< x\n",
    ])
    func mapsEveryOffset(source: String) throws {
        let found = try node(source, firstScalarPath(source))
        checkEveryOffset(source, found)
    }

    /// The path to the scalar each case is about: `when`, possibly nested.
    private func firstScalarPath(_ source: String) -> [String] {
        if source.hasPrefix("outer:\n  - ") { return ["outer", "0", "when"] }
        if source.hasPrefix("outer:\n  - to") { return ["outer", "0", "when"] }
        if source.hasPrefix("outer:") { return ["outer", "when"] }
        if source.hasPrefix("x: {") { return ["x", "list", "1"] }
        if source.hasPrefix("名前") { return ["名前"] }
        if source.hasPrefix("title") { return ["title"] }
        return ["when"]
    }

    @Test func escapesAndFoldsAreCounted() throws {
        let escapes = "when: \"\\\"q\\\" \\\\ \\t\\x41\\u00e9\\U0001F600 \\/ \\N\\_\\L\\P \\0 \\a\\b\\v\\f\\r\\e\\ end\"\n"
        // 20 escapes, but `\\` gives a backslash, which maps to a backslash: it counts as the same.
        #expect(checkEveryOffset(escapes, try node(escapes, ["when"])) == Tally(same: 11, escaped: 19, folded: 0))
        let folded = "when: >\n  evidence_complete\n  and requested_on\n\n  < today\n    more indented\n  back\n"
        // Only the space joining lines 2 and 3 comes from folding; the other line feeds
        // are kept breaks (the empty line's, those around the more indented line, the last).
        #expect(checkEveryOffset(folded, try node(folded, ["when"])) == Tally(same: 63, escaped: 0, folded: 1))
        let plain = "when: evidence_complete\n  and   requested_on  \n\n  < today\n"
        #expect(checkEveryOffset(plain, try node(plain, ["when"])) == Tally(same: 43, escaped: 0, folded: 1))
    }

    @Test func crlfLineEndingsCountAsOneBreak() throws {
        let source = "a: x\r\nwhen: \"one\r\n  two \\t three\"\r\nblock: |\r\n  first\r\n  second < x\r\nplain: a\r\n  b\r\n"
        let quoted = try node(source, ["when"])
        #expect(quoted.range.start.line == 2)
        #expect(checkEveryOffset(source, quoted) == Tally(same: 13, escaped: 1, folded: 1))
        let map = try #require(ScalarSourceMap(source: source, node: quoted))
        #expect(position(of: "three", in: map, value: "one two \t three") == "3:10")
        #expect(map.mark(atValueOffset: 3) == SourceMark(line: 2, column: 11, offset: 16))

        let block = try node(source, ["block"])
        let blockTally = checkEveryOffset(source, block)
        #expect(blockTally.folded == 2)
        let blockMap = try #require(ScalarSourceMap(source: source, node: block))
        #expect(position(of: "<", in: blockMap, value: "first\nsecond < x\n") == "6:10")
        #expect(blockMap.mark(atValueOffset: 18) == SourceMark(line: 7, column: 1, offset: 68))

        checkEveryOffset(source, try node(source, ["plain"]))
    }
}

// MARK: Hand-checked positions

@Suite("ScalarSourceMap: hand-checked positions")
struct ScalarSourceMapPositionTests {
    @Test func escapeBeforeTheToken() throws {
        let map = try map("when: \"a \\t b == c\"\n", "when")
        #expect(map.mark(atValueOffset: 4) == SourceMark(line: 1, column: 13, offset: 12))
        // The tab comes from `\t`: it maps to the backslash and its span covers the escape.
        #expect(map.mark(atValueOffset: 2).column == 10)
        #expect(map.range(valueOffsets: 2..<3).end.column == 12)
        // The end of the value is the closing quote.
        #expect(map.mark(atValueOffset: 10) == SourceMark(line: 1, column: 19, offset: 18))
    }

    @Test func doubledSingleQuote() throws {
        let map = try map("when: 'it''s x'\n", "when")
        #expect(map.mark(atValueOffset: 5).description == "1:14")
        #expect(map.mark(atValueOffset: 2).description == "1:10")
        #expect(map.range(valueOffsets: 2..<3).end.column == 12)
    }

    @Test func literalBlockThirdLine() throws {
        let source = "state: s\nwhen: |\n  evidence_complete\n  and requested_on\n  < today\n"
        let map = try map(source, "when")
        let value = "evidence_complete\nand requested_on\n< today\n"
        #expect(position(of: "<", in: map, value: value) == "5:3")
        #expect(position(of: "requested_on", in: map, value: value) == "4:7")
        #expect(map.range(valueOffsets: 22..<34) == SourceRange(
            file: "map.yaml", start: SourceMark(line: 4, column: 7, offset: 43), end: SourceMark(line: 4, column: 19, offset: 55)))
        // The kept line feed maps to the line break.
        #expect(map.mark(atValueOffset: 17).description == "3:20")
    }

    @Test func explicitIndentationIndicator() throws {
        let source = "outer:\n  when: |2\n      indented\n    base\n"
        let map = try map(source, "outer", "when")
        #expect(position(of: "indented", in: map, value: "  indented\nbase\n") == "3:7")
        #expect(map.mark(atValueOffset: 0).description == "3:5")
        #expect(position(of: "base", in: map, value: "  indented\nbase\n") == "4:5")
    }

    @Test func foldedBlock() throws {
        let source = "when: >-\n  evidence_complete\n  and requested_on\n\n  < today\n"
        let map = try map(source, "when")
        let value = "evidence_complete and requested_on\n< today"
        #expect(position(of: "and", in: map, value: value) == "3:3")
        #expect(position(of: "<", in: map, value: value) == "5:3")
        // A folded space maps to the line break it replaced.
        #expect(map.mark(atValueOffset: 17).description == "2:20")
        // The kept line feed of the empty line maps to that line's break.
        #expect(map.mark(atValueOffset: 34).description == "4:1")
        // `>-` strips the final break: the end is just after `today`.
        #expect(map.mark(atValueOffset: 42).description == "5:10")
    }

    @Test func plainMultiLine() throws {
        let source = "when: evidence_complete\n  and requested_on\n  < today\n"
        let map = try map(source, "when")
        let value = "evidence_complete and requested_on < today"
        #expect(position(of: "and", in: map, value: value) == "2:3")
        #expect(position(of: "today", in: map, value: value) == "3:5")
        #expect(map.mark(atValueOffset: 17).description == "1:24")
        #expect(map.mark(atValueOffset: 42).description == "3:10")
    }

    @Test func doubleQuotedMultiLineWithEscapedBreak() throws {
        let source = "when: \"evidence_complete \\\n    and\n    x\"\n"
        let map = try map(source, "when")
        let value = "evidence_complete and x"
        #expect(position(of: "and", in: map, value: value) == "2:5")
        #expect(position(of: "x", in: map, value: value) == "3:5")
        #expect(map.mark(atValueOffset: 21).description == "2:8")
    }

    @Test func nonASCIIBeforeTheToken() throws {
        let source = "名前: \"é \\t 名 == x\"\nnext: Café é < 名\n"
        let quoted = try map(source, "名前")
        #expect(position(of: "x", in: quoted, value: "é \t 名 == x") == "1:16")
        #expect(quoted.mark(atValueOffset: 10).offset == 16)
        let plain = try map(source, "next")
        #expect(position(of: "名", in: plain, value: "Café é < 名") == "2:16")
    }

    @Test func tabsCountAsOneColumn() throws {
        let source = "when: a\tand\tb\nblock: |\n  x\t< y\n  \tz\n"
        let plain = try map(source, "when")
        #expect(plain.mark(atValueOffset: 6).description == "1:13")
        let block = try map(source, "block")
        #expect(position(of: "<", in: block, value: "x\t< y\n\tz\n") == "3:5")
        #expect(position(of: "z", in: block, value: "x\t< y\n\tz\n") == "4:4")
    }

    @Test func tagsAndAnchorsComeBeforeTheScalar() throws {
        let source = "a: !!str b and c\nd: &g 'e f'\nh: !!str\n  i j\n"
        #expect(position(of: "c", in: try map(source, "a"), value: "b and c") == "1:16")
        #expect(position(of: "f", in: try map(source, "d"), value: "e f") == "2:10")
        #expect(position(of: "j", in: try map(source, "h"), value: "i j") == "4:5")
    }

    @Test func byteOrderMark() throws {
        // libyaml counts the byte order mark as the first column and offset, as the
        // String decoded from the file's bytes does.
        let source = "\u{FEFF}when: a and b\n"
        let found = try node(source, ["when"])
        checkEveryOffset(source, found)
        #expect(try map(source, "when").mark(atValueOffset: 6) == SourceMark(line: 1, column: 14, offset: 13))
    }

    @Test func emptyValuesMapTheirEndToWhereContentStarts() throws {
        let source = "a: \"\"\nb: ''\nc: |\nd: x\n"
        #expect(try map(source, "a").mark(atValueOffset: 0).description == "1:5")
        #expect(try map(source, "b").mark(atValueOffset: 0).description == "2:5")
        #expect(try map(source, "c").mark(atValueOffset: 0).description == "4:1")
    }

    @Test func offsetsOutsideTheValueAreClamped() throws {
        let map = try map("when: 'ab'\n", "when")
        #expect(map.mark(atValueOffset: -3) == map.mark(atValueOffset: 0))
        #expect(map.mark(atValueOffset: 99) == map.mark(atValueOffset: 2))
        #expect(map.range(valueOffsets: 1..<99).end.column == 10)
        #expect(map.range(valueOffsets: 5..<9) == SourceRange(file: "map.yaml", at: map.mark(atValueOffset: 2)))
    }
}

// MARK: Fallbacks

@Suite("ScalarSourceMap: mismatches fall back to the scalar's start")
struct ScalarSourceMapFallbackTests {
    @Test func valueThatTheSourceDoesNotProduce() throws {
        let source = "when: \"a \\t b\"\n"
        let found = try node(source, ["when"])
        let map = ScalarSourceMap(source: source, range: found.range, style: .doubleQuoted, value: "a b")
        #expect(!map.isExact)
        #expect(map.mark(atValueOffset: 2) == found.range.start)
        #expect(map.mark(atValueOffset: 3) == found.range.start)
        #expect(map.range(valueOffsets: 0..<2) == found.range)
    }

    @Test func wrongStyleOrWrongText() throws {
        let source = "when: 'a b'\n"
        let found = try node(source, ["when"])
        #expect(!ScalarSourceMap(source: source, range: found.range, style: .doubleQuoted, value: "a b").isExact)
        #expect(!ScalarSourceMap(source: source, range: found.range, style: .plain, value: "a b").isExact)
        #expect(!ScalarSourceMap(source: "other: text\n", range: found.range, style: .singleQuoted, value: "a b").isExact)
        #expect(!ScalarSourceMap(source: "", range: found.range, style: .singleQuoted, value: "a b").isExact)
    }

    @Test func canonicallyEquivalentIsNotEnough() throws {
        // "é" precomposed and decomposed compare equal as Strings but not as scalars.
        let source = "when: 'caf\u{E9} x'\n"
        let found = try node(source, ["when"])
        #expect(!ScalarSourceMap(source: source, range: found.range, style: .singleQuoted, value: "cafe\u{301} x").isExact)
    }

    @Test func rangesOutsideTheFile() {
        let far = SourceRange(file: "f", start: SourceMark(line: 9, column: 1, offset: 500), end: SourceMark(line: 9, column: 9, offset: 508))
        let backwards = SourceRange(file: "f", start: SourceMark(line: 1, column: 5, offset: 4), end: SourceMark(line: 1, column: 1, offset: 0))
        let negative = SourceRange(file: "f", start: SourceMark(line: 1, column: 1, offset: -4), end: SourceMark(line: 1, column: 1, offset: 3))
        for range in [far, backwards, negative] {
            for style in [YAMLScalarStyle.plain, .singleQuoted, .doubleQuoted, .literal, .folded] {
                let map = ScalarSourceMap(source: "a: b\n", range: range, style: style, value: "b")
                #expect(!map.isExact)
                #expect(map.mark(atValueOffset: 1) == range.start)
            }
        }
    }

    @Test func arbitraryTextNeverTrapsOrHangs() {
        var generator = SeededGenerator(seed: 7)
        let alphabet: [String] = ["a", " ", "\t", "\n", "\r", "\r\n", "'", "''", "\"", "\\", "\\x4", "\\u00", "|", ">", "-", "+", "2", "0", "#", "&", "!", "é", "名", "\u{2028}", "\u{85}"]
        for _ in 0..<3000 {
            let length = Int.random(in: 0...30, using: &generator)
            let source = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }.joined()
            let count = source.unicodeScalars.count
            let start = Int.random(in: 0...max(count, 0), using: &generator)
            let end = Int.random(in: start...max(count + 2, start), using: &generator)
            let range = SourceRange(file: "f", start: SourceMark(line: 1, column: start + 1, offset: start), end: SourceMark(line: 1, column: end + 1, offset: end))
            let style = [YAMLScalarStyle.plain, .singleQuoted, .doubleQuoted, .literal, .folded].randomElement(using: &generator)!
            let value = (0..<Int.random(in: 0...6, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined()
            let map = ScalarSourceMap(source: source, range: range, style: style, value: value)
            _ = map.mark(atValueOffset: Int.random(in: -2...10, using: &generator))
            _ = map.range(valueOffsets: 0..<Int.random(in: 0...10, using: &generator))
        }
    }
}

// MARK: Generated scalars

@Suite("ScalarSourceMap: generated scalars")
struct ScalarSourceMapGeneratedTests {
    /// How one value character was written in the generated source.
    private enum Written {
        case itself
        case escape(length: Int)
        case foldedBreak
    }

    @Test func doubleQuotedScalarsMapEveryCharacter() throws {
        var generator = SeededGenerator(seed: 2024)
        let words = ["a", "and", "requested_on", "<", "==", "'", "\"", "\\", "é", "名前", "😀", "x1", "\t", "e\u{301}"]
        for round in 0..<400 {
            var value: [Unicode.Scalar] = []
            for index in 0..<Int.random(in: 1...12, using: &generator) {
                if index > 0 { value += Array(String(repeating: " ", count: Int.random(in: 1...2, using: &generator)).unicodeScalars) }
                value += Array(words.randomElement(using: &generator)!.unicodeScalars)
            }
            let indent = String(repeating: " ", count: 2 * Int.random(in: 0...2, using: &generator))
            var prefix = ""
            for level in 0..<indent.count / 2 { prefix += String(repeating: "  ", count: level) + "k\(level):\n" }
            var body = ""
            var howWritten: [Written] = []
            for (offset, scalar) in value.enumerated() {
                switch scalar {
                case "\"", "\\":
                    body += "\\" + String(scalar)
                    howWritten.append(.escape(length: 2))
                case "\t" where Bool.random(using: &generator):
                    body += "\\t"
                    howWritten.append(.escape(length: 2))
                case "é" where Bool.random(using: &generator):
                    body += "\\u00E9"
                    howWritten.append(.escape(length: 6))
                case " " where offset > 0 && offset + 1 < value.count
                    && ![" ", "\t"].contains(value[offset - 1]) && ![" ", "\t"].contains(value[offset + 1])
                    && Int.random(in: 0..<4, using: &generator) == 0:
                    body += "\n" + indent + "    "
                    howWritten.append(.foldedBreak)
                default:
                    body.unicodeScalars.append(scalar)
                    howWritten.append(.itself)
                }
            }
            let source = prefix + indent + "when: \"" + body + "\"\n"
            let path = (0..<indent.count / 2).map { "k\($0)" } + ["when"]
            let found = try node(source, path)
            let expected = String(String.UnicodeScalarView(value))
            #expect(Array(found.scalar?.value.unicodeScalars ?? "".unicodeScalars) == value, "round \(round): \(source.debugDescription)")
            let map = try #require(ScalarSourceMap(source: source, node: found))
            #expect(map.isExact, "round \(round): \(expected.debugDescription)")
            for (offset, how) in howWritten.enumerated() {
                let mark = map.mark(atValueOffset: offset)
                let atLine = written(at: mark, in: source)
                switch how {
                case .itself:
                    #expect(atLine == value[offset], "round \(round) offset \(offset)")
                case .escape(let length):
                    #expect(atLine == "\\", "round \(round) offset \(offset)")
                    #expect(map.range(valueOffsets: offset..<offset + 1).end.offset == mark.offset + length)
                case .foldedBreak:
                    #expect(atLine == "\n", "round \(round) offset \(offset)")
                }
            }
        }
    }

    @Test func everyScalarOfGeneratedDocumentsMapsExactly() throws {
        var generator = SeededGenerator(seed: 99)
        let pieces = [
            "a", "b c", "  ", "\t", "'", "''", "\"", "\\\\", "\\t", "\\\"", "\\x41", "\\\n", "é", "名", "#", ":", "-",
            "\n", "\n  ", "\n    ", "\n\t", "\n\n", "\r\n", "\r", "\u{85}", "\u{2028}",
        ]
        let openers = ["", "'", "\"", "|\n  ", "|-\n  ", "|+\n  ", ">\n  ", ">-\n  ", "|2\n  ", ">1\n  ", "!!str ", "&a "]
        let contexts: [(before: String, after: String)] = [
            ("k:\n  when: ", "\n  next: 1\n"),
            ("k:\n  - ", "\n  - 1\n"),
            ("k: [", ", 1]\n"),
            ("k: {when: ", ", next: 1}\n"),
        ]
        var loaded: [YAMLScalarStyle: Int] = [:]
        for _ in 0..<10000 {
            let opener = openers.randomElement(using: &generator)!
            let closer = opener == "'" ? "'" : opener == "\"" ? "\"" : ""
            let body = (0..<Int.random(in: 1...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let context = contexts.randomElement(using: &generator)!
            let source = context.before + opener + body + closer + context.after
            let result = YAMLLoader.load(Array(source.utf8), file: "g.yaml")
            guard result.errors.isEmpty, let root = result.root else { continue }
            var pending = [root]
            while let node = pending.popLast() {
                switch node.content {
                case .scalar(let scalar):
                    loaded[scalar.style, default: 0] += 1
                    checkEveryOffset(source, node)
                case .sequence(let items):
                    pending += items
                case .mapping(let pairs):
                    pending += pairs.map(\.value)
                }
            }
        }
        for style in [YAMLScalarStyle.plain, .singleQuoted, .doubleQuoted, .literal, .folded] {
            #expect(loaded[style, default: 0] > 150, "only \(loaded[style, default: 0]) \(style) scalars loaded")
        }
    }
}

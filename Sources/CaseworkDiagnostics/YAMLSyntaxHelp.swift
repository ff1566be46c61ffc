import CaseworkYAML

/// Plain advice for the libyaml errors policy staff meet most: a tab, a bad indent, an
/// unclosed quote or bracket, a `: ` inside a plain value, and a missing space after `-` or `:`.
///
/// libyaml reports where its parser gave up, which is often a line or two after the slip.
/// ``advice(problem:context:at:source:)`` reads the lines around that place and returns a
/// help line and the place the fix goes, so the caret points where the writer should type.
enum YAMLSyntaxHelp {
    /// A help line and the place the fix goes.
    struct Advice: Equatable {
        /// The help line, in the words of the file's writer.
        var help: String
        /// Where the fix goes.
        var at: SourceRange
    }

    /// Advice for libyaml's `problem` (and `context`) reported at `range` in `source`, or nil
    /// when the error is none of the common ones.
    static func advice(problem: String, context: String?, at range: SourceRange, source: String) -> Advice? {
        let text = SourceText(source)
        let line = range.start.line
        let column = range.start.column
        func place(_ line: Int, _ column: Int) -> SourceRange {
            SourceRange(file: range.file, at: text.mark(line: line, column: column))
        }
        if problem.contains("tab") || problem.hasPrefix("found character that cannot start any token"), let tab = text.tab(on: line, near: column) {
            return Advice(help: "YAML indents with spaces only: replace this tab with spaces", at: place(line, tab))
        }
        if let quote = text.unclosedQuote(through: line) {
            return Advice(help: "close the quote: this value starts with '\(quote.mark)' but the line has no closing '\(quote.mark)'",
                          at: place(quote.line, text.endColumn(of: quote.line)))
        }
        if problem.hasPrefix("found character that cannot start any token"), let character = text.character(line, column) {
            return Advice(help: "a plain value cannot start with '\(character)': put the whole value in quotes", at: range.startOnly)
        }
        if problem.hasPrefix("did not find expected ',' or"),
           let open = text.unclosedBracket(before: line) {
            return Advice(help: "close the '\(open.bracket)' opened on this line with '\(open.closer)' at its end",
                          at: place(open.line, text.endColumn(of: open.line)))
        }
        if problem == "could not find expected ':'" {
            guard let keyLine = text.lastWithoutKey(through: line) else { return nil }
            return missingSpace(text, keyLine, place)
                ?? Advice(help: "a line in a mapping is 'key: value', and a line in a list starts with '- '",
                          at: place(keyLine, text.endColumn(of: keyLine)))
        }
        if problem == "mapping values are not allowed in this context" {
            if let above = text.lastWritten(before: line), let advice = missingSpace(text, above, place) {
                return advice
            }
            if let valueStart = text.valueStart(on: line, before: column) {
                let value = text.rest(of: line, from: valueStart)
                return Advice(help: "a value with ': ' in it needs quotes: write \"\(value)\"", at: place(line, valueStart))
            }
            guard let above = text.lastWritten(before: line) else { return nil }
            let end = text.endColumn(of: above)
            if text.valueStart(on: above, before: end) == nil, text.character(above, end - 1) != ":" {
                return Advice(help: "a line in a mapping is 'key: value': this line has no ': '", at: place(above, end))
            }
            let indent = text.indent(of: line)
            guard text.indent(of: above) < indent else { return nil }
            return Advice(help: "this line is indented more than the line above, which already has a value: indent it \(text.indent(of: above)) spaces, like that line",
                          at: place(line, indent + 1))
        }
        if problem == "did not find expected key" || problem == "did not find expected '-' indicator" {
            if column > 1, let before = text.character(line, column - 1 - text.spaces(before: column, on: line)), before == "\"" || before == "'" {
                return Advice(help: "a quoted value ends at its closing quote: put the whole value inside the quotes", at: range.startOnly)
            }
            guard text.indent(of: line) + 1 == column, let above = text.lastWritten(before: line) else { return nil }
            return Advice(help: "this line is indented \(column - 1) spaces, which matches no line above it: indent it like the lines it belongs with (the line above has \(text.indent(of: above)))",
                          at: range.startOnly)
        }
        return nil
    }

    /// Advice for a `-` or `:` run into the word after it on `line`, such as `-parent` or `title:A`.
    private static func missingSpace(_ text: SourceText, _ line: Int, _ place: (Int, Int) -> SourceRange) -> Advice? {
        let characters = text.characters(line)
        let indent = text.indent(of: line)
        if indent + 1 < characters.count, characters[indent] == "-", characters[indent + 1] != " " {
            return Advice(help: "put a space after '-' to start a list item", at: place(line, indent + 2))
        }
        guard text.valueStart(on: line, before: characters.count + 1) == nil, characters.first != "#",
              let colon = characters.firstIndex(of: ":"), colon + 1 < characters.count, characters[colon + 1] != " " else { return nil }
        return Advice(help: "put a space after ':' between a key and its value", at: place(line, colon + 2))
    }
}

/// A source text as lines of characters, with 1-based lines and columns as libyaml counts them.
private struct SourceText {
    /// Each line's characters, without its line break.
    let lines: [[Unicode.Scalar]]
    /// Each line's UTF-8 byte offset.
    private let offsets: [Int]

    init(_ source: String) {
        var lines: [[Unicode.Scalar]] = []
        var offsets: [Int] = []
        var offset = 0
        for line in source.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            offsets.append(offset)
            offset += String(line).utf8.count + 1
            lines.append(Array(line.last == "\r" ? line.dropLast() : line))
        }
        self.lines = lines
        self.offsets = offsets
    }

    /// The characters of 1-based `line`, empty past the end.
    func characters(_ line: Int) -> [Unicode.Scalar] {
        lines.indices.contains(line - 1) ? lines[line - 1] : []
    }

    /// The character at a 1-based line and column, or nil past the line's end.
    func character(_ line: Int, _ column: Int) -> Unicode.Scalar? {
        let characters = characters(line)
        return characters.indices.contains(column - 1) ? characters[column - 1] : nil
    }

    /// The mark of a 1-based line and column.
    func mark(line: Int, column: Int) -> SourceMark {
        let characters = characters(line)
        let prefix = characters.prefix(max(column - 1, 0)).reduce(0) { $0 + UTF8.width($1) }
        let start = offsets.indices.contains(line - 1) ? offsets[line - 1] : (offsets.last ?? 0)
        return SourceMark(line: line, column: column, offset: start + prefix)
    }

    /// How many spaces start `line`.
    func indent(of line: Int) -> Int {
        characters(line).prefix { $0 == " " }.count
    }

    /// How many spaces stand just before `column` on `line`.
    func spaces(before column: Int, on line: Int) -> Int {
        characters(line).prefix(max(column - 1, 0)).reversed().prefix { $0 == " " }.count
    }

    /// The column just after the last character on `line` that is not a space.
    func endColumn(of line: Int) -> Int {
        let characters = characters(line)
        return characters.count - characters.reversed().prefix { $0 == " " || $0 == "\t" }.count + 1
    }

    /// The text of `line` from `column`, without trailing spaces.
    func rest(of line: Int, from column: Int) -> String {
        String(String.UnicodeScalarView(characters(line)[(column - 1)..<(endColumn(of: line) - 1)]))
    }

    /// The last line before `line` with something on it other than spaces or a comment.
    func lastWritten(before line: Int) -> Int? {
        (1..<max(line, 1)).reversed().first { candidate in
            let written = characters(candidate).drop { $0 == " " }
            return !written.isEmpty && written.first != "#"
        }
    }

    /// The last line up to `line` with something on it that is neither `key: value`, `key:`, a list item nor a comment.
    func lastWithoutKey(through line: Int) -> Int? {
        (1...max(min(line, lines.count), 1)).reversed().first { candidate in
            let characters = characters(candidate)
            let written = characters.drop { $0 == " " }
            guard let first = written.first, first != "#" else { return false }
            if first == "-", written.dropFirst().first == " " { return false }
            return valueStart(on: candidate, before: characters.count + 1) == nil && written.last != ":"
        }
    }

    /// The column of a tab in the indentation of `line`, or at `column`.
    func tab(on line: Int, near column: Int) -> Int? {
        if character(line, column) == "\t" { return column }
        let leading = characters(line).prefix { $0 == " " || $0 == "\t" }
        return leading.firstIndex(of: "\t").map { $0 + 1 }
    }

    /// The column where the value after the first `key: ` on `line` starts, when that is before `column`.
    func valueStart(on line: Int, before column: Int) -> Int? {
        let characters = characters(line)
        var index = indent(of: line)
        if index < characters.count, characters[index] == "-" { index += 1 }
        while index + 1 < min(column - 1, characters.count) {
            if characters[index] == "\"" || characters[index] == "'" || characters[index] == "#" { return nil }
            if characters[index] == ":", characters[index + 1] == " " {
                var start = index + 1
                while start < characters.count, characters[start] == " " { start += 1 }
                return start < column - 1 ? start + 1 : nil
            }
            index += 1
        }
        return nil
    }

    /// The first line up to `line` whose value opens a quote the line does not close.
    func unclosedQuote(through line: Int) -> (line: Int, mark: String)? {
        for candidate in 1...max(min(line, lines.count), 1) {
            let characters = characters(candidate)
            guard let start = valueStart(on: candidate, before: characters.count + 1).map({ $0 - 1 })
                    ?? listItemStart(characters), start < characters.count else { continue }
            let quote = characters[start]
            guard quote == "\"" || quote == "'" else { continue }
            var index = start + 1
            var closed = false
            while index < characters.count {
                if quote == "\"", characters[index] == "\\" { index += 2; continue }
                if characters[index] == quote {
                    if quote == "'", index + 1 < characters.count, characters[index + 1] == "'" { index += 2; continue }
                    closed = true
                    break
                }
                index += 1
            }
            if !closed { return (candidate, "\(quote)") }
        }
        return nil
    }

    /// Where the value of a list item `- value` starts, as a 0-based index.
    private func listItemStart(_ characters: [Unicode.Scalar]) -> Int? {
        let indent = characters.prefix { $0 == " " }.count
        guard indent + 1 < characters.count, characters[indent] == "-", characters[indent + 1] == " " else { return nil }
        return characters[(indent + 1)...].firstIndex { $0 != " " }
    }

    /// The last line before `line` that opens a `{` or `[` it does not close.
    func unclosedBracket(before line: Int) -> (line: Int, bracket: Unicode.Scalar, closer: Unicode.Scalar)? {
        for candidate in (1..<max(line + 1, 1)).reversed() {
            let characters = characters(candidate)
            for (bracket, closer) in [("{", "}"), ("[", "]")] as [(Unicode.Scalar, Unicode.Scalar)] {
                if characters.filter({ $0 == bracket }).count > characters.filter({ $0 == closer }).count {
                    return (candidate, bracket, closer)
                }
            }
        }
        return nil
    }
}

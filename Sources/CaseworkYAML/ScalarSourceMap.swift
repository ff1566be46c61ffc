/// Maps an offset in a scalar's value back to where that character was written in the file.
///
/// An expression or template lives inside a YAML scalar, but its errors must point at
/// the file: `when: "a \t b == c"` has `b` at value offset 4 and file column 13. The map
/// re-scans the scalar's source text the way libyaml unquotes and folds it for the
/// scalar's style, recording for every value character (a Unicode scalar) the span of
/// source text it came from:
///
/// - an ordinary character maps to itself;
/// - a character produced by an escape (`\t`, `\"`, `\x41`, `\u00E9`, …) or by a
///   single-quoted `''` maps to the start of the escape (the backslash, or the first quote),
///   and its span covers the whole escape;
/// - a space produced by folding a line break (plain, quoted and `>` scalars), and a
///   `\n` kept from a line break, map to the line break they replaced (the column just
///   after the last character of that line); a CRLF pair is one line break, as libyaml
///   counts it;
/// - the offset equal to the value's length maps to the end of the last character's span
///   (for an empty value, to where the content would start: after the opening quote, or
///   at the start of the line after a block header).
///
/// The re-scan is checked against `value`, Unicode scalar by Unicode scalar. When they
/// differ (the text is not the text the node was loaded from, or the range or style does
/// not match it), the map is not exact: ``isExact`` is false, every offset maps to the
/// scalar's start mark and every range of offsets to the scalar's whole range. The map
/// never traps and never loops, whatever it is given.
///
/// Cost: finding the scalar in `source` walks the file's Unicode scalars up to the
/// scalar's start offset (O(file)); the re-scan itself is O(length of the scalar's
/// source) in time and memory. That is meant for reporting an error, not for building a
/// map of every scalar of a large file on the happy path.
package struct ScalarSourceMap: Sendable {
    /// The scalar's range, as the loader reported it.
    package let scalarRange: SourceRange
    /// True when re-scanning the source reproduced the value exactly, so every mark is the
    /// character's own position; false when the map falls back to the scalar's start.
    package let isExact: Bool
    /// The value's length in Unicode scalars: the largest offset ``mark(atValueOffset:)`` accepts.
    package let valueLength: Int
    /// The start of each value character's source span, by value offset (empty when not exact).
    private let starts: [SourceMark]
    /// The end (exclusive) of each value character's source span, by value offset (empty when not exact).
    private let ends: [SourceMark]
    /// Where a character appended after the value would have been written.
    private let endMark: SourceMark

    /// Maps `value`, the unquoted and folded text of the scalar written at `range` in
    /// `source` in `style`.
    ///
    /// `source` is the whole file's text; `range` is the node's range as ``YAMLLoader``
    /// reports it (its offsets count Unicode scalars from the start of the file, and it
    /// starts at the scalar's anchor or tag when it has one). Finding the scalar in
    /// `source` costs O(offset of the scalar); see the type's documentation.
    package init(source: String, range: SourceRange, style: YAMLScalarStyle, value: String) {
        let expected = Array(value.unicodeScalars)
        scalarRange = range
        valueLength = expected.count
        let text = Self.scalarText(in: source, range: range)
        if let text, let scan = Rescan.run(text: text, start: range.start, style: style, value: expected), scan.scalars == expected {
            isExact = true
            starts = scan.starts
            ends = scan.ends
            endMark = scan.ends.last ?? scan.contentStart
        } else {
            isExact = false
            starts = []
            ends = []
            endMark = range.start
        }
    }

    /// Maps the scalar held by `node`, written in `source`; nil when the node is not a scalar.
    ///
    /// Costs what ``init(source:range:style:value:)`` costs.
    package init?(source: String, node: YAMLNode) {
        guard let scalar = node.scalar else { return nil }
        self.init(source: source, range: node.range, style: scalar.style, value: scalar.value)
    }

    /// Where the value character at `offset` (in Unicode scalars) was written.
    ///
    /// `offset == valueLength` gives the position just after the last character, for an
    /// error at the end of the text; offsets outside `0...valueLength` are clamped into it.
    /// When the map is not exact, every offset gives the scalar's start mark.
    package func mark(atValueOffset offset: Int) -> SourceMark {
        guard isExact else { return scalarRange.start }
        let clamped = min(max(offset, 0), valueLength)
        return clamped == valueLength ? endMark : starts[clamped]
    }

    /// The source span of the value characters at `valueOffsets`, from the start of the
    /// first to the end of the last (so an escape or a folded line break is covered whole).
    ///
    /// An empty range gives a zero-width span at ``mark(atValueOffset:)`` of its bound;
    /// bounds outside `0...valueLength` are clamped into it. When the map is not exact,
    /// any range gives the scalar's whole range.
    package func range(valueOffsets: Range<Int>) -> SourceRange {
        guard isExact else { return scalarRange }
        let lower = min(max(valueOffsets.lowerBound, 0), valueLength)
        let upper = min(max(valueOffsets.upperBound, lower), valueLength)
        let start = mark(atValueOffset: lower)
        guard upper > lower else { return SourceRange(file: scalarRange.file, at: start) }
        return SourceRange(file: scalarRange.file, start: start, end: ends[upper - 1])
    }

    /// The Unicode scalars of `source` from `range.start.offset` to `range.end.offset`
    /// (cut at the end of the file), or nil when the start lies outside the file.
    private static func scalarText(in source: String, range: SourceRange) -> [Unicode.Scalar]? {
        let scalars = source.unicodeScalars
        let length = range.end.offset - range.start.offset
        guard range.start.offset >= 0, length >= 0,
            let first = scalars.index(scalars.startIndex, offsetBy: range.start.offset, limitedBy: scalars.endIndex)
        else { return nil }
        var text: [Unicode.Scalar] = []
        text.reserveCapacity(min(length, 1 << 20))
        var index = first
        while text.count < length, index < scalars.endIndex {
            text.append(scalars[index])
            index = scalars.index(after: index)
        }
        return text
    }
}

/// One value character being produced: its Unicode scalar and the source span it came from.
private struct Piece {
    var scalar: Unicode.Scalar
    var start: SourceMark
    var end: SourceMark
}

/// A re-scan of one scalar's source text, emulating libyaml's scanner for the scalar's
/// style and recording each value character's source span.
///
/// Line and column tracking follows libyaml: CR, LF, CRLF, NEL, LS and PS each end a
/// line (CRLF counting as two offsets), every other Unicode scalar is one column.
private struct Rescan {
    /// The scalar's source text, from its range's start to its range's end.
    let text: [Unicode.Scalar]
    /// The index in `text` of the next scalar to scan; at or past the end reads as end of input.
    private var index = 0
    private var line: Int
    private var column: Int
    private var offset: Int
    /// The value characters produced so far.
    private(set) var scalars: [Unicode.Scalar] = []
    /// The start of each produced character's span.
    private(set) var starts: [SourceMark] = []
    /// The end of each produced character's span.
    private(set) var ends: [SourceMark] = []
    /// Where the scalar's content starts (after an opening quote or a block header).
    private(set) var contentStart: SourceMark

    private init(text: [Unicode.Scalar], start: SourceMark) {
        self.text = text
        line = start.line
        column = start.column
        offset = start.offset
        contentStart = start
    }

    /// Re-scans `text` as a scalar of `style` whose value should be `value`; nil when the
    /// text is not a well-formed scalar of that style.
    static func run(text: [Unicode.Scalar], start: SourceMark, style: YAMLScalarStyle, value: [Unicode.Scalar]) -> Rescan? {
        var scan = Rescan(text: text, start: start)
        scan.skipProperties()
        scan.contentStart = scan.mark
        switch style {
        case .plain:
            return scan.plain() ? scan : nil
        case .singleQuoted:
            return scan.quoted(single: true) ? scan : nil
        case .doubleQuoted:
            return scan.quoted(single: false) ? scan : nil
        case .literal:
            return scan.block(folded: false, value: value) ? scan : nil
        case .folded:
            return scan.block(folded: true, value: value) ? scan : nil
        }
    }

    // MARK: Cursor

    private var current: Unicode.Scalar? { peek(0) }

    private func peek(_ ahead: Int) -> Unicode.Scalar? {
        index + ahead < text.count ? text[index + ahead] : nil
    }

    private var mark: SourceMark { SourceMark(line: line, column: column, offset: offset) }

    private static func isBlank(_ scalar: Unicode.Scalar?) -> Bool {
        scalar == " " || scalar == "\t"
    }

    private static func isBreak(_ scalar: Unicode.Scalar?) -> Bool {
        switch scalar {
        case "\r", "\n", "\u{85}", "\u{2028}", "\u{2029}": return true
        default: return false
        }
    }

    /// Steps over the current scalar, which is not a line break.
    private mutating func skip() {
        index += 1
        column += 1
        offset += 1
    }

    /// Copies the current scalar, which is not a line break, into the value.
    private mutating func read() {
        guard let scalar = current else { return }
        let start = mark
        skip()
        emit(Piece(scalar: scalar, start: start, end: mark))
    }

    /// Takes the current scalar, a blank, as a pending piece without emitting it.
    private mutating func readPending() -> Piece {
        let start = mark
        let scalar = current ?? " "
        skip()
        return Piece(scalar: scalar, start: start, end: mark)
    }

    /// Consumes the current line break (CRLF as one) and returns what libyaml puts in the
    /// value for it: `\n`, or LS / PS unchanged.
    private mutating func consumeBreak() -> Piece {
        let start = mark
        let scalar = current ?? "\n"
        let width = scalar == "\r" && peek(1) == "\n" ? 2 : 1
        index += width
        offset += width
        line += 1
        column = 1
        let kept: Unicode.Scalar = scalar == "\u{2028}" || scalar == "\u{2029}" ? scalar : "\n"
        return Piece(scalar: kept, start: start, end: mark)
    }

    private mutating func emit(_ piece: Piece) {
        scalars.append(piece.scalar)
        starts.append(piece.start)
        ends.append(piece.end)
    }

    private mutating func emit(_ pieces: [Piece]) {
        for piece in pieces { emit(piece) }
    }

    /// Skips the node's anchor and tag (the node's range starts at the first of them),
    /// with the blanks, line breaks and comments after each.
    private mutating func skipProperties() {
        while current == "&" || current == "!" {
            while let scalar = current, !Self.isBlank(scalar), !Self.isBreak(scalar) { skip() }
            while let scalar = current {
                if Self.isBlank(scalar) {
                    skip()
                } else if Self.isBreak(scalar) {
                    _ = consumeBreak()
                } else if scalar == "#" {
                    while let scalar = current, !Self.isBreak(scalar) { skip() }
                } else {
                    break
                }
            }
        }
    }

    /// Emits what a run of blanks and line breaks becomes: the blanks themselves when no
    /// line break followed them; otherwise one space for a single `\n` break (mapped to
    /// that break) or the breaks of the empty lines after it, and LS / PS kept.
    private mutating func join(whitespaces: [Piece], leadingBreak: Piece?, trailingBreaks: [Piece], leadingBlanks: Bool) {
        guard leadingBlanks else {
            emit(whitespaces)
            return
        }
        if let leadingBreak, leadingBreak.scalar == "\n" {
            if trailingBreaks.isEmpty {
                emit(Piece(scalar: " ", start: leadingBreak.start, end: leadingBreak.end))
            } else {
                emit(trailingBreaks)
            }
        } else {
            if let leadingBreak { emit(leadingBreak) }
            emit(trailingBreaks)
        }
    }

    // MARK: Flow scalars

    /// A plain scalar: the text runs exactly to the range's end (after its last
    /// character), so only the folding of blanks and line breaks needs emulating.
    private mutating func plain() -> Bool {
        var whitespaces: [Piece] = []
        var leadingBreak: Piece?
        var trailingBreaks: [Piece] = []
        var leadingBlanks = false
        while let scalar = current {
            if Self.isBlank(scalar) {
                if leadingBlanks { skip() } else { whitespaces.append(readPending()) }
            } else if Self.isBreak(scalar) {
                let piece = consumeBreak()
                if leadingBlanks {
                    trailingBreaks.append(piece)
                } else {
                    whitespaces = []
                    leadingBreak = piece
                    leadingBlanks = true
                }
            } else {
                join(whitespaces: whitespaces, leadingBreak: leadingBreak, trailingBreaks: trailingBreaks, leadingBlanks: leadingBlanks)
                whitespaces = []
                leadingBreak = nil
                trailingBreaks = []
                leadingBlanks = false
                read()
            }
        }
        return true
    }

    /// A single- or double-quoted scalar, from its opening quote to its closing quote.
    private mutating func quoted(single: Bool) -> Bool {
        let quote: Unicode.Scalar = single ? "'" : "\""
        guard current == quote else { return false }
        skip()
        contentStart = mark
        while true {
            guard current != nil else { return false }
            var leadingBlanks = false
            while let scalar = current, !Self.isBlank(scalar), !Self.isBreak(scalar) {
                if single, scalar == "'", peek(1) == "'" {
                    let start = mark
                    skip()
                    skip()
                    emit(Piece(scalar: "'", start: start, end: mark))
                } else if scalar == quote {
                    break
                } else if !single, scalar == "\\", Self.isBreak(peek(1)) {
                    skip()
                    _ = consumeBreak()
                    leadingBlanks = true
                    break
                } else if !single, scalar == "\\" {
                    guard escape() else { return false }
                } else {
                    read()
                }
            }
            if current == quote { break }
            var whitespaces: [Piece] = []
            var leadingBreak: Piece?
            var trailingBreaks: [Piece] = []
            while let scalar = current, Self.isBlank(scalar) || Self.isBreak(scalar) {
                if Self.isBlank(scalar) {
                    if leadingBlanks { skip() } else { whitespaces.append(readPending()) }
                } else if leadingBlanks {
                    trailingBreaks.append(consumeBreak())
                } else {
                    whitespaces = []
                    leadingBreak = consumeBreak()
                    leadingBlanks = true
                }
            }
            join(whitespaces: whitespaces, leadingBreak: leadingBreak, trailingBreaks: trailingBreaks, leadingBlanks: leadingBlanks)
        }
        skip()
        return true
    }

    /// A double-quoted escape at the current backslash: emits its one character, mapped
    /// to the backslash and spanning the whole escape. False for an escape libyaml rejects.
    private mutating func escape() -> Bool {
        let start = mark
        var digits = 0
        var scalar: Unicode.Scalar
        switch peek(1) {
        case "0": scalar = "\u{0}"
        case "a": scalar = "\u{7}"
        case "b": scalar = "\u{8}"
        case "t", "\t": scalar = "\t"
        case "n": scalar = "\n"
        case "v": scalar = "\u{B}"
        case "f": scalar = "\u{C}"
        case "r": scalar = "\r"
        case "e": scalar = "\u{1B}"
        case " ": scalar = " "
        case "\"": scalar = "\""
        case "/": scalar = "/"
        case "\\": scalar = "\\"
        case "N": scalar = "\u{85}"
        case "_": scalar = "\u{A0}"
        case "L": scalar = "\u{2028}"
        case "P": scalar = "\u{2029}"
        case "x": (scalar, digits) = (" ", 2)
        case "u": (scalar, digits) = (" ", 4)
        case "U": (scalar, digits) = (" ", 8)
        default: return false
        }
        skip()
        skip()
        if digits > 0 {
            var code: UInt32 = 0
            for _ in 0..<digits {
                guard let digit = current, let value = Self.hexValue(digit) else { return false }
                code = code &<< 4 | value
                skip()
            }
            guard let decoded = Unicode.Scalar(code) else { return false }
            scalar = decoded
        }
        emit(Piece(scalar: scalar, start: start, end: mark))
        return true
    }

    private static func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar.value {
        case 0x30...0x39: return scalar.value - 0x30
        case 0x41...0x46: return scalar.value - 0x41 + 10
        case 0x61...0x66: return scalar.value - 0x61 + 10
        default: return nil
        }
    }

    // MARK: Block scalars

    /// A literal (`|`) or folded (`>`) block scalar, from its indicator.
    ///
    /// The content's indentation depends on the enclosing block's indentation, which the
    /// scalar's own text does not show, so it is worked out from `value` (see
    /// `derivedIndent(value:)`); a value of line breaks only is read at the indentation
    /// libyaml detects. Whether that guess was right is settled by comparing the result
    /// with `value`, as for every style.
    private mutating func block(folded: Bool, value: [Unicode.Scalar]) -> Bool {
        guard current == (folded ? ">" : "|") else { return false }
        skip()
        // The chomping and indentation indicators, in either order. The indentation
        // indicator counts from the enclosing block's indentation, unknown here, so it is
        // skipped and the indentation worked out as described above.
        var chomping = 0
        for _ in 0..<2 {
            if current == "+" || current == "-" {
                chomping = current == "+" ? 1 : -1
                skip()
            } else if let scalar = current, (0x31...0x39).contains(scalar.value) {
                skip()
            }
        }
        while Self.isBlank(current) { skip() }
        if current == "#" {
            while let scalar = current, !Self.isBreak(scalar) { skip() }
        }
        guard current == nil || Self.isBreak(current) else { return false }
        if current != nil { _ = consumeBreak() }
        contentStart = mark
        let indent = derivedIndent(value: value) ?? detectedIndent()
        return blockContent(indent: indent, folded: folded, chomping: chomping)
    }

    /// The content indentation implied by `value`, or nil when `value` holds nothing but
    /// line breaks.
    ///
    /// Up to the first content line, the value holds one line break per empty source
    /// line, then that line's text from the indentation on. So the value's first line
    /// with any character, at line index `n`, is the `n`-th source line after the header,
    /// and the indentation is that source line's leading spaces less the value line's.
    private func derivedIndent(value: [Unicode.Scalar]) -> Int? {
        guard let first = value.firstIndex(where: { !Self.isBreak($0) }) else { return nil }
        var lineIndex = 0
        for scalar in value[..<first] where Self.isBreak(scalar) { lineIndex += 1 }
        var valueSpaces = 0
        while first + valueSpaces < value.count, value[first + valueSpaces] == " " { valueSpaces += 1 }
        var position = index
        for _ in 0..<lineIndex {
            while position < text.count, !Self.isBreak(text[position]) { position += 1 }
            guard position < text.count else { return nil }
            position += text[position] == "\r" && position + 1 < text.count && text[position + 1] == "\n" ? 2 : 1
        }
        var sourceSpaces = 0
        while position + sourceSpaces < text.count, text[position + sourceSpaces] == " " { sourceSpaces += 1 }
        let indent = sourceSpaces - valueSpaces
        return indent >= 1 ? indent : nil
    }

    /// The indentation libyaml detects when there is no indicator, taking the enclosing
    /// block's indentation as unknown: the most leading spaces before the first line with
    /// other content, and at least 1.
    private func detectedIndent() -> Int {
        var position = index
        var most = 0
        while position < text.count {
            var spaces = 0
            while position < text.count, text[position] == " " {
                spaces += 1
                position += 1
            }
            most = max(most, spaces)
            guard position < text.count, Self.isBreak(text[position]) else { break }
            position += text[position] == "\r" && position + 1 < text.count && text[position + 1] == "\n" ? 2 : 1
        }
        return max(most, 1)
    }

    /// The block scalar's lines at `indent` (1-based columns are `indent + 1`), folded or
    /// kept, then chomped. False when a tab stands where indentation is expected.
    private mutating func blockContent(indent: Int, folded: Bool, chomping: Int) -> Bool {
        var leadingBreak: Piece?
        var trailingBreaks: [Piece] = []
        var leadingBlank = false
        guard blockBreaks(indent: indent, into: &trailingBreaks) else { return false }
        while column - 1 == indent, let first = current {
            let trailingBlank = Self.isBlank(first)
            if folded, let pending = leadingBreak, pending.scalar == "\n", !leadingBlank, !trailingBlank {
                if trailingBreaks.isEmpty {
                    emit(Piece(scalar: " ", start: pending.start, end: pending.end))
                }
            } else if let pending = leadingBreak {
                emit(pending)
            }
            emit(trailingBreaks)
            trailingBreaks = []
            leadingBlank = trailingBlank
            while let scalar = current, !Self.isBreak(scalar) { read() }
            leadingBreak = current == nil ? nil : consumeBreak()
            guard blockBreaks(indent: indent, into: &trailingBreaks) else { return false }
        }
        if chomping != -1, let pending = leadingBreak { emit(pending) }
        if chomping == 1 { emit(trailingBreaks) }
        return true
    }

    /// Skips indentation and collects the breaks of empty lines, stopping at the first
    /// line with content (or at the end).
    private mutating func blockBreaks(indent: Int, into breaks: inout [Piece]) -> Bool {
        while true {
            while column - 1 < indent, current == " " { skip() }
            if column - 1 < indent, current == "\t" { return false }
            guard Self.isBreak(current) else { return true }
            breaks.append(consumeBreak())
        }
    }
}

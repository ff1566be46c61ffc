import CaseworkTime

/// An expression's text, sliceable by scalar span in one copy: how node and token texts are made.
///
/// Positions count Unicode scalars. An ASCII text (the usual case) is read in its string's own UTF-8 storage, each
/// byte a scalar; any other keeps its scalars too, and where each starts in the bytes.
struct ExpressionText {
    /// The text itself, which nodes refer to for their own texts.
    let string: String
    /// The text's UTF-8 bytes: `string`'s own storage, valid only while ``ExpressionParser/parse(_:limits:)`` runs.
    let bytes: UnsafeBufferPointer<UInt8>
    /// A text that is not ASCII: its Unicode scalars, and where each starts in `bytes`.
    private final class Scalars {
        /// The text's Unicode scalars.
        let scalars: [Unicode.Scalar]
        /// Where each scalar starts in `bytes`, with one extra entry for the end.
        let byteOffsets: [Int]

        init(scalars: [Unicode.Scalar], byteOffsets: [Int]) {
            self.scalars = scalars
            self.byteOffsets = byteOffsets
        }
    }

    /// The scalars of a text that is not ASCII; nil for an ASCII text (the usual case), whose scalars are its bytes.
    /// One optional reference rather than two arrays, so the lexer's and parser's copies of the text count one
    /// reference (the string's) instead of three.
    private let wide: Scalars?
    /// How many Unicode scalars the text has.
    let count: Int

    /// The text `text`, whose UTF-8 bytes are `bytes`, which must stay valid while the text is used.
    init(_ text: String, bytes: UnsafeBufferPointer<UInt8>) {
        string = text
        self.bytes = bytes
        if Self.isASCII(bytes) {
            // ASCII: each byte is a scalar and offsets are the same in both.
            wide = nil
            count = bytes.count
            return
        }
        let scalars = Array(text.unicodeScalars)
        count = scalars.count
        var offsets: [Int] = []
        offsets.reserveCapacity(scalars.count + 1)
        var offset = 0
        for scalar in scalars {
            offsets.append(offset)
            offset += UTF8.width(scalar)
        }
        offsets.append(offset)
        wide = Scalars(scalars: scalars, byteOffsets: offsets)
    }

    /// Whether every byte is below 0x80, tested eight bytes at a time (a byte at a time was a tenth of a guard's lexing).
    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var offset = 0
        var high: UInt64 = 0
        while offset + 8 <= bytes.count {
            high |= raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < bytes.count {
            high |= UInt64(bytes[offset])
            offset += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// The scalar at `position`, which must be below `count`.
    subscript(position: Int) -> Unicode.Scalar {
        if let wide { return wide.scalars[position] }
        return Unicode.Scalar(bytes[position])
    }

    /// The text of the scalars from `start` up to `end`.
    func slice(_ start: Int, _ end: Int) -> String {
        let end = max(start, end)
        guard let wide else { return String(decoding: bytes[start..<end], as: UTF8.self) }
        return String(decoding: bytes[wide.byteOffsets[start]..<wide.byteOffsets[end]], as: UTF8.self)
    }

    /// The text a span covers.
    func slice(_ span: ExpressionSpan) -> String { slice(span.start, span.end) }

    /// The text a span covers, as a part of the whole text: nothing is copied until it is read.
    func written(_ span: ExpressionSpan) -> WrittenText {
        let end = max(span.start, span.end)
        guard let wide else { return WrittenText(whole: string, bytes: span.start..<end) }
        return WrittenText(whole: string, bytes: wide.byteOffsets[span.start]..<wide.byteOffsets[end])
    }

    /// Whether the scalars from `start` up to `end` spell `word`, without making a string.
    func spells(_ word: StaticString, from start: Int, to end: Int) -> Bool {
        let first = wide?.byteOffsets[start] ?? start
        let last = wide?.byteOffsets[end] ?? end
        guard last - first == word.utf8CodeUnitCount else { return false }
        let letters = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for index in 0..<letters.count where bytes[first + index] != letters[index] { return false }
        return true
    }
}

/// Splits expression text into tokens, reporting the first character that cannot start one.
struct Lexer {
    private let source: ExpressionText
    private var position = 0

    init(_ source: ExpressionText) {
        self.source = source
    }

    /// Every token, ending with `.end`, or the first lexical error, thrown. Thrown rather than returned in a `Result`,
    /// whose type is built from its mangled name on first use, asking the runtime whether ``ExpressionError`` is an
    /// `Error` (a scan of every conformance record).
    static func tokenize(_ source: ExpressionText) throws(ExpressionError) -> [Token] {
        var lexer = Lexer(source)
        var tokens: [Token] = []
        tokens.reserveCapacity(source.count / 4 + 2)
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if case .end = token.kind { return tokens }
        }
    }

    private func text(_ start: Int, _ end: Int) -> String { source.slice(start, end) }

    private func token(_ kind: Token.Kind, from start: Int) -> Token {
        Token(kind: kind, span: ExpressionSpan(start: start, end: position))
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        position + offset < source.count ? source[position + offset] : nil
    }

    private static func isDigit(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return scalar.value >= 48 && scalar.value <= 57
    }

    private static func isIdentifierStart(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return (scalar.value >= 97 && scalar.value <= 122) || (scalar.value >= 65 && scalar.value <= 90) || scalar == "_"
    }

    private static func isIdentifierPart(_ scalar: Unicode.Scalar?) -> Bool {
        isIdentifierStart(scalar) || isDigit(scalar)
    }

    /// The next token, or the error at the first character that cannot start one. Thrown rather than returned in a
    /// `Result`, which carried room for an error's words with every token.
    private mutating func next() throws(ExpressionError) -> Token {
        // The end of the expression is placed just after its last token, not after trailing
        // blanks or the line break a block scalar keeps, so an error there points at that line.
        let afterPrevious = position
        while let scalar = peek(), scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
            position += 1
        }
        let start = position
        guard let scalar = peek() else {
            return Token(kind: .end, span: ExpressionSpan(start: afterPrevious, end: afterPrevious))
        }
        if Self.isIdentifierStart(scalar) {
            while Self.isIdentifierPart(peek()) { position += 1 }
            if let keyword = keyword(from: start) {
                return token(.keyword(keyword), from: start)
            }
            return token(.identifier, from: start)
        }
        if Self.isDigit(scalar) {
            return try number(from: start)
        }
        if scalar == "\"" || scalar == "'" {
            return try string(from: start)
        }
        if let (symbol, width) = Self.symbol(scalar, peek(1)) {
            position += width
            return token(.symbol(symbol), from: start)
        }
        position += 1
        let shown = text(start, position)
        if scalar == "=" {
            throw ExpressionError(.unexpectedCharacter(shown, help: "compare with '=='"), at: span(from: start))
        }
        if scalar == "&" || scalar == "|" || scalar == "!" {
            let word = scalar == "&" ? "and" : scalar == "|" ? "or" : "not"
            throw ExpressionError(.unexpectedCharacter(shown, help: "write '\(word)'"), at: span(from: start))
        }
        throw ExpressionError(.unexpectedCharacter(shown, help: nil), at: span(from: start))
    }

    /// The keyword the word from `start` to the current position spells, if any (compared as bytes: no string is made).
    private func keyword(from start: Int) -> Token.Keyword? {
        guard position - start <= 5 else { return nil }
        if source.spells("and", from: start, to: position) { return .and }
        if source.spells("or", from: start, to: position) { return .or }
        if source.spells("not", from: start, to: position) { return .not }
        if source.spells("in", from: start, to: position) { return .in }
        if source.spells("true", from: start, to: position) { return .true }
        if source.spells("false", from: start, to: position) { return .false }
        return nil
    }

    /// The symbol starting with `first` (two characters when `second` completes one), and its width.
    private static func symbol(_ first: Unicode.Scalar, _ second: Unicode.Scalar?) -> (Token.Symbol, Int)? {
        switch (first, second) {
        case ("=", "="): return (.equal, 2)
        case ("!", "="): return (.notEqual, 2)
        case ("<", "="): return (.lessOrEqual, 2)
        case (">", "="): return (.greaterOrEqual, 2)
        case ("<", _): return (.less, 1)
        case (">", _): return (.greater, 1)
        case ("+", _): return (.plus, 1)
        case ("-", _): return (.minus, 1)
        case (".", _): return (.dot, 1)
        case (",", _): return (.comma, 1)
        case ("(", _): return (.openParen, 1)
        case (")", _): return (.closeParen, 1)
        case ("[", _): return (.openBracket, 1)
        case ("]", _): return (.closeBracket, 1)
        default: return nil
        }
    }

    private func span(from start: Int) -> ExpressionSpan {
        ExpressionSpan(start: start, end: position)
    }

    /// An integer, a decimal (`2.5`) or a date (`2025-09-01`).
    private mutating func number(from start: Int) throws(ExpressionError) -> Token {
        while Self.isDigit(peek()) { position += 1 }
        if position - start == 4, peek() == "-", Self.isDigit(peek(1)), Self.isDigit(peek(2)), peek(3) == "-",
            Self.isDigit(peek(4)), Self.isDigit(peek(5)), !Self.isIdentifierPart(peek(6))
        {
            position += 6
            guard let date = CalendarDate(text(start, position)) else {
                throw ExpressionError(.invalidLiteral(text: text(start, position), reason: "there is no such date"), at: span(from: start))
            }
            return token(.date(date), from: start)
        }
        if peek() == ".", Self.isDigit(peek(1)) {
            position += 1
            while Self.isDigit(peek()) { position += 1 }
            return token(.decimal, from: start)
        }
        if Self.isIdentifierStart(peek()) {
            while Self.isIdentifierPart(peek()) { position += 1 }
            throw ExpressionError(.invalidLiteral(text: text(start, position), reason: "a number is digits, with at most one decimal point"), at: span(from: start))
        }
        guard let value = integerValue(from: start) else {
            throw ExpressionError(.invalidLiteral(text: text(start, position), reason: "the number is too large"), at: span(from: start))
        }
        return token(.integer(value), from: start)
    }

    /// The value of the digits from `start` up to the current position, or nil when it does not fit in an `Int`:
    /// what `Int(String)` makes of them, read in place without making a string.
    private func integerValue(from start: Int) -> Int? {
        var value = 0
        for index in start..<position {
            let (shifted, overflowed) = value.multipliedReportingOverflow(by: 10)
            let (next, carried) = shifted.addingReportingOverflow(Int(source[index].value) - 48)
            guard !overflowed, !carried else { return nil }
            value = next
        }
        return value
    }

    /// A string in single or double quotes; `\\`, `\"`, `\'`, `\n` and `\t` are escapes. Its value is made only when the
    /// parser reads it (``stringValue(_:escaped:in:)``), so the token holds no string.
    private mutating func string(from start: Int) throws(ExpressionError) -> Token {
        // Most quoted text has no escape: its value is the text between the quotes, taken in one piece.
        let quote = source[start]
        var end = start + 1
        while end < source.count, source[end] != quote, source[end] != "\\" { end += 1 }
        if end < source.count, source[end] == quote {
            position = end + 1
            return token(.string(escaped: false), from: start)
        }
        position = try Self.unescape(source, from: start).end
        return token(.string(escaped: true), from: start)
    }

    /// The value of the quoted string whose token spans `span` of `source` (which the lexer has read without error).
    static func stringValue(_ span: ExpressionSpan, escaped: Bool, in source: ExpressionText) -> String {
        guard escaped, let read = try? unescape(source, from: span.start) else { return source.slice(span.start + 1, span.end - 1) }
        return read.value
    }

    /// Reads the quoted string whose opening quote is at `start`, decoding its escapes: its value, and the position
    /// just after its closing quote.
    private static func unescape(_ source: ExpressionText, from start: Int) throws(ExpressionError) -> (value: String, end: Int) {
        let quote = source[start]
        var position = start + 1
        var value = ""
        while position < source.count {
            let scalar = source[position]
            position += 1
            if scalar == quote {
                return (value, position)
            }
            if scalar == "\\" {
                guard position < source.count else { break }
                let escaped = source[position]
                position += 1
                switch escaped {
                case "\\", "\"", "'": value.unicodeScalars.append(escaped)
                case "n": value.unicodeScalars.append("\n")
                case "t": value.unicodeScalars.append("\t")
                default:
                    throw ExpressionError(.invalidLiteral(text: "\\\(escaped)", reason: "quoted text may use the escapes \\\\, \\\", \\', \\n and \\t"), at: ExpressionSpan(start: position - 2, end: position))
                }
                continue
            }
            value.unicodeScalars.append(scalar)
        }
        throw ExpressionError(.invalidLiteral(text: String(quote), reason: "the quoted text is not closed"), at: ExpressionSpan(start: start, end: start + 1))
    }
}

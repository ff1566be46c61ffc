import CaseworkTime

/// A span of an expression's text, in Unicode scalars from the start of the expression.
///
/// Expression spans are relative to the expression; the validator maps them into
/// the YAML file through the scalar that held the expression.
public struct ExpressionSpan: Sendable, Hashable {
    /// The first scalar of the span.
    public var start: Int
    /// One past the last scalar of the span.
    public var end: Int

    /// Creates a span.
    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// The span from the start of `self` to the end of `other`.
    public func through(_ other: ExpressionSpan) -> ExpressionSpan {
        ExpressionSpan(start: min(start, other.start), end: max(end, other.end))
    }
}

/// A lexical token of the expression language.
///
/// A token holds no text of its own (a name's or a number's text is the expression's over the token's span, and a
/// quoted string's value is read from there by ``Lexer/stringValue(_:escaped:in:)``), so tokens are copied without
/// reference counting.
struct Token: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// A name; its text is the span's.
        case identifier
        case integer(Int)
        /// A number with a decimal point; its text is the span's.
        case decimal
        /// A quoted string, and whether it has escapes (otherwise its value is the text between its quotes).
        case string(escaped: Bool)
        case date(CalendarDate)
        case keyword(Keyword)
        case symbol(Symbol)
        case end
    }

    enum Keyword: String, Sendable, Hashable {
        case and, or, not, `in`, `true`, `false`
    }

    enum Symbol: String, Sendable, Hashable {
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case plus = "+", minus = "-", dot = ".", comma = ",", openParen = "(", closeParen = ")"
        case openBracket = "[", closeBracket = "]"
    }

    var kind: Kind
    /// Where the token was written; its text (for messages) is the expression's text over this span.
    var span: ExpressionSpan
}

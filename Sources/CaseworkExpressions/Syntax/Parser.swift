import CaseworkTime
import Foundation

/// Parses expression text into an ``ExpressionSyntax`` by recursive descent, within ``ExpressionLimits``.
///
/// Precedence, lowest first: `or`; `and`; `not`; comparisons and `in` (which do not chain);
/// `+` and `-`; unary `-`; then literals, paths, calls, lists and parentheses.
package enum ExpressionParser {
    /// Parses `text`, or throws the first error. Thrown rather than returned in a `Result`, whose type is built from
    /// its mangled name on first use, asking the runtime whether ``ExpressionError`` is an `Error` (a scan of every
    /// conformance record).
    package static func parse(_ text: String, limits: ExpressionLimits = .standard) throws(ExpressionError) -> ExpressionSyntax {
        guard text.utf8.count <= limits.maxLength || text.unicodeScalars.count <= limits.maxLength else {
            let length = text.unicodeScalars.count
            throw ExpressionError(.expressionTooComplex(reason: "it is \(length) characters long; the limit is \(limits.maxLength)"),
                                  at: ExpressionSpan(start: 0, end: 0))
        }
        // The text is read in its own UTF-8 storage (made contiguous first only if it is not already), never copied.
        // `withUTF8` rethrows untyped, so the parse's error is carried out of the closure by hand.
        var contiguous = text
        var failure: ExpressionError?
        var syntax = contiguous.withUTF8 { bytes -> ExpressionSyntax? in
            do throws(ExpressionError) {
                return try parse(ExpressionText(text, bytes: bytes), limits: limits)
            } catch {
                failure = error
                return nil
            }
        }
        if let failure { throw failure }
        // Moved out of the optional: unwrapping it in place copied the tree (a reference counted for the root's parts)
        // and then destroyed the optional's (given back), for every expression parsed.
        return syntax.take()!
    }

    /// Parses `source`, whose bytes are valid only during this call.
    private static func parse(_ source: ExpressionText, limits: ExpressionLimits) throws(ExpressionError) -> ExpressionSyntax {
        let tokens = try Lexer.tokenize(source)
        var state = ParserState(tokens: tokens, source: source, limits: limits)
        if tokens.first?.kind == .end {
            throw ExpressionError(.unexpectedToken(found: "the end of the expression", expected: "an expression"), at: tokens[0].span)
        }
        let root = try state.expression()
        guard state.current.kind == .end else {
            throw state.unexpected(expected: "an operator such as 'and', 'or' or '=='")
        }
        return ExpressionSyntax(root: root, nodeCount: state.nextID)
    }
}

/// The parser's cursor and counters.
private struct ParserState {
    let tokens: [Token]
    let source: ExpressionText
    let limits: ExpressionLimits
    var index = 0
    var nextID = 0
    var depth = 0

    init(tokens: [Token], source: ExpressionText, limits: ExpressionLimits) {
        self.tokens = tokens
        self.source = source
        self.limits = limits
    }

    var current: Token { tokens[index] }

    /// A token's text as written, for messages and literal nodes.
    func text(of token: Token) -> String { source.slice(token.span) }

    mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func unexpected(expected: String) -> ExpressionError {
        let found = current.kind == .end ? "the end of the expression" : "'\(text(of: current))'"
        return ExpressionError(.unexpectedToken(found: found, expected: expected), at: current.span)
    }

    /// A node whose text is the source it spans.
    ///
    /// Each taking of a node's parts is `consuming`, so a part built for a node moves into it rather than being copied
    /// (which would count a reference to every string and box the part holds) and then destroyed.
    mutating func node(_ kind: consuming ExpressionNode.Kind, _ span: ExpressionSpan) throws(ExpressionError) -> ExpressionNode {
        try node(kind, span, written: source.written(span))
    }

    mutating func node(_ kind: consuming ExpressionNode.Kind, _ span: ExpressionSpan, written: consuming WrittenText) throws(ExpressionError) -> ExpressionNode {
        guard nextID < limits.maxNodes else {
            throw ExpressionError(.expressionTooComplex(reason: "it has more than \(limits.maxNodes) parts"), at: span)
        }
        defer { nextID += 1 }
        return ExpressionNode(id: nextID, kind: kind, span: span, written: written)
    }

    /// A node whose text is `text`: the source it spans when that spells `text`, which then is not copied.
    mutating func node(_ kind: consuming ExpressionNode.Kind, _ span: ExpressionSpan, text: String) throws(ExpressionError) -> ExpressionNode {
        let spanned = source.written(span)
        return try node(kind, span, written: spanned.bytes.count == text.utf8.count && spanned.text == text ? spanned : WrittenText(text))
    }

    mutating func nested<T>(_ body: (inout ParserState) throws(ExpressionError) -> T) throws(ExpressionError) -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= limits.maxDepth else {
            throw ExpressionError(.expressionTooComplex(reason: "it nests deeper than \(limits.maxDepth) levels"), at: current.span)
        }
        return try body(&self)
    }

    // Matched by case, then the keyword or symbol compared: `==` on the whole token kind costs a call per question.
    func isKeyword(_ keyword: Token.Keyword) -> Bool {
        if case .keyword(let found) = current.kind { return found == keyword }
        return false
    }

    func isSymbol(_ symbol: Token.Symbol) -> Bool {
        if case .symbol(let found) = current.kind { return found == symbol }
        return false
    }

    mutating func expect(_ symbol: Token.Symbol, _ description: String) throws(ExpressionError) -> Token {
        guard isSymbol(symbol) else { throw unexpected(expected: description) }
        return advance()
    }

    mutating func binary(_ op: ExpressionNode.BinaryOperator, _ left: consuming ExpressionNode, _ right: consuming ExpressionNode) throws(ExpressionError) -> ExpressionNode {
        let span = left.span.through(right.span)
        return try node(.binary(op, left, right), span)
    }

    mutating func expression() throws(ExpressionError) -> ExpressionNode {
        // A lone operand (most list items and call arguments) is what the descent through the seven precedence levels
        // would hand back untouched: it is read directly, under the same depth limit the descent's first level checks.
        if depth < limits.maxDepth, isLoneOperand { return try primary() }
        return try nested { (state) throws(ExpressionError) in try state.or() }
    }

    /// Whether the current token is a literal or a single name and the next one ends the expression there (`,`, `]`, `)`
    /// or the end), so no operator, dot, call or duration word can follow it: no level above ``primary()`` acts on it.
    var isLoneOperand: Bool {
        switch current.kind {
        case .identifier, .integer, .decimal, .string, .date, .keyword(.true), .keyword(.false): break
        default: return false
        }
        guard index + 1 < tokens.count else { return false }
        switch tokens[index + 1].kind {
        case .symbol(.comma), .symbol(.closeBracket), .symbol(.closeParen), .end: return true
        default: return false
        }
    }

    mutating func or() throws(ExpressionError) -> ExpressionNode {
        var left = try and()
        while isKeyword(.or) {
            _ = advance()
            let right = try and()
            left = try binary(.or, consume left, right)
        }
        return left
    }

    mutating func and() throws(ExpressionError) -> ExpressionNode {
        var left = try not()
        while isKeyword(.and) {
            _ = advance()
            let right = try not()
            left = try binary(.and, consume left, right)
        }
        return left
    }

    mutating func not() throws(ExpressionError) -> ExpressionNode {
        guard isKeyword(.not) else { return try comparison() }
        let keyword = advance()
        let operand = try nested { (state) throws(ExpressionError) in try state.not() }
        return try node(.unary(.not, operand), keyword.span.through(operand.span))
    }

    mutating func comparison() throws(ExpressionError) -> ExpressionNode {
        let left = try additive()
        let op: ExpressionNode.BinaryOperator
        switch current.kind {
        case .symbol(.equal): op = .equal
        case .symbol(.notEqual): op = .notEqual
        case .symbol(.less): op = .less
        case .symbol(.lessOrEqual): op = .lessOrEqual
        case .symbol(.greater): op = .greater
        case .symbol(.greaterOrEqual): op = .greaterOrEqual
        case .keyword(.in): op = .in
        case .keyword(.not) where index + 1 < tokens.count && tokens[index + 1].kind == .keyword(.in):
            _ = advance()
            op = .notIn
        default: return left
        }
        _ = advance()
        let right = try additive()
        if case .symbol(let symbol) = current.kind,
            [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual].contains(symbol)
        {
            throw ExpressionError(.unexpectedToken(found: "'\(text(of: current))'", expected: "'and' or 'or' between comparisons (comparisons do not chain)"),
                                  at: current.span)
        }
        return try binary(op, left, right)
    }

    mutating func additive() throws(ExpressionError) -> ExpressionNode {
        var left = try unary()
        while isSymbol(.plus) || isSymbol(.minus) {
            let op: ExpressionNode.BinaryOperator = advance().kind == .symbol(.plus) ? .plus : .minus
            let right = try unary()
            left = try binary(op, consume left, right)
        }
        return left
    }

    mutating func unary() throws(ExpressionError) -> ExpressionNode {
        guard isSymbol(.minus) else { return try primary() }
        let minus = advance()
        let operand = try nested { (state) throws(ExpressionError) in try state.unary() }
        return try node(.unary(.negate, operand), minus.span.through(operand.span))
    }

    mutating func primary() throws(ExpressionError) -> ExpressionNode {
        let token = current
        switch token.kind {
        case .keyword(.true), .keyword(.false):
            _ = advance()
            return try node(.literal(.bool(token.kind == .keyword(.true))), token.span)
        case .integer(let value):
            _ = advance()
            if current.kind == .identifier, Self.durationWords.contains(text(of: current).lowercased()) {
                return try duration(count: value, from: token)
            }
            return try node(.literal(.int(value)), token.span)
        case .decimal:
            _ = advance()
            let digits = text(of: token)
            // Exact or refused (`ExactDecimal`): `Decimal(string:)` alone rounds past the digits a decimal keeps.
            let value: Decimal
            switch ExactDecimal.read(digits, allowingExponent: false) {
            case .success(let read): value = read
            case .failure(.tooManyDigits):
                let reason = "a decimal keeps at most \(ExactDecimal.significantDigits) significant digits"
                throw ExpressionError(.invalidLiteral(text: digits, reason: reason), at: token.span)
            case .failure(.notANumber), .failure(.outOfRange):
                throw ExpressionError(.invalidLiteral(text: digits, reason: "a number is digits, with at most one decimal point"), at: token.span)
            }
            return try node(.literal(.decimal(value)), token.span)
        case .string(let escaped):
            _ = advance()
            return try node(.literal(.string(Lexer.stringValue(token.span, escaped: escaped, in: source))), token.span)
        case .date(let date):
            _ = advance()
            return try node(.literal(.date(date)), token.span)
        case .identifier:
            _ = advance()
            let name = text(of: token)
            if isSymbol(.openParen) { return try call(ExpressionNode.PathSegment(name: name, span: token.span), from: token) }
            var segments = [ExpressionNode.PathSegment(name: name, span: token.span)]
            var span = token.span
            while isSymbol(.dot) {
                _ = advance()
                guard current.kind == .identifier else { throw unexpected(expected: "a name after '.'") }
                let memberToken = advance()
                segments.append(ExpressionNode.PathSegment(name: text(of: memberToken), span: memberToken.span))
                span = span.through(memberToken.span)
            }
            if segments.count == 1 { return try node(.path(segments), span, written: WrittenText(name)) }
            // Names are ASCII, so the source spells the dotted path exactly when it is as long (no blanks around a dot).
            let length = segments.reduce(segments.count - 1) { $0 + $1.name.utf8.count }
            if span.end - span.start == length { return try node(.path(segments), span) }
            return try node(.path(segments), span, text: segments.map(\.name).joined(separator: "."))
        case .symbol(.openParen):
            _ = advance()
            let inner = try expression()
            let close = try expect(.closeParen, "')'")
            let span = token.span.through(close.span)
            return ExpressionNode(id: inner.id, kind: inner.kind, span: span, written: source.written(span))
        case .symbol(.openBracket):
            return try list(from: token)
        default:
            throw unexpected(expected: "a value, a name or '('")
        }
    }

    static let durationWords: Set<String> = ["day", "days", "week", "weeks", "month", "months", "year", "years", "working"]

    mutating func duration(count: Int, from first: Token) throws(ExpressionError) -> ExpressionNode {
        var words = [text(of: first)]
        var span = first.span
        let unit = advance()
        words.append(text(of: unit))
        span = span.through(unit.span)
        if words[1].lowercased() == "working", current.kind == .identifier {
            let day = advance()
            words.append(text(of: day))
            span = span.through(day.span)
        }
        let text = words.joined(separator: " ")
        switch StatutoryDuration.parse(text) {
        case .success(let duration):
            return try node(.literal(.duration(duration)), span, text: text)
        case .failure(let error):
            throw ExpressionError(.invalidDuration(text: text, reason: error.description), at: span)
        }
    }

    mutating func call(_ name: ExpressionNode.PathSegment, from token: Token) throws(ExpressionError) -> ExpressionNode {
        _ = advance()
        var arguments: [ExpressionNode] = []
        if !isSymbol(.closeParen) {
            repeat {
                if !arguments.isEmpty { _ = advance() }
                arguments.append(try expression())
            } while isSymbol(.comma)
        }
        let close = try expect(.closeParen, "',' or ')'")
        let span = token.span.through(close.span)
        return try node(.call(name, arguments), span)
    }

    mutating func list(from open: Token) throws(ExpressionError) -> ExpressionNode {
        _ = advance()
        var items: [ExpressionNode] = []
        // Lists are short: room for a few items at once, rather than growing the array item by item.
        items.reserveCapacity(4)
        if !isSymbol(.closeBracket) {
            repeat {
                if !items.isEmpty { _ = advance() }
                items.append(try expression())
            } while isSymbol(.comma)
        }
        let close = try expect(.closeBracket, "',' or ']'")
        return try node(.list(items), open.span.through(close.span))
    }
}

@testable import CaseworkExpressions
import Testing

/// The lexer reads an ASCII text in its bytes and any other text through its scalars: both must find the same
/// tokens, and keywords only where a whole word spells one.
@Suite("Expressions: the lexer's words, keywords and blanks")
struct ExpressionLexerTests {
    /// The tokens of `text`, or the first lexical error.
    static func tokens(_ text: String) -> Result<[Token], ExpressionError> {
        var contiguous = text
        return contiguous.withUTF8 { bytes in Result { () throws(ExpressionError) in try Lexer.tokenize(ExpressionText(text, bytes: bytes)) } }
    }

    @Test(arguments: [
        ("and or not in true false", [Token.Kind.keyword(.and), .keyword(.or), .keyword(.not), .keyword(.in), .keyword(.true), .keyword(.false), .end]),
        ("an ore nota inn truex False AND _in x9_Z", [.identifier, .identifier, .identifier, .identifier, .identifier, .identifier, .identifier, .identifier, .identifier, .end]),
        ("\tcase.fields\r\n  == 'x'  ", [.identifier, .symbol(.dot), .identifier, .symbol(.equal), .string(escaped: false), .end]),
        ("a1+b_2-c", [.identifier, .symbol(.plus), .identifier, .symbol(.minus), .identifier, .end]),
    ])
    func wordsAndKeywords(text: String, kinds: [Token.Kind]) throws {
        #expect(try Self.tokens(text).get().map(\.kind) == kinds)
    }

    /// The same words followed by a non-ASCII string: the tokens before it are the same, spans and all.
    @Test(arguments: ["and or not in true false", "an ore nota inn truex False AND _in x9_Z", "\tcase.fields\r\n  == 'x'  ", "a1+b_2-c", "x == 2025-09-01"])
    func asciiAndWideTextsAgree(text: String) throws {
        let ascii = try Self.tokens(text).get().dropLast()
        let wide = try Self.tokens(text + " or 'é'").get()
        #expect(Array(wide.prefix(ascii.count)) == Array(ascii))
    }

    /// A word stops at the first character that is not an ASCII letter, digit or `_`, such as `é`.
    @Test func aWordStopsAtANonASCIILetter() {
        guard case .failure(let error) = Self.tokens("caf\u{E9} == 1") else {
            Issue.record("lexed")
            return
        }
        #expect(error.span == ExpressionSpan(start: 3, end: 4))
    }
}

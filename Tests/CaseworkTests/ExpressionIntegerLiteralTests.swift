@testable import CaseworkExpressions
import Testing

/// The lexer reads an integer's digits in place; what it makes of them must be what `Int(String)` makes of the same text.
@Suite("Expressions: integer literals read in place agree with Int(String)")
struct ExpressionIntegerLiteralTests {
    /// Every power of two and one less, and every all-ones width, up to 64 bits (across `Int.max`).
    static let powers: [String] = (0..<64).flatMap { (shift: Int) -> [String] in
        let power = UInt64(1) << UInt64(shift)
        return [String(UInt64.max >> UInt64(shift)), String(power), String(power - 1)]
    }

    static let digits: [String] = powers + [
        "0", "7", "007", "10", "1000000", "9223372036854775806", "9223372036854775807", "9223372036854775808",
        "9223372036854775810", "18446744073709551616", "99999999999999999999", "000000000000000000000042",
    ]

    @Test(arguments: digits)
    func integerLiteralAgreesWithIntInit(text: String) {
        let parsed = Result { () throws(ExpressionError) in try ExpressionParser.parse(text) }
        if let expected = Int(text) {
            guard case .success(let syntax) = parsed, case .literal(.int(let value)) = syntax.root.kind else {
                Issue.record("\(text) did not parse as an integer: \(parsed)")
                return
            }
            #expect(value == expected)
        } else {
            guard case .failure(let error) = parsed else {
                Issue.record("\(text) parsed although Int(String) refuses it")
                return
            }
            #expect(error.kind == .invalidLiteral(text: text, reason: "the number is too large"))
        }
    }
}

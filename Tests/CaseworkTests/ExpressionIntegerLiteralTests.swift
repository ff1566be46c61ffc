@testable import CaseworkExpressions
import Foundation
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

    /// A decimal literal is exact or refused: up to the 38 significant digits a decimal keeps (leading and trailing
    /// zeros are not significant), and one more digit is CW0309, where `Decimal(string:)` would round it away.
    @Test(arguments: [
        ("2.5", true), ("0.000000000000000000000000000000000000000000001", true),
        ("1234567890123456789012345678901234567.8", true), ("1000000000000000000000000000000000000000.0", true),
        ("1234567890123456789012345678901234567.89", false), ("0.123456789012345678901234567890123456789", false),
    ])
    func aDecimalLiteralIsExactOrRefused(text: String, accepted: Bool) {
        let parsed = Result { () throws(ExpressionError) in try ExpressionParser.parse(text) }
        switch parsed {
        case .success(let syntax):
            guard case .literal(.decimal(let value)) = syntax.root.kind else {
                Issue.record("\(text) did not parse as a decimal")
                return
            }
            #expect(accepted, "\(text)")
            #expect(value == Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")))
        case .failure(let error):
            #expect(!accepted, "\(text): \(error)")
            #expect(error.kind == .invalidLiteral(text: text, reason: "a decimal keeps at most 38 significant digits"))
        }
    }
}

import CaseworkDefinitions
import CaseworkExpressions
import Foundation
import Testing

/// A number from outside is read exactly or refused: a decimal from `--set` or from JSON keeps every digit it is
/// written with, a whole number is whole, and text that is only partly a number is no number at all (where
/// `Decimal(string:)` reads `1.2.3` as 1.2 and `-` as 0, and a double reads `1234.56` as 1234.5599999999997952).
@Suite("numbers from outside, exactly")
struct ExactNumberTests {
    /// What `--set` gives a `decimal` field: exactly the number written, or a refusal.
    @Test(arguments: [
        ("2.5", "2.5"), ("-0.75", "-0.75"), ("1234.56", "1234.56"), (".5", "0.5"), ("3.", "3"), ("007", "7"), ("-0", "0"),
        ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
        ("0.00000000000000000000000000000000000000000001", "0.00000000000000000000000000000000000000000001"),
        ("1.2.3", nil), ("1-2", nil), ("--1", nil), ("-", nil), (".", nil), ("", nil), ("12a", nil), ("1e5", nil), ("+1", nil),
        (" 1", nil), ("١٢", nil), ("½", nil), ("123456789012345678901234567890123456789", nil),
    ] as [(String, String?)])
    func aDecimalFromTheCommandLine(text: String, value: String?) {
        let parsed = FieldValues.parse(text, as: .decimal)
        switch (parsed, value) {
        case (.success(.decimal(let decimal)), .some(let expected)): #expect(decimal == Decimal(string: expected, locale: Locale(identifier: "en_US_POSIX")), "\(text)")
        case (.failure(let problem), nil): #expect(problem.message == "expected a number such as 2.5, found '\(text)'")
        default: Issue.record("'\(text)': \(parsed), expected \(value ?? "a refusal")")
        }
    }

    /// What a JSON number gives a `decimal` and an `int` field, read as every document from outside is read.
    @Test(arguments: [
        ("1234.56", "1234.56", nil), ("19.99", "19.99", nil), ("0.1", "0.1", nil), ("42", "42", 42), ("42.0", "42", 42), ("4.2e1", "42", 42),
        ("1e3", "1000", 1000), ("-0", "0", 0), ("9007199254740993", "9007199254740993", 9_007_199_254_740_993),
        ("9223372036854775807", "9223372036854775807", Int.max), ("9223372036854775808", "9223372036854775808", nil),
        ("1.5", "1.5", nil), ("1e200", nil, nil), ("1.5e-200", nil, nil), ("1.000000000000000000000000000000000000001", nil, nil),
    ] as [(String, String?, Int?)])
    func aJSONNumberIsReadExactly(text: String, decimal: String?, whole: Int?) throws {
        guard case .success(let document) = ReceivedJSON.read(Data("[\(text)]".utf8), field: "x") else {
            Issue.record("'\(text)' is JSON")
            return
        }
        let number = try #require((document as? [Any])?.first)
        #expect("\(number)" == text, "the number keeps its text")
        switch FieldValues.fromJSON(number, as: .decimal) {
        case .success(.decimal(let read)): #expect(read == decimal.flatMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) }, "\(text)")
        case .failure(let problem):
            #expect(decimal == nil, "\(text): \(problem.message)")
            #expect(problem.message == "expected a decimal, found \(text)")
        default: Issue.record("\(text)")
        }
        switch FieldValues.fromJSON(number, as: .int) {
        case .success(.int(let read)): #expect(read == whole, "\(text)")
        case .failure: #expect(whole == nil, "\(text)")
        default: Issue.record("\(text)")
        }
        #expect(FieldValues.fromJSON(number, as: .bool).isFailure, "a number is no boolean")
    }

    /// The one reader's reasons, which an expression's literal reports and every other door folds into "expected a
    /// decimal": digits past the 38th are refused wherever zeros do not make them up, an exponent only where allowed.
    @Test(arguments: [
        ("12345678901234567890123456789012345678", false, nil), ("000123456789012345678901234567890123456789.000", false, .tooManyDigits),
        ("1234567890123456789012345678901234567800000", false, nil), ("0.000000000000000000000000000000000000000000012", false, nil),
        ("1.000000000000000000000000000000000000001", false, .tooManyDigits), ("1.000000000000000000000000000000000000001", true, .tooManyDigits),
        ("1e3", false, .notANumber), ("1e3", true, nil), ("1e", true, .notANumber), ("1e+", true, .notANumber), ("e3", true, .notANumber),
        ("1e200", true, .outOfRange), ("1e-200", true, .outOfRange), ("1.2.3", false, .notANumber), ("", false, .notANumber),
    ] as [(String, Bool, ExactDecimal.Refusal?)])
    func theReaderSaysWhyItRefuses(text: String, allowingExponent: Bool, refusal: ExactDecimal.Refusal?) {
        switch ExactDecimal.read(text, allowingExponent: allowingExponent) {
        case .success(let value):
            #expect(refusal == nil, "\(text) read as \(value)")
            #expect(value == Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), "\(text)")
        case .failure(let reason): #expect(reason == refusal, "\(text)")
        }
    }

    /// A JSON `true` is a boolean and no number; text is neither.
    @Test func aBooleanIsABooleanOnly() throws {
        guard case .success(let document) = ReceivedJSON.read(Data(#"[true, false, "1"]"#.utf8), field: "x") else {
            Issue.record("JSON")
            return
        }
        let values = try #require(document as? [Any])
        #expect(FieldValues.fromJSON(values[0], as: .bool) == .success(.bool(true)))
        #expect(FieldValues.fromJSON(values[1], as: .bool) == .success(.bool(false)))
        #expect(FieldValues.fromJSON(values[0], as: .int).isFailure)
        #expect(FieldValues.fromJSON(values[0], as: .decimal).isFailure)
        #expect(FieldValues.fromJSON(values[2], as: .int).isFailure)
    }
}

private extension Result {
    var isFailure: Bool {
        if case .failure = self { return true }
        return false
    }
}

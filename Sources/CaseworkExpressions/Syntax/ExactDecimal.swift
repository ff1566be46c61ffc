import Foundation

/// A decimal read from its text exactly, or refused: the one reader behind an expression's decimal literal, a
/// `--set` value, a desk form's amount and a JSON number for a `decimal` or `int` field. `Decimal(string:)` alone reads
/// what it can and drops the rest without a word (`1.2.3` as 1.2, `1-2` as 1, `-` as 0) and rounds from the 39th
/// significant digit on; a record that may stand before a tribunal keeps the amount as written or says why not.
package enum ExactDecimal {
    /// The most significant digits a `Decimal` keeps; leading and trailing zeros do not count.
    package static let significantDigits = 38

    /// Why a text is not read as a decimal.
    package enum Refusal: Error, Equatable, Sendable {
        /// Not ASCII digits with an optional `-`, an optional fraction and, where allowed, an exponent.
        case notANumber
        /// More significant digits than a `Decimal` keeps: it would be rounded.
        case tooManyDigits
        /// Written correctly, but with an exponent beyond a `Decimal`'s range.
        case outOfRange
    }

    /// `text` as a decimal: ASCII digits with an optional `-` and an optional fraction (`2.5`, `-0.75`, `.5`, `3.`),
    /// and an exponent when `allowingExponent` (a JSON number: `1.5e3`); refused when it is anything else, has more
    /// significant digits than a `Decimal` keeps, or an exponent beyond its range.
    package static func read(_ text: String, allowingExponent: Bool) -> Result<Decimal, Refusal> {
        let bytes = Array(text.utf8)
        var index = 0
        func digits() -> ArraySlice<UInt8> {
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return bytes[start..<index]
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let whole = digits()
        var fraction: ArraySlice<UInt8> = []
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            fraction = digits()
        }
        guard !whole.isEmpty || !fraction.isEmpty else { return .failure(.notANumber) }
        if allowingExponent, index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard !digits().isEmpty else { return .failure(.notANumber) }
        }
        guard index == bytes.count else { return .failure(.notANumber) }
        let significant = Array(whole + fraction).drop { $0 == UInt8(ascii: "0") }.reversed().drop { $0 == UInt8(ascii: "0") }
        guard significant.count <= significantDigits else { return .failure(.tooManyDigits) }
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), !value.isNaN else {
            return .failure(.outOfRange)
        }
        return .success(value)
    }

    /// `text` as a decimal, or nil where ``read(_:allowingExponent:)`` refuses it, for readers whose refusal names the
    /// expected type rather than the reason.
    package static func value(of text: String, allowingExponent: Bool) -> Decimal? {
        try? read(text, allowingExponent: allowingExponent).get()
    }
}

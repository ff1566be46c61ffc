import CaseworkDefinitions
import Foundation

/// Reading a JWT's JSON parts with type checks: a header or claims object from its base64url text, a NumericDate, and
/// a claim's single value as text.
///
/// Foundation's `JSONSerialization` gives a JSON `true` and the number `1` both as `NSNumber`, so a boolean is told
/// from a number by the C type Foundation records for it (`objCType` `c`), never by `as? Bool`.
enum JWTClaims {
    /// The JSON object `part` encodes, or nil when it is not strict base64url of a JSON object, or names a member twice
    /// (``ReceivedJSON``: RFC 7519 lets a reader either refuse such a token or keep the last value; Casework refuses it,
    /// as it refuses every document from outside that does).
    static func object(_ part: Substring) -> [String: Any]? {
        guard let bytes = Base64URL.decode(part) else { return nil }
        let data = Data(bytes)
        guard ReceivedJSON.problems(in: data, field: "token").isEmpty else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// Whether `value` is a JSON boolean.
    static func isBoolean(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    /// `value` as a NumericDate (seconds since 1970, finite), or nil when it is not a JSON number.
    static func numericDate(_ value: Any) -> Double? {
        guard let number = value as? NSNumber, !isBoolean(value), number.doubleValue.isFinite else { return nil }
        return number.doubleValue
    }

    /// A string, number or boolean claim as the text `--attribute` would be given; nil for a list, object or null.
    static func scalarText(_ value: Any) -> String? {
        if let text = value as? String { return text }
        guard let number = value as? NSNumber else { return nil }
        if isBoolean(value) { return number.boolValue ? "true" : "false" }
        return number.stringValue
    }
}

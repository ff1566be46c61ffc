import Foundation

/// The text `JSONSerialization` writes with `.prettyPrinted`, `.sortedKeys` and `.withoutEscapingSlashes`, written here
/// for the values the case commands print: strings, `Int`s, `Bool`s, `NSNull`, and arrays and string-keyed dictionaries
/// of them, nested up to ``depthLimit``.
///
/// `JSONSerialization` first checks the whole tree, then writes it, asking the runtime of every value whether it is
/// one of a dozen types and protocols (`_NSNumberCastingWithoutBridging`, `[Any?]`, `[String: Any?]`, `NSNumber`); the
/// first such question about a type looks through the process's conformance records, so a warm `case show --format
/// json` spent 7.8 million instructions (about 7 % of the command) on printing a case. Here each value's type is
/// compared with the few a case's JSON holds, and containers are read as `[String: Any]` or `[Any]`.
///
/// The bytes are the same, by construction and by test (`PrettyJSONTests` compares them with `JSONSerialization`'s
/// over random trees): two-space indents, `" : "` between a key and its value, an empty array `[` and `]` on lines
/// of their own with an empty line between (an empty object likewise), keys ordered as the Foundation comparison
/// `JSONSerialization` sorts with orders them (numeric, case-insensitive, forced ordering, the system locale), strings escaped as
/// it escapes them (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other control characters as `\u00xx` in lower case,
/// `/` and everything else as it is). Any other value (a number of another type, such as a decimal's
/// `NSDecimalNumber`, any other object) makes ``text(of:)`` give nil, and the caller leaves the whole tree to
/// `JSONSerialization`.
enum PrettyJSON {
    /// How deep containers may nest: beyond it ``text(of:)`` gives nil (`JSONSerialization` refuses from 512).
    static let depthLimit = 100

    /// The pretty-printed text of `object`, an array or a dictionary, without a final line break; nil when it holds a
    /// value this writer does not write.
    static func text(of object: Any) -> String? {
        guard !isClass(object) else { return nil }
        var writer = Writer()
        if let dictionary = object as? [String: Any] {
            guard writer.object(dictionary, depth: 0) else { return nil }
        } else if let array = object as? [Any] {
            guard writer.array(array, depth: 0) else { return nil }
        } else {
            return nil
        }
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Whether `value` is an object (an `NSNumber`, `NSNull`, `NSArray`…), which Swift could bridge to a value type.
    static func isClass(_ value: Any) -> Bool {
        type(of: value) is AnyObject.Type
    }

    /// Whether key `a` comes before key `b`, in the order `JSONSerialization` sorts keys in (``foundationPrecedes(_:_:)``).
    ///
    /// Keys made only of lower-case ASCII letters and underscores (every key a case's JSON holds: its own keys and the
    /// definitions' snake_case field names) are compared byte by byte, which orders them exactly as Foundation's
    /// collation does (`PrettyJSONTests` compares the two over every such key of up to two characters, and longer ones
    /// sharing a prefix). Any other key goes to Foundation. Its first comparison with a locale loads ICU's locale and
    /// collator, about 1 ms of a warm `case show --format json` (docs/performance.md, "Session 33").
    static func precedes(_ a: String, _ b: String) -> Bool {
        if isSnakeCase(a), isSnakeCase(b) { return a.utf8.lexicographicallyPrecedes(b.utf8) }
        return foundationPrecedes(a, b)
    }

    /// `JSONSerialization`'s own comparison for `.sortedKeys`: numeric, case-insensitive, forced ordering, the system locale.
    static func foundationPrecedes(_ a: String, _ b: String) -> Bool {
        a.compare(b, options: [.numeric, .caseInsensitive, .forcedOrdering], range: a.startIndex..<a.endIndex, locale: NSLocale.system) == .orderedAscending
    }

    /// Whether `key` holds nothing but `a`…`z` and `_`, the keys ``precedes(_:_:)`` compares without Foundation.
    static func isSnakeCase(_ key: String) -> Bool {
        key.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || $0 == UInt8(ascii: "_") }
    }

    /// The bytes written so far and the current indent.
    struct Writer {
        /// The UTF-8 text written so far.
        var bytes: [UInt8] = []
        /// The spaces each new line starts with.
        var indent = 0

        /// An empty writer.
        init() {
            bytes.reserveCapacity(1024)
        }

        /// Writes `value`; false when it is not a value this writer writes.
        mutating func value(_ value: Any, depth: Int) -> Bool {
            let type = type(of: value)
            if type == String.self {
                string(value as! String)
            } else if type == Bool.self {
                raw((value as! Bool) ? "true" : "false")
            } else if type == Int.self {
                raw((value as! Int).description)
            } else if type == NSNull.self {
                raw("null")
            } else if PrettyJSON.isClass(value) {
                return false
            } else if let dictionary = value as? [String: Any] {
                return object(dictionary, depth: depth + 1)
            } else if let array = value as? [Any] {
                return self.array(array, depth: depth + 1)
            } else {
                return false
            }
            return true
        }

        /// Writes an array as `JSONSerialization` pretty-prints one.
        mutating func array(_ array: [Any], depth: Int) -> Bool {
            guard depth < PrettyJSON.depthLimit else { return false }
            raw("[\n")
            indent += 2
            for (index, element) in array.enumerated() {
                if index > 0 { raw(",\n") }
                writeIndent()
                guard value(element, depth: depth) else { return false }
            }
            raw("\n")
            indent -= 2
            writeIndent()
            raw("]")
            return true
        }

        /// Writes a dictionary as `JSONSerialization` pretty-prints one with sorted keys.
        mutating func object(_ dictionary: [String: Any], depth: Int) -> Bool {
            guard depth < PrettyJSON.depthLimit else { return false }
            raw("{\n")
            indent += 2
            for (index, key) in dictionary.keys.sorted(by: PrettyJSON.precedes).enumerated() {
                if index > 0 { raw(",\n") }
                writeIndent()
                string(key)
                raw(" : ")
                guard value(dictionary[key]!, depth: depth) else { return false }
            }
            raw("\n")
            indent -= 2
            writeIndent()
            raw("}")
            return true
        }

        /// Writes `text` as a JSON string, escaped as `JSONSerialization` escapes it (slashes left as they are).
        mutating func string(_ text: String) {
            bytes.append(UInt8(ascii: "\""))
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\""): raw("\\\"")
                case UInt8(ascii: "\\"): raw("\\\\")
                case 0x08: raw("\\b")
                case 0x0C: raw("\\f")
                case UInt8(ascii: "\n"): raw("\\n")
                case UInt8(ascii: "\r"): raw("\\r")
                case UInt8(ascii: "\t"): raw("\\t")
                case 0..<0x20: raw("\\u00" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16))
                default: bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }

        /// Writes `text` as it is.
        mutating func raw(_ text: String) {
            bytes.append(contentsOf: text.utf8)
        }

        /// Writes the current indent, in spaces.
        mutating func writeIndent() {
            bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
        }
    }
}

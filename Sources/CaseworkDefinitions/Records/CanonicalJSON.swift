import CaseworkExpressions
import CaseworkTime
import Foundation

/// The writer of the audit chain's canonical bytes and of every stored row: compact JSON, object keys sorted by their
/// UTF-8 bytes, slashes not escaped, dates as seconds since 1970, exactly as `JSONEncoder` with `.sortedKeys`,
/// `.withoutEscapingSlashes` and `.secondsSince1970` writes the same values (the bytes every stored event was hashed
/// over, and every stored row holds), without its boxing, so an event hashes, and a row is written, in a fraction of
/// the time.
///
/// docs/reference/audit-format.md describes the bytes. Callers write an object's members in sorted key order
/// themselves (``member(_:)``), which fixed record shapes know at compile time; dictionaries of free keys are sorted here
/// (``object(_:_:)``). `Tests/CaseworkTests/AuditFormatTests.swift` checks the bytes against `JSONEncoder` over random
/// and hostile values, `Tests/CaseworkTests/StoredRowFormatTests.swift` the stored rows ``StoredJSON`` writes with it.
package struct CanonicalJSON {
    /// The bytes written so far.
    package private(set) var bytes: [UInt8] = []
    /// Whether every number written so far is one JSON can hold: false once an infinite or NaN double was written,
    /// which `JSONEncoder` refuses to encode, so ``StoredJSON`` refuses it too.
    package private(set) var isValidJSON = true
    /// Whether the object being written already has a member, so the next needs a comma.
    private var hasMember = false

    /// An empty writer with room for `capacity` bytes.
    package init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    /// Writes an object whose members `body` writes, in sorted key order, with ``member(_:)``.
    package mutating func object(_ body: (inout CanonicalJSON) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        let outer = hasMember
        hasMember = false
        body(&self)
        hasMember = outer
        bytes.append(UInt8(ascii: "}"))
    }

    /// Starts the member `key` of the object being written; its value follows.
    package mutating func member(_ key: StaticString) {
        if hasMember { bytes.append(UInt8(ascii: ",")) }
        hasMember = true
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// Writes the member `key` with `value`'s canonical bytes; nothing when `value` is nil, so an optional that is absent
    /// is left out as its `Encodable` form leaves it out. The overloads for plain values below do the same without
    /// generic dispatch, which the record parts of `CaseworkStore` would otherwise pay on every event; this one is
    /// inlinable so that those parts call it specialised for each record type.
    @inlinable
    package mutating func member(_ key: StaticString, _ value: (some CanonicallyWritable)?) {
        guard let value else { return }
        member(key)
        value.write(to: &self)
    }

    /// Writes the member `key` with a string; nothing when nil.
    package mutating func member(_ key: StaticString, _ text: String?) {
        guard let text else { return }
        member(key)
        string(text)
    }

    /// Writes the member `key` with an integer; nothing when nil.
    package mutating func member(_ key: StaticString, _ number: Int?) {
        guard let number else { return }
        member(key)
        integer(number)
    }

    /// Writes the member `key` with a day as `YYYY-MM-DD`; nothing when nil.
    package mutating func member(_ key: StaticString, _ day: CalendarDate?) {
        guard let day else { return }
        member(key)
        string(day.description)
    }

    /// Writes the member `key` with an instant as seconds since 1970 (``double(_:)``), as `.secondsSince1970` encodes a
    /// `Date`; nothing when nil.
    package mutating func member(_ key: StaticString, _ instant: Date?) {
        guard let instant else { return }
        member(key)
        double(instant.timeIntervalSince1970)
    }

    /// Writes the member `key` with a list of strings; nothing when nil.
    package mutating func member(_ key: StaticString, _ texts: [String]?) {
        guard let texts else { return }
        member(key)
        array(texts) { $0.string($1) }
    }

    /// Writes the member `key` with field values by path; nothing when nil.
    package mutating func member(_ key: StaticString, _ values: [String: ExpressionValue]?) {
        guard let values else { return }
        member(key)
        object(values) { $1.write(to: &$0) }
    }

    /// Writes a dictionary as an object, its keys sorted by their UTF-8 bytes (as `JSONEncoder` sorts them), each value
    /// written by `value`.
    package mutating func object<Value>(_ dictionary: [String: Value], _ value: (inout CanonicalJSON, Value) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        if dictionary.count == 1, let (key, element) = dictionary.first {
            string(key)
            bytes.append(UInt8(ascii: ":"))
            value(&self, element)
        } else {
            var first = true
            for (key, element) in dictionary.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                string(key)
                bytes.append(UInt8(ascii: ":"))
                value(&self, element)
            }
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Writes an array, each element written by `element`.
    package mutating func array<Elements: Sequence>(_ elements: Elements, _ element: (inout CanonicalJSON, Elements.Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for item in elements {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            element(&self, item)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes a string: `"` and `\` escaped with a backslash, control characters as `\b \t \n \f \r` or `\u00XX`
    /// (lower-case hexadecimal), everything else (slashes, DEL, every non-ASCII character) as its UTF-8 bytes.
    package mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most text needs no escape: then its bytes go in whole.
        let written = text.utf8.withContiguousStorageIfAvailable { buffer -> Bool in
            guard !buffer.contains(where: Self.needsEscape) else { return false }
            bytes.append(contentsOf: buffer)
            return true
        }
        if written != true {
            for byte in text.utf8 { escaped(byte) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Whether `byte` is written other than as itself inside a string.
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// Writes one byte of a string, escaped when it must be.
    private mutating func escaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
        case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
        case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case 0x00..<0x20:
            bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            bytes.append(Self.hexDigits[Int(byte >> 4)])
            bytes.append(Self.hexDigits[Int(byte & 0x0F)])
        default: bytes.append(byte)
        }
    }

    /// Writes an integer in decimal, `-` before a negative one.
    package mutating func integer(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        // The magnitude's digits, least significant first, into a buffer that holds the longest (Int.min's, which fits
        // a UInt), then appended in order.
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// Writes a double as Swift's shortest round-trip text (`1.5`, `1e-05`, `1.2345678901234568e+20`) without a
    /// trailing `.0`, as `JSONEncoder` writes it. An infinite or NaN double, which JSON cannot hold, clears
    /// ``isValidJSON``.
    package mutating func double(_ value: Double) {
        if !value.isFinite { isValidJSON = false }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    /// Writes `true` or `false`.
    package mutating func bool(_ value: Bool) {
        let word: StaticString = value ? "true" : "false"
        word.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

/// A value that has canonical bytes for the audit chain: the bytes `JSONEncoder` writes for its `Encodable` form
/// under ``StoredJSON``'s settings.
package protocol CanonicallyWritable {
    /// Writes the value's canonical bytes.
    func write(to writer: inout CanonicalJSON)
}

extension ExpressionValue: CanonicallyWritable {
    /// Writes the tagged form (`{"int":7}`, `{"decimal":"2.5"}`), as its `Encodable` form does.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            switch self {
            case .bool(let value): writer.member("bool", value)
            case .int(let value): writer.member("int", value)
            case .decimal(let value): writer.member("decimal", Self.storedText(value))
            case .string(let value): writer.member("string", value)
            case .date(let value): writer.member("date", value)
            case .datetime(let value): writer.member("datetime", value)
            case .duration(let value): writer.member("duration", value.description)
            case .list(let values): writer.member("list", values)
            }
        }
    }
}

extension String: CanonicallyWritable {
    /// Writes the string, escaped (``CanonicalJSON/string(_:)``).
    package func write(to writer: inout CanonicalJSON) { writer.string(self) }
}

extension Int: CanonicallyWritable {
    /// Writes the integer in decimal.
    package func write(to writer: inout CanonicalJSON) { writer.integer(self) }
}

extension Bool: CanonicallyWritable {
    /// Writes `true` or `false`.
    package func write(to writer: inout CanonicalJSON) { writer.bool(self) }
}

extension CalendarDate: CanonicallyWritable {
    /// Writes the day as its `YYYY-MM-DD` string.
    package func write(to writer: inout CanonicalJSON) { writer.string(description) }
}

extension Array: CanonicallyWritable where Element: CanonicallyWritable {
    /// Writes the elements as an array, in order.
    package func write(to writer: inout CanonicalJSON) { writer.array(self) { $1.write(to: &$0) } }
}

extension Dictionary: CanonicallyWritable where Key == String, Value: CanonicallyWritable {
    /// Writes the dictionary as an object, keys sorted by their UTF-8 bytes.
    package func write(to writer: inout CanonicalJSON) { writer.object(self) { $1.write(to: &$0) } }
}

import Foundation

/// The reader of stored rows: a strict JSON (RFC 8259) reader that hands a fixed row shape its members one by one, so
/// a case record is read back without `JSONDecoder`'s boxing, in a fraction of its instructions.
///
/// It reads any valid JSON document the way `JSONDecoder` reads it for these shapes (whitespace, members in any order,
/// members a shape does not know skipped, escapes), so rows written by every earlier version read as before; anything
/// else (a truncation, a stray byte, invalid UTF-8, a control character in a string, a number out of range or not an
/// integer where one is wanted, a member a shape knows named twice, nesting deeper than ``maximumDepth``, bytes after the document)
/// is a ``Failure`` naming the byte, never a default. Shapes read themselves through ``CanonicallyReadable``;
/// `Tests/CaseworkTests/StoredRowReaderTests.swift` checks it against `JSONDecoder` over generated rows and over their
/// truncations and flipped bytes.
package struct CanonicalJSONReader {
    /// Why the bytes are not a row of the shape being read: what was wrong, and at which byte.
    package struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// The offset of the byte where reading stopped.
        package var offset: Int
        /// What was wrong, in words.
        package var message: String

        /// "at byte N: message".
        package var description: String { "at byte \(offset): \(message)" }
    }

    /// How deeply arrays and objects may nest, as `JSONDecoder` limits them, so hostile input cannot exhaust the stack.
    package static let maximumDepth = 512

    /// The document.
    private let bytes: UnsafeBufferPointer<UInt8>
    /// The next byte to read.
    private var offset = 0
    /// The arrays and objects open around ``offset``.
    private var depth = 0

    /// Reads `data` as one `Row`: the whole document, nothing after it but whitespace.
    package static func read<Row: CanonicallyReadable>(_ row: Row.Type, from data: Data) throws(Failure) -> Row {
        try read(data) { (reader: inout CanonicalJSONReader) throws(Failure) -> Row in try Row(reading: &reader) }
    }

    /// Reads `data` as one document with `value`, which must read the whole value at the reader; nothing may follow
    /// it but whitespace.
    package static func read<Value>(_ data: Data, _ value: (inout CanonicalJSONReader) throws(Failure) -> Value) throws(Failure) -> Value {
        let result: Result<Value, Failure> = data.withUnsafeBytes { raw in
            var reader = CanonicalJSONReader(bytes: raw.bindMemory(to: UInt8.self))
            return Result { () throws(Failure) -> Value in
                reader.skipWhitespace()
                let read = try value(&reader)
                reader.skipWhitespace()
                guard reader.offset == reader.bytes.count else { throw reader.failure("bytes after the document") }
                return read
            }
        }
        return try result.get()
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// A failure at the current byte.
    package func failure(_ message: String) -> Failure { Failure(offset: offset, message: message) }

    // MARK: Structure

    /// Reads an object, handing `member` each key in the order written, with the reader at its value, which `member`
    /// must read (or ``skipValue()``). A shape refuses a key it knows written twice (``member(_:_:_:)``).
    package mutating func object(_ member: (inout CanonicalJSONReader, String) throws(Failure) -> Void) throws(Failure) {
        try open(UInt8(ascii: "{"), "an object")
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            offset += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            let key = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            try member(&self, key)
            skipWhitespace()
            switch try next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"):
                depth -= 1
                return
            default: throw back("expected ',' or '}' in an object")
            }
        }
    }

    /// Reads an array, calling `element` with the reader at each element's value, which it must read.
    package mutating func array(_ element: (inout CanonicalJSONReader) throws(Failure) -> Void) throws(Failure) {
        try open(UInt8(ascii: "["), "an array")
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            offset += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            try element(&self)
            skipWhitespace()
            switch try next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "]"):
                depth -= 1
                return
            default: throw back("expected ',' or ']' in an array")
            }
        }
    }

    /// Reads an array whose elements `element` reads, in order.
    package mutating func list<Element>(_ element: (inout CanonicalJSONReader) throws(Failure) -> Element) throws(Failure) -> [Element] {
        var elements: [Element] = []
        try array { (reader: inout CanonicalJSONReader) throws(Failure) in elements.append(try element(&reader)) }
        return elements
    }

    /// Reads an object of free keys whose values `value` reads; a key written twice is a failure.
    package mutating func dictionary<Value>(_ value: (inout CanonicalJSONReader) throws(Failure) -> Value) throws(Failure) -> [String: Value] {
        var result: [String: Value] = [:]
        try object { (reader: inout CanonicalJSONReader, key: String) throws(Failure) in
            guard result[key] == nil else { throw reader.failure("the key '\(key)' is written twice") }
            result[key] = try value(&reader)
        }
        return result
    }

    /// Reads a member a shape knows into `slot`, refusing it when `slot` already holds it (the key written twice).
    package mutating func member<Value>(
        _ slot: inout Value?, _ key: String, _ value: (inout CanonicalJSONReader) throws(Failure) -> Value
    ) throws(Failure) {
        guard slot == nil else { throw failure("the key '\(key)' is written twice") }
        slot = try value(&self)
    }

    /// The value of the required member `key`, or the failure that it is missing (at the end of its object).
    package func required<Value>(_ slot: Value?, _ key: String) throws(Failure) -> Value {
        guard let slot else { throw Failure(offset: offset - 1, message: "the key '\(key)' is missing") }
        return slot
    }

    /// Whether the value at the reader is `null`; reads it when it is, so an optional member reads as absent.
    package mutating func null() throws(Failure) -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    /// Whether the value at the reader is a string, not read.
    package func peekIsString() throws(Failure) -> Bool { try peek() == UInt8(ascii: "\"") }

    /// Whether the value at the reader is an object, not read.
    package func peekIsObject() throws(Failure) -> Bool { try peek() == UInt8(ascii: "{") }

    /// Whether the value at the reader is an array, not read.
    package func peekIsArray() throws(Failure) -> Bool { try peek() == UInt8(ascii: "[") }

    /// Whether the value at the reader begins as `true` or `false` do, not read.
    package func peekIsBool() throws(Failure) -> Bool {
        let byte = try peek()
        return byte == UInt8(ascii: "t") || byte == UInt8(ascii: "f")
    }

    /// Reads `value` unless the value at the reader is `null`, which reads as nil (as `decodeIfPresent` reads it).
    package mutating func optional<Value>(_ value: (inout CanonicalJSONReader) throws(Failure) -> Value) throws(Failure) -> Value? {
        try null() ? nil : try value(&self)
    }

    /// Reads whatever value is at the reader, checking it is valid JSON: a member a shape does not know.
    package mutating func skipValue() throws(Failure) {
        switch try peek() {
        case UInt8(ascii: "{"): try object { (reader: inout CanonicalJSONReader, _: String) throws(Failure) in try reader.skipValue() }
        case UInt8(ascii: "["): try array { (reader: inout CanonicalJSONReader) throws(Failure) in try reader.skipValue() }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try bool()
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try number()
        }
    }

    // MARK: Scalars

    /// Reads a string: escapes decoded (`\uXXXX` pairs of surrogates joined), UTF-8 checked, control characters refused.
    package mutating func string() throws(Failure) -> String {
        try expect(UInt8(ascii: "\""))
        let start = offset
        var highBits: UInt8 = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let text = try utf8(UnsafeBufferPointer(rebasing: bytes[start..<offset]), at: start, isASCII: highBits < 0x80)
                offset += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
            if byte < 0x20 { throw failure("a control character in a string") }
            highBits |= byte
            offset += 1
        }
        throw failure("the text ends inside a string")
    }

    /// The rest of a string from `start`, its opening quote behind it, once an escape is met.
    private mutating func escapedString(from start: Int) throws(Failure) -> String {
        var decoded = Array(bytes[start..<offset])
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                return try decoded.withUnsafeBufferPointer { (buffer) throws(Failure) -> String in try utf8(buffer, at: start, isASCII: false) }
            case UInt8(ascii: "\\"): try escape(into: &decoded)
            case 0..<0x20: throw back("a control character in a string")
            default: decoded.append(byte)
            }
        }
        throw failure("the text ends inside a string")
    }

    /// Decodes one escape, its backslash read, appending its UTF-8 bytes.
    private mutating func escape(into decoded: inout [UInt8]) throws(Failure) {
        let letter = try next()
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(letter)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hexQuad()
            if (0xD800..<0xDC00).contains(scalar) {
                guard try next() == UInt8(ascii: "\\"), try next() == UInt8(ascii: "u") else { throw back("a lone surrogate in a string") }
                let low = try hexQuad()
                guard (0xDC00..<0xE000).contains(low) else { throw back("a lone surrogate in a string") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw back("a lone surrogate in a string")
            }
            // Every value here is a scalar: surrogates are joined or refused above.
            guard let unicode = Unicode.Scalar(scalar) else { throw back("not a character") }
            decoded.append(contentsOf: String(Character(unicode)).utf8)
        default: throw back("'\\\(Character(Unicode.Scalar(letter)))' is not an escape")
        }
    }

    /// Reads four hexadecimal digits.
    private mutating func hexQuad() throws(Failure) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = try next()
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw back("expected a hexadecimal digit")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// `buffer` as text, refused when it is not UTF-8. Decoding repairs what is not UTF-8 (each bad sequence becomes
    /// U+FFFD), so text whose bytes come out unchanged was UTF-8; ASCII (`isASCII`, no byte above 0x7F) always is.
    private func utf8(_ buffer: UnsafeBufferPointer<UInt8>, at start: Int, isASCII: Bool) throws(Failure) -> String {
        let text = String(decoding: buffer, as: UTF8.self)
        guard isASCII || text.utf8.elementsEqual(buffer) else { throw Failure(offset: start, message: "a string that is not UTF-8") }
        return text
    }

    /// Reads `true` or `false`.
    package mutating func bool() throws(Failure) -> Bool {
        switch try peek() {
        case UInt8(ascii: "t"):
            try literal("true")
            return true
        case UInt8(ascii: "f"):
            try literal("false")
            return false
        default: throw failure("expected true or false")
        }
    }

    /// Reads an integer: digits with an optional `-`, in `Int`'s range. A number with a fraction or an exponent, which
    /// the writer never writes, is read as `JSONDecoder` reads it (`1e2` and `7.0` are integers, `1.5` is not), by
    /// `JSONDecoder` itself, so a row it reads never reads otherwise here.
    package mutating func integer() throws(Failure) -> Int {
        let start = offset
        let isInteger = try number()
        guard isInteger else {
            guard let value = try? JSONDecoder().decode(Int.self, from: Data(bytes[start..<offset])) else {
                throw Failure(offset: start, message: "expected an integer")
            }
            return value
        }
        let negative = bytes[start] == UInt8(ascii: "-")
        var magnitude: UInt = 0
        for index in (negative ? start + 1 : start)..<offset {
            let (times, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times.addingReportingOverflow(UInt(bytes[index] - UInt8(ascii: "0")))
            guard !overflow, !carry else { throw Failure(offset: start, message: "an integer out of range") }
            magnitude = sum
        }
        if negative {
            guard magnitude <= UInt(Int.max) + 1 else { throw Failure(offset: start, message: "an integer out of range") }
            return magnitude == UInt(Int.max) + 1 ? Int.min : -Int(magnitude)
        }
        guard magnitude <= UInt(Int.max) else { throw Failure(offset: start, message: "an integer out of range") }
        return Int(magnitude)
    }

    /// Reads a number as a double (Swift's nearest, as `JSONDecoder` reads it); one too large for a double is a failure.
    package mutating func double() throws(Failure) -> Double {
        let start = offset
        _ = try number()
        guard let value = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)), value.isFinite else {
            throw Failure(offset: start, message: "a number out of range")
        }
        return value
    }

    /// Reads a number and gives its text exactly as it is written (its grammar checked), for a reader that must keep
    /// every digit: a double keeps about 17, and a decimal amount read through one comes back changed.
    package mutating func numberText() throws(Failure) -> String {
        let start = offset
        _ = try number()
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
    }

    /// Reads a JSON number (`-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`), saying whether it is written as an
    /// integer (no fraction, no exponent).
    private mutating func number() throws(Failure) -> Bool {
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        guard offset < bytes.count else { throw failure("the text ends where a value was expected") }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
        } else {
            guard digits() > 0 else { throw failure("expected a value") }
        }
        var isInteger = true
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            isInteger = false
            guard digits() > 0 else { throw failure("expected a digit after '.'") }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            isInteger = false
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard digits() > 0 else { throw failure("expected a digit in an exponent") }
        }
        return isInteger
    }

    /// Reads decimal digits and says how many there were.
    private mutating func digits() -> Int {
        let start = offset
        while offset < bytes.count, bytes[offset] >= UInt8(ascii: "0"), bytes[offset] <= UInt8(ascii: "9") { offset += 1 }
        return offset - start
    }

    // MARK: Bytes

    /// Skips spaces, tabs, line feeds and carriage returns.
    package mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    /// Opens an array or object, refusing nesting deeper than ``maximumDepth``.
    private mutating func open(_ byte: UInt8, _ what: String) throws(Failure) {
        guard try peek() == byte else { throw failure("expected \(what)") }
        guard depth < Self.maximumDepth else { throw failure("nested more than \(Self.maximumDepth) deep") }
        depth += 1
        offset += 1
    }

    /// Reads `word` exactly.
    private mutating func literal(_ word: StaticString) throws(Failure) {
        let start = offset
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes.count - offset >= expected.count, bytes[offset..<offset + expected.count].elementsEqual(expected) else {
            throw Failure(offset: start, message: "expected \(word)")
        }
        offset += expected.count
    }

    /// Reads `byte` exactly.
    private mutating func expect(_ byte: UInt8) throws(Failure) {
        guard try peek() == byte else { throw failure("expected '\(Character(Unicode.Scalar(byte)))'") }
        offset += 1
    }

    /// The next byte, not read.
    private func peek() throws(Failure) -> UInt8 {
        guard offset < bytes.count else { throw failure("the text ends where a value was expected") }
        return bytes[offset]
    }

    /// The next byte, read.
    private mutating func next() throws(Failure) -> UInt8 {
        let byte = try peek()
        offset += 1
        return byte
    }

    /// A failure at the byte just read.
    private func back(_ message: String) -> Failure { Failure(offset: offset - 1, message: message) }
}

/// A row shape the ``CanonicalJSONReader`` reads: the values ``StoredJSON/decode(_:from:)`` reads without `JSONDecoder`,
/// each reading exactly what its `Decodable` form reads.
package protocol CanonicallyReadable {
    /// Reads the value at the reader.
    init(reading reader: inout CanonicalJSONReader) throws(CanonicalJSONReader.Failure)
}

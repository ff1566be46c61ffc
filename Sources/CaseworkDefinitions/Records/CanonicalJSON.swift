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
package struct CanonicalJSON: ~Copyable {
    /// The bytes written so far: ``count`` of them, in storage the writer owns and grows (``reserve(_:)``). Writing
    /// through a pointer instead of appending to an array saves a uniqueness and capacity check on every byte and
    /// every punctuation mark, most of what the audit event's bytes cost (docs/performance.md, Benchmarks, `engine`); the
    /// writer cannot be copied, so the storage has one owner, which frees it.
    private var storage: UnsafeMutablePointer<UInt8>
    /// How many bytes of ``storage`` are written.
    private var count = 0
    /// How many bytes ``storage`` holds.
    private var capacity: Int
    /// Whether every number written so far is one JSON can hold: false once an infinite or NaN double was written,
    /// which `JSONEncoder` refuses to encode, so ``StoredJSON`` refuses it too.
    package private(set) var isValidJSON = true
    /// Whether the object being written already has a member, so the next needs a comma.
    private var hasMember = false

    /// An empty writer with room for `capacity` bytes.
    package init(capacity: Int = 512) {
        self.capacity = Swift.max(capacity, 64)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    /// The bytes written so far, copied out.
    package var bytes: [UInt8] { Array(UnsafeBufferPointer(start: storage, count: count)) }

    /// Calls `body` with the bytes written so far, in place: for a caller that only reads them, such as a hash.
    package func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        body(UnsafeBufferPointer(start: storage, count: count))
    }

    /// Makes room for `extra` more bytes, doubling the storage when it is short.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(toHold: count + extra) }
    }

    /// Moves the bytes into storage that holds at least `needed`, twice the old at least.
    private mutating func grow(toHold needed: Int) {
        let larger = Swift.max(needed, capacity * 2)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.initialize(from: storage, count: count)
        storage.deallocate()
        storage = moved
        capacity = larger
    }

    /// Appends one byte.
    @inline(__always)
    private mutating func append(_ byte: UInt8) {
        reserve(1)
        storage[count] = byte
        count += 1
    }

    /// Appends the bytes of `buffer`, room for them having been made.
    @inline(__always)
    private mutating func appendReserved(_ buffer: UnsafeBufferPointer<UInt8>) {
        guard let start = buffer.baseAddress else { return }
        (storage + count).initialize(from: start, count: buffer.count)
        count += buffer.count
    }

    /// Writes an object whose members `body` writes, in sorted key order, with ``member(_:)``.
    package mutating func object(_ body: (inout CanonicalJSON) -> Void) {
        append(UInt8(ascii: "{"))
        let outer = hasMember
        hasMember = false
        body(&self)
        hasMember = outer
        append(UInt8(ascii: "}"))
    }

    /// Starts the member `key` of the object being written; its value follows.
    package mutating func member(_ key: StaticString) {
        // A key is read as the bytes it points to; one of a single character, which Swift may keep as a scalar rather
        // than as bytes, through `withUTF8Buffer`, whose closure costs about ten instructions a key more.
        if key.hasPointerRepresentation {
            memberName(UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        } else {
            key.withUTF8Buffer { memberName($0) }
        }
    }

    /// Writes the comma a member after the first needs, then `name` in quotes and the colon, room made once.
    @inline(__always)
    private mutating func memberName(_ name: UnsafeBufferPointer<UInt8>) {
        reserve(name.count + 4)
        if hasMember {
            storage[count] = UInt8(ascii: ",")
            count += 1
        }
        hasMember = true
        storage[count] = UInt8(ascii: "\"")
        count += 1
        appendReserved(name)
        storage[count] = UInt8(ascii: "\"")
        storage[count + 1] = UInt8(ascii: ":")
        count += 2
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

    /// Writes the member `key` with what an actor came through (an audit event's `via`, a case's and a child's alike);
    /// nothing when nil, which is most events: without the generic path, whose test for nil alone cost about 500
    /// instructions an event.
    package mutating func member(_ key: StaticString, _ intermediary: Intermediary?) {
        guard let intermediary else { return }
        member(key)
        intermediary.write(to: &self)
    }

    /// Writes the member `key` with `true` or `false`; nothing when nil.
    package mutating func member(_ key: StaticString, _ flag: Bool?) {
        guard let flag else { return }
        member(key)
        bool(flag)
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
        append(UInt8(ascii: "{"))
        if dictionary.count < 2 {
            // Nothing to sort: the one entry (or none) is written as it lies.
            for (key, element) in dictionary {
                string(key)
                append(UInt8(ascii: ":"))
                value(&self, element)
            }
        } else {
            var first = true
            for (key, element) in dictionary.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                if !first { append(UInt8(ascii: ",")) }
                first = false
                string(key)
                append(UInt8(ascii: ":"))
                value(&self, element)
            }
        }
        append(UInt8(ascii: "}"))
    }

    /// Writes an array, each element written by `element`.
    package mutating func array<Elements: Sequence>(_ elements: Elements, _ element: (inout CanonicalJSON, Elements.Element) -> Void) {
        append(UInt8(ascii: "["))
        var first = true
        for item in elements {
            if !first { append(UInt8(ascii: ",")) }
            first = false
            element(&self, item)
        }
        append(UInt8(ascii: "]"))
    }

    /// Writes a string: `"` and `\` escaped with a backslash, control characters as `\b \t \n \f \r` or `\u00XX`
    /// (lower-case hexadecimal), everything else (slashes, DEL, every non-ASCII character) as its UTF-8 bytes.
    package mutating func string(_ text: String) {
        // Most text needs no escape: then its bytes go in whole, between the quotes, room made once.
        let written = text.utf8.withContiguousStorageIfAvailable { buffer -> Bool in
            guard !Self.anyNeedsEscape(buffer) else { return false }
            reserve(buffer.count + 2)
            storage[count] = UInt8(ascii: "\"")
            count += 1
            appendReserved(buffer)
            storage[count] = UInt8(ascii: "\"")
            count += 1
            return true
        }
        if written != true {
            append(UInt8(ascii: "\""))
            for byte in text.utf8 { escaped(byte) }
            append(UInt8(ascii: "\""))
        }
    }

    /// Whether any byte of `buffer` is written other than as itself inside a string (``needsEscape(_:)``), read eight
    /// bytes at a time (``anyNeedsEscape(inWord:)``). The bytes after the last whole word are read as the word of eight
    /// that ends with them, some read again, which can find nothing the first reading did not; a text of four to seven
    /// bytes is read as its first four and its last four, overlapping; one of fewer than four byte by byte. Reading
    /// a tail of up to seven bytes one by one was most of what the audit event's short strings cost.
    @inline(__always)
    private static func anyNeedsEscape(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let start = buffer.baseAddress else { return false }
        let count = buffer.count
        let raw = UnsafeRawPointer(start)
        if count >= 8 {
            var offset = 0
            while offset + 8 <= count {
                if anyNeedsEscape(inWord: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) { return true }
                offset += 8
            }
            return offset < count && anyNeedsEscape(inWord: raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
        }
        if count >= 4 {
            return anyNeedsEscape(inWord: raw.loadUnaligned(as: UInt32.self))
                || anyNeedsEscape(inWord: raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
        }
        var offset = 0
        while offset < count {
            if needsEscape(start[offset]) { return true }
            offset += 1
        }
        return false
    }

    /// Whether any byte of `word` is one ``needsEscape(_:)`` names: a byte below 0x20, or equal to `"` or `\`, sets the
    /// top bit of its place in one of three masks (the usual tests for a zero or a smaller byte in a word, which are
    /// exact as a whole: they report a word only when one of its bytes is such a byte).
    @inline(__always)
    private static func anyNeedsEscape<Word: FixedWidthInteger & UnsignedInteger>(inWord word: Word) -> Bool {
        let ones = Word.max / 0xFF
        let highs = ones &* 0x80
        let quotes = word ^ (ones &* Word(UInt8(ascii: "\"")))
        let backslashes = word ^ (ones &* Word(UInt8(ascii: "\\")))
        let controls = (word &- ones &* 0x20) & ~word
        return (controls | ((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes)) & highs != 0
    }

    /// Whether `byte` is written other than as itself inside a string.
    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// Writes one byte of a string, escaped when it must be.
    private mutating func escaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): escape(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): escape(UInt8(ascii: "\\"))
        case 0x08: escape(UInt8(ascii: "b"))
        case 0x09: escape(UInt8(ascii: "t"))
        case 0x0A: escape(UInt8(ascii: "n"))
        case 0x0C: escape(UInt8(ascii: "f"))
        case 0x0D: escape(UInt8(ascii: "r"))
        case 0x00..<0x20:
            escape(UInt8(ascii: "u"))
            append(UInt8(ascii: "0"))
            append(UInt8(ascii: "0"))
            append(lowerHexDigit(byte >> 4))
            append(lowerHexDigit(byte & 0x0F))
        default: append(byte)
        }
    }

    /// Writes a backslash and `letter`.
    private mutating func escape(_ letter: UInt8) {
        append(UInt8(ascii: "\\"))
        append(letter)
    }

    /// Writes an integer in decimal, `-` before a negative one.
    package mutating func integer(_ value: Int) {
        // The sign and the magnitude's digits (at most 20, Int.min's, which fits a UInt), room made once; the digits
        // are written least significant first from the end, then moved to where the number starts.
        reserve(21)
        if value < 0 {
            storage[count] = UInt8(ascii: "-")
            count += 1
        }
        var magnitude = value.magnitude
        var digits = 0
        let end = storage + count + 20
        repeat {
            digits += 1
            end[-digits] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        // The two places may overlap (a twenty-digit number is written where it ends up), so the move is a `memmove`.
        UnsafeMutableRawPointer(storage + count).copyMemory(from: end - digits, byteCount: digits)
        count += digits
    }

    /// Writes a double as Swift's shortest round-trip text (`1.5`, `1e-05`, `1.2345678901234568e+20`) without a
    /// trailing `.0`, as `JSONEncoder` writes it. An infinite or NaN double, which JSON cannot hold, clears
    /// ``isValidJSON``.
    ///
    /// The text is ASCII, so a trailing `.0` is found and left out by its bytes: cutting it from the `String` went
    /// character by character, and was three quarters of writing an instant (docs/performance.md, "Session 29").
    package mutating func double(_ value: Double) {
        if !value.isFinite { isValidJSON = false }
        var text = value.description
        text.withUTF8 { letters in
            let count = letters.count
            let wholeNumber = count >= 2 && letters[count - 2] == UInt8(ascii: ".") && letters[count - 1] == UInt8(ascii: "0")
            let kept = UnsafeBufferPointer(rebasing: letters[..<(wholeNumber ? count - 2 : count)])
            reserve(kept.count)
            appendReserved(kept)
        }
    }

    /// Writes `true` or `false`.
    package mutating func bool(_ value: Bool) {
        let word: StaticString = value ? "true" : "false"
        word.withUTF8Buffer { letters in
            reserve(letters.count)
            appendReserved(letters)
        }
    }
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

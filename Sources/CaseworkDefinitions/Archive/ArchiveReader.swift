import CaseworkYAML

/// Reads what ``ArchiveWriter`` wrote, checking every byte it reads, so that any bytes at all give the values or
/// ``Damage``, never a trap, a loop without end or an allocation out of proportion to the bytes: every number fits
/// in 64 bits and its field, every count is at most the bytes left (each item takes at least one), every flag is 0
/// or 1, every enumeration's code one that exists, every string valid UTF-8 inside the input, every file index one
/// of the set's files, and nothing is nested deeper than ``DefinitionArchive/maximumDepth``.
struct ArchiveReader {
    /// The bytes are not a whole, well-formed archive.
    struct Damage: Error {}

    /// The bytes read.
    private let input: UnsafeRawBufferPointer
    /// Where the next value starts.
    private(set) var offset: Int
    /// The set's files, in order: what a file index names.
    private let files: [String]
    /// The number each of the set's files is known by in this process, for the ranges read.
    private let fileIDs: [SourceFileID]
    /// How deep the value being read is nested (``nested(_:)``).
    private var depth = 0

    /// A reader of `input` from `offset`, for a set read from `files`, in order.
    init(_ input: UnsafeRawBufferPointer, at offset: Int, files: [String]) {
        self.input = input
        self.offset = offset
        self.files = files
        fileIDs = files.map(SourceFileID.init)
    }

    /// The bytes not yet read.
    var remaining: Int { input.count - offset }

    /// Reads one byte.
    mutating func byte() throws(Damage) -> UInt8 {
        guard offset < input.count else { throw Damage() }
        defer { offset += 1 }
        return input[offset]
    }

    /// Reads a non-negative number of at most ten 7-bit groups that fits in 64 bits.
    mutating func unsigned() throws(Damage) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            let next = try byte()
            let group = UInt64(next & 0x7F)
            guard shift < 63 || group <= 1 else { throw Damage() }
            value |= group << UInt64(shift)
            if next & 0x80 == 0 { return value }
        }
        throw Damage()
    }

    /// Reads a zigzagged whole number.
    mutating func integer() throws(Damage) -> Int {
        let zigzag = try unsigned()
        return Int(Int64(bitPattern: (zigzag >> 1) ^ (0 &- (zigzag & 1))))
    }

    /// Reads a whole number inside `bounds`.
    mutating func integer(in bounds: ClosedRange<Int>) throws(Damage) -> Int {
        let value = try integer()
        guard bounds.contains(value) else { throw Damage() }
        return value
    }

    /// Reads a count of items, each of which takes at least one byte: never more than the bytes left.
    mutating func count() throws(Damage) -> Int {
        let value = try unsigned()
        guard value <= UInt64(remaining) else { throw Damage() }
        return Int(value)
    }

    /// Reads an enumeration's code: one of `0..<cases`.
    mutating func code(below cases: Int) throws(Damage) -> Int {
        let value = try unsigned()
        guard value < UInt64(cases) else { throw Damage() }
        return Int(value)
    }

    /// Reads a flag: one byte, 0 or 1.
    mutating func bool() throws(Damage) -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        default: throw Damage()
        }
    }

    /// Reads a string: a byte count inside the input, and that many bytes of valid UTF-8.
    mutating func string() throws(Damage) -> String {
        let length = try count()
        guard length > 0 else { return "" }
        // In bounds: `count()` is at most the bytes left. The bytes are only read, as bytes.
        let utf8 = UnsafeBufferPointer(start: (input.baseAddress! + offset).assumingMemoryBound(to: UInt8.self), count: length)
        // `String(decoding:as:)` repairs ill-formed UTF-8, so a string with a byte of 128 or more is valid exactly when it
        // decodes to its own bytes (a repair writes U+FFFD where no U+FFFD was). `String(validating:as:)` does the same
        // check unspecialised, instantiating its generic types at every string (half the time of reading a set).
        let value = String(decoding: utf8, as: UTF8.self)
        if utf8.contains(where: { $0 >= 0x80 }), !value.utf8.elementsEqual(utf8) { throw Damage() }
        offset += length
        return value
    }

    /// Reads a file index: one of the set's files.
    mutating func file() throws(Damage) -> String {
        files[try code(below: files.count)]
    }

    /// Reads a range: its file's index, then the line, column and offset of its start and end, each 32 bits.
    mutating func range() throws(Damage) -> SourceRange {
        let file = fileIDs[try code(below: fileIDs.count)]
        let bounds = Int(Int32.min)...Int(Int32.max)
        let start = SourceMark(line: try integer(in: bounds), column: try integer(in: bounds), offset: try integer(in: bounds))
        let end = SourceMark(line: try integer(in: bounds), column: try integer(in: bounds), offset: try integer(in: bounds))
        return SourceRange(fileID: file, start: start, end: end)
    }

    /// Reads a located string: the string, then its range.
    mutating func located() throws(Damage) -> Located<String> {
        let value = try string()
        return Located(value, at: try range())
    }

    /// Reads a presence byte, then the value when there is one.
    mutating func optional<Value>(_ read: (inout ArchiveReader) throws(Damage) -> Value) throws(Damage) -> Value? {
        try bool() ? try read(&self) : nil
    }

    /// Reads a count, then that many items (the count checked against the bytes left before anything is reserved).
    mutating func list<Value>(_ read: (inout ArchiveReader) throws(Damage) -> Value) throws(Damage) -> [Value] {
        let count = try count()
        var values: [Value] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try read(&self)) }
        return values
    }

    /// Reads a count, then that many entries straight into a dictionary of that size: each key at most once. (No list of
    /// the entries is made first: a list of pairs is a generic type of its own for the runtime to make on first use, and a
    /// dictionary grown an entry at a time is copied as it grows.)
    mutating func entries<Key: Hashable, Value>(_ read: (inout ArchiveReader) throws(Damage) -> (key: Key, value: Value)) throws(Damage) -> [Key: Value] {
        let count = try count()
        var values: [Key: Value] = Dictionary(minimumCapacity: count)
        for _ in 0..<count {
            let entry = try read(&self)
            guard values.updateValue(entry.value, forKey: entry.key) == nil else { throw Damage() }
        }
        return values
    }

    /// Reads a list of located strings.
    mutating func names() throws(Damage) -> [Located<String>] {
        try list { (reader) throws(Damage) in try reader.located() }
    }

    /// Reads a value one level deeper than the one holding it, refusing values nested deeper than
    /// ``DefinitionArchive/maximumDepth``.
    mutating func nested<Value>(_ read: (inout ArchiveReader) throws(Damage) -> Value) throws(Damage) -> Value {
        guard depth < DefinitionArchive.maximumDepth else { throw Damage() }
        depth += 1
        defer { depth -= 1 }
        return try read(&self)
    }
}

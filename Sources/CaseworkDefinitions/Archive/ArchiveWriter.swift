import CaseworkYAML

/// Writes the parts of a decoded definition set as bytes for ``ArchiveReader`` (``DefinitionArchive``): every number
/// as a LEB128 variable-length number (signed ones zigzagged first), a flag as one byte, an optional as a presence
/// byte and then its value, a list as its count and then its items, a string as its UTF-8 byte count and its bytes,
/// and every source range's file, and every definition's file, as that file's index in the set's files, since the
/// number a range holds for its file means nothing in another process.
struct ArchiveWriter {
    /// Why a value cannot be written: a range or a definition naming a file outside the set's files, a workflow that is
    /// more than an outline, or values nested deeper than ``DefinitionArchive/maximumDepth``.
    struct Unwritable: Error {}

    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []
    /// Each of the set's files by the number its ranges name it by.
    private let fileIndices: [SourceFileID: Int]
    /// How deep the value being written is nested (``nested(_:)``).
    private var depth = 0

    /// A writer for a set read from `files`, in order.
    init(files: [String]) {
        fileIndices = Dictionary(files.enumerated().map { (SourceFileID($0.element), $0.offset) }, uniquingKeysWith: { first, _ in first })
    }

    /// Writes a non-negative number in 7-bit groups, low first, each but the last with its top bit set.
    mutating func unsigned(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Writes a whole number, zigzagged so small negative numbers stay short.
    mutating func integer(_ value: Int) {
        let wide = Int64(value)
        unsigned(UInt64(bitPattern: (wide << 1) ^ (wide >> 63)))
    }

    /// Writes a count or an enumeration's code.
    mutating func count(_ value: Int) { unsigned(UInt64(value)) }

    /// Writes a flag as one byte, 0 or 1.
    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// Writes a string's UTF-8 byte count, then its bytes.
    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            count(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    /// Writes `path` as its index in the set's files.
    mutating func file(_ path: String) throws(Unwritable) {
        guard let index = fileIndices[SourceFileID(path)] else { throw Unwritable() }
        count(index)
    }

    /// Writes a range: its file's index in the set's files, then the line, column and offset of its start and end.
    mutating func range(_ range: SourceRange) throws(Unwritable) {
        guard let index = fileIndices[range.fileID] else { throw Unwritable() }
        count(index)
        for mark in [range.start, range.end] {
            integer(mark.line)
            integer(mark.column)
            integer(mark.offset)
        }
    }

    /// Writes a located string: the string, then its range.
    mutating func located(_ value: Located<String>) throws(Unwritable) {
        string(value.value)
        try range(value.range)
    }

    /// Writes a presence byte, then the value when there is one.
    mutating func optional<Value>(_ value: Value?, _ write: (inout ArchiveWriter, Value) throws(Unwritable) -> Void) throws(Unwritable) {
        bool(value != nil)
        if let value { try write(&self, value) }
    }

    /// Writes a count, then each item.
    mutating func list<Value>(_ values: [Value], _ write: (inout ArchiveWriter, Value) throws(Unwritable) -> Void) throws(Unwritable) {
        count(values.count)
        for value in values { try write(&self, value) }
    }

    /// Writes a list of located strings.
    mutating func names(_ values: [Located<String>]) throws(Unwritable) {
        try list(values) { (writer, value) throws(Unwritable) in try writer.located(value) }
    }

    /// Writes a value one level deeper than the one holding it, refusing values nested deeper than the reader reads.
    mutating func nested(_ write: (inout ArchiveWriter) throws(Unwritable) -> Void) throws(Unwritable) {
        guard depth < DefinitionArchive.maximumDepth else { throw Unwritable() }
        depth += 1
        defer { depth -= 1 }
        try write(&self)
    }
}

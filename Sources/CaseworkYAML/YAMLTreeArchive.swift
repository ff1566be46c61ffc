/// A loaded document written as bytes and read back as the same tree, so a file whose tree is kept need not be
/// parsed again (the definition cache keeps the trees of a set that validated cleanly).
///
/// The form is the tree's three buffers, field by field: four 32-bit counts in this machine's byte order (nodes,
/// child entries, scalar bytes, the root's number), then per node eight numbers, each as a variable-length number
/// (seven bits a byte, low bits first, the high bit set on every byte but the last, at most five bytes; signed
/// values zigzag-coded): its range's start line, column and offset, its end line less the start line, its end column,
/// its end offset less the start offset, its first and its count, then one byte of kind, style and tag; then the
/// child entries as 32-bit values; then the scalar bytes as pieces, each a number (its length times two, plus one
/// for a copy) and then, for a copy, the offset of those bytes in the file's own bytes (`source`, which the reader
/// is given: a scalar written as it stands in the file, most of them), or else the bytes themselves. A node takes 9
/// to 12 bytes where eight 32-bit values took 33, and most scalars take two or three, so an entry is about a third
/// of its earlier size (less to read and to checksum on every hit). It is meant for the build that wrote it and
/// for exactly the file it was loaded from (the cache's key names the build and every file's SHA-256), and carries
/// no checksum: the caller checks the whole entry's.
///
/// Reading checks everything a tree's readers rely on, so any bytes at all give a tree or nil, never a trap or a
/// loop: each number is at most five bytes and fits 32 bits, the pieces describe exactly the scalar bytes and each
/// copy lies inside `source`, each kind, style and tag is one that exists, each scalar's bytes and each container's
/// entries lie inside their buffers, every child was written before its
/// container (so no node contains itself), every mapping key is a scalar, and the root is a mapping.
package enum YAMLTreeArchive {
    /// A tree's parts as they are written: what ``append(_:to:)`` writes of a tree, and what a test alters to write
    /// an archive of a tree the loader could not have made.
    package struct Parts {
        /// One node as written.
        package struct Record {
            /// Its range's marks: start line, column and offset, end line, column and offset.
            package var marks: [Int32]
            /// A scalar's first byte; a container's first entry.
            package var first: Int32
            /// A scalar's length; a container's number of items or entries.
            package var count: Int32
            /// Kind, style and tag in one byte.
            package var code: UInt8
        }

        /// The nodes, in the tree's order.
        package var records: [Record]
        /// The containers' entries.
        package var children: [Int32]
        /// The scalars' bytes.
        package var bytes: [UInt8]
        /// The root's number.
        package var root: Int32

        /// The parts of the tree of the document `root` belongs to, with `root` as its root.
        package init(_ root: YAMLNode) {
            let tree = root.tree
            (records, children, bytes) = withExtendedLifetime(tree) {
                let records = (0..<tree.recordCount).map { position in
                    let record = tree.records[position]
                    let (start, end) = (record.range.start, record.range.end)
                    return Record(
                        marks: [start.line, start.column, start.offset, end.line, end.column, end.offset].map { Int32(clamping: $0) },
                        first: record.first, count: record.count,
                        code: kindCode(record.kind) | styleCode(record.style) << 2 | record.tagCode << 5
                    )
                }
                return (records, Array(UnsafeBufferPointer(start: tree.children, count: tree.childCount)),
                        Array(UnsafeBufferPointer(start: tree.bytes, count: tree.byteCount)))
            }
            self.root = root.index
        }

        /// Appends the parts in the archive's form, each scalar that stands as it is in `source` (the bytes the tree
        /// was loaded from: from its first byte, or its second, after a quote) written as a copy of those bytes.
        package func append(to output: inout [UInt8], source: [UInt8]) {
            output.reserveCapacity(output.count + 16 + records.count * 12 + children.count * 4 + bytes.count)
            for count in [Int32(records.count), Int32(children.count), Int32(bytes.count), root] { appendWord(count, to: &output) }
            for record in records {
                let marks = record.marks.map(Int64.init)
                for value in [marks[0], marks[1], marks[2], marks[3] - marks[0], marks[4], marks[5] - marks[2], Int64(record.first), Int64(record.count)] {
                    appendNumber(value, to: &output)
                }
                output.append(record.code)
            }
            for child in children { appendWord(child, to: &output) }
            var written = 0
            func literal(upTo end: Int) {
                guard end > written else { return }
                appendNumber(Int64(end - written) << 1, to: &output)
                output.append(contentsOf: bytes[written..<end])
                written = end
            }
            for scalar in records.filter({ $0.code & 3 == 0 && $0.count > 0 }).sorted(by: { $0.first < $1.first }) {
                let (first, count) = (Int(scalar.first), Int(scalar.count))
                guard first >= written, first + count <= bytes.count else { continue }
                let value = bytes[first..<(first + count)]
                let start = Int(scalar.marks[2])
                guard let from = [start, start + 1].first(where: { $0 >= 0 && $0 + count <= source.count && source[$0..<($0 + count)].elementsEqual(value) })
                else { continue }
                literal(upTo: first)
                appendNumber(Int64(count) << 1 | 1, to: &output)
                appendNumber(Int64(from), to: &output)
                written = first + count
            }
            literal(upTo: bytes.count)
        }
    }

    /// Appends the tree of the document `root` belongs to, with `root` as its root, loaded from `source`.
    package static func append(_ root: YAMLNode, source: [UInt8], to output: inout [UInt8]) {
        Parts(root).append(to: &output, source: source)
    }

    /// Reads a tree written by ``append(_:source:to:)`` from `input` at `offset`, its ranges naming `file` and its
    /// copied scalars read from `source` (the bytes it was written with), and moves `offset` past it; nil (with
    /// `offset` unspecified) when the bytes there are not a whole, well-formed tree.
    package static func read(_ input: UnsafeRawBufferPointer, at offset: inout Int, file: String, source: UnsafeRawBufferPointer) -> YAMLNode? {
        guard let nodes = word(input, &offset), let childCount = word(input, &offset), let byteCount = word(input, &offset),
            let root = word(input, &offset), nodes > 0, childCount >= 0, byteCount >= 0, root >= 0, root < nodes,
            input.count - offset >= Int(nodes) * smallestRecord + Int(childCount) * 4,
            // Copies are of distinct scalars of the file, so an archive's scalars are at most the file and its literal bytes.
            Int(byteCount) <= input.count - offset + source.count
        else { return nil }
        let fileID = SourceFileID(file)
        var records = GrowableBuffer<YAMLNodeRecord>(capacity: Int(nodes))
        guard let base = input.baseAddress else { return nil }
        var numbers = Numbers(base: base, position: offset, end: input.count)
        for _ in 0..<nodes {
            guard let startLine = numbers.next(), let startColumn = numbers.next(), let startOffset = numbers.next(),
                let lines = numbers.next(), let endColumn = numbers.next(), let length = numbers.next(),
                let first = numbers.next(), let count = numbers.next(),
                let endLine = Int32(exactly: Int64(startLine) + Int64(lines)), let endOffset = Int32(exactly: Int64(startOffset) + Int64(length)),
                let packed = numbers.byte()
            else { return nil }
            guard let kind = kind(packed & 3), let style = style(packed >> 2 & 7) else { return nil }
            let range = SourceRange(
                fileID: fileID, start: SourceMark(line: Int(startLine), column: Int(startColumn), offset: Int(startOffset)),
                end: SourceMark(line: Int(endLine), column: Int(endColumn), offset: Int(endOffset))
            )
            records.append(YAMLNodeRecord(range: range, first: first, count: count, kind: kind, style: style, tagCode: packed >> 5))
        }
        offset = numbers.position
        guard input.count - offset >= Int(childCount) * 4 else { return nil }
        var children = GrowableBuffer<Int32>(capacity: Int(childCount))
        for index in 0..<Int(childCount) { children.append(input.loadUnaligned(fromByteOffset: offset + 4 * index, as: Int32.self)) }
        numbers.position = offset + 4 * Int(childCount)
        var bytes = GrowableBuffer<UInt8>(capacity: Int(byteCount))
        var described = 0
        while described < Int(byteCount) {
            guard let header = numbers.next(), header >= 0 else { return nil }
            let length = Int(header >> 1)
            guard length <= Int(byteCount) - described else { return nil }
            if header & 1 == 1 {
                guard let from = numbers.next(), from >= 0, Int(from) <= source.count - length, let origin = source.baseAddress else { return nil }
                bytes.append(contentsOf: UnsafeBufferPointer(start: (origin + Int(from)).assumingMemoryBound(to: UInt8.self), count: length))
            } else {
                guard length <= numbers.end - numbers.position else { return nil }
                bytes.append(contentsOf: UnsafeBufferPointer(start: (base + numbers.position).assumingMemoryBound(to: UInt8.self), count: length))
                numbers.position += length
            }
            described += length
        }
        offset = numbers.position
        guard records[Int(root)].kind == .mapping,
            wellFormed(records: records.base, count: Int(nodes), children: children.base, childCount: Int(childCount), byteCount: Int(byteCount))
        else { return nil }
        let tree = YAMLTree(
            records: records.release(), recordCount: Int(nodes), children: children.release(), childCount: Int(childCount),
            bytes: bytes.release(), byteCount: Int(byteCount)
        )
        return YAMLNode(tree: tree, index: root)
    }

    /// The fewest bytes one node takes: eight one-byte numbers and its kind, style and tag.
    static let smallestRecord = 9

    /// Whether every node's bytes or entries lie inside their buffers, every child comes before its container, every
    /// mapping key is a scalar, and the containers' entries together are no more than the child entries written (as
    /// the loader writes them, each entry belongs to one container), so checking them takes one pass.
    private static func wellFormed(
        records: UnsafeMutablePointer<YAMLNodeRecord>, count: Int, children: UnsafeMutablePointer<Int32>, childCount: Int, byteCount: Int
    ) -> Bool {
        var entriesSeen = 0
        for position in 0..<count {
            let record = records[position]
            let first = Int(record.first)
            let length = Int(record.count)
            guard first >= 0, length >= 0 else { return false }
            switch record.kind {
            case .scalar:
                guard first + length <= byteCount else { return false }
            case .sequence, .mapping:
                let entries = record.kind == .mapping ? 2 * length : length
                entriesSeen += entries
                guard first + entries <= childCount, entriesSeen <= childCount else { return false }
                for entry in 0..<entries {
                    let child = Int(children[first + entry])
                    guard child >= 0, child < position else { return false }
                    if record.kind == .mapping, entry % 2 == 0, records[child].kind != .scalar { return false }
                }
            }
        }
        return true
    }

    private static func appendWord(_ value: Int32, to output: inout [UInt8]) {
        withUnsafeBytes(of: value) { output.append(contentsOf: $0) }
    }

    /// Appends `value` zigzag-coded (0, -1, 1, -2, … as 0, 1, 2, 3, …), seven bits a byte, low bits first.
    private static func appendNumber(_ value: Int64, to output: inout [UInt8]) {
        var coded = UInt64(bitPattern: value << 1 ^ value >> 63)
        while coded >= 0x80 {
            output.append(UInt8(truncatingIfNeeded: coded) | 0x80)
            coded >>= 7
        }
        output.append(UInt8(coded))
    }

    /// The numbers and bytes of the nodes, read in turn from `base` at `position` up to `end`: straight from memory,
    /// with no per-byte bounds check beyond `end` (the archive's nodes are most of what a hit reads).
    private struct Numbers {
        let base: UnsafeRawPointer
        var position: Int
        let end: Int

        /// The next byte; nil past the end.
        mutating func byte() -> UInt8? {
            guard position < end else { return nil }
            defer { position &+= 1 }
            return base.load(fromByteOffset: position, as: UInt8.self)
        }

        /// The next number written by ``appendNumber(_:to:)``; nil past the end, after five bytes still not ended, or
        /// when it does not fit 32 bits.
        mutating func next() -> Int32? {
            var coded: UInt64 = 0
            var shift: UInt64 = 0
            while shift < 35, let byte = byte() {
                coded |= UInt64(byte & 0x7F) &<< shift
                if byte < 0x80 { return Int32(exactly: Int64(bitPattern: coded &>> 1) ^ (0 &- Int64(bitPattern: coded & 1))) }
                shift &+= 7
            }
            return nil
        }
    }

    /// The 32-bit value at `offset`, moving past it; nil past the end.
    private static func word(_ input: UnsafeRawBufferPointer, _ offset: inout Int) -> Int32? {
        guard input.count - offset >= 4 else { return nil }
        defer { offset += 4 }
        return input.loadUnaligned(fromByteOffset: offset, as: Int32.self)
    }

    private static func kindCode(_ kind: YAMLNodeKind) -> UInt8 {
        switch kind {
        case .scalar: 0
        case .sequence: 1
        case .mapping: 2
        }
    }

    private static func kind(_ code: UInt8) -> YAMLNodeKind? {
        switch code {
        case 0: .scalar
        case 1: .sequence
        case 2: .mapping
        default: nil
        }
    }

    private static func styleCode(_ style: YAMLScalarStyle) -> UInt8 {
        switch style {
        case .plain: 0
        case .singleQuoted: 1
        case .doubleQuoted: 2
        case .literal: 3
        case .folded: 4
        }
    }

    private static func style(_ code: UInt8) -> YAMLScalarStyle? {
        switch code {
        case 0: .plain
        case 1: .singleQuoted
        case 2: .doubleQuoted
        case 3: .literal
        case 4: .folded
        default: nil
        }
    }
}

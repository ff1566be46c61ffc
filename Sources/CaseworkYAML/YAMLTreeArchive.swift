/// A loaded document written as bytes and read back as the same tree, so a file whose tree is kept need not be
/// parsed again (the definition cache keeps the trees of a set that validated cleanly).
///
/// The form is the tree's three buffers, field by field, in this machine's byte order: four 32-bit counts (nodes,
/// child entries, scalar bytes, the root's number), then per node its range's six 32-bit marks (start line, column
/// and offset, end line, column and offset), its first and count, and one byte of kind, style and tag; then the
/// child entries; then the scalar bytes. It is meant for the build that wrote it (the cache's key names the build),
/// and carries no checksum: the caller checks the whole entry's.
///
/// Reading checks everything a tree's readers rely on, so any bytes at all give a tree or nil, never a trap or a
/// loop: each kind, style and tag is one that exists, each scalar's bytes and each container's entries lie inside
/// their buffers, every child was written before its container (so no node contains itself), every mapping key is a
/// scalar, and the root is a mapping.
package enum YAMLTreeArchive {
    /// Appends the tree of the document `root` belongs to, with `root` as its root.
    package static func append(_ root: YAMLNode, to output: inout [UInt8]) {
        let tree = root.tree
        withExtendedLifetime(tree) {
            output.reserveCapacity(output.count + 16 + tree.recordCount * recordSize + tree.childCount * 4 + tree.byteCount)
            for count in [tree.recordCount, tree.childCount, tree.byteCount, Int(root.index)] { appendWord(Int32(count), to: &output) }
            for position in 0..<tree.recordCount {
                let record = tree.records[position]
                let (start, end) = (record.range.start, record.range.end)
                for value in [start.line, start.column, start.offset, end.line, end.column, end.offset] {
                    appendWord(Int32(clamping: value), to: &output)
                }
                appendWord(record.first, to: &output)
                appendWord(record.count, to: &output)
                output.append(kindCode(record.kind) | styleCode(record.style) << 2 | record.tagCode << 5)
            }
            output.append(contentsOf: UnsafeRawBufferPointer(start: tree.children, count: tree.childCount * 4))
            output.append(contentsOf: UnsafeBufferPointer(start: tree.bytes, count: tree.byteCount))
        }
    }

    /// Reads a tree written by ``append(_:to:)`` from `input` at `offset`, its ranges naming `file`, and moves `offset`
    /// past it; nil (with `offset` unspecified) when the bytes there are not a whole, well-formed tree.
    package static func read(_ input: UnsafeRawBufferPointer, at offset: inout Int, file: String) -> YAMLNode? {
        guard let nodes = word(input, &offset), let childCount = word(input, &offset), let byteCount = word(input, &offset),
            let root = word(input, &offset), nodes > 0, childCount >= 0, byteCount >= 0, root >= 0, root < nodes,
            input.count - offset >= Int(nodes) * recordSize + Int(childCount) * 4 + Int(byteCount)
        else { return nil }
        let fileID = SourceFileID(file)
        var records = GrowableBuffer<YAMLNodeRecord>(capacity: Int(nodes))
        for _ in 0..<nodes {
            // In bounds: the sizes were checked against the input above.
            func value(_ index: Int) -> Int32 { input.loadUnaligned(fromByteOffset: offset + 4 * index, as: Int32.self) }
            let packed = input[offset + 32]
            guard let kind = kind(packed & 3), let style = style(packed >> 2 & 7) else { return nil }
            let range = SourceRange(
                fileID: fileID, start: SourceMark(line: Int(value(0)), column: Int(value(1)), offset: Int(value(2))),
                end: SourceMark(line: Int(value(3)), column: Int(value(4)), offset: Int(value(5)))
            )
            records.append(YAMLNodeRecord(range: range, first: value(6), count: value(7), kind: kind, style: style, tagCode: packed >> 5))
            offset += recordSize
        }
        var children = GrowableBuffer<Int32>(capacity: Int(childCount))
        for index in 0..<Int(childCount) { children.append(input.loadUnaligned(fromByteOffset: offset + 4 * index, as: Int32.self)) }
        offset += 4 * Int(childCount)
        var bytes = GrowableBuffer<UInt8>(capacity: Int(byteCount))
        if let base = input.baseAddress {
            bytes.append(contentsOf: UnsafeBufferPointer(start: (base + offset).assumingMemoryBound(to: UInt8.self), count: Int(byteCount)))
        }
        offset += Int(byteCount)
        guard records[Int(root)].kind == .mapping,
            wellFormed(records: records.base, count: Int(nodes), children: children.base, childCount: Int(childCount), byteCount: Int(byteCount))
        else { return nil }
        let tree = YAMLTree(
            records: records.release(), recordCount: Int(nodes), children: children.release(), childCount: Int(childCount),
            bytes: bytes.release(), byteCount: Int(byteCount)
        )
        return YAMLNode(tree: tree, index: root)
    }

    /// The bytes one node takes: eight 32-bit values and one byte.
    static let recordSize = 33

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

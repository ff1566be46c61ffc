/// A loaded document written as bytes and read back, in place, as the same tree, so a file whose tree is kept need not
/// be parsed again (the definition cache keeps the trees of a set that validated cleanly).
///
/// The form is the tree's three buffers as they lie in memory, in this machine's byte order and this build's layout:
/// four 32-bit counts (nodes, child entries, scalar bytes, the root's number), a 32-bit count of padding bytes and that
/// many zeros, so the records start where a ``YAMLNodeRecord`` may lie; then each node's record as this build lays it
/// out (``recordSize`` bytes: its range's marks, its first and count, its kind, style and tag code; its file's number
/// and the bytes past the record written as zeros, since a number standing for a path means nothing in another
/// process); then the child entries; then the scalar bytes. It is meant for the build that wrote it (the cache's key
/// names the build), and carries no checksum: the caller checks the whole entry's.
///
/// Reading copies nothing: the tree's buffers are the archive's bytes (``read(_:keptBy:at:file:)``), held by the
/// object that holds those bytes, and every node's range names the file the tree is read for. It checks everything a
/// tree's readers rely on, so any bytes at all give a tree or nil, never a trap or a loop: each kind and style byte is
/// one this build writes for a kind or style that exists, and each tag code one that exists, before any record is
/// read as a record; each scalar's bytes and each container's entries lie inside their buffers, every child was
/// written before its container (so no node contains itself), every mapping key is a scalar, and the root is a
/// mapping; and the records lie where a record may (bytes not so placed are refused, not copied).
package enum YAMLTreeArchive {
    /// Appends the tree of the document `root` belongs to, with `root` as its root, to `output`, whose first byte will
    /// lie `base` bytes past a place aligned as a record must be (the start of a mapped file, or of memory of its own).
    package static func append(_ root: YAMLNode, to output: inout [UInt8], base: Int = 0) {
        let tree = root.tree
        withExtendedLifetime(tree) {
            output.reserveCapacity(output.count + 24 + tree.recordCount * recordSize + tree.childCount * 4 + tree.byteCount)
            for count in [tree.recordCount, tree.childCount, tree.byteCount, Int(root.index)] { appendWord(Int32(count), to: &output) }
            let padding = (alignment - (base + output.count + 4) % alignment) % alignment
            appendWord(Int32(padding), to: &output)
            output.append(contentsOf: repeatElement(0, count: padding))
            for position in 0..<tree.recordCount {
                let record = tree.records[position]
                let start = output.count
                withUnsafeBytes(of: record) { output.append(contentsOf: $0) }
                output.append(contentsOf: repeatElement(0, count: recordSize - MemoryLayout<YAMLNodeRecord>.size))
                for index in fileOffset..<(fileOffset + MemoryLayout<SourceFileID>.size) { output[start + index] = 0 }
            }
            output.append(contentsOf: UnsafeRawBufferPointer(start: tree.children, count: tree.childCount * 4))
            output.append(contentsOf: UnsafeBufferPointer(start: tree.bytes, count: tree.byteCount))
        }
    }

    /// Reads a tree written by ``append(_:to:base:)`` from `input` at `offset`, in place, its ranges naming `file`, and
    /// moves `offset` past it; nil (with `offset` unspecified) when the bytes there are not a whole, well-formed tree
    /// lying where its records may. The tree's buffers are `input`'s bytes, which `keeper` must hold, unchanged, for as
    /// long as it lives: the tree keeps `keeper`.
    package static func read(_ input: UnsafeRawBufferPointer, keptBy keeper: AnyObject, at offset: inout Int, file: String) -> YAMLNode? {
        guard let nodes = word(input, &offset), let childCount = word(input, &offset), let byteCount = word(input, &offset),
            let root = word(input, &offset), let padding = word(input, &offset), nodes > 0, childCount >= 0, byteCount >= 0, root >= 0, root < nodes,
            padding >= 0, padding < alignment,
            input.count - offset >= Int(padding) + Int(nodes) * recordSize + Int(childCount) * 4 + Int(byteCount),
            let base = input.baseAddress
        else { return nil }
        offset += Int(padding)
        guard Int(bitPattern: base + offset) % alignment == 0 else { return nil }
        // Every kind, style and tag byte is one this build writes, before any record is read as one: a byte that is no
        // case of its enumeration must never be read as that enumeration.
        let (kinds, styles) = (kindBytes, styleBytes)
        for position in 0..<Int(nodes) {
            let record = offset + position * recordSize
            guard kinds.contains(input[record + kindOffset]), styles.contains(input[record + styleOffset]), input[record + tagOffset] <= 7 else { return nil }
        }
        // In bounds and aligned: the sizes were checked against the input above, and `recordSize` is a multiple of the
        // records' alignment, which is a multiple of the child entries'.
        let records = UnsafeMutableRawPointer(mutating: base + offset).bindMemory(to: YAMLNodeRecord.self, capacity: Int(nodes))
        offset += Int(nodes) * recordSize
        let children = UnsafeMutableRawPointer(mutating: base + offset).bindMemory(to: Int32.self, capacity: Int(childCount))
        offset += 4 * Int(childCount)
        let bytes = UnsafeMutableRawPointer(mutating: base + offset).bindMemory(to: UInt8.self, capacity: Int(byteCount))
        offset += Int(byteCount)
        guard records[Int(root)].kind == .mapping,
            wellFormed(records: records, count: Int(nodes), children: children, childCount: Int(childCount), byteCount: Int(byteCount))
        else { return nil }
        let tree = YAMLTree(
            records: records, recordCount: Int(nodes), children: children, childCount: Int(childCount), bytes: bytes, byteCount: Int(byteCount),
            file: SourceFileID(file), keeper: keeper
        )
        return YAMLNode(tree: tree, index: root)
    }

    /// The bytes one node takes: a record, as this build lays it out.
    static let recordSize = MemoryLayout<YAMLNodeRecord>.stride
    /// Where the records must lie: their alignment, at least the child entries'.
    static let alignment = max(MemoryLayout<YAMLNodeRecord>.alignment, MemoryLayout<Int32>.alignment)
    /// Where in a record its kind, style, tag code and file's number lie.
    static let kindOffset = MemoryLayout<YAMLNodeRecord>.offset(of: \.kind)!
    static let styleOffset = MemoryLayout<YAMLNodeRecord>.offset(of: \.style)!
    static let tagOffset = MemoryLayout<YAMLNodeRecord>.offset(of: \.tagCode)!
    static let fileOffset = MemoryLayout<YAMLNodeRecord>.offset(of: \YAMLNodeRecord.range.fileID)!
    /// The one byte each kind and each style is stored as in this build (each enumeration is one byte).
    static let kindBytes: [UInt8] = [YAMLNodeKind.scalar, .sequence, .mapping].map { kind in withUnsafeBytes(of: kind) { $0[0] } }
    static let styleBytes: [UInt8] = [YAMLScalarStyle.plain, .singleQuoted, .doubleQuoted, .literal, .folded].map { style in withUnsafeBytes(of: style) { $0[0] } }

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
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a scalar was written in the file.
///
/// Later stages need this to map an offset inside a scalar's value back to a
/// column in the file (an expression error inside a quoted or folded string).
public enum YAMLScalarStyle: Sendable, Hashable, BitwiseCopyable {
    /// Written bare: `requested_on`.
    case plain
    /// Written in single quotes: `'it''s'`.
    case singleQuoted
    /// Written in double quotes, with escapes: `"a\tb"`.
    case doubleQuoted
    /// A block scalar that keeps line breaks: `|`.
    case literal
    /// A block scalar that folds line breaks into spaces: `>`.
    case folded
}

/// The standard YAML tags a file may use; anything else is rejected.
public enum YAMLStandardTag: String, Sendable, Hashable, CaseIterable {
    /// `!!str`: the scalar is a string whatever it looks like.
    case string = "tag:yaml.org,2002:str"
    /// `!!int`.
    case int = "tag:yaml.org,2002:int"
    /// `!!float`.
    case float = "tag:yaml.org,2002:float"
    /// `!!bool`.
    case bool = "tag:yaml.org,2002:bool"
    /// `!!null`.
    case null = "tag:yaml.org,2002:null"
    /// `!!seq`.
    case sequence = "tag:yaml.org,2002:seq"
    /// `!!map`.
    case mapping = "tag:yaml.org,2002:map"
}

/// A scalar value exactly as written (after YAML's quoting and folding), with its style.
package struct YAMLScalar: Sendable, Hashable {
    /// The scalar's text after YAML unquoting and folding.
    package var value: String
    /// How the scalar was written.
    package var style: YAMLScalarStyle

    /// Creates a scalar.
    package init(value: String, style: YAMLScalarStyle) {
        self.value = value
        self.style = style
    }

    /// True for a plain scalar that YAML reads as null: empty, `~` or `null`.
    package var isNull: Bool {
        style == .plain && (value.isEmpty || value == "~" || value == "null" || value == "Null" || value == "NULL")
    }
}

/// A mapping key: always a scalar in Casework files, with where it was written.
package struct YAMLKey: Sendable, Hashable {
    /// The key's text.
    package var name: String
    /// Where the key was written.
    package var range: SourceRange

    /// Creates a key.
    package init(name: String, range: SourceRange) {
        self.name = name
        self.range = range
    }
}

/// One `key: value` entry of a mapping, in file order.
package struct YAMLPair: Sendable {
    /// The key, with its own range so "unknown key" points at the key.
    package var key: YAMLKey
    /// The value.
    package var value: YAMLNode

    /// Creates an entry.
    package init(key: YAMLKey, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// A node of a YAML document: a scalar, a sequence or a mapping, with its source range.
///
/// The tree knows nothing of workflows; it only keeps what was written and where.
///
/// A loaded document is stored flat (node records, child lists and scalar bytes in
/// three buffers), and a node is a position in it, so copying a node copies no
/// subtree and a tree of any size is freed at once. ``content`` builds the node's
/// scalar, items or entries when it is read; the decoders in this package walk the
/// storage in place instead.
package struct YAMLNode: Sendable {
    /// What a node holds.
    package enum Content: Sendable {
        /// A single value.
        case scalar(YAMLScalar)
        /// A list of nodes.
        case sequence([YAMLNode])
        /// Key/value entries in file order. Keys are unique (duplicates are load errors).
        case mapping([YAMLPair])
    }

    /// The document the node belongs to.
    @usableFromInline package let tree: YAMLTree
    /// The node's position in `tree`.
    @usableFromInline package let index: Int32

    /// The node at `index` of `tree`.
    init(tree: YAMLTree, index: Int32) {
        self.tree = tree
        self.index = index
    }

    /// Creates a node (copying the nodes `content` holds into a document of its own).
    package init(content: Content, range: SourceRange, tag: YAMLStandardTag? = nil) {
        var builder = YAMLTreeBuilder(estimatedBytes: 0)
        let index = builder.append(content: content, range: range, tag: tag)
        self.init(tree: builder.finish(), index: index)
    }

    /// What the node holds.
    package var content: Content {
        get { withView { $0.content } }
        set { self = YAMLNode(content: newValue, range: range, tag: tag) }
    }

    /// Where the node was written (for an alias, where its anchor's node was written).
    package var range: SourceRange {
        get { tree.range(of: index) }
        set { self = YAMLNode(content: content, range: newValue, tag: tag) }
    }

    /// The node's explicit standard tag, when one was written.
    package var tag: YAMLStandardTag? {
        get { tree.records[Int(index)].tag }
        set { self = YAMLNode(content: content, range: range, tag: newValue) }
    }

    /// The scalar, when this node is one.
    package var scalar: YAMLScalar? {
        withView { $0.kind == .scalar ? YAMLScalar(value: $0.string, style: $0.style) : nil }
    }

    /// The items, when this node is a sequence.
    package var sequence: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// The entries, when this node is a mapping.
    package var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// A word for the node's kind, as error messages name it: `a mapping`, `a list`, `a scalar`.
    package var kindDescription: String {
        withView { $0.kindDescription }
    }

    /// Runs `body` with a view of this node, valid for the duration of the call.
    @inlinable
    package func withView<Result>(_ body: (YAMLNodeView) throws -> Result) rethrows -> Result {
        try withExtendedLifetime(tree) { try body(YAMLNodeView(tree: tree, index: index)) }
    }
}

/// The three kinds of YAML node.
@usableFromInline
package enum YAMLNodeKind: Sendable, BitwiseCopyable {
    /// A single value.
    case scalar
    /// A list of nodes.
    case sequence
    /// Key/value entries.
    case mapping
}

/// One node of a ``YAMLTree``: plain data, so a document of any size is three flat buffers.
@usableFromInline
package struct YAMLNodeRecord: Sendable, BitwiseCopyable {
    /// Where the node was written.
    @usableFromInline package var range: SourceRange
    /// A scalar's first byte in `YAMLTree.bytes`; a sequence's or mapping's first entry in `YAMLTree.children`.
    @usableFromInline package var first: Int32
    /// A scalar's length in bytes; the number of items of a sequence or of entries of a mapping.
    @usableFromInline package var count: Int32
    /// What the node is.
    @usableFromInline package var kind: YAMLNodeKind
    /// A scalar's style (plain for sequences and mappings).
    @usableFromInline package var style: YAMLScalarStyle
    /// The explicit standard tag, if any.
    @usableFromInline package var tagCode: UInt8

    /// The explicit standard tag, if any.
    @inlinable package var tag: YAMLStandardTag? {
        switch tagCode {
        case 1: .string
        case 2: .int
        case 3: .float
        case 4: .bool
        case 5: .null
        case 6: .sequence
        case 7: .mapping
        default: nil
        }
    }

    /// The code `tag` is stored as.
    static func code(_ tag: YAMLStandardTag?) -> UInt8 {
        switch tag {
        case nil: 0
        case .string: 1
        case .int: 2
        case .float: 3
        case .bool: 4
        case .null: 5
        case .sequence: 6
        case .mapping: 7
        }
    }
}

/// A loaded document, stored flat: node records, the child lists of sequences and
/// mappings, and the UTF-8 bytes of every scalar.
///
/// A sequence's items are `count` consecutive node numbers in `children`; a
/// mapping's entries are `count` consecutive (key, value) pairs of node numbers.
/// An alias is the anchored node's number used again. The storage is three
/// buffers that never change after the tree is built, so reading a node costs no
/// reference counting (hence `@unchecked Sendable`): the tree owns and frees
/// them.
@usableFromInline
package final class YAMLTree: @unchecked Sendable {
    /// Every node, each after the nodes it contains.
    @usableFromInline package let records: UnsafeMutablePointer<YAMLNodeRecord>
    /// The node numbers of sequence items and of mapping keys and values.
    @usableFromInline package let children: UnsafeMutablePointer<Int32>
    /// The UTF-8 bytes of every scalar, back to back.
    @usableFromInline package let bytes: UnsafeMutablePointer<UInt8>

    /// A tree of three buffers it owns and frees.
    init(records: UnsafeMutablePointer<YAMLNodeRecord>, children: UnsafeMutablePointer<Int32>, bytes: UnsafeMutablePointer<UInt8>) {
        self.records = records
        self.children = children
        self.bytes = bytes
    }

    deinit {
        records.deallocate()
        children.deallocate()
        bytes.deallocate()
    }

    /// Where the node numbered `index` was written.
    @usableFromInline
    func range(of index: Int32) -> SourceRange {
        records[Int(index)].range
    }
}

/// A growable buffer of plain values that frees its memory unless it hands it on.
struct GrowableBuffer<Element: BitwiseCopyable>: ~Copyable {
    /// The first element.
    private(set) var base: UnsafeMutablePointer<Element>
    /// How many elements the buffer holds.
    private(set) var count = 0
    private var capacity: Int

    /// An empty buffer with room for `capacity` elements (at least 16).
    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    /// The element at `position`, which must be below `count`.
    subscript(position: Int) -> Element { base[position] }

    /// Adds `element` at the end.
    mutating func append(_ element: Element) {
        if count == capacity { grow(to: count + 1) }
        (base + count).initialize(to: element)
        count += 1
    }

    /// The elements from `start` to the end, valid until the buffer next changes.
    func suffix(from start: Int) -> UnsafeBufferPointer<Element> {
        UnsafeBufferPointer(start: base + start, count: count - start)
    }

    /// Forgets the last `k` elements.
    mutating func removeLast(_ k: Int) {
        count -= k
    }

    /// Adds `elements` at the end.
    mutating func append(contentsOf elements: UnsafeBufferPointer<Element>) {
        guard let source = elements.baseAddress, !elements.isEmpty else { return }
        if count + elements.count > capacity { grow(to: count + elements.count) }
        (base + count).initialize(from: source, count: elements.count)
        count += elements.count
    }

    /// Gives up the memory to the caller, who must deallocate it.
    consuming func release() -> UnsafeMutablePointer<Element> {
        let base = base
        discard self
        return base
    }

    private mutating func grow(to minimum: Int) {
        capacity = max(capacity * 2, minimum)
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: capacity)
        larger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = larger
    }
}

/// Builds a ``YAMLTree`` node by node: the loader appends each node as it completes.
struct YAMLTreeBuilder: ~Copyable {
    private var records: GrowableBuffer<YAMLNodeRecord>
    private var children: GrowableBuffer<Int32>
    private var bytes: GrowableBuffer<UInt8>

    /// Starts an empty tree, reserving room for about `estimatedBytes` of source text
    /// (Casework files hold a node for every 12 bytes or so; the buffers grow if needed).
    init(estimatedBytes: Int) {
        bytes = GrowableBuffer(capacity: estimatedBytes)
        records = GrowableBuffer(capacity: estimatedBytes / 8)
        children = GrowableBuffer(capacity: estimatedBytes / 8)
    }

    /// Appends a scalar whose UTF-8 bytes are `value`; returns its node number.
    mutating func appendScalar(_ value: UnsafeBufferPointer<UInt8>, style: YAMLScalarStyle, tag: YAMLStandardTag?, range: SourceRange) -> Int32 {
        let first = Int32(bytes.count)
        bytes.append(contentsOf: value)
        return append(YAMLNodeRecord(range: range, first: first, count: Int32(value.count), kind: .scalar, style: style, tagCode: YAMLNodeRecord.code(tag)))
    }

    /// Appends a sequence (`entries` are its item numbers) or a mapping (`entries` are key, value,
    /// key, value… numbers); returns its node number.
    mutating func appendContainer(mapping: Bool, entries: UnsafeBufferPointer<Int32>, tag: YAMLStandardTag?, range: SourceRange) -> Int32 {
        let first = Int32(children.count)
        children.append(contentsOf: entries)
        let count = mapping ? entries.count / 2 : entries.count
        return append(YAMLNodeRecord(
            range: range, first: first, count: Int32(count), kind: mapping ? .mapping : .sequence, style: .plain, tagCode: YAMLNodeRecord.code(tag)
        ))
    }

    /// Appends a copy of what `content` holds (copying nodes of other trees); returns its node number.
    mutating func append(content: YAMLNode.Content, range: SourceRange, tag: YAMLStandardTag?) -> Int32 {
        switch content {
        case .scalar(let scalar):
            var value = scalar.value
            return value.withUTF8 { appendScalar($0, style: scalar.style, tag: tag, range: range) }
        case .sequence(let items):
            let entries = items.map { append(content: $0.content, range: $0.range, tag: $0.tag) }
            return entries.withUnsafeBufferPointer { appendContainer(mapping: false, entries: $0, tag: tag, range: range) }
        case .mapping(let pairs):
            var entries: [Int32] = []
            entries.reserveCapacity(pairs.count * 2)
            for pair in pairs {
                entries.append(append(content: .scalar(YAMLScalar(value: pair.key.name, style: .plain)), range: pair.key.range, tag: nil))
                entries.append(append(content: pair.value.content, range: pair.value.range, tag: pair.value.tag))
            }
            return entries.withUnsafeBufferPointer { appendContainer(mapping: true, entries: $0, tag: tag, range: range) }
        }
    }

    /// What the node numbered `node` is.
    func kind(of node: Int32) -> YAMLNodeKind { records[Int(node)].kind }

    /// Where the node numbered `node` was written.
    func range(of node: Int32) -> SourceRange { records[Int(node)].range }

    /// The UTF-8 bytes of the scalar numbered `node`.
    private func bytes(of node: Int32) -> UnsafeBufferPointer<UInt8> {
        let record = records[Int(node)]
        return UnsafeBufferPointer(start: bytes.base + Int(record.first), count: Int(record.count))
    }

    /// The text of the scalar numbered `node`.
    func string(of node: Int32) -> String {
        String(decoding: bytes(of: node), as: UTF8.self)
    }

    /// Whether the scalars numbered `a` and `b` have the same text.
    ///
    /// Keys are short: up to 16 bytes they are compared here, byte by byte, where a call to `memcmp` cost more than the
    /// comparison (the loader compares each key of a small mapping with every key before it).
    func scalarsEqual(_ a: Int32, _ b: Int32) -> Bool {
        let first = bytes(of: a)
        let second = bytes(of: b)
        guard first.count == second.count else { return false }
        guard first.count > 16 else {
            for index in 0..<first.count where first[index] != second[index] { return false }
            return true
        }
        return memcmp(first.baseAddress!, second.baseAddress!, first.count) == 0
    }

    /// The finished tree.
    consuming func finish() -> YAMLTree {
        YAMLTree(records: records.release(), children: children.release(), bytes: bytes.release())
    }

    private mutating func append(_ record: YAMLNodeRecord) -> Int32 {
        records.append(record)
        return Int32(records.count - 1)
    }
}

/// A node of a loaded tree, read in place: what decoders use to walk a whole document
/// without building arrays of nodes or strings they do not keep.
///
/// A view does not keep its tree alive; it is valid only inside ``YAMLNode/withView(_:)``
/// (and must not be stored beyond it).
@usableFromInline
package struct YAMLNodeView {
    /// The tree, kept alive by the ``YAMLNode`` the view was taken from. Held unmanaged and read through
    /// `_withUnsafeGuaranteedRef`: reading a buffer of an `unowned(unsafe)` reference retained and released the tree
    /// around every read (two atomic operations for each key and value a decoder looked at).
    @usableFromInline let storage: Unmanaged<YAMLTree>
    /// The node's number in `tree`.
    @usableFromInline let index: Int32

    /// A view of the node numbered `index` in `tree`, which the caller keeps alive.
    @inlinable
    package init(tree: YAMLTree, index: Int32) {
        self.init(storage: Unmanaged.passUnretained(tree), index: index)
    }

    @inlinable
    init(storage: Unmanaged<YAMLTree>, index: Int32) {
        self.storage = storage
        self.index = index
    }

    /// The tree, as a strong reference (for a ``YAMLNode`` that keeps it alive).
    var tree: YAMLTree { storage.takeUnretainedValue() }

    /// The tree's node records, read without counting a reference to the tree.
    @inlinable var records: UnsafeMutablePointer<YAMLNodeRecord> { storage._withUnsafeGuaranteedRef { $0.records } }
    /// The tree's child lists, read without counting a reference to the tree.
    @inlinable var children: UnsafeMutablePointer<Int32> { storage._withUnsafeGuaranteedRef { $0.children } }

    /// The node's record.
    @inlinable
    package var record: YAMLNodeRecord { records[Int(index)] }

    /// What the node is.
    @inlinable package var kind: YAMLNodeKind { record.kind }
    /// Where the node was written.
    @inlinable package var range: SourceRange { storage._withUnsafeGuaranteedRef { $0.range(of: index) } }
    /// The node's explicit standard tag, if any.
    @inlinable package var tag: YAMLStandardTag? { record.tag }
    /// A scalar's style (plain for other nodes).
    @inlinable package var style: YAMLScalarStyle { record.style }
    /// The number of items of a sequence or entries of a mapping (for a scalar, its length in bytes).
    @inlinable package var count: Int { Int(record.count) }

    /// The item at `position` of a sequence.
    @inlinable package func item(_ position: Int) -> YAMLNodeView {
        YAMLNodeView(storage: storage, index: children[Int(record.first) + position])
    }

    /// The key of the entry at `position` of a mapping (a scalar node).
    @inlinable package func key(_ position: Int) -> YAMLNodeView {
        YAMLNodeView(storage: storage, index: children[Int(record.first) + 2 * position])
    }

    /// The value of the entry at `position` of a mapping.
    @inlinable package func value(_ position: Int) -> YAMLNodeView {
        YAMLNodeView(storage: storage, index: children[Int(record.first) + 2 * position + 1])
    }

    /// A scalar's UTF-8 bytes (empty for other nodes), valid as long as the view.
    @inlinable package var bytes: UnsafeBufferPointer<UInt8> {
        let record = record
        guard record.kind == .scalar else { return UnsafeBufferPointer(start: nil, count: 0) }
        let base: UnsafeMutablePointer<UInt8> = storage._withUnsafeGuaranteedRef { $0.bytes }
        return UnsafeBufferPointer(start: base + Int(record.first), count: Int(record.count))
    }

    /// A scalar's text (empty for other nodes).
    package var string: String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// True for a plain scalar that YAML reads as null: empty, `~` or `null`.
    package var isNull: Bool {
        let record = record
        guard record.kind == .scalar, record.style == .plain else { return false }
        let bytes = bytes
        switch bytes.count {
        case 0: return true
        case 1: return bytes[0] == UInt8(ascii: "~")
        case 4:
            // `null`, `Null` or `NULL`, read as one little-endian word: no string is made.
            let word = UInt32(littleEndian: UnsafeRawPointer(bytes.baseAddress!).loadUnaligned(as: UInt32.self))
            return word == 0x6C6C_756E || word == 0x6C6C_754E || word == 0x4C4C_554E
        default: return false
        }
    }

    /// The node as a ``YAMLNode``, which keeps the tree alive.
    var node: YAMLNode { YAMLNode(tree: tree, index: index) }

    /// What the node holds, built as ``YAMLNode/content`` reports it.
    var content: YAMLNode.Content {
        switch kind {
        case .scalar:
            return .scalar(YAMLScalar(value: string, style: style))
        case .sequence:
            return .sequence((0..<count).map { item($0).node })
        case .mapping:
            return .mapping((0..<count).map { position in
                let key = key(position)
                return YAMLPair(key: YAMLKey(name: key.string, range: key.range), value: value(position).node)
            })
        }
    }

    /// A word for the node's kind, as error messages name it: `a mapping`, `a list`, `a scalar`.
    var kindDescription: String {
        switch kind {
        case .scalar: return isNull ? "null" : "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

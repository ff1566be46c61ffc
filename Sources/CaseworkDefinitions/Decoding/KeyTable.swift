import CaseworkYAML

/// The keys one kind of mapping takes, matched against a key's bytes without making a string.
///
/// Every key of a definition file is short, so each allowed key is held as its
/// length and its bytes packed into two words, and matching a key is a few
/// integer comparisons.
struct KeyTable<Key: RawRepresentable & CaseIterable & Sendable>: Sendable where Key.RawValue == String {
    /// The keys, in the order error messages list them.
    let keys: [Key]
    /// The keys' names, in the same order.
    let names: [String]
    private let packed: [PackedKey]

    /// A table of every case of `Key`, in declaration order: at most 64 keys of at most 16 bytes each.
    init() {
        keys = Array(Key.allCases)
        names = keys.map(\.rawValue)
        precondition(keys.count <= 64, "a key table holds at most 64 keys")
        packed = names.map { name in
            var name = name
            guard let packed = name.withUTF8({ PackedKey($0) }) else { preconditionFailure("key '\(name)' is longer than 16 bytes") }
            return packed
        }
    }

    /// The position in ``keys`` of the key `node` spells, if it is one of them.
    func position(of node: YAMLNodeView) -> Int? {
        guard let key = PackedKey(node.bytes) else { return nil }
        for position in packed.indices where packed[position] == key {
            return position
        }
        return nil
    }

    /// Whether the mapping `node` has the key `key`.
    func contains(_ key: Key, in node: YAMLNodeView) -> Bool where Key: Equatable {
        guard let wanted = keys.firstIndex(of: key) else { return false }
        for entry in 0..<node.count where position(of: node.key(entry)) == wanted {
            return true
        }
        return false
    }
}

/// Which keys of a ``KeyTable`` a mapping was seen to have.
struct KeysSeen {
    private var bits: UInt64 = 0

    /// Records the key at `position` of the table.
    mutating func insert(_ position: Int) {
        bits |= 1 << UInt64(position)
    }

    /// Whether the key at `position` of the table was seen.
    func contains(_ position: Int) -> Bool {
        bits & (1 << UInt64(position)) != 0
    }
}

/// Up to 16 bytes and their count, compared as three integers.
private struct PackedKey: Equatable, Sendable {
    private var low: UInt64 = 0
    private var high: UInt64 = 0
    private var count: Int

    /// Packs `bytes`; nil when there are more than 16 (no key of a table is that long).
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count <= 16 else { return nil }
        count = bytes.count
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(bytes)) }
        (low, high) = words
    }
}

/// Which nodes of an expression the checker has given a type: a bit per node id.
///
/// The checker keeps each node's type in a plain `[ExpressionType]` (a node not yet typed, or poisoned, reads as
/// `bool` there, as a checked expression reports it) and this set says which of them were decided, which only an error
/// message asks. Guards have a handful of nodes, so the first 64 live in one word and no array is made for them.
struct DecidedNodes {
    private var low: UInt64 = 0
    private var rest: [UInt64]

    /// An empty set for an expression of `nodeCount` nodes.
    init(nodeCount: Int) {
        rest = nodeCount > 64 ? Array(repeating: 0, count: (nodeCount - 1) / 64) : []
    }

    /// Whether the node numbered `id` has a decided type.
    func contains(_ id: Int) -> Bool {
        if id < 64 { return low & (1 << UInt64(id)) != 0 }
        return rest[id / 64 - 1] & (1 << UInt64(id % 64)) != 0
    }

    /// Marks the node numbered `id` as decided (`true`) or not.
    mutating func set(_ id: Int, _ decided: Bool) {
        if id < 64 {
            if decided { low |= 1 << UInt64(id) } else { low &= ~(1 << UInt64(id)) }
            return
        }
        if decided { rest[id / 64 - 1] |= 1 << UInt64(id % 64) } else { rest[id / 64 - 1] &= ~(1 << UInt64(id % 64)) }
    }
}

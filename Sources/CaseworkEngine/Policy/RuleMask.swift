/// A set of a policy's rules, by their place in the policy: one bit each, so the rules about an action, those that
/// cover a resource and those that matched a request are combined with a few instructions instead of lists.
///
/// The first 64 rules live in one word; a policy with more keeps the rest in further words.
struct RuleMask: Sendable, Hashable {
    /// Rules 0 to 63.
    private var first: UInt64 = 0
    /// Rules 64 and on, 64 to a word; empty for a policy of up to 64 rules.
    private var rest: [UInt64] = []

    /// The empty set.
    init() {}

    /// The set of `rules`.
    init(_ rules: some Sequence<Int>) {
        for rule in rules { insert(rule) }
    }

    /// Adds the rule at `position`.
    mutating func insert(_ position: Int) {
        if position < 64 {
            first |= 1 << UInt64(position)
            return
        }
        let word = position / 64 - 1
        if rest.count <= word { rest += Array(repeating: 0, count: word + 1 - rest.count) }
        rest[word] |= 1 << UInt64(position % 64)
    }

    /// Whether the rule at `position` is in the set.
    func contains(_ position: Int) -> Bool {
        if position < 64 { return first & (1 << UInt64(position)) != 0 }
        let word = position / 64 - 1
        return word < rest.count && rest[word] & (1 << UInt64(position % 64)) != 0
    }

    /// Whether the set holds no rule.
    var isEmpty: Bool { first == 0 && rest.allSatisfy { $0 == 0 } }

    /// The rules in both sets.
    static func & (left: RuleMask, right: RuleMask) -> RuleMask {
        var both = RuleMask()
        both.first = left.first & right.first
        if !left.rest.isEmpty && !right.rest.isEmpty { both.rest = zip(left.rest, right.rest).map { $0 & $1 } }
        return both
    }

    /// The rules in either set.
    static func | (left: RuleMask, right: RuleMask) -> RuleMask {
        var either = left
        either.first |= right.first
        if either.rest.count < right.rest.count { either.rest += Array(repeating: 0, count: right.rest.count - either.rest.count) }
        for index in right.rest.indices { either.rest[index] |= right.rest[index] }
        return either
    }

    /// The rules in `self` and not in `other`.
    func subtracting(_ other: RuleMask) -> RuleMask {
        var left = self
        left.first &= ~other.first
        for index in left.rest.indices where index < other.rest.count { left.rest[index] &= ~other.rest[index] }
        return left
    }

    /// The rules' positions, in the policy's order.
    var positions: [Int] {
        var positions: [Int] = []
        forEach { positions.append($0) }
        return positions
    }

    /// Calls `body` with each rule's position, in the policy's order.
    func forEach(_ body: (Int) throws -> Void) rethrows {
        try Self.forEach(in: first, from: 0, body)
        for (index, word) in rest.enumerated() { try Self.forEach(in: word, from: (index + 1) * 64, body) }
    }

    private static func forEach(in word: UInt64, from base: Int, _ body: (Int) throws -> Void) rethrows {
        var bits = word
        while bits != 0 {
            try body(base + bits.trailingZeroBitCount)
            bits &= bits - 1
        }
    }
}

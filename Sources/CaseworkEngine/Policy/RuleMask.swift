/// A set of a policy's rules, by their place in the policy: one bit each, so the rules about an action, those that
/// cover a resource and those that matched a request are combined with a few instructions instead of lists.
///
/// The first 64 rules live in one word; a policy with more keeps the rest in further words. Not `Equatable`: two masks of
/// the same rules may keep different numbers of empty words after the first (`|` and `&` keep the longer or the
/// shorter), so a comparison of the stored words would tell them apart; compare ``positions`` instead.
struct RuleMask: Sendable {
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
        insert(beyondFirstWord: position)
    }

    /// Adds the rule at `position`, 64 or more: kept apart so the common case above is small enough to be inlined.
    private mutating func insert(beyondFirstWord position: Int) {
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

    // The operations below are always inlined and test the words after the first only when there are some, apart:
    // deciding a question combines a dozen masks, and as calls that each walked their (almost always empty) further
    // words they cost about 55 instructions apiece.

    /// Whether the set holds no rule.
    var isEmpty: Bool {
        @inline(__always) get { first == 0 && (rest.isEmpty || rest.allSatisfy { $0 == 0 }) }
    }

    /// The rules in both sets.
    @inline(__always)
    static func & (left: RuleMask, right: RuleMask) -> RuleMask {
        var both = RuleMask()
        both.first = left.first & right.first
        if !left.rest.isEmpty && !right.rest.isEmpty { both.rest = zip(left.rest, right.rest).map { $0 & $1 } }
        return both
    }

    /// The rules in either set.
    @inline(__always)
    static func | (left: RuleMask, right: RuleMask) -> RuleMask {
        var either = left
        either.first |= right.first
        if !right.rest.isEmpty { either.add(beyondFirstWord: right.rest) }
        return either
    }

    /// Adds the rules of `words`, the words after the first of another set.
    private mutating func add(beyondFirstWord words: [UInt64]) {
        if rest.count < words.count { rest += Array(repeating: 0, count: words.count - rest.count) }
        for index in words.indices { rest[index] |= words[index] }
    }

    /// The rules in `self` and not in `other`.
    @inline(__always)
    func subtracting(_ other: RuleMask) -> RuleMask {
        var left = self
        left.first &= ~other.first
        if !left.rest.isEmpty && !other.rest.isEmpty { left.remove(beyondFirstWord: other.rest) }
        return left
    }

    /// Removes the rules of `words`, the words after the first of another set.
    private mutating func remove(beyondFirstWord words: [UInt64]) {
        for index in rest.indices where index < words.count { rest[index] &= ~words[index] }
    }

    /// The rules' positions, in the policy's order.
    var positions: [Int] { Array(self) }

    /// The rules' positions, in the policy's order, read a word at a time.
    struct Iterator: IteratorProtocol {
        /// The rules of the word being read not yet given.
        private var bits: UInt64
        /// The position of the word's first rule.
        private var base = 0
        /// The words after it.
        private let rest: [UInt64]
        /// The place in `rest` of the next word to read.
        private var word = 0

        init(_ mask: RuleMask) {
            bits = mask.first
            rest = mask.rest
        }

        mutating func next() -> Int? {
            while bits == 0 {
                guard word < rest.count else { return nil }
                bits = rest[word]
                word += 1
                base = word * 64
            }
            let position = base + bits.trailingZeroBitCount
            bits &= bits - 1
            return position
        }
    }
}

extension RuleMask: Sequence {
    /// The rules' positions, in the policy's order.
    func makeIterator() -> Iterator { Iterator(self) }
}

/// A set of a policy's rules, by their place in the policy: one bit each, so the rules about an action, those that
/// cover a resource and those that matched a request are combined with a few instructions instead of lists.
///
/// The first 64 rules live in one word; a policy with more keeps the rest in further words. Not `Equatable`: two masks of
/// the same rules may keep different numbers of empty words after the first (`|` and `&` keep the longer or the
/// shorter), so a comparison of the stored words would tell them apart; compare ``positions`` instead.
struct RuleMask: Sendable {
    /// Rules 0 to 63.
    private var first: UInt64 = 0
    /// Rules 64 and on, 64 to a word; nil for a policy of up to 64 rules, until a rule beyond the first word is added.
    /// Nil rather than an empty array: an empty array is still a reference, which every mask made, copied and destroyed
    /// counted (a pass of the policy makes and destroys a few dozen masks).
    private var rest: [UInt64]?

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
        var words = rest.take() ?? []
        if words.count <= word { words += Array(repeating: 0, count: word + 1 - words.count) }
        words[word] |= 1 << UInt64(position % 64)
        rest = words
    }

    /// Whether the rule at `position` is in the set.
    func contains(_ position: Int) -> Bool {
        if position < 64 { return first & (1 << UInt64(position)) != 0 }
        let word = position / 64 - 1
        guard let rest else { return false }
        return word < rest.count && rest[word] & (1 << UInt64(position % 64)) != 0
    }

    // The operations below are always inlined and test the words after the first only when there are some, apart:
    // deciding a question combines a dozen masks, and as calls that each walked their (almost always empty) further
    // words they cost about 55 instructions apiece.

    /// Whether the set holds no rule.
    var isEmpty: Bool {
        @inline(__always) get { first == 0 && (rest == nil || Self.allZero(rest)) }
    }

    /// The rules in both sets.
    @inline(__always)
    static func & (left: RuleMask, right: RuleMask) -> RuleMask {
        var both = RuleMask()
        both.first = left.first & right.first
        if left.rest != nil && right.rest != nil { both.rest = Self.both(left.rest, right.rest) }
        return both
    }

    /// Whether `words` (the words after the first of a set) hold no rule.
    private static func allZero(_ words: [UInt64]?) -> Bool {
        words?.allSatisfy { $0 == 0 } ?? true
    }

    /// The words after the first of the set of rules in both `left` and `right`'s, as many as the shorter has.
    private static func both(_ left: [UInt64]?, _ right: [UInt64]?) -> [UInt64] {
        zip(left ?? [], right ?? []).map { $0 & $1 }
    }

    /// The rules in either set.
    @inline(__always)
    static func | (left: RuleMask, right: RuleMask) -> RuleMask {
        var either = left
        either.first |= right.first
        if let words = right.rest { either.add(beyondFirstWord: words) }
        return either
    }

    /// Adds the rules of `words`, the words after the first of another set.
    private mutating func add(beyondFirstWord words: [UInt64]) {
        var mine = rest.take() ?? []
        if mine.count < words.count { mine += Array(repeating: 0, count: words.count - mine.count) }
        for index in words.indices { mine[index] |= words[index] }
        rest = mine
    }

    /// The rules in `self` and not in `other`.
    @inline(__always)
    func subtracting(_ other: RuleMask) -> RuleMask {
        var left = self
        left.first &= ~other.first
        if left.rest != nil, let words = other.rest { left.remove(beyondFirstWord: words) }
        return left
    }

    /// Removes the rules of `words`, the words after the first of another set.
    private mutating func remove(beyondFirstWord words: [UInt64]) {
        guard var mine = rest.take() else { return }
        for index in mine.indices where index < words.count { mine[index] &= ~words[index] }
        rest = mine
    }

    /// The rules' positions, in the policy's order.
    var positions: [Int] { Array(self) }

    /// The rules' positions, in the policy's order, read a word at a time.
    struct Iterator: IteratorProtocol {
        /// The rules of the word being read not yet given.
        private var bits: UInt64
        /// The position of the word's first rule.
        private var base = 0
        /// The words after it; nil when there are none.
        private let rest: [UInt64]?
        /// The place in `rest` of the next word to read.
        private var word = 0

        init(_ mask: RuleMask) {
            bits = mask.first
            rest = mask.rest
        }

        mutating func next() -> Int? {
            while bits == 0 {
                guard let rest, word < rest.count else { return nil }
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

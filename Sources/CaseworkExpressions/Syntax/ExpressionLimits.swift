/// The limits every expression is parsed under, so a hostile expression gets an error, not a stack overflow.
package struct ExpressionLimits: Sendable, Hashable {
    /// The longest expression accepted, in Unicode scalars.
    package var maxLength: Int
    /// The deepest nesting of operators, parentheses, lists and calls.
    package var maxDepth: Int
    /// The most nodes an expression may have.
    package var maxNodes: Int

    /// Creates limits.
    package init(maxLength: Int, maxDepth: Int, maxNodes: Int) {
        self.maxLength = maxLength
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }

    /// 4,096 characters, depth 64, 1,000 nodes: far beyond any real guard.
    package static let standard = ExpressionLimits(maxLength: 4_096, maxDepth: 64, maxNodes: 1_000)
}

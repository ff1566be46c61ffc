import CaseworkTime
import Foundation

/// A parsed expression: a tree of nodes, each with an id (for the checker's side tables) and its span in the text.
public struct ExpressionSyntax: Sendable, Hashable {
    /// The root node.
    public var root: ExpressionNode
    /// How many nodes the tree has; node ids run from 0 to `nodeCount - 1`.
    public var nodeCount: Int
}

/// One node of a parsed expression.
public struct ExpressionNode: Sendable, Hashable {
    /// What the node is.
    public indirect enum Kind: Sendable, Hashable {
        /// A constant written in the text.
        case literal(Literal)
        /// A dotted name such as `child.date_of_birth` or `forms.professional_advice.all_accepted`.
        case path([PathSegment])
        /// `[a, b, c]`.
        case list([ExpressionNode])
        /// `not x` or `-x`.
        case unary(UnaryOperator, ExpressionNode)
        /// `a and b`, `a == b`, `a + b`, …
        case binary(BinaryOperator, ExpressionNode, ExpressionNode)
        /// `name(arguments)`.
        case call(PathSegment, [ExpressionNode])
    }

    /// A constant.
    public enum Literal: Sendable, Hashable {
        /// `true` or `false`.
        case bool(Bool)
        /// A whole number.
        case int(Int)
        /// A decimal number, exact.
        case decimal(Decimal)
        /// A quoted string.
        case string(String)
        /// `2025-09-01`.
        case date(CalendarDate)
        /// `6 weeks`, `15 working days`.
        case duration(StatutoryDuration)
    }

    /// One name of a dotted path, with where it was written.
    public struct PathSegment: Sendable, Hashable {
        /// The name.
        public var name: String
        /// Where it was written.
        public var span: ExpressionSpan
    }

    /// A prefix operator.
    public enum UnaryOperator: String, Sendable, Hashable {
        /// Logical negation.
        case not
        /// Arithmetic negation.
        case negate = "-"
    }

    /// An infix operator.
    public enum BinaryOperator: String, Sendable, Hashable {
        /// Logical and (short-circuit).
        case and
        /// Logical or (short-circuit).
        case or
        /// Equality.
        case equal = "=="
        /// Inequality.
        case notEqual = "!="
        /// Ordering.
        case less = "<"
        /// Ordering.
        case lessOrEqual = "<="
        /// Ordering.
        case greater = ">"
        /// Ordering.
        case greaterOrEqual = ">="
        /// Membership in a list.
        case `in`
        /// Non-membership in a list.
        case notIn = "not in"
        /// Addition (numbers; a date and a duration).
        case plus = "+"
        /// Subtraction (numbers; a date and a duration).
        case minus = "-"

        /// Whether the operator compares two values.
        var isComparison: Bool {
            switch self {
            case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: true
            default: false
            }
        }
    }

    /// The node's id, unique within its expression.
    public var id: Int
    /// What the node is.
    public var kind: Kind
    /// Where the node was written, in the expression's text.
    public var span: ExpressionSpan
    /// The node's text as written, for messages.
    public var text: String
}

import CaseworkTime
import Foundation

/// A parsed expression: a tree of nodes, each with an id (for the checker's side tables) and its span in the text.
public struct ExpressionSyntax: Sendable, Hashable {
    /// The root node.
    public var root: ExpressionNode
    /// How many nodes the tree has; node ids run from 0 to `nodeCount - 1`.
    public var nodeCount: Int

    /// A tree of `nodeCount` nodes under `root` (as the parser makes one, or an archive reads one back, checking every
    /// node's id is below `nodeCount`).
    package init(root: ExpressionNode, nodeCount: Int) {
        self.root = root
        self.nodeCount = nodeCount
    }
}

/// One node of a parsed expression.
public struct ExpressionNode: Sendable, Hashable {
    /// What the node is.
    ///
    /// Only the cases that hold nodes directly are boxed, so a literal or a name costs no allocation of its own.
    public enum Kind: Sendable, Hashable {
        /// A constant written in the text.
        case literal(Literal)
        /// A dotted name such as `child.date_of_birth` or `forms.professional_advice.all_accepted`.
        case path([PathSegment])
        /// `[a, b, c]`.
        case list([ExpressionNode])
        /// `not x` or `-x`.
        indirect case unary(UnaryOperator, ExpressionNode)
        /// `a and b`, `a == b`, `a + b`, …
        indirect case binary(BinaryOperator, ExpressionNode, ExpressionNode)
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

        /// The name `name`, written at `span`.
        package init(name: String, span: ExpressionSpan) {
            self.name = name
            self.span = span
        }
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
    /// The node's text as written, for messages: made only when read, so parsing copies no text for a node.
    public var text: String {
        get { written.text }
        set { written = WrittenText(newValue) }
    }
    /// Where the node's text is: part of the expression's own text, shared by every node of the expression.
    private var written: WrittenText

    /// A node whose text is `text`.
    init(id: Int, kind: Kind, span: ExpressionSpan, text: String) {
        self.init(id: id, kind: kind, span: span, written: WrittenText(text))
    }

    /// A node whose text is the part `written` names of its expression's text.
    init(id: Int, kind: Kind, span: ExpressionSpan, written: WrittenText) {
        self.id = id
        self.kind = kind
        self.span = span
        self.written = written
    }

    /// Nodes are equal when their ids, kinds, spans and texts are, wherever the texts are kept.
    public static func == (left: ExpressionNode, right: ExpressionNode) -> Bool {
        left.id == right.id && left.kind == right.kind && left.span == right.span && left.text == right.text
    }

    /// Hashes what ``==(_:_:)`` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(kind)
        hasher.combine(span)
        hasher.combine(text)
    }
}

/// A text as part of a larger one: the whole string and the UTF-8 bytes of it that are meant.
///
/// Every node of a parsed expression refers to the expression's one string (a reference count, not a copy),
/// and its text is cut out only when a message needs it.
struct WrittenText: Sendable {
    /// The string the text is part of.
    let whole: String
    /// The text's UTF-8 bytes within `whole`.
    let bytes: Range<Int>

    /// All of `text`.
    init(_ text: String) {
        self.init(whole: text, bytes: 0..<text.utf8.count)
    }

    /// The part of `whole` at `bytes`, which must start and end on scalar boundaries.
    init(whole: String, bytes: Range<Int>) {
        self.whole = whole
        self.bytes = bytes
    }

    /// The text.
    var text: String {
        if bytes.lowerBound == 0, bytes.upperBound == whole.utf8.count { return whole }
        let utf8 = whole.utf8
        return String(decoding: utf8[utf8.index(utf8.startIndex, offsetBy: bytes.lowerBound)..<utf8.index(utf8.startIndex, offsetBy: bytes.upperBound)], as: UTF8.self)
    }
}

// What an archive of checked expressions needs (a definition cache keeps a set's checked policy expressions): a node's
// text as the part of a string it is, and trees, nodes and checked expressions made from parts read back.

extension ExpressionNode {
    /// Where the node's text is kept: the string it is part of (its expression's text, shared by the expression's
    /// nodes, or a text of its own) and its UTF-8 bytes within that string.
    package var writtenPart: (whole: String, bytes: Range<Int>) { (written.whole, written.bytes) }

    /// A node whose text is the UTF-8 bytes `bytes` of `whole`, as an archive reads one back; nil when `bytes` is not
    /// inside `whole` or does not start and end on a scalar's boundary, so reading the node's text cannot trap.
    package init?(id: Int, kind: Kind, span: ExpressionSpan, whole: String, bytes: Range<Int>) {
        let utf8 = whole.utf8
        guard bytes.lowerBound >= 0, bytes.upperBound <= utf8.count else { return nil }
        func isBoundary(_ offset: Int) -> Bool {
            offset == utf8.count || utf8[utf8.index(utf8.startIndex, offsetBy: offset)] & 0xC0 != 0x80
        }
        guard isBoundary(bytes.lowerBound), isBoundary(bytes.upperBound) else { return nil }
        self.init(id: id, kind: kind, span: span, written: WrittenText(whole: whole, bytes: bytes))
    }
}

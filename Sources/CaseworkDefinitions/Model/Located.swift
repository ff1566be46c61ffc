import CaseworkYAML

/// A value read from a definition file, with where it was written.
///
/// Equality and hashing look at the value only: moving a line in a file does
/// not make two definitions different. `Value` is required to be `Hashable` only
/// where a located value is compared or hashed, not by the type itself: the
/// runtime makes a `Located<X>`'s type (for a list of them, read from the
/// definition cache) without asking whether `X` is `Hashable`, a first-time
/// question that scans every conformance record in the program.
public struct Located<Value: Sendable>: Sendable {
    /// The value.
    public var value: Value
    /// Where it was written.
    public var range: SourceRange

    /// Pairs a value with its source range.
    public init(_ value: Value, at range: SourceRange) {
        self.value = value
        self.range = range
    }
}

extension Located: Equatable where Value: Equatable {
    /// Compares values, ignoring where they were written.
    public static func == (lhs: Located, rhs: Located) -> Bool { lhs.value == rhs.value }
}

extension Located: Hashable where Value: Hashable {
    /// Hashes the value only.
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

/// The text of an expression (a guard) as written, kept with its source so a later stage can parse and check it.
public struct ExpressionSource: Sendable, Hashable {
    /// The expression after YAML unquoting.
    public var text: String
    /// Where the scalar holding it was written.
    public var range: SourceRange
    /// How the scalar was written, to map offsets in `text` back to the file.
    public var style: YAMLScalarStyle

    /// Creates an expression source.
    public init(text: String, range: SourceRange, style: YAMLScalarStyle) {
        self.text = text
        self.range = range
        self.style = style
    }

    /// Compares the text only.
    public static func == (lhs: ExpressionSource, rhs: ExpressionSource) -> Bool { lhs.text == rhs.text }

    /// Hashes the text only.
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}

import CaseworkDiagnostics

/// A problem in an expression: a diagnostic kind and where in the expression's text it is.
///
/// The validator maps the span into the YAML file; the kind fixes code and wording.
public struct ExpressionError: Error, Sendable, Hashable {
    /// What is wrong.
    public var kind: DiagnosticKind
    /// Where, in the expression's text.
    public var span: ExpressionSpan

    /// Creates an error.
    public init(_ kind: DiagnosticKind, at span: ExpressionSpan) {
        self.kind = kind
        self.span = span
    }
}

/// Every problem found in one expression; never empty.
public struct ExpressionErrors: Error, Sendable, Hashable {
    /// The problems, in the order found.
    public var errors: [ExpressionError]

    /// Wraps a list of problems.
    public init(_ errors: [ExpressionError]) {
        self.errors = errors
    }
}

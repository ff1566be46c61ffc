import CaseworkDiagnostics

/// A problem in an expression: a diagnostic kind and where in the expression's text it is.
///
/// The validator maps the span into the YAML file; the kind fixes code and wording.
package struct ExpressionError: Error, Sendable, Hashable {
    /// What is wrong.
    package var kind: DiagnosticKind
    /// Where, in the expression's text.
    package var span: ExpressionSpan

    /// Creates an error.
    package init(_ kind: DiagnosticKind, at span: ExpressionSpan) {
        self.kind = kind
        self.span = span
    }
}

/// Every problem found in one expression; never empty.
package struct ExpressionErrors: Error, Sendable, Hashable {
    /// The problems, in the order found.
    package var errors: [ExpressionError]

    /// Wraps a list of problems.
    package init(_ errors: [ExpressionError]) {
        self.errors = errors
    }
}

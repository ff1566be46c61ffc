import CaseworkYAML

/// A rule's `reason:`: words a parent could read, with `{expression}` placeholders that show values worked out
/// from the request, such as `{school_leaving_date(case.child.date_of_birth) + 1 day}`.
///
/// Braces only ever open and close placeholders: a reason cannot show a brace itself, so a stray one is an error,
/// never text.
public struct ReasonText: Sendable, Hashable {
    /// A piece of a reason.
    public enum Part: Sendable, Hashable {
        /// Words shown as they are.
        case literal(String)
        /// An expression in the policy's names, and where its text starts in the reason, in Unicode scalars
        /// (so errors can be placed at their column).
        case expression(String, offset: Int)
    }

    /// Why a reason's placeholders cannot be read, and where in the reason (in Unicode scalars).
    public enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// `{` without a matching `}`.
        case unclosed(offset: Int)
        /// `{}` with nothing inside.
        case empty(offset: Int)
        /// `}` with no `{` before it.
        case strayClose(offset: Int)
        /// `{` inside a placeholder.
        case nestedOpen(offset: Int)

        /// Where in the reason the problem is.
        public var offset: Int {
            switch self {
            case .unclosed(let offset), .empty(let offset), .strayClose(let offset), .nestedOpen(let offset): offset
            }
        }

        /// The problem, in words.
        public var description: String {
            switch self {
            case .unclosed: "'{' is not closed by '}'"
            case .empty: "'{}' holds no expression"
            case .strayClose: "'}' closes no placeholder"
            case .nestedOpen: "a placeholder cannot hold '{'"
            }
        }
    }

    /// The reason as written (after YAML unquoting).
    public var text: String
    /// Where it was written.
    public var range: SourceRange
    /// How the scalar was written, to map offsets in `text` back to the file.
    public var style: YAMLScalarStyle
    /// The literal runs and placeholders in order; the whole text as one literal when it does not parse.
    public var parts: [Part]
    /// Why the placeholders cannot be read, when they cannot (the validator reports it).
    public var problem: ParseError?

    /// Reads the placeholders of `text`, written at `range` in `style`.
    public init(_ text: String, at range: SourceRange, style: YAMLScalarStyle = .plain) {
        self.text = text
        self.range = range
        self.style = style
        switch Self.parse(text) {
        case .success(let parts):
            self.parts = parts
            problem = nil
        case .failure(let error):
            parts = [.literal(text)]
            problem = error
        }
    }

    /// The expressions of the placeholders, with their offsets.
    public var expressions: [(text: String, offset: Int)] {
        parts.compactMap { if case .expression(let text, let offset) = $0 { (text, offset) } else { nil } }
    }

    /// Compares the text only.
    public static func == (lhs: ReasonText, rhs: ReasonText) -> Bool { lhs.text == rhs.text }

    /// Hashes the text only.
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    /// Splits `text` into literal runs and placeholders.
    static func parse(_ text: String) -> Result<[Part], ParseError> {
        let scalars = Array(text.unicodeScalars)
        var parts: [Part] = []
        var literal = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "}" { return .failure(.strayClose(offset: index)) }
            guard scalar == "{" else {
                literal.append(scalar)
                index += 1
                continue
            }
            var end = index + 1
            while end < scalars.count, scalars[end] != "}" {
                if scalars[end] == "{" { return .failure(.nestedOpen(offset: end)) }
                end += 1
            }
            guard end < scalars.count else { return .failure(.unclosed(offset: index)) }
            var start = index + 1
            var stop = end
            while start < stop, scalars[start] == " " || scalars[start] == "\t" { start += 1 }
            while stop > start, scalars[stop - 1] == " " || scalars[stop - 1] == "\t" { stop -= 1 }
            guard start < stop else { return .failure(.empty(offset: index)) }
            if !literal.isEmpty { parts.append(.literal(String(literal))) }
            literal = String.UnicodeScalarView()
            // One scalar at a time: `append(contentsOf:)` is generic code that asks the runtime for the slice's
            // `Collection` conformance, a scan of every conformance record.
            var inside = String.UnicodeScalarView()
            for scalar in scalars[start..<stop] { inside.append(scalar) }
            parts.append(.expression(String(inside), offset: start))
            index = end + 1
        }
        if !literal.isEmpty { parts.append(.literal(String(literal))) }
        return .success(parts)
    }
}

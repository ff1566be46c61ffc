import CaseworkYAML

/// Template text split into literal runs and `{{ path }}` placeholders.
public struct TemplateText: Sendable, Hashable {
    /// A piece of template text.
    public enum Part: Sendable, Hashable {
        /// Text copied as it is.
        case literal(String)
        /// A dotted field path, such as `child.first_name`, filled in when the message renders.
        case placeholder(Located<String>)
    }

    /// The text as written.
    public var source: String
    /// The literal runs and placeholders, in order.
    public var parts: [Part]
    /// Where the text was written.
    public var range: SourceRange

    /// The placeholders, in order.
    public var placeholders: [Located<String>] {
        parts.compactMap { if case .placeholder(let path) = $0 { path } else { nil } }
    }

    /// Why a template text does not parse.
    public enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// `{{` without a matching `}}`.
        case unclosed
        /// `{{ }}` with nothing inside.
        case empty
        /// Something inside that is not a dotted name.
        case notAPath(String)

        /// The reason, in words.
        public var description: String {
            switch self {
            case .unclosed: "'{{' is not closed by '}}'"
            case .empty: "'{{ }}' names no field"
            case .notAPath(let text): "'\(text)' is not a field name or dotted path"
            }
        }
    }

    /// Splits `source` into parts. Placeholder ranges are the scalar's own range;
    /// mapping offsets inside a scalar to exact columns comes with the expression language.
    public static func parse(_ source: String, at range: SourceRange) -> Result<TemplateText, ParseError> {
        var parts: [Part] = []
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex {
                parts.append(.literal(String(rest[rest.startIndex..<open.lowerBound])))
            }
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else { return .failure(.unclosed) }
            let inside = afterOpen[afterOpen.startIndex..<close.lowerBound].trimmingCharacters(in: " \t")
            guard !inside.isEmpty else { return .failure(.empty) }
            guard isPath(inside) else { return .failure(.notAPath(String(inside))) }
            parts.append(.placeholder(Located(String(inside), at: range)))
            rest = afterOpen[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        return .success(TemplateText(source: source, parts: parts, range: range))
    }

    private static func isPath(_ text: Substring) -> Bool {
        text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { NameRule.identifier.accepts($0) }
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> Substring {
        var result = self
        while let first = result.first, set.contains(first) { result = result.dropFirst() }
        while let last = result.last, set.contains(last) { result = result.dropLast() }
        return result
    }
}

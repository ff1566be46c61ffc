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
    ///
    /// It scans the UTF-8 bytes for `{{` and `}}` (ASCII, so every index it finds starts a Unicode scalar) and
    /// slices by scalars: every definition's templates are parsed whenever definitions load, and Foundation's
    /// `range(of:)` took most of that time.
    public static func parse(_ source: String, at range: SourceRange) -> Result<TemplateText, ParseError> {
        let bytes = source.utf8
        let scalars = source.unicodeScalars
        var parts: [Part] = []
        var rest = bytes.startIndex
        while let open = firstPair(of: UInt8(ascii: "{"), in: bytes, from: rest) {
            if open > rest { parts.append(.literal(String(scalars[rest..<open]))) }
            var first = bytes.index(open, offsetBy: 2)
            guard let close = firstPair(of: UInt8(ascii: "}"), in: bytes, from: first) else { return .failure(.unclosed) }
            var end = close
            while first < end, bytes[first] == UInt8(ascii: " ") || bytes[first] == UInt8(ascii: "\t") { first = bytes.index(after: first) }
            while first < end, bytes[bytes.index(before: end)] == UInt8(ascii: " ") || bytes[bytes.index(before: end)] == UInt8(ascii: "\t") {
                end = bytes.index(before: end)
            }
            let inside = String(scalars[first..<end])
            guard !inside.isEmpty else { return .failure(.empty) }
            guard NameRule.identifierPath.accepts(inside) else { return .failure(.notAPath(inside)) }
            parts.append(.placeholder(Located(inside, at: range)))
            rest = bytes.index(close, offsetBy: 2)
        }
        if rest < bytes.endIndex { parts.append(.literal(String(scalars[rest...]))) }
        return .success(TemplateText(source: source, parts: parts, range: range))
    }

    /// Where `byte` first stands twice in a row in `bytes`, at or after `start`.
    private static func firstPair(of byte: UInt8, in bytes: String.UTF8View, from start: String.Index) -> String.Index? {
        var index = start
        while let found = bytes[index...].firstIndex(of: byte) {
            let next = bytes.index(after: found)
            guard next < bytes.endIndex else { return nil }
            if bytes[next] == byte { return found }
            index = next
        }
        return nil
    }
}

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
    /// It scans the UTF-8 bytes in place for `{{` and `}}` (ASCII, so every offset it finds starts a Unicode scalar)
    /// and makes each part from the bytes between: every definition's templates are parsed whenever definitions load
    /// (a warm command decodes every workflow's), and Foundation's `range(of:)`, then walking `String.UTF8View`
    /// indices, took most of that time.
    public static func parse(_ source: String, at range: SourceRange) -> Result<TemplateText, ParseError> {
        var text = source
        return text.withUTF8 { bytes in
            func string(_ lower: Int, _ upper: Int) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[lower..<upper]), as: UTF8.self) }
            func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
            var parts: [Part] = []
            var rest = 0
            while let open = firstPair(of: UInt8(ascii: "{"), in: bytes, from: rest) {
                if open > rest { parts.append(.literal(string(rest, open))) }
                var first = open + 2
                guard let close = firstPair(of: UInt8(ascii: "}"), in: bytes, from: first) else { return .failure(.unclosed) }
                var end = close
                while first < end, isBlank(bytes[first]) { first += 1 }
                while first < end, isBlank(bytes[end - 1]) { end -= 1 }
                let inside = string(first, end)
                guard !inside.isEmpty else { return .failure(.empty) }
                guard NameRule.identifierPath.accepts(inside) else { return .failure(.notAPath(inside)) }
                parts.append(.placeholder(Located(inside, at: range)))
                rest = close + 2
            }
            if rest < bytes.count { parts.append(.literal(string(rest, bytes.count))) }
            return .success(TemplateText(source: source, parts: parts, range: range))
        }
    }

    /// The first offset at or after `start` where `byte` stands twice in a row in `bytes`.
    private static func firstPair(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == byte, bytes[index + 1] == byte { return index }
            index += 1
        }
        return nil
    }
}

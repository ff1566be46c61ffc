/// Why a YAML file could not be loaded, or what in it is not allowed.
///
/// Every case carries the range it concerns. The Casework library turns these
/// into numbered diagnostics; this module only says what went wrong and where.
public enum YAMLError: Error, Sendable, Hashable {
    /// The file could not be read at all.
    case unreadable(file: String, reason: String)
    /// The file is larger than ``YAMLLimits/maxFileBytes``.
    case fileTooLarge(file: String, bytes: Int, limit: Int)
    /// The file contains a NUL byte (binary data, or a UTF-16 file without a BOM).
    case nulByte(at: SourceRange)
    /// The bytes are not valid UTF-8.
    case invalidUTF8(at: SourceRange)
    /// libyaml rejected the text; `problem` and `context` are its own words.
    case syntax(problem: String, context: String?, at: SourceRange)
    /// The file holds no document, or only an empty one.
    case emptyDocument(at: SourceRange)
    /// The file holds more than one document (`---` separators).
    case multipleDocuments(at: SourceRange)
    /// The document's root is not a mapping.
    case rootNotMapping(found: String, at: SourceRange)
    /// A mapping repeats a key; `first` is where it was first written.
    case duplicateKey(key: String, at: SourceRange, first: SourceRange)
    /// A mapping key is a list or a mapping, not a plain word.
    case complexKey(at: SourceRange)
    /// A tag other than the standard YAML tags.
    case unsupportedTag(tag: String, at: SourceRange)
    /// An alias names an anchor that was not defined before it.
    case undefinedAlias(name: String, at: SourceRange)
    /// Nesting is deeper than ``YAMLLimits/maxDepth``.
    case tooDeep(limit: Int, at: SourceRange)
    /// A scalar is longer than ``YAMLLimits/maxScalarBytes``.
    case scalarTooLarge(bytes: Int, limit: Int, at: SourceRange)
    /// The document (with aliases expanded) has more than ``YAMLLimits/maxNodes`` nodes.
    case tooManyNodes(limit: Int, at: SourceRange)
    /// The document uses more than ``YAMLLimits/maxAliases`` aliases.
    case tooManyAliases(limit: Int, at: SourceRange)
    /// The document (with aliases expanded) holds more than ``YAMLLimits/maxExpandedBytes`` bytes of scalars.
    case tooMuchExpandedText(limit: Int, at: SourceRange)

    /// Where the problem is.
    public var range: SourceRange {
        switch self {
        case .unreadable(let file, _), .fileTooLarge(let file, _, _):
            return .startOf(file)
        case .nulByte(let at), .invalidUTF8(let at), .syntax(_, _, let at), .emptyDocument(let at),
            .multipleDocuments(let at), .rootNotMapping(_, let at), .duplicateKey(_, let at, _),
            .complexKey(let at), .unsupportedTag(_, let at), .undefinedAlias(_, let at),
            .tooDeep(_, let at), .scalarTooLarge(_, _, let at), .tooManyNodes(_, let at),
            .tooManyAliases(_, let at), .tooMuchExpandedText(_, let at):
            return at
        }
    }
}

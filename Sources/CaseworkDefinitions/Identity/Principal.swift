/// Who a grant is for, and on whose behalf a request is made: a person, or an organisation acting through its
/// generic account.
///
/// Written as text: `person:ID` or `organisation:ID`; a bare `ID` is a person, so grants recorded before
/// organisations had a kind of their own still mean who they meant.
public enum Principal: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A person, by id.
    case person(String)
    /// An organisation's generic account, by id; a grant to it covers the staff who act for it.
    case organisation(String)

    /// Why text is not a principal.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong, in words.
        public var message: String

        /// The problem, in words.
        public var description: String { message }
    }

    /// Reads `ID`, `person:ID` or `organisation:ID`; any other kind, or an id that is not usable, is an error.
    public init(parsing text: String) throws(ParseError) {
        var kind: Substring = "person"
        var id = Substring(text)
        if let colon = text.firstIndex(of: ":") {
            kind = text[..<colon]
            id = text[text.index(after: colon)...]
        }
        if let problem = Self.problem(withID: String(id)) { throw ParseError(message: problem) }
        switch kind {
        case "person": self = .person(String(id))
        case "organisation": self = .organisation(String(id))
        default: throw ParseError(message: "'\(kind)' is not a kind of principal: write ID or person:ID for a person, organisation:ID for an organisation")
        }
    }

    /// The person's or organisation's id.
    public var id: String {
        switch self {
        case .person(let id), .organisation(let id): id
        }
    }

    /// `person:ID` or `organisation:ID`.
    public var description: String {
        switch self {
        case .person(let id): "person:\(id)"
        case .organisation(let id): "organisation:\(id)"
        }
    }

    /// Why `id` cannot name a person, an organisation or a case, or nil when it can (``Identifier/isUsable(_:)``):
    /// a control character or space is named by its code, so the message itself stays one clean line.
    public static func problem(withID id: String) -> String? {
        guard !id.isEmpty else { return "an id cannot be empty" }
        guard id.utf8.count <= Identifier.maximumLength else { return "an id is at most \(Identifier.maximumLength) characters" }
        if Identifier.isUsable(id) { return nil }
        let scalar = id.unicodeScalars.first { !Identifier.isUsable(String($0)) } ?? " "
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let shown = scalar.isASCII && scalar.properties.generalCategory != .control && !scalar.properties.isWhitespace
            ? "'\(scalar)'" : "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        return "an id is ASCII letters, digits, '-', '_' and '.', and this one holds \(shown)"
    }

    /// Reads `ID`, `person:ID` or `organisation:ID`, or nil; for callers that report their own problem.
    public static func parsed(_ text: String) -> Principal? {
        try? Principal(parsing: text)
    }

    /// Reads a principal from its text.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    /// Writes a principal as its text: a person as the bare id, as grants were first written, so a record reads
    /// the same to an older reader; an organisation with its kind.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .person(let id): try container.encode(id)
        case .organisation: try container.encode(description)
        }
    }
}

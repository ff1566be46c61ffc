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

    /// Why `id` cannot name a person, an organisation or a case, or nil when it can: ids are letters, digits,
    /// `-`, `_` and `.`, never empty, never control characters or spaces (which would hide one id inside another
    /// in logs and audit records).
    public static func problem(withID id: String) -> String? {
        guard !id.isEmpty else { return "an id cannot be empty" }
        // Most ids are ASCII letters, digits and punctuation: decided from the bytes, without Unicode's tables.
        if id.utf8.allSatisfy({ $0 &- UInt8(ascii: "a") < 26 || $0 &- UInt8(ascii: "A") < 26 || $0 &- UInt8(ascii: "0") < 10 || $0 == UInt8(ascii: "-")
            || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }) {
            return nil
        }
        for scalar in id.unicodeScalars where !(scalar.properties.isAlphabetic || scalar.properties.numericType == .decimal || "-_.".unicodeScalars.contains(scalar)) {
            // A control character or space is named by its code, so the message itself stays one clean line.
            let hex = String(scalar.value, radix: 16, uppercase: true)
            let shown = scalar.properties.generalCategory == .control || scalar.properties.isWhitespace
                ? "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex : "'\(scalar)'"
            return "an id is letters, digits, '-', '_' and '.', and this one holds \(shown)"
        }
        return nil
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

    /// Writes a principal as its text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

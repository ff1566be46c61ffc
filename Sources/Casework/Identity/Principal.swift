/// Whom a grant is for: a person, or an organisation acting through its generic account.
///
/// A person and an organisation may share an id (`hill` the parent, `hill` the school);
/// the kind keeps their grants apart. Written `person:ID` or `organisation:ID`; a bare
/// id means a person, as grants were first written.
public enum Principal: Sendable, Hashable, Codable, CustomStringConvertible {
    /// One person, by id.
    case person(String)
    /// An organisation's generic account, by the organisation's id.
    case organisation(String)

    /// Reads `person:ID`, `organisation:ID` or a bare `ID` (a person); nil when the id is not a usable id.
    public init?(parsing text: String) {
        if text.hasPrefix("organisation:") {
            let id = String(text.dropFirst("organisation:".count))
            guard Identifier.isUsable(id) else { return nil }
            self = .organisation(id)
        } else {
            let id = text.hasPrefix("person:") ? String(text.dropFirst("person:".count)) : text
            guard Identifier.isUsable(id) else { return nil }
            self = .person(id)
        }
    }

    /// The id, without its kind.
    public var id: String {
        switch self {
        case .person(let id), .organisation(let id): return id
        }
    }

    /// `person:ID` or `organisation:ID`.
    public var description: String {
        switch self {
        case .person(let id): return "person:\(id)"
        case .organisation(let id): return "organisation:\(id)"
        }
    }

    /// Decodes the text form; a stored bare id is a person.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let principal = Principal(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a principal"))
        }
        self = principal
    }

    /// Encodes the text form: a person as the bare id (so records written before kinds existed read the same), an organisation with its kind.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .person(let id): try container.encode(id)
        case .organisation: try container.encode(description)
        }
    }
}

/// The rules for ids of people, organisations and cases that come from outside.
public enum Identifier {
    /// The longest id accepted.
    public static let maximumLength = 100

    /// Whether `text` is a usable id: 1 to 100 ASCII letters, digits, `-`, `_` or `.`, so it can never
    /// carry a control character, a terminal escape, or the `:` and `@` that separate an actor's parts.
    public static func isUsable(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= maximumLength
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x5F || byte == 0x2E
            }
    }
}

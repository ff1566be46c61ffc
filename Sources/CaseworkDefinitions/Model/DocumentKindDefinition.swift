import CaseworkYAML

/// A kind of document a workflow's cases may hold (`documents: { draft_plan: { … } }`): what it is called, which policy
/// resource governs who sees it, and what may be stored as it.
///
/// A kind with `sections:` is addressed by the sections of the policy resource it names (`ehcp` → `ehcp.A` … `ehcp.K`),
/// so the policy's sections decide who sees which part; a kind without sections is itself the policy resource
/// `document.KIND`, seen whole or not at all.
public struct DocumentKindDefinition: Sendable, Hashable {
    /// The kind's name (the mapping key), such as `draft_plan`.
    public var name: Located<String>
    /// A title people read.
    public var title: String
    /// The policy resource whose sections address the parts of a document of this kind, when it is sectioned.
    public var sections: Located<String>?
    /// The media types a version may be stored as (`application/pdf`), the allow-list checked before anything is written.
    public var types: [Located<String>]
    /// The largest a version may be, in bytes, all parts together.
    public var maxBytes: Int

    /// The limit when a kind gives no `max_bytes`: 10 MB.
    public static let defaultMaxBytes = 10 * 1_048_576
    /// The largest `max_bytes` a kind may declare: 100 MB, so a blob always fits a database row.
    public static let largestMaxBytes = 100 * 1_048_576
    /// The policy resource a kind without sections is guarded by, under its own name: `document.KIND`.
    public static let resourcePrefix = "document"

    /// Creates a document kind.
    public init(name: Located<String>, title: String, sections: Located<String>? = nil, types: [Located<String>], maxBytes: Int = defaultMaxBytes) {
        self.name = name
        self.title = title
        self.sections = sections
        self.types = types
        self.maxBytes = maxBytes
    }

    /// The policy resource that guards the kind as a whole: the resource its sections belong to, or `document.KIND`.
    public var resource: String {
        sections?.value ?? "\(Self.resourcePrefix).\(name.value)"
    }

    /// Whether `mediaType` is on the kind's allow-list.
    public func allows(mediaType: String) -> Bool {
        types.contains { $0.value == mediaType }
    }
}

/// The two textual forms the definition language accepts for document limits and types.
package enum DocumentTerms {
    /// Reads a size: a whole number of bytes, or `N bytes`, `N KB` (1,024 bytes) or `N MB` (1,048,576 bytes); a
    /// ``SizeProblem`` saying why when the text is not one, or is not between 1 byte and ``DocumentKindDefinition/largestMaxBytes``.
    package static func byteSize(_ text: String) -> Result<Int, SizeProblem> {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        let units: [String: Int] = ["bytes": 1, "KB": 1_024, "MB": 1_048_576]
        guard (1...2).contains(words.count), let number = Int(words[0]), words[0].allSatisfy(\.isASCII) else {
            return .failure(SizeProblem(reason: "write a whole number of bytes, or N KB or N MB"))
        }
        let unit = words.count == 2 ? units[String(words[1])] : 1
        guard let unit else { return .failure(SizeProblem(reason: "the unit must be bytes, KB or MB")) }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: unit)
        guard !overflow, bytes >= 1, bytes <= DocumentKindDefinition.largestMaxBytes else {
            return .failure(SizeProblem(reason: "the size must be at least 1 byte and at most 100 MB"))
        }
        return .success(bytes)
    }

    /// Why a size was not read.
    package struct SizeProblem: Error, Sendable, Hashable {
        /// The reason, in words.
        package var reason: String
    }

    /// Whether `text` is a media type as RFC 6838 names them, in lower case: `type/subtype`, each 1-127 of letters,
    /// digits and `!#$&-^_.+`, the first a letter or digit; no parameters.
    package static func isMediaType(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        return parts.allSatisfy { part in
            guard let first = part.unicodeScalars.first, (1...127).contains(part.unicodeScalars.count), isLowerAlphanumeric(first) else { return false }
            return part.unicodeScalars.allSatisfy { isLowerAlphanumeric($0) || "!#$&-^_.+".unicodeScalars.contains($0) }
        }
    }

    private static func isLowerAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}

/// Who is acting: a role in the workflow and the person's or organisation's id.
///
/// An organisation acts through its generic account, so `school:hillside-primary`
/// is the school role played by Hillside Primary's shared mailbox.
public struct Actor: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The workflow role.
    public var role: String
    /// The person's or organisation's id.
    public var id: String

    /// Creates an actor.
    public init(role: String, id: String) {
        self.role = role
        self.id = id
    }

    /// Parses `ROLE` or `ROLE:ID` (the id defaults to the role).
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let role = parts.first, NameRule.identifier.accepts(role) else { return nil }
        let id = parts.count > 1 ? parts[1] : role
        guard !id.isEmpty else { return nil }
        self.init(role: role, id: id)
    }

    /// `role:id`.
    public var description: String { "\(role):\(id)" }
}

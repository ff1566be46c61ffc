import CaseworkDefinitions
import Foundation

/// One stored definition version without its text: what a snapshot lists and `definitions list` shows.
public struct DefinitionVersion: Sendable, Hashable, Codable, Comparable {
    /// `workflow`, `form`, `calendar` or `policy`.
    public var kind: String
    /// The definition's id.
    public var id: String
    /// Its version.
    public var version: Int
    /// The SHA-256 fingerprint of its content.
    public var fingerprint: String

    /// Creates a version.
    public init(kind: String, id: String, version: Int, fingerprint: String) {
        self.kind = kind
        self.id = id
        self.version = version
        self.fingerprint = fingerprint
    }

    /// The version of a stored definition.
    public init(_ stored: StoredDefinition) {
        self.init(kind: stored.kind, id: stored.id, version: stored.version, fingerprint: stored.fingerprint)
    }

    /// Ordered by kind, id, version, then fingerprint: the order a snapshot's fingerprint is taken in.
    public static func < (lhs: DefinitionVersion, rhs: DefinitionVersion) -> Bool {
        (lhs.kind, lhs.id, lhs.version, lhs.fingerprint) < (rhs.kind, rhs.id, rhs.version, rhs.fingerprint)
    }
}

/// The whole definition set an engine ran when a case started: every workflow, form, calendar and policy, by version.
///
/// A case keeps the snapshot it was opened on (``CaseRecord/definitionSnapshot``), so raising any definition's
/// version never changes the rules, forms, calendars or access policy an open case runs on. The store keeps
/// each snapshot once, by fingerprint, as a list of references to definition versions it already holds.
public struct DefinitionSnapshot: Sendable, Hashable {
    /// SHA-256 over the sorted members, one `kind id version fingerprint` line each.
    public let fingerprint: String
    /// The definition versions of the set, sorted.
    public let members: [DefinitionVersion]

    /// The snapshot of `members` (in any order).
    public init(members: [DefinitionVersion]) {
        self.members = members.sorted()
        fingerprint = SHA256.hex(self.members.map { "\($0.kind) \($0.id) \($0.version) \($0.fingerprint)\n" }.joined())
    }

    /// The member of `kind` with `id`, if the set has one.
    public func member(kind: String, id: String) -> DefinitionVersion? {
        members.first { $0.kind == kind && $0.id == id }
    }
}

import Foundation

/// Who takes part in a case, by role: several people or organisations may play one role (two parents who live
/// apart, two professionals asked for advice), each in the order they were named.
///
/// Each participant is written as a principal's text (`jo`, `person:jo`, `organisation:hillside-primary`). Stored as
/// `{"ROLE": ["PRINCIPAL", …]}`; a record written when a role had one participant (`{"ROLE": "PRINCIPAL"}`) still
/// reads, as that role with one participant. A dictionary literal may name a role more than once, and each entry
/// is kept: `["parent": "jo", "parent": "kim"]` is two parents.
public struct CaseParticipants: Sendable, Hashable, Codable, ExpressibleByDictionaryLiteral {
    /// The participants of each role that has any, in the order they were named.
    public private(set) var byRole: [String: [String]]

    /// Participants from lists by role; roles with an empty list are left out.
    public init(_ byRole: [String: [String]] = [:]) {
        self.byRole = byRole.filter { !$0.value.isEmpty }
    }

    /// Participants from `role: principal` entries, keeping every entry of a role named more than once.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(entries: elements)
    }

    /// Participants from `(role, principal)` pairs in order, keeping every pair (a repeated pair once).
    public init(entries: [(String, String)]) {
        var lists: [String: [String]] = [:]
        for (role, participant) in entries where !(lists[role] ?? []).contains(participant) {
            lists[role, default: []].append(participant)
        }
        self.init(lists)
    }

    /// The participants of `role`, in the order they were named; empty when the case names no one.
    public subscript(role: String) -> [String] { byRole[role] ?? [] }

    /// The roles that have participants, sorted.
    public var roles: [String] { byRole.keys.sorted() }

    /// Whether no role has a participant.
    public var isEmpty: Bool { byRole.isEmpty }

    /// Every `(role, participant)` pair, roles sorted, participants in the order they were named.
    public var entries: [(role: String, participant: String)] {
        roles.flatMap { role in self[role].map { (role: role, participant: $0) } }
    }

    /// The participant of `role` who is `principal` (`jo` and `person:jo` are the same person), as written.
    public func participant(_ principal: Principal, as role: String) -> String? {
        self[role].first { Principal.parsed($0) == principal }
    }

    /// Adds `principal` to `role`'s participants, after those already named; nothing when they already are one.
    public mutating func add(_ principal: Principal, as role: String) {
        guard participant(principal, as: role) == nil else { return }
        byRole[role, default: []].append(principal.description)
    }

    /// Removes `principal` from `role`'s participants; the role goes when it has no one left.
    public mutating func remove(_ principal: Principal, from role: String) {
        let remaining = self[role].filter { Principal.parsed($0) != principal }
        byRole[role] = remaining.isEmpty ? nil : remaining
    }

    /// Reads `{"ROLE": ["PRINCIPAL", …]}`, or the older `{"ROLE": "PRINCIPAL"}` of one participant per role. Any other
    /// value of a role is an error.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: RoleKey.self)
        var lists: [String: [String]] = [:]
        for key in container.allKeys {
            if let list = try? container.decode([String].self, forKey: key) {
                lists[key.stringValue] = list
            } else {
                lists[key.stringValue] = [try container.decode(String.self, forKey: key)]
            }
        }
        self.init(lists)
    }

    /// Writes `{"ROLE": ["PRINCIPAL", …]}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: RoleKey.self)
        for (role, list) in byRole { try container.encode(list, forKey: RoleKey(role)) }
    }

    /// One participant per role, in the shape records had before roles held several; nil when a role has more than one.
    public var oneParticipantPerRole: [String: String]? {
        guard byRole.values.allSatisfy({ $0.count == 1 }) else { return nil }
        return byRole.compactMapValues(\.first)
    }

    /// A role's name as a JSON key.
    struct RoleKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ role: String) { stringValue = role }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

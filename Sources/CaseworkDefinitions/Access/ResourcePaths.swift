/// The parts of a case one policy can name in one definition set, and what redacting each of them hides:
/// the one place that says which resource paths exist, used by both the validator and ``CompiledPolicy``.
///
/// A path is known when it is a declared resource (`case`, `ehcp`), a declared section (`case.state`,
/// `ehcp.K`), or, for the resource `case`, `case.fields` and `case.fields.PATH` for a field path some
/// workflow of the set declares (a field, or a group of fields and anything declared under it).
/// Anything else (`ehcp.Z`, `case.state.x`, `VIEW`, `delete`, the empty string) is unknown.
public struct ResourcePaths: Sendable, Equatable {
    /// The resource whose fields the workflows declare.
    public static let caseResource = "case"
    /// The built-in parts of `case`, which are not groups of fields: its state, its deadlines and its fields.
    public static let caseParts = ["state", "deadlines", "fields"]
    /// `case.fields`: every field of the case.
    public static let caseFields = "case.fields"

    /// Each declared resource's sections, by resource.
    private let sections: [String: [String]]
    /// The resources, in the policy's order.
    private let resources: [String]
    /// Every field path any workflow declares, with the groups that hold them (`child`, `child.date_of_birth`).
    private let fields: Set<String>
    /// The fields each mapped section of `case` stands for, by section path (`case.address`).
    private let sectionFields: [String: [String]]

    /// The paths of `policy` over the fields of `workflows`.
    public init(policy: PolicyDefinition, workflows: [WorkflowDefinition]) {
        var fields = Set<String>()
        for workflow in workflows {
            for (path, _) in FieldValues.flatten(workflow.fields) { Self.insert(path, andTheGroupsHoldingIt: &fields) }
        }
        self.init(policy: policy, fields: fields)
    }

    /// The paths of `policy` over `fields`: every field path and group of them (``fieldPaths`` of the paths made
    /// from the workflows), as a definition cache keeps them, so a hit does not read the workflows' fields again.
    package init(policy: PolicyDefinition, fields: Set<String>) {
        var sections: [String: [String]] = [:]
        for resource in policy.resources { sections[resource.name.value] = resource.sections.map(\.value) }
        self.sections = sections
        resources = policy.resources.map(\.name.value)
        self.fields = fields
        sectionFields = Dictionary(policy.sectionFields.map { ($0.section.value, $0.fields.map(\.value)) }, uniquingKeysWith: { first, _ in first })
    }

    /// Adds the field path `path` and every group path before one of its dots (`child.address.postcode`: also `child`
    /// and `child.address`), longest first, stopping at the first already there: every path in `fields` came with
    /// all of its groups, so the shorter ones are there too. The workflows of a set share most groups, and this was a
    /// twentieth of a warm `casework case show`'s work after start when every group was made and inserted again.
    /// A path with an empty part (`a..b`, which only an invalid name makes) keeps its non-empty parts, joined.
    private static func insert(_ path: String, andTheGroupsHoldingIt fields: inout Set<String>) {
        let bytes = path.utf8
        let dot = UInt8(ascii: ".")
        guard bytes.first != dot, bytes.last != dot, !hasTwoDotsInARow(bytes) else {
            var prefix = ""
            for part in path.split(separator: ".") {
                prefix += prefix.isEmpty ? String(part) : "." + part
                fields.insert(prefix)
            }
            return
        }
        guard fields.insert(path).inserted else { return }
        var end = bytes.endIndex
        while let last = bytes[..<end].lastIndex(of: dot) {
            guard fields.insert(String(path[..<last])).inserted else { return }
            end = last
        }
    }

    /// Whether `bytes` hold two dots in a row, looked for byte by byte: `String.contains("..")` is Foundation's, which
    /// goes through `NSString` and was two thirds of working out a set's paths on every load.
    private static func hasTwoDotsInARow(_ bytes: String.UTF8View) -> Bool {
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == UInt8(ascii: "."), previous == byte { return true }
            previous = byte
        }
        return false
    }

    /// Whether `entry` covers `path`: the same, or `path` lies under it (`ehcp` covers `ehcp.K`).
    /// The lengths are compared in bytes, which are counted in constant time where characters are counted one by one,
    /// and which keep the byte after `entry` inside `path` whatever either holds. A policy is compiled with this asked
    /// hundreds of times, and counting characters was most of its cost (docs/performance.md, "Session 29").
    public static func covers(_ entry: String, _ path: String) -> Bool {
        if entry == path { return true }
        let bytes = path.utf8
        let length = entry.utf8.count
        return bytes.count > length && path.hasPrefix(entry) && bytes[bytes.index(bytes.startIndex, offsetBy: length)] == UInt8(ascii: ".")
    }

    /// The field path a `case.fields.PATH` resource names (`child.address`), or nil for any other path.
    public static func fieldPath(of path: String) -> String? {
        path.hasPrefix(caseFieldsAndDot) ? String(path.dropFirst(caseFieldsAndDot.count)) : nil
    }

    /// `case.fields.`, which begins every field's path: made once, not on each ``fieldPath(of:)``.
    private static let caseFieldsAndDot = caseFields + "."

    /// Whether `path` names a part of a case this policy knows.
    public func isKnown(_ path: String) -> Bool {
        if sections[path] != nil { return true }
        guard let dot = path.firstIndex(of: ".") else { return false }
        let resource = String(path[..<dot])
        guard let declared = sections[resource] else { return false }
        let rest = path[path.index(after: dot)...]
        if declared.contains(where: { $0 == rest }) { return true }
        guard resource == Self.caseResource else { return false }
        if path == Self.caseFields { return true }
        return Self.fieldPath(of: path).map(fields.contains) ?? false
    }

    /// Whether some workflow declares the field path `path` (`child.address`), or a group holding it.
    public func reachesField(_ path: String) -> Bool { fields.contains(path) }

    /// Every field path the workflows declare, sorted: for suggestions.
    public var fieldPaths: [String] { fields.sorted() }

    /// Every path that is not a field path: the resources, their sections and `case.fields`; for suggestions.
    public var resourceNames: [String] {
        resources + resources.flatMap { resource in
            (sections[resource] ?? []).map { "\(resource).\($0)" } + (resource == Self.caseResource && !(sections[resource] ?? []).contains("fields") ? [Self.caseFields] : [])
        }
    }

    /// The whole parts of `resource` that a grant limited to some sections is checked against: a declared
    /// resource's sections (for `case`, with `case.fields` always among them); any other path is its own only part.
    public func parts(of resource: String) -> [String] {
        guard let declared = sections[resource] else { return [resource] }
        var parts = declared.map { "\(resource).\($0)" }
        if resource == Self.caseResource, !parts.contains(Self.caseFields) { parts.append(Self.caseFields) }
        return parts
    }

    /// What redacting `path` hides: the path and everything under it, and the case fields it stands for
    /// (`case` and `case.fields`: every field; `case.fields.PATH`: that field; a section of `case` other than
    /// its built-in parts: the fields `section_fields` maps it to, or else the field of its own name).
    public func redaction(of path: String) -> Redaction {
        if path == Self.caseResource || path == Self.caseFields { return Redaction(path: path, fields: .every) }
        if let field = Self.fieldPath(of: path) { return Redaction(path: path, fields: .under([field])) }
        guard path.hasPrefix(Self.caseResource + ".") else { return Redaction(path: path, fields: .none) }
        let section = String(path.dropFirst(Self.caseResource.count + 1))
        if Self.caseParts.contains(section) { return Redaction(path: path, fields: .none) }
        return Redaction(path: path, fields: .under(sectionFields[path] ?? [section]))
    }
}

/// The spelling rules for names in definition files.
package enum NameRule: Sendable, Hashable {
    /// Workflow and form ids: lower-case words joined by `-`, such as `ehcp-needs-assessment`.
    case definitionID
    /// States, transitions, fields, templates and roles: lower-case letters, digits and `_`, starting with a letter.
    case identifier
    /// A field path: identifiers joined by `.`, such as `child.date_of_birth`.
    case identifierPath
    /// A resource section: letters and digits, such as `A`, `H1` or `address`.
    case section
    /// A resource, or a resource and one of its sections: `ehcp`, `ehcp.K`, `case.address`.
    case resourcePath

    /// How to write a name that follows the rule.
    package var help: String {
        switch self {
        case .definitionID: "use lower-case words joined by '-', such as 'ehcp-needs-assessment'"
        case .identifier: "use lower-case letters, digits and '_', starting with a letter, such as 'requested_on'"
        case .identifierPath: "name a field, or a field in a group joined with '.', such as 'child.date_of_birth'"
        case .section: "use letters, digits and '_', such as 'A', 'H1' or 'address'"
        case .resourcePath: "name a resource, or a resource and a section joined with '.', such as 'ehcp' or 'ehcp.K', or a case field such as 'case.fields.child.address'"
        }
    }

    /// Whether `name` follows the rule.
    package func accepts(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { accepts(bytes: $0) }
    }

    /// Whether `name` follows the rule.
    package func accepts(_ name: Substring) -> Bool {
        var name = name
        return name.withUTF8 { accepts(bytes: $0) }
    }

    /// Whether the name whose UTF-8 bytes are `bytes` follows the rule.
    func accepts(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        switch self {
        case .identifier:
            guard let first = bytes.first, first &- UInt8(ascii: "a") < 26 else { return false }
            return bytes.allSatisfy { ASCIISet.identifier.contains($0) }
        case .section:
            return !bytes.isEmpty && bytes.allSatisfy { ASCIISet.section.contains($0) }
        case .identifierPath:
            var start = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: ".") {
                guard NameRule.identifier.accepts(bytes: UnsafeBufferPointer(rebasing: bytes[start..<index])) else { return false }
                start = index + 1
            }
            return true
        case .resourcePath:
            // A resource, then optionally a section, then optionally a field path under it (`case.fields.child.address`).
            guard let dot = bytes.firstIndex(of: UInt8(ascii: ".")) else { return NameRule.identifier.accepts(bytes: bytes) }
            let rest = UnsafeBufferPointer(rebasing: bytes[(dot + 1)...])
            let sectionEnd = rest.firstIndex(of: UInt8(ascii: ".")) ?? rest.endIndex
            return NameRule.identifier.accepts(bytes: UnsafeBufferPointer(rebasing: bytes[..<dot]))
                && NameRule.section.accepts(bytes: UnsafeBufferPointer(rebasing: rest[..<sectionEnd]))
                && (sectionEnd == rest.endIndex || NameRule.identifierPath.accepts(bytes: UnsafeBufferPointer(rebasing: rest[(sectionEnd + 1)...])))
        case .definitionID:
            guard let first = bytes.first, first &- UInt8(ascii: "a") < 26 else { return false }
            var previousWasDash = false
            for byte in bytes {
                if byte &- UInt8(ascii: "a") < 26 || byte &- UInt8(ascii: "0") < 10 {
                    previousWasDash = false
                } else if byte == UInt8(ascii: "-"), !previousWasDash {
                    previousWasDash = true
                } else {
                    return false
                }
            }
            return !previousWasDash
        }
    }
}

/// The spelling rules for names in definition files.
public enum NameRule: Sendable, Hashable {
    /// Workflow and form ids: lower-case words joined by `-`, such as `ehcp-needs-assessment`.
    case definitionID
    /// States, transitions, fields, templates and roles: lower-case letters, digits and `_`, starting with a letter.
    case identifier

    /// How to write a name that follows the rule.
    public var help: String {
        switch self {
        case .definitionID: "use lower-case words joined by '-', such as 'ehcp-needs-assessment'"
        case .identifier: "use lower-case letters, digits and '_', starting with a letter, such as 'requested_on'"
        }
    }

    /// Whether `name` follows the rule.
    public func accepts(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { accepts(bytes: $0) }
    }

    /// Whether `name` follows the rule.
    public func accepts(_ name: Substring) -> Bool {
        var name = name
        return name.withUTF8 { accepts(bytes: $0) }
    }

    /// Whether the name whose UTF-8 bytes are `bytes` follows the rule.
    func accepts(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first, first &- UInt8(ascii: "a") < 26 else { return false }
        let isDefinitionID = self == .definitionID
        var previousWasDash = false
        for byte in bytes {
            if byte &- UInt8(ascii: "a") < 26 || byte &- UInt8(ascii: "0") < 10 {
                previousWasDash = false
            } else if byte == UInt8(ascii: "_"), !isDefinitionID {
                previousWasDash = false
            } else if byte == UInt8(ascii: "-"), isDefinitionID, !previousWasDash {
                previousWasDash = true
            } else {
                return false
            }
        }
        return !previousWasDash
    }
}

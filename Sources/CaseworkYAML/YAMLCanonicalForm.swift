extension YAMLNode {
    /// The node's content in one canonical form, as UTF-8 bytes, without positions, comments or layout.
    ///
    /// Two files that mean the same (reformatted, recommented, quoted differently
    /// where quoting does not change the value's kind) give the same bytes, so a
    /// hash of them fingerprints a definition's content. Plain and quoted scalars
    /// stay distinct, because `true` and `"true"` mean different things.
    public var canonicalBytes: [UInt8] {
        var bytes: [UInt8] = []
        appendCanonical(to: &bytes)
        return bytes
    }

    private func appendCanonical(to bytes: inout [UInt8]) {
        switch content {
        case .scalar(let scalar):
            bytes.append(scalar.style == .plain && tag == nil ? UInt8(ascii: "p") : UInt8(ascii: "s"))
            Self.appendQuoted(scalar.value, to: &bytes)
        case .sequence(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                item.appendCanonical(to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .mapping(let pairs):
            bytes.append(UInt8(ascii: "{"))
            for (index, pair) in pairs.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                Self.appendQuoted(pair.key.name, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                pair.value.appendCanonical(to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private static func appendQuoted(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case UInt8(ascii: "\n"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "n"))
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

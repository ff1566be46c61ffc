extension YAMLNode {
    /// The node's content in one canonical form, as UTF-8 bytes, without positions, comments or layout.
    ///
    /// Two files that mean the same (reformatted, recommented, quoted differently
    /// where quoting does not change the value's kind) give the same bytes, so a
    /// hash of them fingerprints a definition's content. Plain and quoted scalars
    /// stay distinct, because `true` and `"true"` mean different things. It walks
    /// the flat tree in place, copying each scalar's bytes once.
    package var canonicalBytes: [UInt8] {
        withView { view in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(1 << 16)
            Self.appendCanonical(view, to: &bytes)
            return bytes
        }
    }

    private static func appendCanonical(_ node: YAMLNodeView, to bytes: inout [UInt8]) {
        switch node.kind {
        case .scalar:
            bytes.append(node.style == .plain && node.tag == nil ? UInt8(ascii: "p") : UInt8(ascii: "s"))
            appendQuoted(node.bytes, to: &bytes)
        case .sequence:
            bytes.append(UInt8(ascii: "["))
            for index in 0..<node.count {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                appendCanonical(node.item(index), to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .mapping:
            bytes.append(UInt8(ascii: "{"))
            for index in 0..<node.count {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                appendQuoted(node.key(index).bytes, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                appendCanonical(node.value(index), to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// `"value"` with `"`, `\` and line feeds escaped, copying unescaped runs whole.
    private static func appendQuoted(_ value: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var start = 0
        for (index, byte) in value.enumerated() {
            let escaped: UInt8
            switch byte {
            case UInt8(ascii: "\""): escaped = UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): escaped = UInt8(ascii: "\\")
            case UInt8(ascii: "\n"): escaped = UInt8(ascii: "n")
            default: continue
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: value[start..<index]))
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(escaped)
            start = index + 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: value[start..<value.count]))
        bytes.append(UInt8(ascii: "\""))
    }
}

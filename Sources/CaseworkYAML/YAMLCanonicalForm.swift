extension YAMLNode {
    /// The node's content in one canonical text, without positions, comments or layout.
    ///
    /// Two files that mean the same (reformatted, recommented, quoted differently
    /// where quoting does not change the value's kind) give the same text, so a
    /// hash of it fingerprints a definition's content. Plain and quoted scalars
    /// stay distinct, because `true` and `"true"` mean different things.
    public var canonicalText: String {
        var text = ""
        appendCanonical(to: &text)
        return text
    }

    private func appendCanonical(to text: inout String) {
        switch content {
        case .scalar(let scalar):
            text += scalar.style == .plain && tag == nil ? "p" : "s"
            appendQuoted(scalar.value, to: &text)
        case .sequence(let items):
            text += "["
            for (index, item) in items.enumerated() {
                if index > 0 { text += "," }
                item.appendCanonical(to: &text)
            }
            text += "]"
        case .mapping(let pairs):
            text += "{"
            for (index, pair) in pairs.enumerated() {
                if index > 0 { text += "," }
                appendQuoted(pair.key.name, to: &text)
                text += ":"
                pair.value.appendCanonical(to: &text)
            }
            text += "}"
        }
    }

    private func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}

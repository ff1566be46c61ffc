/// The rules for ids of people, organisations and cases that come from outside.
package enum Identifier {
    /// The longest id accepted.
    package static let maximumLength = 100

    /// Whether `text` is a usable id: 1 to 100 ASCII letters, digits, `-`, `_` or `.`, so it can never
    /// carry a control character, a terminal escape, or the `:` and `@` that separate an actor's parts.
    package static func isUsable(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= maximumLength
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x5F || byte == 0x2E
            }
    }
}

/// Base64url without padding (RFC 7515 §2), read strictly: the JWT's three parts and a JWKS's key numbers.
///
/// Only the 64 letters of the URL-safe alphabet are read; padding (`=`), the `+` and `/` of plain base64, white
/// space, a length no encoding has (one letter past a group of four) and a last letter whose unused bits are not zero
/// are each refused, so every byte string has exactly one text that is accepted for it.
enum Base64URL {
    /// The bytes `text` encodes, or nil when it is not canonical unpadded base64url.
    static func decode<Text: StringProtocol>(_ text: Text) -> [UInt8]? {
        let letters = Array(text.utf8)
        guard letters.count % 4 != 1 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(letters.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for letter in letters {
            guard let value = value(letter) else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        guard accumulator == 0 else { return nil }
        return bytes
    }

    private static func value(_ letter: UInt8) -> UInt8? {
        switch letter {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): letter - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): letter - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): letter - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}

/// A set of ASCII bytes as a 128-bit mask: whether a byte is in it is one shift, where a chain of range
/// comparisons per byte was most of the time spent checking the names a definition set keeps.
package struct ASCIISet: Sendable {
    /// The bytes 0–63, bit `n` for byte `n`.
    let low: UInt64
    /// The bytes 64–127, bit `n` for byte `64 + n`.
    let high: UInt64

    /// The bytes of an identifier after its first: `a`–`z`, `0`–`9` and `_`.
    package static let identifier = ASCIISet(low: digits, high: lowerCase | underscore)
    /// The bytes of a section: `a`–`z`, `A`–`Z`, `0`–`9` and `_`.
    package static let section = ASCIISet(low: digits, high: lowerCase | upperCase | underscore)

    /// `0`–`9` (48–57) in ``low``.
    private static let digits: UInt64 = 0x3FF << 48
    /// `A`–`Z` (65–90) in ``high``.
    private static let upperCase: UInt64 = 0x3FF_FFFF << 1
    /// `_` (95) in ``high``.
    private static let underscore: UInt64 = 1 << 31
    /// `a`–`z` (97–122) in ``high``.
    private static let lowerCase: UInt64 = 0x3FF_FFFF << 33

    /// Whether `byte` is in the set (never for a byte of 128 or more).
    @inline(__always) package func contains(_ byte: UInt8) -> Bool {
        let mask = byte < 64 ? low : high
        return byte < 128 && (mask >> UInt64(byte & 63)) & 1 != 0
    }
}

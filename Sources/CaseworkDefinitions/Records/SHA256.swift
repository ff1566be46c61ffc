import CCrypto

/// SHA-256 digests through OpenSSL's libcrypto, for the audit chain and definition fingerprints.
package enum SHA256 {
    /// The digest of `bytes` as 64 lower-case hexadecimal characters.
    package static func hex(_ bytes: some Collection<UInt8>) -> String {
        if let text = bytes.withContiguousStorageIfAvailable({ hex(of: $0) }) { return text }
        return Array(bytes).withUnsafeBufferPointer { hex(of: $0) }
    }

    /// The digest of an array of bytes (the audit chain's canonical bytes), hashed in place without the generic
    /// collection path.
    package static func hex(_ bytes: [UInt8]) -> String { bytes.withUnsafeBufferPointer { hex(of: $0) } }

    /// The digest of bytes in place (the audit chain's canonical bytes where their writer wrote them).
    package static func hex(_ bytes: UnsafeBufferPointer<UInt8>) -> String { hex(of: bytes) }

    /// The digest of a string's UTF-8 bytes.
    package static func hex(_ text: String) -> String { hex(Array(text.utf8)) }

    /// The digest of the bytes in `buffer`, as hexadecimal, through libcrypto's SHA-256 functions (`casework_sha256`
    /// in the CCrypto shim) rather than EVP, whose first use in a process builds OpenSSL 3's table of every
    /// algorithm's names: about a twentieth of a warm `casework case show`'s work after start (docs/performance.md, Benchmarks,
    /// `cli`).
    private static func hex(of buffer: UnsafeBufferPointer<UInt8>) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest in
            // SHA256_Init, _Update and _Final cannot fail on a context on the stack; a digest of zeros can match no real chain.
            guard casework_sha256(buffer.baseAddress, buffer.count, digest.baseAddress) == 1 else {
                return String(repeating: "0", count: 64)
            }
            let count = 32
            return String(unsafeUninitializedCapacity: count * 2) { text in
                for index in 0..<count {
                    text[2 * index] = lowerHexDigit(digest[index] >> 4)
                    text[2 * index + 1] = lowerHexDigit(digest[index] & 0x0F)
                }
                return count * 2
            }
        }
    }
}

/// The lower-case hexadecimal digit of `nibble` (0 to 15), for a digest's text and a string's `\u00XX` escapes: worked out
/// rather than read from a table, which would be a global's first-use check and a bounds check on each digit.
@inline(__always)
func lowerHexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
}

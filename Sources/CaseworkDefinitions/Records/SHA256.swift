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

    /// The digest of a string's UTF-8 bytes.
    package static func hex(_ text: String) -> String { hex(Array(text.utf8)) }

    /// SHA-256 fetched from libcrypto's default provider once, so each digest skips OpenSSL 3's implicit fetch (a
    /// locked lookup in its method store) that `EVP_sha256()` costs on every use.
    private static let algorithm = Algorithm()

    /// The fetched algorithm.
    private struct Algorithm: @unchecked Sendable {
        // Unchecked: an EVP_MD is immutable once fetched and OpenSSL documents fetched algorithms as safe to share
        // between threads; this one is fetched once and never freed, so every thread may digest with it.
        let pointer: OpaquePointer?
        init() { pointer = EVP_MD_fetch(nil, "SHA256", nil) }
    }

    /// The digest of the bytes in `buffer`, as hexadecimal.
    private static func hex(of buffer: UnsafeBufferPointer<UInt8>) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(EVP_MAX_MD_SIZE)) { digest in
            var length: UInt32 = 0
            let method = algorithm.pointer ?? EVP_sha256()
            // EVP_Digest fails only when libcrypto cannot allocate a context; a digest of zeros can match no real chain.
            guard EVP_Digest(buffer.baseAddress, buffer.count, digest.baseAddress, &length, method, nil) == 1 else {
                return String(repeating: "0", count: 64)
            }
            let count = Int(length)
            return String(unsafeUninitializedCapacity: count * 2) { text in
                for index in 0..<count {
                    text[2 * index] = hexDigits[Int(digest[index] >> 4)]
                    text[2 * index + 1] = hexDigits[Int(digest[index] & 0x0F)]
                }
                return count * 2
            }
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

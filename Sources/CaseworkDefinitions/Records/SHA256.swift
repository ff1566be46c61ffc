import CCrypto

/// SHA-256 digests through OpenSSL's libcrypto, for the audit chain and definition fingerprints.
package enum SHA256 {
    /// The digest of `bytes` as 64 lower-case hexadecimal characters.
    package static func hex(_ bytes: some Collection<UInt8>) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let succeeded = Array(bytes).withUnsafeBytes { buffer in
            EVP_Digest(buffer.baseAddress, buffer.count, &digest, &length, EVP_sha256(), nil) == 1
        }
        // EVP_Digest fails only when libcrypto cannot allocate a context; a digest of zeros can match no real chain.
        guard succeeded else { return String(repeating: "0", count: 64) }
        let table = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(64)
        for byte in digest.prefix(Int(length)) {
            text.append(table[Int(byte >> 4)])
            text.append(table[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The digest of a string's UTF-8 bytes.
    package static func hex(_ text: String) -> String { hex(Array(text.utf8)) }
}

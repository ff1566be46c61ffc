import CCrypto
import CaseworkDefinitions

/// Why an Ed25519 key could not be read or a signature could not be made or checked.
package enum Ed25519Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text is not a PEM key of the expected kind (`private key` or `public key`), or it is encrypted.
    case invalidKey(expected: String)
    /// The PEM holds a key of another algorithm (RSA, EC, …).
    case notEd25519
    /// The signature was not made by this key over these bytes.
    case signatureDoesNotVerify
    /// libcrypto failed for a reason of its own (usually memory), naming the step.
    case libcryptoFailed(String)

    /// One line a user can act on.
    package var description: String {
        switch self {
        case .invalidKey(let expected): "invalid key: expected an unencrypted PEM Ed25519 \(expected)"
        case .notEd25519: "not an Ed25519 key: make one with 'openssl genpkey -algorithm ed25519'"
        case .signatureDoesNotVerify: "signature does not verify"
        case .libcryptoFailed(let step): "libcrypto failed to \(step)"
        }
    }
}

/// An Ed25519 private key, held as its 32 raw bytes so the value is `Sendable` and owns no C memory.
///
/// Ed25519 is used for audit checkpoints because its signatures are small and deterministic and
/// libcrypto implements it whole: this type only moves bytes in and out of `EVP_PKEY` and
/// `EVP_DigestSign`, with no cryptography of its own. Its description never shows the key.
package struct Ed25519PrivateKey: Sendable, CustomStringConvertible {
    private let raw: [UInt8]
    /// The matching public key.
    package let publicKey: Ed25519PublicKey

    /// Reads a PEM private key (`-----BEGIN PRIVATE KEY-----`, as `openssl genpkey -algorithm ed25519` writes).
    package init(pem: String) throws(Ed25519Error) {
        let key = try LibCrypto.readPEM(pem, expected: "private key") { bio in
            PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
        }
        defer { EVP_PKEY_free(key) }
        try self.init(key)
    }

    /// A new random key, for tests and for councils that make keys in process rather than with `openssl`.
    package static func generate() throws(Ed25519Error) -> Ed25519PrivateKey {
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil) else { throw .libcryptoFailed("make a key context") }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_keygen(context, &key) == 1, let key else {
            ERR_clear_error()
            throw .libcryptoFailed("generate a key")
        }
        defer { EVP_PKEY_free(key) }
        return try Ed25519PrivateKey(key)
    }

    private init(_ key: OpaquePointer) throws(Ed25519Error) {
        guard EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 else { throw .notEd25519 }
        var length = 0
        guard EVP_PKEY_get_raw_private_key(key, nil, &length) == 1 else { throw .libcryptoFailed("read the private key") }
        var raw = [UInt8](repeating: 0, count: length)
        guard EVP_PKEY_get_raw_private_key(key, &raw, &length) == 1 else { throw .libcryptoFailed("read the private key") }
        self.raw = raw
        self.publicKey = try Ed25519PublicKey(key)
    }

    /// The key as PEM (PKCS #8, unencrypted), as `openssl genpkey` writes it.
    package func pem() throws(Ed25519Error) -> String {
        try withKey { (key) throws(Ed25519Error) in
            try LibCrypto.writePEM { bio in PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil) }
        }
    }

    /// The 64-byte Ed25519 signature of `message` (the message itself is signed: Ed25519 takes no separate digest).
    package func sign(_ message: [UInt8]) throws(Ed25519Error) -> [UInt8] {
        try withKey { (key) throws(Ed25519Error) in
            guard let context = EVP_MD_CTX_new() else { throw .libcryptoFailed("make a signing context") }
            defer { EVP_MD_CTX_free(context) }
            var signature = [UInt8](repeating: 0, count: 64)
            var length = signature.count
            guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1,
                EVP_DigestSign(context, &signature, &length, message, message.count) == 1
            else {
                ERR_clear_error()
                throw .libcryptoFailed("sign")
            }
            return Array(signature.prefix(length))
        }
    }

    /// Says which key this is without showing it.
    package var description: String { "Ed25519 private key for public key \(publicKey.fingerprint)" }

    private func withKey<Result>(_ body: (OpaquePointer) throws(Ed25519Error) -> Result) throws(Ed25519Error) -> Result {
        guard let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, raw, raw.count) else {
            ERR_clear_error()
            throw .libcryptoFailed("load the private key")
        }
        defer { EVP_PKEY_free(key) }
        return try body(key)
    }
}

/// An Ed25519 public key, held as its 32 raw bytes: what checks a checkpoint's signature.
package struct Ed25519PublicKey: Sendable, Hashable, CustomStringConvertible {
    private let raw: [UInt8]
    /// The SHA-256 of the key's DER `SubjectPublicKeyInfo`, in lower-case hex: the same as
    /// `openssl pkey -pubin -in key.pub -outform DER | sha256sum`, so a person can check which key signed.
    package let fingerprint: String

    /// Reads a PEM public key (`-----BEGIN PUBLIC KEY-----`, as `openssl pkey -pubout` writes).
    package init(pem: String) throws(Ed25519Error) {
        let key = try LibCrypto.readPEM(pem, expected: "public key") { bio in
            PEM_read_bio_PUBKEY(bio, nil, { _, _, _, _ in 0 }, nil)
        }
        defer { EVP_PKEY_free(key) }
        try self.init(key)
    }

    /// The public half of a loaded key.
    fileprivate init(_ key: OpaquePointer) throws(Ed25519Error) {
        guard EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 else { throw .notEd25519 }
        var length = 0
        guard EVP_PKEY_get_raw_public_key(key, nil, &length) == 1 else { throw .libcryptoFailed("read the public key") }
        var raw = [UInt8](repeating: 0, count: length)
        guard EVP_PKEY_get_raw_public_key(key, &raw, &length) == 1 else { throw .libcryptoFailed("read the public key") }
        let size = i2d_PUBKEY(key, nil)
        guard size > 0 else { throw .libcryptoFailed("encode the public key") }
        var der = [UInt8](repeating: 0, count: Int(size))
        let written = der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return i2d_PUBKEY(key, &cursor)
        }
        guard written == size else { throw .libcryptoFailed("encode the public key") }
        self.raw = raw
        self.fingerprint = SHA256.hex(der)
    }

    /// The key as PEM, as `openssl pkey -pubout` writes it.
    package func pem() throws(Ed25519Error) -> String {
        try withKey { (key) throws(Ed25519Error) in try LibCrypto.writePEM { bio in PEM_write_bio_PUBKEY(bio, key) } }
    }

    /// Returns when `signature` is this key's signature of `message`; throws ``Ed25519Error/signatureDoesNotVerify`` otherwise.
    package func verify(_ signature: [UInt8], of message: [UInt8]) throws(Ed25519Error) {
        try withKey { (key) throws(Ed25519Error) in
            guard let context = EVP_MD_CTX_new() else { throw .libcryptoFailed("make a verifying context") }
            defer { EVP_MD_CTX_free(context) }
            guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else {
                ERR_clear_error()
                throw .libcryptoFailed("start verifying")
            }
            let verified = EVP_DigestVerify(context, signature, signature.count, message, message.count)
            ERR_clear_error()
            guard verified == 1 else { throw .signatureDoesNotVerify }
        }
    }

    /// The fingerprint, which names the key without being the key.
    package var description: String { "Ed25519 public key \(fingerprint)" }

    private func withKey<Result>(_ body: (OpaquePointer) throws(Ed25519Error) -> Result) throws(Ed25519Error) -> Result {
        guard let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, raw, raw.count) else {
            ERR_clear_error()
            throw .libcryptoFailed("load the public key")
        }
        defer { EVP_PKEY_free(key) }
        return try body(key)
    }
}

/// Moving PEM text in and out of libcrypto through memory `BIO`s.
private enum LibCrypto {
    /// The key `read` finds in `pem`, or ``Ed25519Error/invalidKey(expected:)``; the caller frees it.
    static func readPEM(_ pem: String, expected: String, _ read: (OpaquePointer) -> OpaquePointer?) throws(Ed25519Error) -> OpaquePointer {
        let bytes = Array(pem.utf8)
        guard bytes.count < Int(Int32.max) else { throw .invalidKey(expected: expected) }
        let key: OpaquePointer? = bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return read(bio)
        }
        ERR_clear_error()
        guard let key else { throw .invalidKey(expected: expected) }
        return key
    }

    /// What `write` puts into a memory `BIO`, as text.
    static func writePEM(_ write: (OpaquePointer) -> Int32) throws(Ed25519Error) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw .libcryptoFailed("make a memory buffer") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else {
            ERR_clear_error()
            throw .libcryptoFailed("write PEM")
        }
        var text = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(bio)))
        let read = BIO_read(bio, &text, Int32(text.count))
        guard read == text.count else { throw .libcryptoFailed("read PEM back") }
        return String(decoding: text, as: UTF8.self)
    }
}

import CCrypto
import CaseworkDefinitions

/// Why an Ed25519 key could not be read or a signature could not be made or checked.
package enum Ed25519Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text is not a PEM key of the expected kind (`private key` or `public key`), or it is encrypted.
    case invalidKey(expected: String)
    /// The PEM holds a key of another algorithm (RSA, EC, …).
    case notEd25519
    /// The public key is a point of small order, under which signatures anyone can write verify for most texts.
    case smallOrder
    /// The signature was not made by this key over these bytes.
    case signatureDoesNotVerify
    /// libcrypto failed for a reason of its own (usually memory), naming the step.
    case libcryptoFailed(String)

    /// One line a user can act on.
    package var description: String {
        switch self {
        case .invalidKey(let expected): "invalid key: expected an unencrypted PEM Ed25519 \(expected)"
        case .notEd25519: "not an Ed25519 key: make one with 'openssl genpkey -algorithm ed25519'"
        case .smallOrder: "not a usable key: signatures anyone can write verify under it (a point of small order); make one with 'openssl genpkey -algorithm ed25519'"
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
            PEM_read_bio_PrivateKey(bio, nil, LibCrypto.noPassphrase, nil)
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
            PEM_read_bio_PUBKEY(bio, nil, LibCrypto.noPassphrase, nil)
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
        guard !Self.isOfSmallOrder(raw) else { throw .smallOrder }
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

    /// The encodings of the eight points of edwards25519 whose order divides 8, less x's sign bit (the top bit of the
    /// last byte): the y-coordinates 0, 1, p − 1 and the two of the points of order 8, and p and p + 1, which encode 0
    /// and 1 again (p = 2^255 − 19; no other y has a second encoding below 2^255). libsodium refuses the same list.
    ///
    /// libcrypto checks none of them: under the key `01 00 … 00` (the neutral point) the signature `01 00 … 00`
    /// followed by 32 zero bytes verifies for every text, and under each of the others some such signature verifies
    /// for most texts (`AuditCheckpointTests.smallOrderKeysAreRefused` shows it with libcrypto for all fourteen
    /// encodings, sign bit and all). A key made by `openssl genpkey` is never one of them. Open to the package for that
    /// test.
    package static let smallOrderEncodings: [[UInt8]] = [
        [0x00] + [UInt8](repeating: 0x00, count: 31),
        [0x01] + [UInt8](repeating: 0x00, count: 31),
        [0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
         0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05],
        [0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
         0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a],
        [0xec] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
        [0xed] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
        [0xee] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
    ]

    /// Whether `raw`, 32 bytes, encodes a point of small order, whatever its sign bit.
    private static func isOfSmallOrder(_ raw: [UInt8]) -> Bool {
        guard raw.count == 32 else { return false }
        return smallOrderEncodings.contains { encoding in
            raw.indices.allSatisfy { index in (index == 31 ? raw[index] & 0x7f : raw[index]) == encoding[index] }
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
    /// The passphrase callback every read passes: it fails, so an encrypted key is refused before it is decrypted.
    ///
    /// A callback that answers 0 gives libcrypto an empty passphrase, and it goes on: a key encrypted under the empty
    /// passphrase was read as if it were plain, and any other encrypted key first ran its key derivation for as many
    /// rounds as the file asks (PBKDF2 with 2^31 − 1 of them held a command for about twenty minutes here, session 34).
    /// Failing (-1) stops the read at the passphrase, whatever the file asks.
    static let noPassphrase: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = { _, _, _, _ in -1 }

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

import CCrypto

/// The signature algorithms a bearer JWT may be signed with: ES256 (ECDSA on P-256 with SHA-256) and RS256
/// (RSASSA-PKCS1-v1_5 with SHA-256). No other is ever accepted: not `none`, and not the HMAC algorithms, whose
/// "key" would be a public key anyone can read.
package enum JWTAlgorithm: String, Sendable, CaseIterable {
    /// ECDSA on P-256 with SHA-256; the signature is `r || s`, 64 bytes.
    case es256 = "ES256"
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    case rs256 = "RS256"
}

/// One public key of an identity provider's JWKS (RFC 7517), named by its `kid`: its numbers, checked, and libcrypto's
/// key built from them once, when the key is read (``LibcryptoPublicKey``), which every token's check then uses. There
/// is no key of numbers that are not a public key to trust.
package struct JSONWebKey: Sendable {
    /// The key's numbers.
    enum Material: Sendable {
        /// An RSA key: the modulus `n` and exponent `e`, big-endian.
        case rsa(modulus: [UInt8], exponent: [UInt8])
        /// A P-256 point: `x` and `y`, 32 bytes each.
        case p256(x: [UInt8], y: [UInt8])

        /// The one algorithm a key of these numbers can check: ES256 for a P-256 point, RS256 for an RSA key.
        var algorithm: JWTAlgorithm {
            switch self {
            case .rsa: .rs256
            case .p256: .es256
            }
        }
    }

    /// Why a JWK's numbers are not a public key to trust: one phrase, said after the key's name.
    package struct Unusable: Error, Sendable {
        /// What is wrong with the numbers.
        package var reason: String
    }

    /// The `kid` a token's header names it by.
    package let id: String
    /// Its numbers.
    let material: Material
    /// libcrypto's key for ``material``, built once, when the key was made.
    private let publicKey: LibcryptoPublicKey

    /// The key `id` of `material`, with libcrypto's key built from the numbers, when they are a public key to trust;
    /// otherwise throws why not. An RSA key's numbers are checked before libcrypto is given them, so a modulus no
    /// signing key has is refused without building anything.
    init(id: String, material: Material) throws(Unusable) {
        defer { ERR_clear_error() }
        self.id = id
        self.material = material
        publicKey = LibcryptoPublicKey(adopting: try Self.checkedKey(material).get())
    }

    /// The one algorithm this key can check: ES256 for a P-256 key, RS256 for an RSA key, so a token can never
    /// have a key used with an algorithm of another kind.
    var algorithm: JWTAlgorithm { material.algorithm }

    /// Whether the numbers are a public key to trust (``checkedKey(_:)``). Worked out from the numbers each time it is
    /// asked, with a key of its own, so asking again checks them again: the `jwks` fuzz target asks it of every key a
    /// set kept.
    package var isUsable: Bool {
        defer { ERR_clear_error() }
        guard case .success(let key) = Self.checkedKey(material) else { return false }
        EVP_PKEY_free(key)
        return true
    }

    /// libcrypto's key for `material` when the numbers are a public key to trust (the caller frees it), or why they
    /// are not: an RSA key must pass ``RSAPublicKeyCheck`` (the same answer every time, where libcrypto's own RSA check
    /// draws random bases) and then load into libcrypto; a P-256 point must be one libcrypto's public-key check
    /// accepts, which is deterministic.
    private static func checkedKey(_ material: Material) -> Result<OpaquePointer, Unusable> {
        if case .rsa(let modulus, let exponent) = material, let refusal = RSAPublicKeyCheck.refusal(modulus: modulus, exponent: exponent) {
            return .failure(Unusable(reason: "\(refusal)"))
        }
        guard let key = makeKey(material) else {
            if case .rsa = material { return .failure(Unusable(reason: "libcrypto does not load it as an RSA key")) }
            return .failure(Unusable(reason: "libcrypto does not accept it as a point on P-256"))
        }
        return .success(key)
    }

    /// Whether `signature` is this key's signature over `message` with `algorithm`; false for any other algorithm,
    /// an ES256 signature that is not 64 bytes, or anything libcrypto refuses.
    package func verifies(_ signature: [UInt8], over message: [UInt8], algorithm: JWTAlgorithm) -> Bool {
        defer { ERR_clear_error() }
        guard algorithm == self.algorithm else { return false }
        let encoded: [UInt8]
        switch material {
        case .rsa: encoded = signature
        case .p256:
            guard signature.count == 64, let der = Self.derSignature(signature) else { return false }
            encoded = der
        }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        guard EVP_DigestVerifyInit(context, &keyContext, EVP_sha256(), nil, publicKey.pointer) == 1 else { return false }
        if case .rsa = material {
            guard EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PADDING) == 1 else { return false }
        }
        let verified = encoded.withUnsafeBufferPointer { signatureBytes in
            message.withUnsafeBufferPointer { messageBytes in
                EVP_DigestVerify(context, signatureBytes.baseAddress, signatureBytes.count, messageBytes.baseAddress, messageBytes.count)
            }
        }
        return verified == 1
    }

    /// An ES256 signature's `r || s` as the DER `ECDSA-Sig-Value` libcrypto checks.
    private static func derSignature(_ rs: [UInt8]) -> [UInt8]? {
        guard let signature = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(signature) }
        let r = rs[0..<32].withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, 32, nil) }
        let s = rs[32..<64].withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, 32, nil) }
        guard let r, let s, ECDSA_SIG_set0(signature, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        let length = i2d_ECDSA_SIG(signature, nil)
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return i2d_ECDSA_SIG(signature, &cursor)
        }
        return written == length ? der : nil
    }

    /// libcrypto's public key for `material` (`EVP_PKEY_fromdata`); the caller frees it. A P-256 point must also pass
    /// `EVP_PKEY_public_check`; an RSA key is not given to that check, whose bases are random, since
    /// ``checkedKey(_:)`` has held its numbers to ``RSAPublicKeyCheck`` first. Parameter names and the group name are
    /// static strings because the builder keeps pointers to them.
    private static func makeKey(_ material: Material) -> OpaquePointer? {
        switch material {
        case .rsa(let modulus, let exponent):
            let n = modulus.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32($0.count), nil) }
            let e = exponent.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32($0.count), nil) }
            defer {
                BN_free(n)
                BN_free(e)
            }
            guard let n, let e else { return nil }
            return Self.build(type: "RSA", checked: false) { builder in
                OSSL_PARAM_BLD_push_BN(builder, Self.cString("n"), n) == 1 && OSSL_PARAM_BLD_push_BN(builder, Self.cString("e"), e) == 1
            }
        case .p256(let x, let y):
            let point: [UInt8] = [0x04] + x + y
            return point.withUnsafeBufferPointer { pointBytes in
                Self.build(type: "EC", checked: true) { builder in
                    OSSL_PARAM_BLD_push_utf8_string(builder, Self.cString("group"), Self.cString("prime256v1"), 0) == 1
                        && OSSL_PARAM_BLD_push_octet_string(builder, Self.cString("pub"), pointBytes.baseAddress, pointBytes.count) == 1
                }
            }
        }
    }

    /// A public key of `type` from the parameters `push` adds, or nil; when `checked`, only one
    /// `EVP_PKEY_public_check` accepts.
    private static func build(type: String, checked: Bool, _ push: (OpaquePointer) -> Bool) -> OpaquePointer? {
        guard let builder = OSSL_PARAM_BLD_new() else { return nil }
        defer { OSSL_PARAM_BLD_free(builder) }
        guard push(builder), let parameters = OSSL_PARAM_BLD_to_param(builder) else { return nil }
        defer { OSSL_PARAM_free(parameters) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, type, nil) else { return nil }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_fromdata_init(context) == 1, EVP_PKEY_fromdata(context, &key, casework_evp_pkey_public_key, parameters) == 1, let key else {
            return nil
        }
        guard checked else { return key }
        guard let check = EVP_PKEY_CTX_new_from_pkey(nil, key, nil) else {
            EVP_PKEY_free(key)
            return nil
        }
        defer { EVP_PKEY_CTX_free(check) }
        guard EVP_PKEY_public_check(check) == 1 else {
            EVP_PKEY_free(key)
            return nil
        }
        return key
    }

    /// A static string as a C string that lives as long as the program.
    private static func cString(_ text: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
    }
}

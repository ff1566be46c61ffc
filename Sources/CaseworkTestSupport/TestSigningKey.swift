import CCrypto
import Foundation

/// A signing key made by libcrypto in a test or a fuzz target, standing for the council's identity provider.
///
/// `@unchecked Sendable`: the `EVP_PKEY` is made once in `init` and never changed afterwards; each signature makes
/// its own `EVP_MD_CTX`, and libcrypto allows one key to be used by several threads at once for signing.
public final class TestSigningKey: @unchecked Sendable {
    /// The key's type: an EC P-256 key (ES256) or a 2048-bit RSA key (RS256).
    public enum Kind: Sendable { case p256, rsa }

    /// The key's type.
    public let kind: Kind
    /// Its `kid`.
    public let id: String
    private let key: OpaquePointer

    /// A new key of `kind`, published under `id`.
    public init(_ kind: Kind, id: String) {
        self.kind = kind
        self.id = id
        let context = EVP_PKEY_CTX_new_from_name(nil, kind == .p256 ? "EC" : "RSA", nil)!
        defer { EVP_PKEY_CTX_free(context) }
        precondition(EVP_PKEY_keygen_init(context) == 1)
        switch kind {
        case .p256: precondition(EVP_PKEY_CTX_set_group_name(context, "P-256") == 1)
        case .rsa: precondition(EVP_PKEY_CTX_set_rsa_keygen_bits(context, 2048) == 1)
        }
        var made: OpaquePointer?
        precondition(EVP_PKEY_generate(context, &made) == 1)
        key = made!
    }

    deinit { EVP_PKEY_free(key) }

    /// The public key as a JWKS entry.
    public var jwk: [String: Any] {
        switch kind {
        case .p256:
            var point = [UInt8](repeating: 0, count: 65)
            var length = 0
            precondition(EVP_PKEY_get_octet_string_param(key, "pub", &point, point.count, &length) == 1 && length == 65 && point[0] == 4)
            return ["kty": "EC", "crv": "P-256", "kid": id, "use": "sig", "x": Self.base64URL(Array(point[1..<33])), "y": Self.base64URL(Array(point[33..<65]))]
        case .rsa:
            return ["kty": "RSA", "kid": id, "alg": "RS256", "n": Self.base64URL(number("n")), "e": Self.base64URL(number("e"))]
        }
    }

    /// The public key in PEM, as an attacker would use it for an HMAC secret.
    public var publicPEM: [UInt8] {
        let bio = BIO_new(BIO_s_mem())!
        defer { BIO_free(bio) }
        precondition(PEM_write_bio_PUBKEY(bio, key) == 1)
        var text = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(bio)))
        precondition(BIO_read(bio, &text, Int32(text.count)) == text.count)
        return text
    }

    /// libcrypto's signature over `message` with SHA-256: RS256's PKCS#1 v1.5 bytes, or ES256's DER `ECDSA-Sig-Value`.
    public func signInLibcryptosForm(_ message: [UInt8]) -> [UInt8] {
        let context = EVP_MD_CTX_new()!
        defer { EVP_MD_CTX_free(context) }
        precondition(EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1)
        var length = 0
        precondition(EVP_DigestSign(context, nil, &length, message, message.count) == 1)
        var signature = [UInt8](repeating: 0, count: length)
        precondition(EVP_DigestSign(context, &signature, &length, message, message.count) == 1)
        signature.removeLast(signature.count - length)
        return signature
    }

    /// Whether libcrypto verifies `signature` (in its own form, as ``signInLibcryptosForm(_:)`` makes it) over
    /// `message` with this key, built once: the floor a JWT's signature check stands on.
    public func verifiesInLibcryptosForm(_ signature: [UInt8], over message: [UInt8]) -> Bool {
        let context = EVP_MD_CTX_new()!
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, key) == 1 else { return false }
        return EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
    }

    /// Whether libcrypto's own public-key check (`EVP_PKEY_public_check`) accepts the key: for an RSA key, SP
    /// 800-56B's partial validation with Miller–Rabin on random bases.
    public var passesLibcryptosPublicCheck: Bool {
        let context = EVP_PKEY_CTX_new_from_pkey(nil, key, nil)!
        defer { EVP_PKEY_CTX_free(context) }
        return EVP_PKEY_public_check(context) == 1
    }

    /// The JWS signature over `message`: RS256's PKCS#1 v1.5 bytes, or ES256's `r || s`.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        let signature = signInLibcryptosForm(message)
        guard kind == .p256 else { return signature }
        let parsed = signature.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }!
        defer { ECDSA_SIG_free(parsed) }
        var rs = [UInt8](repeating: 0, count: 64)
        rs.withUnsafeMutableBufferPointer { buffer in
            precondition(BN_bn2binpad(ECDSA_SIG_get0_r(parsed), buffer.baseAddress, 32) == 32)
            precondition(BN_bn2binpad(ECDSA_SIG_get0_s(parsed), buffer.baseAddress! + 32, 32) == 32)
        }
        return rs
    }

    private func number(_ name: String) -> [UInt8] {
        var value: OpaquePointer?
        precondition(EVP_PKEY_get_bn_param(key, name, &value) == 1)
        defer { BN_free(value) }
        var bytes = [UInt8](repeating: 0, count: Int((BN_num_bits(value) + 7) / 8))
        BN_bn2bin(value, &bytes)
        return bytes
    }

    /// `bytes` in base64url without padding, as a JWS writes each part.
    public static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

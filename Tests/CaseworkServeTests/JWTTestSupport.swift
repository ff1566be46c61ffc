import CCrypto
import Foundation

/// A signing key made in the test by libcrypto, standing for the council's identity provider.
///
/// `@unchecked Sendable`: the `EVP_PKEY` is made once in `init` and never changed afterwards; each signature makes
/// its own `EVP_MD_CTX`, and libcrypto allows one key to be used by several threads at once for signing.
final class TestSigningKey: @unchecked Sendable {
    enum Kind { case p256, rsa }

    let kind: Kind
    let id: String
    private let key: OpaquePointer

    init(_ kind: Kind, id: String) {
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
    var jwk: [String: Any] {
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
    var publicPEM: [UInt8] {
        let bio = BIO_new(BIO_s_mem())!
        defer { BIO_free(bio) }
        precondition(PEM_write_bio_PUBKEY(bio, key) == 1)
        var text = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(bio)))
        precondition(BIO_read(bio, &text, Int32(text.count)) == text.count)
        return text
    }

    /// The JWS signature over `message`: RS256's PKCS#1 v1.5 bytes, or ES256's `r || s`.
    func sign(_ message: [UInt8]) -> [UInt8] {
        let context = EVP_MD_CTX_new()!
        defer { EVP_MD_CTX_free(context) }
        precondition(EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1)
        var length = 0
        precondition(EVP_DigestSign(context, nil, &length, message, message.count) == 1)
        var signature = [UInt8](repeating: 0, count: length)
        precondition(EVP_DigestSign(context, &signature, &length, message, message.count) == 1)
        signature.removeLast(signature.count - length)
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

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// The test identity provider: its keys, its JWKS, the auth file's issuer entry, and tokens made to order.
enum TestIdentityProvider {
    static let issuer = "https://idp.test/"
    static let audience = "casework-api"
    static let ecKey = TestSigningKey(.p256, id: "ec-1")
    static let rsaKey = TestSigningKey(.rsa, id: "rsa-1")
    /// A key the provider never published, under the kid of a published one.
    static let impostor = TestSigningKey(.p256, id: "ec-1")

    /// The JWKS file `idp-keys.json`: the two published keys, and an encryption key that is passed over.
    static var jwks: String {
        let encryption: [String: Any] = ["kty": "RSA", "kid": "enc-1", "use": "enc", "n": "AQAB", "e": "AQAB"]
        let data = try! JSONSerialization.data(withJSONObject: ["keys": [ecKey.jwk, rsaKey.jwk, encryption]], options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// The `issuers` section the test server's auth file has after ``Tokens/authFile``, with the JWKS beside it.
    static let authSection = """
        issuers:
          - issuer: \(issuer)
            audiences: [\(audience), other-service-too]
            jwks: idp-keys.json
            algorithms: [ES256, RS256]
            actor:
              id_claim: sub
              role_claim: casework_role
              roles: [caseworker, send_manager, parent]
              attribute_claims:
                relationship: casework_relationship
            second_factor:
              attribute: second_factor_verified
              amr: [mfa, otp, hwk]
        """

    /// The claims of a caseworker `ana` who signed in with a second factor, valid for an hour.
    static func caseworkerClaims(now: Date = Date()) -> [String: Any] {
        let seconds = Int(now.timeIntervalSince1970)
        return ["iss": issuer, "aud": audience, "sub": "ana", "casework_role": "caseworker", "casework_relationship": "caseworker",
                "amr": ["pwd", "mfa"], "iat": seconds - 10, "nbf": seconds - 10, "exp": seconds + 3600]
    }

    /// A header value that leaves its header field out of ``token(_:key:header:)``'s token.
    static let absent = "\u{0}absent"

    /// A compact JWS of `claims` signed by `key`, its header `alg` the key's own unless `header` says otherwise.
    static func token(_ claims: [String: Any], key: TestSigningKey = ecKey, header: [String: Any] = [:]) -> String {
        var fields: [String: Any] = ["typ": "JWT", "alg": key.kind == .p256 ? "ES256" : "RS256", "kid": key.id]
        fields.merge(header) { $1 }
        fields = fields.filter { ($0.value as? String) != absent }
        let signed = part(fields) + "." + part(claims)
        return signed + "." + TestSigningKey.base64URL(key.sign(Array(signed.utf8)))
    }

    /// An object as a token part.
    static func part(_ object: [String: Any]) -> String {
        TestSigningKey.base64URL(Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])))
    }

    /// The HMAC-SHA256 of `message` keyed with `secret`, for the algorithm-confusion attack.
    static func hmac(_ message: [UInt8], secret: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length = 0
        precondition(EVP_Q_mac(nil, "HMAC", nil, "SHA256", nil, secret, secret.count, message, message.count, &out, out.count, &length) != nil)
        return out
    }
}

import CCrypto
import CaseworkTestSupport
import Foundation

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
    static let authSection = IssuerAuthSection.yaml(issuer: issuer, audiences: [audience, "other-service-too"], jwks: "idp-keys.json", algorithms: ["ES256", "RS256"])

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

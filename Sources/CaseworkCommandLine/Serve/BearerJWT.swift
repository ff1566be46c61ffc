import Casework
import CaseworkDefinitions
import Foundation

/// Why a bearer JWT is not let in: the token cannot be used (401, `invalid_token`), or it is good but asserts a role
/// its issuer's mapping does not allow (403).
enum JWTRefusal: Error, Sendable {
    /// The token is malformed, wrongly signed, out of date, or not for this server.
    case invalid(String)
    /// The token is good but its person may not act here.
    case forbidden(String)
}

/// A bearer JWT checked against the auth file's issuers (RFC 7519, JWS compact serialisation).
///
/// In order: three base64url parts; a header object whose `alg` is ES256 or RS256, with a `kid`, no `crit`, and a
/// `typ` (when given) of `JWT` or `at+jwt` (RFC 9068's access token), either in any case; a
/// claims object whose `iss` is an issuer the file names; the algorithm one that issuer allows and the key's own
/// (ES256 for a P-256 key, RS256 for an RSA key); the signature made by that key over the first two parts. Only then
/// are the claims believed: `exp` (required) and `nbf` and `iat` (when given) against the clock with the issuer's
/// leeway, and `aud` (a text or a list) naming one of its audiences. The mapping then reads the actor.
enum BearerJWT {
    /// Whether `token` has a JWT's shape (three parts split by `.`), so it is checked as one rather than looked up as
    /// a service token.
    static func looksLikeJWT(_ token: Substring) -> Bool {
        token.utf8.count(where: { $0 == UInt8(ascii: ".") }) == 2
    }

    /// The `typ` header values a token may carry, lowercased: a JWT (RFC 7519) or an OAuth access token (RFC 9068).
    static let acceptedTypes: Set<String> = ["jwt", "at+jwt"]

    /// The actor and attribute texts of `token`, checked against `issuers` at `now`.
    static func verify(_ token: Substring, issuers: [JWTIssuer], now: Date) throws(JWTRefusal) -> (issuer: JWTIssuer, actor: CaseActor, attributes: [String]) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .invalid("the token is not a JWT") }
        guard let header = JWTClaims.object(parts[0]) else { throw .invalid("the token's header is not base64url JSON that names each member once") }
        guard let claims = JWTClaims.object(parts[1]) else { throw .invalid("the token's claims are not base64url JSON that names each member once") }
        guard let signature = Base64URL.decode(parts[2]) else { throw .invalid("the token's signature is not base64url") }
        guard let algorithmName = header["alg"] as? String, let algorithm = JWTAlgorithm(rawValue: algorithmName) else {
            throw .invalid("the token's algorithm is not accepted; only ES256 and RS256 are")
        }
        guard header["crit"] == nil else { throw .invalid("the token names critical header extensions, which are not understood") }
        if let type = header["typ"] {
            guard let text = type as? String, acceptedTypes.contains(text.lowercased()) else {
                throw .invalid("the token's typ is not JWT or at+jwt, so it is not a token for signing in")
            }
        }
        guard let keyID = header["kid"] as? String else { throw .invalid("the token's header has no kid") }
        guard let issuerName = claims["iss"] as? String, let issuer = issuers.first(where: { $0.issuer == issuerName }) else {
            throw .invalid("the token's issuer is not trusted")
        }
        guard issuer.algorithms.contains(algorithm) else { throw .invalid("the issuer's tokens may not use \(algorithm.rawValue)") }
        guard let key = issuer.keyFile.keys.keys[keyID] else { throw .invalid("the token's key is not one of the issuer's") }
        guard key.algorithm == algorithm else { throw .invalid("the token's key is not a key for \(algorithm.rawValue)") }
        let signed = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard key.verifies(signature, over: signed, algorithm: algorithm) else { throw .invalid("the token's signature does not verify") }
        try checkTimes(claims, leeway: Double(issuer.leeway), now: now.timeIntervalSince1970)
        try checkAudience(claims, issuer: issuer)
        let (actor, attributes) = try issuer.mapping.actor(from: claims)
        return (issuer, actor, attributes)
    }

    private static func checkTimes(_ claims: [String: Any], leeway: Double, now: Double) throws(JWTRefusal) {
        guard let expiry = claims["exp"] else { throw .invalid("the token has no expiry (exp)") }
        guard let expires = JWTClaims.numericDate(expiry) else { throw .invalid("the token's exp is not a number") }
        guard now < expires + leeway else { throw .invalid("the token has expired") }
        if let notBefore = claims["nbf"] {
            guard let start = JWTClaims.numericDate(notBefore) else { throw .invalid("the token's nbf is not a number") }
            guard now >= start - leeway else { throw .invalid("the token is not valid yet") }
        }
        if let issuedAt = claims["iat"] {
            guard let issued = JWTClaims.numericDate(issuedAt) else { throw .invalid("the token's iat is not a number") }
            guard issued <= now + leeway, issued <= expires else { throw .invalid("the token says it was issued in the future or after it expires") }
        }
    }

    private static func checkAudience(_ claims: [String: Any], issuer: JWTIssuer) throws(JWTRefusal) {
        let named: [String]
        switch claims["aud"] {
        case let one as String: named = [one]
        case let list as [Any]:
            named = list.compactMap { $0 as? String }
            guard named.count == list.count else { throw .invalid("the token's aud is not a list of texts") }
        default: throw .invalid("the token names no audience (aud)")
        }
        guard named.contains(where: issuer.audiences.contains) else { throw .invalid("the token is for another audience") }
    }
}

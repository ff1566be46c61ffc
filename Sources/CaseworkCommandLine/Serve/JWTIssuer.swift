import Casework
import CaseworkDefinitions
import CaseworkYAML
import Foundation

/// An identity provider whose bearer JWTs `casework serve` accepts, as the auth file's `issuers` list names it.
///
/// ```yaml
/// issuers:
///   - issuer: https://login.example-council.gov.uk/
///     audiences: [casework-api]
///     jwks: idp-keys.json          # relative to the auth file
///     algorithms: [ES256, RS256]
///     leeway_seconds: 60           # optional; 60 when not given
///     actor: {id_claim: sub, role: caseworker}
///     second_factor: {attribute: second_factor_verified, amr: [mfa, otp, hwk]}
/// ```
struct JWTIssuer: Sendable {
    /// The clock skew allowed on `exp`, `nbf` and `iat` when `leeway_seconds` is not given.
    static let defaultLeeway = 60
    /// The largest `leeway_seconds` the file may give.
    static let maximumLeeway = 300

    /// The `iss` its tokens carry, compared exactly.
    var issuer: String
    /// The audiences a token must name one of in `aud`.
    var audiences: Set<String>
    /// Its JWKS file and the public keys read from it, by `kid`.
    var keyFile: IssuerKeyFile
    /// The algorithms its tokens may use: ES256, RS256 or both.
    var algorithms: Set<JWTAlgorithm>
    /// The clock skew allowed, in seconds.
    var leeway: Int
    /// How a token's claims become the actor.
    var mapping: JWTActorMapping

    /// Reads one entry of `issuers`; `directory` is the auth file's, against which a relative `jwks` path is read.
    static func read(_ node: YAMLNode, directory: String, declared: Set<String>) throws(ServiceAuthFileError) -> JWTIssuer {
        guard let pairs = node.mapping else { throw .invalid(node.range, "an issuer is a mapping with issuer, audiences, jwks, algorithms and actor") }
        var issuer: String?
        var audiences: Set<String>?
        var keyFile: IssuerKeyFile?
        var algorithms: Set<JWTAlgorithm>?
        var leeway = defaultLeeway
        var actor: YAMLNode?
        var secondFactor: YAMLNode?
        for pair in pairs {
            switch pair.key.name {
            case "issuer":
                guard let text = pair.value.scalar?.value, !text.isEmpty else { throw .invalid(pair.value.range, "issuer is the 'iss' its tokens carry, such as https://login.example.gov.uk/") }
                issuer = text
            case "audiences":
                guard let items = pair.value.sequence, !items.isEmpty else { throw .invalid(pair.value.range, "audiences is a list of the 'aud' values a token may carry") }
                var names: Set<String> = []
                for item in items {
                    guard let name = item.scalar?.value, !name.isEmpty else { throw .invalid(item.range, "an audience is a text, such as casework-api") }
                    names.insert(name)
                }
                audiences = names
            case "jwks":
                guard let text = pair.value.scalar?.value, !text.isEmpty else { throw .invalid(pair.value.range, "jwks is the path of the issuer's JWKS file") }
                let path = text.hasPrefix("/") ? text : (directory as NSString).appendingPathComponent(text)
                do throws(JSONWebKeySetError) {
                    keyFile = try IssuerKeyFile(path: path)
                } catch {
                    throw .invalid(pair.value.range, "the JWKS file \(path) \(error.message)")
                }
            case "algorithms":
                guard let items = pair.value.sequence, !items.isEmpty else { throw .invalid(pair.value.range, "algorithms is a list of ES256 and RS256") }
                var names: Set<JWTAlgorithm> = []
                for item in items {
                    guard let name = item.scalar?.value, let algorithm = JWTAlgorithm(rawValue: name) else {
                        throw .invalid(item.range, "'\(item.scalar?.value ?? "")' is not accepted; an algorithm is ES256 or RS256")
                    }
                    names.insert(algorithm)
                }
                algorithms = names
            case "leeway_seconds":
                guard let text = pair.value.scalar?.value, let seconds = Int(text), (0...maximumLeeway).contains(seconds) else {
                    throw .invalid(pair.value.range, "leeway_seconds is a whole number of seconds from 0 to \(maximumLeeway)")
                }
                leeway = seconds
            case "actor": actor = pair.value
            case "second_factor": secondFactor = pair.value
            default:
                throw .invalid(pair.key.range, "unknown key '\(pair.key.name)'; an issuer has issuer, audiences, jwks, algorithms, leeway_seconds, actor and second_factor")
            }
        }
        guard let issuer else { throw .invalid(node.range, "the issuer has no 'issuer'") }
        guard let audiences else { throw .invalid(node.range, "issuer '\(issuer)' has no audiences") }
        guard let keyFile else { throw .invalid(node.range, "issuer '\(issuer)' has no jwks file") }
        guard let algorithms else { throw .invalid(node.range, "issuer '\(issuer)' has no algorithms (ES256, RS256 or both)") }
        guard let actor else { throw .invalid(node.range, "issuer '\(issuer)' has no actor mapping") }
        let mapping = try JWTActorMapping.read(actor, secondFactor: secondFactor, declared: declared)
        return JWTIssuer(issuer: issuer, audiences: audiences, keyFile: keyFile, algorithms: algorithms, leeway: leeway, mapping: mapping)
    }
}

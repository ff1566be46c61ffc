import CaseworkTestSupport
import Foundation

/// A bearer token made to order for the API, signed by an identity provider the API trusts, so that what a token
/// says (its header and claims, the actor and attributes they map to) can be fuzzed past its signature: the
/// `bearer-token` fuzz target's inputs, and its seeds in every `swift test`.
///
/// An input is the token's header JSON, a line break, and its claims JSON. It is signed with ``key`` (ES256) and sent
/// as `Authorization: Bearer` on a case the operator opened, to read it, fire a transition and list the caller's
/// cases: an ``APIScript`` run as any other, with the same faults.
public enum TokenScript {
    /// The identity provider's name, as the auth file trusts it and a token's `iss` names it.
    public static let issuer = "https://idp.fuzz/"
    /// The audience the API accepts.
    public static let audience = "casework-api"
    /// The provider's signing key, made once per process; its public half is the JWKS the auth file names.
    public static let key = TestSigningKey(.p256, id: "fuzz-1")

    /// The auth file: ``APIScript/authFile``'s services and this provider, whose JWKS is `fuzz-keys.json` beside it.
    public static let authFile = APIScript.authFile + "\n" + IssuerAuthSection.yaml(issuer: issuer, audiences: [audience], jwks: "fuzz-keys.json", algorithms: ["ES256"])

    /// Writes the auth file and the JWKS into `directory`, and returns the auth file's path.
    public static func write(into directory: URL) throws -> String {
        let jwks = try JSONSerialization.data(withJSONObject: ["keys": [key.jwk]], options: [.sortedKeys])
        try jwks.write(to: directory.appendingPathComponent("fuzz-keys.json"))
        return try APIScript.write(authFile, into: directory)
    }

    /// The compact JWS of `input`'s header and claims (split at its first line break; no break is a header alone),
    /// signed with ``key`` over exactly those bytes.
    public static func token(_ input: [UInt8]) -> String {
        let split = input.firstIndex(of: UInt8(ascii: "\n")) ?? input.endIndex
        let header = TestSigningKey.base64URL(Array(input[..<split]))
        let claims = TestSigningKey.base64URL(split < input.endIndex ? Array(input[(split + 1)...]) : [])
        let signed = header + "." + claims
        return signed + "." + TestSigningKey.base64URL(key.sign(Array(signed.utf8)))
    }

    /// The script a token is tried in: the operator opens a case; the token's holder reads it, fires a transition
    /// on it and lists its cases.
    public static func script(_ input: [UInt8]) -> [UInt8] {
        let bearer = "Authorization: Bearer \(token(input))"
        let open = #"{"workflow": "ehcp-needs-assessment", "id": "c1", "fields": {"requested_on": "2025-09-01", "requested_by": "parent", "#
            + #""child": {"first_name": "Sam", "last_name": "Lee", "date_of_birth": "2015-01-01"}}, "participants": {"parent": "jo"}}"#
        let script = """
            POST /v1/cases
            Authorization: Bearer desk

            \(open)
            %%
            GET /v1/cases/c1
            \(bearer)
            %%
            POST /v1/cases/c1/transitions/acknowledge_request
            \(bearer)

            {}
            %%
            GET /v1/cases
            \(bearer)
            """
        return Array(script.utf8)
    }
}

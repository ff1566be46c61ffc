import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkExpressions
import CaseworkServer
import Foundation

/// Who is calling the API: the credential that came with the request (a service's token or a bearer JWT), and the
/// actor it stands for.
///
/// Every request carries `Authorization: Bearer TOKEN`; no token, or one the auth file does not let in, is refused 401
/// before anything else is read. A service token is looked up by its digest. A service acting for a person it signed in
/// names them in `Casework-Act-As: ROLE:ID` (or `ROLE@ORG`, `ROLE:ID@ORG`) and gives their attributes in
/// `Casework-Attribute: NAME=VALUE` lines, one line each; it may name only the roles and attributes the auth file lets
/// it assert (403 otherwise). Without `Casework-Act-As` the service acts as itself (its `acts_as`). A bearer JWT
/// (``BearerJWT``) is the person its issuer signed in: its claims, read by the issuer's mapping, are the actor and their
/// attributes, and it names no one else. The actor then goes through the engine's one door, exactly as `--as` and
/// `--attribute` do on the command line.
struct Caller: Sendable {
    /// The request header naming the person a service acts for.
    static let actAsHeader = "Casework-Act-As"
    /// The request header giving one attribute of that person; repeated for each.
    static let attributeHeader = "Casework-Attribute"

    /// What let the request in.
    var credential: Credential
    /// Who acts: the person named, or the service itself, or the token's person.
    var actor: CaseActor
    /// The actor's attributes, typed by the policies.
    var attributes: [String: ExpressionValue]

    /// What the actor came through, for the audit of every change they make: the service whose token called, or the
    /// issuer whose JWT named them.
    var via: Intermediary { credential.via }
}

/// What let a request in: a known service's token, or a bearer JWT an issuer of the auth file signed.
enum Credential: Sendable {
    /// A service's token.
    case service(ServiceAuthFile.Service)
    /// A verified JWT: its issuer, the actor its claims map to, and their attributes typed by the policies.
    case token(issuer: String, actor: CaseActor, attributes: [String: ExpressionValue])

    /// The service or issuer the audit names as what the actor came through (``Intermediary``).
    var via: Intermediary {
        switch self {
        case .service(let service): .service(service.name)
        case .token(let issuer, _, _): .issuer(issuer)
        }
    }
}

extension ServiceAuthFile {
    /// What lets `request` in. A service token is found by comparing SHA-256 digests in constant time (every entry is
    /// compared in full, so neither which bytes differ nor where a match sits shows in the time taken); a token that is
    /// no service's and has a JWT's shape is checked against the issuers, its claims typed by the policies of `catalog`.
    func credential(for request: HTTPRequest, catalog: DefinitionCatalog) throws(APIProblem) -> Credential {
        let values = request.headerValues("Authorization")
        guard values.count == 1 else {
            throw .unauthenticated(values.isEmpty ? "send Authorization: Bearer TOKEN; no request is answered without one"
                                                  : "send one Authorization header, not \(values.count)")
        }
        let parts = values[0].split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw .unauthenticated("the Authorization header must be Bearer TOKEN") }
        guard let digest = Self.hexBytes(SHA256.hex(Array(parts[1].utf8))) else { throw .unauthenticated("the token is not known") }
        var found: Service?
        for service in services {
            var difference: UInt8 = 0
            for index in 0..<32 { difference |= service.tokenDigest[index] ^ digest[index] }
            if difference == 0 { found = service }
        }
        if let found { return .service(found) }
        guard !issuers.isEmpty, BearerJWT.looksLikeJWT(parts[1]) else { throw .unauthenticated("the token is not known") }
        do throws(JWTRefusal) {
            let (issuer, actor, texts) = try BearerJWT.verify(parts[1], issuers: issuers, now: Date())
            do throws(EngineError) {
                return .token(issuer: issuer.issuer, actor: actor, attributes: try ActorAttributes.parse(texts, catalog: catalog))
            } catch {
                let problems = APIProblem(error).problems.map { "\($0.field): \($0.message)" }
                throw JWTRefusal.invalid("the token's claims are not the actor's attributes (\(problems.joined(separator: "; ")))")
            }
        } catch {
            switch error {
            case .invalid(let detail): throw .invalidToken(detail)
            case .forbidden(let detail): throw .forbidden(detail)
            }
        }
    }

    /// The caller of `request`, let in by `credential`: a service and the actor it acts as or for with their
    /// attributes (typed by the policies of `catalog`), or a JWT's person.
    func caller(for request: HTTPRequest, credential: Credential, catalog: DefinitionCatalog) throws(APIProblem) -> Caller {
        let named = request.headerValues(Caller.actAsHeader)
        let attributeTexts = request.headerValues(Caller.attributeHeader)
        let service: Service
        switch credential {
        case .service(let known): service = known
        case .token(_, let actor, let attributes):
            guard named.isEmpty, attributeTexts.isEmpty else {
                throw .forbidden("a bearer JWT speaks only for its own person: \(Caller.actAsHeader) and \(Caller.attributeHeader) are for services")
            }
            return Caller(credential: credential, actor: actor, attributes: attributes)
        }
        guard named.count <= 1 else {
            throw .invalid([InputProblem(field: "header.\(Caller.actAsHeader)", message: "name one actor, not \(named.count)")])
        }
        guard let text = named.first else {
            guard attributeTexts.isEmpty else {
                throw .invalid([InputProblem(field: "header.\(Caller.attributeHeader)", message: "describes the person named in \(Caller.actAsHeader), which was not sent")])
            }
            guard let actor = service.actsAs else {
                throw .forbidden("service '\(service.name)' acts only for the people it signs in: name one in \(Caller.actAsHeader)")
            }
            return Caller(credential: credential, actor: actor, attributes: [:])
        }
        guard let actor = CaseActor(parsing: text) else {
            throw .invalid([InputProblem(field: "header.\(Caller.actAsHeader)", message: "'\(text)' is not an actor: write ROLE:ID, ROLE@ORG or ROLE:ID@ORG")])
        }
        guard service.roles.contains(actor.role) else {
            throw .forbidden("service '\(service.name)' may not act for people in the role '\(actor.role)'")
        }
        for assignment in attributeTexts {
            let name = String(assignment.prefix { $0 != "=" })
            guard service.attributes.contains(name) else {
                throw .forbidden("service '\(service.name)' may not assert the attribute '\(name)'")
            }
        }
        do throws(EngineError) {
            return Caller(credential: credential, actor: actor, attributes: try ActorAttributes.parse(attributeTexts, catalog: catalog))
        } catch {
            throw APIProblem(error)
        }
    }
}

import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkExpressions
import CaseworkServer

/// Who is calling the API: the service whose token came with the request, and the actor it acts as or for.
///
/// Every request carries `Authorization: Bearer TOKEN`; no token, or one the auth file does not know, is refused 401
/// before anything else is read. A service acting for a person it signed in names them in `Casework-Act-As: ROLE:ID`
/// (or `ROLE@ORG`, `ROLE:ID@ORG`) and gives their attributes in `Casework-Attribute: NAME=VALUE` lines, one line
/// each; it may name only the roles and attributes the auth file lets it assert (403 otherwise). Without
/// `Casework-Act-As` the service acts as itself (its `acts_as`). The actor then goes through the engine's one door,
/// exactly as `--as` and `--attribute` do on the command line.
struct Caller: Sendable {
    /// The request header naming the person a service acts for.
    static let actAsHeader = "Casework-Act-As"
    /// The request header giving one attribute of that person; repeated for each.
    static let attributeHeader = "Casework-Attribute"

    /// The service whose token was presented.
    var service: ServiceAuthFile.Service
    /// Who acts: the person named, or the service itself.
    var actor: CaseActor
    /// The actor's attributes, typed by the policies.
    var attributes: [String: ExpressionValue]
}

extension ServiceAuthFile {
    /// The service whose token `request` presents, found by comparing SHA-256 digests in constant time (every entry
    /// is compared in full, so neither which bytes differ nor where a match sits shows in the time taken).
    func service(for request: HTTPRequest) throws(APIProblem) -> Service {
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
        guard let found else { throw .unauthenticated("the token is not known") }
        return found
    }

    /// The caller of `request`: its service, and the actor it acts as or for with their attributes (typed by the
    /// policies of `catalog`).
    func caller(for request: HTTPRequest, catalog: DefinitionCatalog) throws(APIProblem) -> Caller {
        let service = try service(for: request)
        let named = request.headerValues(Caller.actAsHeader)
        let attributeTexts = request.headerValues(Caller.attributeHeader)
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
            return Caller(service: service, actor: actor, attributes: [:])
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
            return Caller(service: service, actor: actor, attributes: try ActorAttributes.parse(attributeTexts, catalog: catalog))
        } catch {
            throw APIProblem(error)
        }
    }
}

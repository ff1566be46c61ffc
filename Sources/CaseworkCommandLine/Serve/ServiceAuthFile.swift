import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkYAML
import Foundation

/// Who `casework serve --auth FILE` lets in: the services, each with its token's SHA-256 and what it may assert, and
/// the identity providers whose bearer JWTs it accepts (``JWTIssuer``).
///
/// ```yaml
/// services:
///   - name: parent-portal
///     token_sha256: 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8
///     acts_for:                       # the people it signs in, named in Casework-Act-As
///       roles: [parent, carer, young_person]
///       attributes: [relationship, second_factor_verified]
///   - name: mail-deliverer
///     token_sha256: …
///     acts_as: operator               # itself: operator, or an actor such as caseworker:desk
/// issuers:                            # optional: see JWTIssuer
///   - issuer: https://login.example-council.gov.uk/
///     …
/// ```
///
/// A token is never stored, only its digest (`printf %s TOKEN | sha256sum`); a service has `acts_as`, `acts_for`
/// or both. Attribute names must be actor attributes the loaded policies declare. The file names at least one
/// service or issuer.
package struct ServiceAuthFile: Sendable {
    /// One service that may call.
    package struct Service: Sendable, Equatable {
        /// Its name, for logs and refusals.
        package var name: String
        /// The SHA-256 of its token, 32 bytes.
        package var tokenDigest: [UInt8]
        /// Who it is when it names nobody: the operator, or an actor; nil when it may only act for people.
        package var actsAs: CaseActor?
        /// The roles of the people it may act for; empty when it may act for nobody.
        package var roles: Set<String>
        /// The actor attributes it may assert for them.
        package var attributes: Set<String>
    }

    /// Every service, in the file's order.
    package var services: [Service]
    /// Every identity provider whose JWTs are accepted, in the file's order.
    var issuers: [JWTIssuer] = []

    /// The `iss` of every identity provider, in the file's order (what the `auth-file` fuzz target's check compares).
    package var issuerNames: [String] { issuers.map(\.issuer) }

    /// Reads every issuer's JWKS file again (``IssuerKeyFile/reload()``), in the file's order: a file that cannot be
    /// used keeps that issuer's keys from before. The rest of the auth file is not read again.
    func reloadKeys() -> [KeyReload] {
        issuers.map { issuer in
            let outcome: Result<Int, JSONWebKeySetError>
            do throws(JSONWebKeySetError) {
                outcome = .success(try issuer.keyFile.reload())
            } catch {
                outcome = .failure(error)
            }
            return KeyReload(issuer: issuer.issuer, path: issuer.keyFile.path, outcome: outcome)
        }
    }

    /// Reads and checks the auth file at `path` against the actor attributes the policies of `catalog` declare.
    static func load(path: String, catalog: DefinitionCatalog) throws(ServiceAuthFileError) -> ServiceAuthFile {
        try read(YAMLLoader.load(path: path), path: path, catalog: catalog)
    }

    /// Reads and checks an auth file's bytes as if they were the file at `path` (whose directory a relative `jwks` path
    /// is read against): the `auth-file` fuzz target reads them here, as ``load(path:catalog:)`` reads the file.
    package static func read(_ bytes: [UInt8], path: String, catalog: DefinitionCatalog) throws(ServiceAuthFileError) -> ServiceAuthFile {
        try read(YAMLLoader.load(bytes, file: path), path: path, catalog: catalog)
    }

    private static func read(_ result: YAMLLoadResult, path: String, catalog: DefinitionCatalog) throws(ServiceAuthFileError) -> ServiceAuthFile {
        if let error = result.errors.first { throw .yaml(error) }
        guard let root = result.root else { throw .invalid(.startOf(path), "the file is empty; it needs a 'services' list") }
        guard let entries = root.mapping else { throw .invalid(root.range, "expected a mapping with 'services'") }
        var services: [Service] = []
        var issuers: [JWTIssuer] = []
        var seenDigests: Set<[UInt8]> = []
        let declared = Set(catalog.policies.values.flatMap { policy in policy.definition.actorAttributes.map(\.name.value) })
        for entry in entries {
            if entry.key.name == "issuers" {
                guard let items = entry.value.sequence else { throw .invalid(entry.value.range, "'issuers' must be a list") }
                let directory = (path as NSString).deletingLastPathComponent
                for item in items {
                    let issuer = try JWTIssuer.read(item, directory: directory, declared: declared)
                    guard !issuers.contains(where: { $0.issuer == issuer.issuer }) else { throw .invalid(item.range, "two issuers are '\(issuer.issuer)'") }
                    issuers.append(issuer)
                }
                continue
            }
            guard entry.key.name == "services" else { throw .invalid(entry.key.range, "unknown key '\(entry.key.name)'; the file has 'services' and 'issuers'") }
            guard let items = entry.value.sequence else { throw .invalid(entry.value.range, "'services' must be a list") }
            for item in items {
                let service = try read(item, declared: declared)
                guard seenDigests.insert(service.tokenDigest).inserted else { throw .invalid(item.range, "two services have the same token") }
                services.append(service)
            }
        }
        guard !services.isEmpty || !issuers.isEmpty else { throw .invalid(root.range, "the file names no service and no issuer, so no one could call") }
        return ServiceAuthFile(services: services, issuers: issuers)
    }

    private static func read(_ node: YAMLNode, declared: Set<String>) throws(ServiceAuthFileError) -> Service {
        guard let pairs = node.mapping else { throw .invalid(node.range, "a service is a mapping with name, token_sha256 and acts_as or acts_for") }
        var name: String?
        var digest: [UInt8]?
        var actsAs: CaseActor?
        var roles: Set<String> = []
        var attributes: Set<String> = []
        var actsFor = false
        for pair in pairs {
            switch pair.key.name {
            case "name":
                guard let text = pair.value.scalar?.value, Identifier.isUsable(text) else {
                    throw .invalid(pair.value.range, "a service's name uses letters, digits, '-', '_' and '.'")
                }
                name = text
            case "token_sha256":
                guard let text = pair.value.scalar?.value, let bytes = hexBytes(text), bytes.count == 32 else {
                    throw .invalid(pair.value.range, "token_sha256 is the token's SHA-256 as 64 hexadecimal characters (printf %s TOKEN | sha256sum)")
                }
                digest = bytes
            case "acts_as":
                guard let text = pair.value.scalar?.value else { throw .invalid(pair.value.range, "acts_as is 'operator' or an actor such as caseworker:desk") }
                if text == "operator" {
                    actsAs = .operator(name ?? "service")
                } else if let actor = CaseActor(parsing: text) {
                    actsAs = actor
                } else {
                    throw .invalid(pair.value.range, "'\(text)' is not an actor: write operator, ROLE:ID, ROLE@ORG or ROLE:ID@ORG")
                }
            case "acts_for":
                actsFor = true
                guard let parts = pair.value.mapping else { throw .invalid(pair.value.range, "acts_for is a mapping with 'roles' and 'attributes'") }
                for part in parts {
                    guard let list = part.value.sequence?.compactMap({ $0.scalar?.value }), list.count == part.value.sequence?.count else {
                        throw .invalid(part.value.range, "'\(part.key.name)' is a list of names")
                    }
                    switch part.key.name {
                    case "roles":
                        if let bad = list.first(where: { !NameRule.identifier.accepts($0) }) { throw .invalid(part.value.range, "'\(bad)' is not a role name") }
                        roles = Set(list)
                    case "attributes":
                        if let bad = list.first(where: { !declared.contains($0) }) {
                            throw .invalid(part.value.range, "'\(bad)' is not an actor attribute of the policies (they have \(declared.sorted().joined(separator: ", ")))")
                        }
                        attributes = Set(list)
                    default: throw .invalid(part.key.range, "unknown key '\(part.key.name)' in acts_for; it has roles and attributes")
                    }
                }
                if roles.isEmpty { throw .invalid(pair.value.range, "acts_for names no role") }
            default:
                throw .invalid(pair.key.range, "unknown key '\(pair.key.name)'; a service has name, token_sha256, acts_as and acts_for")
            }
        }
        guard let name else { throw .invalid(node.range, "the service has no name") }
        guard let digest else { throw .invalid(node.range, "service '\(name)' has no token_sha256") }
        guard actsAs != nil || actsFor else { throw .invalid(node.range, "service '\(name)' has neither acts_as nor acts_for, so it could do nothing") }
        if actsAs?.isOperator == true { actsAs = .operator(name) }
        return Service(name: name, tokenDigest: digest, actsAs: actsAs, roles: roles, attributes: attributes)
    }

    /// The bytes of an even-length hexadecimal text, or nil.
    static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Why an auth file cannot be used, at the place in it that is wrong.
package enum ServiceAuthFileError: Error, Sendable, CustomStringConvertible {
    /// The file is not readable YAML.
    case yaml(YAMLError)
    /// The YAML does not say what an auth file says.
    case invalid(SourceRange, String)

    /// `FILE:LINE:COLUMN: message`.
    package var description: String {
        switch self {
        case .yaml(let error): "\(error.range): \(Diagnostic(error).message)"
        case .invalid(let range, let message): "\(range): \(message)"
        }
    }
}

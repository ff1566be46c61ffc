import Casework
import CaseworkDefinitions
import CaseworkYAML
import Foundation

/// How an issuer's verified token becomes an actor: which claim holds the person's id, their role (fixed, or read from
/// a claim and one of a listed few), their organisation, and which claims give which actor attributes, with the second
/// factor read from `amr`.
///
/// ```yaml
/// actor:
///   id_claim: sub
///   role_claim: casework_role            # or `role: caseworker` for every token of the issuer
///   roles: [caseworker, send_manager]    # the only roles the claim may name
///   organisation_claim: org              # optional
///   attribute_claims:                    # actor attribute: claim
///     relationship: casework_relationship
/// second_factor:                         # optional, beside `actor`
///   attribute: second_factor_verified
///   amr: [mfa, otp, hwk]
/// ```
///
/// A token asserts nothing the mapping does not name: a role outside `roles` is refused, a claim the mapping does not
/// read is ignored, and the second-factor attribute comes only from `amr`, never from a claim of its own.
struct JWTActorMapping: Sendable {
    /// Where the role comes from.
    enum Role: Sendable {
        /// Every token of the issuer is this role.
        case fixed(String)
        /// The claim names the role, which must be one of these.
        case claim(String, allowed: Set<String>)
    }

    /// The claim holding the person's id.
    var idClaim: String
    /// The role.
    var role: Role
    /// The claim naming the organisation the person acts for, if any.
    var organisationClaim: String?
    /// Each actor attribute read from a claim, by attribute name.
    var attributeClaims: [String: String]
    /// The attribute that says a second factor was used, and the `amr` values that count as one.
    var secondFactor: (attribute: String, methods: Set<String>)?

    /// Reads the `actor` mapping `node` and the issuer's `second_factor` node, if any, checking attribute names against
    /// those the policies declare.
    static func read(_ node: YAMLNode, secondFactor: YAMLNode?, declared: Set<String>) throws(ServiceAuthFileError) -> JWTActorMapping {
        guard let pairs = node.mapping else { throw .invalid(node.range, "actor is a mapping with id_claim, role or role_claim and roles, organisation_claim, attribute_claims") }
        var idClaim: String?
        var fixedRole: String?
        var roleClaim: String?
        var roles: Set<String>?
        var organisationClaim: String?
        var attributeClaims: [String: String] = [:]
        for pair in pairs {
            switch pair.key.name {
            case "id_claim": idClaim = try claimName(pair.value)
            case "role_claim": roleClaim = try claimName(pair.value)
            case "organisation_claim": organisationClaim = try claimName(pair.value)
            case "role": fixedRole = try roleName(pair.value)
            case "roles":
                guard let items = pair.value.sequence, !items.isEmpty else { throw .invalid(pair.value.range, "roles is a list of role names") }
                var names: Set<String> = []
                for item in items { names.insert(try roleName(item)) }
                roles = names
            case "attribute_claims":
                guard let entries = pair.value.mapping else { throw .invalid(pair.value.range, "attribute_claims maps actor attributes to claims, such as 'relationship: casework_relationship'") }
                for entry in entries {
                    guard declared.contains(entry.key.name) else {
                        throw .invalid(entry.key.range, "'\(entry.key.name)' is not an actor attribute of the policies (they have \(declared.sorted().joined(separator: ", ")))")
                    }
                    attributeClaims[entry.key.name] = try claimName(entry.value)
                }
            default:
                throw .invalid(pair.key.range, "unknown key '\(pair.key.name)' in actor; it has id_claim, role, role_claim, roles, organisation_claim and attribute_claims")
            }
        }
        guard let idClaim else { throw .invalid(node.range, "actor has no id_claim (the claim holding the person's id, usually 'sub')") }
        let role: Role
        switch (fixedRole, roleClaim, roles) {
        case (let fixed?, nil, nil): role = .fixed(fixed)
        case (nil, let claim?, let allowed?): role = .claim(claim, allowed: allowed)
        case (nil, _?, nil): throw .invalid(node.range, "role_claim needs roles: the only roles the claim may name")
        case (nil, nil, _): throw .invalid(node.range, "actor has neither role (one role for every token) nor role_claim with roles")
        default: throw .invalid(node.range, "actor gives the role twice; give either role, or role_claim with roles")
        }
        var mapping = JWTActorMapping(idClaim: idClaim, role: role, organisationClaim: organisationClaim, attributeClaims: attributeClaims)
        if let secondFactor { mapping.secondFactor = try readSecondFactor(secondFactor, declared: declared, claimed: attributeClaims) }
        return mapping
    }

    private static func readSecondFactor(_ node: YAMLNode, declared: Set<String>, claimed: [String: String]) throws(ServiceAuthFileError) -> (String, Set<String>) {
        guard let pairs = node.mapping else { throw .invalid(node.range, "second_factor is a mapping with attribute and amr") }
        var attribute: String?
        var methods: Set<String>?
        for pair in pairs {
            switch pair.key.name {
            case "attribute":
                guard let name = pair.value.scalar?.value, declared.contains(name) else {
                    throw .invalid(pair.value.range, "attribute is an actor attribute of the policies (they have \(declared.sorted().joined(separator: ", ")))")
                }
                guard claimed[name] == nil else { throw .invalid(pair.value.range, "'\(name)' is also read from a claim in attribute_claims; a second factor is read only from amr") }
                attribute = name
            case "amr":
                guard let items = pair.value.sequence, !items.isEmpty else { throw .invalid(pair.value.range, "amr is a list of authentication methods, such as [mfa, otp, hwk]") }
                var names: Set<String> = []
                for item in items {
                    guard let name = item.scalar?.value, !name.isEmpty else { throw .invalid(item.range, "an amr value is a name, such as mfa") }
                    names.insert(name)
                }
                methods = names
            default:
                throw .invalid(pair.key.range, "unknown key '\(pair.key.name)' in second_factor; it has attribute and amr")
            }
        }
        guard let attribute, let methods else { throw .invalid(node.range, "second_factor needs both attribute and amr") }
        return (attribute, methods)
    }

    private static func claimName(_ node: YAMLNode) throws(ServiceAuthFileError) -> String {
        guard let name = node.scalar?.value, !name.isEmpty else { throw .invalid(node.range, "a claim is named by one word, such as sub") }
        return name
    }

    private static func roleName(_ node: YAMLNode) throws(ServiceAuthFileError) -> String {
        guard let name = node.scalar?.value, NameRule.identifier.accepts(name), name != "operator" else {
            throw .invalid(node.range, "a role is a workflow role name such as caseworker (never operator)")
        }
        return name
    }

    /// The actor the verified `claims` describe and their attributes as `NAME=VALUE` texts, typed afterwards as
    /// `--attribute` is; a claim missing or of the wrong kind is ``JWTRefusal/invalid(_:)``, a role the mapping does
    /// not allow ``JWTRefusal/forbidden(_:)``.
    func actor(from claims: [String: Any]) throws(JWTRefusal) -> (actor: CaseActor, attributes: [String]) {
        guard let id = claims[idClaim] as? String, Identifier.isUsable(id) else {
            throw .invalid("the token's '\(idClaim)' claim is not an id (letters, digits, '-', '_' and '.')")
        }
        let roleName: String
        switch role {
        case .fixed(let fixed): roleName = fixed
        case .claim(let claim, let allowed):
            guard let named = claims[claim] as? String else { throw .invalid("the token has no '\(claim)' claim naming a role") }
            guard allowed.contains(named) else { throw .forbidden("the token's role may not be used here") }
            roleName = named
        }
        var organisation: String?
        if let organisationClaim, let value = claims[organisationClaim] {
            guard let text = value as? String, Identifier.isUsable(text) else { throw .invalid("the token's '\(organisationClaim)' claim is not an organisation id") }
            organisation = text
        }
        var attributes: [String] = []
        for (attribute, claim) in attributeClaims.sorted(by: { $0.key < $1.key }) {
            guard let value = claims[claim] else { continue }
            guard let text = JWTClaims.scalarText(value) else { throw .invalid("the token's '\(claim)' claim is not a single value") }
            attributes.append("\(attribute)=\(text)")
        }
        if let secondFactor {
            var used = false
            if let value = claims["amr"] {
                let methods = value as? [Any] ?? []
                let names = methods.compactMap { $0 as? String }
                guard value is [Any], names.count == methods.count else { throw .invalid("the token's 'amr' claim is not a list of names") }
                used = !secondFactor.methods.isDisjoint(with: names)
            }
            attributes.append("\(secondFactor.attribute)=\(used)")
        }
        return (CaseActor(role: roleName, id: id, organisation: organisation), attributes)
    }
}

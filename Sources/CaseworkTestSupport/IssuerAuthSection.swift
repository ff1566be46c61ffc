/// The `issuers` section of a `casework serve` auth file trusting one identity provider, as the serve tests and the
/// bearer-token fuzz target write theirs: the actor is the token's `sub`, its role `casework_role` (caseworker,
/// send manager or parent), its relationship `casework_relationship`, and a second factor any of `mfa`, `otp` or
/// `hwk` in `amr`.
public enum IssuerAuthSection {
    /// The section for `issuer`, accepting `audiences`, with its JWKS at `jwks` (beside the auth file) and `algorithms`.
    public static func yaml(issuer: String, audiences: [String], jwks: String, algorithms: [String]) -> String {
        """
        issuers:
          - issuer: \(issuer)
            audiences: [\(audiences.joined(separator: ", "))]
            jwks: \(jwks)
            algorithms: [\(algorithms.joined(separator: ", "))]
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
    }
}

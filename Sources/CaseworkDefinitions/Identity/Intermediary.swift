/// What a person acted through when the engine did not hear from them directly: the service whose token called on
/// their behalf (a portal back end that signed them in), or the identity provider whose token vouched for them.
///
/// The audit records it beside the actor (an event's `via`), so a tribunal can read "parent jo, through service
/// citizen-portal". It is never part of the actor's identity: ``CaseActor`` equality decides form submitters,
/// idempotency records and grants, and a person is the same person whichever way they came in.
public struct Intermediary: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Which kind of intermediary it is.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A service calling with its own token (`casework serve`'s auth file `services:`), for a person or as itself.
        case service
        /// An identity provider whose signed token (a bearer JWT) named the person; the name is its `iss`.
        case issuer
    }

    /// Which kind it is.
    public var kind: Kind
    /// The service's name in the auth file, or the issuer's `iss`.
    public var name: String

    /// An intermediary of `kind` named `name`.
    public init(_ kind: Kind, name: String) {
        self.kind = kind
        self.name = name
    }

    /// The service named `name` in the auth file.
    public static func service(_ name: String) -> Intermediary { Intermediary(.service, name: name) }

    /// The identity provider whose `iss` is `name`.
    public static func issuer(_ name: String) -> Intermediary { Intermediary(.issuer, name: name) }

    /// `service NAME` or `issuer NAME`, as the history prints it after `via`.
    public var description: String { "\(kind.rawValue) \(name)" }
}

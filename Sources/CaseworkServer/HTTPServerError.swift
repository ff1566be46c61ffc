/// Why a server could not start: each case says what to change.
public enum HTTPServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `--listen` is not a usable `HOST:PORT`.
    case invalidAddress(String, reason: String)
    /// libmicrohttpd could not listen there (the port is taken, the address is not this machine's, or a setting is out of range).
    case cannotListen(ListenAddress)
    /// The libmicrohttpd on this machine was built without TLS.
    case tlsUnavailable
    /// A setting is out of its range.
    case invalidSetting(name: String, reason: String)

    /// One line a person can act on.
    public var description: String {
        switch self {
        case .invalidAddress(let text, let reason): "'\(text)' is not an address to listen on: \(reason)"
        case .cannotListen(let address):
            "cannot listen on \(address): the port may be in use, the address not this machine's, or the certificate and key unreadable as PEM or not a pair"
        case .tlsUnavailable: "this machine's libmicrohttpd was built without TLS, so --tls-cert cannot be served"
        case .invalidSetting(let name, let reason): "\(name) \(reason)"
        }
    }
}

/// How a server listens and the limits it keeps; each has a default fit for one council's service on one machine.
///
/// The limits are what keep one caller from taking the server from the others: a request is refused or cut off
/// when it passes one, cleanly, and the server goes on serving the rest.
public struct HTTPServerSettings: Sendable {
    /// Where to listen: `127.0.0.1:8080` by default, so a server is reachable from elsewhere only when told to be.
    public var address: ListenAddress
    /// How many worker threads serve connections (libmicrohttpd's thread pool): 4 by default. A request is worked on
    /// by one worker from its first byte to its last; at most this many requests are being answered at once.
    public var workers: Int
    /// How many connections may be open at once: 256 by default. A connection past it is closed as it arrives.
    public var maxConnections: Int
    /// How many seconds a connection may sit idle, sending nothing and reading nothing, before it is closed: 30 by
    /// default. A request sent slowly, a byte at a time, is cut off when one of its pauses reaches this.
    public var idleTimeoutSeconds: Int
    /// The memory each connection has for its request line and headers: 32 KiB by default. A request whose line and
    /// headers do not fit is answered 431 (or 414 for a long request line) by libmicrohttpd and closed.
    public var maxHeaderBytes: Int
    /// The largest request body accepted: 1 MiB by default. A larger body is answered 413 and not kept.
    public var maxBodyBytes: Int
    /// How many seconds a shutdown waits for requests in flight to finish before closing their connections: 30 by default.
    public var drainSeconds: Int
    /// The server's certificate and private key as PEM texts: HTTPS when given, plain HTTP otherwise.
    public var tls: TLSCredentials?

    /// Settings with every default, listening on `address`.
    public init(address: ListenAddress = ListenAddress.loopback(port: 8080)) {
        self.address = address
        workers = 4
        maxConnections = 256
        idleTimeoutSeconds = 30
        maxHeaderBytes = 32 * 1024
        maxBodyBytes = 1024 * 1024
        drainSeconds = 30
        tls = nil
    }
}

/// A certificate chain and its private key, both PEM, for HTTPS.
public struct TLSCredentials: Sendable {
    /// The certificate (and any intermediates after it), PEM.
    public var certificate: String
    /// The private key, PEM, unencrypted.
    public var privateKey: String

    /// Credentials from PEM texts.
    public init(certificate: String, privateKey: String) {
        self.certificate = certificate
        self.privateKey = privateKey
    }
}

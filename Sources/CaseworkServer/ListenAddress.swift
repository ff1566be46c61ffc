#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a server listens: an IP address and a port, read from `HOST:PORT`.
///
/// The host is an IPv4 address (`127.0.0.1`), an IPv6 address in brackets (`[::1]`), or `localhost` (127.0.0.1);
/// a name that would need a resolver is refused, so where a server listens never depends on DNS. Port 0 asks the
/// system for a free port (``HTTPServer/port`` then says which).
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address as written, `localhost` read as `127.0.0.1`.
    public let host: String
    /// The port; 0 for any free one.
    public let port: UInt16
    /// Whether the host is an IPv6 address.
    public let isIPv6: Bool

    /// The loopback address on `port`: the default, reachable only from this machine.
    public static func loopback(port: UInt16) -> ListenAddress {
        ListenAddress(host: "127.0.0.1", port: port, isIPv6: false)
    }

    private init(host: String, port: UInt16, isIPv6: Bool) {
        self.host = host
        self.port = port
        self.isIPv6 = isIPv6
    }

    /// Reads `HOST:PORT`, or says what is wrong with it.
    public init(parsing text: String) throws(HTTPServerError) {
        func refuse(_ reason: String) -> HTTPServerError { .invalidAddress(text, reason: reason) }
        guard let colon = text.lastIndex(of: ":") else { throw refuse("write HOST:PORT, such as 127.0.0.1:8080") }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber), portText.count <= 5,
              let port = UInt16(portText) else {
            throw refuse("the port must be a whole number from 0 to 65535")
        }
        var ipv6 = false
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
            ipv6 = true
        } else if host.contains(":") {
            throw refuse("write an IPv6 address in brackets, such as [::1]:8080")
        }
        if host == "localhost" { host = "127.0.0.1" }
        guard (ipv6 ? Self.storage(v6: host, port: port) : Self.storage(v4: host, port: port)) != nil else {
            throw refuse(ipv6 ? "'\(host)' is not an IPv6 address" : "'\(host)' is not an IPv4 address (names other than localhost are not looked up)")
        }
        self.init(host: host, port: port, isIPv6: ipv6)
    }

    /// `127.0.0.1:8080`, `[::1]:8080`.
    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Calls `body` with the address as a socket address.
    func withSocketAddress<T>(_ body: (UnsafePointer<sockaddr>) -> T) -> T {
        var storage = (isIPv6 ? Self.storage(v6: host, port: port) : Self.storage(v4: host, port: port)) ?? sockaddr_storage()
        return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
    }

    private static func storage(v4 host: String, port: UInt16) -> sockaddr_storage? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return nil }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { target in withUnsafeBytes(of: address) { target.copyMemory(from: $0) } }
        return storage
    }

    private static func storage(v6 host: String, port: UInt16) -> sockaddr_storage? {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = port.bigEndian
        guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { return nil }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { target in withUnsafeBytes(of: address) { target.copyMemory(from: $0) } }
        return storage
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One keep-alive HTTP/1.1 connection to a loopback port, for ``ServeLoad``'s clients: a request written with its
/// `Content-Length`, its answer read to the end of the body that answer's `Content-Length` declares, and the same
/// socket used for the next request. A connection the server closed is opened again once, before the request is sent.
final class ServeLoadConnection {
    /// One answer: its status, its `ETag` when sent, and its body.
    struct Answer {
        var status: Int
        var etag: String?
        var body: [UInt8]
    }

    private let port: UInt16
    private let token: String
    private var socket: Int32 = -1
    private var pending: [UInt8] = []

    /// A connection to `port` that sends `token` as its bearer credential; the socket opens with the first request.
    init(port: UInt16, token: String) {
        self.port = port
        self.token = token
    }

    deinit { if socket >= 0 { close(socket) } }

    /// Sends one request and reads its answer; a request the server closed the connection on before answering is
    /// sent once more on a new connection.
    func send(_ method: String, _ path: String, headers: [(String, String)] = [], json: String? = nil) throws(ServeLoadFailure) -> Answer {
        let body = Array((json ?? "").utf8)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nContent-Length: \(body.count)\r\n"
        if json != nil { head += "Content-Type: application/json\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let bytes = Array((head + "\r\n").utf8) + body
        for _ in 0..<2 {
            if socket < 0 { try connect() }
            if write(bytes), let answer = try readAnswer() { return answer }
            close(socket)
            socket = -1
            pending = []
        }
        throw ServeLoadFailure("the server closed the connection twice without answering \(method) \(path)")
    }

    private func connect() throws(ServeLoadFailure) {
        let made = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard made >= 0 else { throw ServeLoadFailure("could not make a socket") }
        var noDelay: Int32 = 1
        setsockopt(made, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(made, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(made)
            throw ServeLoadFailure("could not connect to 127.0.0.1:\(port)")
        }
        socket = made
    }

    private func write(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    /// The next answer on the connection; nil when the server closed it before a whole answer came.
    private func readAnswer() throws(ServeLoadFailure) -> Answer? {
        let separator = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            headEnd = Self.find(separator, in: pending)
            if headEnd == nil, !receive() { return nil }
        }
        guard let end = headEnd else { return nil }
        let lines = String(decoding: pending[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw ServeLoadFailure("an answer without a status line: \(lines[0])") }
        var length = 0
        var etag: String?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length" {
                guard let declared = Int(value) else { throw ServeLoadFailure("an answer with Content-Length '\(value)'") }
                length = declared
            } else if name == "etag" {
                etag = value
            } else if name == "transfer-encoding" {
                throw ServeLoadFailure("an answer sent as \(value); the load client reads Content-Length bodies only")
            }
        }
        let bodyStart = end + separator.count
        while pending.count < bodyStart + length {
            if !receive() { return nil }
        }
        let body = Array(pending[bodyStart..<bodyStart + length])
        pending.removeFirst(bodyStart + length)
        return Answer(status: status, etag: etag, body: body)
    }

    /// Reads what the socket has into `pending`; false when the server closed it.
    private func receive() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        pending += buffer[0..<count]
        return true
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { start in haystack[start..<start + needle.count].elementsEqual(needle) }
    }
}

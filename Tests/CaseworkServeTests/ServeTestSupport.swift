import Casework
import CaseworkServer
import CaseworkTestSupport
import Foundation
import Synchronization
import Testing
@testable import CaseworkCommandLine
#if canImport(Glibc)
import Glibc
#endif

/// The repository, for the shipped definitions and docs.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let definitions = [root.appendingPathComponent("Workflows").path, root.appendingPathComponent("Policies").path]
}

/// The tokens of the test auth file, and what each service may do.
enum Tokens {
    /// `desk`: acts as the operator.
    static let desk = "desk-token-1b7e"
    /// `portal`: acts for the parents, carers and caseworkers it signs in, with their relationship and second factor.
    static let portal = "portal-token-93fa"
    /// `school`: acts for school staff, asserting no attribute.
    static let school = "school-token-44c0"
    /// `advice`: acts for the professionals the advice forms are shared with, asserting their relationship and second factor.
    static let advice = "advice-token-5d21"

    static func digest(_ token: String) -> String { SHA256.hex(token) }

    static var authFile: String {
        """
        services:
          - name: desk
            token_sha256: \(digest(desk))
            acts_as: operator
          - name: portal
            token_sha256: \(digest(portal))
            acts_for:
              roles: [parent, carer, caseworker, send_manager]
              attributes: [relationship, second_factor_verified]
          - name: school
            token_sha256: \(digest(school))
            acts_for:
              roles: [school]
              attributes: []
          - name: advice
            token_sha256: \(digest(advice))
            acts_for:
              roles: [educational_psychology, health, social_care, school]
              attributes: [relationship, second_factor_verified]
        """
    }
}

/// Runs blocking work on a thread of its own and awaits it. A test that blocked one of Swift concurrency's few threads
/// waiting for the server could starve the server's handlers, which run on those threads, and never wake.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

/// The `occurrence`-th whole line containing `text` in the file `path` that a program started with ``Spawn`` writes
/// its output to, waited for off the pool; a failure carrying the file when none has come within `timeout` seconds.
func writtenLine(in path: String, containing text: String, occurrence: Int = 1, timeout: TimeInterval = 60) async throws -> String {
    try await offPool { () -> String in
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let written = (try? Data(contentsOf: URL(fileURLWithPath: path))).map { String(decoding: $0, as: UTF8.self) } ?? ""
            let lines = written.split(separator: "\n", omittingEmptySubsequences: false).dropLast().filter { $0.contains(text) }
            if lines.count >= occurrence { return String(lines[occurrence - 1]) }
            if Date() > deadline { throw TestFailure("no line \(occurrence) with '\(text)' came in \(timeout) seconds: \(written)") }
            usleep(10_000)
        }
    }
}

/// The built `casework serve` run as a program of its own (not in this process), on a free loopback port over a fresh
/// SQLite store in `directory`, with the auth file `auth`, for the tests that signal it. Killed and reaped when let go
/// of if the test did not see it end.
final class ServeProgram {
    let pid: pid_t
    /// The loopback address it listens on, its own (``RawHTTP/ownLoopbackHost()``): every other server of the suite
    /// listens on `127.0.0.1`, so once this one has stopped, none of them can answer at its address and port.
    let host: String
    let port: UInt16
    /// The files its standard output and standard error go to.
    let output: String, errors: String
    /// How it ended, once ``stop(_:)`` has seen it end.
    private(set) var ending: Spawn.Ending?

    /// Starts it and waits for its "listening on" line.
    init(in directory: URL, auth: String) async throws {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("casework"),
                          Repository.root.appendingPathComponent(".build/debug/casework")]
        let binary = try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }, "the casework executable was not built")
        output = directory.appendingPathComponent("out").path
        errors = directory.appendingPathComponent("err").path
        host = RawHTTP.ownLoopbackHost()
        pid = try Spawn.start([binary.path, "serve", "--db", directory.appendingPathComponent("cases.sqlite").path, "--create", "--listen",
                               "\(host):0", "--auth", auth] + Repository.definitions.flatMap { ["--definitions", $0] }, out: output, err: errors)
        do {
            let first = try await writtenLine(in: output, containing: "listening on")
            port = try #require(first.split(separator: ":").last.flatMap { UInt16($0.trimmingCharacters(in: .whitespacesAndNewlines)) }, "\(first)")
        } catch {
            kill(pid, SIGKILL)
            _ = Spawn.wait(pid)
            throw error
        }
    }

    deinit {
        if ending == nil {
            kill(pid, SIGKILL)
            _ = Spawn.wait(pid)
        }
    }

    /// Sends it `signal`.
    func signal(_ signal: Int32) { kill(pid, signal) }

    /// Sends it `signal` and waits (at most a minute) for it to end; how it ended.
    func stop(_ signal: Int32 = SIGTERM) async throws -> Spawn.Ending {
        kill(pid, signal)
        let pid = pid
        let ended = try await offPool { Spawn.wait(pid, timeout: 60) }
        ending = ended
        return ended
    }
}

/// A `casework serve` on a free loopback port over a fresh SQLite store in a temporary directory, stopped and
/// removed when the test lets go of it.
final class TestServer: Sendable {
    let directory: URL
    let instance: ServeInstance
    var port: UInt16 { instance.server.port }
    let database: String

    /// Starts a server, its settings changed by `adjust` and its other options by `configure`; over the store of
    /// `sharing` when given (a second server on one store), else over a fresh one.
    static func start(
        _ adjust: @escaping @Sendable (inout HTTPServerSettings) -> Void = { _ in }, sharing: TestServer? = nil,
        configure: @escaping @Sendable (inout ServeInstance.Options) -> Void = { _ in }
    ) async throws -> TestServer {
        let database = sharing?.database
        return try await offPool { try TestServer(database: database, configure: configure, adjust) }
    }

    private init(database: String?, configure: (inout ServeInstance.Options) -> Void, _ adjust: (inout HTTPServerSettings) -> Void) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let auth = directory.appendingPathComponent("auth.yaml")
        try (Tokens.authFile + "\n" + TestIdentityProvider.authSection).write(to: auth, atomically: true, encoding: .utf8)
        try TestIdentityProvider.jwks.write(to: directory.appendingPathComponent("idp-keys.json"), atomically: true, encoding: .utf8)
        var settings = HTTPServerSettings(address: .loopback(port: 0))
        adjust(&settings)
        self.database = database ?? directory.appendingPathComponent("cases.sqlite").path
        // A request may wait minutes for a thread when the whole suite runs at once on two cores.
        var options = ServeInstance.Options(database: self.database, definitions: Repository.definitions,
                                            cache: nil, authPath: auth.path, create: true, settings: settings, requestTimeout: .seconds(600))
        configure(&options)
        do throws(ServeError) {
            instance = try ServeInstance(options)
        } catch {
            throw TestFailure("the server did not start: \(error)")
        }
    }

    deinit {
        instance.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Sends one request and reads the whole answer.
    func send(_ method: String, _ path: String, token: String? = Tokens.desk, headers: [(String, String)] = [], json: String? = nil) async throws -> RawResponse {
        var lines = headers
        if let token { lines.append(("Authorization", "Bearer \(token)")) }
        if json != nil { lines.append(("Content-Type", "application/json")) }
        let port = port, body = Array((json ?? "").utf8), sent = lines
        return try await offPool { try RawHTTP.request(port: port, method: method, path: path, headers: sent, body: body) }
    }

    /// Sends one request with `body` as it is, its `Content-Type` (when any) among `headers`, and reads the whole answer.
    func send(_ method: String, _ path: String, token: String? = Tokens.desk, headers: [(String, String)] = [], raw body: [UInt8]) async throws -> RawResponse {
        var lines = headers
        if let token { lines.append(("Authorization", "Bearer \(token)")) }
        let port = port, sent = lines
        return try await offPool { try RawHTTP.request(port: port, method: method, path: path, headers: sent, body: body) }
    }

    /// Opens the case `id` as the operator, with the parent `jo` taking part.
    @discardableResult
    func openCase(_ id: String) async throws -> RawResponse {
        let response = try await send("POST", "/v1/cases", json: Self.openBody(id))
        #expect(response.status == 201, "\(response.text)")
        return response
    }

    static func openBody(_ id: String) -> String {
        """
        {"workflow": "ehcp-needs-assessment", "id": "\(id)",
         "fields": {"requested_on": "2025-09-01", "requested_by": "parent",
                    "child": {"first_name": "Sam", "last_name": "Lee", "date_of_birth": "2015-01-01"}},
         "participants": {"parent": "jo"}}
        """
    }

    /// Runs `casework ARGUMENTS` in this process with the server's definitions and, unless `store` is false (for a
    /// command that reads none), its store, as a user would.
    func casework(_ arguments: [String], store: Bool = true) -> (status: CaseworkCommandLine.ExitStatus, out: String, err: String) {
        let console = Captured()
        let definitions = Repository.definitions.flatMap { ["--definitions", $0] }
        let status = CaseworkCommand.run(arguments + (store ? ["--db", database] : []) + definitions, console: console)
        return (status, console.streams.withLock { $0.out }, console.streams.withLock { $0.err })
    }
}

/// A console that keeps what a command writes.
final class Captured: Console {
    let streams = Mutex<(out: String, err: String)>(("", ""))
    func out(_ text: String) { streams.withLock { $0.out += text } }
    func err(_ text: String) { streams.withLock { $0.err += text } }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One answer as read off the socket.
struct RawResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }

    /// The body as a JSON object, or an empty one.
    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
}

/// A tiny HTTP/1.1 client over a plain socket, so a test controls every byte: what it sends, how fast, and when it stops.
enum RawHTTP {
    static func request(
        host: String = "127.0.0.1", port: UInt16, method: String, path: String, headers: [(String, String)], body: [UInt8]
    ) throws -> RawResponse {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let socket = try connect(host: host, port: port)
        defer { close(socket) }
        try write(socket, Array(head.utf8) + body)
        guard let response = parse(readAll(socket)) else { throw TestFailure("no HTTP response") }
        return response
    }

    /// Sends `text` on a new connection and reads until the server closes it, off Swift concurrency's threads.
    static func exchange(port: UInt16, _ text: String) async throws -> [UInt8] {
        try await offPool {
            let socket = try connect(port: port)
            defer { close(socket) }
            try write(socket, Array(text.utf8))
            return readAll(socket)
        }
    }

    /// A loopback address of a test's own (`127.a.b.c`, not `127.0.0.1`), for a test that checks nothing listens on
    /// a port once its server has stopped: every other server of the suite listens on `127.0.0.1`, and any of them
    /// may be given the port just freed, which on this address none can answer for.
    static func ownLoopbackHost() -> String {
        "127.\(Int.random(in: 1...254)).\(Int.random(in: 1...254)).\(Int.random(in: 2...254))"
    }

    /// A connected socket to the loopback port, reads timing out after ten minutes so a test never hangs (the whole
    /// suite runs at once on a machine of two cores, and a request can wait minutes for a thread).
    static func connect(host: String = "127.0.0.1", port: UInt16) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestFailure("socket failed") }
        var timeout = timeval(tv_sec: 600, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(socket)
            throw TestFailure("connect failed")
        }
        return socket
    }

    static func write(_ socket: Int32, _ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw TestFailure("send failed") }
            sent += count
        }
    }

    /// Everything the server sends until it closes the connection.
    static func readAll(_ socket: Int32) -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return received }
            received += buffer[0..<count]
        }
    }

    static func parse(_ bytes: [UInt8]) -> RawResponse? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else { return nil }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return RawResponse(status: status, headers: headers, body: Array(bytes[(end + 4)...]))
    }
}

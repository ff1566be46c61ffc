import CaseworkTestSupport
import Foundation
import Testing
@testable import CaseworkCommandLine

/// `casework serve` refuses a command line it cannot serve with before it listens, and serves HTTPS when given a
/// certificate.
@Suite struct ServeCommandTests {
    static let fixtures = Repository.root.appendingPathComponent("Tests/CaseworkServeTests/Fixtures/tls")

    @Test(arguments: [
        ([String](), "serve needs --auth FILE"),
        (["--auth", "AUTH", "--tls-cert", "CERT"], "--tls-cert and --tls-key go together"),
        (["--auth", "AUTH", "--listen", "example.org:80"], "is not an IPv4 address"),
        (["--auth", "AUTH", "--listen", "8080"], "write HOST:PORT"),
        (["--auth", "AUTH", "--workers", "many"], "--workers needs a whole number"),
        (["--auth", "AUTH", "--tls-cert", "AUTH", "--tls-key", "AUTH"], "is not a readable PEM file"),
        (["--auth", "AUTH", "--tls-cert", "LARGE", "--tls-key", "AUTH"], "is 1048577 bytes, over the 1048576 this file may hold"),
        (["--auth", "AUTH", "extra"], "serve takes no arguments"),
        (["--auth", "AUTH"], "no Casework store at"),
        (["--auth", "MISSING", "--create"], "the auth file cannot be used"),
        (["--auth", "AUTH", "--tick-every", "30"], "--tick-every needs a duration"),
        (["--auth", "AUTH", "--tick-every", "0s"], "--tick-every needs a duration"),
        (["--auth", "AUTH", "--request-timeout", "0"], "--request-timeout needs a whole number of seconds"),
        (["--auth", "AUTH", "--request-timeout", "ten"], "--request-timeout needs a whole number of seconds"),
    ])
    func aCommandLineItCannotServeWithIsRefusedBeforeListening(arguments: [String], message: String) async throws {
        let server = try await TestServer.start()
        let auth = server.directory.appendingPathComponent("auth.yaml").path
        let store = server.directory.appendingPathComponent("missing.sqlite").path
        let large = server.directory.appendingPathComponent("large.pem")
        try Data(("-----BEGIN CERTIFICATE-----\n" + String(repeating: "A", count: (1 << 20) - 27)).utf8).write(to: large)
        let filled = arguments.map {
            $0.replacingOccurrences(of: "MISSING", with: server.directory.appendingPathComponent("nothing.yaml").path)
                .replacingOccurrences(of: "AUTH", with: auth).replacingOccurrences(of: "LARGE", with: large.path).replacingOccurrences(of: "CERT", with: Self.fixtures.appendingPathComponent("localhost.crt").path)
        }
        let console = Captured()
        let status = CaseworkCommand.run(["serve", "--db", store] + filled + Repository.definitions.flatMap { ["--definitions", $0] }, console: console)
        #expect(status == .usage)
        let err = console.streams.withLock { $0.err }
        #expect(err.contains(message), "\(err)")
        #expect(console.streams.withLock { $0.out }.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: store))
    }

    @Test func aStartOnAPortInUseCreatesNoStore() async throws {
        let server = try await TestServer.start()
        let store = server.directory.appendingPathComponent("new.sqlite").path
        let console = Captured()
        let status = CaseworkCommand.run(["serve", "--db", store, "--create", "--listen", "127.0.0.1:\(server.port)",
                                          "--auth", server.directory.appendingPathComponent("auth.yaml").path]
                                         + Repository.definitions.flatMap { ["--definitions", $0] }, console: console)
        #expect(status == .failure)
        #expect(console.streams.withLock { $0.err }.contains("127.0.0.1:\(server.port)"), "\(console.streams.withLock { $0.err })")
        #expect(!FileManager.default.fileExists(atPath: store), "nothing was created")
        #expect(try await server.send("GET", "/healthz").status == 200, "the server on the port goes on")
    }

    @Test func theProgramServesUntilSIGTERMThenStopsAndLeavesTheStoreWhole() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-sigterm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let auth = directory.appendingPathComponent("auth.yaml").path
        try Tokens.authFile.write(toFile: auth, atomically: true, encoding: .utf8)
        let database = directory.appendingPathComponent("cases.sqlite").path
        let program = try await ServeProgram(in: directory, auth: auth)
        let (host, port) = (program.host, program.port)
        let health = try await offPool {
            try RawHTTP.request(host: host, port: port, method: "GET", path: "/healthz", headers: [("Authorization", "Bearer \(Tokens.desk)")], body: [])
        }
        #expect(health.status == 200)
        let ended = try await program.stop(SIGTERM)
        #expect(ended.status == 0, "\(ended)")
        let rest = try String(contentsOfFile: program.output, encoding: .utf8)
        #expect(rest.contains("casework serve: stopped"), "\(rest)")
        #expect(throws: TestFailure.self) { _ = try RawHTTP.connect(host: host, port: port) }
        let console = Captured()
        #expect(CaseworkCommand.run(["store", "check", "--db", database], console: console) == .success)
    }

    @Test func withACertificateItServesHTTPS() async throws {
        let certificate = try String(contentsOf: Self.fixtures.appendingPathComponent("localhost.crt"), encoding: .utf8)
        let key = try String(contentsOf: Self.fixtures.appendingPathComponent("localhost.key"), encoding: .utf8)
        let server = try await TestServer.start { $0.tls = .init(certificate: certificate, privateKey: key) }
        #expect(server.instance.url.hasPrefix("https://127.0.0.1:"))
        let port = server.port
        let output = try await offPool { () throws -> String in
            try Spawn.run(["/usr/bin/curl", "--silent", "--show-error", "--cacert", Self.fixtures.appendingPathComponent("localhost.crt").path,
                           "--header", "Authorization: Bearer \(Tokens.desk)", "--write-out", "\n%{http_code}", "https://localhost:\(port)/healthz"]).out
        }
        #expect(output.hasSuffix("\n200"), "\(output)")
        #expect(output.contains("\"status\" : \"ok\""))
        // Plain HTTP on the HTTPS port gets no HTTP answer.
        let plain = try await RawHTTP.exchange(port: port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(RawHTTP.parse(plain)?.status != 200)
    }
}

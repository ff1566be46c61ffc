import CaseworkTestSupport
import Foundation
import Synchronization
import Testing
@testable import CaseworkCommandLine
#if canImport(Glibc)
import Glibc
#endif

/// The identity provider's keys are taken up without a restart: `SIGHUP` (``ServeInstance/reloadKeys()``) reads each
/// issuer's JWKS file again, and a file that cannot be used keeps the keys from before and says why in the log.
@Suite struct ServeJWKSReloadTests {
    /// The key the provider rotates to.
    static let rotated = TestSigningKey(.p256, id: "ec-2")

    /// The lines a server reports, collected.
    final class Log: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
    }

    static func keys(_ keys: [TestSigningKey]) throws -> Data {
        try JSONSerialization.data(withJSONObject: ["keys": keys.map(\.jwk)], options: [.sortedKeys])
    }

    static func fire(_ server: TestServer, signedBy key: TestSigningKey) async throws -> RawResponse {
        try await server.send("POST", ServeJWTTests.fire, token: TestIdentityProvider.token(TestIdentityProvider.caseworkerClaims(), key: key))
    }

    @Test func aRotatedKeyIsTakenUpOnReloadAndARetiredOneRefused() async throws {
        let log = Log()
        let server = try await TestServer.start(configure: { options in options.report = { line in log.lines.withLock { $0.append(line) } } })
        try await server.openCase("c1")
        let file = server.directory.appendingPathComponent("idp-keys.json")
        let before = try await Self.fire(server, signedBy: Self.rotated)
        #expect(before.status == 401 && before.text.contains("not one of the issuer's"), "\(before.text)")

        try Self.keys([Self.rotated]).write(to: file)
        #expect(try await Self.fire(server, signedBy: Self.rotated).status == 401, "the file is read only when told to")
        let reloads = server.instance.reloadKeys()
        #expect(reloads.count == 1)
        #expect(try reloads.first?.outcome.get() == 1)
        #expect(log.all == ["casework serve: reloaded the JWKS file \(file.path) of issuer \(TestIdentityProvider.issuer): 1 signing key"], "\(log.all)")

        let after = try await Self.fire(server, signedBy: Self.rotated)
        #expect(after.status == 200, "\(after.text)")
        let retired = try await Self.fire(server, signedBy: TestIdentityProvider.ecKey)
        #expect(retired.status == 401 && retired.text.contains("not one of the issuer's"), "\(retired.text)")
    }

    /// Each file that cannot be used, and what the log says of it.
    static func badFiles() throws -> [(String, Data?, String)] {
        var privateKey = rotated.jwk
        privateKey["d"] = "AAAA"
        return [
            ("gone", nil, "cannot be read"),
            ("half written", Data(#"{"keys": [{"kty": "EC""#.utf8), "is not a JSON object"),
            ("no signing key", Data(#"{"keys": []}"#.utf8), "holds no signing key"),
            ("a private key", try JSONSerialization.data(withJSONObject: ["keys": [privateKey]]), "holds a private key"),
            ("a member named twice", Data(#"{"keys": [{"kty": "EC", "use": "enc", "use": "sig"}]}"#.utf8), "names a member more than once (keys[0].use)"),
        ]
    }

    @Test(arguments: try badFiles())
    func aFileThatCannotBeUsedKeepsTheKeysFromBeforeAndSaysWhy(name: String, contents: Data?, message: String) async throws {
        let log = Log()
        let server = try await TestServer.start(configure: { options in options.report = { line in log.lines.withLock { $0.append(line) } } })
        try await server.openCase("c1")
        let file = server.directory.appendingPathComponent("idp-keys.json")
        if let contents { try contents.write(to: file) } else { try FileManager.default.removeItem(at: file) }
        let reloads = server.instance.reloadKeys()
        guard case .failure(let error)? = reloads.first?.outcome else {
            Issue.record("\(name): the reload was not refused: \(reloads)")
            return
        }
        #expect(error.message.contains(message), "\(name): \(error.message)")
        let line = try #require(log.all.first)
        #expect(line.hasPrefix("casework serve: error: the JWKS file \(file.path) of issuer \(TestIdentityProvider.issuer)"), "\(line)")
        #expect(line.contains(message) && line.hasSuffix("its keys from before stay in use"), "\(line)")
        let fired = try await Self.fire(server, signedBy: TestIdentityProvider.ecKey)
        #expect(fired.status == 200, "\(name): the old keys still let their tokens in: \(fired.text)")
    }

    @Test func anAuthFileWithoutIssuersHasNothingToReload() async throws {
        let log = Log()
        let server = try await TestServer.start(configure: { options in
            options.report = { line in log.lines.withLock { $0.append(line) } }
            options.authPath = (options.authPath as NSString).deletingLastPathComponent + "/services-only.yaml"
            try? Tokens.authFile.write(toFile: options.authPath, atomically: true, encoding: .utf8)
        })
        #expect(server.instance.reloadKeys().isEmpty)
        #expect(log.all == ["casework serve: the auth file names no issuer, so there are no JWKS files to reload"])
    }

    /// The program itself reloads on `SIGHUP`, goes on serving, and logs the reload on its standard error.
    @Test func theProgramReloadsTheKeysOnSIGHUP() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-sighup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let auth = directory.appendingPathComponent("auth.yaml").path
        try (Tokens.authFile + "\n" + TestIdentityProvider.authSection).write(toFile: auth, atomically: true, encoding: .utf8)
        let file = directory.appendingPathComponent("idp-keys.json")
        try TestIdentityProvider.jwks.write(to: file, atomically: true, encoding: .utf8)
        let program = try await ServeProgram(in: directory, auth: auth)
        let (host, port) = (program.host, program.port)
        let token = TestIdentityProvider.token(TestIdentityProvider.caseworkerClaims(), key: Self.rotated)
        func status() async throws -> Int {
            try await offPool { try RawHTTP.request(host: host, port: port, method: "GET", path: "/v1/cases", headers: [("Authorization", "Bearer \(token)")], body: []) }.status
        }
        #expect(try await status() == 401)

        try Self.keys([TestIdentityProvider.ecKey, Self.rotated]).write(to: file)
        program.signal(SIGHUP)
        let reloaded = try await writtenLine(in: program.errors, containing: "JWKS file")
        #expect(reloaded.contains("reloaded the JWKS file \(file.path) of issuer \(TestIdentityProvider.issuer): 2 signing keys"), "\(reloaded)")
        #expect(try await status() == 200)

        try Data("{".utf8).write(to: file)
        program.signal(SIGHUP)
        let refused = try await writtenLine(in: program.errors, containing: "JWKS file", occurrence: 2)
        #expect(refused.contains("error: the JWKS file \(file.path)") && refused.contains("is not a JSON object"), "\(refused)")
        #expect(try await status() == 200, "the keys from before stay in use")

        let ended = try await program.stop(SIGTERM)
        #expect(ended.status == 0, "\(ended)")
    }
}

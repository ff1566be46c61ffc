import Foundation
import Testing
@testable import CaseworkCommandLine
import Casework

/// No one is answered without a known token, and a service asserts only the people and attributes it may.
@Suite struct ServeAuthTests {
    @Test(arguments: [
        ([(String, String)](), "send Authorization"),
        ([("Authorization", "Bearer not-a-known-token")], "not known"),
        ([("Authorization", "Basic ZGVzazp4")], "Bearer TOKEN"),
        ([("Authorization", "Bearer \(Tokens.desk)"), ("Authorization", "Bearer \(Tokens.desk)")], "one Authorization header"),
    ])
    func withoutAKnownTokenEveryRouteIs401AndNothingChanges(headers: [(String, String)], detail: String) async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        for (method, path) in [("GET", "/healthz"), ("GET", "/v1/cases/c1"), ("POST", "/v1/cases/c1/transitions/acknowledge_request"), ("GET", "/nowhere")] {
            let response = try await server.send(method, path, token: nil, headers: headers)
            #expect(response.status == 401, "\(method) \(path)")
            #expect(response.header("WWW-Authenticate") == "Bearer realm=\"casework\"")
            #expect(response.object["code"] as? String == "unauthenticated")
            #expect((response.object["detail"] as? String ?? "").contains(detail))
        }
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 1)
    }

    @Test(arguments: [
        (Tokens.school, [("Casework-Act-As", "parent:jo")], 403, "may not act for people in the role 'parent'"),
        (Tokens.school, [("Casework-Act-As", "school:sam@hillside"), ("Casework-Attribute", "relationship=professional")], 403, "may not assert the attribute 'relationship'"),
        (Tokens.portal, [], 403, "acts only for the people it signs in"),
        (Tokens.portal, [("Casework-Act-As", "not an actor")], 422, "the values given cannot be used"),
        (Tokens.portal, [("Casework-Act-As", "parent:jo"), ("Casework-Attribute", "second_factor_verified=maybe")], 422, "the values given cannot be used"),
        (Tokens.desk, [("Casework-Attribute", "relationship=parent")], 422, "the values given cannot be used"),
    ])
    func aServiceAssertingWhatItMayNotIsRefusedAndNothingChanges(token: String, headers: [(String, String)], status: Int, detail: String) async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let response = try await server.send("POST", "/v1/cases/c1/transitions/acknowledge_request", token: token, headers: headers)
        #expect(response.status == status, "\(response.text)")
        #expect((response.object["detail"] as? String ?? "").contains(detail), "\(response.text)")
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 1)
    }

    @Test func aServiceActingForACaseworkerFiresAsThatCaseworker() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let caseworker = [("Casework-Act-As", "caseworker:ana"), ("Casework-Attribute", "relationship=caseworker"),
                          ("Casework-Attribute", "second_factor_verified=true")]
        let fired = try await server.send("POST", "/v1/cases/c1/transitions/acknowledge_request", token: Tokens.portal, headers: caseworker)
        #expect(fired.status == 200, "\(fired.text)")
        let history = server.casework(["case", "history", "c1", "--format", "json"])
        #expect(history.out.contains("\"actor\" : \"caseworker:ana\""), "\(history.out)")
    }

    @Test(arguments: [
        ("services: []", "names no service"),
        ("services:\n  - name: a\n    acts_as: operator", "has no token_sha256"),
        ("services:\n  - name: a\n    token_sha256: abc\n    acts_as: operator", "64 hexadecimal"),
        ("services:\n  - name: a\n    token_sha256: \(Tokens.digest("x"))", "neither acts_as nor acts_for"),
        ("services:\n  - name: a\n    token_sha256: \(Tokens.digest("x"))\n    acts_for: {roles: [parent], attributes: [shoe_size]}", "'shoe_size' is not an actor attribute"),
        ("services:\n  - name: a\n    token_sha256: \(Tokens.digest("x"))\n    acts_as: operator\n  - name: b\n    token_sha256: \(Tokens.digest("x"))\n    acts_as: operator", "same token"),
        ("services:\n  - name: a\n    token: x", "unknown key 'token'"),
        ("tokens: []", "unknown key 'tokens'"),
    ])
    func anAuthFileThatCannotBeUsedIsRefusedAtItsLine(text: String, message: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("auth.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let catalog = try DefinitionCatalog.load(paths: Repository.definitions)
        #expect {
            _ = try ServiceAuthFile.load(path: path, catalog: catalog)
        } throws: { error in
            let description = (error as? ServiceAuthFileError)?.description ?? ""
            return description.contains(message) && description.hasPrefix(path + ":")
        }
    }
}

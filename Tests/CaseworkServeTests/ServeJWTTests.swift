import CaseworkTestSupport
import Foundation
import Testing
@testable import CaseworkCommandLine
import Casework

/// A bearer JWT from the council's identity provider lets its person in through the same policy door as the command
/// line, and every token that is malformed, wrongly signed, out of date or not for this server is refused 401 with
/// nothing changed.
@Suite struct ServeJWTTests {
    static let fire = "/v1/cases/c1/transitions/acknowledge_request"

    @Test(arguments: [TestIdentityProvider.ecKey, TestIdentityProvider.rsaKey])
    func aCaseworkersTokenFiresAsThatCaseworker(key: TestSigningKey) async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let token = TestIdentityProvider.token(TestIdentityProvider.caseworkerClaims(), key: key)
        let fired = try await server.send("POST", Self.fire, token: token)
        #expect(fired.status == 200, "\(fired.text)")
        let history = server.casework(["case", "history", "c1", "--format", "json"])
        #expect(history.out.contains("\"actor\" : \"caseworker:ana\""), "\(history.out)")
    }

    @Test func anAudienceListNamingThisServerIsAccepted() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        var claims = TestIdentityProvider.caseworkerClaims()
        claims["aud"] = ["somewhere-else", "other-service-too"]
        let shown = try await server.send("GET", "/v1/cases/c1", token: TestIdentityProvider.token(claims))
        #expect(shown.status == 200, "\(shown.text)")
    }

    /// The second factor comes only from `amr`: with `mfa` the caseworker may fire, without it the policy refuses them.
    @Test(arguments: [(["pwd", "mfa"], true), (["pwd"], false), ([String](), false)])
    func theSecondFactorIsReadFromAmr(methods: [String], admitted: Bool) async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        var claims = TestIdentityProvider.caseworkerClaims()
        claims["amr"] = methods
        claims["second_factor_verified"] = true
        let fired = try await server.send("POST", Self.fire, token: TestIdentityProvider.token(claims))
        #expect((fired.status == 200) == admitted, "\(fired.status) \(fired.text)")
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == (admitted ? 2 : 1))
    }

    /// Each bad token, and what the refusal says.
    static func badTokens() -> [(String, String, String)] {
        let idp = TestIdentityProvider.self
        let now = Int(Date().timeIntervalSince1970)
        func claims(_ change: (inout [String: Any]) -> Void) -> [String: Any] {
            var claims = idp.caseworkerClaims()
            change(&claims)
            return claims
        }
        let good = idp.token(idp.caseworkerClaims())
        let goodParts = good.split(separator: ".").map(String.init)
        let tampered = goodParts[0] + "." + idp.part(claims { $0["casework_role"] = "send_manager" }) + "." + goodParts[2]
        let unsignedHeader = idp.part(["alg": "none", "typ": "JWT", "kid": "ec-1"])
        let confusedHeader = idp.part(["alg": "HS256", "typ": "JWT", "kid": "rsa-1"])
        let confusedSigned = confusedHeader + "." + goodParts[1]
        let confused = confusedSigned + "." + TestSigningKey.base64URL(idp.hmac(Array(confusedSigned.utf8), secret: idp.rsaKey.publicPEM))
        return [
            ("expired", idp.token(claims { $0["exp"] = now - 3600; $0["iat"] = now - 7200; $0["nbf"] = now - 7200 }), "has expired"),
            ("not yet valid", idp.token(claims { $0["nbf"] = now + 3600 }), "not valid yet"),
            ("issued in the future", idp.token(claims { $0["iat"] = now + 3600 }), "issued in the future"),
            ("no expiry", idp.token(claims { $0["exp"] = nil }), "no expiry"),
            ("expiry not a number", idp.token(claims { $0["exp"] = "tomorrow" }), "exp is not a number"),
            ("expiry a boolean", idp.token(claims { $0["exp"] = true }), "exp is not a number"),
            ("wrong issuer", idp.token(claims { $0["iss"] = "https://evil.test/" }), "issuer is not trusted"),
            ("wrong audience", idp.token(claims { $0["aud"] = "another-api" }), "another audience"),
            ("no audience", idp.token(claims { $0["aud"] = nil }), "no audience"),
            ("tampered claims", tampered, "signature does not verify"),
            ("another key, same kid", idp.token(idp.caseworkerClaims(), key: idp.impostor), "signature does not verify"),
            ("unknown kid", idp.token(idp.caseworkerClaims(), header: ["kid": "ec-9"]), "not one of the issuer's"),
            ("no kid", idp.token(idp.caseworkerClaims(), header: ["kid": NSNull()]), "no kid"),
            ("alg none", unsignedHeader + "." + goodParts[1] + ".", "algorithm is not accepted"),
            ("HS256 keyed with the public key", confused, "algorithm is not accepted"),
            ("RS256 named on an EC key", idp.token(idp.caseworkerClaims(), key: idp.rsaKey, header: ["kid": "ec-1"]), "not a key for RS256"),
            ("critical extension", idp.token(idp.caseworkerClaims(), header: ["crit": ["exp"]]), "critical"),
            ("padded base64", goodParts[0] + "=." + goodParts[1] + "." + goodParts[2], "header is not base64url JSON"),
            ("garbage letters", goodParts[0] + "." + goodParts[1] + "!." + goodParts[2], "claims are not base64url JSON"),
            ("claims not JSON", goodParts[0] + "." + TestSigningKey.base64URL(Array("not json".utf8)) + "." + goodParts[2], "claims are not base64url JSON"),
            ("claims a list", goodParts[0] + "." + TestSigningKey.base64URL(Array("[1]".utf8)) + "." + goodParts[2], "claims are not base64url JSON"),
            ("signature garbage", goodParts[0] + "." + goodParts[1] + ".***", "signature is not base64url"),
            ("signature truncated", goodParts[0] + "." + goodParts[1] + "." + String(goodParts[2].dropLast(6)), "signature does not verify"),
            ("no subject", idp.token(claims { $0["sub"] = nil }), "'sub' claim is not an id"),
            ("attribute out of range", idp.token(claims { $0["casework_relationship"] = "landlord" }), "not the actor's attributes"),
            ("amr not a list", idp.token(claims { $0["amr"] = "mfa" }), "'amr' claim is not a list"),
        ]
    }

    @Test(arguments: badTokens())
    func aBadTokenIs401AndNothingChanges(name: String, token: String, detail: String) async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        for (method, path) in [("POST", Self.fire), ("GET", "/v1/cases/c1"), ("GET", "/v1/cases")] {
            let response = try await server.send(method, path, token: token)
            #expect(response.status == 401, "\(name): \(response.text)")
            #expect(response.header("Content-Type") == "application/problem+json", "\(name)")
            #expect(response.header("WWW-Authenticate") == "Bearer realm=\"casework\", error=\"invalid_token\"", "\(name)")
            #expect(response.object["code"] as? String == "unauthenticated", "\(name)")
            #expect((response.object["detail"] as? String ?? "").contains(detail), "\(name): \(response.text)")
            #expect(!response.text.contains("c1"), "\(name): the refusal says nothing of cases")
        }
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 1)
    }

    /// A token's `typ`, when it has one, says it is a JWT or an access token (RFC 9068), in any case; any other type,
    /// or a `typ` that is not a text, is refused 401 and nothing changes. A token with no `typ` is let in.
    @Test(arguments: [
        ("JWT", true), ("jwt", true), ("Jwt", true), ("at+jwt", true), ("AT+JWT", true), (nil, true),
        ("JOSE", false), ("id+jwt", false), ("application/json", false), ("", false), ("JWT ", false), ("at+jwt+x", false),
    ] as [(String?, Bool)])
    func aTokensTypeIsJWTOrAnAccessToken(type: String?, admitted: Bool) async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        let token = TestIdentityProvider.token(TestIdentityProvider.caseworkerClaims(), header: ["typ": type ?? TestIdentityProvider.absent])
        let fired = try await server.send("POST", Self.fire, token: token)
        #expect(fired.status == (admitted ? 200 : 401), "\(type ?? "no typ"): \(fired.text)")
        if !admitted {
            #expect(fired.header("WWW-Authenticate") == "Bearer realm=\"casework\", error=\"invalid_token\"")
            #expect((fired.object["detail"] as? String ?? "").contains("typ is not JWT or at+jwt"), "\(fired.text)")
        }
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == (admitted ? 2 : 1))
    }

    @Test func aTypeThatIsNotATextIsRefused() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        for type in [1, ["JWT"]] as [Any] {
            let token = TestIdentityProvider.token(TestIdentityProvider.caseworkerClaims(), header: ["typ": type])
            let fired = try await server.send("POST", Self.fire, token: token)
            #expect(fired.status == 401, "\(type): \(fired.text)")
        }
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 1)
    }

    @Test(arguments: [
        ([("Casework-Act-As", "send_manager:sam")], "speaks only for its own person"),
        ([("Casework-Attribute", "second_factor_verified=true")], "speaks only for its own person"),
    ])
    func aTokenNamesNoOneElse(headers: [(String, String)], detail: String) async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        var claims = TestIdentityProvider.caseworkerClaims()
        claims["amr"] = ["pwd"]
        let response = try await server.send("POST", Self.fire, token: TestIdentityProvider.token(claims), headers: headers)
        #expect(response.status == 403, "\(response.text)")
        #expect((response.object["detail"] as? String ?? "").contains(detail), "\(response.text)")
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 1)
    }

    @Test(arguments: ["school", "operator", ""])
    func aRoleTheMappingDoesNotAllowIsRefused(role: String) async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        var claims = TestIdentityProvider.caseworkerClaims()
        claims["casework_role"] = role
        let response = try await server.send("POST", Self.fire, token: TestIdentityProvider.token(claims))
        #expect(response.status == 403, "\(response.text)")
        #expect((response.object["detail"] as? String ?? "").contains("role may not be used here"), "\(response.text)")
        #expect(try await server.send("GET", "/v1/cases/c1").object["revision"] as? Int == 1)
    }

    /// An issuer entry with one line changed, and what the refusal at that line says.
    static func badIssuers() -> [(String, String, String)] {
        let good = TestIdentityProvider.authSection
        func changed(_ from: String, _ to: String) -> String {
            precondition(good.contains(from))
            return good.replacingOccurrences(of: from, with: to)
        }
        return [
            ("HS256 allowed", changed("[ES256, RS256]", "[ES256, HS256]"), "'HS256' is not accepted"),
            ("none allowed", changed("[ES256, RS256]", "[none]"), "'none' is not accepted"),
            ("missing JWKS", changed("idp-keys.json", "nowhere.json"), "cannot be read"),
            ("JWKS with a private key", changed("idp-keys.json", "private.json"), "holds a private key"),
            ("JWKS not JSON", changed("idp-keys.json", "auth.yaml"), "is not a JSON object"),
            ("leeway a word", changed("algorithms: [ES256, RS256]", "algorithms: [ES256, RS256]\n    leeway_seconds: soon"), "leeway_seconds is a whole number"),
            ("leeway too long", changed("algorithms: [ES256, RS256]", "algorithms: [ES256, RS256]\n    leeway_seconds: 86400"), "from 0 to 300"),
            ("no audiences", changed("audiences: [casework-api, other-service-too]", "audiences: []"), "list of the 'aud' values"),
            ("role claim without roles", changed("      roles: [caseworker, send_manager, parent]\n", ""), "role_claim needs roles"),
            ("fixed role and roles", changed("role_claim: casework_role", "role: caseworker"), "gives the role twice"),
            ("operator role", changed("roles: [caseworker, send_manager, parent]", "roles: [operator]"), "never operator"),
            ("unknown attribute", changed("relationship: casework_relationship", "shoe_size: shoes"), "'shoe_size' is not an actor attribute"),
            ("second factor also a claim", changed("relationship: casework_relationship", "second_factor_verified: mfa_done"), "read only from amr"),
            ("no id claim", changed("      id_claim: sub\n", ""), "no id_claim"),
            ("unknown issuer key", changed("jwks: idp-keys.json", "jwks: idp-keys.json\n    jwks_url: https://idp.test/keys"), "unknown key 'jwks_url'"),
        ]
    }

    @Test(arguments: badIssuers())
    func anIssuerThatCannotBeUsedIsRefusedAtItsLine(name: String, section: String, message: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-jwt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try TestIdentityProvider.jwks.write(to: directory.appendingPathComponent("idp-keys.json"), atomically: true, encoding: .utf8)
        var privateKey = TestIdentityProvider.ecKey.jwk
        privateKey["d"] = "AAAA"
        try JSONSerialization.data(withJSONObject: ["keys": [privateKey]]).write(to: directory.appendingPathComponent("private.json"))
        let path = directory.appendingPathComponent("auth.yaml").path
        try section.write(toFile: path, atomically: true, encoding: .utf8)
        let catalog = try DefinitionCatalog.load(paths: Repository.definitions)
        #expect(throws: Never.self, "\(name): the unchanged section loads") {
            try TestIdentityProvider.authSection.write(toFile: path, atomically: true, encoding: .utf8)
            _ = try ServiceAuthFile.load(path: path, catalog: catalog)
        }
        try section.write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            _ = try ServiceAuthFile.load(path: path, catalog: catalog)
        } throws: { error in
            let description = (error as? ServiceAuthFileError)?.description ?? ""
            return description.contains(message) && description.hasPrefix(path + ":")
        }
    }

    @Test(arguments: [
        ("QUJD", Array("ABC".utf8)), ("QUI", Array("AB".utf8)), ("QQ", Array("A".utf8)), ("", []), ("-_-_", [0xFB, 0xFF, 0xBF]),
        ("QR", nil), ("QUJ", nil), ("Q", nil), ("QQ==", nil), ("QUI=", nil), ("+/+/", nil), ("QU JD", nil), ("QUJD\n", nil),
    ] as [(String, [UInt8]?)])
    func base64URLIsReadStrictly(text: String, bytes: [UInt8]?) {
        #expect(Base64URL.decode(text) == bytes)
    }

    /// The reference's full auth file with issuers loads, with a JWKS beside it.
    @Test func theReferenceExampleLoads() throws {
        let reference = try String(contentsOf: Repository.root.appendingPathComponent("docs/reference/service.md"), encoding: .utf8)
        let blocks = reference.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        let example = try #require(blocks.first { $0.contains("issuers:") })
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-jwt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try TestIdentityProvider.jwks.write(to: directory.appendingPathComponent("idp-keys.json"), atomically: true, encoding: .utf8)
        let path = directory.appendingPathComponent("auth.yaml").path
        try example.write(toFile: path, atomically: true, encoding: .utf8)
        let auth = try ServiceAuthFile.load(path: path, catalog: try DefinitionCatalog.load(paths: Repository.definitions))
        #expect(auth.services.count == 1)
        #expect(auth.issuers.map(\.issuer) == ["https://login.example-council.gov.uk/"])
        #expect(auth.issuers.first?.keyFile.keys.keys.keys.sorted() == ["ec-1", "rsa-1"])
    }
}

import CaseworkYAML
import Foundation
import Testing
@testable import CaseworkCommandLine

/// `docs/reference/openapi.yaml` documents every route the server answers, and the server answers every route it documents.
@Suite struct OpenAPITests {
    /// Every `METHOD PATH` the document declares under `paths`.
    static func documentedRoutes() throws -> Set<String> {
        let path = Repository.root.appendingPathComponent("docs/reference/openapi.yaml").path
        let loaded = YAMLLoader.load(path: path)
        #expect(loaded.errors.isEmpty)
        let root = try #require(loaded.root?.mapping)
        #expect(root.first { $0.key.name == "openapi" }?.value.scalar?.value == "3.1.0")
        let paths = try #require(root.first { $0.key.name == "paths" }?.value.mapping)
        var routes: Set<String> = []
        for entry in paths {
            for operation in entry.value.mapping ?? [] where ["get", "post", "put", "patch", "delete"].contains(operation.key.name) {
                routes.insert("\(operation.key.name.uppercased()) \(entry.key.name)")
            }
        }
        return routes
    }

    @Test func theDocumentAndTheRouteTableNameTheSameRoutes() async throws {
        let served = Set(APIRoutes.table.map { "\($0.method) \($0.pattern)" })
        #expect(try Self.documentedRoutes() == served)
    }

    @Test func everyDocumentedRouteAnswers() async throws {
        let server = try await TestServer.start()
        try await server.openCase("c1")
        for route in try Self.documentedRoutes().sorted() {
            let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
            let path = parts[1].replacingOccurrences(of: "{case}", with: "c1").replacingOccurrences(of: "{transition}", with: "acknowledge_request")
                .replacingOccurrences(of: "{principal}", with: "jo").replacingOccurrences(of: "{form}", with: "professional-advice-1")
                .replacingOccurrences(of: "{deadline}", with: "decide_whether_to_assess").replacingOccurrences(of: "{kind}", with: "draft_plan")
            let response = try await server.send(parts[0], path, json: parts[0] == "POST" ? "{}" : nil)
            let unrouted = response.status == 404 && (response.object["detail"] as? String ?? "").hasPrefix("no route")
            #expect(!unrouted && response.status != 405, "\(route): \(response.text)")
            #expect(response.status < 500, "\(route): \(response.text)")
        }
    }
}

/// `GET /v1/openapi.json` serves `docs/reference/openapi.yaml` as JSON.
@Suite struct OpenAPIJSONTests {
    @Test func theServedDocumentIsTheReferenceYAMLAsJSON() async throws {
        let server = try await TestServer.start()
        let response = try await server.send("GET", "/v1/openapi.json")
        #expect(response.status == 200, "\(response.text)")
        #expect(response.header("Content-Type") == "application/json")
        let document = response.object
        #expect(document["openapi"] as? String == "3.1.0")
        let info = try #require(document["info"] as? [String: Any])
        #expect(info["version"] as? String == "1")
        let paths = try #require(document["paths"] as? [String: Any])
        var served: Set<String> = []
        for (path, operations) in paths {
            for method in (operations as? [String: Any] ?? [:]).keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                served.insert("\(method.uppercased()) \(path)")
            }
        }
        #expect(served == (try OpenAPITests.documentedRoutes()))
        let limit = try #require(((paths["/v1/cases"] as? [String: Any])?["get"] as? [String: Any])?["parameters"] as? [Any])
        let schema = (limit.first as? [String: Any])?["schema"] as? [String: Any]
        #expect(schema?["minimum"] as? Int == 1)
        #expect(schema?["type"] as? String == "integer")
    }

    @Test func withoutATokenTheDocumentIsRefused() async throws {
        let server = try await TestServer.start()
        #expect(try await server.send("GET", "/v1/openapi.json", token: nil).status == 401)
    }

    @Test(arguments: [
        ("a: 1\nb: \"1\"\nc: true\nd: ~\ne: 1.5\nf: [x, 'y']\n", #"{"a":1,"b":"1","c":true,"d":null,"e":1.5,"f":["x","y"]}"#),
    ])
    func yamlScalarsAreTypedByTheCoreSchema(yaml: String, json: String) throws {
        let text = try OpenAPIDocument.render(Array(yaml.utf8)).get()
        let rendered = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary
        let expected = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? NSDictionary
        #expect(rendered == expected)
    }

    @Test func aDocumentThatDoesNotLoadIsAnError() {
        #expect(throws: OpenAPIDocumentError.self) { try OpenAPIDocument.render(Array("a: [\n".utf8)).get() }
    }
}

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
            let response = try await server.send(parts[0], path, json: parts[0] == "POST" ? "{}" : nil)
            let unrouted = response.status == 404 && (response.object["detail"] as? String ?? "").hasPrefix("no route")
            #expect(!unrouted && response.status != 405, "\(route): \(response.text)")
            #expect(response.status < 500, "\(route): \(response.text)")
        }
    }
}

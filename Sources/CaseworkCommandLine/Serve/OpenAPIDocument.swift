import CaseworkServer
import CaseworkYAML
import Foundation

/// `GET /v1/openapi.json`: `docs/reference/openapi.yaml`, built into the program (``PackageResources``) and turned
/// into JSON once, on first use, through the project's own ``YAMLLoader``, so the document served is always the one
/// the route table is checked against.
enum OpenAPIDocument {
    /// The document as JSON text, or the problems that stopped it (a test keeps the list empty).
    static let rendered: Result<String, OpenAPIDocumentError> = render(PackageResources.openapi_yaml)

    /// 200 with the document; any caller with a token may read it.
    static func serve(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        switch rendered {
        case .success(let text): return HTTPResponse(status: 200, contentType: "application/json", text: text)
        case .failure(let error): throw APIProblem(status: 500, code: "definition_error", detail: error.description)
        }
    }

    /// The YAML document `bytes` as JSON text: mappings as objects, sequences as arrays, and scalars typed by YAML's
    /// core schema (a plain `true`, `12` or `null` is a boolean, number or null; anything quoted is text).
    static func render(_ bytes: [UInt8]) -> Result<String, OpenAPIDocumentError> {
        let loaded = YAMLLoader.load(bytes, file: "openapi.yaml")
        guard loaded.errors.isEmpty, let root = loaded.root else {
            return .failure(OpenAPIDocumentError(problems: loaded.errors.map { "\($0)" }))
        }
        return .success(JSONOutput.render(json(root)))
    }

    private static func json(_ node: YAMLNode) -> Any {
        switch node.content {
        case .mapping(let pairs): return Dictionary(pairs.map { ($0.key.name, json($0.value)) }, uniquingKeysWith: { first, _ in first })
        case .sequence(let items): return items.map(json)
        case .scalar(let scalar): return value(scalar, tag: node.tag)
        }
    }

    private static func value(_ scalar: YAMLScalar, tag: YAMLStandardTag?) -> Any {
        guard scalar.style == .plain, tag == nil else { return scalar.value }
        if scalar.isNull { return NSNull() }
        switch scalar.value {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: break
        }
        if let integer = Int(scalar.value) { return integer }
        if scalar.value.contains("."), let number = Double(scalar.value) { return number }
        return scalar.value
    }
}

/// The built-in OpenAPI document could not be read: a fault of the build, listed so a test names it.
struct OpenAPIDocumentError: Error, Sendable, CustomStringConvertible {
    /// Each problem the YAML loader found.
    var problems: [String]

    /// The problems, one line.
    var description: String { "the built-in OpenAPI document cannot be read: \(problems.joined(separator: "; "))" }
}

import Casework
import CaseworkCommandLine
import CaseworkDefinitions
import CaseworkYAML

/// What `casework serve --auth FILE` relies on of its auth file, whatever the file's bytes: the `auth-file` fuzz target
/// (Fuzz/AuthFile) and `FuzzRegressionTests` hold arbitrary bytes to it. The file says who may call and as whom; it is
/// read once, at start, and a file the server cannot use whole stops it there.
///
/// The bytes are read as the file at `path` (``ServiceAuthFile/read(_:path:catalog:)``, the YAML loader underneath),
/// against the actor attributes `catalog`'s policies declare. Reading:
/// - gives the file or one error placed in it (its file is `path`, its line one of the text's), never a trap;
/// - gives the same services and issuers, or the same error, when done again;
/// - gives only services the server can hold to their word: each with a usable name and a 32-byte token digest no
///   other service has, acting as someone or for at least one role, asserting only attributes the policies declare;
///   a service acting as the operator is named as itself; and no two issuers with one `iss`.
package enum AuthFileCheck {
    /// An auth file read in a way the server's trust forbids.
    package struct Fault: Error, CustomStringConvertible {
        /// What went wrong.
        package let description: String
    }

    /// Holds `bytes`, read as the auth file at `path`, to the promises above; the first broken one is thrown.
    package static func check(_ bytes: [UInt8], path: String, catalog: DefinitionCatalog) throws(Fault) {
        let first = Result { () throws(ServiceAuthFileError) in try ServiceAuthFile.read(bytes, path: path, catalog: catalog) }
        let second = Result { () throws(ServiceAuthFileError) in try ServiceAuthFile.read(bytes, path: path, catalog: catalog) }
        switch (first, second) {
        case (.failure(let one), .failure(let other)):
            guard one.description == other.description else { throw Fault(description: "the same bytes were refused for '\(one)' and then for '\(other)'") }
            try checkPlace(of: one, bytes: bytes, path: path)
        case (.success(let file), .success(let again)):
            guard file.services == again.services, file.issuerNames == again.issuerNames else { throw Fault(description: "the same bytes, read twice, gave two auth files") }
            let declared = Set(catalog.policies.values.flatMap { policy in policy.definition.actorAttributes.map(\.name.value) })
            try checkServices(file.services, declared: declared)
            guard Set(file.issuerNames).count == file.issuerNames.count else { throw Fault(description: "two issuers share an 'iss': \(file.issuerNames)") }
            guard !file.services.isEmpty || !file.issuerNames.isEmpty else { throw Fault(description: "a file naming no service and no issuer was read") }
        default:
            throw Fault(description: "the same bytes were once read and once refused")
        }
    }

    private static func checkPlace(of error: ServiceAuthFileError, bytes: [UInt8], path: String) throws(Fault) {
        let range: SourceRange
        switch error {
        case .yaml(let yaml): range = yaml.range
        case .invalid(let place, _): range = place
        }
        // The file's last line as YAML counts lines (libyaml's breaks), by the loader's own count.
        let lines = bytes.withUnsafeBufferPointer { YAMLLoader.mark(ofByte: $0.count, in: $0).line }
        guard range.file == path, (1...lines).contains(range.start.line) else {
            throw Fault(description: "the refusal '\(error)' is placed at \(range), not on one of the \(lines) lines of \(path)")
        }
    }

    private static func checkServices(_ services: [ServiceAuthFile.Service], declared: Set<String>) throws(Fault) {
        var digests: Set<[UInt8]> = []
        for service in services {
            guard Identifier.isUsable(service.name) else { throw Fault(description: "a service was read with the name '\(service.name)'") }
            guard service.tokenDigest.count == 32, digests.insert(service.tokenDigest).inserted else {
                throw Fault(description: "service '\(service.name)' was read with a token digest of \(service.tokenDigest.count) bytes, or another service's")
            }
            guard service.actsAs != nil || !service.roles.isEmpty else { throw Fault(description: "service '\(service.name)' acts as no one and for no role") }
            guard service.attributes.isSubset(of: declared) else {
                throw Fault(description: "service '\(service.name)' may assert \(service.attributes.subtracting(declared).sorted()), which no policy declares")
            }
            if let actor = service.actsAs, actor.isOperator, actor != .operator(service.name) {
                throw Fault(description: "service '\(service.name)' acts as the operator under another name, \(actor)")
            }
        }
    }
}

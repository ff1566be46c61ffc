import Foundation
import Testing
import Casework
import CaseworkAPIScript
import CaseworkCommandLine
import CaseworkDefinitions
import CaseworkEngine
import CaseworkExpressions
import CaseworkScenarios
import CaseworkStore
import CaseworkStoreConformance
import CaseworkTestSupport
import CaseworkYAML

/// Every input the fuzz targets (`Fuzz/`, ARCHITECTURE.md "Fuzzing") ever crashed, leaked or hung on, kept in
/// `Fuzz/regressions/<target>/`, and their seeds in `Fuzz/corpus/<target>/`, run through the same entry point as
/// their target, in the ordinary build: each must end in a value or a clean error, never a trap. (The targets
/// themselves are built only by Fuzz/run.sh; this keeps their entry points and seeds honest in every `swift test`.)
@Suite("Fuzz regressions and seeds")
struct FuzzRegressionTests {
    static let fuzz = RepositoryPaths.root.appendingPathComponent("Fuzz")

    /// Each input, as `regressions/target/file` or `corpus/target/file`.
    static let inputs: [String] = ["regressions", "corpus"].flatMap { kind in
        let folder = fuzz.appendingPathComponent(kind)
        let targets = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return targets.sorted().flatMap { target in
            ((try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(target).path)) ?? [])
                .filter { !$0.hasPrefix(".") }.sorted().map { "\(kind)/\(target)/\($0)" }
        }
    }

    /// The seeds are there (a regression folder appears with its first finding).
    @Test func everyTargetHasSeeds() {
        for target in ["yaml", "expressions", "definitions", "decide-request", "decide-batch", "scenarios", "set-values", "api", "bearer-token", "stored-rows", "checkpoint", "jwks", "definition-archive", "pem-keys", "auth-file"] {
            #expect(Self.inputs.contains { $0.hasPrefix("corpus/\(target)/") }, "no seeds in Fuzz/corpus/\(target)")
        }
    }

    /// The `jwks` seeds reach libcrypto: each holds keys the server keeps, but the one whose point is off P-256.
    @Test func jwksSeedsHoldKeysTheServerKeeps() throws {
        let folder = Self.fuzz.appendingPathComponent("corpus/jwks")
        var kept: [String: [String]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            kept[name] = (try? JSONWebKeySet.read(Data(contentsOf: folder.appendingPathComponent(name))))?.keys.keys.sorted()
        }
        #expect(kept == ["rsa-and-p256-and-an-encryption-key.json": ["ec-1", "rsa-1"], "one-p256-key.json": ["ec-1"],
                         "one-rsa-key-without-use-or-alg.json": ["rsa-1"]])
        #expect(throws: JSONWebKeySetError.self) { try JSONWebKeySet.read(Data(contentsOf: folder.appendingPathComponent("p256-point-off-the-curve.json"))) }
    }

    /// The `definition-archive` seeds reach the whole reader: each is a set the cache wrote, read to its end, then one
    /// workflow's region of that set, read to the last byte.
    @Test(arguments: ["shipped-set-and-its-smallest-workflow.bin", "one-workflow-and-two-calendars.bin"])
    func definitionArchiveSeedsReadWhole(_ name: String) throws {
        let bytes = try Data(contentsOf: Self.fuzz.appendingPathComponent("corpus/definition-archive/\(name)"))
        try bytes.withUnsafeBytes { input in
            var offset = 0
            let known = try #require(DefinitionArchive.read(input, at: &offset, files: DefinitionArchiveCheck.files, fingerprints: []))
            #expect(!known.definitions.workflows.isEmpty && !known.definitions.calendars.isEmpty)
            let kept = try #require(DefinitionArchive.readWorkflow(input, at: &offset, files: DefinitionArchiveCheck.files, in: known.definitions))
            #expect(known.definitions.workflows.contains { $0.id == kept.definition.id })
            #expect(offset == input.count)
        }
    }

    static let catalog: DefinitionCatalog = {
        let root = RepositoryPaths.root
        return try! DefinitionCatalog.load(paths: [root.appendingPathComponent("Workflows").path, root.appendingPathComponent("Policies").path])
    }()

    static var reader: AccessRequestReader { AccessRequestReader(policy: catalog.policies["send-portal"]!, catalog: catalog) }

    /// The fuzz target's environment (Fuzz/Expressions/main.swift): a name of every type.
    static let environment: ExpressionEnvironment = {
        let requester = EnumerationDomain(name: "value of 'requested_by'", member: "a value of 'requested_by'", values: ["parent", "school", "young_person"])
        var environment = ExpressionEnvironment(names: [
            "flag": .bool, "count": .int, "hours": .decimal, "name": .string, "requested_on": .date, "decided_at": .datetime,
            "window": .duration, "requested_by": .enumeration(requester), "needs": .list(.string), "scores": .list(.int),
            "child.first_name": .string, "child.date_of_birth": .date,
        ], dateOfBirth: "child.date_of_birth")
        environment.groups.insert("child")
        return environment
    }()

    /// The API's auth file (`APIScript.authFile`), written once for the `api` inputs.
    static let apiAuthPath: String = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-fuzz-api-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try! APIScript.write(into: directory)
    }()

    /// The bearer-token target's auth file and its identity provider's JWKS (`TokenScript.write`), written once.
    static let tokenAuthPath: String = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-fuzz-token-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try! TokenScript.write(into: directory)
    }()

    /// Holds `bytes` to a target's shared check, recording the fault it throws against `input`.
    static func hold<Fault: Error>(_ bytes: [UInt8], of input: String, to check: ([UInt8]) throws(Fault) -> Void) {
        do throws(Fault) {
            try check(bytes)
        } catch {
            Issue.record("Fuzz/\(input): \(error)")
        }
    }

    @Test(arguments: inputs)
    func inputEndsCleanly(_ input: String) async throws {
        let bytes = [UInt8](try Data(contentsOf: Self.fuzz.appendingPathComponent(input)))
        let text = String(decoding: bytes, as: UTF8.self)
        switch input.split(separator: "/")[1] {
        case "yaml":
            // As the target: the tree is read whole, as a definition's fingerprint reads it.
            let result = YAMLLoader.load(bytes, file: "fuzz.yaml")
            #expect(result.root != nil || !result.errors.isEmpty)
            _ = result.root?.canonicalBytes
        case "expressions":
            for expected in [nil, ExpressionType.date] {
                if case .failure(let errors) = ExpressionChecker.compile(text, in: Self.environment, expecting: expected) { #expect(!errors.errors.isEmpty) }
            }
        case "definitions":
            _ = Validator.validate(sources: [(file: "fuzz.yaml", text: text)])
        case "decide-request":
            if case .failure(let problems) = Self.reader.parse(Data(bytes)) { #expect(!problems.problems.isEmpty) }
        case "decide-batch":
            var batch = DecideBatch.Batch(reader: Self.reader)
            bytes.withUnsafeBufferPointer { batch.feed($0[...]) }
            batch.finish()
            let answers = batch.take()
            #expect(answers.isEmpty == bytes.isEmpty)
        case "scenarios":
            _ = ScenarioSuite.run(sources: [(file: "fuzz.test.yaml", text: text)], catalog: Self.catalog)
        case "set-values":
            func field(_ name: String, _ type: FieldType) -> FieldDefinition { FieldDefinition(name: Located(name, at: .startOf("fuzz")), type: type) }
            // As Fuzz/SetValues/main.swift: the assessment's fields and one of every other type.
            let fields = Self.catalog.workflows["ehcp-needs-assessment"]!.definition.fields + [
                field("flag", .bool), field("count", .int), field("hours", .decimal), field("decided_at", .datetime),
                field("days", .list(.date)), field("scores", .list(.int)), field("amounts", .list(.decimal)), field("times", .list(.datetime)),
                field("who", .list(.oneOf(["parent", "school"]))),
            ]
            do {
                _ = try FieldArguments.parse(text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init), fields: fields)
            } catch {
                guard case .invalidInput(let problems) = error else { Issue.record("unexpected \(error)"); return }
                #expect(!problems.isEmpty)
            }
        case "api":
            // As Fuzz/API/main.swift: the script against a fresh store; no 5xx, no unreadable JSON, no refusal that
            // changed anything.
            do throws(APIScript.Fault) {
                try await APIScript.run(bytes, catalog: Self.catalog, authPath: Self.apiAuthPath)
            } catch {
                Issue.record("Fuzz/\(input): \(error)")
            }
        case "bearer-token":
            // As Fuzz/BearerToken/main.swift: the header and claims signed, then sent in TokenScript's script.
            do throws(APIScript.Fault) {
                try await APIScript.run(TokenScript.script(bytes), catalog: Self.catalog, authPath: Self.tokenAuthPath)
            } catch {
                Issue.record("Fuzz/\(input): \(error)")
            }
        case "stored-rows":
            // As Fuzz/StoredRows/main.swift: read as every kind of row, the fast reader agreeing with JSONDecoder and
            // a row written back unchanged.
            Self.hold(bytes, of: input, to: StoredRowCheck.check)
        case "checkpoint":
            // As Fuzz/Checkpoint/main.swift: a checkpoint that reads has exactly its own text.
            if let text = String(data: Data(bytes), encoding: .utf8), let checkpoint = try? AuditCheckpoint.parse(text: text) {
                #expect(checkpoint.text == text)
            }
        case "definition-archive":
            Self.hold(bytes, of: input, to: DefinitionArchiveCheck.check)
        case "jwks":
            Self.hold(bytes, of: input, to: JWKSCheck.check)
        case "pem-keys":
            Self.hold(bytes, of: input, to: PEMKeyCheck.check)
        case "auth-file":
            // As Fuzz/AuthFile/main.swift: read as the auth file beside the bearer-token target's JWKS.
            Self.hold(bytes, of: input) { (bytes) throws(AuthFileCheck.Fault) in try AuthFileCheck.check(bytes, path: Self.tokenAuthPath, catalog: Self.catalog) }
        default:
            Issue.record("Fuzz/\(input): no such fuzz target")
        }
    }
}

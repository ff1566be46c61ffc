import Foundation
import Testing
@testable import CaseworkCommandLine
@testable import CaseworkDefinitions
import CaseworkEngine
import CaseworkScenarios
import CaseworkTime

/// `casework schema`: the shipped schemas are what the command prints, every key a decoder reads is in its schema
/// and no other (the scenario decoder's too), the patterns accept exactly what the name rules and the duration parser accept, every shipped file
/// names its schema on its first line, and a real JSON Schema validator passes every shipped file and refuses broken ones.
@Suite("casework schema")
struct SchemaTests {
    static let schemaFolder = RepositoryPaths.root.appendingPathComponent("docs/schema")

    @Test("docs/schema holds what casework schema prints", arguments: SchemaKind.allCases)
    func shippedSchemaIsWhatTheCommandPrints(_ kind: SchemaKind) throws {
        let result = runCasework(["schema", kind.rawValue])
        #expect(result.status == .success && result.err.isEmpty)
        try GoldenFiles.check(result.out, against: Self.schemaFolder.appendingPathComponent(kind.fileName))
    }

    @Test("without a kind the kinds are listed; --out writes every file; an unknown kind is a usage error with a suggestion")
    func listsWritesAndRefuses() throws {
        let listed = runCasework(["schema"])
        #expect(listed.status == .success)
        #expect(listed.out.split(separator: "\n").map { String($0.prefix { $0 != " " }) } == SchemaKind.allCases.map(\.rawValue))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("casework-schema-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let written = runCasework(["schema", "--out", folder.path])
        #expect(written.status == .success)
        for kind in SchemaKind.allCases {
            #expect(try String(contentsOf: folder.appendingPathComponent(kind.fileName), encoding: .utf8) == SchemaCommand.text(kind))
        }
        let refused = runCasework(["schema", "workflwo"])
        #expect(refused.status == .usage)
        #expect(refused.err.contains("unknown kind 'workflwo'") && refused.err.contains("did you mean 'workflow'?"))
    }

    /// Every place whose keys a decoder reads from a list: the definition kinds' and the scenario's.
    static let places = SchemaKind.places + ScenarioSchema.places

    @Test("every key a decoder accepts is in the schema, and the schema has no other", arguments: places.map(\.name))
    func schemaAndDecoderTakeTheSameKeys(_ name: String) throws {
        let place = try #require(Self.places.first { $0.name == name })
        #expect(place.missing.isEmpty, "\(name): the decoder accepts \(place.missing), which the schema lacks")
        #expect(place.unknown.isEmpty, "\(name): the schema describes \(place.unknown), which the decoder refuses")
        #expect(place.required.allSatisfy(place.decoderKeys.contains), "\(name): a required key the decoder does not read")
    }

    @Test("every key of every schema has a description", arguments: SchemaKind.allCases)
    func everyKeyIsDescribed(_ kind: SchemaKind) throws {
        let document = try JSONSerialization.jsonObject(with: Data(SchemaCommand.text(kind).utf8))
        var undescribed: [String] = []
        func walk(_ value: Any, at path: String) {
            if let object = value as? [String: Any] {
                if let properties = object["properties"] as? [String: Any] {
                    for (key, schema) in properties where ((schema as? [String: Any])?["description"] as? String ?? "").isEmpty {
                        undescribed.append("\(path)/\(key)")
                    }
                }
                for (key, member) in object { walk(member, at: "\(path)/\(key)") }
            } else if let array = value as? [Any] {
                for (index, item) in array.enumerated() { walk(item, at: "\(path)/\(index)") }
            }
        }
        walk(document, at: "")
        #expect(undescribed.isEmpty, "keys without a description: \(undescribed)")
    }

    /// The keywords the schemas may use: each means the same in draft-07, the draft yaml-language-server's validation
    /// implements, as in 2020-12 (`$defs` is only reached through `$ref`'s JSON pointer, which every draft resolves).
    static let portableKeywords: Set<String> = [
        "$schema", "$id", "$ref", "$defs", "title", "description", "type", "enum", "pattern", "minimum", "maximum",
        "properties", "required", "additionalProperties", "propertyNames", "minProperties", "items", "minItems", "uniqueItems",
        "oneOf", "anyOf", "not", "examples", "patternErrorMessage",
    ]

    @Test("every keyword means the same to a draft-07 validator such as yaml-language-server's", arguments: SchemaKind.allCases)
    func keywordsArePortable(_ kind: SchemaKind) throws {
        var unportable: Set<String> = []
        func walk(_ schema: Any) {
            guard let object = schema as? [String: Any] else { return }
            unportable.formUnion(Set(object.keys).subtracting(Self.portableKeywords))
            for key in ["properties", "$defs"] {
                for member in (object[key] as? [String: Any] ?? [:]).values { walk(member) }
            }
            for key in ["items", "additionalProperties", "propertyNames", "not"] { object[key].map(walk) }
            for key in ["oneOf", "anyOf"] { (object[key] as? [Any] ?? []).forEach(walk) }
        }
        walk(try JSONSerialization.jsonObject(with: Data(SchemaCommand.text(kind).utf8)))
        #expect(unportable.isEmpty, "keywords outside the portable set: \(unportable.sorted())")
    }

    /// Names built from the characters the rules care about, every one up to three long and a few longer.
    static let sampleNames: [String] = {
        let alphabet = ["a", "z", "A", "0", "9", "_", "-", ".", "é", " "]
        var names = [""]
        var layer = [""]
        for _ in 1...3 {
            layer = layer.flatMap { prefix in alphabet.map { prefix + $0 } }
            names += layer
        }
        return names + ["ehcp-needs-assessment", "ehcp--x", "ehcp-", "requested_on", "child.date_of_birth", "child..x", "case.fields.child.address",
                        "ehcp.K", "ehcp.K.x", "ehcp.K.X", "case.address", "H1", "Ab_9", "a-b.c", "x.y.z.w"]
    }()

    @Test("each name rule's pattern accepts exactly the names the rule does", arguments: [NameRule.definitionID, .identifier, .identifierPath, .section, .resourcePath])
    func namePatternsAgreeWithTheRules(_ rule: NameRule) throws {
        let pattern = try NSRegularExpression(pattern: rule.pattern)
        for name in Self.sampleNames {
            let matched = pattern.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
            #expect(matched == rule.accepts(name), "\(rule): '\(name)' (pattern \(matched ? "accepts" : "refuses"))")
        }
    }

    @Test("the duration patterns accept exactly what the duration parsers accept")
    func durationPatternsAgreeWithTheParser() throws {
        func pattern(_ schema: JSONValue) throws -> NSRegularExpression {
            guard case .object(let members) = schema, case .string(let text)? = members.first(where: { $0.key == "pattern" })?.value else {
                throw CancellationError()
            }
            return try NSRegularExpression(pattern: text)
        }
        let duration = try pattern(SchemaPart.duration)
        let relative = try pattern(SchemaPart.relativeDuration)
        let counts = ["0", "1", "6", "007", "9999", "10000", "10001", "99999999999999999999", "-1", "1.5", "six", "١"]
        let units = ["day", "days", "Days", "WEEKS", "week", "months", "month", "year", "years", "working days", "working day", "Working  Days",
                     "working", "workingdays", "fortnight", "dayss", ""]
        let tails = ["", " ", "\t", " before", " After", " before now", " later"]
        for count in counts {
            for unit in units {
                for tail in tails {
                    for text in ["\(count) \(unit)\(tail)", " \(count)\t\(unit)\(tail)", "\(count)\(unit)\(tail)"] {
                        let range = NSRange(text.startIndex..., in: text)
                        let parsed = (try? StatutoryDuration.parse(text).get()) != nil
                        #expect((duration.firstMatch(in: text, range: range) != nil) == parsed, "duration '\(text)'")
                        let parsedRelative = (try? RelativeDuration.parse(text).get()) != nil
                        #expect((relative.firstMatch(in: text, range: range) != nil) == parsedRelative, "reminder '\(text)'")
                    }
                }
            }
        }
    }

    /// Every shipped definition file, by its path from the repository's root.
    static let shippedFiles: [String] = ["Workflows", "Policies"].flatMap { folder -> [String] in
        let enumerator = FileManager.default.enumerator(atPath: RepositoryPaths.root.appendingPathComponent(folder).path)
        return (enumerator?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.map { "\(folder)/\($0)" }.sorted()
    }

    @Test("every shipped file names its schema on its first line", arguments: shippedFiles)
    func shippedFileNamesItsSchema(_ path: String) throws {
        let text = try String(contentsOf: RepositoryPaths.root.appendingPathComponent(path), encoding: .utf8)
        let kind = try #require(text.split(separator: "\n").lazy.compactMap { line in
            line.hasPrefix("scenarios:") ? SchemaKind.scenario : SchemaKind.allCases.first { line.hasPrefix("\($0.rawValue):") }
        }.first, "\(path) has no top-level key naming its kind")
        let depth = path.split(separator: "/").count - 1
        let expected = "# yaml-language-server: $schema=" + String(repeating: "../", count: depth) + "docs/schema/\(kind.fileName)"
        #expect(text.split(separator: "\n").first.map(String.init) == expected)
    }

    /// One mistake put into a copy of a shipped file: `name` is `from` with `replace` written as `with`.
    typealias Breakage = (name: String, from: String, replace: String, with: String)

    /// Broken files, each one mistake away from a shipped file, that both the schema and `casework validate` refuse.
    static let brokenFiles: [Breakage] = [
        ("unknown-key.yaml", "Workflows/tribunal-appeal.yaml", "\ntitle:", "\ncolour: blue\ntitle:"),
        ("bad-duration.yaml", "Workflows/forms/professional-advice.yaml", "\ndue: 6 weeks", "\ndue: 6 wekks"),
        ("bad-enum.yaml", "Workflows/ehcp-needs-assessment.yaml", "effect: excuse", "effect: stop"),
        ("bad-name.yaml", "Policies/send-portal.yaml", "\npolicy: send-portal", "\npolicy: Send_Portal"),
        ("bad-weekday.yaml", "Workflows/calendars/england-and-wales.yaml", "day: monday", "day: mondy"),
    ]

    /// Broken scenario files, each one mistake away from a shipped one, that both the schema and `casework test` refuse.
    static let brokenScenarios: [Breakage] = [
        ("unknown-expectation.test.yaml", "Workflows/tests/ehcna-late-decision.test.yaml", "expect: { decision: deny }", "expect: { decison: deny }"),
        ("unknown-step.test.yaml", "Workflows/tests/ehcna-late-decision.test.yaml", "    fire: record_evidence", "    fier: record_evidence"),
        ("bad-status.test.yaml", "Workflows/tests/ehcna-late-decision.test.yaml", "{ status: running,", "{ status: runing,"),
        ("tick-false.test.yaml", "Workflows/tests/ehcna-late-decision.test.yaml", "    tick: true", "    tick: false"),
        ("sections-not-a-list.test.yaml", "Policies/tests/send-portal.test.yaml", "level: limited, reason:", "level: limited, sections: K, reason:"),
        ("detail-of-another-step.test.yaml", "Policies/tests/send-portal.test.yaml", "    timeline: true\n", "    timeline: true\n    reason: checking\n"),
    ]

    /// Writes the broken copy into `folder`, returning its path.
    static func write(_ breakage: Breakage, into folder: URL) throws -> String {
        let text = try String(contentsOf: RepositoryPaths.root.appendingPathComponent(breakage.from), encoding: .utf8)
        #expect(text.contains(breakage.replace), "\(breakage.from) no longer holds '\(breakage.replace)'")
        let path = folder.appendingPathComponent(breakage.name).path
        try Data(text.replacingOccurrences(of: breakage.replace, with: breakage.with).utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("a JSON Schema validator passes every shipped file and a scenario, and refuses broken files that casework validate or test refuses too")
    func aValidatorAgrees() throws {
        guard let python = JSONSchemaPython.executable else {
            skipWithoutTool("validating files against docs/schema",
                            reason: "no python3 with the jsonschema and yaml packages (apt-get install python3-jsonschema python3-yaml)")
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("casework-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var broken: [String] = []
        for file in Self.brokenFiles {
            let path = try Self.write(file, into: folder)
            broken.append(path)
            // In place of the file it breaks, among the others, so nothing else is wrong with the set.
            let others = Self.shippedFiles.filter { $0 != file.from }.map { RepositoryPaths.root.appendingPathComponent($0).path }
            let report = try Validator.validate(paths: others + [path])
            #expect(report.hasErrors, "casework validate accepts \(file.name)")
        }
        let catalog = try DefinitionCatalog.load(paths: ["Workflows", "Policies"].map { RepositoryPaths.root.appendingPathComponent($0).path })
        for file in Self.brokenScenarios {
            let path = try Self.write(file, into: folder)
            broken.append(path)
            let report = try ScenarioSuite.run(paths: [path], catalog: catalog)
            #expect(report.diagnostics.contains { $0.severity == .error && !$0.code.rawValue.hasPrefix("CW050") }, "casework test does not refuse \(file.name)")
        }
        let scenario = folder.appendingPathComponent("sample.test.yaml").path
        try Data(Self.sampleScenario.utf8).write(to: URL(fileURLWithPath: scenario))
        let sample = ScenarioSuite.run(sources: [(scenario, Self.sampleScenario)], catalog: catalog)
        #expect(sample.diagnostics.allSatisfy { $0.code.rawValue.hasPrefix("CW050") }, "casework test reads the sample as \(sample.diagnostics.map(\.description))")
        let shipped = Self.shippedFiles.map { RepositoryPaths.root.appendingPathComponent($0).path }
        // The scenario fixtures of `casework test`: the one the checker refuses has a misspelt key too.
        let fixtures = ["passing", "failing"].map { RepositoryPaths.fixture("scenarios/\($0).test.yaml") }
        broken.append(RepositoryPaths.fixture("scenarios/invalid.test.yaml"))
        let lines = try JSONSchemaPython.run(python, [RepositoryPaths.fixture("schema/validate.py"), Self.schemaFolder.path] + shipped + fixtures + [scenario] + broken)
        for path in shipped + fixtures + [scenario] {
            #expect(lines.contains("ok \(path)"), "\(lines.first { $0.contains(path) } ?? "no result for \(path)")")
        }
        for path in broken {
            #expect(lines.contains { $0.hasPrefix("invalid \(path): ") }, "the schema accepts \(path)")
        }
    }

    /// A scenario that uses every shape the scenario decoder reads; `casework test` reads and checks it cleanly (whether its
    /// expectations hold on the shipped definitions is not this test's business).
    static let sampleScenario = """
        # yaml-language-server: $schema=../docs/schema/scenario.schema.json
        scenario: a request is agreed within six weeks
        given:
          today: 2025-09-01
          case:
            workflow: ehcp-needs-assessment
            id: c1
            fields: { requested_on: 2025-09-01, requested_by: parent, child: { first_name: Sam } }
          participants: { parent: jo }
          grants: [{ to: parent:jo, level: limited, sections: [K], reason: a court order }]
        actors:
          ana: { role: caseworker, attributes: { second_factor_verified: true } }
          jo: { role: parent, id: jo-1 }
          oak: { role: school, organisation: oak-school }
        steps:
          - on: 2025-09-03
            as: ana
            fire: acknowledge_request
            expect:
              state: deciding_to_assess
              deadlines: { decide_whether_to_assess: { status: running, due: 2025-10-13 } }
              notices: [{ to: parent, subject_contains: request, channel: portal }]
          - on: 2025-10-14
            tick: true
            expect: { deadlines: { decide_whether_to_assess: breached } }
          - as: ana
            excuse: decide_whether_to_assess
            reason: the setting was closed
            expect: { refused: { code: conflict, blockers_contain: excuse } }
          - as: ana
            revoke: parent:jo
            reason: withdrawn
          - as: jo
            decide: { action: view, resource: ehcp.K }
            expect: { decision: deny, redactions: [] }
          - as: jo
            timeline: true
            expect: { refused: forbidden, timeline: { shows: [Deciding], hides: [Time limit missed] } }

        """
}

/// Finds and runs a `python3` that has the `jsonschema` and `yaml` packages.
enum JSONSchemaPython {
    /// The first of `python3` on `PATH` and `/usr/bin/python3` that imports both packages, or nil.
    static let executable: URL? = {
        let onPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent("python3") }
        return (onPath + [URL(fileURLWithPath: "/usr/bin/python3")])
            .filter { FileManager.default.isExecutableFile(atPath: $0.path) }
            .first { (try? run($0, ["-c", "import jsonschema, yaml"])) != nil }
    }()

    /// Runs `python` with `arguments`, returning its output's lines; throws when it exits with a failure.
    static func run(_ python: URL, _ arguments: [String]) throws -> [String] {
        let (status, text) = try runProgram(python, arguments)
        guard status == 0 else { throw PythonFailed(output: text) }
        return text.split(separator: "\n").map(String.init)
    }

    /// Python exited with a failure; `output` is what it wrote.
    struct PythonFailed: Error, CustomStringConvertible {
        var output: String
        var description: String { "python3 failed: \(output)" }
    }
}

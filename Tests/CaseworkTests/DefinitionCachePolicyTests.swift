@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkExpressions
import CaseworkTestSupport
import CaseworkTime
import CaseworkYAML
import Foundation
import Testing

/// A definition cache's hit checks no policy (issue 16): the entry keeps each policy's checked expressions (format 5),
/// a hit's are a miss's, for the shipped policy and every policy fixture that validates, a policy compiled from them
/// decides as one compiled from a miss's, what the hit uses is what the entry kept, and damaged bytes of the kept
/// expressions read as nil or a value, never a trap.
@Suite("the definition cache: a hit checks no policy")
struct DefinitionCachePolicyTests {
    typealias Space = DefinitionCacheTests.Space

    /// Everything in `checked` the engine reads, as comparable values: the names' declarations, types and date of birth,
    /// the paths, and every condition and reason placeholder (trees, spans, texts and types).
    static func summary(_ checked: CheckedPolicyExpressions) -> [String] {
        var lines = ["declarations \(checked.declarations)", "date of birth \(checked.names.dateOfBirth ?? "-")"]
        lines += checked.names.types.sorted { $0.key < $1.key }.map { "name \($0.key): \($0.value)" }
        lines.append("paths \(checked.paths.map { $0.fieldPaths + ["/"] + $0.resourceNames } ?? [])")
        lines += checked.conditions.keys.sorted().map { "condition \($0) \(text(of: checked.conditions[$0]!))" }
        for rule in checked.reasons.keys.sorted() {
            lines += checked.reasons[rule]!.keys.sorted().map { "reason \(rule) \($0) \(text(of: checked.reasons[rule]![$0]!))" }
        }
        return lines
    }

    /// Every node of `checked` with its id, span, text and type, in tree order.
    static func text(of checked: CheckedExpression) -> String {
        func walk(_ node: ExpressionNode) -> [String] {
            let own = "\(node.id)@\(node.span.start)-\(node.span.end) '\(node.text)' : \(checked.types[node.id])"
            switch node.kind {
            case .literal(let literal): return [own + " \(literal)"]
            case .path(let segments): return [own + " " + segments.map { "\($0.name)@\($0.span.start)-\($0.span.end)" }.joined(separator: ".")]
            case .list(let items): return [own + " ["] + items.flatMap(walk) + ["]"]
            case .unary(let op, let operand): return [own + " \(op)"] + walk(operand)
            case .binary(let op, let left, let right): return [own + " \(op)"] + walk(left) + walk(right)
            case .call(let name, let arguments): return [own + " \(name.name)@\(name.span.start)("] + arguments.flatMap(walk) + [")"]
            }
        }
        return "\(checked.syntax.nodeCount) nodes, \(checked.types.count) types, dob \(checked.dateOfBirth ?? "-"): " + walk(checked.syntax.root).joined(separator: " ")
    }

    /// The hit's and the miss's checked expressions of every policy of `miss`'s files, the hit's read back from the
    /// archive of what the miss keeps (``ValidationReport/known``) and validated with it, as a cache's hit is.
    static func hitAndMiss(_ files: [Validator.FileBytes]) throws -> (hit: ValidationReport, miss: ValidationReport)? {
        let miss = Validator.validate(files)
        guard !miss.hasErrors, let known = miss.known else { return nil }
        var bytes: [UInt8] = []
        #expect(DefinitionArchive.append(known, files: miss.files, to: &bytes))
        let read = bytes.withUnsafeBytes { input in
            var offset = 0
            let known = DefinitionArchive.read(input, at: &offset, files: miss.files, fingerprints: known.fingerprints)
            return offset == input.count ? known : nil
        }
        let kept = try #require(read)
        #expect(kept.policies.keys.sorted() == miss.policyExpressions.keys.sorted())
        return (Validator.validate(files, known: kept), miss)
    }

    /// On a hit through the cache, every policy's checked expressions are the miss's: names, paths, conditions and reasons.
    @Test func aHitsPolicyExpressionsAreAMisses() throws {
        let space = try Space()
        let files = try Validator.read(paths: space.paths)
        let miss = Validator.validate(files)
        _ = try space.load()
        let digests = try Validator.digests(paths: space.paths)
        let key = try #require(space.cache.key(for: digests))
        let known = try #require(space.cache.entry(for: key, files: digests.map(\.file)))
        #expect(known.policies.keys.sorted() == ["send-portal"])
        let hit = Validator.validate(digests, known: known)
        #expect(!hit.hasErrors && hit.policyExpressions.keys.sorted() == miss.policyExpressions.keys.sorted())
        for (id, expected) in miss.policyExpressions {
            let summary = Self.summary(try #require(hit.policyExpressions[id]))
            #expect(summary == Self.summary(expected), "policy \(id)")
            #expect(summary.count > 100 && summary.contains { $0.hasPrefix("condition ") } && summary.contains { $0.hasPrefix("reason ") })
        }
    }

    /// Every YAML file under `Tests/` that decodes as a policy, with the files it is validated with: its folder, and the
    /// file alone; and the policy benchmark's sources.
    static func policyFixtures() throws -> [(name: String, files: [Validator.FileBytes])] {
        var fixtures: [(name: String, files: [Validator.FileBytes])] = []
        for file in DefinitionArchiveTests.yamlFiles where file.hasPrefix("Tests/") {
            let path = RepositoryPaths.root.appendingPathComponent(file).path
            guard let root = YAMLLoader.load(path: path).root, case .policy? = DefinitionDecoder.decode(root).definition else { continue }
            let folder = (path as NSString).deletingLastPathComponent
            fixtures.append((file, try Validator.read(paths: [path])))
            if !folder.hasSuffix("/Fixtures/diagnostics") { fixtures.append((file + " with its folder", try Validator.read(paths: [folder]))) }
        }
        let bench = FileManager.default.temporaryDirectory.appendingPathComponent("casework-policy-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: bench, withIntermediateDirectories: true)
        for source in PolicyWorkload.sources { try Data(source.text.utf8).write(to: bench.appendingPathComponent(source.file)) }
        fixtures.append(("the policy benchmark", try Validator.read(paths: [bench.path])))
        return fixtures
    }

    /// For every policy fixture that validates, the checked expressions a hit reads back are the miss's.
    @Test func everyPolicyFixtureThatValidatesReadsBackAsChecked() throws {
        var compared: [String] = []
        for (name, files) in try Self.policyFixtures() {
            guard let (hit, miss) = try Self.hitAndMiss(files) else { continue }
            #expect(!hit.hasErrors, "\(name)")
            #expect(hit.policyExpressions.keys.sorted() == miss.policyExpressions.keys.sorted(), "\(name)")
            for (id, expected) in miss.policyExpressions {
                #expect(Self.summary(try #require(hit.policyExpressions[id])) == Self.summary(expected), "\(name): policy \(id)")
                compared.append(id)
            }
        }
        #expect(compared.count >= 3, "policies compared: \(compared)")
    }

    /// What a hit uses is what the entry kept, not the policy checked again: a condition taken out of the kept
    /// expressions is missing from the hit's report (and compiling the policy then refuses it).
    @Test func aHitUsesTheKeptExpressions() throws {
        let space = try Space()
        _ = try space.load()
        let digests = try Validator.digests(paths: space.paths)
        let key = try #require(space.cache.key(for: digests))
        var known = try #require(space.cache.entry(for: key, files: digests.map(\.file)))
        let rule = try #require(known.policies["send-portal"]?.conditions.keys.sorted().first)
        known.policies["send-portal"]?.conditions[rule] = nil
        let hit = Validator.validate(digests, known: known)
        #expect(hit.policyExpressions["send-portal"]?.conditions[rule] == nil)
        let policy = try #require(hit.definitions.policies.first)
        #expect(throws: EngineError.self) { try CompiledPolicy(policy, checked: hit.policyExpressions["send-portal"], in: hit.definitions) }
        known.policies = [:]
        #expect(Validator.validate(digests, known: known).policyExpressions["send-portal"]?.conditions[rule] != nil)
    }

    /// The shipped policy compiled on a hit decides the generated workload, and every persona's requests, as the one
    /// compiled on a fresh load does: allowed, matched rules, redactions, reasons and the whole rendered trace.
    @Test func aHitCompiledPolicyDecidesAsAMissCompiledOne() throws {
        let space = try Space()
        let fresh = try #require(try DefinitionCatalog.load(paths: space.paths).policies["send-portal"])
        _ = try space.load()
        let hit = try #require(try space.load().policies["send-portal"])
        let workflow = try #require(PolicyFastPathTests.shippedReport.definitions.workflows.first { $0.id.value == "ehcp-needs-assessment" })
        var compared = 0
        var disagreements: [String] = []
        func compare(_ request: AccessRequest) {
            compared += 1
            let (byHit, byFresh) = (ReferencePolicy.Decision(hit.decide(request)), ReferencePolicy.Decision(fresh.decide(request)))
            if byHit != byFresh, disagreements.count < 5 { disagreements.append("\(request.action) \(request.resource):\n  hit \(byHit)\n  fresh \(byFresh)") }
            if hit.verdict(request) != fresh.verdict(request), disagreements.count < 5 { disagreements.append("verdict of \(request.action) \(request.resource)") }
        }
        for dateOfBirth in ["2012-03-02", "2007-01-31"] {
            PolicyWorkload.forEachRequest(count: 10_000, workflow: workflow.id.value, states: workflow.states.map(\.name.value),
                                          fields: ["child.date_of_birth": .date(CalendarDate(dateOfBirth)!)], compare)
        }
        let definition = hit.definition
        for (index, persona) in definition.personas.enumerated() {
            let actor = persona.organisation.map { CaseActor.organisation($0.value, role: persona.role.value) } ?? CaseActor(role: persona.role.value, id: "p-\(index)")
            let grants = persona.grant.map { [AccessGrant(to: actor.principal, level: $0.level.value, sections: $0.sections?.map(\.value))] } ?? []
            for action in definition.knownActions + ["delete"] {
                for resource in hit.paths.resourceNames + hit.paths.fieldPaths.map({ "case.fields.\($0)" }) + ["ehcp.Z"] {
                    compare(AccessRequest(
                        actor: actor, attributes: persona.attributes, action: action, resource: resource, caseID: "c-\(index)", workflow: workflow.id.value,
                        state: workflow.states[index % workflow.states.count].name.value, fields: ["child.date_of_birth": .date(CalendarDate("2009-09-01")!)],
                        grants: grants, at: CalendarDate("2026-06-27")!.start()
                    ))
                }
            }
        }
        #expect(compared > 20_000)
        #expect(disagreements.isEmpty, "\(disagreements.joined(separator: "\n"))")
    }

    /// The kept expressions of the shipped policy, and of the policy benchmark's, cut short anywhere read as nil, and with
    /// any byte changed (two ways) as nil or a value, never a trap: every length and byte of a part of up to 2,000 bytes,
    /// every 7th of a longer one (the shipped policy's, which repeats its enumerations in every expression that reads one).
    @Test func damagedKeptExpressionsReadAsNilOrAValueNeverATrap() throws {
        let space = try Space()
        var cases: [(policy: PolicyDefinition, checked: CheckedPolicyExpressions, files: [String])] = []
        let shipped = Validator.validate(try Validator.read(paths: space.paths))
        let bench = Validator.validate(sources: PolicyWorkload.sources)
        for report in [shipped, bench] {
            for policy in report.definitions.policies { cases.append((policy, try #require(report.policyExpressions[policy.id.value]), report.files)) }
        }
        #expect(cases.count == 2)
        for (policy, checked, files) in cases {
            var writer = ArchiveWriter(files: files)
            try writer.checkedPolicy(checked)
            let good = writer.bytes
            func read(_ bytes: [UInt8]) -> CheckedPolicyExpressions? {
                bytes.withUnsafeBytes { input in
                    var reader = ArchiveReader(input, at: 0, files: files)
                    do throws(ArchiveReader.Damage) {
                        let read = try reader.checkedPolicy(of: policy)
                        return reader.offset == input.count ? read : nil
                    } catch {
                        return nil
                    }
                }
            }
            let whole = try #require(read(good))
            #expect(Self.summary(whole) == Self.summary(checked))
            let step = good.count > 2_000 ? 7 : 1
            for length in stride(from: 0, to: good.count, by: step) { #expect(read(Array(good.prefix(length))) == nil, "cut at \(length) of \(good.count)") }
            for position in stride(from: 0, to: good.count, by: step) {
                for change: UInt8 in [0x01, 0xFF] {
                    var changed = good
                    changed[position] ^= change
                    _ = read(changed)
                }
            }
        }
    }

    /// Each check the reader of checked expressions makes refuses its damage: a node id past the node count, a text
    /// outside its string or cut inside a scalar, an empty path, an unknown kind, operator or type, and the same rule twice.
    @Test func eachCheckOfTheExpressionReaderRefusesItsDamage() throws {
        // "é" (2 bytes), no date of birth, one node of the table's one type (bool); then the node.
        let head: [UInt8] = [2, 0xC3, 0xA9, 0, 1, 0]
        // Its id, span 0-2, a part of the expression's text (start and length zigzagged), then its kind.
        func node(id: UInt8 = 0, start: UInt8 = 0, length: UInt8 = 2, kind: [UInt8] = [0, 0, 1]) -> [UInt8] { [id, 0, 4, 0, start * 2, length * 2] + kind }
        func expression(_ bytes: [UInt8]) -> CheckedExpression? {
            DefinitionArchiveTests.reading(bytes) { (reader) throws(ArchiveReader.Damage) in try reader.checkedExpression(table: [.bool]) }
        }
        #expect(expression(head + node())?.syntax.root.text == "é")
        #expect(expression(head + node(id: 1)) == nil)
        #expect(expression(head + node(length: 3)) == nil)
        #expect(expression(head + node(start: 1, length: 1)) == nil)
        #expect(expression(head + node(length: 1)) == nil)
        #expect(expression(head + node(kind: [1, 0])) == nil)
        #expect(expression(head + node(kind: [1, 1, 1, 0x61, 0, 2])) != nil)
        #expect(expression(head + node(kind: [6])) == nil)
        #expect(expression(head + node(kind: [3, 2] + node())) == nil)
        #expect(expression(head + node(kind: [4, 12] + node() + node())) == nil)
        #expect(expression(head + node(kind: [4, 11] + node() + node())) != nil)
        #expect(expression([2, 0xC3, 0xA9, 0, 1, 1] + node()) == nil)
        // A call (kind 5: its name, its span, its arguments) of a known function with as many arguments as it takes, and
        // with fewer, or of a function that does not exist: two nodes, both of the one type.
        let twoNodes: [UInt8] = [2, 0xC3, 0xA9, 0, 2, 0, 0]
        func call(_ name: String, arguments: [[UInt8]]) -> [UInt8] {
            node(kind: [5, UInt8(name.utf8.count)] + Array(name.utf8) + [0, 4, UInt8(arguments.count)] + arguments.flatMap { $0 })
        }
        #expect(expression(twoNodes + call("count", arguments: [node(id: 1)])) != nil)
        #expect(expression(twoNodes + call("count", arguments: [])) == nil)
        #expect(expression(twoNodes + call("days_between", arguments: [node(id: 1)])) == nil)
        #expect(expression(twoNodes + call("no_such_function", arguments: [node(id: 1)])) == nil)
        #expect(expression([2, 0xC3, 0xA9, 0, 0] + node()) == nil)
        #expect(DefinitionArchiveTests.reading([10]) { (reader) throws(ArchiveReader.Damage) in try reader.expressionType() } == nil)
        let nested = { (depth: Int) -> [UInt8] in [UInt8](repeating: 8, count: depth) + [0] }
        #expect(DefinitionArchiveTests.reading(nested(DefinitionArchive.maximumDepth - 1)) { (reader) throws(ArchiveReader.Damage) in try reader.expressionType() } != nil)
        #expect(DefinitionArchiveTests.reading(nested(100_000)) { (reader) throws(ArchiveReader.Damage) in try reader.expressionType() } == nil)
    }
}

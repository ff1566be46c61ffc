@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkExpressions
import CaseworkTestSupport
import CaseworkYAML
import Foundation
import Testing

/// A workflow's first use on a definition cache's hit reads what the miss checked (issue 16, since format 7): each workflow's
/// region keeps its whole definition and checked expressions; what a hit reads back is what a miss made and exactly what
/// first use computed before (decoding the workflow's tree in full and checking the expressions with the outlines), for every
/// shipped workflow and every workflow fixture that validates; and a region cut short or with bytes changed reads as
/// nil or a whole value, never a trap. (`case show` and `case fire` answering alike on hits and with the cache off:
/// `DefinitionCacheTests`.)
@Suite("the definition cache: a workflow's first use reads what the miss checked")
struct DefinitionCacheWorkflowRegionTests {
    typealias Space = DefinitionCacheTests.Space

    /// Everything in `checked` the engine reads, as comparable values: the names' types, date of birth and untyped paths,
    /// and every guard, value, condition and due date (trees, spans, texts and types) under its keys.
    static func summary(_ checked: CheckedWorkflowExpressions) -> [String] {
        var lines = ["date of birth \(checked.names.dateOfBirth ?? "-")", "untyped \(checked.names.untyped.sorted())"]
        lines += checked.names.types.sorted { $0.key < $1.key }.map { "name \($0.key): \($0.value)" }
        func add(_ kind: String, _ expressions: [String: CheckedExpression]) {
            lines += expressions.keys.sorted().map { "\(kind) \($0) \(DefinitionCachePolicyTests.text(of: expressions[$0]!))" }
        }
        add("guard", checked.guards)
        for (name, values) in checked.assignments { add("set \(name)", values) }
        for (name, conditions) in checked.notifyConditions {
            add("notify \(name)", Dictionary(uniqueKeysWithValues: conditions.map { ("\($0.key)", $0.value) }))
        }
        add("deadline condition", checked.deadlineConditions)
        add("deadline due", checked.deadlineDueDates)
        for (name, links) in checked.openings { for (link, values) in links { add("open \(name) \(link)", values) } }
        for (name, values) in checked.reports { add("report \(name)", values) }
        return lines.sorted()
    }

    /// What first use computed before the entry kept the checked expressions: `workflow` decoded in full from its tree,
    /// checked in the miss's outlines with itself in full and, when it reports, the workflows that open it in full.
    static func firstUse(of workflow: WorkflowDefinition, in miss: ValidationReport, outlines: DefinitionSet) throws -> (WorkflowDefinition, CheckedWorkflowExpressions) {
        let tree = try #require(miss.trees[workflow.file])
        var decoded: WorkflowDefinition?
        if case .workflow(let whole)? = DefinitionDecoder.decode(tree).definition { decoded = whole }
        let definition = try #require(decoded, "\(workflow.file) decodes")
        var set = outlines
        let reports = definition.transitions.contains { $0.report != nil }
        for index in set.workflows.indices {
            let other = set.workflows[index]
            if other.id.value == definition.id.value {
                set.workflows[index] = definition
            } else if reports, other.links.contains(where: { $0.workflow.value == definition.id.value }) {
                set.workflows[index] = try #require(miss.definitions.workflows.first { $0.id.value == other.id.value })
            }
        }
        let (checked, diagnostics) = DefinitionSetValidator.checkExpressions(of: definition, in: set, source: miss.texts[workflow.file])
        #expect(!diagnostics.contains { $0.severity == .error }, "\(workflow.file)")
        return (definition, checked)
    }

    /// For every workflow of `files` (a set that validates), the region a miss writes reads back, in the miss's
    /// outlines, as the miss's definition (ranges included) and checked expressions, which are what first use computed
    /// before; the number of workflows compared, or nil for a set that does not validate.
    static func compare(_ files: [Validator.FileBytes], _ name: String) throws -> Int? {
        let miss = Validator.validate(files)
        guard !miss.hasErrors, let known = miss.known else { return nil }
        for workflow in miss.definitions.workflows {
            let kept = try #require(known.workflows[workflow.file]?.value, "\(name): \(workflow.file)")
            var bytes: [UInt8] = []
            #expect(DefinitionArchive.appendWorkflow(kept, files: miss.files, to: &bytes), "\(name): \(workflow.file)")
            let read = bytes.withUnsafeBytes { input in
                var offset = 0
                let read = DefinitionArchive.readWorkflow(input, at: &offset, files: miss.files, in: known.definitions)
                return offset == input.count ? read : nil
            }
            let hit = try #require(read, "\(name): \(workflow.file)")
            let (definition, checked) = try firstUse(of: workflow, in: miss, outlines: known.definitions)
            #expect(hit.definition == workflow && hit.definition == definition, "\(name): \(workflow.file)")
            #expect(DefinitionArchiveTests.ranges(hit.definition) == DefinitionArchiveTests.ranges(definition), "\(name): \(workflow.file)")
            let summary = summary(hit.expressions)
            #expect(summary == Self.summary(try #require(miss.workflowExpressions[workflow.id.value])), "\(name): \(workflow.file) (miss)")
            #expect(summary == Self.summary(checked), "\(name): \(workflow.file) (first use)")
        }
        return miss.definitions.workflows.count
    }

    /// Every shipped workflow: what a hit reads back is the miss's and what first use computed.
    @Test func everyShippedWorkflowReadsBackAsTheMissCheckedIt() throws {
        let space = try Space()
        let compared = try #require(try Self.compare(try Validator.read(paths: space.paths), "shipped"))
        #expect(compared > 10)
    }

    /// Every YAML file under `Tests/` that decodes as a workflow, validated with its folder and alone: for each set that
    /// validates, what a hit reads back is the miss's and what first use computed.
    @Test func everyWorkflowFixtureThatValidatesReadsBackAsTheMissCheckedIt() throws {
        var sets = 0
        for file in DefinitionArchiveTests.yamlFiles where file.hasPrefix("Tests/") {
            let path = RepositoryPaths.root.appendingPathComponent(file).path
            guard let root = YAMLLoader.load(path: path).root, case .workflow? = DefinitionDecoder.decode(root).definition else { continue }
            let folder = (path as NSString).deletingLastPathComponent
            if try Self.compare(try Validator.read(paths: [path]), file) != nil { sets += 1 }
            if !folder.hasSuffix("/Fixtures/diagnostics"), try Self.compare(try Validator.read(paths: [folder]), file + " with its folder") != nil { sets += 1 }
        }
        #expect(sets >= 5, "sets compared: \(sets)")
    }

    /// The region of the shipped set's smallest workflow, cut short anywhere, reads as nil, and with any byte changed
    /// (two ways) as nil or a whole workflow, never a trap; and the regions of every other shipped workflow at every
    /// 97th length and byte likewise (every length and byte of every region would read tens of gigabytes).
    @Test func damagedRegionsReadAsNilOrAWorkflowNeverATrap() throws {
        let space = try Space()
        let miss = Validator.validate(try Validator.read(paths: space.paths))
        let known = try #require(miss.known)
        func read(_ bytes: [UInt8]) -> KeptWorkflow? {
            bytes.withUnsafeBytes { input in
                var offset = 0
                let read = DefinitionArchive.readWorkflow(input, at: &offset, files: miss.files, in: known.definitions)
                return offset == input.count ? read : nil
            }
        }
        var damagedRead = 0
        var regions: [(workflow: WorkflowDefinition, bytes: [UInt8])] = []
        for workflow in miss.definitions.workflows {
            var good: [UInt8] = []
            #expect(DefinitionArchive.appendWorkflow(try #require(known.workflows[workflow.file]?.value), files: miss.files, to: &good))
            regions.append((workflow, good))
        }
        let smallest = try #require(regions.min { $0.bytes.count < $1.bytes.count }).workflow.file
        for (workflow, good) in regions {
            let step = workflow.file == smallest ? 1 : 97
            #expect(read(good)?.definition == workflow)
            for length in stride(from: 0, to: good.count, by: step) {
                #expect(read(Array(good.prefix(length))) == nil, "\(workflow.file) cut at \(length) of \(good.count)")
            }
            for position in stride(from: 0, to: good.count, by: step) {
                for change: UInt8 in [0x01, 0xFF] {
                    var changed = good
                    changed[position] ^= change
                    if read(changed) != nil { damagedRead += 1 }
                }
            }
        }
        // Most single changes (a character of a name, a line number) still read: only the SHA-256 of the region tells them.
        #expect(damagedRead > 0)
    }
}

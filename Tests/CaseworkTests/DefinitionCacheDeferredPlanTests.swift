@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkStore
import CaseworkTestSupport
import CaseworkYAML
import Foundation
import Testing

/// A hit on the definition cache plans a workflow's expressions, as the entry kept them checked, only when the workflow
/// is first run (issue 16): the plans made then agree with a fresh load's, a kept workflow missing a checked guard is
/// refused rather than run, and a change to a workflow no command runs is still a miss, found by the full validation.
@Suite("the definition cache: workflows planned on first use")
struct DefinitionCacheDeferredPlanTests {
    typealias Space = DefinitionCacheTests.Space

    /// On a hit the report carries the policies' checked expressions and none of the workflows'; a miss carries every
    /// workflow's.
    @Test func aHitChecksNoWorkflowUntilOneIsRun() throws {
        let space = try Space()
        _ = try space.load()
        let files = try Validator.read(paths: space.paths)
        let key = try #require(space.cache.key(for: files))
        let known = try #require(space.cache.entry(for: key, files: files))
        let hit = Validator.validate(files, known: known)
        #expect(!hit.hasErrors && hit.workflowsUnchecked && hit.workflowExpressions.isEmpty)
        #expect(hit.policyExpressions.keys.sorted() == ["send-portal"])
        let miss = Validator.validate(files)
        #expect(!miss.workflowsUnchecked && miss.workflowExpressions.count == miss.definitions.workflows.count && miss.definitions.workflows.count > 10)
    }

    /// Every expression of every workflow of a hit, planned on first use, evaluates as the fresh load's does over
    /// generated cases: the same value or the same error.
    @Test func plansMadeOnFirstUseAgreeWithAFreshLoad() throws {
        let space = try Space()
        let fresh = try DefinitionCatalog.load(paths: space.paths)
        _ = try space.load()
        let hit = try space.load()
        var generator = RecordGenerator(random: SeededGenerator(seed: 16))
        var compared = 0
        for (id, workflow) in fresh.workflows.sorted(by: { $0.key < $1.key }) {
            let deferred = try #require(hit.workflows[id])
            try deferred.planned()
            let expected = Dictionary(GuardContextTests.expressions(of: workflow), uniquingKeysWith: { first, _ in first })
            let planned = Dictionary(GuardContextTests.expressions(of: deferred), uniquingKeysWith: { first, _ in first })
            #expect(planned.keys.sorted() == expected.keys.sorted(), "workflow \(id)")
            for _ in 0..<40 {
                let input = GuardContextTests.input(for: workflow, &generator)
                let (byFresh, byHit) = (workflow.context(for: input), deferred.context(for: input))
                for (name, expression) in expected {
                    guard let other = planned[name] else { continue }
                    compared += 1
                    #expect(other.evaluate(byHit) == expression.evaluate(byFresh), "\(id): \(name)")
                }
            }
        }
        #expect(compared > 5_000)
    }

    /// The definition the engine runs a workflow on (its plan's, taken once per command) is the workflow's whole
    /// definition, for a workflow decoded at load and for one decoded on first use alike: never the outline a hit keeps
    /// until then, and the same as a fresh load's.
    @Test func theEngineRunsTheWholeDefinitionItsPlanWasMadeFrom() throws {
        let space = try Space()
        let fresh = try DefinitionCatalog.load(paths: space.paths)
        _ = try space.load()
        let hit = try space.load()
        for (id, workflow) in fresh.workflows.sorted(by: { $0.key < $1.key }) {
            let deferred = try #require(hit.workflows[id])
            let runs = try deferred.planned().definition
            #expect(runs == deferred.definition, "workflow \(id)")
            #expect(runs == workflow.definition, "workflow \(id)")
            #expect(try workflow.planned().definition == workflow.definition, "workflow \(id)")
        }
    }

    /// An entry whose checksums match but whose kept expressions of the assessment workflow lack a guard (which the
    /// entry's checksums cannot tell, and a hit does not check again) loads, but the workflow is refused when a case is
    /// opened on it, never run unguarded; the entry is discarded and the other workflows run.
    @Test func aKeptWorkflowMissingAGuardIsRefusedWhenRun() throws {
        let space = try Space()
        _ = try space.load()
        _ = try DefinitionCacheLazyDecodingTests.damage(space, file: "Workflows/ehcp-needs-assessment.yaml") { kept in
            let guarded = kept.definition.transitions.first { $0.when != nil }!.name.value
            kept.expressions.guards[guarded] = nil
        }
        let catalog = try space.load()
        let engine = try Engine(catalog: catalog, store: InMemoryCaseStore())
        do {
            _ = try engine.open(workflow: "ehcp-needs-assessment", as: .operator())
            Issue.record("a workflow whose guard was not kept was opened")
        } catch {
            guard case .definitionError(let message) = error else {
                Issue.record("expected the plan's error, got \(error)")
                return
            }
            #expect(message.contains("guard") && message.contains("was not checked"), "\(message)")
        }
        #expect(space.entries.isEmpty)
        #expect(throws: Never.self) { try catalog.workflows["annual-review"]?.planned() }
        #expect(throws: Never.self) { try DefinitionCatalog.load(paths: space.paths).workflows["ehcp-needs-assessment"]?.planned() }
    }

    /// Changing a workflow that the commands run here never touch, so that one of its guards names a field that does not
    /// exist, is a miss: the full validation finds it and the set is refused (no entry is written for it); put back, the
    /// first entry is hit again.
    @Test func aChangeToAWorkflowNoCommandRunsIsStillAMiss() throws {
        let space = try Space()
        let fresh = try DefinitionCacheTests.summary(try space.load())
        let file = "Workflows/annual-review.yaml"
        let original = try space.text(file)
        let guardText = "when: last_reviewed_on >= plan_issued_on and last_reviewed_on <= today"
        #expect(original.contains(guardText))
        try space.write(file, original.replacingOccurrences(of: guardText, with: "when: last_reviewed_on >= no_such_field"))
        #expect(throws: EngineError.self) { try space.load() }
        #expect(space.entries.count == 1)
        try space.write(file, original)
        #expect(try DefinitionCacheTests.summary(try space.load()) == fresh)
        #expect(space.entries.count == 1)
    }
}

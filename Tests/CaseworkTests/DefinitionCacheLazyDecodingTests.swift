@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTestSupport
import CaseworkTime
import CaseworkYAML
import Foundation
import Testing

/// A hit on the definition cache knows each workflow only as its outline, and reads it whole only when the workflow is
/// first run (issue 16): a command reads the workflows it runs, a kept region of a workflow it does not run cannot
/// change its answer, one it runs that is not the workflow outlined is refused rather than run, and the commands that
/// need every workflow (the timeliness report, tick) still read and see every one.
@Suite("the definition cache: workflows decoded on first use")
struct DefinitionCacheLazyDecodingTests {
    typealias Space = DefinitionCacheTests.Space

    /// The ids of the workflows of `catalog` decoded in full so far, sorted.
    static func decoded(_ catalog: DefinitionCatalog) -> [String] {
        catalog.workflows.filter { $0.value.source.isDecoded }.keys.sorted()
    }

    /// The ids of the workflows that link to `id` (which a workflow that reports reports to).
    static func openers(of id: String, in catalog: DefinitionCatalog) -> [String] {
        catalog.workflows.values.filter { $0.outline.links.contains { $0.workflow.value == id } }.map(\.outline.id.value)
    }

    /// What a case of the assessment workflow is opened with.
    static let assessmentFields: [String: ExpressionValue] = [
        "requested_on": .date(CalendarDate("2025-09-01")!), "requested_by": .string("parent"), "child.first_name": .string("Sam"),
        "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2016-02-14")!),
    ]

    /// What a case of the annual review workflow is opened with.
    static let reviewFields: [String: ExpressionValue] = [
        "child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2016-02-14")!),
        "plan_issued_on": .date(CalendarDate("2024-09-01")!), "last_reviewed_on": .date(CalendarDate("2024-09-01")!),
    ]

    /// A miss decodes every workflow; a hit reads none until one is asked for, then that one (its definition or its
    /// plan), and, since its checked expressions are kept with it (format 7), not the workflows a workflow that reports
    /// reports to: nothing is checked on first use.
    @Test func aHitDecodesAWorkflowOnlyWhenItIsAskedFor() throws {
        let space = try Space()
        let miss = try space.load()
        #expect(Self.decoded(miss) == miss.workflows.keys.sorted())
        let hit = try space.load()
        #expect(hit.workflows.count > 10)
        #expect(Self.decoded(hit).isEmpty)
        _ = hit.workflows["mediation"]?.definition
        #expect(Self.decoded(hit) == ["mediation"])
        try #require(hit.workflows["ehcp-needs-assessment"]).planned()
        #expect(Self.decoded(hit) == ["ehcp-needs-assessment", "mediation"])
        let reporting = "annual-review"
        #expect(try #require(hit.workflows[reporting]).definition.transitions.contains { $0.report != nil })
        try #require(hit.workflows[reporting]).planned()
        #expect(!Self.openers(of: reporting, in: hit).isEmpty)
        #expect(Self.decoded(hit) == ["ehcp-needs-assessment", "mediation", reporting].sorted())
    }

    /// Opening a case and deciding a request on a hit decode only what they run: the workflow opened, and none for a decision.
    @Test func openingAndDecidingDecodeOnlyWhatTheyRun() throws {
        let space = try Space()
        _ = try space.load()
        let hit = try space.load()
        let request = space.root.appendingPathComponent("request.json")
        try Data(DefinitionCacheTests.decideRequest.utf8).write(to: request)
        let policy = try #require(hit.policies["send-portal"])
        let decision = policy.decide(try AccessRequestReader(policy: policy, catalog: hit).read(path: request.path))
        #expect(decision.allowed)
        #expect(Self.decoded(hit).isEmpty)
        let engine = try Engine(catalog: hit, store: InMemoryCaseStore())
        _ = try engine.open(workflow: "ehcp-needs-assessment", as: .operator(), fields: Self.assessmentFields)
        #expect(Self.decoded(hit) == ["ehcp-needs-assessment"])
    }

    /// Every workflow's outline, read on a hit, is what the fresh load's definition says of it, and its full definition
    /// decoded on first use is the fresh load's definition.
    @Test func outlinesAndDefinitionsAgreeWithAFreshLoad() throws {
        let space = try Space()
        let fresh = try DefinitionCatalog.load(paths: space.paths)
        _ = try space.load()
        let hit = try space.load()
        #expect(hit.workflows.keys.sorted() == fresh.workflows.keys.sorted())
        for (id, workflow) in fresh.workflows {
            let loaded = try #require(hit.workflows[id])
            let (outline, full) = (loaded.outline, workflow.definition)
            #expect(outline.id == full.id && outline.version == full.version && outline.title == full.title && outline.description == full.description, "\(id)")
            #expect(outline.roles == full.roles && outline.fields == full.fields && outline.states == full.states, "\(id)")
            #expect(outline.links == full.links && outline.documents == full.documents && outline.untypedFields == full.untypedFields, "\(id)")
            #expect(outline.policyBinding == full.policyBinding && outline.calendar == full.calendar && outline.file == full.file, "\(id)")
            #expect(outline.transitions.isEmpty && outline.templates.isEmpty && outline.deadlines.isEmpty && !full.transitions.isEmpty, "\(id)")
            #expect(try loaded.decoded() == full, "\(id)")
        }
    }

    /// The entry for `space`'s files with `file`'s workflow's region replaced by what `change` makes of the kept
    /// workflow, stored under the same key (its SHA-256s made to match): a damaged entry the checksums cannot tell.
    static func damage(_ space: Space, file: String, _ change: (inout KeptWorkflow) -> Void) throws -> String {
        let files = try Validator.read(paths: space.paths)
        let key = try #require(space.cache.key(for: files))
        var kept = try #require(space.cache.entry(for: key, files: files))
        let path = try #require(files.first { $0.file.hasSuffix(file) }).file
        var workflow = try #require(kept.workflows[path]?.value)
        change(&workflow)
        kept.workflows[path] = KeptPart(workflow)
        space.cache.store(kept, files: files.map(\.file), for: key)
        return key
    }

    /// A kept region of `annual-review` that is not the workflow it outlined (its version another), with the checksums
    /// made to match: the load is still a hit (the entry is not rewritten), opening a case on another workflow and
    /// deciding a request answer as on a fresh load, but opening a case on `annual-review`, and the timeliness report
    /// (which reads every workflow), are refused with a clear error, never run on the outline; the entry is discarded,
    /// so the next load validates the files in full, and runs `annual-review`.
    @Test func aDamagedRegionOfAWorkflowNotRunChangesNothingElseAndTheWorkflowIsRefused() throws {
        let space = try Space()
        let fresh = try DefinitionCatalog.load(paths: space.paths)
        _ = try space.load()
        _ = try Self.damage(space, file: "Workflows/annual-review.yaml") { $0.definition.version += 1 }
        let catalog = try space.load()
        #expect(catalog.snapshot == fresh.snapshot)

        let request = space.root.appendingPathComponent("request.json")
        try Data(DefinitionCacheTests.decideRequest.utf8).write(to: request)
        func decide(_ catalog: DefinitionCatalog) throws -> [String] {
            let policy = try #require(catalog.policies["send-portal"])
            let decision = policy.decide(try AccessRequestReader(policy: policy, catalog: catalog).read(path: request.path))
            return ["\(decision.allowed)"] + decision.matched + decision.redact + decision.reasons
        }
        #expect(try decide(catalog) == decide(fresh))
        func opened(_ catalog: DefinitionCatalog) throws -> String {
            let record = try Engine(catalog: catalog, store: InMemoryCaseStore()).open(workflow: "ehcp-needs-assessment", as: .operator(), caseID: "c1", fields: Self.assessmentFields).record
            return "\(record.state) \(record.fields) \(record.definitionSnapshot ?? "")"
        }
        #expect(try opened(catalog) == opened(fresh))

        #expect(space.entries.count == 1)
        let engine = try Engine(catalog: catalog, store: InMemoryCaseStore())
        for attempt in ["open", "report"] {
            do {
                if attempt == "open" {
                    _ = try engine.open(workflow: "annual-review", as: .operator(), fields: Self.reviewFields)
                } else {
                    _ = try engine.timelinessReport(from: CalendarDate("2025-01-01")!, to: CalendarDate("2025-12-31")!, as: .operator())
                }
                Issue.record("\(attempt) ran on a workflow whose kept region is not the workflow outlined")
            } catch {
                guard case .definitionError(let message) = error else {
                    Issue.record("\(attempt): expected the region's error, got \(error)")
                    continue
                }
                #expect(message.contains("annual-review") && message.contains("not the workflow it outlined"), "\(attempt): \(message)")
            }
        }
        #expect(throws: Never.self) { try Engine(catalog: fresh, store: InMemoryCaseStore()).open(workflow: "annual-review", as: .operator(), fields: Self.reviewFields) }
        // The refusal discarded the entry: the next load is a miss, validated in full, which writes it again from the files.
        #expect(space.entries.isEmpty)
        let again = try space.load()
        #expect(Self.decoded(again) == again.workflows.keys.sorted())
        #expect(space.entryIsWhole(count: DefinitionCacheTests.fileCount))
        #expect(throws: Never.self) { try Engine(catalog: again, store: InMemoryCaseStore()).open(workflow: "annual-review", as: .operator(), fields: Self.reviewFields) }
    }

    /// A kept region whose workflow is another (the id of `annual-review` changed), checksums made to match: the hit is
    /// loaded from the kept set, and pins as a fresh load; opening a case on `annual-review` reads its region, which is
    /// refused (it is not the workflow it outlined), the entry is discarded, and the next load is a miss, validated in
    /// full, that runs it.
    @Test func aRegionOfAnotherWorkflowIsRefusedWhenItsWorkflowIsFirstRun() throws {
        let space = try Space()
        let fresh = try DefinitionCatalog.load(paths: space.paths)
        _ = try space.load()
        _ = try Self.damage(space, file: "Workflows/annual-review.yaml") { $0.definition.id.value = "mediation" }
        let catalog = try space.load()
        #expect(catalog.snapshot == fresh.snapshot)
        #expect(Self.decoded(catalog).isEmpty)
        #expect(space.entries.count == 1)
        #expect(throws: EngineError.self) {
            try Engine(catalog: catalog, store: InMemoryCaseStore()).open(workflow: "annual-review", as: .operator(), fields: Self.reviewFields)
        }
        #expect(space.entries.isEmpty)
        let again = try space.load()
        #expect(try DefinitionCacheTests.summary(again) == DefinitionCacheTests.summary(fresh))
        #expect(Self.decoded(again) == again.workflows.keys.sorted())
        #expect(throws: Never.self) { try Engine(catalog: again, store: InMemoryCaseStore()).open(workflow: "annual-review", as: .operator(), fields: Self.reviewFields) }
    }

    /// The timeliness report on a hit decodes every workflow and is the fresh load's, line for line, with a line for
    /// every deadline of every workflow, and tick on a hit applies what a fresh load's tick applies to cases of two workflows.
    @Test func reportAndTickStillSeeEveryWorkflow() throws {
        let space = try Space()
        let fresh = try DefinitionCatalog.load(paths: space.paths)
        _ = try space.load()
        let hit = try space.load()
        #expect(Self.decoded(hit).isEmpty)
        func run(_ catalog: DefinitionCatalog) throws -> (report: TimelinessReport, ticked: [String]) {
            let clock = ManualClock(DeadlineFactsTests.day("2025-09-01"))
            let engine = try Engine(catalog: catalog, store: InMemoryCaseStore(), clock: clock)
            _ = try engine.open(workflow: "ehcp-needs-assessment", as: .operator(), caseID: "assessment", fields: Self.assessmentFields)
            _ = try engine.open(workflow: "annual-review", as: .operator(), caseID: "review", fields: Self.reviewFields)
            clock.set(DeadlineFactsTests.day("2026-09-01"))
            let ticked = try engine.tick().map { "\($0)" }.sorted()
            let report = try engine.timelinessReport(from: CalendarDate("2025-01-01")!, to: CalendarDate("2026-12-31")!, as: .operator())
            return (report, ticked)
        }
        let (byHit, byFresh) = (try run(hit), try run(fresh))
        #expect(Self.decoded(hit) == hit.workflows.keys.sorted())
        #expect(byHit.report == byFresh.report)
        #expect(byHit.ticked == byFresh.ticked)
        #expect(!byHit.ticked.isEmpty)
        let lines = Set(byHit.report.lines.map { "\($0.workflow) \($0.deadline)" })
        for (id, workflow) in fresh.workflows {
            for deadline in workflow.definition.deadlines { #expect(lines.contains("\(id) \(deadline.name.value)")) }
        }
    }
}

@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkExpressions
import CaseworkSQLite
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation
import Testing

/// The shipped definitions, and a revision of all of them: every workflow, form, calendar and the policy raised by one
/// version with something changed, as the language reference asks after any change.
enum ShippedSets {
    static let files = ["Workflows/ehcp-needs-assessment.yaml", "Workflows/annual-review.yaml", "Workflows/tribunal-appeal.yaml",
                        "Workflows/access-request.yaml", "Workflows/plan-amendment.yaml", "Workflows/tribunal-orders.yaml", "Workflows/re-assessment.yaml", "Workflows/ceasing-to-maintain.yaml",
                        "Workflows/phase-transfer.yaml", "Workflows/council-transfer.yaml",
                        "Workflows/mediation.yaml", "Workflows/personal-budget.yaml", "Workflows/ehcp-plan.yaml",
                        "Workflows/forms/professional-advice.yaml", "Workflows/forms/review-advice.yaml", "Workflows/forms/section-a.yaml",
                        "Workflows/calendars/england-and-wales.yaml", "Workflows/calendars/send-tribunal.yaml", "Policies/send-portal.yaml"]
    static let oldReason = "Sign in with your emailed code to see SEND information."
    static let newReason = "Enter the code we emailed you to see SEND information."

    /// The shipped files by name.
    static func original() throws -> [(file: String, text: String)] {
        try files.map { (URL(fileURLWithPath: $0).lastPathComponent, try String(contentsOfFile: RepositoryPaths.root.appendingPathComponent($0).path, encoding: .utf8)) }
    }

    /// Every file with its top-level `version:` raised by one and its title marked revised; the policy's sign-in reason reworded.
    static func revised() throws -> [(file: String, text: String)] {
        try original().map { file, text in
            var lines = text.components(separatedBy: "\n")
            for index in lines.indices {
                if lines[index].hasPrefix("version: "), let version = Int(lines[index].dropFirst("version: ".count)) {
                    lines[index] = "version: \(version + 1)"
                } else if lines[index].hasPrefix("title: ") {
                    lines[index] += " (revised)"
                }
            }
            return (file, lines.joined(separator: "\n").replacingOccurrences(of: oldReason, with: newReason))
        }
    }

    static let staff: [String: ExpressionValue] = ["relationship": .string("caseworker"), "second_factor_verified": .bool(true)]
    static let family: [String: ExpressionValue] = ["relationship": .string("parent"), "second_factor_verified": .bool(true)]
    static let caseworker = CaseActor(role: "caseworker", id: "ana")

    /// Opens a needs assessment as a parent.
    static func openAssessment(_ engine: Engine, id: String) throws {
        _ = try engine.open(workflow: "ehcp-needs-assessment", as: CaseActor(role: "parent", id: "parent-\(id)"), caseID: id, fields: [
            "requested_on": .date(CalendarDate("2025-09-01")!), "requested_by": .string("parent"),
            "child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2016-02-14")!),
        ], attributes: family)
    }
}

@Suite("Definitions pinned per case")
struct PinnedDefinitionsTests {
    typealias Kind = StoreConformanceTests.Kind

    @Test("raising every version leaves an open case showing, firing, ticking and decided on its own set", arguments: Kind.allCases)
    func raisingVersionsNeverBreaksAnOpenCase(kind: Kind) throws {
        let store = try kind.make()
        let clock = ManualClock(EngineFixtures.start)
        try ShippedSets.openAssessment(try Engine(catalog: DefinitionCatalog.load(sources: ShippedSets.original()), store: store, clock: clock), id: "old")
        let engine = try Engine(catalog: DefinitionCatalog.load(sources: ShippedSets.revised()), store: store, clock: clock)
        try ShippedSets.openAssessment(engine, id: "new")

        // Show: the old case reads its own workflow version (this was CW0218 'unknown calendar' before).
        #expect(try engine.workflowDefinition(ofCase: "old", as: .operator()).title == "EHC needs assessment")
        #expect(try engine.workflowDefinition(ofCase: "new", as: .operator()).title == "EHC needs assessment (revised)")
        #expect(try engine.caseRecord("old", as: ShippedSets.caseworker, attributes: ShippedSets.staff).workflowVersion == 7)
        #expect(try engine.caseRecord("new", as: .operator()).workflowVersion == 8)

        // Decide: each case is judged by the policy version of its own set.
        for (id, reason) in [("old", ShippedSets.oldReason), ("new", ShippedSets.newReason)] {
            #expect { try engine.view(caseID: id, as: CaseActor(role: "parent", id: "parent-\(id)"), attributes: ["relationship": .string("parent")]) } throws: {
                "\($0)".contains(reason)
            }
        }

        // Fire.
        for id in ["old", "new"] {
            let fired = try engine.fire(FireRequest(caseID: id, transition: "acknowledge_request", actor: ShippedSets.caseworker, attributes: ShippedSets.staff))
            #expect(fired.record.state == "deciding_to_assess")
        }

        // Tick: the six-week decision is breached on both, each counted on its own calendar.
        clock.set(Date(timeIntervalSince1970: EngineFixtures.start.timeIntervalSince1970 + 50 * 86_400))
        let actions = try engine.tick()
        #expect(Set(actions.filter { $0.kind == "breach" && $0.deadline == "decide_whether_to_assess" }.map(\.caseID)) == ["old", "new"])
        #expect(try engine.caseRecord("old", as: .operator()).deadlines.first { $0.name == "decide_whether_to_assess" }?.status == .breached)

        // Migrate: the old case moves to the current set and is then judged by its policy.
        let plan = try engine.migrate(caseID: "old", to: 8, as: .operator())
        #expect(plan.applied && plan.fromVersion == 7 && plan.toVersion == 8 && plan.toSnapshot == engine.catalog.snapshot.fingerprint)
        #expect(try engine.caseRecord("old", as: .operator()).definitionSnapshot == engine.catalog.snapshot.fingerprint)
        #expect { try engine.view(caseID: "old", as: CaseActor(role: "parent", id: "parent-old"), attributes: ["relationship": .string("parent")]) } throws: {
            "\($0)".contains(ShippedSets.newReason)
        }
        let last = try #require(try engine.history("old", as: .operator()).last)
        #expect(last.action == "migrated")
        #expect(last.input["from_version"] == .int(7) && last.input["to_version"] == .int(8))
        #expect(last.input["to_snapshot"] == .string(engine.catalog.snapshot.fingerprint))
        #expect(try engine.verifyAudit("old", as: .operator()) == .intact(events: try store.history(caseID: "old").count))
    }

    @Test("a case starts the form version and due period of its own set")
    func formsComeFromTheCasesSet() throws {
        let store = InMemoryCaseStore()
        let clock = ManualClock(EngineFixtures.start)
        let old = try Engine(catalog: EngineFixtures.catalog(), store: store, clock: clock)
        try EngineFixtures.openCase(old, id: "old")
        let form2 = EngineFixtures.form.replacingOccurrences(of: "version: 1", with: "version: 2").replacingOccurrences(of: "due: 6 weeks", with: "due: 2 weeks")
        let workflow2 = EngineFixtures.workflow.replacingOccurrences(of: "version: 1", with: "version: 2")
        let engine = try Engine(catalog: EngineFixtures.catalog(workflow: workflow2, form: form2), store: store, clock: clock)
        try EngineFixtures.openCase(engine, id: "new")
        for id in ["old", "new"] {
            _ = try engine.fire(FireRequest(caseID: id, transition: "start_deciding", actor: EngineFixtures.caseworker, input: ["evidence_complete": .bool(true)]))
            _ = try engine.fire(FireRequest(caseID: id, transition: "agree_to_assess", actor: EngineFixtures.caseworker, input: ["decision_notes": .string("Agreed")]))
        }
        let oldForms = try engine.caseRecord("old", as: .operator()).forms
        let newForms = try engine.caseRecord("new", as: .operator()).forms
        #expect(oldForms.map(\.formVersion) == [1, 1])
        #expect(oldForms.first?.dueOn == CalendarDate("2025-10-13"))
        #expect(newForms.map(\.formVersion) == [2, 2])
        #expect(newForms.first?.dueOn == CalendarDate("2025-09-15"))
    }

    @Test("a record from before snapshots runs on its workflow version with the whole current set")
    func recordsFromBeforeSnapshotsStillRun() throws {
        let store = InMemoryCaseStore()
        let original = try Engine(catalog: DefinitionCatalog.load(sources: ShippedSets.original()), store: store, clock: ManualClock(EngineFixtures.start))
        try ShippedSets.openAssessment(original, id: "legacy")
        var record = try #require(try store.load(caseID: "legacy"))
        record.definitionSnapshot = nil
        try store.commit(CaseChange(record: record, expectedRevision: record.revision, events: [], outbox: [], idempotency: nil))
        let engine = try Engine(catalog: DefinitionCatalog.load(sources: ShippedSets.revised()), store: store, clock: ManualClock(EngineFixtures.start))
        #expect(try engine.workflowDefinition(ofCase: "legacy", as: .operator()).version == 7)
        #expect { try engine.view(caseID: "legacy", as: CaseActor(role: "parent", id: "p"), attributes: ["relationship": .string("parent")]) } throws: {
            "\($0)".contains(ShippedSets.newReason)
        }
        let usage = try engine.definitionUsage(as: .operator())
        #expect(usage.unpinnedOpenCases == 1)
        let plan = try engine.migrate(caseID: "legacy", to: 8, as: .operator())
        #expect(plan.fromSnapshot == nil && plan.applied)
        #expect(try engine.definitionUsage(as: .operator()).unpinnedOpenCases == 0)
    }

    @Test("definitions list counts the open cases of each snapshot and version")
    func usageCountsOpenCases() throws {
        let store = InMemoryCaseStore()
        let original = try Engine(catalog: EngineFixtures.catalog(), store: store, clock: ManualClock(EngineFixtures.start))
        try EngineFixtures.openCase(original, id: "a")
        try EngineFixtures.openCase(original, id: "b")
        let engine = try Engine(catalog: EngineFixtures.catalog(workflow: EngineFixtures.workflow.replacingOccurrences(of: "version: 1", with: "version: 2")),
                                store: store, clock: ManualClock(EngineFixtures.start))
        try EngineFixtures.openCase(engine, id: "c")
        var closed = try #require(try store.load(caseID: "b"))
        closed.state = "decided"
        try store.commit(CaseChange(record: closed, expectedRevision: closed.revision, events: [], outbox: [], idempotency: nil))
        let usage = try engine.definitionUsage(as: .operator())
        let counts = Dictionary(uniqueKeysWithValues: usage.versions.map { ("\($0.version.kind) \($0.version.id) \($0.version.version)", $0.openCases) })
        #expect(counts == ["workflow assessment 1": 1, "workflow assessment 2": 1, "form advice 1": 2])
        #expect(usage.snapshots.map(\.openCases) == [1, 1])
        #expect(usage.snapshots.map(\.isCurrent) == [false, true])
        #expect(throws: EngineError.self) { try engine.definitionUsage(as: EngineFixtures.caseworker) }
    }
}

@Suite("case migrate")
struct MigrationTests {
    /// Version 2 of the fixture workflow: `assessing` renamed `gathering_advice`, `decision_notes` renamed `panel_notes`.
    static let renamed = EngineFixtures.workflow
        .replacingOccurrences(of: "version: 1", with: "version: 2")
        .replacingOccurrences(of: "assessing", with: "gathering_advice")
        .replacingOccurrences(of: "decision_notes", with: "panel_notes")
    static let mapping = MigrationMapping(states: ["assessing": "gathering_advice"], fields: ["decision_notes": "panel_notes"])

    /// A case in `assessing` on version 1, and an engine on version 2 over the same store.
    static func assessingCase(version2: String = renamed) throws -> (Engine, InMemoryCaseStore) {
        let store = InMemoryCaseStore()
        let old = try EngineFixtures.engine(store: store)
        try EngineFixtures.openCase(old)
        _ = try old.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: EngineFixtures.caseworker, input: ["evidence_complete": .bool(true)]))
        _ = try old.fire(FireRequest(caseID: "c1", transition: "agree_to_assess", actor: EngineFixtures.caseworker, input: ["decision_notes": .string("Agreed")]))
        return (try Engine(catalog: EngineFixtures.catalog(workflow: version2), store: store, clock: ManualClock(EngineFixtures.start)), store)
    }

    @Test func aMappedMigrationMovesStateAndFieldsInOneAuditedChange() throws {
        let (engine, store) = try Self.assessingCase()
        let dry = try engine.migrate(caseID: "c1", to: 2, mapping: Self.mapping, as: .operator(), dryRun: true)
        #expect(!dry.applied && dry.toState == "gathering_advice" && dry.movedFields == [FieldMove(from: "decision_notes", to: "panel_notes")])
        let plan = try engine.migrate(caseID: "c1", to: 2, mapping: Self.mapping, as: .operator())
        #expect(plan == MigrationPlan(caseID: "c1", workflow: "assessment", fromVersion: 1, toVersion: 2, fromSnapshot: dry.fromSnapshot,
                                      toSnapshot: engine.catalog.snapshot.fingerprint, fromState: "assessing", toState: "gathering_advice",
                                      movedFields: dry.movedFields, applied: true, revision: 4))
        let record = try #require(try store.load(caseID: "c1"))
        #expect(record.state == "gathering_advice" && record.workflowVersion == 2 && record.fields["panel_notes"] == .string("Agreed"))
        #expect(record.fields["decision_notes"] == nil)
        let event = try #require(try store.history(caseID: "c1").last)
        #expect(event.action == "migrated" && event.fromState == "assessing" && event.toState == "gathering_advice")
        #expect(event.input["moved_fields"] == .list([.string("decision_notes -> panel_notes")]))
        #expect(try engine.verifyAudit("c1", as: .operator()) == .intact(events: 4))
        #expect(try engine.availableTransitions(caseID: "c1", as: .operator()).map(\.name).contains("finish"), "the case now runs on version 2")
        #expect { try engine.migrate(caseID: "c1", to: 2, as: .operator()) } throws: { ($0 as? EngineError)?.code == .blocked }
    }

    @Test func aDryRunChangesNothing() throws {
        let (engine, store) = try Self.assessingCase()
        let before = try EngineFixtures.Snapshot(store, caseID: "c1")
        _ = try engine.migrate(caseID: "c1", to: 2, mapping: Self.mapping, as: .operator(), dryRun: true)
        #expect(try EngineFixtures.Snapshot(store, caseID: "c1") == before)
    }

    /// Refusals: each lists every problem (by the field it names) and changes nothing.
    @Test(arguments: [
        (renamed, MigrationMapping(), 2, ["states.assessing", "fields.decision_notes"]),
        (renamed, MigrationMapping(states: ["assessing": "gathering_advice", "nowhere": "decided"], fields: ["decision_notes": "no_such_field"]), 2,
         ["states.nowhere", "fields.decision_notes"]),
        (renamed, mapping, 3, ["to"]),
        (EngineFixtures.workflow.replacingOccurrences(of: "version: 1", with: "version: 2").replacingOccurrences(of: "decision_notes: text", with: "decision_notes: int"),
         MigrationMapping(), 2, ["fields.decision_notes"]),
    ])
    func refusedMigrationsListEveryProblemAndChangeNothing(version2: String, mapping: MigrationMapping, to: Int, problems: [String]) throws {
        let (engine, store) = try Self.assessingCase(version2: version2)
        let before = try EngineFixtures.Snapshot(store, caseID: "c1")
        #expect { try engine.migrate(caseID: "c1", to: to, mapping: mapping, as: .operator()) } throws: { error in
            guard case .invalidInput(let found)? = error as? EngineError else { return false }
            return found.map(\.field) == problems
        }
        #expect(try EngineFixtures.Snapshot(store, caseID: "c1") == before)
    }

    @Test func onlyTheOperatorMigrates() throws {
        let (engine, store) = try Self.assessingCase()
        let before = try EngineFixtures.Snapshot(store, caseID: "c1")
        #expect { try engine.migrate(caseID: "c1", to: 2, mapping: Self.mapping, as: EngineFixtures.caseworker) } throws: {
            ($0 as? EngineError)?.code == .forbidden
        }
        #expect(try EngineFixtures.Snapshot(store, caseID: "c1") == before)
    }

    @Test(arguments: [
        ("states: { assessing: gathering_advice }\nfields:\n  decision_notes: panel_notes\n", mapping),
        (#"{"states": {"assessing": "gathering_advice"}, "fields": {"decision_notes": "panel_notes"}}"#, mapping),
        ("fields: {}\n", MigrationMapping()),
    ])
    func mapFilesAreYAMLOrJSON(text: String, expected: MigrationMapping) throws {
        #expect(try MigrationMapping.parse(text, file: "map.yaml") == expected)
    }

    @Test func aBadMapFileNamesEveryProblem() {
        #expect { try MigrationMapping.parse("state: { a: b }\nfields: [a]\n", file: "map.yaml") } throws: { error in
            guard case .invalidInput(let problems)? = error as? EngineError else { return false }
            return problems.map { "\($0.field): \($0.message)" } == ["map: map.yaml:1:1: unknown key 'state'; a map file has 'states' and 'fields'",
                                                   "fields: map.yaml:2:9: needs a mapping of old names to new names"]
        }
    }
}

@Suite("Store: definition snapshots")
struct SnapshotStoreTests {
    @Test func aSnapshotsFingerprintIsOverItsSortedMembers() {
        let a = DefinitionVersion(kind: "form", id: "advice", version: 1, fingerprint: "x")
        let b = DefinitionVersion(kind: "workflow", id: "assessment", version: 2, fingerprint: "y")
        #expect(DefinitionSnapshot(members: [a, b]) == DefinitionSnapshot(members: [b, a]))
        #expect(DefinitionSnapshot(members: [a, b]).fingerprint == SHA256.hex("form advice 1 x\nworkflow assessment 2 y\n"))
        #expect(DefinitionSnapshot(members: [a]).fingerprint != DefinitionSnapshot(members: [a, b]).fingerprint)
    }
}

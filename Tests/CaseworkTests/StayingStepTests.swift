import CaseworkDefinitions
import CaseworkDiagrams
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkStoreConformance
import CaseworkTime
import Foundation
import Testing

/// Steps that keep the case's state (`stays: true`), and a report that fires, of the transitions it names, the one
/// whose `from:` holds the opening case's state.
@Suite("Steps that keep the state")
struct StayingStepTests {
    /// A case that starts busy, whose clock runs from entering `busy`, with a note recorded in either state that stays.
    static let workflow = """
        workflow: kept
        version: 1
        title: Kept
        roles: [caseworker]
        fields:
          note: text
          noted_on: date
        states:
          open: { initial: true }
          busy: {}
          closed: { final: true }
        deadlines:
          - name: close_in_time
            title: Close within 4 weeks of starting
            from: { entered: busy }
            due: 4 weeks
            until: [closed]
          - name: noted_in_time
            title: Close within 2 weeks of the note
            from: { fired: note }
            due: 2 weeks
            until: [closed]
        transitions:
          - { name: start, from: open, to: busy, by: caseworker }
          - name: note
            from: [open, busy]
            stays: true
            by: caseworker
            input: { note: required }
            set: { noted_on: today }
          - { name: close, from: [open, busy], to: closed, by: caseworker }

        """

    static let caseworker = CaseActor(role: "caseworker", id: "ana")
    static let start = Date(timeIntervalSince1970: 1_756_717_200)  // 2025-09-01 09:00 UTC

    static func engine(clock: ManualClock) throws -> Engine {
        let catalog = try DefinitionCatalog.load(sources: [(file: "kept.yaml", text: workflow)])
        let engine = try Engine(catalog: catalog, store: InMemoryCaseStore(), clock: clock)
        _ = try engine.open(workflow: "kept", as: .operator(), caseID: "k1")
        return engine
    }

    @Test func aStepThatStaysRecordsItsInputAndLeavesTheStateAndItsClocksAsTheyWere() throws {
        let clock = ManualClock(Self.start)
        let engine = try Self.engine(clock: clock)
        _ = try engine.fire(FireRequest(caseID: "k1", transition: "start", actor: Self.caseworker))
        let before = try engine.caseRecord("k1", as: .operator())
        clock.advance(by: 7 * 86_400)
        let result = try engine.fire(FireRequest(caseID: "k1", transition: "note", actor: Self.caseworker, input: ["note": .string("called the school")]))
        let after = result.record
        #expect(after.state == "busy")
        #expect(after.revision == before.revision + 1)
        #expect(after.fields["note"] == .string("called the school"))
        #expect(after.fields["noted_on"] == .date(CalendarDate("2025-09-08")!))
        // The state's clock runs on from the day the case entered it; the clock the step starts starts.
        let running = try #require(before.deadlines.first { $0.name == "close_in_time" })
        #expect(after.deadlines.first { $0.name == "close_in_time" } == running)
        #expect(running.startedOn == CalendarDate("2025-09-01")!)
        let noted = try #require(after.deadlines.first { $0.name == "noted_in_time" })
        #expect(noted.startedOn == CalendarDate("2025-09-08")! && noted.status == .running)
        // Its audit event records the state it stayed in as both ends, and the chain replays to the record.
        let event = try #require(try engine.store.history(caseID: "k1").last)
        #expect(event.action == "fired" && event.subject == "note")
        #expect(event.fromState == "busy" && event.toState == "busy")
        #expect(try engine.verifyAudit("k1", as: .operator()) == .intact(events: 3))
    }

    @Test func aStepThatStaysIsDrawnAsALoopOnEachOfItsStates() throws {
        let catalog = try DefinitionCatalog.load(sources: [(file: "kept.yaml", text: Self.workflow)])
        let graph = WorkflowGraph(try #require(catalog.workflows["kept"]).definition)
        let ids = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.lines[0], $0.id) })
        let loops = graph.edges.filter { $0.lines.first == "note" }.map { [$0.from, $0.to] }
        #expect(loops == [[ids["open"], ids["open"]], [ids["busy"], ids["busy"]]].map { $0.compactMap { $0 } })
        #expect(MermaidDiagram.render(graph).contains("    \(ids["busy"] ?? "?") -->|"))
    }

    @Test(arguments: ["open", "busy"])
    func aStepThatStaysIsOfferedAsLeadingToTheCasesOwnState(_ state: String) throws {
        let engine = try Self.engine(clock: ManualClock(Self.start))
        if state == "busy" { _ = try engine.fire(FireRequest(caseID: "k1", transition: "start", actor: Self.caseworker)) }
        let available = try engine.availableTransitions(caseID: "k1", as: Self.caseworker)
        let note = try #require(available.first { $0.name == "note" })
        #expect(note.to == state && note.stays)
        let close = try #require(available.first { $0.name == "close" })
        #expect(close.to == "closed" && !close.stays)
    }

    @Test func aStepThatStaysIsRefusedOutsideItsStatesAndWritesNothing() throws {
        let engine = try Self.engine(clock: ManualClock(Self.start))
        _ = try engine.fire(FireRequest(caseID: "k1", transition: "close", actor: Self.caseworker))
        let before = try EngineFixtures.Snapshot(engine.store, caseID: "k1")
        let refusal = refusalText { () throws(EngineError) in
            _ = try engine.fire(FireRequest(caseID: "k1", transition: "note", actor: Self.caseworker, input: ["note": .string("too late")]))
        }
        #expect(refusal?.hasPrefix("blocked") == true, "\(refusal ?? "done")")
        #expect(try EngineFixtures.Snapshot(engine.store, caseID: "k1") == before)
    }

    /// A plan whose order is recorded by one of two steps, as its state says, and a review opened from it that reports
    /// the order to whichever holds the plan's state.
    static let plan = """
        workflow: plan
        version: 1
        title: Plan
        roles: [caseworker]
        links:
          reviews: { workflow: review }
        fields:
          ordered_on: date
        states:
          kept: { initial: true }
          amended: {}
          reviewing: {}
          ended: { final: true }
        transitions:
          - { name: start_review, from: [kept, amended], to: reviewing, by: caseworker, open: { reviews: {} } }
          - { name: end_review, from: reviewing, to: kept, by: caseworker }
          - { name: record_order, from: [kept, amended], to: amended, by: engine:link, input: { ordered_on: required } }
          - { name: record_order_while_busy, from: reviewing, stays: true, by: engine:link, input: { ordered_on: required } }
          - { name: end, from: [kept, amended, reviewing], to: ended, by: caseworker }

        """

    static let review = """
        workflow: review
        version: 1
        title: Review
        roles: [caseworker]
        fields:
          order_on: date
        states:
          due: { initial: true }
          ordered: { final: true }
        transitions:
          - name: record_order
            from: due
            to: ordered
            by: caseworker
            input: { order_on: required }
            report: { to: opened_by, fire: [record_order, record_order_while_busy], input: { ordered_on: order_on } }

        """

    @Test(arguments: [(plan: "reviewing", fired: "record_order_while_busy", after: "reviewing"), (plan: "kept", fired: "record_order", after: "amended"),
                      (plan: "ended", fired: "", after: "ended")])
    func aReportFiresTheStepThatHoldsTheOpenersState(_ example: (plan: String, fired: String, after: String)) throws {
        let catalog = try DefinitionCatalog.load(sources: [(file: "plan.yaml", text: Self.plan), (file: "review.yaml", text: Self.review)])
        let engine = try Engine(catalog: catalog, store: InMemoryCaseStore(), clock: ManualClock(Self.start))
        _ = try engine.open(workflow: "plan", as: .operator(), caseID: "p1")
        _ = try engine.fire(FireRequest(caseID: "p1", transition: "start_review", actor: Self.caseworker))
        if example.plan != "reviewing" { _ = try engine.fire(FireRequest(caseID: "p1", transition: "end_review", actor: Self.caseworker)) }
        if example.plan == "ended" { _ = try engine.fire(FireRequest(caseID: "p1", transition: "end", actor: Self.caseworker)) }
        let before = try EngineFixtures.Snapshot(engine.store, caseID: "p1")
        let refusal = refusalText { () throws(EngineError) in
            _ = try engine.fire(FireRequest(caseID: "p1.reviews-1", transition: "record_order", actor: Self.caseworker,
                                            input: ["order_on": .date(CalendarDate("2025-09-01")!)]))
        }
        let plan = try engine.caseRecord("p1", as: .operator())
        #expect(plan.state == example.after)
        guard !example.fired.isEmpty else {
            // No step holds the plan's state: refused for the first named, as a single name is, and nothing written.
            #expect(refusal?.contains("cannot record 'record_order'") == true, "\(refusal ?? "done")")
            #expect(try EngineFixtures.Snapshot(engine.store, caseID: "p1") == before)
            return
        }
        #expect(refusal == nil, "\(refusal ?? "")")
        #expect(plan.fields["ordered_on"] == .date(CalendarDate("2025-09-01")!))
        let event = try #require(try engine.store.history(caseID: "p1").last)
        #expect(event.subject == example.fired && event.actor == .linkEngine && event.toState == example.after)
        #expect(try engine.verifyAudit("p1", as: .operator()) == .intact(events: before.events.count + 1))
    }

    /// A plan pinned to the version before its step that stays refuses the order while busy, as it did, whether the
    /// review that reports was opened on that version (naming one step) or on the new one (naming both).
    @Test(arguments: [false, true])
    func aPlanPinnedToTheVersionBeforeKeepsItsRefusal(reviewOnNewVersion: Bool) throws {
        let oldPlan = Self.plan.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("name: record_order_while_busy") }.joined(separator: "\n")
        let oldReview = Self.review.replacingOccurrences(of: "fire: [record_order, record_order_while_busy]", with: "fire: record_order")
        func raised(_ text: String) -> String { text.replacingOccurrences(of: "version: 1", with: "version: 2") }
        #expect(oldPlan != Self.plan && oldReview != Self.review)
        let store = InMemoryCaseStore()
        let clock = ManualClock(Self.start)
        let old = try Engine(catalog: DefinitionCatalog.load(sources: [(file: "plan.yaml", text: oldPlan), (file: "review.yaml", text: oldReview)]),
                             store: store, clock: clock)
        let new = try Engine(catalog: DefinitionCatalog.load(sources: [(file: "plan.yaml", text: raised(Self.plan)), (file: "review.yaml", text: raised(Self.review))]),
                             store: store, clock: clock)
        _ = try old.open(workflow: "plan", as: .operator(), caseID: "p1")
        _ = try (reviewOnNewVersion ? new : old).fire(FireRequest(caseID: "p1", transition: "start_review", actor: Self.caseworker))
        #expect(try new.caseRecord("p1.reviews-1", as: .operator()).workflowVersion == (reviewOnNewVersion ? 2 : 1))
        let before = try EngineFixtures.Snapshot(store, caseID: "p1")
        let refusal = refusalText { () throws(EngineError) in
            _ = try new.fire(FireRequest(caseID: "p1.reviews-1", transition: "record_order", actor: Self.caseworker,
                                         input: ["order_on": .date(CalendarDate("2025-09-01")!)]))
        }
        #expect(refusal?.contains("cannot record 'record_order'") == true, "\(refusal ?? "done")")
        #expect(try EngineFixtures.Snapshot(store, caseID: "p1") == before)
    }
}

import CaseworkDefinitions
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkStoreConformance
import CaseworkTime
import Testing

/// A command reads a case's linked cases from the store once, however many guards it evaluates (ARCHITECTURE.md,
/// "Linked cases"), and its guards decide exactly as when each read them afresh.
@Suite("Linked cases read once a command")
struct LinkedCaseReadsTests {
    /// The plan back in `maintained` with its review still open (the review's reports recorded by the operator), in `store`.
    static func maintainedPlan(store: any CaseStore = InMemoryCaseStore()) throws -> Engine {
        let engine = try LinkedCaseTests.planWithReview(store: store)
        _ = try engine.fire(FireRequest(caseID: "plan-1", transition: "record_review", actor: .operator(),
                                        input: ["last_reviewed_on": .date(CalendarDate("2025-11-03")!)]))
        _ = try engine.fire(FireRequest(caseID: "plan-1", transition: "keep_plan", actor: .operator()))
        return engine
    }

    /// Listing the plan's transitions evaluates the guard of each step from `maintained` that nothing else blocks (two
    /// of them reading `linked.reviews.any_open`), and loads the review once: the door's own loads and one more, where
    /// each evaluation loaded it before.
    @Test func listingTheTransitionsReadsEachLinkedCaseOnce() throws {
        let store = FailingStore(wrapping: InMemoryCaseStore())
        let engine = try Self.maintainedPlan(store: store)
        store.reset()
        _ = try engine.workflowDefinition(ofCase: "plan-1", as: .operator())
        let door = store.operations.count { $0 == "load" }
        store.reset()
        let available = try engine.availableTransitions(caseID: "plan-1", as: .operator())
        let guards: Set<TransitionBlocker.Code> = [.guardFalse, .guardUndecided]
        #expect(available.count { $0.blockers.contains { guards.contains($0.code) } } > 1, "the test needs several guards evaluated")
        #expect(store.operations.count { $0 == "load" } == door + 1)
    }

    /// The guards read the linked case as stored: the open review blocks each step that waits for it, on the list
    /// and on the fire alike, and a step that does not read it is not blocked by it.
    @Test func theGuardsDecideFromTheLinkedCaseAsStored() throws {
        let engine = try Self.maintainedPlan()
        let available = try engine.availableTransitions(caseID: "plan-1", as: .operator())
        func blockers(_ name: String) throws -> [String] {
            try #require(available.first { $0.name == name }).blockers.map(\.message)
        }
        // Since ehcp-plan version 5 the annual review's guard also keeps a received plan's first review for its own step.
        let reviewGuard = "guard 'not linked.reviews.any_open and (not has(received_on) or linked.reviews.count > 0 or linked.phase_transfers.count > 0)' is false"
        #expect(try blockers("start_annual_review") == [reviewGuard])
        #expect(try blockers("start_council_transfer") == ["guard 'not linked.reviews.any_open' is false"])
        #expect(try blockers("consider_ceasing") == [])
        let refusal = refusalText { () throws(EngineError) in
            _ = try engine.fire(FireRequest(caseID: "plan-1", transition: "start_annual_review", actor: .operator()))
        }
        #expect(refusal?.contains(reviewGuard) == true, "\(refusal ?? "done")")
    }
}

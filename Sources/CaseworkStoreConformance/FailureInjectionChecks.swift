import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

extension StoreConformance {
    /// The engine on a ``FailingStore`` over the driver's store: whichever step of a request fails, the request is
    /// refused as `EngineError.store` (`unavailable`, or `conflict` for an injected conflict), nothing changes, and the
    /// same request then leaves the store as it would have without the failure.
    static let failureInjectionChecks: [Check] = [
        refusesCleanly("the engine refuses an open cleanly when the store fails at any step", conflicts: true, atomic: true) { engine, _ in
            try Fixture.openCase(engine, "c1")
        } run: { (engine) throws(EngineError) in
            _ = try engine.open(workflow: "assessment", as: Fixture.parent, caseID: "c2", fields: ["requested_on": .date(CalendarDate("2025-09-01")!)])
        },
        refusesCleanly("the engine refuses a fire cleanly when the store fails at any step", conflicts: true, atomic: true) { engine, _ in
            try Fixture.openCase(engine, "c1")
        } run: { (engine) throws(EngineError) in
            _ = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: Fixture.caseworker, input: ["evidence_complete": .bool(true)],
                                            idempotencyKey: "k1"))
        },
        refusesCleanly("the engine refuses a form submission cleanly when the store fails at any step", conflicts: true, atomic: true) { engine, _ in
            try Fixture.openCase(engine, "c1")
            _ = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: Fixture.caseworker))
            _ = try engine.fire(FireRequest(caseID: "c1", transition: "agree_to_assess", actor: Fixture.caseworker, input: ["decision_notes": .string("ok")]))
        } run: { (engine) throws(EngineError) in
            _ = try engine.submitForm(caseID: "c1", instance: "advice-1", as: CaseActor.organisation("nhs-trust", role: "health"),
                                      fields: ["summary": .string("x")])
        },
        refusesCleanly("the engine refuses a grant cleanly when the store fails at any step", conflicts: true, atomic: true, underPolicy: true) { engine, _ in
            _ = try engine.open(workflow: "granted", as: Fixture.caseworker, caseID: "g1", fields: ["requested_on": .date(CalendarDate("2025-09-01")!)],
                                attributes: Fixture.staff)
        } run: { (engine) throws(EngineError) in
            _ = try engine.grantAccess(caseID: "g1", grant: AccessGrant(to: .person("jo"), level: "full"), as: Fixture.caseworker, attributes: Fixture.staff,
                                       reason: "identity checked")
        },
        refusesCleanly("the engine refuses a fire that opens a linked case cleanly when the store fails at any step", conflicts: true, atomic: true,
                       linked: true) { engine, _ in
            try Fixture.openPlan(engine, "p1")
        } run: { (engine) throws(EngineError) in
            _ = try engine.fire(FireRequest(caseID: "p1", transition: "start_review", actor: Fixture.caseworker, idempotencyKey: "k1"))
        },
        refusesCleanly("the engine refuses a linked case's report cleanly when the store fails at any step", conflicts: true, atomic: true,
                       linked: true) { engine, _ in
            try Fixture.openPlan(engine, "p1")
            _ = try engine.fire(FireRequest(caseID: "p1", transition: "start_review", actor: Fixture.caseworker))
        } run: { (engine) throws(EngineError) in
            _ = try engine.fire(FireRequest(caseID: "p1.reviews-1", transition: "hold", actor: Fixture.caseworker,
                                            input: ["held_on": .date(CalendarDate("2025-09-01")!)], idempotencyKey: "k2"))
        },
        // A tick commits each action on its own and then rereads the case for the next, so a failure after a commit
        // leaves that action (whole) and a retried tick finds nothing more to do; it rereads after a conflict, so only
        // outright failures are injected.
        refusesCleanly("a failing tick leaves each action whole and a retry finishes the work once", conflicts: false, atomic: false) { engine, clock in
            try Fixture.openCase(engine, "c1")
            clock.advance(by: 36 * 86_400)  // 2025-10-07: the reminder a week before the 13 October deadline is due, the breach is not
        } run: { (engine) throws(EngineError) in
            _ = try engine.tick()
        },
    ]

    /// A check that runs `run` once to count its store operations and see what it writes, then again on a fresh store
    /// failing at each one. Before each run `setUp` is applied without failures; it opens a case, so the engine has
    /// recorded its definitions. An `atomic` request changes nothing when refused; any other leaves the store as it was
    /// before or as the request leaves it (its scenario must make one commit).
    private static func refusesCleanly(
        _ name: String, conflicts: Bool, atomic: Bool, underPolicy: Bool = false, linked: Bool = false, setUp: @escaping @Sendable (Engine, ManualClock) throws -> Void,
        run: @escaping @Sendable (Engine) throws(EngineError) -> Void
    ) -> Check {
        Check(name) { makeStore, expect in
            @Sendable func prepared() throws -> (FailingStore, Engine) {
                let store = FailingStore(wrapping: try makeStore())
                let clock = ManualClock(Fixture.at)
                let engine = try Fixture.engine(store: store, clock: clock, underPolicy: underPolicy, linked: linked)
                try setUp(engine, clock)
                store.reset()
                return (store, engine)
            }
            let (counting, countingEngine) = try prepared()
            try run(countingEngine)
            let steps = counting.operations
            let done = try Fixture.Contents(counting.inner)
            expect.that(!steps.isEmpty, "the request reached the store")
            var faults: [(StoreError, RefusalCode)] = [(.failed("injected failure"), .unavailable), (.busy("injected lock"), .unavailable)]
            if conflicts { faults.append((.revisionConflict(caseID: "c1", expected: 1, actual: 2), .conflict)) }
            for (index, operation) in steps.enumerated() {
                for (fault, code) in faults where code == .unavailable || operation == "commit" {
                    let at = "step \(index + 1) of \(steps.count) (\(operation)) failing with \(fault)"
                    let (store, engine) = try prepared()
                    let before = try Fixture.Contents(store.inner)
                    store.fail(atOperation: index + 1, with: fault)
                    do throws(EngineError) {
                        try run(engine)
                        expect.record("\(at): the request succeeded")
                    } catch {
                        if case .store(let storeError) = error {
                            expect.equal(storeError, fault, "\(at): the store error passed on")
                        } else {
                            expect.record("\(at): refused as \(error), not as the store's error")
                        }
                        expect.equal(error.code, code, "\(at): the refusal code")
                    }
                    let after = try Fixture.Contents(store.inner)
                    if atomic || after != done { expect.equal(after, before, "\(at): the store after the refusal") }
                    store.reset()
                    do {
                        try run(engine)
                    } catch {
                        expect.record("\(at): the same request afterwards was refused: \(error)")
                    }
                    expect.equal(try Fixture.Contents(store.inner), done, "\(at): the store after the request was retried")
                }
            }
        }
    }
}

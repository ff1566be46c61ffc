import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

extension StoreConformance {
    /// Linked cases: a transition that opens a case of a linked workflow, and the linked case's report back, are each
    /// one change of two cases that the store commits both or neither; each chain replays to its record.
    static let linkedCaseChecks: [Check] = [
        Check("a linked case opens with its opener in one change, and a retried request opens no second one") { makeStore, expect in
            let store = try makeStore()
            let engine = try Fixture.engine(store: store, linked: true)
            try Fixture.openPlan(engine, "p1")
            let request = FireRequest(caseID: "p1", transition: "start_review", actor: Fixture.caseworker, idempotencyKey: "k1")
            let first = try engine.fire(request)
            expect.equal(first.record.state, "reviewing", "the plan's state")
            let plan = try store.load(caseID: "p1")
            let review = try store.load(caseID: "p1.reviews-1")
            expect.equal(plan?.links, [CaseLink(name: "reviews", caseID: "p1.reviews-1", workflow: "review", role: .opened)], "the plan's link")
            expect.equal(review?.links, [CaseLink(name: "reviews", caseID: "p1", workflow: "plan", role: .openedBy)], "the review's link")
            expect.equal(review?.fields["child.first_name"], .string("Sam"), "the field mapped from the plan")
            expect.equal(try store.history(caseID: "p1.reviews-1").map(\.actor), [Fixture.caseworker], "the review is opened by whoever fired")
            let again = try engine.fire(request)
            expect.that(again.replayed, "the retry gives back the first result")
            expect.equal(try store.caseIDs().sorted(), ["p1", "p1.reviews-1"], "no second review")
            for id in ["p1", "p1.reviews-1"] {
                expect.equal(try engine.verifyAudit(id, as: .operator()), .intact(events: id == "p1" ? 2 : 1), "\(id)'s chain replays to its record")
            }
        },
        Check("a linked case's report fires on its opener as engine:link in the same change, and a refusal there refuses both") { makeStore, expect in
            let store = try makeStore()
            let engine = try Fixture.engine(store: store, linked: true)
            try Fixture.openPlan(engine, "p1")
            _ = try engine.fire(FireRequest(caseID: "p1", transition: "start_review", actor: Fixture.caseworker))
            let refused = refusalText { () throws(EngineError) in
                _ = try engine.fire(FireRequest(caseID: "p1", transition: "start_review", actor: Fixture.caseworker))
            }
            expect.that(refused?.hasPrefix("blocked") == true, "a second review while one is open: \(refused ?? "done")")
            let held = FireRequest(caseID: "p1.reviews-1", transition: "hold", actor: Fixture.caseworker, input: ["held_on": .date(CalendarDate("2025-09-01")!)])
            let ended = try engine.fire(FireRequest(caseID: "p1", transition: "end", actor: Fixture.caseworker))
            let before = try Fixture.Contents(store)
            let report = refusalText { () throws(EngineError) in _ = try engine.fire(held) }
            expect.that(report?.contains("the case that opened this one cannot record 'record_review'") == true, "the report refused: \(report ?? "done")")
            expect.equal(try Fixture.Contents(store), before, "nothing written")
            expect.equal(ended.record.state, "ended", "the plan ended first")

            let other = try makeStore()
            let fresh = try Fixture.engine(store: other, linked: true)
            try Fixture.openPlan(fresh, "p1")
            _ = try fresh.fire(FireRequest(caseID: "p1", transition: "start_review", actor: Fixture.caseworker))
            _ = try fresh.fire(held)
            let plan = try other.load(caseID: "p1")
            expect.equal(plan?.state, "kept", "the plan recorded the review")
            expect.equal(plan?.fields["reviewed_on"], .date(CalendarDate("2025-09-01")!), "the reported input")
            expect.equal(try other.history(caseID: "p1").last?.actor, CaseActor.linkEngine, "the plan's step is the engine's")
            expect.equal(try other.load(caseID: "p1.reviews-1")?.state, "held", "the review moved with it")
            for id in ["p1", "p1.reviews-1"] {
                expect.equal(try fresh.verifyAudit(id, as: .operator()), .intact(events: id == "p1" ? 3 : 2), "\(id)'s chain replays to its record")
            }
            _ = try fresh.fire(FireRequest(caseID: "p1", transition: "start_review", actor: Fixture.caseworker))
            expect.equal(try other.load(caseID: "p1.reviews-2")?.links.first?.caseID, "p1", "the second review, numbered on")
        },
    ]

}

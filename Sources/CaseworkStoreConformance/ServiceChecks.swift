import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

extension StoreConformance {
    /// The async service over the store's driver: the engine's commands and paged reads end to end, a commit refused
    /// for a concurrent change decided again, and several services on one store changing and ticking it at once.
    static let serviceChecks: [Check] = [
        Check("the service runs every step over the store's async driver") { makeStore, expect in
            let store = try makeStore()
            let service = try await CaseService(catalog: try Fixture.catalog(), driver: store.driver, clock: ManualClock(Fixture.at))
            try await openCase(service, "c1")
            _ = try await service.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: Fixture.caseworker, input: ["evidence_complete": .bool(true)]))
            _ = try await service.fire(FireRequest(caseID: "c1", transition: "agree_to_assess", actor: Fixture.caseworker, input: ["decision_notes": .string("ok")]))
            _ = try await service.submitForm(caseID: "c1", instance: "advice-1", as: CaseActor.organisation("nhs-trust", role: "health"),
                                             fields: ["summary": .string("x")])
            expect.equal(try await service.caseRecord("c1", as: .operator()).forms.first?.status, .submitted, "the submitted form's status")
            expect.equal(try await service.verifyAudit("c1", as: .operator()), .intact(events: 4), "the audit")
            var sequences: [Int] = []
            var page = PageRequest(limit: 3)
            repeat {
                let events = try await service.history("c1", as: .operator(), page: page)
                sequences += events.items.map(\.sequence)
                page.after = events.next
            } while page.after != nil
            expect.equal(sequences, [1, 2, 3, 4], "the history in pages of 3")
            let messages = try await service.outbox(caseID: "c1", as: .operator(), page: PageRequest(limit: 100))
            expect.equal(messages.items.count, 4, "the messages")
            let cases = try await service.cases(visibleTo: .operator(), page: PageRequest(limit: 1))
            expect.equal(cases.items.map(\.id), ["c1"], "the first page of cases")
            expect.equal(try await service.timeline(caseID: "c1", as: .operator()).caseID, "c1", "the timeline")
            do throws(EngineError) {
                _ = try await service.history("c1", as: .operator(), page: PageRequest(after: PageCursor(token: "not a cursor!")))
                expect.record("a cursor the store did not give out was accepted")
            } catch {
                expect.equal(error.code, .invalidInput, "the refusal of a cursor the store did not give out")
            }
        },
        Check("a commit refused for a concurrent change is decided again on the case as it now is") { makeStore, expect in
            let failing = FailingStore(wrapping: try makeStore())
            let service = try await CaseService(catalog: try Fixture.catalog(), driver: failing.driver, clock: ManualClock(Fixture.at))
            try await openCase(service, "c0")
            try await openCase(service, "c1")
            failing.reset()
            _ = try await service.fire(FireRequest(caseID: "c0", transition: "start_deciding", actor: Fixture.caseworker))
            guard let commit = failing.operations.firstIndex(of: "commit") else { return expect.record("a fire did not commit") }
            failing.fail(atOperation: commit + 1, with: .revisionConflict(caseID: "c1", expected: 1, actual: 2))
            let result = try await service.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: Fixture.caseworker))
            expect.equal(result.record.revision, 2, "the revision after the retried fire")
            expect.equal(try failing.inner.history(caseID: "c1").map(\.sequence), [1, 2], "the events: the retried fire once")
            expect.equal(failing.operations.filter { $0 == "commit" }.count, 2, "commits tried")
            failing.reset()
            do throws(EngineError) {
                _ = try await service.fire(FireRequest(caseID: "c1", transition: "agree_to_assess", actor: Fixture.caseworker, input: ["decision_notes": .string("x")],
                                                       expectedRevision: 1))
                expect.record("a fire pinned to an old revision went through")
            } catch {
                expect.equal(error.code, .conflict, "a fire pinned to an old revision")
            }
            expect.equal(try failing.inner.load(caseID: "c1")?.revision, 2, "the case after the refused pinned fire")
        },
        Check("two services on one store: concurrent changes both land, each tick action happens once") { makeStore, expect in
            let store = try makeStore()
            let clock = ManualClock(Fixture.at)
            let first = try await CaseService(catalog: try Fixture.catalog(), driver: store.driver, clock: clock)
            let second = try await CaseService(catalog: try Fixture.catalog(), driver: store.driver, clock: clock)
            try await openCase(first, "c1")
            _ = try await first.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: Fixture.caseworker))
            _ = try await first.fire(FireRequest(caseID: "c1", transition: "agree_to_assess", actor: Fixture.caseworker, input: ["decision_notes": .string("ok")]))
            async let health = first.submitForm(caseID: "c1", instance: "advice-1", as: CaseActor.organisation("nhs-trust", role: "health"),
                                                fields: ["summary": .string("health")])
            async let school = second.submitForm(caseID: "c1", instance: "advice-2", as: CaseActor.organisation("hillside", role: "school"),
                                                 fields: ["summary": .string("school")])
            _ = try await (health, school)
            let record = try await first.caseRecord("c1", as: .operator())
            expect.equal(record.revision, 5, "the revision after two concurrent submissions")
            expect.equal(record.forms.map(\.status), [.submitted, .submitted], "both forms")
            expect.equal(try await second.verifyAudit("c1", as: .operator()), .intact(events: 5), "the audit")

            for id in ["t1", "t2", "t3"] { try await openCase(first, id) }
            var actions: [TickAction] = []
            for days in [36.0, 50.0] {  // 2025-10-07: the reminders a week before the 13 October deadline; 2025-10-21: the breaches
                clock.set(Fixture.at.addingTimeInterval(days * 86_400))
                async let ticksOfFirst = first.tick()
                async let ticksOfSecond = second.tick()
                actions += try await ticksOfFirst + ticksOfSecond
            }
            let applied = actions.map { "\($0.caseID) \($0.deadline) \($0.kind)" }.sorted()
            expect.equal(applied, ["t1 decide breach", "t1 decide reminder", "t2 decide breach", "t2 decide reminder", "t3 decide breach", "t3 decide reminder"],
                         "the actions both tickers applied")
            for id in ["t1", "t2", "t3"] {
                let kinds = try store.history(caseID: id).map(\.action)
                expect.equal(kinds, ["opened", "deadline_reminder", "deadline_breached"], "case \(id)'s events")
            }
            expect.equal(try await first.tick(), [], "a tick with nothing left due")
        },
    ]

    /// Opens case `id` through the service, as the fixture opens one through the engine.
    static func openCase(_ service: CaseService, _ id: String) async throws {
        _ = try await service.open(workflow: "assessment", as: Fixture.parent, caseID: id, fields: [
            "requested_on": .date(CalendarDate("2025-09-01")!), "child.first_name": .string("Sam"),
        ], participants: ["health": "organisation:nhs-trust", "school": "organisation:hillside"])
    }
}

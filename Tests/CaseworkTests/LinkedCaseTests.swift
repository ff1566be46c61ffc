import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkStoreConformance
import CaseworkTime
import Foundation
import Testing

/// Linked cases on the shipped definitions: the plan opened by the needs assessment's final plan, the reviews it opens,
/// the names its guards read, and what each actor is shown of the links.
@Suite("Linked cases")
struct LinkedCaseTests {
    static let staff: [String: ExpressionValue] = ["relationship": .string("caseworker"), "second_factor_verified": .bool(true)]
    static let family: [String: ExpressionValue] = ["relationship": .string("parent"), "second_factor_verified": .bool(true)]
    static let ana = CaseActor(role: "caseworker", id: "ana")
    static let jo = CaseActor(role: "parent", id: "jo")

    /// A plan with its provision secured and a review opened, the parent named on both and granted full access to the plan only,
    /// kept in `store`.
    static func planWithReview(store: any CaseStore = InMemoryCaseStore()) throws -> Engine {
        let clock = ManualClock(CalendarDate("2025-11-03")!.start().addingTimeInterval(9 * 3600))
        let engine = try Engine(catalog: ShippedDefinitionsTests.catalog, store: store, clock: clock)
        _ = try engine.open(workflow: "ehcp-plan", as: .operator(), caseID: "plan-1", fields: [
            "child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2016-02-14")!),
            "plan_issued_on": .date(CalendarDate("2025-01-15")!),
        ], participants: ["parent": "jo"])
        _ = try engine.grantAccess(caseID: "plan-1", grant: AccessGrant(to: .person("jo"), level: "full"), as: .operator(), attributes: [:], reason: "mother")
        _ = try engine.fire(FireRequest(caseID: "plan-1", transition: "secure_provision", actor: ana, input: ["provision_secured_on": .date(CalendarDate("2025-11-03")!)],
                                        attributes: staff))
        _ = try engine.fire(FireRequest(caseID: "plan-1", transition: "start_annual_review", actor: ana, attributes: staff))
        return engine
    }

    @Test func theReviewIsOpenedForThePlanWithItsParticipantsButNotItsGrants() throws {
        let engine = try Self.planWithReview()
        let review = try engine.caseRecord("plan-1.reviews-1", as: .operator())
        #expect(review.workflow == "annual-review")
        #expect(review.participants["parent"] == ["jo"])
        #expect(review.grants.isEmpty)
        #expect(review.fields["last_reviewed_on"] == .date(CalendarDate("2025-01-15")!))
        #expect(review.links == [CaseLink(name: "reviews", caseID: "plan-1", workflow: "ehcp-plan", role: .openedBy)])
    }

    @Test func anActorSeesOnlyTheLinkedCasesTheyMayView() throws {
        let engine = try Self.planWithReview()
        let link = CaseLink(name: "reviews", caseID: "plan-1.reviews-1", workflow: "annual-review", role: .opened)
        #expect(try engine.caseRecord("plan-1", as: Self.ana, attributes: Self.staff).links == [link])
        #expect(try engine.view(caseID: "plan-1", as: Self.ana, attributes: Self.staff).links == [link])
        // The parent may see the plan but holds no grant on the review: the plan names no review to them.
        #expect(try engine.caseRecord("plan-1", as: Self.jo, attributes: Self.family).links == [])
        #expect(try engine.view(caseID: "plan-1", as: Self.jo, attributes: Self.family).links == [])
        _ = try engine.grantAccess(caseID: "plan-1.reviews-1", grant: AccessGrant(to: .person("jo"), level: "full"), as: .operator(), attributes: [:],
                                   reason: "mother")
        #expect(try engine.view(caseID: "plan-1", as: Self.jo, attributes: Self.family).links == [link])
    }

    @Test(arguments: ["record_review", "keep_plan", "record_amendment", "record_ceasing"])
    func noCallerMayActAsTheEngine(_ transition: String) throws {
        let engine = try Self.planWithReview()
        let refusal = refusalText { () throws(EngineError) in
            _ = try engine.fire(FireRequest(caseID: "plan-1", transition: transition, actor: .linkEngine, attributes: Self.staff))
        }
        #expect(refusal?.hasPrefix("invalid_input") == true, "\(refusal ?? "done")")
        let byStaff = refusalText { () throws(EngineError) in
            _ = try engine.fire(FireRequest(caseID: "plan-1", transition: transition, actor: Self.ana, attributes: Self.staff))
        }
        #expect(byStaff?.contains("only engine:link may do this") == true, "\(byStaff ?? "done")")
    }

    @Test func theLinkedNamesAreTypedFromTheLinkedWorkflow() throws {
        let environment = try #require(ShippedDefinitionsTests.catalog.workflows["ehcp-plan"]).names.environment
        guard case .enumeration(let states)? = environment.names["linked.reviews.latest.state"] else {
            Issue.record("linked.reviews.latest.state is not an enumeration")
            return
        }
        let review = try #require(ShippedDefinitionsTests.catalog.workflows["annual-review"]).definition
        #expect(states.values == review.states.map(\.name.value))
        #expect(environment.names["linked.reviews.count"] == .int)
        #expect(environment.names["linked.reviews.any_open"] == .bool)
        #expect(environment.names["linked.reviews.latest.meeting_held_on"] == .date)
        #expect(environment.names["linked.reviews.latest.report_recommendation"].map { if case .enumeration = $0 { true } else { false } } == true)
    }

}

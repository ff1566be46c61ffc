@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkExpressions
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation
import Testing

/// The shipped workflows under one door: each is bound to the portal policy, declares what it is opened
/// with, lets the family give only what their own steps record, and still runs under the policy.
@Suite("Shipped workflows under the portal policy")
struct ShippedDefinitionsTests {
    static let catalog = try! DefinitionCatalog.load(paths: ["Workflows", "Policies"].map { RepositoryPaths.root.appendingPathComponent($0).path })
    static let workflowIDs = ["ehcp-needs-assessment", "annual-review", "tribunal-appeal", "access-request", "plan-amendment", "tribunal-orders", "re-assessment", "ceasing-to-maintain", "phase-transfer", "council-transfer", "mediation", "personal-budget", "ehcp-plan"]
    static let familyRoles: Set = ["parent", "young_person", "carer"]

    @Test(arguments: workflowIDs)
    func everyWorkflowIsBoundAndEveryRoleIsARecipient(id: String) throws {
        let workflow = try #require(Self.catalog.workflows[id]).definition
        #expect(workflow.policyName == "send-portal")
        #expect(!workflow.declaresNoPolicy)
        #expect(workflow.openingInput?.isEmpty == false, "the opening input is declared")
        let policy = try #require(Self.catalog.policies["send-portal"]).definition
        let profiles = Set(policy.recipients.map(\.role.value))
        #expect(workflow.roles.map(\.value).filter { !profiles.contains($0) } == [], "roles without a recipients profile")
    }

    /// Every step the family may take, and exactly the fields it takes: nothing of the child's details or the
    /// authority's decisions. A new family step fails the test until it is added here, and so reviewed.
    static let familySteps: [String: Set<String>] = [
        "ehcp-needs-assessment/make_representations": ["requested_school", "meeting_requested", "personal_budget_requested", "no_further_representations"],
        "ehcp-needs-assessment/withdraw_request": ["withdrawn_on", "withdrawal_reason"],
        "annual-review/make_amendment_representations": ["amendment_representations", "requested_school", "meeting_with_officer_requested", "no_further_representations"],
        "annual-review/close_amendment_representations": ["no_further_representations"],
        "annual-review/give_views_on_ceasing": ["family_views_on_ceasing"],
        "tribunal-appeal/contact_mediation_adviser": ["mediation_adviser_contacted_on"],
        "tribunal-appeal/appeal_about_placement_only": [],
        "tribunal-appeal/lodge_appeal_without_mediation": ["appeal_lodged_on", "placement_only", "tribunal_reference"],
        "tribunal-appeal/decline_mediation": ["mediation_declined_on"],
        "tribunal-appeal/request_mediation": ["mediation_requested_on", "mediation_issues"],
        "tribunal-appeal/lodge_appeal": ["appeal_lodged_on", "tribunal_reference"],
        "tribunal-appeal/decide_not_to_appeal": [],
        "access-request/withdraw": [],
        "plan-amendment/make_representations": ["amendment_representations", "requested_school", "meeting_with_officer_requested", "no_further_representations"],
        "plan-amendment/close_representations": ["no_further_representations"],
        "tribunal-orders/make_representations": ["draft_representations", "requested_school", "meeting_requested", "no_further_representations"],
        "re-assessment/make_representations": ["draft_representations", "requested_school", "meeting_requested", "no_further_representations"],
        "ceasing-to-maintain/give_views_on_ceasing": ["family_views_on_ceasing"],
        "phase-transfer/state_preference": ["preferred_institution", "family_views"],
        "phase-transfer/make_representations": ["amendment_representations", "requested_institution", "meeting_with_officer_requested", "no_further_representations"],
        "phase-transfer/close_representations": ["no_further_representations"],
        "mediation/contact_mediation_adviser": ["adviser_contacted_on"],
        "mediation/decline_mediation": ["mediation_declined_on"],
        "mediation/request_mediation": ["authority_told_on", "mediation_issues", "mediation_scope"],
        "mediation/request_mediation_with_health_issues": ["authority_told_on", "mediation_issues", "mediation_scope", "health_care_wanted"],
        "personal-budget/ask_for_review": ["review_requested_on", "review_representations"],
        "personal-budget/ask_to_reconsider": ["reconsideration_request"],
        "personal-budget/ask_to_reconsider_reduction": ["reduction_representations"],
        "personal-budget/withdraw_consent": ["consent_withdrawn_on"],
    ]

    @Test func theFamilyGivesOnlyWhatTheirOwnStepsRecord() throws {
        var found: [String: Set<String>] = [:]
        for id in Self.workflowIDs {
            let workflow = try #require(Self.catalog.workflows[id]).definition
            for transition in workflow.transitions where transition.by.contains(where: { Self.familyRoles.contains($0.value) }) {
                found["\(id)/\(transition.name.value)"] = Set(transition.input.map(\.field.value))
            }
        }
        #expect(found == Self.familySteps)
        #expect(!found.values.contains { $0.contains { $0.hasPrefix("child.") || $0.hasPrefix("assessment_decision") || $0.hasPrefix("decision_") } })
    }

    static let staff: [String: ExpressionValue] = ["relationship": .string("caseworker"), "second_factor_verified": .bool(true)]
    static func family(_ relationship: String) -> [String: ExpressionValue] {
        ["relationship": .string(relationship), "second_factor_verified": .bool(true)]
    }
    static let professional: [String: ExpressionValue] = ["relationship": .string("professional"), "second_factor_verified": .bool(true)]

    @Test func theRequesterFollowsAndMayWithdrawTheirOwnAccessRequestAndNobodyElseMay() throws {
        let engine = try Engine(catalog: Self.catalog, store: InMemoryCaseStore(), clock: ManualClock(EngineFixtures.start))
        _ = try engine.open(workflow: "access-request", as: CaseActor(role: "carer", id: "carer-k"), caseID: "r1", fields: [
            "requester_id": .string("carer-k"), "relationship": .string("carer"), "child_case": .string("child-1"),
        ], participants: ["carer": "carer-k"], attributes: Self.family("carer"))
        let checking = try engine.fire(FireRequest(caseID: "r1", transition: "start_checks", actor: CaseActor(role: "caseworker", id: "ana"), attributes: Self.staff))
        #expect(checking.notifications.filter { $0.channel == .portal }.map(\.recipientID) == ["carer-k"], "the requester is told, with no grant on the request")
        #expect { try engine.fire(FireRequest(caseID: "r1", transition: "withdraw", actor: CaseActor(role: "carer", id: "carer-z"), attributes: Self.family("carer"))) } throws: { error in
            guard case EngineError.forbidden = error else { return false }
            return true
        }
        let withdrawn = try engine.fire(FireRequest(caseID: "r1", transition: "withdraw", actor: CaseActor(role: "carer", id: "carer-k"), attributes: Self.family("carer")))
        #expect(withdrawn.record.state == "withdrawn")
    }

    @Test func theTribunalAppealsPartiesActWithTheirGrants() throws {
        let engine = try Engine(catalog: Self.catalog, store: InMemoryCaseStore(), clock: ManualClock(EngineFixtures.start))
        let caseworker = CaseActor(role: "caseworker", id: "ana")
        let adviser = CaseActor.organisation("mediation-co", role: "mediation_service")
        let parent = CaseActor(role: "parent", id: "jo")
        _ = try engine.open(workflow: "tribunal-appeal", as: caseworker, caseID: "t1", fields: [
            "child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2016-02-14")!),
            "decision_type": .string("refusal_to_assess"), "decision_letter_on": .date(CalendarDate("2025-08-20")!), "decision_case": .string("child-1"),
        ], participants: ["parent": "jo", "mediation_service": "organisation:mediation-co"], attributes: Self.staff)
        let contact = FireRequest(caseID: "t1", transition: "contact_mediation_adviser", actor: adviser,
                                  input: ["mediation_adviser_contacted_on": .date(CalendarDate("2025-08-28")!)], attributes: Self.professional)
        #expect(throws: EngineError.self, "no grant yet: the adviser cannot act on the case") { try engine.fire(contact) }
        for grantee in [Principal.organisation("mediation-co"), .person("jo")] {
            _ = try engine.grantAccess(caseID: "t1", grant: AccessGrant(to: grantee, level: "full"), as: caseworker, attributes: Self.staff, reason: "party to the appeal")
        }
        #expect(try engine.fire(contact).record.state == "mediation_advice")
        let requested = try engine.fire(FireRequest(caseID: "t1", transition: "request_mediation", actor: parent, input: [
            "mediation_requested_on": .date(CalendarDate("2025-09-01")!), "mediation_issues": .string("Speech and language therapy"),
        ], attributes: Self.family("parent")))
        #expect(requested.record.state == "mediating")
    }
}

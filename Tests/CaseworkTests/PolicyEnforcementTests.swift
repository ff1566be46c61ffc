@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkExpressions
@testable import CaseworkStore
import Foundation
import Testing

/// A workflow that names a policy: every action needs the policy's allow as well as the `by:` roles.
@Suite("Policy enforcement in the engine")
struct PolicyEnforcementTests {
    static let workflow = EngineFixtures.workflow.replacingOccurrences(of: "title: Needs assessment\n", with: "title: Needs assessment\npolicy: portal\n")
        + """
        exceptions:
          reg-10-4-a: { cites: "Regs 10(4)(a)", applies_to: [decide], effect: pause }
        deadlines:
          - { name: decide, from: requested_on, due: 6 weeks, until: [decided], on_breach: { notify: [send_manager] } }

        """

    static let policy = """
        policy: portal
        version: 1
        title: Portal
        actor:
          second_factor_verified: bool
          relationship: { one_of: [parent, professional, caseworker] }
        levels: [full, limited, none]
        resources:
          case: [state, deadlines, fields]
          advice_form: [content]
        rules:
          - { id: second-factor, deny: [all], when: not actor.second_factor_verified, reason: "Sign in with your emailed code." }
          - { id: staff, allow: [all], when: actor.relationship == "caseworker" }
          - { id: parents, allow: [view, submit], on: [case], when: actor.relationship == "parent" and grant.level == "full" }
          - { id: professionals, allow: [submit, view], on: [advice_form], when: actor.relationship == "professional" and grant.level == "full" }
          - { id: limited, allow: [view], on: [case.state, case.deadlines], when: grant.level == "limited" }
        recipients:
          parent: { relationship: parent, second_factor_verified: "true" }
          health: { relationship: professional, second_factor_verified: "true" }
          school: { relationship: professional, second_factor_verified: "true" }
          caseworker: { relationship: caseworker, second_factor_verified: "true" }
          send_manager: { relationship: caseworker, second_factor_verified: "true" }

        """

    static let staff: [String: ExpressionValue] = ["relationship": .string("caseworker"), "second_factor_verified": .bool(true)]
    static let professional: [String: ExpressionValue] = ["relationship": .string("professional"), "second_factor_verified": .bool(true)]

    static func engine(store: any CaseStore) throws -> Engine {
        let catalog = try DefinitionCatalog.load(sources: [(file: "assessment.yaml", text: workflow), (file: "advice.yaml", text: EngineFixtures.form),
                                                          (file: "portal.yaml", text: policy)])
        return try Engine(catalog: catalog, store: store, clock: ManualClock(EngineFixtures.start))
    }

    @Test func firingNeedsThePolicysAllowAndARefusalSaysWhy() throws {
        let store = InMemoryCaseStore()
        let engine = try Self.engine(store: store)
        try EngineFixtures.openCase(engine, as: EngineFixtures.caseworker, attributes: Self.staff)
        let before = try EngineFixtures.Snapshot(store, caseID: "c1")
        #expect {
            try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: EngineFixtures.caseworker, input: ["evidence_complete": .bool(true)],
                                        attributes: ["relationship": .string("caseworker"), "second_factor_verified": .bool(false)]))
        } throws: { error in
            guard case EngineError.forbidden(let reasons) = error else { return false }
            return reasons == ["Sign in with your emailed code."] && (error as? EngineError)?.code == .forbidden
        }
        #expect(try EngineFixtures.Snapshot(store, caseID: "c1") == before)
        let fired = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: EngineFixtures.caseworker,
                                                input: ["evidence_complete": .bool(true)], attributes: Self.staff))
        #expect(fired.record.state == "deciding")
        #expect(throws: EngineError.self, "without attributes the second-factor deny cannot be ruled out, so not even the transitions are shown") {
            try engine.availableTransitions(caseID: "c1", as: EngineFixtures.caseworker)
        }
        let parent = CaseActor(role: "parent", id: "parent-jo")
        let parentAttributes: [String: ExpressionValue] = ["relationship": .string("parent"), "second_factor_verified": .bool(true)]
        #expect(throws: EngineError.self, "no grant: not even the transitions") { try engine.availableTransitions(caseID: "c1", as: parent, attributes: parentAttributes) }
        _ = try engine.grantAccess(caseID: "c1", grant: AccessGrant(to: .person("parent-jo"), level: "full"), as: EngineFixtures.caseworker, attributes: Self.staff, reason: "parent")
        let blockers = try engine.availableTransitions(caseID: "c1", as: parent, attributes: parentAttributes).first { $0.name == "agree_to_assess" }?.blockers
        #expect(blockers?.map(\.code) == [.roleNotAllowed])
    }

    @Test func formStepsAndDeadlineChangesNeedThePolicyToo() throws {
        let engine = try Self.engine(store: InMemoryCaseStore())
        try EngineFixtures.openCase(engine, as: EngineFixtures.caseworker, attributes: Self.staff)
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: EngineFixtures.caseworker, input: ["evidence_complete": .bool(true)], attributes: Self.staff))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "agree_to_assess", actor: EngineFixtures.caseworker, input: ["decision_notes": .string("ok")], attributes: Self.staff))
        let health = CaseActor.organisation("nhs-trust", role: "health")
        #expect { _ = try engine.submitForm(caseID: "c1", instance: "advice-1", as: health, fields: ["summary": .string("x")], attributes: Self.professional) } throws: {
            "\($0)" == "you may not do this: you have not been given access to this case"
        }
        _ = try engine.grantAccess(caseID: "c1", grant: AccessGrant(to: .organisation("nhs-trust"), level: "full"), as: EngineFixtures.caseworker, attributes: Self.staff, reason: "advice requested")
        let submitted = try engine.submitForm(caseID: "c1", instance: "advice-1", as: health, fields: ["summary": .string("x")], attributes: Self.professional)
        #expect(submitted.record.forms[0].status == .submitted)
        #expect(throws: EngineError.self) {
            _ = try engine.pauseDeadline(caseID: "c1", deadline: "decide", as: CaseActor(role: "send_manager", id: "sam"), reason: "closure", exception: "reg-10-4-a")
        }
        _ = try engine.pauseDeadline(caseID: "c1", deadline: "decide", as: CaseActor(role: "send_manager", id: "sam"), reason: "closure", exception: "reg-10-4-a",
                                     attributes: Self.staff)
        #expect(try engine.caseRecord("c1", as: .operator()).deadlines.first?.status == .paused)
    }

    /// The door asks about the resource the form names, not a fixed one: a policy that calls its form resource
    /// `report_form` lets a professional view and submit that form, and nothing about `advice_form` is needed.
    @Test func formStepsAreDecidedOnTheFormsOwnResource() throws {
        let policy = Self.policy.replacingOccurrences(of: "advice_form", with: "report_form")
        let form = EngineFixtures.form.replacingOccurrences(of: "resource: advice_form", with: "resource: report_form")
        let catalog = try DefinitionCatalog.load(sources: [(file: "assessment.yaml", text: Self.workflow), (file: "advice.yaml", text: form),
                                                          (file: "portal.yaml", text: policy)])
        let engine = try Engine(catalog: catalog, store: InMemoryCaseStore(), clock: ManualClock(EngineFixtures.start))
        try EngineFixtures.openCase(engine, as: EngineFixtures.caseworker, attributes: Self.staff)
        _ = try engine.grantAccess(caseID: "c1", grant: AccessGrant(to: .organisation("nhs-trust"), level: "full"), as: EngineFixtures.caseworker, attributes: Self.staff, reason: "advice")
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: EngineFixtures.caseworker, input: ["evidence_complete": .bool(true)], attributes: Self.staff))
        let agreed = try engine.fire(FireRequest(caseID: "c1", transition: "agree_to_assess", actor: EngineFixtures.caseworker, input: ["decision_notes": .string("ok")], attributes: Self.staff))
        #expect(agreed.notifications.filter { $0.channel == .portal }.map(\.recipientID) == ["organisation:nhs-trust"], "the form notice is decided on 'report_form'")
        let health = CaseActor.organisation("nhs-trust", role: "health")
        #expect(try engine.formDefinition(caseID: "c1", instance: "advice-1", as: health, attributes: Self.professional).id.value == "advice")
        let submitted = try engine.submitForm(caseID: "c1", instance: "advice-1", as: health, fields: ["summary": .string("x")], attributes: Self.professional)
        #expect(submitted.record.forms.map(\.id) == ["advice-1"], "only their own form, seen through 'view' on 'report_form'")
        #expect(submitted.record.forms.first?.status == .submitted)

        let elsewhere = Self.policy.replacingOccurrences(of: "on: [advice_form]", with: "on: [case.state]")
            .replacingOccurrences(of: "advice_form: [content]", with: "advice_form: [content]\n  report_form: [content]")
        let refusing = try Engine(catalog: DefinitionCatalog.load(sources: [(file: "assessment.yaml", text: Self.workflow), (file: "advice.yaml", text: form),
                                                                           (file: "portal.yaml", text: elsewhere)]),
                                  store: InMemoryCaseStore(), clock: ManualClock(EngineFixtures.start))
        try EngineFixtures.openCase(refusing, as: EngineFixtures.caseworker, attributes: Self.staff)
        _ = try refusing.grantAccess(caseID: "c1", grant: AccessGrant(to: .organisation("nhs-trust"), level: "full"), as: EngineFixtures.caseworker, attributes: Self.staff, reason: "advice")
        _ = try refusing.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: EngineFixtures.caseworker, input: ["evidence_complete": .bool(true)], attributes: Self.staff))
        _ = try refusing.fire(FireRequest(caseID: "c1", transition: "agree_to_assess", actor: EngineFixtures.caseworker, input: ["decision_notes": .string("ok")], attributes: Self.staff))
        #expect(throws: EngineError.self, "no rule allows 'submit' on 'report_form'") {
            try refusing.submitForm(caseID: "c1", instance: "advice-1", as: health, fields: ["summary": .string("x")], attributes: Self.professional)
        }
    }

    @Test(arguments: [
        ("full", "We received the request about Sam on 1 September 2025.", NoticeChannel.portal),
        ("limited", "We received the request about (withheld) on (withheld).", .portal),
        ("none", "We received the request about (withheld) on (withheld).", .other),
    ])
    func notificationsRespectEachRecipientsAccess(level: String, body: String, channel: NoticeChannel) throws {
        let store = InMemoryCaseStore()
        let engine = try Self.engine(store: store)
        try EngineFixtures.openCase(engine, as: EngineFixtures.caseworker, attributes: Self.staff)
        _ = try engine.grantAccess(caseID: "c1", grant: AccessGrant(to: .person("parent"), level: level), as: EngineFixtures.caseworker, attributes: Self.staff, reason: "decided by panel")
        let fired = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: EngineFixtures.caseworker, input: ["evidence_complete": .bool(true)], attributes: Self.staff))
        #expect(fired.notifications.first?.body == body)
        #expect(fired.notifications.map(\.channel) == [channel], "one notice, through the portal only where the policy lets them see the case")
        #expect(fired.notifications.first?.owedReason == (channel == .other ? .noParticipant : nil), "the case names no parent, and the role alone may not see it")
        #expect(fired.notifications.allSatisfy { !$0.subject.contains("Sam") && !$0.body.contains(level == "full" ? "(withheld)" : "Sam") })
    }

    @Test func formNoticesGoOnlyToOrganisationsWithAccess() throws {
        let engine = try Self.engine(store: InMemoryCaseStore())
        try EngineFixtures.openCase(engine, as: EngineFixtures.caseworker, attributes: Self.staff)
        _ = try engine.grantAccess(caseID: "c1", grant: AccessGrant(to: .organisation("nhs-trust"), level: "full"), as: EngineFixtures.caseworker, attributes: Self.staff, reason: "advice")
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: EngineFixtures.caseworker, input: ["evidence_complete": .bool(true)], attributes: Self.staff))
        let agreed = try engine.fire(FireRequest(caseID: "c1", transition: "agree_to_assess", actor: EngineFixtures.caseworker, input: ["decision_notes": .string("ok")], attributes: Self.staff))
        #expect(agreed.notifications.filter { $0.channel == .portal }.map(\.recipientID) == ["organisation:nhs-trust"], "hillside has no grant yet, so not through the portal")
        #expect(agreed.notifications.filter { $0.channel == .other }.map(\.recipientID) == ["organisation:hillside"], "but its notice is owed by another route")
        #expect(agreed.record.forms.count == 2, "the form is still shared; the organisation sees it once granted")
    }

    @Test func workflowsWithoutAPolicyRunOnTheirRolesAlone() throws {
        let engine = try EngineFixtures.engine()
        try EngineFixtures.openCase(engine, as: EngineFixtures.caseworker, attributes: Self.staff)
        let fired = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: EngineFixtures.caseworker, input: ["evidence_complete": .bool(true)]))
        #expect(fired.record.state == "deciding")
    }
}

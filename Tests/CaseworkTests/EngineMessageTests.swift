@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkExpressions
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation
import Testing

/// The messages the engine sends from its own steps are worded by the workflow's templates (or a form's), never by the
/// engine, and show each recipient only the fields they may see.
@Suite("Engine: its own messages come from the workflow's templates")
struct EngineMessageTests {
    /// A wording of every engine message unlike the shipped one, each also showing a case field.
    static let custom = """
          form_shared:
            subject: "Shared {{ form.title }} ({{ form.instance }})"
            body: "Due {{ form.due_on }} for {{ child.first_name }}."
          form_submitted:
            subject: "Submitted {{ form.instance }}"
            body: "By {{ form.submitted_by }} for {{ child.first_name }}."
          form_accepted:
            subject: "Accepted {{ form.instance }}"
            body: "{{ form.title }} accepted for {{ child.first_name }}."
          form_returned:
            subject: "Returned {{ form.instance }}"
            body: "Needed: {{ form.information_required }} for {{ child.first_name }}."
          deadline_reminder:
            subject: "Soon: {{ deadline.title }}"
            body: "{{ deadline.days_left }} days to {{ deadline.due_on }} for {{ child.first_name }}."
          deadline_missed:
            subject: "Missed: {{ deadline.title }}"
            body: "Not yet {{ deadline.until }} for {{ child.first_name }}."
        """ + "\n"

    static let deadline = """
        deadlines:
          - { name: decide, title: Decide whether to assess, from: requested_on, due: 6 weeks, until: [decided], remind: [1 week before], on_breach: { notify: [send_manager] } }

        """

    static let workflow = EngineFixtures.workflow.replacingOccurrences(of: EngineFixtures.messageTemplates, with: custom) + deadline

    static func day(_ text: String) -> Date { CalendarDate(text)!.start().addingTimeInterval(9 * 3600) }

    /// An engine on `workflow` and `form` (and `policy`, when given), with case `c1` assessing and its forms shared.
    static func assessing(
        workflow: String = workflow, form: String = EngineFixtures.form, policy: String? = nil
    ) throws -> (Engine, InMemoryCaseStore, ManualClock) {
        var sources = [(file: "assessment.yaml", text: workflow), (file: "advice.yaml", text: form)]
        if let policy { sources.append((file: "portal.yaml", text: policy)) }
        let store = InMemoryCaseStore()
        let clock = ManualClock(EngineFixtures.start)
        let engine = try Engine(catalog: DefinitionCatalog.load(sources: sources), store: store, clock: clock)
        let staff: [String: ExpressionValue] = policy == nil ? [:] : PolicyEnforcementTests.staff
        try EngineFixtures.openCase(engine, as: EngineFixtures.caseworker, attributes: staff)
        if policy != nil {
            _ = try engine.grantAccess(caseID: "c1", grant: AccessGrant(to: .organisation("nhs-trust"), level: "full"), as: EngineFixtures.caseworker,
                                       attributes: staff, reason: "advice")
        }
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: EngineFixtures.caseworker, input: ["evidence_complete": .bool(true)],
                                        attributes: staff))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "agree_to_assess", actor: EngineFixtures.caseworker, input: ["decision_notes": .string("ok")],
                                        attributes: staff))
        return (engine, store, clock)
    }

    static func lines(_ messages: [OutboxMessage]) -> [String] {
        messages.map { "\($0.recipientRole) [\($0.template)] \($0.subject) | \($0.body)" }
    }

    @Test func aWorkflowWordsEveryMessageTheEngineSends() throws {
        let (engine, store, clock) = try Self.assessing()
        let health = CaseActor.organisation("nhs-trust", role: "health")
        _ = try engine.submitForm(caseID: "c1", instance: "advice-1", as: health, fields: ["summary": .string("OT")])
        _ = try engine.rejectForm(caseID: "c1", instance: "advice-1", as: EngineFixtures.caseworker, informationRequired: "Hours per week")
        _ = try engine.submitForm(caseID: "c1", instance: "advice-1", as: health, fields: ["summary": .string("OT"), "hours": .decimal(2)])
        _ = try engine.acceptForm(caseID: "c1", instance: "advice-1", as: EngineFixtures.caseworker)
        clock.set(Self.day("2025-10-06"))
        #expect(try engine.tick().map(\.kind) == ["reminder"])
        clock.set(Self.day("2025-10-14"))
        #expect(try engine.tick().map(\.kind) == ["breach"])
        #expect(Self.lines(try store.outbox(caseID: "c1").filter { $0.template != "deciding" }) == [
            "health [form_shared] Shared Professional advice (advice-1) | Due 13 October 2025 for Sam.",
            "school [form_shared] Shared Professional advice (advice-2) | Due 13 October 2025 for Sam.",
            "caseworker [form_submitted] Submitted advice-1 | By \(health) for Sam.",
            "health [form_rejected] Returned advice-1 | Needed: Hours per week for Sam.",
            "caseworker [form_submitted] Submitted advice-1 | By \(health) for Sam.",
            "health [form_accepted] Accepted advice-1 | Professional advice accepted for Sam.",
            "caseworker [deadline_reminder] Soon: Decide whether to assess | 7 days to 13 October 2025 for Sam.",
            "send_manager [deadline_breached] Missed: Decide whether to assess | Not yet Decided for Sam.",
        ])
    }

    @Test func aFormsOwnMessagesTakeThePlaceOfTheWorkflows() throws {
        let form = EngineFixtures.form + "messages: { form_shared: finished }\n"
        let (_, store, _) = try Self.assessing(form: form)
        #expect(Self.lines(try store.outbox(caseID: "c1").filter { $0.template == "form_shared" }) == [
            "health [form_shared] Case c1: Gathering advice | All advice is in.",
            "school [form_shared] Case c1: Gathering advice | All advice is in.",
        ])
    }

    @Test func withoutATemplateTheMessageIsItsTitleAndValues() throws {
        let workflow = EngineFixtures.workflow.replacingOccurrences(of: EngineFixtures.messageTemplates, with: "")
            .replacingOccurrences(of: EngineFixtures.messages, with: "") + Self.deadline
        let warnings = Validator.validate(sources: [(file: "assessment.yaml", text: workflow), (file: "advice.yaml", text: EngineFixtures.form)]).diagnostics
        #expect(warnings.map(\.message) == ["workflow 'assessment' names no template for the messages 'form_shared', 'form_submitted', 'form_accepted', 'form_returned', 'reminder', 'breach'"])
        let (_, store, _) = try Self.assessing(workflow: workflow)
        let shared = try #require(try store.outbox(caseID: "c1").first { $0.template == "form_shared" })
        #expect(shared.subject == "Professional advice")
        #expect(shared.body == "case.id: c1\nform.title: Professional advice\nform.instance: advice-1\nform.due_on: 13 October 2025")
    }

    @Test func eachRecipientSeesOnlyTheFieldsTheyMayInTheseMessagesToo() throws {
        let workflow = Self.workflow.replacingOccurrences(of: "title: Needs assessment\n", with: "title: Needs assessment\npolicy: portal\n")
        let (engine, store, _) = try Self.assessing(workflow: workflow, policy: PolicyEnforcementTests.policy)
        let health = CaseActor.organisation("nhs-trust", role: "health")
        _ = try engine.submitForm(caseID: "c1", instance: "advice-1", as: health, fields: ["summary": .string("OT")], attributes: PolicyEnforcementTests.professional)
        let formMessages = try store.outbox(caseID: "c1").filter { $0.template.hasPrefix("form_") }
        #expect(Self.lines(formMessages) == [
            "health [form_shared] Shared Professional advice (advice-1) | Due 13 October 2025 for (withheld).",
            "school [form_shared] Shared Professional advice (advice-2) | Due 13 October 2025 for (withheld).",
            "caseworker [form_submitted] Submitted advice-1 | By \(health) for Sam.",
        ], "health may view its form but not the case's fields; hillside has no grant, so its notice is owed, showing no field")
        #expect(try store.outbox(caseID: "c1").filter { $0.recipientRole == "school" }.map(\.owedReason) == [.noPortalAccess])
    }
}

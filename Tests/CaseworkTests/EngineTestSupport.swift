@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkExpressions
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation

/// A small assessment workflow and advice form, and an engine on a store, for engine and store tests.
enum EngineFixtures {
    static let workflow = """
        workflow: assessment
        version: 1
        title: Needs assessment
        roles: [parent, caseworker, send_manager, health, school]
        fields:
          requested_on: date
          evidence_complete: bool
          decision_notes: text
          child: { first_name: string, date_of_birth: date }
          requested_by: { one_of: [parent, school] }
        states:
          requested: { initial: true, title: Request received }
          deciding: { title: Deciding whether to assess }
          assessing: { title: Gathering advice }
          decided: { title: Decided, final: true }
        transitions:
          - name: start_deciding
            from: requested
            to: deciding
            by: [caseworker]
            input: { evidence_complete: optional }
            when: evidence_complete
            notify: [{ to: [parent], template: deciding }]
          - name: agree_to_assess
            from: deciding
            to: assessing
            by: [caseworker, send_manager]
            input: { decision_notes: required }
            when: has(decision_notes)
            start_forms: [{ form: advice, for: [health, school] }]
          - name: finish
            from: assessing
            to: decided
            by: [caseworker]
            when: forms.advice.all_accepted
            notify: [{ to: [parent], template: finished }]
        templates:
          deciding:
            subject: "Case {{ case.id }}: we are deciding whether to assess"
            body: "We received the request about {{ child.first_name }} on {{ requested_on }}."
          finished:
            subject: "Case {{ case.id }}: {{ case.state_title }}"
            body: "All advice is in."
        \(messageTemplates)\(messages)

        """

    /// The templates of the engine's own messages (form cycle, reminder, breach), as entries of `templates:`, in the
    /// wording the shipped workflows use.
    static let messageTemplates = """
          form_shared:
            subject: "A form has been shared with you: {{ form.title }}"
            body: "Case {{ case.id }} needs '{{ form.title }}' from you by {{ form.due_on }}. Form reference: {{ form.instance }}."
          form_submitted:
            subject: "A form was submitted: {{ form.title }}"
            body: "{{ form.submitted_by }} submitted form '{{ form.instance }}' on case {{ case.id }}. Accept it or reject it with the information required."
          form_accepted:
            subject: "Your form was accepted: {{ form.title }}"
            body: "Form '{{ form.instance }}' on case {{ case.id }} was accepted. Thank you."
          form_returned:
            subject: "More information is needed: {{ form.title }}"
            body: "Form '{{ form.instance }}' on case {{ case.id }} was returned. Information required: {{ form.information_required }}"
          deadline_reminder:
            subject: "Reminder: {{ deadline.title }} is due on {{ deadline.due_on }}"
            body: "Case {{ case.id }}: '{{ deadline.title }}' is due on {{ deadline.due_on }}. Days left: {{ deadline.days_left }}."
          deadline_missed:
            subject: "Time limit missed: {{ deadline.title }}"
            body: "Case {{ case.id }}: '{{ deadline.title }}' was due on {{ deadline.due_on }} and the case has not reached: {{ deadline.until }}."
        """ + "\n"

    /// The `messages:` key naming ``messageTemplates`` for each of the engine's messages.
    static let messages = """
        messages:
          form_shared: form_shared
          form_submitted: form_submitted
          form_accepted: form_accepted
          form_returned: form_returned
          reminder: deadline_reminder
          breach: deadline_missed
        """ + "\n"

    static let form = """
        form: advice
        version: 1
        title: Professional advice
        due: 6 weeks
        shared_with: [health, school]
        accepted_by: [caseworker]
        resource: advice_form
        fields:
          summary: text
          hours: decimal

        """

    static let start = Date(timeIntervalSince1970: 1_756_717_200)  // 2025-09-01 09:00 UTC

    static func catalog(workflow: String = workflow, form: String = form) throws -> DefinitionCatalog {
        try DefinitionCatalog.load(sources: [(file: "assessment.yaml", text: workflow), (file: "advice.yaml", text: form)])
    }

    static func engine(store: any CaseStore = InMemoryCaseStore(), clock: ManualClock = ManualClock(start)) throws -> Engine {
        try Engine(catalog: catalog(), store: store, clock: clock)
    }

    static let caseworker = CaseActor(role: "caseworker", id: "cw-ana")
    static let parent = CaseActor(role: "parent", id: "parent-jo")

    /// Opens case `c1` with a request date and a child.
    @discardableResult
    static func openCase(_ engine: Engine, id: String = "c1", as opener: CaseActor = parent, attributes: [String: ExpressionValue] = [:]) throws -> CaseRecord {
        try engine.open(workflow: "assessment", as: opener, caseID: id, fields: [
            "requested_on": .date(CalendarDate("2025-09-01")!),
            "child.first_name": .string("Sam"),
            "requested_by": .string("parent"),
        ], participants: ["health": "organisation:nhs-trust", "school": "organisation:hillside"], attributes: attributes).record
    }

    /// Everything a refusal must leave unchanged.
    struct Snapshot: Equatable {
        var record: CaseRecord?
        var events: [AuditEvent]
        var outbox: [OutboxMessage]

        init(_ store: any CaseStore, caseID: String) throws {
            record = try store.load(caseID: caseID)
            events = try store.history(caseID: caseID)
            outbox = try store.outbox(caseID: caseID)
        }
    }
}

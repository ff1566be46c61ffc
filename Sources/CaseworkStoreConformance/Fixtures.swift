import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// Records, events and messages the checks write by hand, and a small workflow for the engine checks; the record,
/// message and time are public so a driver's own tests build the same values the suite does.
public enum Fixture {
    /// The instant every hand-made record starts at: 2025-09-01 09:00 UTC.
    public static let at = Date(timeIntervalSince1970: 1_756_717_200)

    /// A case record at `revision`, in `state`, with a date, a decimal, a list, a participant and a form instance.
    public static func record(_ id: String, revision: Int = 1, state: String = "requested", head: String = "h") -> CaseRecord {
        CaseRecord(id: id, workflow: "assessment", workflowVersion: 1, state: state, revision: revision,
                   fields: ["requested_on": .date(CalendarDate("2025-09-01")!), "hours": .decimal(Decimal(string: "2.5")!), "tags": .list([.string("a")])],
                   participants: ["school": "hillside"],
                   forms: [FormInstance(id: "advice-1", form: "advice", formVersion: 1, recipientRole: "school", recipientID: "hillside", status: .shared,
                                        fields: [:], dueOn: CalendarDate("2025-10-13")!, submissions: 0, informationRequired: nil)],
                   openedAt: at, updatedAt: at.addingTimeInterval(Double(revision)), auditHead: head)
    }

    static func event(_ id: String, _ sequence: Int, previous: String) -> AuditEvent {
        AuditEvent(caseID: id, sequence: sequence, at: at.addingTimeInterval(Double(sequence)), actor: CaseActor(role: "caseworker", id: "ana"),
                   action: sequence == 1 ? "opened" : "fired", subject: "t", fromState: sequence == 1 ? nil : "requested", toState: "requested",
                   revision: sequence, input: ["n": .int(sequence)], previousHash: previous)
    }

    /// An outbox message for the parent of `caseID`.
    public static func message(_ id: String, case caseID: String, offset: TimeInterval = 0) -> OutboxMessage {
        OutboxMessage(id: id, caseID: caseID, createdAt: at.addingTimeInterval(offset), recipientRole: "parent", recipientID: nil,
                      template: "t", subject: "s", body: "b")
    }

    /// A new case's opening change: one event, one message (`message` is its id), and the idempotency key when one is given.
    public static func opening(_ id: String, message: String? = nil, key: String? = nil) -> CaseChange {
        let event = event(id, 1, previous: AuditEvent.genesisHash)
        return CaseChange(record: record(id, head: event.hash), expectedRevision: nil, events: [event],
                          outbox: [Fixture.message(message ?? "\(id)/1/1", case: id)],
                          idempotency: key.map { IdempotencyRecord(key: $0, caseID: id, request: "open assessment", state: "requested", revision: 1) })
    }

    /// Opens case `id` with one event and one message; returns the event.
    @discardableResult
    static func open(_ store: any CaseStore, _ id: String) throws -> AuditEvent {
        let first = event(id, 1, previous: AuditEvent.genesisHash)
        try store.commit(CaseChange(record: record(id, head: first.hash), expectedRevision: nil, events: [first],
                                    outbox: [message("\(id)/1/1", case: id)], idempotency: nil))
        return first
    }

    static let workflow = """
        workflow: assessment
        version: 1
        title: Needs assessment
        roles: [parent, caseworker, health, school]
        fields:
          requested_on: date
          evidence_complete: bool
          decision_notes: text
          child: { first_name: string }
        states:
          requested: { initial: true, title: Request received }
          deciding: { title: Deciding whether to assess }
          assessing: { title: Gathering advice, final: true }
        transitions:
          - name: start_deciding
            from: requested
            to: deciding
            by: [caseworker]
            input: { evidence_complete: optional }
            notify: [{ to: [parent], template: deciding }]
          - name: agree_to_assess
            from: deciding
            to: assessing
            by: [caseworker]
            input: { decision_notes: required }
            start_forms: [{ form: advice, for: [health, school] }]
        deadlines:
          - name: decide
            title: Decide whether to assess
            from: requested_on
            due: 6 weeks
            until: [assessing]
            remind: [1 week before]
        templates:
          deciding:
            subject: "Case {{ case.id }}: we are deciding whether to assess"
            body: "We received the request about {{ child.first_name }} on {{ requested_on }}."
          form_shared:
            subject: "A form has been shared with you: {{ form.title }}"
            body: "Case {{ case.id }} needs '{{ form.title }}' from you by {{ form.due_on }}."
          form_submitted:
            subject: "A form was submitted: {{ form.title }}"
            body: "{{ form.submitted_by }} submitted form '{{ form.instance }}' on case {{ case.id }}."
          form_accepted:
            subject: "Your form was accepted: {{ form.title }}"
            body: "Form '{{ form.instance }}' on case {{ case.id }} was accepted."
          form_returned:
            subject: "More information is needed: {{ form.title }}"
            body: "Information required: {{ form.information_required }}"
          deadline_reminder:
            subject: "Reminder: {{ deadline.title }} is due on {{ deadline.due_on }}"
            body: "Case {{ case.id }}: '{{ deadline.title }}' is due on {{ deadline.due_on }}."
          deadline_missed:
            subject: "Time limit missed: {{ deadline.title }}"
            body: "Case {{ case.id }}: '{{ deadline.title }}' was due on {{ deadline.due_on }}."
        messages:
          form_shared: form_shared
          form_submitted: form_submitted
          form_accepted: form_accepted
          form_returned: form_returned
          reminder: deadline_reminder
          breach: deadline_missed

        """

    static let form = """
        form: advice
        version: 1
        title: Professional advice
        due: 6 weeks
        shared_with: [health, school]
        accepted_by: [caseworker]
        fields:
          summary: text

        """

    /// A workflow under a policy, for grants; loaded on its own, as every workflow in a set holding a policy must name one.
    static let granted = """
        workflow: granted
        version: 1
        title: Granted
        policy: portal
        roles: [parent, caseworker]
        input: { requested_on: required }
        fields:
          requested_on: date
        states:
          open: { initial: true, title: Open }
          closed: { title: Closed, final: true }
        transitions:
          - { name: close, from: open, to: closed, by: [caseworker] }

        """

    static let policy = """
        policy: portal
        version: 1
        title: Portal
        actor:
          relationship: { one_of: [parent, caseworker] }
        levels: [full, none]
        resources:
          case: [state]
        rules:
          - { id: staff, allow: [all], when: actor.relationship == "caseworker" }
        recipients:
          parent: { relationship: parent }
          caseworker: { relationship: caseworker }

        """

    /// A plan that opens reviews through a link, and reads whether one is open (`linked.reviews.any_open`).
    static let plan = """
        workflow: plan
        version: 1
        title: Plan
        roles: [caseworker]
        input: { child.first_name: required }
        links:
          reviews: { workflow: review }
        fields:
          child: { first_name: string }
          reviewed_on: date
        states:
          kept: { initial: true, title: Kept }
          reviewing: { title: Reviewing }
          ended: { title: Ended, final: true }
        transitions:
          - name: start_review
            from: kept
            to: reviewing
            by: [caseworker]
            when: not linked.reviews.any_open
            open: { reviews: { fields: { child.first_name: child.first_name } } }
          - name: record_review
            from: reviewing
            to: kept
            by: engine:link
            input: { reviewed_on: required }
          - { name: end, from: [kept, reviewing], to: ended, by: [caseworker] }

        """

    /// A review the plan opens, which reports back to it when held.
    static let review = """
        workflow: review
        version: 1
        title: Review
        roles: [caseworker]
        input: { child.first_name: required }
        fields:
          child: { first_name: string }
          held_on: date
        states:
          due: { initial: true, title: Due }
          held: { title: Held, final: true }
        transitions:
          - name: hold
            from: due
            to: held
            by: [caseworker]
            input: { held_on: required }
            report: { to: opened_by, fire: record_review, input: { reviewed_on: held_on } }

        """

    /// Opens plan `id` through the engine.
    static func openPlan(_ engine: Engine, _ id: String) throws {
        _ = try engine.open(workflow: "plan", as: caseworker, caseID: id, fields: ["child.first_name": .string("Sam")])
    }

    /// The attributes of a caseworker under ``policy``.
    static let staff: [String: ExpressionValue] = ["relationship": .string("caseworker")]

    static let caseworker = CaseActor(role: "caseworker", id: "cw-ana")
    static let parent = CaseActor(role: "parent", id: "parent-jo")

    /// An engine on `store` at `clock`, with the assessment workflow and its form, with the workflow under a policy, or
    /// with the linked plan and review.
    static func engine(store: any CaseStore, clock: ManualClock = ManualClock(at), underPolicy: Bool = false, linked: Bool = false) throws -> Engine {
        try Engine(catalog: try catalog(underPolicy: underPolicy, linked: linked), store: store, clock: clock)
    }

    /// The fixture's definitions: the assessment workflow and its form, the granted workflow under its policy, or the
    /// plan and the review it opens.
    static func catalog(underPolicy: Bool = false, linked: Bool = false) throws -> DefinitionCatalog {
        if linked { return try DefinitionCatalog.load(sources: [(file: "plan.yaml", text: plan), (file: "review.yaml", text: review)]) }
        return try DefinitionCatalog.load(sources: underPolicy
            ? [(file: "granted.yaml", text: granted), (file: "portal.yaml", text: policy)]
            : [(file: "assessment.yaml", text: workflow), (file: "advice.yaml", text: form)])
    }

    /// Opens case `id` through the engine.
    static func openCase(_ engine: Engine, _ id: String) throws {
        _ = try engine.open(workflow: "assessment", as: parent, caseID: id, fields: [
            "requested_on": .date(CalendarDate("2025-09-01")!), "child.first_name": .string("Sam"),
        ], participants: ["health": "organisation:nhs-trust", "school": "organisation:hillside"])
    }

    /// Everything a store holds about its cases, read through `store`, so a refused request can be shown to change nothing.
    struct Contents: Equatable {
        var cases: [String: CaseSnapshot]
        var audited: [String]
        var outbox: [OutboxMessage]
        var alarms: [DeadlineAlarm]

        init(_ store: any CaseStore) throws {
            let ids = try store.caseIDs()
            cases = try Dictionary(uniqueKeysWithValues: ids.map { ($0, try store.snapshot(caseID: $0)) })
            audited = try store.auditedCaseIDs()
            outbox = try store.outbox(caseID: nil)
            alarms = try store.dueAlarms(at: .distantFuture, limit: 10_000)
        }
    }
}

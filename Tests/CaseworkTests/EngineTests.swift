@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkExpressions
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation
import Testing

@Suite("Engine: opening and firing")
struct EngineTests {
    @Test func openingStartsInTheInitialStateWithAnAuditEvent() throws {
        let engine = try EngineFixtures.engine()
        let record = try EngineFixtures.openCase(engine)
        #expect(record.state == "requested")
        #expect(record.revision == 1)
        #expect(record.workflowVersion == 1)
        let history = try engine.history("c1", as: .operator())
        #expect(history.map(\.action) == ["opened"])
        #expect(history.first?.previousHash == AuditEvent.genesisHash)
        #expect(try engine.verifyAudit("c1", as: .operator()) == .intact(events: 1))
    }

    @Test func firingMovesTheCaseAuditsAndNotifies() throws {
        let engine = try EngineFixtures.engine()
        try EngineFixtures.openCase(engine)
        let result = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: EngineFixtures.caseworker,
                                                 input: ["evidence_complete": .bool(true)], expectedRevision: 1))
        #expect(result.record.state == "deciding")
        #expect(result.record.revision == 2)
        #expect(result.record.fields["evidence_complete"] == .bool(true))
        #expect(result.notifications.count == 1)
        let message = try #require(result.notifications.first)
        #expect(message.id == "c1/2/1")
        #expect(message.recipientRole == "parent")
        #expect(message.subject == "Case c1: we are deciding whether to assess")
        #expect(message.body == "We received the request about Sam on 1 September 2025.")
        let history = try engine.history("c1", as: .operator())
        #expect(history.map(\.action) == ["opened", "fired"])
        #expect(history[1].fromState == "requested")
        #expect(history[1].toState == "deciding")
        #expect(history[1].actor == EngineFixtures.caseworker)
        #expect(history[1].input == ["evidence_complete": .bool(true)])
        #expect(history[1].previousHash == history[0].hash)
        #expect(try engine.verifyAudit("c1", as: .operator()) == .intact(events: 2))
    }

    @Test(arguments: [
        ("start_deciding", CaseActor(role: "parent", id: "p"), ["evidence_complete": ExpressionValue.bool(true)], [TransitionBlocker.Code.roleNotAllowed], "only caseworker may do this"),
        ("start_deciding", CaseActor(role: "caseworker", id: "c"), ["evidence_complete": .bool(false)], [.guardFalse], "guard 'evidence_complete' is false"),
        ("start_deciding", CaseActor(role: "caseworker", id: "c"), [:], [.guardUndecided], "guard 'evidence_complete' cannot be decided: 'evidence_complete' has not been set"),
        ("agree_to_assess", CaseActor(role: "caseworker", id: "c"), [:], [.wrongState], "case is in 'requested', not 'deciding'"),
        ("agree_to_assess", CaseActor(role: "parent", id: "p"), [:], [.wrongState, .roleNotAllowed], "case is in 'requested', not 'deciding'"),
    ])
    func refusalsSayWhyAndChangeNothing(transition: String, actor: CaseActor, input: [String: ExpressionValue], codes: [TransitionBlocker.Code], first: String) throws {
        let store = InMemoryCaseStore()
        let engine = try EngineFixtures.engine(store: store)
        try EngineFixtures.openCase(engine)
        let before = try EngineFixtures.Snapshot(store, caseID: "c1")
        #expect {
            try engine.fire(FireRequest(caseID: "c1", transition: transition, actor: actor, input: input))
        } throws: { error in
            guard case EngineError.blocked(_, let blockers) = error else { return false }
            return blockers.map(\.code) == codes && blockers.first?.message == first
        }
        #expect(try EngineFixtures.Snapshot(store, caseID: "c1") == before)
    }

    @Test(arguments: [
        (["evidence_complete": ExpressionValue.string("yes")], ["'evidence_complete': expected a bool, found \"yes\""]),
        (["evidnce_complete": .bool(true)], ["'evidnce_complete': no such field; did you mean 'evidence_complete'?"]),
        (["requested_by": .string("neighbour")], ["'requested_by': is not an input of transition 'start_deciding' (it takes evidence_complete)"]),
        (["child": .string("Sam")], ["'child': is a group of fields; set its parts, such as 'child.date_of_birth'"]),
    ])
    func badInputIsRefusedBeforeAnythingChanges(input: [String: ExpressionValue], messages: [String]) throws {
        let store = InMemoryCaseStore()
        let engine = try EngineFixtures.engine(store: store)
        try EngineFixtures.openCase(engine)
        let before = try EngineFixtures.Snapshot(store, caseID: "c1")
        #expect {
            try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: EngineFixtures.caseworker, input: input))
        } throws: { error in
            guard case EngineError.invalidInput(let problems) = error else { return false }
            return problems.map(\.description) == messages
        }
        #expect(try EngineFixtures.Snapshot(store, caseID: "c1") == before)
    }

    @Test func staleRevisionsAndUnknownNamesAreRefused() throws {
        let store = InMemoryCaseStore()
        let engine = try EngineFixtures.engine(store: store)
        try EngineFixtures.openCase(engine)
        let before = try EngineFixtures.Snapshot(store, caseID: "c1")
        #expect(throws: EngineError.self) {
            try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: EngineFixtures.caseworker,
                                        input: ["evidence_complete": .bool(true)], expectedRevision: 7))
        }
        #expect { try engine.fire(FireRequest(caseID: "c1", transition: "start_decidng", actor: EngineFixtures.caseworker)) } throws: { error in
            "\(error)" == "workflow 'assessment' has no transition 'start_decidng'; did you mean 'start_deciding'?"
        }
        #expect { try engine.fire(FireRequest(caseID: "nope", transition: "start_deciding", actor: EngineFixtures.caseworker)) } throws: { error in
            "\(error)" == "no case 'nope'"
        }
        #expect(try EngineFixtures.Snapshot(store, caseID: "c1") == before)
        #expect(throws: EngineError.self) { try EngineFixtures.openCase(engine) }
        #expect(try EngineFixtures.Snapshot(store, caseID: "c1") == before)
    }

    @Test func anIdempotencyKeyReturnsTheFirstResultAndChangesNothingMore() throws {
        let store = InMemoryCaseStore()
        let engine = try EngineFixtures.engine(store: store)
        try EngineFixtures.openCase(engine)
        let request = FireRequest(caseID: "c1", transition: "start_deciding", actor: EngineFixtures.caseworker,
                                  input: ["evidence_complete": .bool(true)], idempotencyKey: "k-1")
        let first = try engine.fire(request)
        let after = try EngineFixtures.Snapshot(store, caseID: "c1")
        let second = try engine.fire(request)
        #expect(second.replayed)
        #expect(second.record.state == first.record.state)
        #expect(second.record.revision == first.record.revision)
        #expect(try EngineFixtures.Snapshot(store, caseID: "c1") == after)
        #expect { try engine.fire(FireRequest(caseID: "c1", transition: "agree_to_assess", actor: EngineFixtures.caseworker, idempotencyKey: "k-1")) } throws: { error in
            guard case EngineError.idempotencyKeyReused = error else { return false }
            return true
        }
    }

    @Test func availableTransitionsListBlockersInPlainWords() throws {
        let engine = try EngineFixtures.engine()
        try EngineFixtures.openCase(engine)
        let list = try engine.availableTransitions(caseID: "c1", as: EngineFixtures.caseworker)
        #expect(list.map(\.name) == ["start_deciding", "agree_to_assess", "finish"])
        #expect(list[0].blockers.map(\.message) == ["guard 'evidence_complete' cannot be decided: 'evidence_complete' has not been set"])
        #expect(list[1].blockers.map(\.message) == ["case is in 'requested', not 'deciding'"])
    }

    @Test func definitionContentCannotChangeWithoutANewVersion() throws {
        let store = InMemoryCaseStore()
        _ = try EngineFixtures.engine(store: store)
        let edited = EngineFixtures.workflow.replacingOccurrences(of: "title: Needs assessment", with: "title: EHC needs assessment")
        #expect { try Engine(catalog: EngineFixtures.catalog(workflow: edited), store: store) } throws: { error in
            "\(error)" == "workflow 'assessment' version 1 is already stored with different content: raise its 'version' when you change it"
        }
        let reformatted = EngineFixtures.workflow.replacingOccurrences(of: "title: Needs assessment", with: "title:    Needs assessment   # same")
        _ = try Engine(catalog: EngineFixtures.catalog(workflow: reformatted), store: store)
    }

    @Test func runningCasesStayOnTheirVersion() throws {
        let store = InMemoryCaseStore()
        let engine = try EngineFixtures.engine(store: store)
        try EngineFixtures.openCase(engine)
        let version2 = EngineFixtures.workflow
            .replacingOccurrences(of: "version: 1", with: "version: 2")
            .replacingOccurrences(of: "when: evidence_complete\n", with: "when: evidence_complete and has(decision_notes)\n")
        let upgraded = try Engine(catalog: EngineFixtures.catalog(workflow: version2), store: store, clock: ManualClock(EngineFixtures.start))
        let old = try upgraded.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: EngineFixtures.caseworker, input: ["evidence_complete": .bool(true)]))
        #expect(old.record.workflowVersion == 1, "the case keeps the guard of version 1")
        let fresh = try upgraded.open(workflow: "assessment", as: EngineFixtures.parent, caseID: "c2").record
        #expect(fresh.workflowVersion == 2)
        #expect(throws: EngineError.self) {
            try upgraded.fire(FireRequest(caseID: "c2", transition: "start_deciding", actor: EngineFixtures.caseworker, input: ["evidence_complete": .bool(true)]))
        }
    }

    @Test func auditVerificationNamesTheFirstEditedEvent() throws {
        let store = InMemoryCaseStore()
        let engine = try EngineFixtures.engine(store: store)
        try EngineFixtures.openCase(engine)
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: EngineFixtures.caseworker, input: ["evidence_complete": .bool(true)]))
        let record = try engine.caseRecord("c1", as: .operator())
        var events = try engine.history("c1", as: .operator())
        #expect(AuditVerification.verify(events, record: record) == .intact(events: 2))
        events[0].input["child.first_name"] = .string("Alex")
        #expect(AuditVerification.verify(events, record: record) == .broken(sequence: 1, reason: "its content does not match its hash"))
        events = try engine.history("c1", as: .operator())
        events.remove(at: 0)
        #expect(AuditVerification.verify(events, record: record) == .broken(sequence: 1, reason: "event 1 is missing (found 2 in its place)"))
        var edited = record
        edited.state = "decided"
        edited.fields["child.first_name"] = .string("Alex")
        #expect(AuditVerification.verify(try engine.history("c1", as: .operator()), record: edited) == .recordDiffers(parts: ["state", "fields.child.first_name"]))
        #expect(AuditVerification.verify(try engine.history("c1", as: .operator()), record: nil) == .recordMissing(events: 2))
    }
}

@Suite("Engine: the professional form cycle")
struct EngineFormTests {
    private func assessing() throws -> (Engine, InMemoryCaseStore) {
        let store = InMemoryCaseStore()
        let engine = try EngineFixtures.engine(store: store)
        try EngineFixtures.openCase(engine)
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: EngineFixtures.caseworker, input: ["evidence_complete": .bool(true)]))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "agree_to_assess", actor: EngineFixtures.caseworker, input: ["decision_notes": .string("Agreed at panel")]))
        return (engine, store)
    }

    @Test func firingSharesFormsWithEachOrganisation() throws {
        let (engine, store) = try assessing()
        let record = try engine.caseRecord("c1", as: .operator())
        #expect(record.forms.map(\.id) == ["advice-1", "advice-2"])
        #expect(record.forms.map(\.recipientRole) == ["health", "school"])
        #expect(record.forms.map(\.recipientID) == ["organisation:nhs-trust", "organisation:hillside"])
        #expect(record.forms.allSatisfy { $0.status == .shared && $0.dueOn == CalendarDate("2025-10-13")! })
        let notices = try store.outbox(caseID: "c1").filter { $0.template == "form_shared" }
        #expect(notices.map(\.recipientID) == ["organisation:nhs-trust", "organisation:hillside"])
    }

    @Test func theWholeCycleWithARejectionAndResubmission() throws {
        let (engine, _) = try assessing()
        let health = CaseActor.organisation("nhs-trust", role: "health")
        let school = CaseActor.organisation("hillside", role: "school")
        _ = try engine.submitForm(caseID: "c1", instance: "advice-1", as: health, fields: ["summary": .string("Needs OT"), "hours": .decimal(2)])
        _ = try engine.submitForm(caseID: "c1", instance: "advice-2", as: school, fields: ["summary": .string("Reading support")])
        let rejected = try engine.rejectForm(caseID: "c1", instance: "advice-2", as: EngineFixtures.caseworker, informationRequired: "Hours per week of support")
        #expect(rejected.record.forms[1].status == .rejected)
        #expect(rejected.notifications.first?.body == "Form 'advice-2' on case c1 was returned. Information required: Hours per week of support")
        #expect(rejected.notifications.first?.recipientID == "organisation:hillside")
        _ = try engine.acceptForm(caseID: "c1", instance: "advice-1", as: EngineFixtures.caseworker)
        #expect { try engine.fire(FireRequest(caseID: "c1", transition: "finish", actor: EngineFixtures.caseworker)) } throws: { error in
            "\(error)" == "cannot do 'finish' now:\n  - guard 'forms.advice.all_accepted' is false"
        }
        let resubmitted = try engine.submitForm(caseID: "c1", instance: "advice-2", as: school, fields: ["summary": .string("Reading support"), "hours": .decimal(3)])
        #expect(resubmitted.record.forms[1].submissions == 2)
        #expect(resubmitted.record.forms[1].informationRequired == nil)
        _ = try engine.acceptForm(caseID: "c1", instance: "advice-2", as: EngineFixtures.caseworker)
        let finished = try engine.fire(FireRequest(caseID: "c1", transition: "finish", actor: EngineFixtures.caseworker))
        #expect(finished.record.state == "decided")
        #expect(finished.notifications.first?.subject == "Case c1: Decided")
        let actions = try engine.history("c1", as: .operator()).map(\.action)
        #expect(actions == ["opened", "fired", "fired", "form_submitted", "form_submitted", "form_rejected", "form_accepted", "form_submitted", "form_accepted", "fired"])
        #expect(try engine.verifyAudit("c1", as: .operator()) == .intact(events: 10))
    }

    @Test(arguments: [
        ("submit", CaseActor.organisation("other-school", role: "school"), "advice-2", "you may not do this: only the school the form was shared with may submit it"),
        ("submit", CaseActor.organisation("nhs-trust", role: "health"), "advice-2", "you may not do this: only the school the form was shared with may submit it"),
        ("submit", CaseActor(role: "school", id: "hillside"), "advice-2", "you may not do this: only the school the form was shared with may submit it"),
        ("accept", CaseActor(role: "caseworker", id: "c"), "advice-1", "cannot do 'advice-1' now:\n  - form 'advice-1' is shared, not submitted, so it cannot be accepted or rejected"),
        ("accept", CaseActor.organisation("nhs-trust", role: "health"), "advice-1", "cannot do 'advice-1' now:\n  - only caseworker may accept or reject form 'advice-1'"),
        ("reject", CaseActor(role: "caseworker", id: "c"), "advice-1", "cannot do 'advice-1' now:\n  - form 'advice-1' is shared, not submitted, so it cannot be accepted or rejected"),
        ("submit", CaseActor.organisation("nhs-trust", role: "health"), "advice-9", "case 'c1' has no form 'advice-9'"),
    ])
    func wrongStepsAreRefusedAndChangeNothing(step: String, actor: CaseActor, instance: String, message: String) throws {
        let (engine, store) = try assessing()
        let before = try EngineFixtures.Snapshot(store, caseID: "c1")
        #expect {
            switch step {
            case "submit": _ = try engine.submitForm(caseID: "c1", instance: instance, as: actor, fields: ["summary": .string("x")])
            case "accept": _ = try engine.acceptForm(caseID: "c1", instance: instance, as: actor)
            default: _ = try engine.rejectForm(caseID: "c1", instance: instance, as: actor, informationRequired: "more")
            }
        } throws: { error in
            "\(error)" == message
        }
        #expect(try EngineFixtures.Snapshot(store, caseID: "c1") == before)
    }

    @Test func submittedAnswersAreCheckedAgainstTheFormsFields() throws {
        let (engine, store) = try assessing()
        let before = try EngineFixtures.Snapshot(store, caseID: "c1")
        #expect {
            _ = try engine.submitForm(caseID: "c1", instance: "advice-1", as: CaseActor.organisation("nhs-trust", role: "health"), fields: ["hours": .string("two")])
        } throws: { error in
            "\(error)" == "the values given cannot be used:\n  - 'hours': expected a decimal, found \"two\""
        }
        #expect(try EngineFixtures.Snapshot(store, caseID: "c1") == before)
    }
}

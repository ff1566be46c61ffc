@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkExpressions
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation
import Testing

/// A notification's `when:`: a step two ways through a process share writes only to the people the way taken
/// involves (the annual review's letters to the school, only on a review with a school); a condition that cannot be
/// decided refuses the step, and a condition that is not a condition is a definition error.
@Suite("Notification conditions")
struct NotificationConditionTests {
    static func workflow(condition: String) -> String {
        """
        workflow: review
        version: 1
        title: Review
        calendar: england-and-wales
        policy: none
        roles: [parent, school, caseworker]
        fields:
          at_school: bool
          meeting_on: date
        states:
          open: { initial: true }
          told: { final: true }
        transitions:
          - name: tell
            from: open
            to: told
            by: [caseworker]
            input: { meeting_on: optional }
            notify:
              - { to: parent, template: told }
              - { to: school, template: told, when: "\(condition)" }
        templates:
          told: { subject: "Told", body: "Case {{ case.id }}." }
        \(EngineFixtures.messageTemplates)\(EngineFixtures.messages)
        """
    }

    static func engine(condition: String = "at_school", store: any CaseStore = InMemoryCaseStore()) throws -> Engine {
        let catalog = try DefinitionCatalog.load(sources: [(file: "review.yaml", text: workflow(condition: condition)),
                                                           (file: "england-and-wales.yaml", text: DeadlineTests.calendars)])
        return try Engine(catalog: catalog, store: store, clock: ManualClock(DeadlineTests.day("2025-09-01")))
    }

    @Test(arguments: [(true, ["parent", "school"]), (false, ["parent"])])
    func aLetterIsSentOnlyWhereItsConditionHolds(atSchool: Bool, told: [String]) throws {
        let engine = try Self.engine()
        _ = try engine.open(workflow: "review", as: DeadlineTests.caseworker, caseID: "c1", fields: ["at_school": .bool(atSchool)])
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "tell", actor: DeadlineTests.caseworker))
        #expect(try engine.outbox(caseID: "c1", as: .operator("test")).map(\.recipientRole).sorted() == told)
    }

    @Test func aConditionThatCannotBeDecidedRefusesTheStepAndWritesNothing() throws {
        let store = InMemoryCaseStore()
        let engine = try Self.engine(condition: "meeting_on > today", store: store)
        _ = try engine.open(workflow: "review", as: DeadlineTests.caseworker, caseID: "c1", fields: ["at_school": .bool(true)])
        #expect {
            _ = try engine.fire(FireRequest(caseID: "c1", transition: "tell", actor: DeadlineTests.caseworker))
        } throws: { error in
            (error as? EngineError)?.code == .blocked && "\(error)".contains("cannot decide whom to tell")
        }
        #expect(try engine.caseRecord("c1", as: .operator("test")).state == "open")
        #expect(try engine.outbox(caseID: "c1", as: .operator("test")).isEmpty)
    }

    @Test func aConditionThatIsNotAConditionIsADefinitionError() throws {
        let report = Validator.validate(sources: [(file: "review.yaml", text: Self.workflow(condition: "meeting_on")),
                                                  (file: "england-and-wales.yaml", text: DeadlineTests.calendars)])
        #expect(report.diagnostics.contains { $0.code.rawValue.hasPrefix("CW03") }, "\(report.diagnostics.map(\.message))")
    }
}

@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation
import Testing

/// A letter can print a clock's due date (`deadlines.NAME.due_on`): the validator accepts exactly the clocks the
/// workflow declares, and the engine fills each with the due date as the case stands, or "(not yet recorded)" before
/// the clock starts; both take the names from ``TemplateBuiltins``.
@Suite("Templates: a clock's due date")
struct TemplateBuiltinsTests {
    /// The fixture workflow with two clocks and a letter, sent as the case starts deciding, that prints both due dates.
    static func workflow(placeholder: String = "deadlines.decide.due_on") -> String {
        EngineFixtures.workflow
            .replacingOccurrences(of: """
                templates:
                  deciding:
                    subject: "Case {{ case.id }}: we are deciding whether to assess"
                    body: "We received the request about {{ child.first_name }} on {{ requested_on }}."
                """, with: """
                deadlines:
                  - name: decide
                    title: Decide whether to assess
                    from: requested_on
                    due: 6 weeks
                    until: [assessing, decided]
                  - name: advice
                    title: Advice in
                    from: { entered: assessing }
                    due: 6 weeks
                    until: [decided]
                templates:
                  deciding:
                    subject: "Case {{ case.id }}: we are deciding whether to assess"
                    body: "We will decide by {{ \(placeholder) }}; the advice is due by {{ deadlines.advice.due_on }}."
                """)
    }

    @Test func theValidatorAcceptsEveryDeclaredClockAndNamesTheOnesItMeant() throws {
        let accepted = Validator.validate(sources: [(file: "assessment.yaml", text: Self.workflow()), (file: "advice.yaml", text: EngineFixtures.form)])
        #expect(!accepted.diagnostics.contains { $0.code.rawValue == "CW0208" }, "\(accepted.diagnostics.map(\.description))")
        let wrong = Validator.validate(sources: [(file: "assessment.yaml", text: Self.workflow(placeholder: "deadlines.decid.due_on")),
                                                 (file: "advice.yaml", text: EngineFixtures.form)])
        let unknown = try #require(wrong.diagnostics.first { $0.code.rawValue == "CW0208" }, "\(wrong.diagnostics.map(\.description))")
        #expect(unknown.message.contains("deadlines.decid.due_on"))
        #expect(unknown.help == "did you mean 'deadlines.decide.due_on'?", "\(unknown.help ?? "no help")")
        #expect(TemplateBuiltins.names(of: try #require(accepted.definitions.workflows.first)).suffix(2)
            == ["deadlines.decide.due_on", "deadlines.advice.due_on"])
    }

    @Test func theEngineFillsAStartedClockAndSaysWhenOneHasNotStarted() throws {
        let catalog = try DefinitionCatalog.load(sources: [(file: "assessment.yaml", text: Self.workflow()), (file: "advice.yaml", text: EngineFixtures.form)])
        let engine = try Engine(catalog: catalog, store: InMemoryCaseStore(), clock: ManualClock(EngineFixtures.start))
        try EngineFixtures.openCase(engine)
        let result = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: EngineFixtures.caseworker,
                                                 input: ["evidence_complete": .bool(true)]))
        let letter = try #require(result.notifications.first { $0.recipientRole == "parent" })
        #expect(letter.body == "We will decide by 13 October 2025; the advice is due by (not yet recorded).")
    }
}

import CaseworkDefinitions
import CaseworkEngine
import CaseworkScenarios
import Foundation
import Testing

/// A `timeliness: true` step reads the timeliness report over every case in the scenario's store, from `given.today`
/// to the step's day, and its `timeline:` expectation finds each clock as `CASE DEADLINE: OUTCOME`.
@Suite("casework test: the timeliness report in a scenario")
struct ScenarioTimelinessTests {
    /// A plan whose review clock fell due on `given.today`, read on 5 March 2026, expecting `shows` and `hides`.
    static func scenario(shows: String, hides: String) -> String {
        """
        scenario: the review clock read in the timeliness report
        given:
          today: 2026-03-02
          case:
            workflow: ehcp-plan
            id: plan-1
            fields:
              child: { first_name: Sam, last_name: Taylor, date_of_birth: 2014-02-14 }
              plan_issued_on: 2025-03-02
        steps:
          - on: 2026-03-05
            timeliness: true
            expect: { timeline: { shows: [\(shows)], hides: [\(hides)] } }

        """
    }

    @Test("what the report shows and hides is checked both ways", arguments: [
        ("\"plan-1 review_due: overdue\"", "\"met_on_time\"", [String]()),
        ("\"review_due: met_on_time\"", "\"no such clock\"", ["CW0507"]),
        ("\"review_due: overdue\"", "\"plan-1 review_due\"", ["CW0507"]),
    ])
    func theReportIsRead(shows: String, hides: String, codes: [String]) throws {
        let catalog = try DefinitionCatalog.load(paths: ScenarioTests.definitions)
        let report = ScenarioSuite.run(sources: [(file: "timeliness.test.yaml", text: Self.scenario(shows: shows, hides: hides))], catalog: catalog)
        #expect(report.diagnostics.map(\.code.rawValue) == codes, "\(report.diagnostics)")
        #expect(report.scenarios.map(\.passed) == [codes.isEmpty])
    }
}

import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkScenarios
import CaseworkSQLite
import CaseworkStore
import Foundation
import Testing

/// `given.store`: a scenario runs on a fresh in-memory store unless it says `store: sqlite`, when every step goes
/// through a new SQLite file; a value that is neither is refused before anything runs.
@Suite("casework test: the store a scenario runs on")
struct ScenarioStoreTests {
    static let definitions = ScenarioTests.definitions

    /// A plan scenario on `store`, expecting the plan to reach `state` once its provision is secured.
    static func scenario(store: String, state: String) -> String {
        """
        scenario: a plan secured
        given:
          today: 2026-03-02
          store: \(store)
          case:
            workflow: ehcp-plan
            id: plan-1
            fields:
              child: { first_name: Sam, last_name: Taylor, date_of_birth: 2014-02-14 }
              named_school: Hillside Primary
              plan_issued_on: 2026-03-02
        actors:
          ana: { role: caseworker, attributes: { relationship: caseworker, second_factor_verified: true } }
        steps:
          - as: ana
            fire: secure_provision
            input: { provision_secured_on: 2026-03-02 }
            expect: { state: \(state) }
          - as: ana
            fire: start_amendment
            expect: { state: amending }
          - case: amendments-1
            as: ana
            timeline: true
            expect: { state: considering, fields: { amending_after: other_time } }

        """
    }

    static func run(_ text: String) throws -> ScenarioReport {
        ScenarioSuite.run(sources: [(file: "store.test.yaml", text: text)], catalog: try DefinitionCatalog.load(paths: definitions))
    }

    @Test func sqliteMakesANewSQLiteFileAndMemoryAnInMemoryStore() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-store-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try ScenarioRunner.store(.sqlite, in: directory) is SQLiteCaseStore)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("scenario.sqlite").path))
        let elsewhere = directory.appendingPathComponent("memory")
        #expect(try ScenarioRunner.store(.memory, in: elsewhere) is InMemoryCaseStore)
        #expect(!FileManager.default.fileExists(atPath: elsewhere.path))
    }

    @Test("a scenario passes and fails alike on either store, linked cases included", arguments: ["memory", "sqlite"])
    func eitherStoreRunsTheSameStory(store: String) throws {
        let passing = try Self.run(Self.scenario(store: store, state: "maintained"))
        #expect(passing.scenarios.map(\.passed) == [true], "\(passing.diagnostics)")
        let failing = try Self.run(Self.scenario(store: store, state: "issued"))
        #expect(failing.scenarios.map(\.passed) == [false])
        #expect(failing.diagnostics.map(\.code.rawValue) == ["CW0501"])
    }

    @Test func aStoreThatIsNeitherIsRefusedAndNothingRuns() throws {
        let report = try Self.run(Self.scenario(store: "postgres", state: "maintained"))
        #expect(report.scenarios.isEmpty)
        #expect(report.diagnostics.map(\.code.rawValue) == ["CW0103"])
        #expect(report.diagnostics.first?.message.contains("memory or sqlite") == true, "\(report.diagnostics)")
        #expect(report.hasFailures)
    }

    @Test func theWholeLifeScenarioSaysItRunsOnSQLiteAndPasses() throws {
        let path = RepositoryPaths.root.appendingPathComponent("Workflows/tests/whole-life.test.yaml").path
        let report = try ScenarioSuite.run(paths: [path], catalog: DefinitionCatalog.load(paths: Self.definitions))
        #expect(report.scenarios.count == 1)
        #expect(report.scenarios.allSatisfy { $0.passed }, "\(report.diagnostics.map(\.description).joined(separator: "\n"))")
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("\n  store: sqlite\n"))
    }
}

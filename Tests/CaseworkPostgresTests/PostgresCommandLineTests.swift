import Foundation
import Testing

/// `casework --db postgresql://…`: the command line on a PostgreSQL database, from two processes at once, as two
/// application servers would share one store.
@Suite("PostgreSQL from the command line")
struct PostgresCommandLineTests {
    static let workflow = """
        workflow: counter
        version: 1
        title: Counter
        roles: [caseworker]
        fields: { requested_on: date }
        states:
          open: { initial: true }
          done: { final: true }
        transitions:
          - { name: note, from: open, to: open, by: [caseworker] }
          - { name: finish, from: open, to: done, by: [caseworker] }

        """

    @Test func twoProcessesShareOneDatabaseAndLoseNoUpdate() throws {
        guard let server = TestServer.usable("the PostgreSQL command-line test") else { return }
        let store = try CommandLineStore(on: server, files: ["counter.yaml": Self.workflow])
        defer { store.remove() }
        let common = store.common

        let refused = try CaseworkProcess.run(["case", "show", "c1"] + common)
        #expect(refused.status == 2 && refused.err.contains("no Casework store"), "a read never makes the schema: \(refused.err)")
        #expect(try CaseworkProcess.run(["case", "open", "counter", "--id", "c1", "--create", "--set", "requested_on=2025-09-01"] + common).status == 0)

        let processes = try (0..<2).map { _ in try CaseworkProcess(["case", "fire", "c1", "note", "--as", "caseworker:ana"] + common) }
        let outcomes = processes.map { $0.wait().status }
        let shown = try CaseworkProcess.run(["case", "show", "c1", "--format", "json"] + common)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(shown.out.utf8)) as? [String: Any])
        let committed = outcomes.filter { $0 == 0 }.count
        #expect(json["revision"] as? Int == 1 + committed, "every fire that said it committed is there: \(outcomes)")
        #expect(outcomes.allSatisfy { $0 == 0 || $0 == 4 }, "a loser is told of the conflict (exit 4): \(outcomes)")
        let fromEnvironment = try CaseworkProcess.run(["case", "show", "c1", "--definitions", store.definitions.path], environment: ["CASEWORK_DATABASE_URL": store.url])
        #expect(fromEnvironment.status == 0 && fromEnvironment.out.hasPrefix("case c1"), "CASEWORK_DATABASE_URL names the store: \(fromEnvironment)")
        let verified = try CaseworkProcess.run(["audit", "verify"] + common)
        #expect(verified.out == "case c1: \(1 + committed) events, chain intact, record replays\n", "\(verified.out) \(verified.err)")
    }
}

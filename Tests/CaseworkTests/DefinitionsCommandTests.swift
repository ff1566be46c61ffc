import Foundation
import Testing
import Casework
import CaseworkCommandLine

/// `casework case migrate` and `casework definitions list` on SQLite, after every shipped definition was raised.
@Suite("casework case migrate and definitions list")
struct DefinitionsCommandTests {
    /// A workspace with case `c1` opened on the shipped definitions, which are then replaced by their revised versions.
    static func raisedWorkspace() throws -> CommandWorkspace {
        let space = try AccessCommandTests.workspace()
        let opened = space.run(["case", "open", "ehcp-needs-assessment", "--id", "c1"] + AccessCommandTests.request + AccessCommandTests.parent("parent-a"))
        #expect(opened.status == .success, "\(opened.err)")
        for (file, text) in try ShippedSets.revised() {
            try Data(text.utf8).write(to: URL(fileURLWithPath: space.definitions).appendingPathComponent(file))
        }
        return space
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func anOldCaseStillShowsAndFiresAfterEveryVersionWasRaised() throws {
        let space = try Self.raisedWorkspace()
        let shown = space.run(["case", "show", "c1"])
        #expect(shown.status == .success, "\(shown.err)")
        #expect(shown.out.hasPrefix("case c1: EHC needs assessment (version 7)\n"))
        #expect(space.run(["case", "show", "c1"] + AccessCommandTests.caseworker).status == .success)
        #expect(space.run(["case", "fire", "c1", "acknowledge_request"] + AccessCommandTests.caseworker).out == "c1: deciding_to_assess (revision 2)\n")
        let refused = space.run(["case", "show", "c1", "--as", "parent:parent-a", "--attribute", "relationship=parent"])
        #expect(refused.err.contains(ShippedSets.oldReason), "the old case is decided by the policy of its own set")
    }

    @Test func definitionsListCountsOpenCasesBySnapshotAndVersion() throws {
        let space = try Self.raisedWorkspace()
        #expect(space.run(["case", "open", "ehcp-needs-assessment", "--id", "c2"] + AccessCommandTests.request + AccessCommandTests.parent("parent-b")).status == .success)
        let listed = space.run(["definitions", "list"])
        #expect(listed.status == .success, "\(listed.err)")
        #expect(listed.out.contains("  workflow ehcp-needs-assessment version 7: 1 open case\n"))
        #expect(listed.out.contains("  workflow ehcp-needs-assessment version 8: 1 open case\n"))
        #expect(listed.out.contains("  policy send-portal version 9: 1 open case\n"))
        #expect(listed.out.contains("  workflow annual-review version 9: 0 open cases\n"))
        let object = try Self.json(space.run(["definitions", "list", "--format", "json"]).out)
        let snapshots = try #require(object["snapshots"] as? [[String: Any]])
        #expect(snapshots.map { $0["open_cases"] as? Int } == [1, 1])
        #expect(snapshots.map { $0["current"] as? Bool } == [false, true])
        #expect(snapshots.last?["fingerprint"] as? String == object["current"] as? String)
        #expect(space.run(["definitions", "list"] + AccessCommandTests.caseworker).status == .forbidden)
    }

    @Test func migrateMovesTheCaseAfterADryRun() throws {
        let space = try Self.raisedWorkspace()
        let dry = space.run(["case", "migrate", "c1", "--to", "8", "--dry-run"])
        #expect(dry.out.hasPrefix("c1: would move from ehcp-needs-assessment version 7 to version 8 (dry run: nothing changed)\n  state: requested\n"))
        #expect(try Self.json(space.run(["case", "show", "c1", "--format", "json"]).out)["workflow_version"] as? Int == 7)

        #expect(space.run(["case", "migrate", "c1", "--to", "8"] + AccessCommandTests.caseworker).status == .forbidden)
        let wrong = space.run(["case", "migrate", "c1", "--to", "9"])
        #expect(wrong.status == .failure)
        #expect(wrong.err == "error[invalid_input]: the values given cannot be used:\n  - 'to': the current version of workflow 'ehcp-needs-assessment' is 8; a case moves only to it\n")
        let map = space.directory.appendingPathComponent("map.yaml")
        try Data("states: { requested: nowhere }\n".utf8).write(to: map)
        let unmapped = space.run(["case", "migrate", "c1", "--to", "8", "--map", map.path])
        #expect(unmapped.err == "error[invalid_input]: the values given cannot be used:\n  - 'states.requested': 'nowhere' is not a state of version 8\n")

        let moved = space.run(["case", "migrate", "c1", "--to", "8", "--format", "json"])
        let plan = try Self.json(moved.out)
        #expect(plan["applied"] as? Bool == true && plan["from_version"] as? Int == 7 && plan["to_version"] as? Int == 8 && plan["revision"] as? Int == 2)
        let shown = try Self.json(space.run(["case", "show", "c1", "--format", "json"]).out)
        #expect(shown["workflow_version"] as? Int == 8)
        #expect(shown["definition_snapshot"] as? String == plan["to_snapshot"] as? String)
        #expect(space.run(["case", "history", "c1"]).out.contains("operator:cli migrated ehcp-needs-assessment 7 -> 8: requested"))
        #expect(space.run(["audit", "verify", "c1"]).status == .success)
    }

    @Test(arguments: [
        (["case", "migrate", "c1"], "error: say which version to move the case to"),
        (["case", "migrate", "c1", "--to", "four"], "error: --to needs a version number of 1 or more, found 'four'"),
        (["case", "migrate", "c1", "--to", "8", "--map", "/no/such/map.yaml"], "error: cannot read the map file '/no/such/map.yaml'"),
        (["definitions", "lst"], "error: unknown definitions command 'lst'"),
        // Every date option is read by one function: a date as YYYY-MM-DD, or an error that escapes what was given.
        (["case", "fire", "c1", "t", "--on", "soon"], "error: --on needs a date as YYYY-MM-DD, found 'soon'"),
        (["access", "grant", "c1", "--to", "jo", "--level", "full", "--reason", "r", "--as", "caseworker:ana", "--until", "2025-02-30\u{1B}[2J"],
         "error: --until needs a date as YYYY-MM-DD, found '2025-02-30\\u{1b}[2J'"),
        (["report", "timeliness", "--from", "2025-13-01", "--to", "2025-12-31"], "error: --from needs a date as YYYY-MM-DD, found '2025-13-01'"),
        (["notices", "sent", "c1", "c1/1/1", "--by", "ana", "--route", "post", "--on", "yesterday"], "error: --on needs a date as YYYY-MM-DD, found 'yesterday'"),
    ])
    func usageErrorsExitTwo(arguments: [String], expected: String) {
        let result = runCasework(arguments)
        #expect(result.status == .usage)
        #expect(result.err.hasPrefix(expected), "\(result.err)")
    }
}

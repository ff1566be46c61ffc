import Casework
import CaseworkCommandLine
import Foundation
import Testing

/// `casework child …`, `case open --child`, `case list --child` and `audit verify --child` on the shipped definitions
/// (the portal policy's `child` resource), on an SQLite file.
@Suite("casework child commands")
struct ChildCommandTests {
    /// A store with child k-17 (two cases) and child k-18 (one case), and a full grant to `jo` for k-17.
    final class Workspace {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-children-\(UUID().uuidString)")
        var database: String { directory.appendingPathComponent("cases.sqlite").path }
        static let staff = ["--as", "caseworker:ana", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"]
        static let jo = ["--as", "parent:jo", "--attribute", "relationship=parent", "--attribute", "second_factor_verified=true"]

        init() throws {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for child in ["k-17", "k-18"] {
                let added = run(["child", "add", child, "--set", "first_name=Sam", "--person", "jo=mother,parental_responsibility,from=2016-02-14",
                                 "--create"] + Self.staff)
                #expect(added.status == .success, "\(added.err)")
            }
            for (id, child) in [("c1", "k-17"), ("c2", "k-17"), ("c3", "k-18")] {
                let opened = run(["case", "open", "ehcp-needs-assessment", "--id", id, "--set", "requested_on=2025-09-01", "--set", "requested_by=parent",
                                  "--set", "child.first_name=Sam", "--set", "child.last_name=Taylor", "--set", "child.date_of_birth=2016-02-14",
                                  "--child", child] + Self.staff)
                #expect(opened.status == .success, "\(opened.err)")
            }
            let granted = run(["child", "grant", "k-17", "--to", "jo", "--level", "full", "--reason", "mother"] + Self.staff)
            #expect(granted.status == .success, "\(granted.err)")
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        /// Runs `casework` in process on the shipped definitions and this store.
        func run(_ arguments: [String]) -> (status: CaseworkCommandLine.ExitStatus, out: String, err: String) {
            runCasework(arguments + ["--db", database, "--definitions", RepositoryPaths.root.appendingPathComponent("Workflows").path,
                                     "--definitions", RepositoryPaths.root.appendingPathComponent("Policies").path])
        }
    }

    @Test func aParentGrantedForAChildSeesThatChildsCasesAndNoOther() throws {
        let space = try Workspace()
        #expect(space.run(["case", "list"] + Workspace.jo).out == "c1\tehcp-needs-assessment\trequested\trevision 1\nc2\tehcp-needs-assessment\trequested\trevision 1\n")
        #expect(space.run(["case", "list", "--child", "k-17"] + Workspace.jo).out.split(separator: "\n").map { $0.split(separator: "\t")[0] } == ["c1", "c2"])
        let other = space.run(["case", "list", "--child", "k-18"] + Workspace.jo)
        let missing = space.run(["case", "list", "--child", "k-99"] + Workspace.jo)
        #expect(other.status == missing.status && other.err == missing.err && other.out.isEmpty, "another child's cases are refused as a missing child's")
        let shown = space.run(["child", "show", "k-17", "--format", "json"] + Workspace.jo)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(shown.out.utf8)) as? [String: Any], "\(shown.err)")
        #expect(json["cases"] as? [String] == ["c1", "c2"])
        #expect((json["people"] as? [Any])?.isEmpty == true, "who else is involved only for those who may grant")
        let staffView = space.run(["child", "show", "k-17"] + Workspace.staff)
        #expect(staffView.out.contains("  person:jo: mother, parental responsibility, from 2016-02-14\n"), "\(staffView.out)")
        #expect(staffView.out.contains("  person:jo: full\n"))
        #expect(space.run(["child", "list"] + Workspace.jo).out == "k-17\n")
    }

    @Test func aMalformedGrantEndIsAUsageErrorAndChangesNothing() throws {
        let space = try Workspace()
        let before = space.run(["audit", "verify", "--child", "k-18"])
        let refused = space.run(["child", "grant", "k-18", "--to", "jo", "--level", "full", "--until", "2025-13-40", "--reason", "x"] + Workspace.staff)
        #expect(refused.status == .usage)
        #expect(refused.err.contains("--until needs a date as YYYY-MM-DD, found '2025-13-40'"))
        #expect(space.run(["audit", "verify", "--child", "k-18"]).out == before.out)
        #expect(before.out == "child k-18: 1 events, chain intact, record replays\n")
    }

    @Test func theChildsChainRecordsEveryChangeAndVerifies() throws {
        let space = try Workspace()
        #expect(space.run(["child", "set", "k-17", "--set", "upn=A123", "--clear", "first_name", "--reason", "corrected"] + Workspace.staff).status == .success)
        #expect(space.run(["child", "revoke", "k-17", "--to", "jo", "--reason", "court order"] + Workspace.staff).status == .success)
        let verified = space.run(["audit", "verify", "--child", "k-17"])
        #expect(verified.status == .success)
        #expect(verified.out == "child k-17: 4 events, chain intact, record replays\n")
        #expect(space.run(["case", "list"] + Workspace.jo).out.isEmpty, "revoked: no case of the child is seen")
        let opened = space.run(["case", "open", "ehcp-needs-assessment", "--id", "c9", "--set", "requested_on=2025-09-01", "--set", "requested_by=parent",
                                "--set", "child.first_name=Sam", "--set", "child.last_name=Taylor", "--set", "child.date_of_birth=2016-02-14",
                                "--child", "k-99"] + Workspace.staff)
        #expect(opened.status != .success && opened.err.contains("not_found"), "\(opened.err)")
        #expect(space.run(["audit", "verify"]).out == "3 cases, every chain intact\n", "the refused opening wrote nothing")
    }
}

/// `child add|set|show` against the shipped child definition (`Workflows/child.yaml`): a field it does not declare and a
/// value that does not read as its type are refused with nothing written; a record added on a set without it is shown as
/// stored, its misfits listed, until `child set` corrects it.
@Suite("casework child commands and the child definition")
struct ChildDefinitionCommandTests {
    @Test func fieldsAreCheckedAndRecordsFromBeforeAreFlagged() throws {
        let space = try ChildCommandTests.Workspace()
        let refused = [["--set", "date_of_brith=2016-02-14"], ["--set", "date_of_birth=14/02/2016"], ["--set", "date_of_birth=2016-02-30"]]
        for fields in refused {
            let added = space.run(["child", "add", "k-20"] + fields + ChildCommandTests.Workspace.staff)
            #expect(added.status != .success && added.err.contains("invalid_input"), "\(fields): \(added.err)")
            #expect(space.run(["child", "show", "k-20"] + ChildCommandTests.Workspace.staff).status != .success, "nothing was added")
            let set = space.run(["child", "set", "k-17"] + fields + ChildCommandTests.Workspace.staff)
            #expect(set.status != .success && set.err.contains("invalid_input"), "\(fields): \(set.err)")
        }
        #expect(space.run(["child", "show", "k-17"] + ChildCommandTests.Workspace.staff).out.hasPrefix("child k-17 (revision 2)\n"), "k-17 unchanged")
        #expect(space.run(["child", "add", "k-20", "--set", "date_of_birth=2016-02-14"] + ChildCommandTests.Workspace.staff).status == .success)
        #expect(space.run(["child", "show", "k-20"] + ChildCommandTests.Workspace.staff).out.contains("  date_of_birth: 2016-02-14\n"))

        // A set without the child definition stores text as given, and the shipped set shows it as stored, flagged.
        let older = space.directory.appendingPathComponent("older")
        try FileManager.default.createDirectory(at: older, withIntermediateDirectories: true)
        for folder in ["Workflows", "Policies"] {
            try FileManager.default.copyItem(at: RepositoryPaths.root.appendingPathComponent(folder), to: older.appendingPathComponent(folder))
        }
        try FileManager.default.removeItem(at: older.appendingPathComponent("Workflows/child.yaml"))
        let kept = runCasework(["child", "add", "k-21", "--set", "date_of_birth=14/02/2016", "--set", "nickname=Sam", "--db", space.database,
                                "--definitions", older.appendingPathComponent("Workflows").path, "--definitions", older.appendingPathComponent("Policies").path]
                               + ChildCommandTests.Workspace.staff)
        #expect(kept.status == .success, "\(kept.err)")
        let shown = space.run(["child", "show", "k-21"] + ChildCommandTests.Workspace.staff)
        #expect(shown.out.contains("""
            fields:
              date_of_birth: "14/02/2016"
              nickname: "Sam"
            fields that do not fit child definition 'send-child' version 1:
              date_of_birth: expected a date as YYYY-MM-DD, found '14/02/2016'
              nickname: no such field

            """), "\(shown.out)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(space.run(["child", "show", "k-21", "--format", "json"] + ChildCommandTests.Workspace.staff).out.utf8))
            as? [String: Any])
        #expect((json["misfits"] as? [[String: String]])?.map { $0["field"] } == ["date_of_birth", "nickname"])
        let fixed = space.run(["child", "set", "k-21", "--set", "date_of_birth=2016-02-14", "--clear", "nickname"] + ChildCommandTests.Workspace.staff)
        #expect(fixed.status == .success, "\(fixed.err)")
        let after = space.run(["child", "show", "k-21", "--format", "json"] + ChildCommandTests.Workspace.staff)
        #expect(!after.out.contains("misfits"))
        #expect(space.run(["audit", "verify", "--child", "k-21"] + ChildCommandTests.Workspace.staff).status == .success)
    }
}

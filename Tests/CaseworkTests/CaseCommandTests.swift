import CSQLite
import CaseworkTestSupport
import Foundation
import Testing
import Casework
import CaseworkCommandLine

/// The case, form, outbox and audit commands on a real SQLite file, in process and as separate OS processes.
@Suite("casework case, form, outbox and audit commands")
struct CaseCommandTests {
    static func workspace() throws -> CommandWorkspace {
        try CommandWorkspace(["assessment.yaml": EngineFixtures.workflow, "advice.yaml": EngineFixtures.form])
    }

    @Test func aCaseFromOpenToFormsThroughTheCommandLine() throws {
        let space = try Self.workspace()
        let opened = space.run(["case", "open", "assessment", "--id", "c1", "--as", "parent:jo", "--set", "requested_on=2025-09-01",
                                "--set", "child.first_name=Sam", "--participant", "health=organisation:nhs-trust", "--participant", "school=organisation:hillside"])
        #expect(opened.status == .success, "\(opened.err)")
        #expect(opened.out == "c1\n")
        let refused = space.run(["case", "fire", "c1", "start_deciding", "--as", "caseworker:ana"])
        #expect(refused.status == .failure)
        #expect(refused.err == "error[blocked]: cannot do 'start_deciding' now:\n  - guard 'evidence_complete' cannot be decided: 'evidence_complete' has not been set\n")
        let fired = space.run(["case", "fire", "c1", "start_deciding", "--as", "caseworker:ana", "--set", "evidence_complete=true", "--expect-revision", "1"])
        #expect(fired.out == "c1: deciding (revision 2)\n", "\(fired.err)")
        let agreed = space.run(["case", "fire", "c1", "agree_to_assess", "--as", "caseworker:ana", "--set", "decision_notes=Agreed", "--key", "k1"])
        #expect(agreed.out == "c1: assessing (revision 3)\n")
        let again = space.run(["case", "fire", "c1", "agree_to_assess", "--as", "caseworker:ana", "--set", "decision_notes=Agreed", "--key", "k1"])
        #expect(again.out == "c1: assessing (revision 3) (already done with this key; nothing changed)\n")

        let show = space.run(["case", "show", "c1", "--format", "json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(show.out.utf8)) as? [String: Any])
        #expect(json["id"] as? String == "c1")
        #expect(json["workflow"] as? String == "assessment")
        #expect(json["workflow_version"] as? Int == 1)
        #expect(json["state"] as? String == "assessing")
        #expect(json["revision"] as? Int == 3)
        #expect((json["fields"] as? [String: Any])?["requested_on"] as? String == "2025-09-01")
        #expect(((json["fields"] as? [String: Any])?["child"] as? [String: Any])?["first_name"] as? String == "Sam")
        #expect((json["forms"] as? [[String: Any]])?.map { $0["id"] as? String } == ["advice-1", "advice-2"])

        #expect(space.run(["form", "submit", "c1", "advice-1", "--as", "health@nhs-trust", "--set", "summary=Needs OT", "--set", "hours=2.5"]).out
                == "advice-1 on c1: submitted (case revision 4)\n")
        let wrongOrg = space.run(["form", "submit", "c1", "advice-2", "--as", "school@elsewhere", "--set", "summary=x"])
        #expect(wrongOrg.status == .forbidden)
        #expect(wrongOrg.err == "error[forbidden]: you may not do this: only the school the form was shared with may submit it\n")
        #expect(space.run(["form", "reject", "c1", "advice-1", "--as", "caseworker:ana", "--reason", "Say how many hours"]).out
                == "advice-1 on c1: rejected (case revision 5)\n")

        let history = space.run(["case", "history", "c1"])
        #expect(history.out.split(separator: "\n").count == 5)
        #expect(history.out.contains("caseworker:ana form_rejected advice-1: assessing"))

        let outbox = space.run(["outbox", "list", "--case", "c1", "--format", "json"])
        let messages = try #require(try JSONSerialization.jsonObject(with: Data(outbox.out.utf8)) as? [[String: Any]])
        #expect(messages.map { $0["template"] as? String } == ["deciding", "form_shared", "form_shared", "form_submitted", "form_rejected"])
        let claimed = space.run(["outbox", "claim", "--as", "mailer", "--limit", "2", "--format", "json"])
        let ids = try #require(try JSONSerialization.jsonObject(with: Data(claimed.out.utf8)) as? [[String: Any]]).compactMap { $0["id"] as? String }
        #expect(ids == ["c1/2/1", "c1/3/1"])
        #expect(space.run(["outbox", "claim", "--as", "other", "--limit", "2", "--format", "json"]).out.contains("c1/3/2"))
        #expect(space.run(["outbox", "ack", "c1/2/1", "c1/3/1", "--as", "mailer"]).out == "acknowledged 2 of 2\n")
        #expect(space.run(["outbox", "ack", "c1/3/2", "--as", "mailer"]).status == .failure, "only the claimer may acknowledge")

        #expect(space.run(["audit", "verify", "c1"]).out == "case c1: 5 events, chain intact, record replays\n")
    }

    /// A fire with no `--set` skips the command line's own reading of the case's workflow (there is nothing to type)
    /// and is refused by the fire's admission, which asks the same question: the same refusals, word for word, as a
    /// fire with input, which reads the workflow through the door first.
    @Test func aFireWithoutInputIsRefusedAsOneWithInput() throws {
        let space = try Self.workspace()
        _ = space.run(["case", "open", "assessment", "--id", "c1", "--as", "parent:jo", "--set", "requested_on=2025-09-01"])
        for arguments in [["case", "fire", "nope", "start_deciding", "--as", "caseworker:ana"],
                          ["case", "fire", "c1", "start_deciding", "--as", "stranger:x"],
                          ["case", "fire", "c1", "no_such_transition", "--as", "caseworker:ana"]] {
            let without = space.run(arguments)
            let with = space.run(arguments + ["--set", "evidence_complete=true"])
            #expect(without.status != .success && without.status == with.status, "\(arguments)")
            #expect(!without.err.isEmpty && without.err == with.err, "\(arguments): \(without.err) against \(with.err)")
        }
        #expect(space.run(["case", "show", "c1", "--format", "json"]).out.contains("\"revision\" : 1"), "nothing was changed")
    }

    @Test func auditVerifyFindsAnEditedRowInTheDatabaseFile() throws {
        let space = try Self.workspace()
        _ = space.run(["case", "open", "assessment", "--id", "c1", "--as", "parent:jo", "--set", "requested_on=2025-09-01"])
        _ = space.run(["case", "fire", "c1", "start_deciding", "--as", "caseworker:ana", "--set", "evidence_complete=true"])
        _ = space.run(["case", "fire", "c1", "agree_to_assess", "--as", "caseworker:ana", "--set", "decision_notes=Agreed"])
        #expect(space.run(["audit", "verify"]).status == .success)

        var db: OpaquePointer?
        #expect(sqlite3_open(space.database, &db) == SQLITE_OK)
        #expect(sqlite3_exec(db, "UPDATE audit_events SET event = event WHERE case_id = 'c1'", nil, nil, nil) != SQLITE_OK,
                "the store refuses updates to audit rows")
        // Someone with the file in hand can drop the guard; the hash chain still catches the edit.
        #expect(sqlite3_exec(db, "DROP TRIGGER audit_events_no_update", nil, nil, nil) == SQLITE_OK)
        let sql = "UPDATE audit_events SET event = replace(event, 'Agreed', 'Refused') WHERE case_id = 'c1' AND sequence = 3"
        #expect(sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK)
        #expect(sqlite3_changes(db) == 1, "the test must really edit the stored event")
        sqlite3_close(db)

        let verified = space.run(["audit", "verify", "c1"])
        #expect(verified.status == .failure)
        #expect(verified.out == "case c1: event 3 does not match: its content does not match its hash\n")
    }

    @Test func errorsAreOneLineAndUsageErrorsExitTwo() throws {
        let space = try Self.workspace()
        // `case open` creates the store (even when it then refuses); `case show` on a missing store would be a usage error.
        #expect(space.run(["case", "open", "assesment"]).err == "error[not_found]: no workflow 'assesment'; did you mean 'assessment'?\n")
        #expect(space.run(["case", "show", "nope"]).err == "error[not_found]: no case 'nope'\n")
        #expect(space.run(["case", "fire", "c1"]).status == .usage)
        #expect(space.run(["case", "opn", "assessment"]).err.hasPrefix("error: unknown case command 'opn'\n  help: did you mean 'open'?"))
        #expect(space.run(["case", "open", "assessment", "--as", "Not A Role"]).status == .usage)
        let badValue = space.run(["case", "open", "assessment", "--set", "requested_on=1st of May"])
        #expect(badValue.err == "error[invalid_input]: the values given cannot be used:\n  - 'requested_on': expected a date as YYYY-MM-DD, found '1st of May'\n")
    }

    /// The `casework` executable built beside the tests.
    static func executable() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("casework"),
            RepositoryPaths.root.appendingPathComponent(".build/debug/casework"),
        ]
        return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) },
                            "the casework executable was not built beside the tests: \(candidates.map(\.path))")
    }

    @Test func twoProcessesFiringOnOneFileLoseNoUpdate() throws {
        let space = try Self.workspace()
        let binary = try Self.executable()
        for index in 1...8 {
            _ = space.run(["case", "open", "assessment", "--id", "c\(index)", "--as", "parent:jo"])
        }
        func launch(_ arguments: [String]) throws -> pid_t {
            try Spawn.start([binary.path] + arguments + ["--db", space.database, "--definitions", space.definitions], out: "/dev/null")
        }
        var processes: [pid_t] = []
        for index in 1...8 {
            for actor in ["caseworker:ana", "caseworker:bo"] {
                processes.append(try launch(["case", "fire", "c\(index)", "start_deciding", "--as", actor, "--set", "evidence_complete=true"]))
            }
        }
        let succeeded = processes.map { Spawn.wait($0) }.filter { $0.status == 0 }.count
        #expect(succeeded == 8, "exactly one of each pair wins; the other is refused (wrong state or conflict), never both")
        for index in 1...8 {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(space.run(["case", "show", "c\(index)", "--format", "json"]).out.utf8)) as? [String: Any])
            #expect(json["revision"] as? Int == 2)
            #expect(json["state"] as? String == "deciding")
        }
        #expect(space.run(["audit", "verify"]).out == "8 cases, every chain intact\n")
    }
}

import CaseworkTestSupport
import Foundation
import Testing
import Casework
import CaseworkCommandLine

/// `casework tick` and `casework deadline` on a SQLite file, including two processes ticking at once.
@Suite("casework tick and deadline commands")
struct TickCommandTests {
    static func workspace() throws -> CommandWorkspace {
        try CommandWorkspace(["timed.yaml": DeadlineTests.workflow, "england-and-wales.yaml": DeadlineTests.calendars])
    }

    @Test func tickAppliesWhatIsDueOnceAndShowListsDeadlines() throws {
        let space = try Self.workspace()
        #expect(space.run(["case", "open", "timed", "--id", "c1", "--as", "parent:jo", "--set", "requested_on=2025-09-01"]).status == .success)
        #expect(space.run(["tick", "--at", "2025-10-01"]).out == "nothing due\n")
        #expect(space.run(["tick", "--at", "2025-10-06"]).out == "c1: reminded decide (due 2025-10-13)\n")
        #expect(space.run(["deadline", "pause", "c1", "decide", "--as", "send_manager:sam", "--exception", "reg-10-4-a", "--reason", "setting closed"]).out
                == "decide on c1: paused, due 2025-10-13\n")
        #expect(space.run(["tick", "--at", "2025-11-30", "--format", "json"]).out == "[]\n", "a paused clock neither reminds nor breaches")
        let show = space.run(["case", "show", "c1", "--format", "json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(show.out.utf8)) as? [String: Any])
        let deadlines = try #require(json["deadlines"] as? [[String: Any]])
        #expect(deadlines.first?["name"] as? String == "decide")
        #expect(deadlines.first?["state"] as? String == "paused")
        #expect(deadlines.first?["due_on"] as? String == "2025-10-13")
        #expect(deadlines.first?["reason"] as? String == "setting closed")
        let refused = space.run(["deadline", "resume", "c1", "decide", "--as", "parent:jo", "--reason", "x"])
        #expect(refused.status == .failure)
        #expect(space.run(["deadline", "stop", "c1", "decide"]).status == .usage)
    }

    /// A tick records reminders and breaches as having happened, so a moment that has not come is refused and changes
    /// nothing, however far ahead; a moment just past is a tick like any other.
    @Test(arguments: ["9999-12-31", "2999-01-01T00:00:00Z", "in a minute"])
    func tickAtAMomentThatHasNotComeIsRefusedAndChangesNothing(_ moment: String) throws {
        let space = try Self.workspace()
        #expect(space.run(["case", "open", "timed", "--id", "c1", "--as", "parent:jo", "--set", "requested_on=2025-09-01"]).status == .success)
        let before = space.run(["case", "history", "c1", "--format", "json"]).out
        let outboxBefore = space.run(["outbox", "list", "--format", "json"]).out
        let written = moment == "in a minute" ? Date().addingTimeInterval(60).formatted(.iso8601) : moment
        let refused = space.run(["tick", "--at", written])
        #expect(refused.status == .usage)
        #expect(refused.err.contains("--at '\(written)' is later than now"), "\(refused.err)")
        #expect(refused.out.isEmpty)
        #expect(space.run(["case", "history", "c1", "--format", "json"]).out == before, "nothing was reminded, breached or audited")
        #expect(space.run(["outbox", "list", "--format", "json"]).out == outboxBefore, "no notice was queued")
        let justPast = Date().addingTimeInterval(-1).formatted(.iso8601)
        let ticked = space.run(["tick", "--at", justPast])
        #expect(ticked.status == .success)
        #expect(ticked.out.contains("c1: breached decide (due 2025-10-13)"), "\(ticked.out)")
    }

    @Test func twoProcessesTickingAtOnceApplyEachActionExactlyOnce() throws {
        let space = try Self.workspace()
        for index in 1...12 {
            #expect(space.run(["case", "open", "timed", "--id", "c\(index)", "--as", "parent:jo", "--set", "requested_on=2025-09-01"]).status == .success)
        }
        let binary = try CaseCommandTests.executable()
        for day in ["2025-10-07", "2025-10-14"] {
            let processes = try (0..<2).map { _ in
                try Spawn.start([binary.path, "tick", "--at", day, "--db", space.database, "--definitions", space.definitions], out: "/dev/null")
            }
            let endings = processes.map { Spawn.wait($0) }
            #expect(endings.allSatisfy { $0.status == 0 }, "\(endings)")
        }
        for index in 1...12 {
            let history = space.run(["case", "history", "c\(index)", "--format", "json"])
            let events = try #require(try JSONSerialization.jsonObject(with: Data(history.out.utf8)) as? [[String: Any]])
            let actions = events.compactMap { $0["action"] as? String }
            #expect(actions == ["opened", "deadline_reminder", "deadline_breached"], "case c\(index): \(actions)")
        }
        #expect(space.run(["tick", "--at", "2025-10-14"]).out == "nothing due\n")
        #expect(space.run(["audit", "verify"]).out == "12 cases, every chain intact\n")
    }
}

@Suite("casework demo")
struct DemoCommandTests {
    @Test func theDemoRunsAWholeAssessmentAndTellsItAsATimeline() throws {
        let database = FileManager.default.temporaryDirectory.appendingPathComponent("casework-demo-test-\(UUID().uuidString).sqlite").path
        let definitions = ["Workflows", "Policies"].flatMap { ["--definitions", RepositoryPaths.root.appendingPathComponent($0).path] }
        let result = runCasework(["demo", "--db", database] + definitions)
        #expect(result.status == .success, "\(result.err)")
        for line in [
            "Mon  1 Sep 2025  The parent asks for an EHC needs assessment through the portal",
            "    tick: reminder for 'decide_whether_to_assess' (due 2025-10-13)",
            "    notified educational_psychology@county-ep-service: A form has been shared with you: Advice for an EHC needs assessment",
            "    notified health@nhs-community-trust: More information is needed: Advice for an EHC needs assessment",
            "    send_manager:sam-send-manager excused 'gather_advice' under reg-8-2-setting-closed (revision 11)",
            "    tick: BREACH of 'final_plan' (due 2026-01-19)",
            "    notified send_manager: Time limit missed: Issue the final EHC plan (Regs 13(2))",
            "    notified parent:jo-parent: Reminder: Representations on the draft plan (Regs 13(1)) is due on 24 December 2025",
            "    tick: closed 'representations' (due 2025-12-24)",
            "  final_plan                 started 2025-09-01, due 2026-01-19: met_late, met on 2026-01-23, breached on 2026-01-20",
            "  gather_advice              started 2025-10-08, due 2025-11-19: excused",
            "  representations            started 2025-12-10, due 2025-12-24: closed",
            "    caseworker:ana-caseworker gave organisation:hillside-primary full access",
            "final state: plan_issued, revision 33; 37 notifications in the outbox, 3 of them owed by another route; audit chain: intact",
        ] {
            #expect(result.out.contains(line + "\n"), "missing: \(line)")
        }
        // The reg 4(2) notice of the request: recorded for the school, health and social care, who have no portal access
        // yet, as owed by another route, in the same commit as the acknowledgement.
        for service in ["school@hillside-primary", "health@nhs-community-trust", "social_care@county-social-care"] {
            let line = "    owed to \(service) by another route (the access policy does not let this recipient see the case through the portal): "
                + "Request for an EHC needs assessment: case demo-ehcna-1\n"
            #expect(result.out.contains(line), "missing: \(line)")
        }
        #expect(!result.out.contains("notified young_person"), "nobody on the case plays the young person, so nothing goes through the portal")
        #expect(!result.out.contains("owed to young_person"), "and the workflow tells the young person only if_named: no one is owed a notice")
        #expect(runCasework(["demo", "--db", database] + definitions).status == .usage, "the demo never writes into an existing file")
    }
}

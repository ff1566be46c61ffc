@testable import CaseworkCommandLine
import Foundation
import Testing

/// `casework notices owed|sent` and `casework case participant add|remove`, on the demo's store.
@Suite("casework notices and case participant")
struct NoticesCommandTests {
    static let definitions = ["Workflows", "Policies"].flatMap { ["--definitions", RepositoryPaths.root.appendingPathComponent($0).path] }
    static let caseworker = ["--as", "caseworker:ana", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"]
    static let parent = ["--as", "parent:jo-parent", "--attribute", "relationship=parent", "--attribute", "second_factor_verified=true"]

    /// A fresh copy of the demo's store.
    static func demo() -> String {
        let database = FileManager.default.temporaryDirectory.appendingPathComponent("casework-notices-\(UUID().uuidString).sqlite").path
        _ = runCasework(["demo", "--db", database] + definitions)
        return database
    }

    @Test func theWorkListOfNoticesOwedMatchesItsGoldenFiles() throws {
        let database = Self.demo()
        let folder = GoldenFiles.repositoryRoot.appendingPathComponent("Tests/CaseworkTests/Fixtures/notices")
        let text = runCasework(["notices", "owed", "--db", database] + Self.definitions)
        #expect(text.status == .success, "\(text.err)")
        try GoldenFiles.check(text.out, against: folder.appendingPathComponent("owed.txt"))
        let json = runCasework(["notices", "owed", "--case", "demo-ehcna-1", "--format", "json", "--db", database] + Self.caseworker + Self.definitions)
        #expect(json.status == .success, "\(json.err)")
        try GoldenFiles.check(json.out, against: folder.appendingPathComponent("owed.json"))
        #expect(text.out.contains("demo-ehcna-1/3/2 to school@hillside-primary, written 2025-09-02\n"), "the reg 4(2) notice to the school is on the list")
    }

    @Test func recordingASendingTakesANoticeOffTheListAndTheParentCannot() throws {
        let database = Self.demo()
        let refused = runCasework(["notices", "sent", "demo-ehcna-1", "demo-ehcna-1/3/2", "--by", "ana", "--route", "post", "--on", "2025-09-03",
                                   "--db", database] + Self.parent + Self.definitions)
        #expect(refused.status != .success)
        let sent = runCasework(["notices", "sent", "demo-ehcna-1", "demo-ehcna-1/3/2", "--by", "ana", "--route", "post", "--on", "2025-09-03",
                                "--db", database] + Self.caseworker + Self.definitions)
        #expect(sent.status == .success, "\(sent.err)")
        let owed = runCasework(["notices", "owed", "--db", database] + Self.definitions)
        #expect(!owed.out.contains("demo-ehcna-1/3/2 "))
        let timeline = runCasework(["case", "timeline", "demo-ehcna-1", "--db", database] + Self.caseworker + Self.definitions)
        #expect(timeline.out.contains("owed by another route, because the access policy does not let this recipient see the case through the portal; sent by post on 3 September 2025\n"),
                "staff's timeline marks the owed notice and its sending: \(timeline.out)")
        #expect(timeline.out.contains("not yet recorded as sent\n"), "and those still owed")
        let shown = runCasework(["case", "show", "demo-ehcna-1", "--db", database] + Self.definitions)
        #expect(shown.out.contains("  demo-ehcna-1/3/2 to school@hillside-primary: Request for an EHC needs assessment: case demo-ehcna-1 (sent by post on 2025-09-03)\n"))
        #expect(runCasework(["audit", "verify", "--db", database] + Self.definitions).status == .success)
    }

    @Test func aSecondParentIsAddedThroughThePolicyAndThenNotified() throws {
        let database = Self.demo()
        let base = ["case", "participant", "add", "demo-ehcna-1", "parent", "kim", "--reason", "holds parental responsibility", "--db", database]
        #expect(runCasework(base + Self.parent + Self.definitions).status != .success, "a parent may not name another")
        let added = runCasework(base + Self.caseworker + Self.definitions)
        #expect(added.out == "demo-ehcna-1: person:kim now takes part as parent (revision 34)\n", "\(added.err)")
        let json = runCasework(["case", "show", "demo-ehcna-1", "--format", "json", "--db", database] + Self.definitions)
        #expect(json.out.contains(#""parent" : ["#), "participants are lists by role")
        let removed = runCasework(["case", "participant", "remove", "demo-ehcna-1", "parent", "person:kim", "--reason", "named in error", "--db", database]
                                  + Self.caseworker + Self.definitions)
        #expect(removed.status == .success, "\(removed.err)")
        #expect(runCasework(["audit", "verify", "--db", database] + Self.definitions).status == .success)
    }

    @Test func repeatingParticipantAtOpeningNamesEveryone() throws {
        let database = FileManager.default.temporaryDirectory.appendingPathComponent("casework-open-\(UUID().uuidString).sqlite").path
        let opened = runCasework(["case", "open", "ehcp-needs-assessment", "--id", "p1", "--set", "requested_on=2025-09-01", "--set", "requested_by=parent",
                                  "--set", "child.first_name=Sam", "--set", "child.last_name=Taylor", "--set", "child.date_of_birth=2016-02-14",
                                  "--participant", "parent=jo", "--participant", "parent=kim", "--db", database] + Self.definitions)
        #expect(opened.status == .success, "\(opened.err)")
        let shown = runCasework(["case", "show", "p1", "--db", database] + Self.definitions)
        #expect(shown.out.contains("  parent: jo, kim\n"), "the second --participant for a role no longer replaces the first")
    }
}

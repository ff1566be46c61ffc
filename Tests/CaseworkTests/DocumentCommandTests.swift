import Casework
import CaseworkCommandLine
import CaseworkSQLite
import Foundation
import Testing

/// `casework document add|list|show|get` on the shipped needs assessment, whose draft and final plans are addressed by the
/// policy's `ehcp` sections, on an SQLite file: what a caseworker, a parent with limited access and a stranger each get.
@Suite("casework document commands")
struct DocumentCommandTests {
    /// A store and the shipped definitions, with case c1 opened by the parent and a limited grant to `parent:lee`.
    final class Workspace {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-documents-\(UUID().uuidString)")
        var database: String { directory.appendingPathComponent("cases.sqlite").path }
        static let staff = ["--as", "caseworker:ana", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"]
        static let limited = ["--as", "parent:lee", "--attribute", "relationship=parent", "--attribute", "second_factor_verified=true"]
        static let stranger = ["--as", "parent:sam", "--attribute", "relationship=parent", "--attribute", "second_factor_verified=true"]
        static let parent = ["--as", "parent:jo", "--attribute", "relationship=parent", "--attribute", "second_factor_verified=true"]
        static let school = ["--as", "school@hillside-primary", "--attribute", "relationship=professional", "--attribute", "second_factor_verified=true"]
        static let health = ["--as", "health@city-health", "--attribute", "relationship=professional", "--attribute", "second_factor_verified=true"]

        init() throws {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let opened = run(["case", "open", "ehcp-needs-assessment", "--id", "c1", "--set", "requested_on=2025-09-01", "--set", "requested_by=parent",
                              "--set", "child.first_name=Sam", "--set", "child.last_name=Taylor", "--set", "child.date_of_birth=2016-02-14"])
            #expect(opened.status == .success, "\(opened.err)")
            let granted = run(["access", "grant", "c1", "--to", "lee", "--level", "limited", "--reason", "court order"] + Self.staff)
            #expect(granted.status == .success, "\(granted.err)")
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        /// A file in the workspace holding `text`; its path.
        func file(_ name: String, _ text: String) throws -> String {
            let url = directory.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            return url.path
        }

        /// Runs `casework` in process on the shipped definitions and this store.
        func run(_ arguments: [String]) -> (status: CaseworkCommandLine.ExitStatus, out: String, err: String) {
            runCasework(arguments + ["--db", database, "--definitions", RepositoryPaths.root.appendingPathComponent("Workflows").path,
                                     "--definitions", RepositoryPaths.root.appendingPathComponent("Policies").path])
        }
    }

    @Test func aPlanAddedBySectionIsReadBackWithSectionKWithheldFromALimitedParent() throws {
        let space = try Workspace()
        let sectionA = try space.file("section-a.md", "Sam loves trains.\n")
        let sectionK = try space.file("section-k.md", "Advice from the educational psychologist.\n")
        let added = space.run(["document", "add", "c1", "draft_plan", sectionA, "--section", "A", "--reason", "Section A from the family"] + Workspace.staff)
        #expect(added.status == .success, "\(added.err)")
        #expect(added.out.contains("Draft EHC plan (draft_plan) of case c1, version 1"))
        let second = space.run(["document", "add", "c1", "draft_plan", sectionK, "--section", "K", "--format", "json"] + Workspace.staff)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(second.out.utf8)) as? [String: Any], "\(second.err)")
        #expect(json["version"] as? Int == 2)
        #expect((json["parts"] as? [[String: Any]])?.compactMap { $0["section"] as? String } == ["A", "K"])

        let shown = space.run(["document", "show", "c1", "draft_plan", "--format", "json"] + Workspace.limited)
        let view = try #require(try JSONSerialization.jsonObject(with: Data(shown.out.utf8)) as? [String: Any], "\(shown.err)")
        let parts = try #require(view["parts"] as? [[String: Any]])
        #expect(parts.map { $0["withheld"] as? Bool } == [false, true])
        #expect(parts[1]["sha256"] == nil && parts[1]["bytes"] == nil, "neither K's hash nor its size")
        #expect(view["bytes"] is NSNull, "no total that would tell K's size")
        #expect(!shown.out.contains("Advice"))
        let text = space.run(["document", "show", "c1", "draft_plan"] + Workspace.limited)
        #expect(text.out.contains("section K: withheld"))
        #expect(text.out.contains("by a caseworker"), "who added it is named only to those who decide access")
        let listed = space.run(["document", "list", "c1"] + Workspace.limited)
        #expect(listed.out.contains("draft_plan  Draft EHC plan  version 2") && listed.out.contains("K (withheld)"), "\(listed.out)\(listed.err)")

        let out = space.directory.appendingPathComponent("a.md").path
        let got = space.run(["document", "get", "c1", "draft_plan", "--section", "A", "--out", out] + Workspace.limited)
        #expect(got.status == .success, "\(got.err)")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "Sam loves trains.\n")
        let refused = space.run(["document", "get", "c1", "draft_plan", "--section", "K", "--out", out] + Workspace.limited)
        #expect(refused.status == .forbidden)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "Sam loves trains.\n", "nothing written for a withheld part")
        let old = space.run(["document", "get", "c1", "draft_plan", "--version", "1", "--section", "A", "--out", out] + Workspace.staff)
        #expect(old.status == .success, "\(old.err)")

        let verified = space.run(["audit", "verify", "c1"])
        #expect(verified.status == .success, "\(verified.out)\(verified.err)")
    }

    @Test func aStrangerIsRefusedEveryDocumentCommandAsForACaseThatDoesNotExist() throws {
        let space = try Workspace()
        let plan = try space.file("plan.md", "The plan.\n")
        _ = space.run(["document", "add", "c1", "draft_plan", plan, "--section", "B"] + Workspace.staff)
        let out = space.directory.appendingPathComponent("x").path
        for command in [["document", "list"], ["document", "show"], ["document", "get"], ["document", "add"]] {
            func arguments(_ caseID: String) -> [String] {
                switch command[1] {
                case "list": command + [caseID]
                case "show": command + [caseID, "draft_plan"]
                case "get": command + [caseID, "draft_plan", "--section", "B", "--out", out]
                default: command + [caseID, "draft_plan", plan, "--section", "B"]
                }
            }
            let existing = space.run(arguments("c1") + Workspace.stranger)
            let missing = space.run(arguments("nope") + Workspace.stranger)
            #expect(existing.status == .forbidden, "\(command): \(existing.err)")
            #expect(existing.status == missing.status && existing.err == missing.err && existing.out == missing.out, "\(command)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func aFileOfAnotherTypeOrWithoutOneChangesNothing() throws {
        let space = try Workspace()
        let page = try space.file("plan.html", "<p>plan</p>")
        let before = space.run(["case", "history", "c1"]).out
        let wrongType = space.run(["document", "add", "c1", "draft_plan", page, "--section", "A"] + Workspace.staff)
        #expect(wrongType.status == .failure)
        #expect(wrongType.err.contains("'draft_plan' takes application/pdf, text/markdown, text/plain, not 'text/html'"), "\(wrongType.err)")
        let untyped = space.run(["document", "add", "c1", "draft_plan", try space.file("plan.bin", "x"), "--section", "A"] + Workspace.staff)
        #expect(untyped.status == .usage)
        #expect(space.run(["case", "history", "c1"]).out == before)
        #expect(space.run(["document", "list", "c1"]).out == "No documents you may see on case c1.\n")
    }

    /// Case c1 with full grants to `parent:jo` and to two organisations, a draft plan (sections B and K) given to the
    /// school and an advice report given to the health service.
    static func sharedDocuments() throws -> Workspace {
        let space = try Workspace()
        for grantee in ["jo", "organisation:hillside-primary", "organisation:city-health"] {
            let granted = space.run(["access", "grant", "c1", "--to", grantee, "--level", "full", "--reason", "consulted"] + Workspace.staff)
            #expect(granted.status == .success, "\(granted.err)")
        }
        let plan = space.run(["document", "add", "c1", "draft_plan", try space.file("b.md", "Sam's needs.\n"), "--section", "B",
                              "--share-with", "hillside-primary"] + Workspace.staff)
        #expect(plan.status == .success, "\(plan.err)")
        let advice = space.run(["document", "add", "c1", "draft_plan", try space.file("k.md", "The advice.\n"), "--section", "K"] + Workspace.staff)
        #expect(advice.status == .success, "\(advice.err)")
        let report = space.run(["document", "add", "c1", "advice_report", try space.file("health.md", "Health advice.\n"),
                                "--share-with", "city-health"] + Workspace.staff)
        #expect(report.status == .success, "\(report.err)")
        return space
    }

    /// Who sees which document through every command that reads documents: each professional only what was given to
    /// their organisation, the limited parent the plan without section K and never the advice report, the parent with
    /// full access everything.
    @Test(arguments: [
        (Workspace.school, ["draft_plan"], ["advice_report"]),
        (Workspace.health, ["advice_report"], ["draft_plan"]),
        (Workspace.limited, ["draft_plan"], ["advice_report"]),
        (Workspace.parent, ["draft_plan", "advice_report"], []),
        (Workspace.staff, ["draft_plan", "advice_report"], []),
    ])
    func eachReaderSeesOnlyTheDocumentsTheyWereGiven(_ actor: [String], _ seen: [String], _ unseen: [String]) throws {
        let space = try Self.sharedDocuments()
        let listed = space.run(["document", "list", "c1", "--format", "json"] + actor)
        let documents = try #require(try JSONSerialization.jsonObject(with: Data(listed.out.utf8)) as? [[String: Any]], "\(listed.err)")
        #expect(documents.compactMap { $0["kind"] as? String } == seen)
        let out = space.directory.appendingPathComponent("got").path
        for kind in seen {
            let shown = space.run(["document", "show", "c1", kind] + actor)
            #expect(shown.status == .success, "\(kind): \(shown.err)")
            let section = kind == "draft_plan" ? ["--section", "B"] : []
            let got = space.run(["document", "get", "c1", kind, "--out", out] + section + actor)
            #expect(got.status == .success, "\(kind): \(got.err)")
        }
        for kind in unseen {
            // Refused in the words used for a document the case does not hold, where that is refused too.
            let nothing = space.run(["document", "show", "c1", "final_plan"] + actor)
            for command in [["show", "c1", kind], ["show", "c1", kind, "--version", "1"], ["get", "c1", kind, "--out", out]] {
                let refused = space.run(["document"] + command + actor)
                #expect(refused.status == .forbidden, "\(command): \(refused.out)")
                if nothing.status == .forbidden { #expect(refused.err == nothing.err, "\(command): \(refused.err)") }
            }
        }
        let timeline = space.run(["case", "timeline", "c1"] + actor)
        for kind in unseen { #expect(!timeline.out.contains(kind), "the timeline names no document") }
    }

    @Test func whomADocumentIsGivenToIsToldOnlyToThoseWhoDecideAccessAndAChangeReachesEveryVersion() throws {
        let space = try Self.sharedDocuments()
        let staff = space.run(["document", "show", "c1", "draft_plan", "--format", "json"] + Workspace.staff)
        let view = try #require(try JSONSerialization.jsonObject(with: Data(staff.out.utf8)) as? [String: Any], "\(staff.err)")
        #expect(view["shared_with"] as? [String] == ["hillside-primary"], "a version without --share-with keeps the latest's")
        #expect(space.run(["document", "show", "c1", "draft_plan"] + Workspace.staff).out.contains("  given to: hillside-primary\n"))
        let school = space.run(["document", "show", "c1", "draft_plan", "--format", "json"] + Workspace.school)
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(school.out.utf8)) as? [String: Any], "\(school.err)")
        #expect(seen["shared_with"] is NSNull, "a professional is not told who else was given the plan")

        let moved = space.run(["document", "add", "c1", "draft_plan", try space.file("c.md", "Provision.\n"), "--section", "C",
                               "--share-with", "city-health"] + Workspace.staff)
        #expect(moved.status == .success, "\(moved.err)")
        #expect(space.run(["document", "show", "c1", "draft_plan", "--version", "1"] + Workspace.school).status == .forbidden,
                "taking the plan back from the school reaches its earlier versions too")
        #expect(space.run(["document", "show", "c1", "draft_plan", "--version", "1"] + Workspace.health).status == .success)

        let events = try SQLiteCaseStore(path: space.database).snapshot(caseID: "c1").events
        #expect(events.compactMap { $0.change?.document?.sharedWith } == [["hillside-primary"], ["hillside-primary"], ["city-health"], ["city-health"]],
                "each audit event records whom its version was given to")
        #expect(space.run(["audit", "verify", "c1"]).status == .success)
        let bad = space.run(["document", "add", "c1", "advice_report", try space.file("x.md", "x"), "--share-with", "no such"] + Workspace.staff)
        #expect(bad.status == .failure)
        #expect(bad.err.contains("'no such' is not an organisation's id"), "\(bad.err)")
    }
}

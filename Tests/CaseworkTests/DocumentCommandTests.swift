import Casework
import CaseworkCommandLine
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
}

import CaseworkCommandLine
import Foundation
import Testing

/// `casework document withdraw` on the shipped needs assessment: the withdrawal is a new version, the earlier ones stay
/// readable and say so, the current content is not served, and every refusal changes nothing.
@Suite("casework document withdraw")
struct DocumentWithdrawCommandTests {
    typealias Workspace = DocumentCommandTests.Workspace

    /// A workspace whose case c1 holds a draft plan of sections A and K.
    static func planned() throws -> Workspace {
        let space = try Workspace()
        for (section, text) in [("A", "Sam loves trains.\n"), ("K", "Advice.\n")] {
            let added = space.run(["document", "add", "c1", "draft_plan", try space.file("\(section).md", text), "--section", section] + Workspace.staff)
            #expect(added.status == .success, "\(added.err)")
        }
        return space
    }

    @Test func aWithdrawnPlanIsShownAsWithdrawnAndItsEarlierVersionsStayReadable() throws {
        let space = try Self.planned()
        let withdrawn = space.run(["document", "withdraw", "c1", "draft_plan", "--reason", "draft sent in error", "--format", "json"] + Workspace.staff)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(withdrawn.out.utf8)) as? [String: Any], "\(withdrawn.err)")
        #expect(json["version"] as? Int == 3)
        #expect(json["withdrawn"] as? Bool == true)
        #expect(json["withdrawn_in"] as? Int == 3)
        #expect(json["reason"] as? String == "draft sent in error")
        #expect((json["parts"] as? [Any])?.isEmpty == true)

        let listed = space.run(["document", "list", "c1"] + Workspace.limited)
        #expect(listed.out.contains("draft_plan  Draft EHC plan  version 3") && listed.out.contains("withdrawn"), "\(listed.out)\(listed.err)")
        let shown = space.run(["document", "show", "c1", "draft_plan"] + Workspace.limited)
        #expect(shown.out.contains("withdrawn:") && shown.out.contains("holds no content"), "\(shown.out)\(shown.err)")
        let older = space.run(["document", "show", "c1", "draft_plan", "--version", "2", "--format", "json"] + Workspace.limited)
        let olderJSON = try #require(try JSONSerialization.jsonObject(with: Data(older.out.utf8)) as? [String: Any], "\(older.err)")
        #expect(olderJSON["withdrawn"] as? Bool == true && olderJSON["withdrawn_in"] as? Int == 3, "an earlier version says it was withdrawn")
        let olderText = space.run(["document", "show", "c1", "draft_plan", "--version", "2"] + Workspace.staff)
        #expect(olderText.out.contains("withdrawn by version 3"), "\(olderText.out)")

        let out = space.directory.appendingPathComponent("a.md").path
        let current = space.run(["document", "get", "c1", "draft_plan", "--section", "A", "--out", out] + Workspace.staff)
        #expect(current.status == .failure, "\(current.out)\(current.err)")
        #expect(current.err.contains("withdrawn by version 3"), "\(current.err)")
        #expect(!FileManager.default.fileExists(atPath: out), "no content served as current")
        let earlier = space.run(["document", "get", "c1", "draft_plan", "--version", "2", "--section", "A", "--out", out] + Workspace.limited)
        #expect(earlier.status == .success, "\(earlier.err)")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "Sam loves trains.\n")

        let history = space.run(["case", "history", "c1", "--format", "json"])
        #expect(history.out.contains("document_withdrawn"), "\(history.out)\(history.err)")
        let verified = space.run(["audit", "verify", "c1"])
        #expect(verified.status == .success, "\(verified.out)\(verified.err)")
    }

    /// Each refusal: the arguments after `document withdraw c1`, who acts, and the exit status.
    static let refusals: [([String], [String], CaseworkCommandLine.ExitStatus)] = [
        (["draft_plan", "--reason", "no"], Workspace.limited, .forbidden),
        (["draft_plan", "--reason", "no"], Workspace.stranger, .forbidden),
        (["final_plan", "--reason", "no"], Workspace.staff, .failure),
        (["no_such_kind", "--reason", "no"], Workspace.staff, .failure),
        (["draft_plan", "--reason", " "], Workspace.staff, .failure),
        (["draft_plan", "--reason", "no", "--expect-revision", "1"], Workspace.staff, .conflict),
        (["draft_plan"], Workspace.staff, .usage),
    ]

    /// Each refusal, and the case's history unchanged.
    @Test(arguments: 0..<refusals.count)
    func aRefusedWithdrawalChangesNothing(index: Int) throws {
        let (words, actor, expected) = Self.refusals[index]
        let arguments = ["document", "withdraw", "c1"] + words + actor
        let space = try Self.planned()
        let before = space.run(["case", "history", "c1", "--format", "json"]).out
        let refused = space.run(arguments)
        #expect(refused.status == expected, "\(refused.status): \(refused.out)\(refused.err)")
        #expect(space.run(["case", "history", "c1", "--format", "json"]).out == before, "nothing changed")
    }

    @Test func aStrangerIsRefusedAsForACaseThatDoesNotExist() throws {
        let space = try Self.planned()
        let there = space.run(["document", "withdraw", "c1", "draft_plan", "--reason", "no"] + Workspace.stranger)
        let absent = space.run(["document", "withdraw", "nope", "draft_plan", "--reason", "no"] + Workspace.stranger)
        #expect(there.status == .forbidden)
        #expect(there.err == absent.err.replacingOccurrences(of: "nope", with: "c1"))
    }

    @Test func withdrawingTwiceIsAClearErrorAndChangesNothing() throws {
        let space = try Self.planned()
        #expect(space.run(["document", "withdraw", "c1", "draft_plan", "--reason", "replaced"] + Workspace.staff).status == .success)
        let before = space.run(["case", "history", "c1", "--format", "json"]).out
        let again = space.run(["document", "withdraw", "c1", "draft_plan", "--reason", "replaced"] + Workspace.staff)
        #expect(again.status == .failure)
        #expect(again.err.contains("already withdrawn by version 3"), "\(again.err)")
        #expect(space.run(["case", "history", "c1", "--format", "json"]).out == before)
    }
}

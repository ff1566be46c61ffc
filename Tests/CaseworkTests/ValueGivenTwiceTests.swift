import CaseworkDefinitions
import CaseworkTestSupport
import Foundation
import Testing
import Casework
import CaseworkCommandLine

/// A value given twice in one command (a field by `--set`, an actor attribute by `--attribute`, a child's field both set
/// and cleared) is refused and changes nothing: the command never acts on whichever value came last.
@Suite("a value given twice is refused")
struct ValueGivenTwiceTests {
    /// `--set` naming one field twice, on an opening and on a fire, with the same value or another, in either order.
    @Test(arguments: [("Sam", "Tom"), ("Tom", "Sam"), ("Sam", "Sam")])
    func aFieldSetTwiceIsRefused(first: String, second: String) throws {
        let space = try CaseCommandTests.workspace()
        let opened = space.run(["case", "open", "assessment", "--id", "c1", "--as", "parent:jo", "--set", "requested_on=2025-09-01",
                                "--set", "child.first_name=\(first)", "--set", "child.first_name=\(second)"])
        #expect(opened.status == .failure)
        #expect(opened.err == "error[invalid_input]: the values given cannot be used:\n  - 'child.first_name': \(FieldValues.givenTwiceMessage)\n")
        #expect(space.run(["case", "show", "c1"]).status != .success, "no case was opened")

        #expect(space.run(["case", "open", "assessment", "--id", "c1", "--as", "parent:jo", "--set", "requested_on=2025-09-01"]).status == .success)
        let fired = space.run(["case", "fire", "c1", "start_deciding", "--as", "caseworker:ana",
                               "--set", "evidence_complete=true", "--set", "evidence_complete=\(first == second)"])
        #expect(fired.status == .failure)
        #expect(fired.err.contains("  - 'evidence_complete': \(FieldValues.givenTwiceMessage)"), "\(fired.err)")
        #expect(space.run(["case", "show", "c1", "--format", "json"]).out.contains("\"revision\" : 1"), "nothing was changed")
    }

    /// Two `--attribute`s for one attribute are refused before the case is read: the actor cannot be two things.
    @Test func anAttributeGivenTwiceIsRefused() throws {
        let space = try ChildCommandTests.Workspace()
        let before = space.run(["audit", "verify", "c1"])
        let doubled = ["--as", "parent:jo", "--attribute", "relationship=parent", "--attribute", "second_factor_verified=false",
                       "--attribute", "second_factor_verified=true"]
        let shown = space.run(["case", "show", "c1"] + doubled)
        #expect(shown.status == .failure)
        #expect(shown.out.isEmpty)
        #expect(shown.err == "error[invalid_input]: the values given cannot be used:\n"
                + "  - 'attribute.second_factor_verified': is given more than once; give each attribute once\n")
        let missing = space.run(["case", "show", "c99"] + doubled)
        #expect(missing.err == shown.err, "the refusal says nothing of the case")
        let fired = space.run(["case", "fire", "c1", "acknowledge_request"] + ["--as", "caseworker:ana", "--attribute", "relationship=caseworker",
                               "--attribute", "second_factor_verified=true", "--attribute", "second_factor_verified=true"])
        #expect(fired.status == .failure)
        #expect(before.out == "case c1: 1 events, chain intact, record replays\n")
        #expect(space.run(["audit", "verify", "c1"]).out == before.out, "nothing was changed")
    }

    /// A child's identity field set twice is a usage error; one both set and cleared is refused by the engine, as the
    /// library's callers are; neither changes the child's chain.
    @Test func aChildsFieldGivenTwiceIsRefused() throws {
        let space = try ChildCommandTests.Workspace()
        let before = space.run(["audit", "verify", "--child", "k-17"])
        let twice = space.run(["child", "set", "k-17", "--set", "first_name=Sam", "--set", "first_name=Samuel", "--reason", "x"]
                              + ChildCommandTests.Workspace.staff)
        #expect(twice.status == .usage)
        #expect(twice.err.hasPrefix("error: --set first_name is given more than once\n"), "\(twice.err)")
        let added = space.run(["child", "add", "k-19", "--set", "first_name=Sam", "--set", "first_name=Ann"] + ChildCommandTests.Workspace.staff)
        #expect(added.status == .usage)
        #expect(space.run(["child", "show", "k-19"] + ChildCommandTests.Workspace.staff).status != .success, "no child was added")
        let both = space.run(["child", "set", "k-17", "--set", "first_name=Samuel", "--clear", "first_name", "--reason", "x"]
                             + ChildCommandTests.Workspace.staff)
        #expect(both.status == .failure)
        #expect(both.err == "error[invalid_input]: the values given cannot be used:\n  - 'first_name': is both set and cleared; do one\n")
        #expect(space.run(["audit", "verify", "--child", "k-17"]).out == before.out, "nothing was recorded")
    }
}

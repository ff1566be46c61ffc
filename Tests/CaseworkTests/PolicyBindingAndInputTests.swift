@testable import CaseworkDefinitions
import CaseworkYAML
import Testing

/// The language side of "one door": a workflow's `policy:` binding, its opening `input:`, and the fields
/// nothing can set. The diagnostics themselves are in the golden corpus; these check what the corpus cannot.
@Suite("Policy binding, opening input and fields never set")
struct PolicyBindingAndInputTests {
    static let policy = """
        policy: portal
        version: 1
        title: Portal
        resources:
          case: [state]
        rules:
          - { id: staff, allow: [all], when: actor.role == "caseworker" }

        """

    /// A small workflow with `extra` inserted after its title and `transition` appended to its one transition.
    static func workflow(_ extra: String = "", transition: String = "") -> String {
        """
        workflow: closing
        version: 1
        title: Closing
        \(extra)
        roles: [caseworker]
        fields:
          requested_on: date
          notes: text
          child: { first_name: string, date_of_birth: date }
          tags: { list: string }
        states:
          open: { initial: true }
          closed: { final: true }
        transitions:
          - name: close
            from: open
            to: closed
            by: caseworker
        \(transition)

        """
    }

    static func validate(_ workflow: String, withPolicy: Bool) -> ValidationReport {
        Validator.validate(sources: [(file: "closing.yaml", text: workflow)] + (withPolicy ? [(file: "portal.yaml", text: policy)] : []))
    }

    @Test(arguments: [
        ("policy: portal", "portal" as String?, false),
        ("policy: none", nil, true),
        ("policy: \"none\"", nil, true),
        ("", nil, false),
    ])
    func theBindingSaysWhichPolicyOrNoneOnPurpose(line: String, name: String?, none: Bool) throws {
        let report = Self.validate(Self.workflow(line), withPolicy: true)
        let workflow = try #require(report.definitions.workflow("closing"))
        #expect(workflow.policyName == name)
        #expect(workflow.policy?.value == name, "the engine's existing accessor agrees")
        #expect(workflow.declaresNoPolicy == none)
    }

    @Test(arguments: [
        // (binding line, set holds a policy, codes)
        ("", true, ["CW0231"]),
        ("policy: none", true, ["CW0232"]),
        ("policy: portal", true, []),
        ("policy: portl", true, ["CW0230"]),
        ("", false, []),
        ("policy: none", false, []),
        ("policy: portal", false, ["CW0230"]),
    ])
    func aSetWithAPolicyNeedsEveryWorkflowBound(line: String, withPolicy: Bool, codes: [String]) {
        let report = Self.validate(Self.workflow(line), withPolicy: withPolicy)
        #expect(report.diagnostics.map(\.code.rawValue) == codes, "\(report.diagnostics)")
    }

    @Test func twoPoliciesAreBothNamedInTheHelp() throws {
        let other = Self.policy.replacingOccurrences(of: "policy: portal", with: "policy: archive")
        let report = Validator.validate(sources: [("closing.yaml", Self.workflow()), ("portal.yaml", Self.policy), ("archive.yaml", other)])
        let finding = try #require(report.diagnostics.first)
        #expect(finding.message == "workflow 'closing' names no access policy, but the set holds policies 'archive' and 'portal'")
        #expect(finding.help == "add 'policy: NAME' naming one of 'archive', 'portal', or 'policy: none' if its 'by:' roles alone should decide who acts on its cases")
    }

    @Test func theOpeningInputIsReadLikeATransitions() throws {
        let report = Self.validate(Self.workflow("input: { requested_on: required, notes: optional }"), withPolicy: false)
        let workflow = try #require(report.definitions.workflow("closing"))
        #expect(workflow.openingInput?.map(\.field.value) == ["requested_on", "notes"])
        #expect(workflow.openingInput?.map(\.isRequired) == [true, false])
        #expect(Self.validate(Self.workflow(), withPolicy: false).definitions.workflow("closing")?.openingInput == nil)
    }

    @Test(arguments: [
        // Without an opening input, a case may be opened with any field, so nothing is reported.
        ("", "    when: has(notes)", [String]()),
        // Given at opening, by an input, or by set:, a read field is settable.
        ("input: { notes: optional }", "    when: has(notes)", []),
        ("input: { requested_on: required }", "    input: { notes: required }\n    when: has(notes)", []),
        ("input: { requested_on: required }", "    set: { notes: \"'closed'\" }\n    when: has(notes)", []),
        // A group is settable through any of its parts; a list is set whole.
        ("input: { child.first_name: optional }", "    when: has(child)", []),
        ("input: { tags: optional }", "    when: count(tags) > 0", []),
        // Never settable: a guard, a set: value and the date of birth that age_on reads.
        ("input: { requested_on: required }", "    when: has(notes)", ["notes"]),
        ("input: { requested_on: required }", "    set: { notes: \"'closed'\" }\n    when: requested_on < today and age_on(today) > 2", ["child.date_of_birth"]),
        // The variable of any() is not a field, even when a field has its name.
        ("input: { tags: optional }", "    when: any(tags, notes, notes == 'x')", []),
    ])
    func fieldsNothingCanSetAreFound(opening: String, transition: String, fields: [String]) {
        let report = Self.validate(Self.workflow(opening, transition: transition), withPolicy: false)
        let found = report.diagnostics.compactMap { diagnostic -> String? in
            guard case .fieldNeverSet(let field, _) = diagnostic.kind else { return nil }
            return field
        }
        #expect(found == fields, "\(report.diagnostics)")
        #expect(report.diagnostics.allSatisfy { $0.code.rawValue == "CW0233" }, "\(report.diagnostics)")
    }

    @Test func eachFieldIsReportedOnceAtItsFirstRead() throws {
        let transition = "    when: has(notes) and has(notes)\n    notify: [{ to: caseworker, template: done }]\ntemplates:\n  done: { subject: \"Case {{ case.id }}\", body: \"{{ notes }}\" }"
        let report = Self.validate(Self.workflow("input: { requested_on: required }", transition: transition), withPolicy: false)
        let finding = try #require(report.diagnostics.first)
        #expect(report.diagnostics.count == 1, "\(report.diagnostics)")
        #expect(finding.message == "field 'notes' is read by the guard of transition 'close', but nothing sets it")
        #expect(finding.range.start.line == 19)
        #expect(finding.range.start.column == 15)
    }
}

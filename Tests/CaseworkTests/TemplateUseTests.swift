@testable import CaseworkDefinitions
import Testing

/// Which templates a workflow uses, as the workflow checks work it out: from its transitions' `notify:` (found by
/// comparing names with the declared templates) and from `messages:`. A template a transition uses may not show an
/// engine message's placeholders; one only `messages:` names may; one nothing names is warned about; a name no
/// template has is an error wherever it is written.
@Suite("Validation: the templates a workflow uses")
struct TemplateUseTests {
    static let workflow = """
        workflow: template-use
        version: 1
        title: Template use
        roles: [caseworker, parent]
        states:
          open: { initial: true }
          closed: { final: true }
        transitions:
          - name: close
            from: [open]
            to: closed
            by: [caseworker]
            notify: [{ to: [parent], template: moved }, { to: [parent], template: missing }]
          - name: close_again
            from: [open]
            to: closed
            by: [caseworker]
            notify: [{ to: [parent], template: moved }]
        messages: { form_shared: moved, form_submitted: shared, form_accepted: missing }
        templates:
          moved:
            subject: Moved
            body: "Now {{ form.title }}"
          shared:
            subject: Shared
            body: "Now {{ form.title }}"
          spare:
            subject: Spare
            body: Nothing to say

        """

    @Test func eachUseOfATemplateIsJudgedByWhoNamesIt() {
        let report = Validator.validate(sources: [(file: "template-use.yaml", text: Self.workflow)])
        let found = report.diagnostics.map { "\($0.code) \($0.message)" }.sorted()
        #expect(found == [
            "CW0206 'messages' refers to unknown template 'missing'",
            "CW0206 transition 'close' refers to unknown template 'missing'",
            "CW0208 template 'moved' uses unknown field 'form.title'",
            "CW0213 template 'spare' is never used",
        ])
    }
}

/// Generates a large, valid workflow for the validate benchmark: a chain of states with side branches.
enum LargeWorkflow {
    /// YAML text of a workflow with `states` states and `transitions` transitions, each with a `when:` guard.
    static func yaml(states: Int, transitions: Int) -> String {
        var text = """
            workflow: benchmark-workflow
            version: 1
            title: A generated workflow for benchmarking the validator
            description: >
              Two thousand states in a chain, with extra transitions that skip
              ahead or step back, each guarded by an expression.
            roles: [parent, young_person, caseworker, send_manager, school, professional]
            fields:
              requested_on: date
              requested_by: { one_of: [parent, young_person, school, professional] }
              evidence_complete: bool
              weeks_waited: int
              child: { first_name: string, last_name: string, date_of_birth: date }
            states:

            """
        text.reserveCapacity(2_700_000)
        for index in 0..<states {
            let marker = index == 0 ? ", initial: true" : (index == states - 1 ? ", final: true" : "")
            text += "  stage_\(index): { title: \"Stage \(index) of the generated assessment\"\(marker), description: \"Work that happens in stage \(index) before the case moves on.\" }\n"
        }
        text += "transitions:\n"
        for index in 0..<transitions {
            let from = index % (states - 1)
            let to: Int
            switch index / (states - 1) {
            case 0: to = from + 1
            case 1: to = min(from + 2, states - 1)
            default: to = max(from - 1, 0)
            }
            text += """
                  - name: move_\(index)
                    title: Move the case on from stage \(from) to stage \(to) once the caseworker has checked the evidence
                    from: [stage_\(from)]
                    to: stage_\(to)
                    by: [caseworker, send_manager]
                    when: evidence_complete and weeks_waited < \(index + 1) and requested_by in ["parent", "school"]
                    notify: [{ to: [parent, young_person], template: moved }]

                """
        }
        text += """
            templates:
              moved:
                subject: Your request has moved on
                body: "Dear parent, the case {{ case.id }} about {{ child.first_name }} is now at {{ case.state_title }}."

            """
        return text
    }
}

import CaseworkDefinitions
import CaseworkEngine
import CaseworkExpressions
import CaseworkTime
import Foundation

/// What a policy allows each of its personas (`personas:`) on every resource and action, decided by the compiled policy
/// itself, as `casework decide` decides one request, on one representative case.
///
/// The answer for a person turns on the case's facts and their grant, so the grid assumes both and says so: the
/// persona's grant is the only grant on the case; the case is one of the first workflow that names the policy and
/// records the child's date of birth (else the first that names it), at its first stage, on 1 September of the
/// handbook's first year, for a child of ten, so parents still decide and the young person's rights have not passed
/// to them.
struct PersonaGrid {
    /// The compiled policy.
    let policy: CompiledPolicy
    /// The workflows of the set.
    let workflows: [WorkflowDefinition]
    /// The year of the representative case's day.
    let year: Int

    /// The field the child's date of birth is recorded in.
    static let dateOfBirth = "child.date_of_birth"

    /// The day the requests are made.
    var day: CalendarDate { CalendarDate(year: year, month: 9, day: 1) ?? CalendarDate(daysSinceEpoch: 0) }

    /// The child's date of birth: ten years before the day, on 1 March.
    var bornOn: CalendarDate { CalendarDate(year: year - 10, month: 3, day: 1) ?? CalendarDate(daysSinceEpoch: 0) }

    /// The representative case's workflow, when some workflow of the set names the policy.
    var workflow: WorkflowDefinition? {
        let named = workflows.filter { $0.policyName == policy.definition.id.value }
        return named.first { FieldValues.types(of: $0.fields)[Self.dateOfBirth] == .date } ?? named.first
    }

    /// The sentence that says what the grid assumes.
    var assumptions: String {
        guard let workflow else { return "No workflow names this policy, so the cases it decides on cannot be described." }
        let stage = workflow.states.first { $0.isInitial }
        var text = "Each cell is the policy's own decision, as casework decide makes it, for that person doing that action to the whole "
            + "resource, on one representative case: a case of \(workflow.id.value) at its first stage (\(stage?.title ?? "none")), on \(day)"
        if FieldValues.types(of: workflow.fields)[Self.dateOfBirth] == .date {
            text += ", for a child born on \(bornOn) (aged ten, so parents still decide and the young person's rights have not passed to them)"
        }
        return text + ". The person's grant, as listed above, is the only grant on the case and holds that day. Each cell names the rules "
            + "that decided it; a deny no rule names is the default (nothing allowed it). A section can be decided otherwise (a grant "
            + "limited to sections, a rule about case.state alone), and other cases may differ: casework decide answers one request."
    }

    /// The decision for `persona` doing `action` to `resource`, or nil when no workflow names the policy.
    func decide(_ persona: PolicyPersona, index: Int, action: String, resource: String) -> AccessDecision? {
        guard let workflow else { return nil }
        let actor = persona.organisation.map { CaseActor.organisation($0.value, role: persona.role.value) }
            ?? CaseActor(role: persona.role.value, id: "persona-\(index + 1)")
        let grants = persona.grant.map { [AccessGrant(to: actor.principal, level: $0.level.value, sections: $0.sections?.map(\.value))] } ?? []
        var fields: [String: ExpressionValue] = [:]
        if FieldValues.types(of: workflow.fields)[Self.dateOfBirth] == .date { fields[Self.dateOfBirth] = .date(bornOn) }
        let request = AccessRequest(
            actor: actor, attributes: persona.attributes, action: action, resource: resource, caseID: "representative-case",
            workflow: workflow.id.value, state: workflow.states.first { $0.isInitial }?.name.value ?? "", fields: fields, grants: grants,
            at: day.start().addingTimeInterval(12 * 60 * 60)
        )
        return policy.decide(request)
    }
}

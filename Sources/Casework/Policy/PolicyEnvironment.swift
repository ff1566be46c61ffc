/// The names a policy's conditions may use, built from the policy and the workflows it guards.
///
/// - `actor.id`, `actor.role` (an enumeration of every workflow's roles), `actor.organisation` (the organisation the
///   actor acts for, unset for someone acting for themselves), and the policy's declared actor attributes;
/// - `grant.to`, `grant.level` (an enumeration of the policy's levels), `grant.sections`, `grant.from`, `grant.until`:
///   the requesting actor's grant on the case, unset when there is none;
/// - `case.id`, `case.workflow`, `case.state` (an enumeration of every workflow's states), and each
///   workflow field that has one type wherever it is declared, as `case.FIELD`;
/// - `today` and `now`.
public enum PolicyEnvironment {
    /// The environment for `policy`'s conditions in `set`.
    public static func make(for policy: PolicyDefinition, in set: DefinitionSet) -> ExpressionEnvironment {
        var names: [String: ExpressionType] = [:]
        let roles = orderedUnion(set.workflows.map { $0.roles.map(\.value) })
        let states = orderedUnion(set.workflows.map { $0.states.map(\.name.value) })
        names["actor.id"] = .string
        names["actor.organisation"] = .string
        names["actor.role"] = .enumeration(EnumerationDomain(name: "role", member: "a role of the workflows", values: roles))
        WorkflowEnvironment.add(policy.actorAttributes, prefix: "actor.", into: &names)
        names["grant.to"] = .string
        names["grant.level"] = .enumeration(EnumerationDomain(name: "level", member: "a level of policy '\(policy.id.value)'", values: policy.levels.map(\.value)))
        names["grant.sections"] = .list(.string)
        names["grant.from"] = .date
        names["grant.until"] = .date
        names["case.id"] = .string
        names["case.workflow"] = .enumeration(EnumerationDomain(name: "workflow", member: "a workflow of the set", values: set.workflows.map(\.id.value)))
        names["case.state"] = .enumeration(EnumerationDomain(name: "state", member: "a state of the workflows", values: states))
        var fieldTypes: [String: ExpressionType?] = [:]
        for workflow in set.workflows {
            let environment = WorkflowEnvironment.make(for: workflow)
            for path in FieldValues.flatten(workflow.fields).map(\.path) {
                guard let type = environment.names[path] else { continue }
                if let existing = fieldTypes[path], existing != type { fieldTypes[path] = .some(nil) } else if fieldTypes[path] == nil { fieldTypes[path] = type }
            }
        }
        for (path, type) in fieldTypes {
            if let type { names["case.\(path)"] = type }
        }
        let dateOfBirth = ["case.child.date_of_birth", "case.date_of_birth"].first { names[$0] == .date }
        return ExpressionEnvironment(names: names, dateOfBirth: dateOfBirth)
    }

    private static func orderedUnion(_ lists: [[String]]) -> [String] {
        var seen = Set<String>()
        return lists.flatMap { $0 }.filter { seen.insert($0).inserted }
    }
}

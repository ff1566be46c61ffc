import CaseworkDiagnostics

/// Checks a workflow's document kinds against the policy that guards its cases: each kind's resource is one the policy
/// declares (CW0247), and a kind with `sections:` names a resource that has sections (CW0248). A workflow without a policy
/// runs on its roles alone, and its documents with it.
struct DocumentChecks {
    /// The workflow whose kinds are checked.
    let workflow: WorkflowDefinition
    /// The set it belongs to.
    let set: DefinitionSet

    /// Reports every problem into `bag`.
    func run(into bag: inout DiagnosticBag) {
        guard !workflow.documents.isEmpty, let name = workflow.policy?.value, let policy = set.policies.first(where: { $0.id.value == name }) else { return }
        let paths = ResourcePaths(policy: policy, workflows: set.workflows)
        for kind in workflow.documents {
            let resource = kind.resource
            let range = kind.sections?.range ?? kind.name.range
            guard paths.isKnown(resource) else {
                bag.report(.unknownDocumentResource(kind: kind.name.value, resource: resource, policy: name,
                                                    suggestion: kind.sections == nil ? nil : NameSuggester.suggest(resource, from: policy.resources.map(\.name.value))),
                           at: range)
                continue
            }
            if kind.sections != nil, policy.resources.first(where: { $0.name.value == resource })?.sections.isEmpty ?? true {
                bag.report(.documentResourceWithoutSections(kind: kind.name.value, resource: resource, policy: name), at: range)
            }
        }
    }
}

import CaseworkDiagnostics
import CaseworkYAML

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

    /// `form`'s `into_document:`, for this workflow that starts it at `start`: the kind is one the workflow declares
    /// (CW0249), and it can hold the answers (CW0250): a section exactly when the kind is addressed by sections, one its
    /// resource has in the workflow's policy, and a kind that takes the type the answers are written as.
    func checkTarget(of form: FormDefinition, startedAt start: Located<String>, into bag: inout DiagnosticBag) {
        guard let target = form.intoDocument else { return }
        let startNote = DiagnosticNote("workflow '\(workflow.id.value)' starts it here", at: start.range)
        guard let kind = workflow.documents.first(where: { $0.name.value == target.kind.value }) else {
            bag.report(.formIntoUnknownDocument(form: form.id.value, kind: target.kind.value, workflow: workflow.id.value,
                                                suggestion: NameSuggester.suggest(target.kind.value, from: workflow.documents.map(\.name.value))),
                       at: target.kind.range, notes: [startNote])
            return
        }
        func mismatch(_ problem: FormDocumentProblem, at range: SourceRange) {
            bag.report(.formIntoDocumentMismatch(form: form.id.value, kind: kind.name.value, problem: problem), at: range, notes: [startNote])
        }
        switch (target.section, kind.sections) {
        case (nil, _?): mismatch(.sectionMissing, at: target.kind.range)
        case (let section?, nil): mismatch(.sectionOfWholeKind(section.value), at: section.range)
        case (let section?, let resource?):
            let policy = workflow.policy.flatMap { name in set.policies.first { $0.id.value == name.value } }
            if let sections = policy?.resources.first(where: { $0.name.value == resource.value })?.sections.map(\.value), !sections.isEmpty,
               !sections.contains(section.value)
            {
                mismatch(.unknownSection(section.value, resource: resource.value, suggestion: NameSuggester.suggest(section.value, from: sections), sections: sections),
                         at: section.range)
            }
        case (nil, nil): break
        }
        if !kind.allows(mediaType: FormDocumentTarget.mediaType) {
            mismatch(.typeNotTaken(FormDocumentTarget.mediaType), at: target.kind.range)
        }
    }
}

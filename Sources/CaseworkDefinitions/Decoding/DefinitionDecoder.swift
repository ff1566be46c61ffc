import CaseworkDiagnostics
import CaseworkYAML

/// One decoded definition file: a workflow, a form, a calendar, a policy or a child definition.
package enum Definition: Sendable, Hashable {
    /// A `workflow:` file.
    case workflow(WorkflowDefinition)
    /// A `form:` file.
    case form(FormDefinition)
    /// A `calendar:` file.
    case calendar(CalendarDefinition)
    /// A `policy:` file.
    case policy(PolicyDefinition)
    /// A `child:` file.
    case child(ChildDefinition)
}

/// Decides what kind of definition a loaded YAML root holds and decodes it.
package enum DefinitionDecoder {
    /// The root keys that name a kind of definition.
    static let kinds = ["workflow", "form", "calendar", "policy", "child"]

    /// Decodes one file's root mapping, returning the definition (when usable) and every problem found. With
    /// `outline`, a workflow is decoded only as far as its outline (``WorkflowDecoder/Key/isOutline``): how a set
    /// known to be clean is decoded, each workflow in full only when it is first run (`DefinitionCatalog`).
    package static func decode(_ root: YAMLNode, outline: Bool = false) -> (definition: Definition?, diagnostics: [Diagnostic]) {
        root.withView { root in
            var reader = NodeReader()
            guard reader.expectMapping(root, place: "the file") else { return (nil, reader.bag.diagnostics) }
            let definition: Definition?
            if WorkflowDecoder.keys.contains(.workflow, in: root) {
                definition = WorkflowDecoder.decode(root, outline: outline, reader: &reader).map(Definition.workflow)
            } else if FormDecoder.keys.contains(.form, in: root) {
                definition = FormDecoder.decode(root, reader: &reader).map(Definition.form)
            } else if (0..<root.count).contains(where: { root.key($0).string == "policy" }) {
                definition = PolicyDecoder.decode(root, reader: &reader).map(Definition.policy)
            } else if (0..<root.count).contains(where: { root.key($0).string == "calendar" }) {
                definition = CalendarDecoder.decode(root, reader: &reader).map(Definition.calendar)
            } else if ChildDecoder.keys.contains(.child, in: root) {
                // After workflows: a workflow may say `child: from_record`, and is still a workflow.
                definition = ChildDecoder.decode(root, reader: &reader).map(Definition.child)
            } else {
                let suggestion = (0..<root.count).lazy.compactMap { NameSuggester.suggest(root.key($0).string, from: kinds) }.first
                let at = root.count > 0 ? root.key(0).range : root.range
                reader.bag.report(.unknownDocumentKind(suggestion: suggestion), at: at)
                definition = nil
            }
            return (definition, reader.bag.diagnostics)
        }
    }
}

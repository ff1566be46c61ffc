import CaseworkYAML

/// One decoded definition file: a workflow or a form.
public enum Definition: Sendable, Hashable {
    /// A `workflow:` file.
    case workflow(WorkflowDefinition)
    /// A `form:` file.
    case form(FormDefinition)
}

/// Decides what kind of definition a loaded YAML root holds and decodes it.
public enum DefinitionDecoder {
    /// The root keys that name a kind of definition.
    static let kinds = ["workflow", "form"]

    /// Decodes one file's root mapping, returning the definition (when usable) and every problem found.
    public static func decode(_ root: YAMLNode) -> (definition: Definition?, diagnostics: [Diagnostic]) {
        var reader = NodeReader()
        guard let pairs = reader.mapping(root, place: "the file") else { return (nil, reader.bag.diagnostics) }
        let definition: Definition?
        if pairs.contains(where: { $0.key.name == "workflow" }) {
            definition = WorkflowDecoder.decode(root, pairs: pairs, reader: &reader).map(Definition.workflow)
        } else if pairs.contains(where: { $0.key.name == "form" }) {
            definition = FormDecoder.decode(root, pairs: pairs, reader: &reader).map(Definition.form)
        } else {
            let suggestion = pairs.lazy.compactMap { NameSuggester.suggest($0.key.name, from: kinds) }.first
            let at = pairs.first?.key.range ?? root.range
            reader.bag.report(.unknownDocumentKind(suggestion: suggestion), at: at)
            definition = nil
        }
        return (definition, reader.bag.diagnostics)
    }
}

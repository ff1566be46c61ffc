import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkYAML
import Synchronization

/// A workflow's ``WorkflowDefinition``: decoded in full when the workflow was loaded, or, for a workflow of a set a
/// definition cache knew to be clean, decoded in full from its kept tree when first asked for, once, whichever copy of
/// the workflow asks first (the engines of an async service share one catalog across threads). Until then only its
/// outline is decoded: what the set's other definitions and requests need of it.
final class WorkflowSource: Sendable {
    /// The workflow's identity, roles, fields, states, links, documents, policy and calendar
    /// (``DefinitionDecoder/decode(_:outline:)``); the whole definition when it was decoded in full at load.
    let outline: WorkflowDefinition
    /// The definition decoded at load; nil when it is decoded on first use.
    private let made: WorkflowDefinition?
    /// The kept tree it is decoded from on first use (an entry's is hashed and read then, ``KeptTree``).
    private let tree: KeptTree?
    /// The definition decoded on first use, or why it could not be, once decoded.
    private let deferred: Mutex<EngineOutcome<WorkflowDefinition>?>
    /// Called if the tree does not read or decode (the entry it was kept in is then discarded).
    private let failed: @Sendable () -> Void

    /// A workflow decoded in full now.
    init(_ definition: WorkflowDefinition) {
        outline = definition
        made = definition
        tree = nil
        deferred = Mutex(nil)
        failed = {}
    }

    /// A workflow known by its `outline`, decoded in full from `tree` when first asked for; `failed` is called if
    /// it does not decode.
    init(outline: WorkflowDefinition, tree: KeptTree?, whenItFails failed: @escaping @Sendable () -> Void) {
        self.outline = outline
        made = nil
        self.tree = tree
        deferred = Mutex(nil)
        self.failed = failed
    }

    /// The whole definition, or why it could not be decoded: the tree (an entry's read first, refused unless its bytes
    /// have their SHA-256 and read as a tree) decoded by the one decoder the validation uses, refused on any error and
    /// unless it is the workflow it outlined. The tree is what this build's validation of
    /// exactly these bytes found clean, so it decodes again; if it did not, the workflow is refused (its plan fails,
    /// ``LoadedWorkflow/planned()``), never run on part of its definition.
    var result: EngineOutcome<WorkflowDefinition> {
        if let made { return .made(made) }
        return deferred.withLock { deferred in
            if let deferred { return deferred }
            let result = decode()
            if case .failed = result { failed() }
            deferred = result
            return result
        }
    }

    /// The whole definition, or the outline if it could not be decoded: the engine never runs such a workflow (it asks
    /// ``LoadedWorkflow/planned()`` first, which throws why); only a reader of the definition sees the outline.
    var definition: WorkflowDefinition {
        switch result {
        case .made(let definition): return definition
        case .failed: return outline
        }
    }

    /// Whether the whole definition has been decoded (at load, or since on first use).
    var isDecoded: Bool { made != nil || deferred.withLock { $0 != nil } }

    private func decode() -> EngineOutcome<WorkflowDefinition> {
        let workflow = "workflow '\(outline.id.value)'"
        guard let kept = tree else { return .failed(.definitionError("the tree of \(workflow) was not kept")) }
        guard let tree = kept.node else {
            return .failed(.definitionError("the tree of \(workflow) kept in the definition cache is damaged (it does not match its checksum or does not read)"))
        }
        let (definition, diagnostics) = DefinitionDecoder.decode(tree)
        guard !diagnostics.contains(where: { $0.severity == .error }) else { return .failed(.invalidDefinitions(diagnostics)) }
        guard case .workflow(let decoded)? = definition, decoded.id.value == outline.id.value, decoded.version == outline.version else {
            return .failed(.definitionError("the tree of \(workflow) does not decode as the workflow it outlined"))
        }
        return .made(decoded)
    }
}

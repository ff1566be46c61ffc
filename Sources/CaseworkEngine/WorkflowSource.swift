import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkYAML
import Synchronization

/// A workflow's ``WorkflowDefinition``: decoded in full when the workflow was loaded, or, for a workflow of a set a
/// definition cache knew to be clean, read whole, with its checked expressions, from the region of the entry that keeps
/// it when first asked for, once, whichever copy of the workflow asks first (the engines of an async service share one
/// catalog across threads). Until then only its outline is known: what the set's other definitions and requests need
/// of it.
final class WorkflowSource: Sendable {
    /// The workflow's identity, roles, fields, states, links, documents, policy and calendar
    /// (``DefinitionDecoder/decode(_:outline:)``); the whole definition when it was decoded in full at load.
    let outline: WorkflowDefinition
    /// The definition decoded at load; nil when it is read on first use.
    private let made: WorkflowDefinition?
    /// The region it is read from on first use (hashed and read then, ``KeptPart``).
    private let region: KeptPart<KeptWorkflow>?
    /// The workflow read on first use, or why it could not be, once read.
    private let deferred: Mutex<EngineOutcome<KeptWorkflow>?>
    /// Called if the region does not read or is not the workflow outlined (the entry it was kept in is then discarded).
    private let failed: @Sendable () -> Void

    /// A workflow decoded in full now.
    init(_ definition: WorkflowDefinition) {
        outline = definition
        made = definition
        region = nil
        deferred = Mutex(nil)
        failed = {}
    }

    /// A workflow known by its `outline`, read whole from `region` when first asked for; `failed` is called if it does
    /// not read.
    init(outline: WorkflowDefinition, region: KeptPart<KeptWorkflow>?, whenItFails failed: @escaping @Sendable () -> Void) {
        self.outline = outline
        made = nil
        self.region = region
        deferred = Mutex(nil)
        self.failed = failed
    }

    /// The whole definition, or why it could not be read (``kept``).
    var result: EngineOutcome<WorkflowDefinition> {
        if let made { return .made(made) }
        switch kept {
        case .made(let workflow): return .made(workflow.definition)
        case .failed(let error): return .failed(error)
        }
    }

    /// For a workflow read on first use, its whole definition and checked expressions, or why they could not be read:
    /// the region (refused unless its bytes have their SHA-256 and read whole) holds what this build's validation of
    /// exactly these bytes decoded and checked, so it reads again and is the workflow it outlined; if it were not, the
    /// workflow is refused (its plan fails, ``LoadedWorkflow/planned()``), never run on part of its definition.
    var kept: EngineOutcome<KeptWorkflow> {
        deferred.withLock { deferred in
            if let deferred { return deferred }
            let result = read()
            if case .failed = result { failed() }
            deferred = result
            return result
        }
    }

    /// The whole definition, or the outline if it could not be read: the engine never runs such a workflow (it asks
    /// ``LoadedWorkflow/planned()`` first, which throws why); only a reader of the definition sees the outline.
    var definition: WorkflowDefinition {
        switch result {
        case .made(let definition): return definition
        case .failed: return outline
        }
    }

    /// Whether the whole definition is known (decoded at load, or read since on first use).
    var isDecoded: Bool { made != nil || deferred.withLock { $0 != nil } }

    private func read() -> EngineOutcome<KeptWorkflow> {
        let workflow = "workflow '\(outline.id.value)'"
        guard let region else { return .failed(.definitionError("\(workflow) was not kept in the definition cache")) }
        guard let kept = region.value else {
            return .failed(.definitionError("\(workflow) kept in the definition cache is damaged (it does not match its checksum or does not read)"))
        }
        guard kept.definition.id.value == outline.id.value, kept.definition.version == outline.version, kept.definition.file == outline.file else {
            return .failed(.definitionError("\(workflow) kept in the definition cache is not the workflow it outlined"))
        }
        return .made(kept)
    }
}

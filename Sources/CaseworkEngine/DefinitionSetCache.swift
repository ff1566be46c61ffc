import CaseworkDefinitions
import CaseworkStore
import Foundation
import Synchronization

/// The definition sets loaded for cases, shared by an engine and the engines a ``CaseService`` makes from it for each command.
package final class SharedDefinitionSets: Sendable {
    private let cache = Mutex(DefinitionSetCache())

    /// An empty cache.
    package init() {}

    /// Reads or changes the cache under its lock.
    package func withLock<T: Sendable>(_ body: (inout DefinitionSetCache) -> T) -> T {
        cache.withLock { body(&$0) }
    }
}

/// The definition sets an engine has loaded for its cases, by snapshot fingerprint (or by workflow version for
/// records written before snapshots), and whether the current set's snapshot is in the store yet.
package struct DefinitionSetCache: Sendable {
    /// Loaded sets by key: a snapshot fingerprint, or `legacy:WORKFLOW@VERSION`.
    package var catalogs: [String: DefinitionCatalog] = [:]
    /// True once the current catalog's snapshot has been recorded in the store by this engine.
    package var currentRecorded = false
}

/// Which definitions a case runs on: the snapshot it was opened (or last migrated) on, loaded whole from the store.
extension Engine {
    /// The whole definition set `record` runs on: its workflow version, the forms it starts, the calendars and the
    /// policy it names, exactly as they were when the case was opened or last migrated.
    ///
    /// Loaded once per engine and snapshot from the texts the store keeps. A record written before snapshots
    /// (no ``CaseRecord/definitionSnapshot``) runs on the current set with its own workflow version in place of
    /// the current one, loaded from the store; `case migrate` pins it to a snapshot.
    func definitions(for record: CaseRecord) throws(EngineError) -> DefinitionCatalog {
        if record.definitionSnapshot == catalog.snapshot.fingerprint { return catalog }
        guard let fingerprint = record.definitionSnapshot else { return try legacyDefinitions(for: record) }
        if let cached = definitionSets.withLock({ $0.catalogs[fingerprint] }) { return cached }
        guard let snapshot = try storeCall({ () throws(StoreError) in try store.snapshot(fingerprint: fingerprint) }) else {
            throw .definitionError("case '\(record.id)' runs on definition snapshot \(fingerprint), which is not in the store")
        }
        let loaded = try load(snapshot.members, describing: "definition snapshot \(fingerprint) of case '\(record.id)'")
        guard loaded.snapshot.fingerprint == fingerprint else {
            throw .definitionError("definition snapshot \(fingerprint) of case '\(record.id)' does not load as it was stored")
        }
        definitionSets.withLock { $0.catalogs[fingerprint] = loaded }
        return loaded
    }

    /// The set a record from before snapshots runs on: the current set, with the record's workflow version in place of the current one.
    private func legacyDefinitions(for record: CaseRecord) throws(EngineError) -> DefinitionCatalog {
        if catalog.workflows[record.workflow]?.outline.version == record.workflowVersion { return catalog }
        let key = "legacy:\(record.workflow)@\(record.workflowVersion)"
        if let cached = definitionSets.withLock({ $0.catalogs[key] }) { return cached }
        guard let workflow = try storeCall({ () throws(StoreError) in try store.definition(kind: "workflow", id: record.workflow, version: record.workflowVersion) }) else {
            throw .definitionError("workflow '\(record.workflow)' version \(record.workflowVersion) is not in the store")
        }
        let members = catalog.snapshot.members.filter { !($0.kind == "workflow" && $0.id == record.workflow) } + [DefinitionVersion(workflow)]
        let loaded = try load(members, describing: "workflow '\(record.workflow)' version \(record.workflowVersion) with the current definitions")
        definitionSets.withLock { $0.catalogs[key] = loaded }
        return loaded
    }

    /// Checks and compiles the stored texts of `members` as one set.
    private func load(_ members: [DefinitionVersion], describing what: String) throws(EngineError) -> DefinitionCatalog {
        var sources: [(file: String, text: String)] = []
        for member in members {
            guard let stored = try storeCall({ () throws(StoreError) in try store.definition(kind: member.kind, id: member.id, version: member.version) }),
                stored.fingerprint == member.fingerprint
            else {
                throw .definitionError("\(what) needs \(member.kind) '\(member.id)' version \(member.version), which is not in the store as it was")
            }
            sources.append(("\(member.kind)s/\(member.id)@\(member.version).yaml", stored.content))
        }
        do {
            return try DefinitionCatalog.load(sources: sources)
        } catch {
            throw .definitionError("\(what) cannot be loaded: \(error)")
        }
    }

    /// The current set's snapshot fingerprint, for a record about to be opened or migrated on it: recorded in the
    /// store the first time this engine pins a case to it, so every fingerprint a record holds can be loaded again.
    func pinnedSnapshot() throws(EngineError) -> String {
        let snapshot = catalog.snapshot
        guard !definitionSets.withLock({ $0.currentRecorded }) else { return snapshot.fingerprint }
        try storeCall { () throws(StoreError) in try store.record(snapshot) }
        definitionSets.withLock { $0.currentRecorded = true }
        return snapshot.fingerprint
    }
}

import Foundation
import Synchronization

/// One stored definition version without its text: what a snapshot lists and `definitions list` shows.
public struct DefinitionVersion: Sendable, Hashable, Codable, Comparable {
    /// `workflow`, `form`, `calendar` or `policy`.
    public var kind: String
    /// The definition's id.
    public var id: String
    /// Its version.
    public var version: Int
    /// The SHA-256 fingerprint of its content.
    public var fingerprint: String

    /// Creates a version.
    public init(kind: String, id: String, version: Int, fingerprint: String) {
        self.kind = kind
        self.id = id
        self.version = version
        self.fingerprint = fingerprint
    }

    /// The version of a stored definition.
    public init(_ stored: StoredDefinition) {
        self.init(kind: stored.kind, id: stored.id, version: stored.version, fingerprint: stored.fingerprint)
    }

    /// Ordered by kind, id, version, then fingerprint: the order a snapshot's fingerprint is taken in.
    public static func < (lhs: DefinitionVersion, rhs: DefinitionVersion) -> Bool {
        (lhs.kind, lhs.id, lhs.version, lhs.fingerprint) < (rhs.kind, rhs.id, rhs.version, rhs.fingerprint)
    }
}

/// The whole definition set an engine ran when a case started: every workflow, form, calendar and policy, by version.
///
/// A case keeps the snapshot it was opened on (``CaseRecord/definitionSnapshot``), so raising any definition's
/// version never changes the rules, forms, calendars or access policy an open case runs on. The store keeps
/// each snapshot once, by fingerprint, as a list of references to definition versions it already holds.
public struct DefinitionSnapshot: Sendable, Hashable {
    /// SHA-256 over the sorted members, one `kind id version fingerprint` line each.
    public let fingerprint: String
    /// The definition versions of the set, sorted.
    public let members: [DefinitionVersion]

    /// The snapshot of `members` (in any order).
    public init(members: [DefinitionVersion]) {
        self.members = members.sorted()
        fingerprint = SHA256.hex(self.members.map { "\($0.kind) \($0.id) \($0.version) \($0.fingerprint)\n" }.joined())
    }

    /// The member of `kind` with `id`, if the set has one.
    public func member(kind: String, id: String) -> DefinitionVersion? {
        members.first { $0.kind == kind && $0.id == id }
    }
}

/// The definition sets loaded for cases, shared by an engine and the engines a ``CaseService`` makes from it for each command.
final class SharedDefinitionSets: Sendable {
    private let cache = Mutex(DefinitionSetCache())

    /// Reads or changes the cache under its lock.
    func withLock<T: Sendable>(_ body: (inout DefinitionSetCache) -> T) -> T {
        cache.withLock { body(&$0) }
    }
}

/// The definition sets an engine has loaded for its cases, by snapshot fingerprint (or by workflow version for
/// records written before snapshots), and whether the current set's snapshot is in the store yet.
struct DefinitionSetCache: Sendable {
    /// Loaded sets by key: a snapshot fingerprint, or `legacy:WORKFLOW@VERSION`.
    var catalogs: [String: DefinitionCatalog] = [:]
    /// True once the current catalog's snapshot has been recorded in the store by this engine.
    var currentRecorded = false
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
        if catalog.workflows[record.workflow]?.definition.version == record.workflowVersion { return catalog }
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

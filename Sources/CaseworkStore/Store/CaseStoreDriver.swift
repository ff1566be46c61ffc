import CaseworkDefinitions
import Dispatch
import Foundation

/// A store as an async service reaches it: every operation of ``CaseStore``, awaited, with every list paged and one
/// error type (``StoreError``). ``CaseService`` runs over one; the synchronous ``Engine`` never touches it.
///
/// The semantics are the ``CaseStore`` protocol's, checked by the conformance library (`CaseworkStoreConformance`)
/// for every driver: revision compare-and-set on commit, all-or-none multi-case commits, idempotency keys, outbox
/// claims with leases, the due index, and cursor paging that neither skips nor repeats an item present throughout.
/// A driver over a database that blocks (SQLite, libpq) is ``BlockingStoreDriver``.
public protocol CaseStoreDriver: Sendable {
    /// What this store promises beyond the protocol's semantics.
    var capabilities: StoreCapabilities { get }
    /// The case, or nil when there is none.
    func load(caseID: String) async throws(StoreError) -> CaseRecord?
    /// Writes changes to several distinct cases atomically, checking each expected revision.
    func commit(all changes: [CaseChange]) async throws(StoreError)
    /// A group committer's caller's changes with their rows encoded (``CaseStore/prepare(_:)``), worked out on the
    /// caller's own thread as it joins the queue, without waiting for the store: the callers encode side by side, and
    /// the thread draining the queue does only the SQL. A change the store would refuse before writing is refused here.
    func prepare(_ changes: [CaseChange]) throws(StoreError) -> PreparedCommit
    /// Commits a group committer's batch (``CaseStore/commit(prepared:)``): each group all-or-none and refused alone, a
    /// failure of the store thrown with no group landed.
    func commit(prepared groups: [PreparedCommit]) async throws(StoreError) -> [StoreError?]
    /// Starts writing a group committer's batches one after another, each as ``commit(prepared:)`` writes it, until `batches`
    /// has none waiting, and returns at once: the writing goes on where the driver's calls run, so the next batch can
    /// start as soon as the one before it is written, without waiting for a task to be scheduled between them.
    func startCommitting(_ batches: any GroupCommitQueue)
    /// The case record and all its audit events read as one consistent snapshot (for verifying its chain).
    func snapshot(caseID: String) async throws(StoreError) -> CaseSnapshot
    /// A page of the case's audit events in sequence order.
    func history(caseID: String, page: PageRequest) async throws(StoreError) -> Page<AuditEvent>
    /// A page of the case ids, sorted.
    func caseIDs(page: PageRequest) async throws(StoreError) -> Page<String>
    /// Every case id that has audit events, sorted.
    func auditedCaseIDs() async throws(StoreError) -> [String]
    /// The result recorded for an idempotency key, if any.
    func idempotencyRecord(key: String) async throws(StoreError) -> IdempotencyRecord?
    /// Claims up to `claim.limit` claimable messages, oldest first.
    func claimOutbox(_ claim: OutboxClaim) async throws(StoreError) -> [OutboxMessage]
    /// Marks messages the claimer holds delivered; returns how many.
    func acknowledgeOutbox(ids: [String], claimer: String, at: Date) async throws(StoreError) -> Int
    /// A page of the outbox, for one case or all, oldest first.
    func outbox(caseID: String?, page: PageRequest) async throws(StoreError) -> Page<OutboxMessage>
    /// A page of the alarms due at or before `now`, earliest first.
    func dueAlarms(at now: Date, page: PageRequest) async throws(StoreError) -> Page<DeadlineAlarm>
    /// The stored definition version, if any.
    func definition(kind: String, id: String, version: Int) async throws(StoreError) -> StoredDefinition?
    /// Stores a definition version once; other content under the same version is refused.
    func record(_ definition: StoredDefinition) async throws(StoreError)
    /// Stores a definition snapshot once, as references to stored definition versions.
    func record(_ snapshot: DefinitionSnapshot) async throws(StoreError)
    /// The stored snapshot with this fingerprint, if any.
    func snapshot(fingerprint: String) async throws(StoreError) -> DefinitionSnapshot?
    /// Every stored snapshot, in the order they were first stored.
    func snapshots() async throws(StoreError) -> [DefinitionSnapshot]
    /// Every stored definition version, without its text, sorted.
    func definitionVersions() async throws(StoreError) -> [DefinitionVersion]
    /// The child record, or nil when there is none: read to admit a request about a case that belongs to it, whose
    /// grants decide with the case's (``CaseStore/child(id:)``).
    func child(id: String) async throws(StoreError) -> ChildRecord?
    /// The ids of the cases filed under the child, read for a child's timeline (``CaseStore/caseIDs(childID:)``).
    func caseIDs(childID: String) async throws(StoreError) -> [String]
    /// The case's document versions, by kind and version (``CaseStore/documentVersions(caseID:)``).
    func documentVersions(caseID: String) async throws(StoreError) -> [DocumentVersion]
    /// The bytes stored under `sha256`, or nil (``CaseStore/blob(sha256:)``).
    func blob(sha256: String) async throws(StoreError) -> DocumentBlob?
}

/// The driver of a store whose calls block (SQLite, the in-memory store): each call runs on a dispatch queue kept for
/// store work, so a busy database waiting out its timeout never holds one of Swift concurrency's few threads.
public struct BlockingStoreDriver: CaseStoreDriver {
    /// The store every call goes to.
    public let store: any CaseStore
    private let queue: DispatchQueue

    /// A driver over `store`.
    public init(_ store: any CaseStore) {
        self.store = store
        self.queue = DispatchQueue(label: "casework.store", qos: .userInitiated, attributes: .concurrent)
    }

    /// The store's.
    public var capabilities: StoreCapabilities { store.capabilities }

    /// Runs one blocking store call off the concurrency pool and hands back its result.
    ///
    /// The continuation is unsafe rather than checked (which allocates a canary object for each call to catch a second
    /// or a missing resume): the one block the queue runs resumes it exactly once, on both of its paths.
    private func run<T: Sendable>(_ call: @escaping @Sendable (any CaseStore) throws(StoreError) -> T) async throws(StoreError) -> T {
        let store = self.store
        let result: Result<T, StoreError> = await withUnsafeContinuation { continuation in
            queue.async {
                do throws(StoreError) {
                    continuation.resume(returning: .success(try call(store)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// The case, or nil.
    public func load(caseID: String) async throws(StoreError) -> CaseRecord? {
        try await run { (store) throws(StoreError) in try store.load(caseID: caseID) }
    }

    /// Commits through the store.
    public func commit(all changes: [CaseChange]) async throws(StoreError) {
        try await run { (store) throws(StoreError) in try store.commit(all: changes) }
    }

    /// The store's encoding of the changes, on the calling thread: it only encodes, so it never blocks.
    public func prepare(_ changes: [CaseChange]) throws(StoreError) -> PreparedCommit {
        try store.prepare(changes)
    }

    /// Commits the batch through the store, in one transaction where the store writes one.
    public func commit(prepared groups: [PreparedCommit]) async throws(StoreError) -> [StoreError?] {
        try await run { (store) throws(StoreError) in try store.commit(prepared: groups) }
    }

    /// Writes the batches on the store's queue, one straight after another on one thread: between one batch's commit
    /// (its `fsync`) and the next batch's start no task is woken and no other thread is handed the work.
    public func startCommitting(_ batches: any GroupCommitQueue) {
        let store = self.store
        queue.async {
            while let groups = batches.nextBatch() {
                do throws(StoreError) {
                    batches.answer(.success(try store.commit(prepared: groups)))
                } catch {
                    batches.answer(.failure(error))
                }
            }
        }
    }

    /// The record and events in one snapshot.
    public func snapshot(caseID: String) async throws(StoreError) -> CaseSnapshot {
        try await run { (store) throws(StoreError) in try store.snapshot(caseID: caseID) }
    }

    /// A page of the case's events.
    public func history(caseID: String, page: PageRequest) async throws(StoreError) -> Page<AuditEvent> {
        try await run { (store) throws(StoreError) in try store.history(caseID: caseID, page: page) }
    }

    /// A page of the case ids.
    public func caseIDs(page: PageRequest) async throws(StoreError) -> Page<String> {
        try await run { (store) throws(StoreError) in try store.caseIDs(page: page) }
    }

    /// Every case id with events.
    public func auditedCaseIDs() async throws(StoreError) -> [String] {
        try await run { (store) throws(StoreError) in try store.auditedCaseIDs() }
    }

    /// The key's recorded result.
    public func idempotencyRecord(key: String) async throws(StoreError) -> IdempotencyRecord? {
        try await run { (store) throws(StoreError) in try store.idempotencyRecord(key: key) }
    }

    /// Claims messages.
    public func claimOutbox(_ claim: OutboxClaim) async throws(StoreError) -> [OutboxMessage] {
        try await run { (store) throws(StoreError) in try store.claimOutbox(claim) }
    }

    /// Acknowledges messages.
    public func acknowledgeOutbox(ids: [String], claimer: String, at: Date) async throws(StoreError) -> Int {
        try await run { (store) throws(StoreError) in try store.acknowledgeOutbox(ids: ids, claimer: claimer, at: at) }
    }

    /// A page of the outbox.
    public func outbox(caseID: String?, page: PageRequest) async throws(StoreError) -> Page<OutboxMessage> {
        try await run { (store) throws(StoreError) in try store.outbox(caseID: caseID, page: page) }
    }

    /// A page of the due alarms.
    public func dueAlarms(at now: Date, page: PageRequest) async throws(StoreError) -> Page<DeadlineAlarm> {
        try await run { (store) throws(StoreError) in try store.dueAlarms(at: now, page: page) }
    }

    /// A stored definition version.
    public func definition(kind: String, id: String, version: Int) async throws(StoreError) -> StoredDefinition? {
        try await run { (store) throws(StoreError) in try store.definition(kind: kind, id: id, version: version) }
    }

    /// Stores a definition version.
    public func record(_ definition: StoredDefinition) async throws(StoreError) {
        try await run { (store) throws(StoreError) in try store.record(definition) }
    }

    /// Stores a definition snapshot.
    public func record(_ snapshot: DefinitionSnapshot) async throws(StoreError) {
        try await run { (store) throws(StoreError) in try store.record(snapshot) }
    }

    /// A stored snapshot.
    public func snapshot(fingerprint: String) async throws(StoreError) -> DefinitionSnapshot? {
        try await run { (store) throws(StoreError) in try store.snapshot(fingerprint: fingerprint) }
    }

    /// Every stored snapshot.
    public func snapshots() async throws(StoreError) -> [DefinitionSnapshot] {
        try await run { (store) throws(StoreError) in try store.snapshots() }
    }

    /// Every stored definition version.
    public func definitionVersions() async throws(StoreError) -> [DefinitionVersion] {
        try await run { (store) throws(StoreError) in try store.definitionVersions() }
    }

    /// The child record, or nil.
    public func child(id: String) async throws(StoreError) -> ChildRecord? {
        try await run { (store) throws(StoreError) in try store.child(id: id) }
    }

    /// The ids of the child's cases.
    public func caseIDs(childID: String) async throws(StoreError) -> [String] {
        try await run { (store) throws(StoreError) in try store.caseIDs(childID: childID) }
    }

    /// The case's document versions.
    public func documentVersions(caseID: String) async throws(StoreError) -> [DocumentVersion] {
        try await run { (store) throws(StoreError) in try store.documentVersions(caseID: caseID) }
    }

    /// The bytes stored under a hash, or nil.
    public func blob(sha256: String) async throws(StoreError) -> DocumentBlob? {
        try await run { (store) throws(StoreError) in try store.blob(sha256: sha256) }
    }
}

extension CaseStoreDriver {
    /// Writes the batches in a task of their own, one after another, each through ``commit(prepared:)``: for a driver
    /// whose calls do not block (``BlockingStoreDriver`` writes them on its own queue instead).
    public func startCommitting(_ batches: any GroupCommitQueue) {
        Task {
            while let groups = batches.nextBatch() {
                do throws(StoreError) {
                    batches.answer(.success(try await commit(prepared: groups)))
                } catch {
                    batches.answer(.failure(error))
                }
            }
        }
    }

    /// The changes with nothing encoded ahead: a driver of its own writes from the changes themselves.
    public func prepare(_ changes: [CaseChange]) throws(StoreError) -> PreparedCommit {
        PreparedCommit(changes)
    }

    /// Commits each group on its own, in order: every group's error is its own, and never thrown.
    public func commit(prepared groups: [PreparedCommit]) async throws(StoreError) -> [StoreError?] {
        var refusals: [StoreError?] = []
        for group in groups {
            do throws(StoreError) {
                try await commit(all: group.changes)
                refusals.append(nil)
            } catch {
                refusals.append(error)
            }
        }
        return refusals
    }
}

extension CaseStore {
    /// This store as an async driver, for ``CaseService``.
    public var driver: BlockingStoreDriver { BlockingStoreDriver(self) }
}

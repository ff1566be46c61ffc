import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation
import Synchronization

/// A test double driver: passes every operation to another store, and fails the chosen one.
///
/// Operations are counted from the last ``fail(atOperation:with:)`` or ``reset()``; the operation numbered
/// `atOperation` (1 is the next) throws the given error without reaching the inner store, and every other one goes
/// through. The inner store is atomic, so a failed commit writes nothing; a failure part-way through a request is a
/// failure at one of its operations. ``operations`` names what was called, so a request's steps can be counted first.
/// ``holdNextCommit()`` keeps a commit in flight until ``releaseCommit()``, so callers can be gathered behind it.
public final class FailingStore: CaseStore {
    /// The store every operation that does not fail reaches; read it to see what the failure left.
    public let inner: any CaseStore
    private let state = Mutex(State())

    private struct State {
        var operations: [String] = []
        var failAt: Int?
        var fault: StoreError = .failed("injected failure")
        var holding = false
        var held = false
    }

    /// Where a held commit waits for ``releaseCommit()``.
    private let gate = DispatchSemaphore(value: 0)

    /// A store that fails nothing until told to.
    public init(wrapping inner: any CaseStore) {
        self.inner = inner
    }

    /// Fails the `atOperation`-th operation from now (1 is the next) with `error`, and no other.
    public func fail(atOperation: Int, with error: StoreError = .failed("injected failure")) {
        state.withLock { $0 = State(operations: [], failAt: atOperation, fault: error) }
    }

    /// Fails nothing and forgets the operations counted so far.
    public func reset() {
        state.withLock { $0 = State() }
    }

    /// Makes the next commit wait, before it reaches the inner store, until ``releaseCommit()``: how a check keeps one
    /// batch in flight while other callers gather behind it. The waiting blocks the calling thread (a driver's queue).
    public func holdNextCommit() {
        state.withLock { $0.holding = true }
    }

    /// Whether a commit is waiting for ``releaseCommit()``.
    public var isHoldingCommit: Bool { state.withLock { $0.held } }

    /// Lets the held commit go on.
    public func releaseCommit() {
        state.withLock { $0.held = false }
        gate.signal()
    }

    /// Waits for ``releaseCommit()`` when this commit is the one to hold.
    private func waitIfHeld() {
        let holds = state.withLock { state in
            guard state.holding else { return false }
            state.holding = false
            state.held = true
            return true
        }
        if holds { gate.wait() }
    }

    /// The names of the operations called since the last ``fail(atOperation:with:)`` or ``reset()``, in order.
    public var operations: [String] { state.withLock { $0.operations } }

    private func step(_ name: String) throws(StoreError) {
        let fault: StoreError? = state.withLock { state in
            state.operations.append(name)
            return state.operations.count == state.failAt ? state.fault : nil
        }
        if let fault { throw fault }
    }

    /// Loads through the inner store unless this operation fails.
    public func load(caseID: String) throws(StoreError) -> CaseRecord? {
        try step("load")
        return try inner.load(caseID: caseID)
    }

    /// The inner store's.
    public var capabilities: StoreCapabilities { inner.capabilities }

    /// Commits through the inner store unless this operation fails.
    public func commit(all changes: [CaseChange], children: [ChildChange]) throws(StoreError) {
        try step("commit")
        waitIfHeld()
        try inner.commit(all: changes, children: children)
    }

    /// The inner store's encoding of a group committer's caller's changes: no operation of the store, as it reads and
    /// writes nothing, so it counts towards no failure.
    public func prepare(_ changes: [CaseChange]) throws(StoreError) -> PreparedCommit {
        try inner.prepare(changes)
    }

    /// Commits a batch through the inner store unless this operation (named `commit`, as one commit) fails; a failure
    /// is the whole batch's, and nothing of it lands.
    public func commit(prepared groups: [PreparedCommit]) throws(StoreError) -> [StoreError?] {
        try step("commit")
        waitIfHeld()
        return try inner.commit(prepared: groups)
    }

    /// Reads the history through the inner store unless this operation fails.
    public func history(caseID: String, page: PageRequest) throws(StoreError) -> Page<AuditEvent> {
        try step("history")
        return try inner.history(caseID: caseID, page: page)
    }

    /// Lists the case ids through the inner store unless this operation fails.
    public func caseIDs(page: PageRequest) throws(StoreError) -> Page<String> {
        try step("caseIDs")
        return try inner.caseIDs(page: page)
    }

    /// Reads the case snapshot through the inner store unless this operation fails.
    public func snapshot(caseID: String) throws(StoreError) -> CaseSnapshot {
        try step("snapshot(caseID:)")
        return try inner.snapshot(caseID: caseID)
    }

    /// Lists the audited case ids through the inner store unless this operation fails.
    public func auditedCaseIDs() throws(StoreError) -> [String] {
        try step("auditedCaseIDs")
        return try inner.auditedCaseIDs()
    }

    /// Reads the idempotency record through the inner store unless this operation fails.
    public func idempotencyRecord(key: String) throws(StoreError) -> IdempotencyRecord? {
        try step("idempotencyRecord")
        return try inner.idempotencyRecord(key: key)
    }

    /// Claims through the inner store unless this operation fails.
    public func claimOutbox(_ claim: OutboxClaim) throws(StoreError) -> [OutboxMessage] {
        try step("claimOutbox")
        return try inner.claimOutbox(claim)
    }

    /// Acknowledges through the inner store unless this operation fails.
    public func acknowledgeOutbox(ids: [String], claimer: String, at: Date) throws(StoreError) -> Int {
        try step("acknowledgeOutbox")
        return try inner.acknowledgeOutbox(ids: ids, claimer: claimer, at: at)
    }

    /// Reads the outbox through the inner store unless this operation fails.
    public func outbox(caseID: String?, page: PageRequest) throws(StoreError) -> Page<OutboxMessage> {
        try step("outbox")
        return try inner.outbox(caseID: caseID, page: page)
    }

    /// Reads a definition version through the inner store unless this operation fails.
    public func definition(kind: String, id: String, version: Int) throws(StoreError) -> StoredDefinition? {
        try step("definition")
        return try inner.definition(kind: kind, id: id, version: version)
    }

    /// Records a definition version through the inner store unless this operation fails.
    public func record(_ definition: StoredDefinition) throws(StoreError) {
        try step("record(definition)")
        try inner.record(definition)
    }

    /// Reads the due alarms through the inner store unless this operation fails.
    public func dueAlarms(at now: Date, page: PageRequest) throws(StoreError) -> Page<DeadlineAlarm> {
        try step("dueAlarms")
        return try inner.dueAlarms(at: now, page: page)
    }

    /// Records a definition snapshot through the inner store unless this operation fails.
    public func record(_ snapshot: DefinitionSnapshot) throws(StoreError) {
        try step("record(snapshot)")
        try inner.record(snapshot)
    }

    /// Reads a definition snapshot through the inner store unless this operation fails.
    public func snapshot(fingerprint: String) throws(StoreError) -> DefinitionSnapshot? {
        try step("snapshot(fingerprint:)")
        return try inner.snapshot(fingerprint: fingerprint)
    }

    /// Lists the snapshots through the inner store unless this operation fails.
    public func snapshots() throws(StoreError) -> [DefinitionSnapshot] {
        try step("snapshots")
        return try inner.snapshots()
    }

    /// Lists the definition versions through the inner store unless this operation fails.
    public func definitionVersions() throws(StoreError) -> [DefinitionVersion] {
        try step("definitionVersions")
        return try inner.definitionVersions()
    }

    /// Reads a case's archive through the inner store unless this operation fails.
    public func archive(caseID: String) throws(StoreError) -> CaseArchive? {
        try step("archive")
        return try inner.archive(caseID: caseID)
    }

    /// Lists a case's document versions through the inner store unless this operation fails.
    public func documentVersions(caseID: String) throws(StoreError) -> [DocumentVersion] {
        try step("documentVersions")
        return try inner.documentVersions(caseID: caseID)
    }

    /// Reads a blob through the inner store unless this operation fails.
    public func blob(sha256: String) throws(StoreError) -> DocumentBlob? {
        try step("blob")
        return try inner.blob(sha256: sha256)
    }

    /// Restores an archive through the inner store unless this operation fails.
    public func restore(_ archive: CaseArchive) throws(StoreError) {
        try step("restore")
        try inner.restore(archive)
    }
}

/// Child records through the inner store, each read counted and failed like any other operation.
extension FailingStore {
    /// Reads the child through the inner store unless this operation fails.
    public func child(id: String) throws(StoreError) -> ChildRecord? {
        try step("child")
        return try inner.child(id: id)
    }

    /// Lists the child ids through the inner store unless this operation fails.
    public func childIDs(page: PageRequest) throws(StoreError) -> Page<String> {
        try step("childIDs")
        return try inner.childIDs(page: page)
    }

    /// Reads the child snapshot through the inner store unless this operation fails.
    public func childSnapshot(childID: String) throws(StoreError) -> ChildSnapshot {
        try step("childSnapshot")
        return try inner.childSnapshot(childID: childID)
    }

    /// Lists the child's cases through the inner store unless this operation fails.
    public func caseIDs(childID: String) throws(StoreError) -> [String] {
        try step("caseIDs(childID:)")
        return try inner.caseIDs(childID: childID)
    }
}

import Foundation
import Testing
import Casework
import CaseworkSQLite
import CaseworkStoreConformance

/// The conformance suite (CaseworkStoreConformance) on `InMemoryCaseStore`, one test case per check, and the store
/// kinds other store tests in this target run on.
@Suite("Store conformance: in memory")
struct StoreConformanceTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case memory, sqlite
        var testDescription: String { rawValue }

        func make() throws -> any CaseStore {
            switch self {
            case .memory: return InMemoryCaseStore()
            case .sqlite:
                let path = FileManager.default.temporaryDirectory.appendingPathComponent("casework-conformance-\(UUID().uuidString).sqlite").path
                return try SQLiteCaseStore(path: path)
            }
        }
    }

    @Test(arguments: StoreConformance.checks)
    func inMemoryStoreConforms(check: StoreConformance.Check) async {
        let failures = await StoreConformance.exercise([check], makeStore: { InMemoryCaseStore() })
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
    }

    @Test(arguments: StoreConformance.checks)
    func everyCheckFailsOnAStoreThatFailsItsFirstOperation(check: StoreConformance.Check) async {
        let failures = await StoreConformance.exercise([check]) {
            let store = FailingStore(wrapping: InMemoryCaseStore())
            store.fail(atOperation: 1)
            return store
        }
        #expect(!failures.isEmpty, "the check cannot fail")
        #expect(failures.allSatisfy { $0.check == check.name })
    }

    @Test func aStoreThatIgnoresTheExpectedRevisionFailsByName() async {
        let failures = await StoreConformance.exercise(makeStore: { IgnoresRevisions() })
        #expect(Set(failures.map(\.check)).contains("two writers from one revision: one wins, the other conflicts"), "\(failures)")
    }
}

/// A broken driver: commits every change as if its expected revision were the case's current one.
private struct IgnoresRevisions: CaseStore {
    let inner = InMemoryCaseStore()

    func commit(all changes: [CaseChange], children: [ChildChange]) throws(StoreError) {
        var rebased = changes
        for index in rebased.indices where rebased[index].expectedRevision != nil {
            rebased[index].expectedRevision = try inner.load(caseID: rebased[index].record.id)?.revision ?? rebased[index].expectedRevision
        }
        try inner.commit(all: rebased, children: children)
    }

    func child(id: String) throws(StoreError) -> ChildRecord? { try inner.child(id: id) }
    func childIDs(page: PageRequest) throws(StoreError) -> Page<String> { try inner.childIDs(page: page) }
    func childSnapshot(childID: String) throws(StoreError) -> ChildSnapshot { try inner.childSnapshot(childID: childID) }
    func caseIDs(childID: String) throws(StoreError) -> [String] { try inner.caseIDs(childID: childID) }

    func load(caseID: String) throws(StoreError) -> CaseRecord? { try inner.load(caseID: caseID) }
    var capabilities: StoreCapabilities { inner.capabilities }
    func history(caseID: String, page: PageRequest) throws(StoreError) -> Page<AuditEvent> { try inner.history(caseID: caseID, page: page) }
    func caseIDs(page: PageRequest) throws(StoreError) -> Page<String> { try inner.caseIDs(page: page) }
    func snapshot(caseID: String) throws(StoreError) -> CaseSnapshot { try inner.snapshot(caseID: caseID) }
    func auditedCaseIDs() throws(StoreError) -> [String] { try inner.auditedCaseIDs() }
    func idempotencyRecord(key: String) throws(StoreError) -> IdempotencyRecord? { try inner.idempotencyRecord(key: key) }
    func claimOutbox(_ claim: OutboxClaim) throws(StoreError) -> [OutboxMessage] { try inner.claimOutbox(claim) }
    func acknowledgeOutbox(ids: [String], claimer: String, at: Date) throws(StoreError) -> Int {
        try inner.acknowledgeOutbox(ids: ids, claimer: claimer, at: at)
    }
    func outbox(caseID: String?, page: PageRequest) throws(StoreError) -> Page<OutboxMessage> { try inner.outbox(caseID: caseID, page: page) }
    func definition(kind: String, id: String, version: Int) throws(StoreError) -> StoredDefinition? {
        try inner.definition(kind: kind, id: id, version: version)
    }
    func record(_ definition: StoredDefinition) throws(StoreError) { try inner.record(definition) }
    func dueAlarms(at now: Date, page: PageRequest) throws(StoreError) -> Page<DeadlineAlarm> { try inner.dueAlarms(at: now, page: page) }
    func record(_ snapshot: DefinitionSnapshot) throws(StoreError) { try inner.record(snapshot) }
    func snapshot(fingerprint: String) throws(StoreError) -> DefinitionSnapshot? { try inner.snapshot(fingerprint: fingerprint) }
    func snapshots() throws(StoreError) -> [DefinitionSnapshot] { try inner.snapshots() }
    func definitionVersions() throws(StoreError) -> [DefinitionVersion] { try inner.definitionVersions() }
    func archive(caseID: String) throws(StoreError) -> CaseArchive? { try inner.archive(caseID: caseID) }
    func restore(_ archive: CaseArchive) throws(StoreError) { try inner.restore(archive) }
    func documentVersions(caseID: String) throws(StoreError) -> [DocumentVersion] { try inner.documentVersions(caseID: caseID) }
    func blob(sha256: String) throws(StoreError) -> DocumentBlob? { try inner.blob(sha256: sha256) }
}

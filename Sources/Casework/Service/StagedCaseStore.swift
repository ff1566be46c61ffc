import Foundation
import Synchronization

/// The store the synchronous engine decides one ``CaseService`` command against: it answers from what the service
/// has read from its driver, keeps what the engine writes (in order, applied to its own answers so the engine reads
/// its writes back), and notes every read it could not answer, so the service reads those and decides again.
///
/// Nothing here reaches a driver: the engine stays a pure decider, and the service alone awaits the store.
final class StagedCaseStore: CaseStore {
    /// A read the engine may ask for.
    enum Read: Hashable, Sendable {
        case record(String)
        case idempotency(String)
        case definition(kind: String, id: String, version: Int)
        case definitionSnapshot(String)
        case caseSnapshot(String)
        case history(String)
        case outbox(String?)
        case caseIDs
        case auditedCaseIDs
        case due(Date, limit: Int)
        case snapshots
        case definitionVersions
        /// The child record a case belongs to, read to admit a request about the case with the child's grants.
        case child(String)
        /// The ids of the cases filed under a child, read for the child's timeline.
        case childCaseIDs(String)
        /// A case's document versions, read to add, list or show its documents.
        case documents(String)
        /// The bytes stored under a SHA-256, read to hand out one part of a document.
        case blob(String)
    }

    /// What a read found.
    enum Answer: Sendable {
        case record(CaseRecord?)
        case idempotency(IdempotencyRecord?)
        case definition(StoredDefinition?)
        case definitionSnapshot(DefinitionSnapshot?)
        case caseSnapshot(CaseSnapshot)
        case events([AuditEvent])
        case messages([OutboxMessage])
        case ids([String])
        case alarms([DeadlineAlarm])
        case snapshots([DefinitionSnapshot])
        case versions([DefinitionVersion])
        case child(ChildRecord?)
        case documents([DocumentVersion])
        case blob(DocumentBlob?)
    }

    /// A write the engine made, to apply to the driver in order once the decision stands.
    enum Write: Sendable {
        case commit([CaseChange])
        case definition(StoredDefinition)
        case definitionSnapshot(DefinitionSnapshot)
    }

    private struct State {
        var answers: [Read: Answer]
        var misses: Set<Read> = []
        var writes: [Write] = []
        /// Whether a list a commit extends was staged (a case's history or outbox, the case ids, a case's documents):
        /// only lists read before the decision are answered, and a commit adds none, so a decision that read none
        /// (a fire, an opening) looks none up at each change it commits.
        let listsStaged: Bool

        init(answers: [Read: Answer]) {
            self.answers = answers
            listsStaged = answers.keys.contains { read in
                switch read {
                case .history, .outbox, .caseIDs, .documents: true
                default: false
                }
            }
        }
    }

    private let state: Mutex<State>
    /// The driver's capabilities, which the engine may ask about.
    let capabilities: StoreCapabilities

    /// A stage holding `answers`, for a driver with `capabilities`.
    init(answers: [Read: Answer], capabilities: StoreCapabilities) {
        state = Mutex(State(answers: answers))
        self.capabilities = capabilities
    }

    /// The reads the engine asked for that were not staged.
    var misses: Set<Read> { state.withLock { $0.misses } }

    /// The engine's writes, in the order it made them.
    var writes: [Write] { state.withLock { $0.writes } }

    /// The staged answer to `read`; a miss is noted and refused (the service decides again once it has read it).
    private func answer<T>(_ read: Read, _ pick: (Answer) -> T?) throws(StoreError) -> T {
        let found: T? = state.withLock { state in
            guard let answer = state.answers[read] else {
                state.misses.insert(read)
                return nil
            }
            return pick(answer)
        }
        guard let found else { throw .busy("reading from the store") }
        return found
    }

    func load(caseID: String) throws(StoreError) -> CaseRecord? {
        try answer(.record(caseID)) { if case .record(let record) = $0 { record } else { nil } }
    }

    /// Checks each change against the staged records as a store would, then applies it to the stage and keeps it.
    /// Child records are changed through the engine on the store itself (`casework child add|set|grant|revoke`), never
    /// through the service; a case opened for a child is a case change, and is kept.
    func commit(all changes: [CaseChange], children: [ChildChange]) throws(StoreError) {
        guard children.isEmpty else {
            throw .failed("a command decided for the service cannot change a child record; change it through the engine on the store")
        }
        for change in changes {
            let id = change.record.id
            let current: Int? = try answer(.record(id)) { (answer: Answer) -> Int?? in
                guard case .record(let record) = answer else { return nil }
                return .some(record.map { $0.revision })
            }
            switch (change.expectedRevision, current) {
            case (nil, .some): throw .caseExists(id)
            case (.some, nil): throw .caseNotFound(id)
            case (.some(let expected), .some(let revision)) where revision != expected:
                throw .revisionConflict(caseID: id, expected: expected, actual: revision)
            default: break
            }
        }
        state.withLock { state in
            for change in changes {
                let id = change.record.id
                state.answers[.record(id)] = .record(change.record)
                if let record = change.idempotency { state.answers[.idempotency(record.key)] = .idempotency(record) }
                for blob in change.blobs { state.answers[.blob(blob.sha256)] = .blob(blob) }
                guard state.listsStaged else { continue }
                if case .events(let events) = state.answers[.history(id)] { state.answers[.history(id)] = .events(events + change.events) }
                for key in [Optional(id), nil] {
                    if case .messages(let messages) = state.answers[.outbox(key)] { state.answers[.outbox(key)] = .messages(messages + change.outbox) }
                }
                if case .ids(let ids) = state.answers[.caseIDs], !ids.contains(id) { state.answers[.caseIDs] = .ids((ids + [id]).sorted()) }
                if !change.documents.isEmpty, case .documents(let versions) = state.answers[.documents(id)] {
                    state.answers[.documents(id)] = .documents((versions + change.documents).sorted { ($0.kind, $0.version) < ($1.kind, $1.version) })
                }
            }
            state.writes.append(.commit(changes))
        }
    }

    func history(caseID: String, page: PageRequest) throws(StoreError) -> Page<AuditEvent> {
        Page(items: try answer(.history(caseID)) { if case .events(let events) = $0 { events } else { nil } }, next: nil)
    }

    func caseIDs(page: PageRequest) throws(StoreError) -> Page<String> {
        Page(items: try answer(.caseIDs) { if case .ids(let ids) = $0 { ids } else { nil } }, next: nil)
    }

    func snapshot(caseID: String) throws(StoreError) -> CaseSnapshot {
        try answer(.caseSnapshot(caseID)) { if case .caseSnapshot(let snapshot) = $0 { snapshot } else { nil } }
    }

    func auditedCaseIDs() throws(StoreError) -> [String] {
        try answer(.auditedCaseIDs) { if case .ids(let ids) = $0 { ids } else { nil } }
    }

    func idempotencyRecord(key: String) throws(StoreError) -> IdempotencyRecord? {
        try answer(.idempotency(key)) { if case .idempotency(let record) = $0 { record } else { nil } }
    }

    /// The service claims notifications through its driver; an engine deciding a command never does.
    func claimOutbox(_ claim: OutboxClaim) throws(StoreError) -> [OutboxMessage] {
        throw .failed("a command decided for the service cannot claim notifications")
    }

    /// The service acknowledges notifications through its driver; an engine deciding a command never does.
    func acknowledgeOutbox(ids: [String], claimer: String, at: Date) throws(StoreError) -> Int {
        throw .failed("a command decided for the service cannot acknowledge notifications")
    }

    /// Archives are for moving a store (`casework store copy`); an engine deciding a command never reads one.
    func archive(caseID: String) throws(StoreError) -> CaseArchive? {
        throw .failed("a command decided for the service cannot archive a case")
    }

    /// Archives are for moving a store (`casework store copy`); an engine deciding a command never restores one.
    func restore(_ archive: CaseArchive) throws(StoreError) {
        throw .failed("a command decided for the service cannot restore a case")
    }

    func documentVersions(caseID: String) throws(StoreError) -> [DocumentVersion] {
        try answer(.documents(caseID)) { if case .documents(let versions) = $0 { versions } else { nil } }
    }

    func blob(sha256: String) throws(StoreError) -> DocumentBlob? {
        try answer(.blob(sha256)) { if case .blob(let blob) = $0 { blob } else { nil } }
    }

    func outbox(caseID: String?, page: PageRequest) throws(StoreError) -> Page<OutboxMessage> {
        Page(items: try answer(.outbox(caseID)) { if case .messages(let messages) = $0 { messages } else { nil } }, next: nil)
    }

    func definition(kind: String, id: String, version: Int) throws(StoreError) -> StoredDefinition? {
        try answer(.definition(kind: kind, id: id, version: version)) { if case .definition(let stored) = $0 { stored } else { nil } }
    }

    func record(_ definition: StoredDefinition) throws(StoreError) {
        state.withLock { state in
            state.answers[.definition(kind: definition.kind, id: definition.id, version: definition.version)] = .definition(definition)
            state.writes.append(.definition(definition))
        }
    }

    /// The alarms the service read as due at `now`; the engine asks for them once, at the start of a tick.
    func dueAlarms(at now: Date, page: PageRequest) throws(StoreError) -> Page<DeadlineAlarm> {
        let alarms = try answer(.due(now, limit: page.limit)) { if case .alarms(let alarms) = $0 { alarms } else { nil } }
        return Page(items: alarms, next: nil)
    }

    func record(_ snapshot: DefinitionSnapshot) throws(StoreError) {
        state.withLock { state in
            state.answers[.definitionSnapshot(snapshot.fingerprint)] = .definitionSnapshot(snapshot)
            state.writes.append(.definitionSnapshot(snapshot))
        }
    }

    func snapshot(fingerprint: String) throws(StoreError) -> DefinitionSnapshot? {
        try answer(.definitionSnapshot(fingerprint)) { if case .definitionSnapshot(let snapshot) = $0 { snapshot } else { nil } }
    }

    func snapshots() throws(StoreError) -> [DefinitionSnapshot] {
        try answer(.snapshots) { if case .snapshots(let snapshots) = $0 { snapshots } else { nil } }
    }

    func definitionVersions() throws(StoreError) -> [DefinitionVersion] {
        try answer(.definitionVersions) { if case .versions(let versions) = $0 { versions } else { nil } }
    }

    /// The child a case belongs to, staged as a case is: a miss is noted and refused, and the service decides again
    /// once it has read it, so the door admits a case of a child with the child's grants as the direct engine does.
    func child(id: String) throws(StoreError) -> ChildRecord? {
        try answer(.child(id)) { if case .child(let record) = $0 { record } else { nil } }
    }

    /// Child lists are read through the engine on the store itself: the service serves no child command but a child's
    /// timeline, and the cases that belong to a child.
    func childIDs(page: PageRequest) throws(StoreError) -> Page<String> {
        throw .failed("a command decided for the service cannot list child records")
    }

    /// A child's chain is verified through the engine on the store itself (`casework audit verify --child`): the
    /// service serves no child command but a child's timeline, and the cases that belong to a child.
    func childSnapshot(childID: String) throws(StoreError) -> ChildSnapshot {
        throw .failed("a command decided for the service cannot read a child record's audit chain")
    }

    /// The ids of a child's cases, staged as a case is, for the child's timeline.
    func caseIDs(childID: String) throws(StoreError) -> [String] {
        try answer(.childCaseIDs(childID)) { if case .ids(let ids) = $0 { ids } else { nil } }
    }
}

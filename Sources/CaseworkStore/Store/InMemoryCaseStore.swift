import CaseworkDefinitions
import Foundation
import Synchronization

/// A store in memory: for tests and for services that keep cases elsewhere. Nothing survives the process.
///
/// One lock guards all state, so every operation is atomic and commits are
/// checked and applied as one step. Like every store it refuses a record with a
/// counter at its limit (``CaseRecord/counterAtLimit``). Known gaps: none against the protocol;
/// no durability by design.
public final class InMemoryCaseStore: CaseStore {
    /// One case as kept: its record, its audit events and whether it has alarms in the due-time index, under one key,
    /// so a commit finds them all with one lookup and changes them in place.
    private struct StoredCase {
        var record: CaseRecord
        var events: [AuditEvent] = []
        /// Whether ``AlarmIndex`` holds any alarm of the case, kept by every commit: a change with no alarms to a case
        /// that has none leaves the index alone instead of looking the case up there.
        var hasAlarms = false
        /// The highest sequence of its events (`Int.min` while it has none).
        var highestSequence = Int.min

        /// Whether an event of the case has `sequence`. A case's events are numbered upwards as they are committed, so
        /// a sequence above the highest is new without a search; any other is searched for among the events. A set of
        /// every sequence, which this replaces, hashed each sequence twice a commit and grew with the case.
        func holdsEvent(_ sequence: Int) -> Bool {
            sequence <= highestSequence && events.contains { $0.sequence == sequence }
        }
    }

    private struct State {
        var cases: [String: StoredCase] = [:]
        /// Every message in commit order, in pages: it grows by a page, never copying the messages it holds.
        var outbox = PagedList<OutboxMessage>()
        /// Each message's position in ``outbox``, by id.
        var outboxIndex: [String: Int] = [:]
        var keys: [String: IdempotencyRecord] = [:]
        var definitions: [String: StoredDefinition] = [:]
        /// Snapshots in the order they were first stored, and each one's position by fingerprint.
        var snapshots: [DefinitionSnapshot] = []
        var snapshotIndex: [String: Int] = [:]
        /// The due-time index: alarms ordered by time, and each case's alarms for replacement.
        var alarms = AlarmIndex()
        /// Each case's document versions, in the order added, and the bytes they name by hash.
        var documents: [String: [DocumentVersion]] = [:]
        var blobs: [String: [UInt8]] = [:]
        /// The child records and each child's audit events, in order.
        var children: [String: ChildRecord] = [:]
        var childEvents: [String: [ChildAuditEvent]] = [:]

        /// What `read` takes from the kept case `caseID`, read where it is kept (through the dictionary's `_modify`), or
        /// nil when there is no such case: reading through `Values`' getter, or `cases[caseID]?.record`, would copy the
        /// whole kept case (its events too) out first.
        mutating func stored<Part>(_ caseID: String, _ read: (inout StoredCase) -> Part) -> Part? {
            guard let slot = cases.index(forKey: caseID) else { return nil }
            return read(&cases.values[slot])
        }
    }

    private let state = Mutex(State())

    /// Creates an empty store.
    public init() {}

    /// Nothing survives the process and only this process sees it; multi-case commits and outbox leases hold.
    public var capabilities: StoreCapabilities { [.atomicMultiCaseCommit, .leasedOutbox] }

    /// The case, or nil.
    public func load(caseID: String) throws(StoreError) -> CaseRecord? {
        state.withLock { $0.stored(caseID) { $0.record } }
    }

    /// Checks every change first, then applies them all, under one lock.
    public func commit(all changes: [CaseChange], children: [ChildChange]) throws(StoreError) {
        try state.withLock { Self.commit(changes, children: children, to: &$0) }.get()
    }

    /// Checks every change, then applies them all to `state`; on a refusal nothing is applied.
    ///
    /// What the batch itself holds (its cases, keys, each case's event sequences) is gathered to catch a repeat within
    /// it only where there can be one: a single change with one event cannot repeat itself. Its messages are entered in
    /// the outbox's index while they are checked (``indexMessages(_:of:from:in:)``), which finds a repeat within the batch
    /// as it finds one already stored; a refusal takes them out again (``unindexMessages(of:from:in:)``).
    private static func commit(_ changes: [CaseChange], children: [ChildChange] = [], to state: inout State) -> Result<Void, StoreError> {
        let firstPosition = state.outbox.count
        let checked = check(changes, children: children, in: &state)
        guard case .success(let firstSlot) = checked else {
            unindexMessages(of: changes, from: firstPosition, in: &state)
            return checked.map { _ in () }
        }
        for index in changes.indices {
            let id = changes[index].record.id
            let alarms = changes[index].alarms
            let slot = index == 0 ? firstSlot : state.cases.index(forKey: id)
            let hadAlarms = slot.map { state.cases.values[$0].hasAlarms } ?? false
            if let slot {
                Self.apply(changes, index, to: &state.cases.values[slot])
            } else {
                var stored = StoredCase(record: changes[index].record)
                Self.apply(changes, index, to: &stored)
                state.cases[id] = stored
            }
            if hadAlarms || !alarms.isEmpty { state.alarms.replace(caseID: id, with: alarms) }
            // Each message's place in the outbox was entered in its index when it was checked.
            state.outbox.append(contentsOf: changes[index].outbox)
            if let record = changes[index].idempotency { state.keys[record.key] = record }
            if !changes[index].documents.isEmpty { state.documents[id, default: []].append(contentsOf: changes[index].documents) }
            for blob in changes[index].blobs where state.blobs[blob.sha256] == nil { state.blobs[blob.sha256] = blob.bytes }
        }
        for child in children {
            state.children[child.record.id] = child.record
            state.childEvents[child.record.id, default: []].append(contentsOf: child.events)
        }
        return .success(())
    }

    /// Checks every change against `state` and the batch, changing nothing but the outbox's index, where each message
    /// is entered at the place it will take; the place where the first change's case is kept (nil for a new case) when
    /// every change holds.
    private static func check(
        _ changes: [CaseChange], children: [ChildChange], in state: inout State
    ) -> Result<Dictionary<String, StoredCase>.Index?, StoreError> {
        if let problem = childProblems(children) { return .failure(problem) }
        for child in children {
            let id = child.record.id
            switch (child.expectedRevision, state.children[id]) {
            case (nil, .some): return .failure(.childExists(id))
            case (.some, nil): return .failure(.childNotFound(id))
            case (.some(let expected), .some(let record)) where record.revision != expected:
                return .failure(.childRevisionConflict(childID: id, expected: expected, actual: record.revision))
            default: break
            }
            let existing = Set((state.childEvents[id] ?? []).map(\.sequence))
            var sequences = Set<Int>()
            for event in child.events where existing.contains(event.sequence) || !sequences.insert(event.sequence).inserted {
                return .failure(.duplicate("audit event \(event.sequence) of child '\(id)'"))
            }
        }
        let several = changes.count > 1
        var batchCases = Set<String>()
        var batchKeys = Set<String>()
        // Where the batch's next message will be kept in the outbox.
        var position = state.outbox.count
        // Where the first change's case is kept, found while checking and used again while applying: nothing is added
        // to the cases before the first change is applied, so the position still holds.
        var firstSlot: Dictionary<String, StoredCase>.Index?
        // Each change, event and message is read in place (by index): a `for` over them copies every one whole.
        for index in changes.indices {
            let id = changes[index].record.id
            if several, !batchCases.insert(id).inserted { return .failure(.duplicate("a second change to case '\(id)' in one commit")) }
            // Read from the record's parts where the change keeps them: the property would copy the whole record to read three.
            if let limit = CaseRecord.counterAtLimit(revision: changes[index].record.revision, forms: changes[index].record.forms,
                                                     deadlines: changes[index].record.deadlines) { return .failure(.corruptRecord(caseID: id, detail: limit)) }
            // The stored record's revision read in place, not the record copied out to read it.
            let slot = state.cases.index(forKey: id)
            if index == 0 { firstSlot = slot }
            switch (changes[index].expectedRevision, slot.map { state.cases.values[$0].record.revision }) {
            case (nil, .some): return .failure(.caseExists(id))
            case (.some, nil): return .failure(.caseNotFound(id))
            case (.some(let expected), .some(let revision)) where revision != expected:
                return .failure(.revisionConflict(caseID: id, expected: expected, actual: revision))
            default: break
            }
            let events = changes[index].events
            var sequences = Set<Int>()
            for event in events.indices
            where slot.map({ state.cases.values[$0].holdsEvent(events[event].sequence) }) == true
                || events.count > 1 && !sequences.insert(events[event].sequence).inserted
            {
                return .failure(.duplicate("audit event \(events[event].sequence) of case '\(id)'"))
            }
            if let repeated = indexMessages(changes, of: index, from: &position, in: &state) {
                return .failure(.duplicate("outbox message '\(repeated)'"))
            }
            if let key = changes[index].idempotency?.key, state.keys[key] != nil || several && !batchKeys.insert(key).inserted {
                return .failure(.duplicate("idempotency key '\(key)'"))
            }
            guard !changes[index].documents.isEmpty else { continue }
            var versions = Set((state.documents[id] ?? []).map { "\($0.kind)/\($0.version)" })
            for document in changes[index].documents where document.caseID != id || !versions.insert("\(document.kind)/\(document.version)").inserted {
                return .failure(.duplicate("version \(document.version) of document '\(document.kind)' of case '\(id)'"))
            }
        }
        return .success(firstSlot)
    }

    /// Enters the messages of the change at `index` in the outbox's index at the places they will take, from `position`
    /// on (moved past them); the id of the first that is already there, stored or earlier in the batch, which is left
    /// as it was. Entering a message and checking that it is new is one look-up, where a check and a later entry were two.
    private static func indexMessages(_ changes: [CaseChange], of index: Int, from position: inout Int, in state: inout State) -> String? {
        for message in changes[index].outbox.indices {
            let id = changes[index].outbox[message].id
            if let earlier = state.outboxIndex.updateValue(position, forKey: id) {
                state.outboxIndex[id] = earlier
                return id
            }
            position += 1
        }
        return nil
    }

    /// Takes out of the outbox's index every message of a refused batch that checking entered: those it places at
    /// `firstPosition` or after, where no stored message is.
    private static func unindexMessages(of changes: [CaseChange], from firstPosition: Int, in state: inout State) {
        for index in changes.indices {
            for message in changes[index].outbox.indices {
                let id = changes[index].outbox[message].id
                if let position = state.outboxIndex[id], position >= firstPosition { state.outboxIndex[id] = nil }
            }
        }
    }

    /// Applies the checked change at `index` of `changes` to the case as kept, in place: its record, its events, and
    /// whether it has alarms. The change is read where the batch keeps it: passed on its own, it would be
    /// copied whole. Its events are appended one by one (a change has one, mostly), which costs less than appending
    /// them as a collection.
    private static func apply(_ changes: [CaseChange], _ index: Int, to stored: inout StoredCase) {
        stored.record = changes[index].record
        for event in changes[index].events.indices {
            stored.events.append(changes[index].events[event])
            stored.highestSequence = max(stored.highestSequence, changes[index].events[event].sequence)
        }
        stored.hasAlarms = !changes[index].alarms.isEmpty
    }

    /// A page of the case's events in order; the cursor holds the last event's sequence.
    public func history(caseID: String, page: PageRequest) throws(StoreError) -> Page<AuditEvent> {
        let events = state.withLock { $0.stored(caseID) { $0.events } ?? [] }
        return try Page.slice(events, key: \.sequence, request: page, cursorKey: { ["\($0.sequence)"] }) { (cursor: PageCursor) throws(StoreError) in
            Int(try cursor.number())
        }
    }

    /// A page of the case ids, sorted; the cursor holds the last id.
    public func caseIDs(page: PageRequest) throws(StoreError) -> Page<String> {
        let ids = state.withLock { $0.cases.keys.sorted() }
        return try Page.slice(ids, key: { $0 }, request: page, cursorKey: { [$0] }) { (cursor: PageCursor) throws(StoreError) in
            try cursor.key(parts: 1)[0]
        }
    }

    /// The record and events under one lock.
    public func snapshot(caseID: String) throws(StoreError) -> CaseSnapshot {
        state.withLock { $0.stored(caseID) { CaseSnapshot(record: $0.record, events: $0.events) } ?? CaseSnapshot(record: nil, events: []) }
    }

    /// Every case id with events, sorted.
    public func auditedCaseIDs() throws(StoreError) -> [String] {
        state.withLock { $0.cases.filter { !$0.value.events.isEmpty }.keys.sorted() }
    }

    /// The result recorded for a key.
    public func idempotencyRecord(key: String) throws(StoreError) -> IdempotencyRecord? {
        state.withLock { $0.keys[key] }
    }

    /// Claims the oldest claimable messages.
    public func claimOutbox(_ claim: OutboxClaim) throws(StoreError) -> [OutboxMessage] {
        state.withLock { state in
            var claimed: [OutboxMessage] = []
            for index in state.outbox.indices where claimed.count < claim.limit && state.outbox[index].isClaimable(at: claim.now) {
                state.outbox[index].claimedBy = claim.claimer
                state.outbox[index].leaseUntil = claim.now.addingTimeInterval(claim.lease)
                // A count, not an identity: it stops at the largest value rather than overflowing.
                if state.outbox[index].attempts < .max { state.outbox[index].attempts += 1 }
                claimed.append(state.outbox[index])
            }
            return claimed
        }
    }

    /// Marks the claimer's messages delivered.
    public func acknowledgeOutbox(ids: [String], claimer: String, at: Date) throws(StoreError) -> Int {
        state.withLock { state in
            var count = 0
            for id in ids {
                guard let index = state.outboxIndex[id], state.outbox[index].claimedBy == claimer,
                    state.outbox[index].deliveredAt == nil
                else { continue }
                state.outbox[index].deliveredAt = at
                count += 1
            }
            return count
        }
    }

    /// A page of the outbox, oldest first; the cursor holds the last message's place in commit order.
    public func outbox(caseID: String?, page: PageRequest) throws(StoreError) -> Page<OutboxMessage> {
        let placed = state.withLock { state in
            state.outbox.enumerated().filter { caseID == nil || $0.element.caseID == caseID }.map { (position: $0.offset, message: $0.element) }
        }
        let slice = try Page.slice(placed, key: \.position, request: page, cursorKey: { ["\($0.position)"] }) { (cursor: PageCursor) throws(StoreError) in
            Int(try cursor.number())
        }
        return Page(items: slice.items.map(\.message), next: slice.next)
    }

    /// The stored definition version.
    public func definition(kind: String, id: String, version: Int) throws(StoreError) -> StoredDefinition? {
        state.withLock { $0.definitions["\(kind)/\(id)/\(version)"] }
    }

    /// A page of the alarms due by `now`, earliest first.
    public func dueAlarms(at now: Date, page: PageRequest) throws(StoreError) -> Page<DeadlineAlarm> {
        if let problem = page.problem { throw .invalidPage(problem) }
        let after = try page.after.map { (cursor: PageCursor) throws(StoreError) in try DeadlineAlarm.pageKey(cursor) }
        let due = state.withLock { $0.alarms.due(at: now, after: after, limit: page.limit + 1) }
        let items = Array(due.prefix(page.limit))
        return Page(items: items, next: due.count > page.limit ? items.last.map(\.pageCursor) : nil)
    }

    /// Stores a definition version once; other content under the same version is refused.
    public func record(_ definition: StoredDefinition) throws(StoreError) {
        let key = "\(definition.kind)/\(definition.id)/\(definition.version)"
        let result: Result<Void, StoreError> = state.withLock { state in
            if let existing = state.definitions[key] {
                return existing.fingerprint == definition.fingerprint
                    ? .success(()) : .failure(.definitionChanged(kind: definition.kind, id: definition.id, version: definition.version))
            }
            state.definitions[key] = definition
            return .success(())
        }
        try result.get()
    }
}

/// Definition snapshots: each stored once, by fingerprint, as references to stored definition versions.
extension InMemoryCaseStore {
    /// Stores the snapshot once, after checking every member is stored with its fingerprint.
    public func record(_ snapshot: DefinitionSnapshot) throws(StoreError) {
        let result: Result<Void, StoreError> = state.withLock { state in
            if state.snapshotIndex[snapshot.fingerprint] != nil { return .success(()) }
            for member in snapshot.members where state.definitions["\(member.kind)/\(member.id)/\(member.version)"]?.fingerprint != member.fingerprint {
                return .failure(.snapshotIncomplete(snapshot: snapshot.fingerprint, missing: member))
            }
            state.snapshotIndex[snapshot.fingerprint] = state.snapshots.count
            state.snapshots.append(snapshot)
            return .success(())
        }
        try result.get()
    }

    /// The stored snapshot with this fingerprint.
    public func snapshot(fingerprint: String) throws(StoreError) -> DefinitionSnapshot? {
        state.withLock { state in state.snapshotIndex[fingerprint].map { state.snapshots[$0] } }
    }

    /// Every stored snapshot, oldest first.
    public func snapshots() throws(StoreError) -> [DefinitionSnapshot] {
        state.withLock { $0.snapshots }
    }

    /// Every stored definition version, sorted.
    public func definitionVersions() throws(StoreError) -> [DefinitionVersion] {
        state.withLock { $0.definitions.values.map(DefinitionVersion.init).sorted() }
    }
}

/// Archives: a case read whole under the lock, and written back whole under it.
extension InMemoryCaseStore {
    /// The case's record, events, messages, keys and alarms, read under one lock.
    public func archive(caseID: String) throws(StoreError) -> CaseArchive? {
        try state.withLock { state -> Result<CaseArchive?, StoreError> in
            // A case's events are kept with its record, so there are none without it to report.
            guard let stored = state.cases[caseID] else { return .success(nil) }
            return .success(CaseArchive(
                record: stored.record, events: stored.events, outbox: state.outbox.filter { $0.caseID == caseID },
                idempotency: state.keys.values.filter { $0.caseID == caseID }, alarms: state.alarms.alarms(caseID: caseID),
                documents: Self.documentVersions(caseID, in: state), blobs: Self.blobs(named: state.documents[caseID] ?? [], in: state)))
        }.get()
    }

    /// The case's document versions, ordered by kind and version.
    public func documentVersions(caseID: String) throws(StoreError) -> [DocumentVersion] {
        state.withLock { Self.documentVersions(caseID, in: $0) }
    }

    /// The bytes stored under `sha256`, as stored.
    public func blob(sha256: String) throws(StoreError) -> DocumentBlob? {
        state.withLock { state in state.blobs[sha256].map { DocumentBlob(sha256: sha256, bytes: $0) } }
    }

    private static func documentVersions(_ caseID: String, in state: State) -> [DocumentVersion] {
        (state.documents[caseID] ?? []).sorted { ($0.kind, $0.version) < ($1.kind, $1.version) }
    }

    private static func blobs(named versions: [DocumentVersion], in state: State) -> [DocumentBlob] {
        Set(versions.flatMap { $0.change.parts.map(\.sha256) }).sorted().compactMap { hash in state.blobs[hash].map { DocumentBlob(sha256: hash, bytes: $0) } }
    }

    /// Writes the archive under one lock: its opening change as a commit would, then its keys, or nothing.
    public func restore(_ archive: CaseArchive) throws(StoreError) {
        if let problem = archive.problem { throw .corruptRecord(caseID: archive.record.id, detail: problem) }
        try state.withLock { state -> Result<Void, StoreError> in
            if state.cases[archive.record.id] != nil { return .failure(.caseExists(archive.record.id)) }
            var keys = Set<String>()
            for record in archive.idempotency where state.keys[record.key] != nil || !keys.insert(record.key).inserted {
                return .failure(.duplicate("idempotency key '\(record.key)'"))
            }
            let opened = Self.commit([archive.opening], to: &state)
            if case .success = opened { for record in archive.idempotency { state.keys[record.key] = record } }
            return opened
        }.get()
    }
}

/// Child records: each with its own audit chain, under the one lock.
extension InMemoryCaseStore {
    /// The child record, or nil.
    public func child(id: String) throws(StoreError) -> ChildRecord? {
        state.withLock { $0.children[id] }
    }

    /// A page of the child ids, sorted; the cursor holds the last id.
    public func childIDs(page: PageRequest) throws(StoreError) -> Page<String> {
        let ids = state.withLock { $0.children.keys.sorted() }
        return try Page.slice(ids, key: { $0 }, request: page, cursorKey: { [$0] }) { (cursor: PageCursor) throws(StoreError) in
            try cursor.key(parts: 1)[0]
        }
    }

    /// The record and its events under one lock.
    public func childSnapshot(childID: String) throws(StoreError) -> ChildSnapshot {
        state.withLock { ChildSnapshot(record: $0.children[childID], events: $0.childEvents[childID] ?? []) }
    }

    /// The cases whose record names the child, sorted.
    public func caseIDs(childID: String) throws(StoreError) -> [String] {
        state.withLock { state in state.cases.values.filter { $0.record.child == childID }.map(\.record.id).sorted() }
    }
}

import CaseworkDefinitions
import Foundation

/// Everything a store holds about one case, read as one consistent snapshot so it can be written into another store
/// exactly as it was: how `casework store copy` moves cases between SQLite and PostgreSQL.
///
/// Nothing in an archive is recomputed when it is restored: events keep their hashes, the record its audit head, and
/// messages their delivery state (claimer, lease, attempts, delivery time), so the audit chain verifies on the target
/// as it did on the source and a message delivered there is not sent again. Read one with
/// ``CaseStore/archive(caseID:)`` and write it with ``CaseStore/restore(_:)``.
public struct CaseArchive: Sendable, Hashable {
    /// The case's record.
    public var record: CaseRecord
    /// Its audit events in sequence order.
    public var events: [AuditEvent]
    /// Its outbox messages in the order the source claims and lists them, each with its delivery state.
    public var outbox: [OutboxMessage]
    /// The idempotency keys recorded for it, sorted by key.
    public var idempotency: [IdempotencyRecord]
    /// Its deadline alarms, in due-index order (time, deadline, kind).
    public var alarms: [DeadlineAlarm]
    /// The case's document versions, ordered by kind and version.
    public var documents: [DocumentVersion] = []
    /// The bytes they name, each once, sorted by hash.
    public var blobs: [DocumentBlob] = []

    /// Creates an archive; the keys and alarms are put in their canonical order, so archives of one case read from
    /// two stores compare equal.
    public init(
        record: CaseRecord, events: [AuditEvent], outbox: [OutboxMessage], idempotency: [IdempotencyRecord], alarms: [DeadlineAlarm],
        documents: [DocumentVersion] = [], blobs: [DocumentBlob] = []
    ) {
        self.documents = documents.sorted { ($0.kind, $0.version) < ($1.kind, $1.version) }
        self.blobs = blobs.sorted { $0.sha256 < $1.sha256 }
        self.record = record
        self.events = events
        self.outbox = outbox
        self.idempotency = idempotency.sorted { $0.key < $1.key }
        self.alarms = alarms.sorted { $0.pageKey < $1.pageKey }
    }

    /// Why the archive cannot be restored as its record's case, or nil: every event, message, key and alarm must be
    /// that case's, and the record must be one the engine can use.
    public var problem: String? {
        let id = record.id
        if let limit = record.counterAtLimit { return limit }
        if events.contains(where: { $0.caseID != id }) { return "an audit event in its archive is of another case" }
        if outbox.contains(where: { $0.caseID != id }) { return "an outbox message in its archive is of another case" }
        if idempotency.contains(where: { $0.caseID != id }) { return "an idempotency key in its archive is of another case" }
        if alarms.contains(where: { $0.caseID != id }) { return "a deadline alarm in its archive is of another case" }
        if documents.contains(where: { $0.caseID != id }) { return "a document version in its archive is of another case" }
        if let damaged = blobs.first(where: { !$0.isIntact }) { return "the document bytes \(damaged.sha256) in its archive do not have that hash" }
        let named = Set(documents.flatMap { $0.change.parts.map(\.sha256) })
        if !named.isSubset(of: blobs.map(\.sha256)) { return "a document version in its archive names bytes the archive does not hold" }
        return nil
    }

    /// The archive as the change that opens its case: the record, events, messages (delivery state included) and
    /// alarms, without the keys, which a change holds one of and an archive many.
    package var opening: CaseChange {
        var change = CaseChange(record: record, expectedRevision: nil, events: events, outbox: outbox, idempotency: nil, alarms: alarms)
        change.documents = documents
        change.blobs = blobs
        return change
    }

    /// What a store found when the archive of `caseID` was asked for and its record was not there: nil when the case
    /// has no events either, otherwise the case's ``StoreError/corruptRecord(caseID:detail:)``, as `audit verify` would
    /// report it, so events are never left behind unnoticed.
    package static func withoutRecord(_ caseID: String, events: Int) throws(StoreError) -> CaseArchive? {
        guard events == 0 else { throw .corruptRecord(caseID: caseID, detail: "its record is missing, but \(events) audit events remain") }
        return nil
    }
}

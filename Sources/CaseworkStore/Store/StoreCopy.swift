import CaseworkDefinitions
import Foundation

/// Moves everything one store holds into another, empty one (SQLite to PostgreSQL, and back): what
/// `casework store copy` runs.
///
/// The order is: refuse a target that holds anything, and a source with a case whose record is missing, before
/// writing; copy every definition version and then every snapshot (in the order first stored); then each case, in the
/// order of its oldest notification in the source (``restoreOrder(_:senders:)``), as one ``CaseArchive`` restored in
/// one transaction, read back from the target at once and compared with
/// what was read from the source, its audit chain verified on what the target holds; and last, compare the target's
/// case ids, audited case ids, outbox, definitions and snapshots with the source's.
///
/// A failure after the first write leaves the target incomplete, and says so: the copy is never resumed or merged,
/// because it refuses a target that is not empty; empty the target, or make a new one, and copy again.
public enum StoreCopy {
    /// What a copy moved, and the cases whose chain does not hold on the target (as on the source: an archive is
    /// written verbatim and read back equal, so a chain broken there is broken here).
    public struct Summary: Sendable, Hashable {
        /// Cases copied.
        public var cases = 0
        /// Audit events copied.
        public var events = 0
        /// Outbox messages copied, with their delivery state.
        public var messages = 0
        /// Idempotency keys copied.
        public var keys = 0
        /// Deadline alarms copied.
        public var alarms = 0
        /// Definition versions copied.
        public var definitions = 0
        /// Definition snapshots copied.
        public var snapshots = 0
        /// Child records copied, each with its audit chain.
        public var children = 0
        /// Each case whose audit chain does not hold on the target, by id, with what verifying it found.
        public var unverified: [String: AuditVerification] = [:]
    }

    /// Copies everything `source` holds into `target`, which must be empty, and verifies it there (see the type's notes).
    public static func copy(from source: any CaseStore, to target: any CaseStore) throws(StoreCopyError) -> Summary {
        var summary = Summary()
        var wrote = false
        do throws(StoreCopyError.Reason) {
            if let held = try heldBy(target) { throw .targetNotEmpty(held) }
            let ids = try onSource { () throws(StoreError) in try source.caseIDs() }
            let audited = try onSource { () throws(StoreError) in try source.auditedCaseIDs() }
            let known = Set(ids)
            for orphan in audited where !known.contains(orphan) {
                // Reading its archive throws the case's `corruptRecord`, naming it: its record is missing.
                _ = try onSource { () throws(StoreError) in try source.archive(caseID: orphan) }
            }
            let versions = try onSource { () throws(StoreError) in try source.definitionVersions() }
            let snapshots = try onSource { () throws(StoreError) in try source.snapshots() }
            for version in versions {
                let stored = try onSource { () throws(StoreError) in try source.definition(kind: version.kind, id: version.id, version: version.version) }
                guard let stored else { throw .sourceFailed(.failed("\(version.kind) '\(version.id)' version \(version.version) is listed but not stored")) }
                wrote = true
                try onTarget { () throws(StoreError) in try target.record(stored) }
                summary.definitions += 1
            }
            for snapshot in snapshots {
                wrote = true
                try onTarget { () throws(StoreError) in try target.record(snapshot) }
                summary.snapshots += 1
            }
            for id in try onSource({ () throws(StoreError) in try source.childIDs() }) {
                let child = try onSource { () throws(StoreError) in try source.childSnapshot(childID: id) }
                guard let record = child.record else { throw .sourceFailed(.failed("child '\(id)' is listed but not stored")) }
                wrote = true
                // The record at its revision and its whole chain, verbatim, through the one commit.
                try onTarget { () throws(StoreError) in try target.commit(all: [], children: [ChildChange(record: record, expectedRevision: nil, events: child.events)]) }
                guard try onTarget({ () throws(StoreError) in try target.childSnapshot(childID: id) }) == child else {
                    throw .differs("child '\(id)' reads back from the target otherwise than it was read from the source")
                }
                let verification = AuditVerification.verify(child: child.events, record: record)
                if !verification.holds { summary.unverified["child \(id)"] = verification }
                summary.children += 1
            }
            let senders = try onSource { () throws(StoreError) in try outboxCaseIDs(source) }
            for id in restoreOrder(ids, senders: senders) {
                guard let archive = try onSource({ () throws(StoreError) in try source.archive(caseID: id) }) else { throw .sourceFailed(.caseNotFound(id)) }
                wrote = true
                try onTarget { () throws(StoreError) in try target.restore(archive) }
                let back = try onTarget { () throws(StoreError) in try target.archive(caseID: id) }
                guard let back, back == archive else {
                    throw .differs("case '\(id)' reads back from the target otherwise than it was read from the source")
                }
                let verification = AuditVerification.verify(back.events, record: back.record)
                if !verification.holds { summary.unverified[id] = verification }
                summary.count(archive)
            }
            try compare(target, ids: ids, audited: audited, versions: versions, snapshots: snapshots, messages: (source: senders.count, copied: summary.messages))
        } catch {
            throw StoreCopyError(reason: error, copiedCases: summary.cases, targetIncomplete: wrote)
        }
        return summary
    }

    /// What the target holds that makes it not empty, in words, or nil when it is empty.
    private static func heldBy(_ target: any CaseStore) throws(StoreCopyError.Reason) -> String? {
        let first = PageRequest(limit: 1)
        if let id = try onTarget({ () throws(StoreError) in try target.caseIDs(page: first) }).items.first { return "case '\(id)'" }
        if let id = try onTarget({ () throws(StoreError) in try target.auditedCaseIDs() }).first { return "audit events of case '\(id)'" }
        if let message = try onTarget({ () throws(StoreError) in try target.outbox(caseID: nil, page: first) }).items.first {
            return "outbox message '\(message.id)'"
        }
        if let version = try onTarget({ () throws(StoreError) in try target.definitionVersions() }).first {
            return "\(version.kind) '\(version.id)' version \(version.version)"
        }
        if let snapshot = try onTarget({ () throws(StoreError) in try target.snapshots() }).first { return "definition snapshot \(snapshot.fingerprint)" }
        if let id = try onTarget({ () throws(StoreError) in try target.childIDs(page: first) }).items.first { return "child '\(id)'" }
        return nil
    }

    /// The case ids in the order their archives are restored: by where each case's oldest message stands in the
    /// source's outbox (`senders` is the case of each message, oldest first), then the cases without one, by id. A
    /// target claims the oldest message first, so this keeps the source's delivery order across cases, except where
    /// two cases' messages interleave in the source: then the case whose first message is older is written whole first.
    private static func restoreOrder(_ ids: [String], senders: [String]) -> [String] {
        var first: [String: Int] = [:]
        for (position, caseID) in senders.enumerated() where first[caseID] == nil { first[caseID] = position }
        return ids.sorted { (first[$0] ?? .max, $0) < (first[$1] ?? .max, $1) }
    }

    /// The case of every message in the store's outbox, oldest first, read a page at a time so no message's text is held.
    private static func outboxCaseIDs(_ store: any CaseStore) throws(StoreError) -> [String] {
        var senders: [String] = []
        var request = PageRequest(limit: PageRequest.largestLimit)
        while true {
            let page = try store.outbox(caseID: nil, page: request)
            senders += page.items.map(\.caseID)
            guard let next = page.next else { return senders }
            request.after = next
        }
    }

    /// Compares what the target holds, after the copy, with what the source listed before it.
    private static func compare(
        _ target: any CaseStore, ids: [String], audited: [String], versions: [DefinitionVersion], snapshots: [DefinitionSnapshot],
        messages: (source: Int, copied: Int)
    ) throws(StoreCopyError.Reason) {
        // A message of a case without a record is in no archive; the source's whole outbox counts it.
        if messages.copied != messages.source {
            throw .differs("the source holds \(messages.source) notifications, \(messages.copied) of them of its cases")
        }
        let held = try onTarget { () throws(StoreError) in
            (ids: try target.caseIDs(), audited: try target.auditedCaseIDs(), messages: try outboxCaseIDs(target).count,
             versions: try target.definitionVersions(), snapshots: try target.snapshots())
        }
        let differing = [
            ("case ids", held.ids == ids), ("audited case ids", held.audited == audited), ("notifications", held.messages == messages.source),
            ("definition versions", held.versions == versions), ("definition snapshots", held.snapshots == snapshots),
        ].filter { !$0.1 }.map(\.0)
        if !differing.isEmpty { throw .differs("the target's \(differing.joined(separator: ", ")) differ from the source's") }
    }

    /// A read of the source, its failure the source's.
    private static func onSource<T>(_ body: () throws(StoreError) -> T) throws(StoreCopyError.Reason) -> T {
        do throws(StoreError) { return try body() } catch { throw .sourceFailed(error) }
    }

    /// A read or write of the target, its failure the target's.
    private static func onTarget<T>(_ body: () throws(StoreError) -> T) throws(StoreCopyError.Reason) -> T {
        do throws(StoreError) { return try body() } catch { throw .targetFailed(error) }
    }
}

extension StoreCopy.Summary {
    /// Adds one copied case's rows.
    fileprivate mutating func count(_ archive: CaseArchive) {
        cases += 1
        events += archive.events.count
        messages += archive.outbox.count
        keys += archive.idempotency.count
        alarms += archive.alarms.count
    }
}

/// Why a store copy stopped, and whether it left the target incomplete.
public struct StoreCopyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What stopped the copy.
    public enum Reason: Error, Sendable, Hashable {
        /// The target holds something already (named): nothing was written.
        case targetNotEmpty(String)
        /// The source could not be read, or holds what cannot be copied (a case with events but no record).
        case sourceFailed(StoreError)
        /// The target refused a write or failed.
        case targetFailed(StoreError)
        /// What the target holds after the copy differs from what was read from the source (said how).
        case differs(String)
    }

    /// What stopped the copy.
    public var reason: Reason
    /// How many cases had been copied when it stopped.
    public var copiedCases: Int
    /// Whether anything had been written to the target: then it is incomplete, and must be emptied before copying again.
    public var targetIncomplete: Bool

    /// Creates an error; a caller that opens the stores itself reports a failure to open one with it, before anything is written.
    public init(reason: Reason, copiedCases: Int, targetIncomplete: Bool) {
        self.reason = reason
        self.copiedCases = copiedCases
        self.targetIncomplete = targetIncomplete
    }

    /// The reason in words, then what it left: nothing written, or an incomplete target to empty.
    public var description: String {
        let what: String = switch reason {
        case .targetNotEmpty(let held): "the target store is not empty: it holds \(held); copy into a new, empty store"
        case .sourceFailed(let error): "the source store cannot be copied: \(error)"
        case .targetFailed(let error): "the target store refused or failed: \(error)"
        case .differs(let detail): "the copy does not match its source: \(detail)"
        }
        guard targetIncomplete else { return what + "; nothing was written" }
        return what + "; the target is incomplete (\(copiedCases) cases copied): empty it, or make a new one, before copying again"
    }
}

import CaseworkDefinitions
import Foundation

/// Everything one change to a child record writes: the record after it and the audit events it appends, committed by
/// ``CaseStore/commit(all:children:)`` in the same transaction as any case changes beside it, with the expected revision.
public struct ChildChange: Sendable {
    /// The child record as it is after the change.
    public var record: ChildRecord
    /// The revision the change was computed from; nil when the change adds the child.
    public var expectedRevision: Int?
    /// The audit events the change appends to the child's chain.
    public var events: [ChildAuditEvent]

    /// Creates a change.
    public init(record: ChildRecord, expectedRevision: Int?, events: [ChildAuditEvent]) {
        self.record = record
        self.expectedRevision = expectedRevision
        self.events = events
    }
}

extension CaseStore {
    /// Writes changes to several cases atomically (all or none), checking each expected revision: a commit of cases
    /// and no child record.
    public func commit(all changes: [CaseChange]) throws(StoreError) {
        try commit(all: changes, children: [])
    }

    /// Every child id, sorted.
    public func childIDs() throws(StoreError) -> [String] {
        var ids: [String] = []
        var request = PageRequest(limit: 1_000)
        while true {
            let page = try childIDs(page: request)
            ids += page.items
            guard let next = page.next else { return ids }
            request.after = next
        }
    }

    /// Checks what every store checks of a commit's child changes before writing anything: each child once, and no
    /// revision at its limit.
    package static func childProblems(_ children: [ChildChange]) -> StoreError? {
        var seen = Set<String>()
        for child in children {
            guard seen.insert(child.record.id).inserted else { return .duplicate("a second change to child '\(child.record.id)' in one commit") }
            if let limit = child.record.counterAtLimit { return .corruptRecord(caseID: child.record.id, detail: limit) }
        }
        return nil
    }
}

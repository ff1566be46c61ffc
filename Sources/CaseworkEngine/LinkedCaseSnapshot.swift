import CaseworkDefinitions
import CaseworkStore
import Synchronization

/// The cases one case opened through its links, read from the store at most once for one command (a fire with all its
/// steps, or the list of a case's transitions), so that each guard, `set:` value, deadline, opening and report of that
/// command reads `linked.LINK.…` from the same records instead of loading them again at each evaluation. A case is read
/// when an evaluation first needs it, so a command that evaluates nothing reads nothing. Nothing is written to the
/// store while a command is decided, so the records read once are the ones each evaluation would have read; a case
/// that cannot be read (or one this very step opens, which the store does not hold yet) makes its link unreadable.
final class LinkedCaseSnapshot: Sendable {
    /// Reads one case by id: nil when it cannot be read.
    private let read: @Sendable (String) -> CaseRecord?
    /// The cases read so far, by case id; nil for one that could not be read.
    private let records = Mutex<[String: CaseRecord?]>([:])

    /// A snapshot that reads each case with `read` when first needed.
    init(read: @escaping @Sendable (String) -> CaseRecord?) {
        self.read = read
    }

    /// A snapshot that reads nothing: for a case being opened, which has opened no case yet.
    static var none: LinkedCaseSnapshot { LinkedCaseSnapshot { _ in nil } }

    /// The cases `record` opened through each link of `workflow`, by link name, oldest first: the engine's own
    /// reading, for its expressions, never shown to an actor. A link one of whose cases cannot be read is left out
    /// whole, so its names are unset (a guard reading them cannot be decided, and refuses) rather than read from the
    /// cases left.
    func linked(of record: CaseRecord, workflow: WorkflowDefinition) -> [String: [CaseRecord]] {
        guard !workflow.links.isEmpty, !record.links.isEmpty else { return [:] }
        var linked: [String: [CaseRecord]] = [:]
        var unreadable: Set<String> = []
        for link in record.links where link.role == .opened {
            guard let other = self.record(link.caseID) else {
                unreadable.insert(link.name)
                continue
            }
            linked[link.name, default: []].append(other)
        }
        for name in unreadable { linked[name] = nil }
        return linked
    }

    /// Case `id` as first read for this command.
    private func record(_ id: String) -> CaseRecord? {
        if let known = records.withLock({ $0[id] }) { return known }
        let found = read(id)
        records.withLock { $0[id] = found }
        return found
    }
}

import CaseworkDefinitions
import CaseworkExpressions
import CaseworkStore
import Synchronization

/// The cases one case opened through its links, and the child record it belongs to, read from the store at most once for
/// one command (a fire with all its steps, or the list of a case's transitions), so that each guard, `set:` value,
/// deadline, opening and report of that command reads `linked.LINK.…` and `child.…` from the same records instead of
/// loading them again at each evaluation. A record is read when an evaluation first needs it, so a command that
/// evaluates nothing reads nothing. Nothing is written to the
/// store while a command is decided, so the records read once are the ones each evaluation would have read; a case
/// that cannot be read (or one this very step opens, which the store does not hold yet) makes its link unreadable.
final class LinkedCaseSnapshot: Sendable {
    /// Reads one case by id: nil when it cannot be read.
    private let read: @Sendable (String) -> CaseRecord?
    /// Reads one child record by id: nil when it cannot be read.
    private let readChild: @Sendable (String) -> ChildRecord?
    /// The cases read so far, by case id; nil for one that could not be read.
    private let records = Mutex<[String: CaseRecord?]>([:])
    /// The child records read so far, by child id; nil for one that could not be read.
    private let children = Mutex<[String: ChildRecord?]>([:])

    /// A snapshot that reads each case with `read`, and each child record with `readChild`, when first needed.
    init(read: @escaping @Sendable (String) -> CaseRecord?, readChild: @escaping @Sendable (String) -> ChildRecord? = { _ in nil }) {
        self.read = read
        self.readChild = readChild
    }

    /// The identity fields, as stored, of the child record `record` belongs to, when `workflow` reads it
    /// (`child: from_record`): empty for a workflow that does not, a case of no child, or a child that cannot be read,
    /// so its `child.*` names are unset (a guard reading them cannot be decided, and refuses).
    func childFields(of record: CaseRecord, workflow: WorkflowDefinition) -> [String: ExpressionValue] {
        guard workflow.childFromRecord != nil, let id = record.child else { return [:] }
        if let known = children.withLock({ $0[id] }) { return known?.fields ?? [:] }
        let found = readChild(id)
        children.withLock { $0[id] = found }
        return found?.fields ?? [:]
    }

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

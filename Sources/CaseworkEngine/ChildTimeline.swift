import CaseworkDefinitions
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// A child's progress across all their cases, told to one viewer: each case they may see as its own ``CaseTimeline``
/// shows it, and the stages and messages of those cases merged in date order, each naming its case and workflow.
///
/// Cases the viewer may not see are absent and not hinted at: nothing counts them or leaves a gap for them.
public struct ChildTimeline: Sendable, Hashable {
    /// One dated event of one of the child's cases.
    public struct Entry: Sendable, Hashable {
        /// What happened.
        public enum Event: Sendable, Hashable {
            /// The case entered a stage.
            case stage(CaseTimeline.Stage)
            /// A message was sent about the case, as the case's timeline shows it to the viewer.
            case notice(CaseTimeline.Notice)
        }

        /// The day it happened (Europe/London).
        public var on: CalendarDate
        /// The case it happened to.
        public var caseID: String
        /// The title of that case's workflow, so a reader knows which process it belongs to.
        public var workflowTitle: String
        /// What happened.
        public var event: Event

        /// Creates an entry.
        public init(on: CalendarDate, caseID: String, workflowTitle: String, event: Event) {
            self.on = on
            self.caseID = caseID
            self.workflowTitle = workflowTitle
            self.event = event
        }
    }

    /// The child's id.
    public var childID: String
    /// The timelines of the child's cases the viewer may see, by case id, each exactly as `Engine.timeline(caseID:as:attributes:)` gives it.
    public var cases: [CaseTimeline]

    /// Creates a child's timeline from the timelines of the cases shown.
    public init(childID: String, cases: [CaseTimeline]) {
        self.childID = childID
        self.cases = cases
    }

    /// The day the timeline was read: the latest of its cases' (they are read one after another by one clock).
    public var asOf: CalendarDate? { cases.map(\.asOf).max() }

    /// Every stage and message of the cases shown, oldest first; on one day, case by case in ``cases``' order, and within a
    /// case its stages before its messages, each in the case timeline's order.
    public var entries: [Entry] {
        var keyed: [(key: [Int], entry: Entry)] = []
        for (caseIndex, timeline) in cases.enumerated() {
            for (index, stage) in timeline.stages.enumerated() {
                keyed.append(([caseIndex, 0, index], Entry(on: stage.on, caseID: timeline.caseID, workflowTitle: timeline.workflowTitle, event: .stage(stage))))
            }
            for (index, notice) in timeline.notices.enumerated() {
                keyed.append(([caseIndex, 1, index], Entry(on: notice.on, caseID: timeline.caseID, workflowTitle: timeline.workflowTitle, event: .notice(notice))))
            }
        }
        return keyed.sorted { left, right in
            left.entry.on != right.entry.on ? left.entry.on < right.entry.on : left.key.lexicographicallyPrecedes(right.key)
        }.map(\.entry)
    }
}

/// A child's timeline as one viewer may see it, each case through the one door.
extension Engine {
    /// The timeline of every case of child `id` that `actor` may see, each admitted exactly as
    /// ``timeline(caseID:as:attributes:)`` admits it (no second access mechanism), after `view` on the child's timeline:
    /// `child.timeline` where the policy declares that part (so a parent with limited access may follow the cases they
    /// may see without seeing the child's record), otherwise the whole `child` as ``cases(ofChild:as:attributes:)``
    /// needs. A viewer who may not see it is refused exactly as for a child that does not exist: they learn nothing. One who may see the child but none of its cases (or a child with no cases)
    /// gets a timeline with no case, as `child show` shows them the child with no case: refusing them as missing would
    /// hide nothing they cannot already read, and would refuse staff the record of a child whose cases are all closed
    /// to them or not yet opened.
    public func childTimeline(_ id: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> ChildTimeline {
        guard actor.problems.isEmpty else { throw .invalidInput(actor.problems) }
        let policy = childPolicy()
        let resource = policy?.paths.isKnown(Self.childTimelineResource) == true ? Self.childTimelineResource : Self.childResource
        func asMissing() -> EngineError {
            childRefusal(id, grants: [], actor: actor, attributes: attributes, action: "view", resource: resource, policy: policy,
                         at: Self.millisecondPrecision(clockNow()), missing: true)
        }
        do throws(EngineError) {
            _ = try admitChild(id, actor: actor, attributes: attributes, action: "view", resource: resource)
        } catch {
            switch error {
            case .forbidden, .store(.childNotFound): throw asMissing()
            default: throw error
            }
        }
        var timelines: [CaseTimeline] = []
        for caseID in try storeCall({ () throws(StoreError) in try store.caseIDs(childID: id) }).sorted() {
            do throws(EngineError) {
                timelines.append(try timeline(caseID: caseID, as: actor, attributes: attributes))
            } catch {
                switch error {
                case .forbidden, .store(.caseNotFound): continue
                default: throw error
                }
            }
        }
        return ChildTimeline(childID: id, cases: timelines)
    }
}

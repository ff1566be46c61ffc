import CaseworkDefinitions
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkStoreConformance
import CaseworkTime
import Testing

/// A parent with limited access for a child follows the child's timeline on the shipped policy (`child.timeline`),
/// seeing exactly the cases she may see, each as `case timeline` shows it to her, without seeing the child's record; a
/// case withdrawn from her adds nothing, and a parent with no grant is refused as for a child that does not exist.
@Suite("A limited parent's child timeline")
struct LimitedChildTimelineTests {
    static let ana = CaseActor(role: "caseworker", id: "ana")
    static let jo = CaseActor(role: "parent", id: "jo")
    static let lee = CaseActor(role: "parent", id: "lee")

    /// Child k1 with needs assessments a1 and a2 (a1 acknowledged); jo holds a limited grant for the child, and a2 a grant
    /// of its own withdrawing her access (level none).
    static func engine() throws -> Engine {
        let clock = ManualClock(CalendarDate("2025-09-01")!.start().addingTimeInterval(9 * 3600))
        let engine = try Engine(catalog: ShippedDefinitionsTests.catalog, store: InMemoryCaseStore(), clock: clock)
        _ = try engine.addChild(id: "k1", as: ana, attributes: LinkedCaseTests.staff)
        for id in ["a1", "a2"] {
            _ = try engine.open(workflow: "ehcp-needs-assessment", as: ana, caseID: id, fields: [
                "requested_on": .date(CalendarDate("2025-09-01")!), "requested_by": .string("parent"), "child.first_name": .string("Sam"),
                "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2016-02-14")!),
            ], participants: ["parent": "jo"], attributes: LinkedCaseTests.staff, child: "k1")
        }
        _ = try engine.fire(FireRequest(caseID: "a1", transition: "acknowledge_request", actor: ana, attributes: LinkedCaseTests.staff))
        _ = try engine.grantChildAccess(childID: "k1", grant: AccessGrant(to: .person("jo"), level: "limited"), as: ana, attributes: LinkedCaseTests.staff,
                                        reason: "court order: where each case is")
        _ = try engine.grantAccess(caseID: "a2", grant: AccessGrant(to: .person("jo"), level: "none"), as: ana, attributes: LinkedCaseTests.staff,
                                   reason: "court order")
        return engine
    }

    @Test func theLimitedParentSeesTheCasesSheMaySeeAndNotTheRecord() throws {
        let engine = try Self.engine()
        let timeline = try engine.childTimeline("k1", as: Self.jo, attributes: LinkedCaseTests.family)
        #expect(timeline.cases.map(\.caseID) == ["a1"])
        #expect(timeline.cases == [try engine.timeline(caseID: "a1", as: Self.jo, attributes: LinkedCaseTests.family)])
        #expect(!timeline.entries.isEmpty && timeline.entries.allSatisfy { $0.caseID == "a1" }, "a2, withdrawn from her, adds nothing")
        let record = refusalText { () throws(EngineError) in _ = try engine.child("k1", as: Self.jo, attributes: LinkedCaseTests.family) }
        #expect(record?.hasPrefix("forbidden") == true, "the child's record stays hidden from a limited grant: \(record ?? "shown")")
    }

    @Test func aParentWithNoGrantIsRefusedAsForAMissingChild() throws {
        let engine = try Self.engine()
        let there = refusalText { () throws(EngineError) in _ = try engine.childTimeline("k1", as: Self.lee, attributes: LinkedCaseTests.family) }
        let absent = refusalText { () throws(EngineError) in _ = try engine.childTimeline("k9", as: Self.lee, attributes: LinkedCaseTests.family) }
        #expect(there?.hasPrefix("forbidden") == true, "\(there ?? "shown")")
        #expect(there == absent)
    }

    @Test func theFullParentStillSeesEveryCase() throws {
        let engine = try Self.engine()
        _ = try engine.grantChildAccess(childID: "k1", grant: AccessGrant(to: .person("lee"), level: "full"), as: Self.ana, attributes: LinkedCaseTests.staff,
                                        reason: "father")
        #expect(try engine.childTimeline("k1", as: Self.lee, attributes: LinkedCaseTests.family).cases.map(\.caseID) == ["a1", "a2"])
    }
}

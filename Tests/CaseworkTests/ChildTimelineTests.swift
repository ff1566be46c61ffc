@testable import CaseworkCommandLine
@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkExpressions
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation
import Testing

/// A child's timeline across their cases (`Engine.childTimeline`, `casework child timeline`): each case through the one
/// door as `case timeline` admits it, merged in date order; the cases a viewer may not see are absent, one who may not
/// see the child is refused as for a missing child, and one who may see the child but none of its cases gets no case.
@Suite("child timeline")
struct ChildTimelineTests {
    typealias F = TimelineFixtures

    /// The timeline workflow with a policy that also guards child records: a parent given full access for a child sees it.
    static let files: [String: String] = {
        var files = F.files
        files["timeline-portal.yaml"] = F.policy
            .replacingOccurrences(of: "  case: [state, deadlines, fields]\n", with: "  case: [state, deadlines, fields]\n  child: [fields, people]\n")
            .replacingOccurrences(of: "rules:\n", with: """
                rules:
                  - { id: families, allow: [view], on: [child], when: actor.relationship == "parent" and grant.level == "full" }

                """)
        return files
    }()

    static let kim = CaseActor(role: "parent", id: "parent-kim")

    /// Child k-17 with cases c1 (requested 1 September, to decision 2 September) and c2 (requested 3 September, to
    /// decision 4 September), child k-18 with case c3; `parent-jo` given full access for k-17, `parent-kim` full access
    /// for k-18 and to c1 on its own; `grant` on c2 when given. Read on 10 September.
    static func engine(caseGrantForJo grant: AccessGrant? = nil) throws -> Engine {
        let catalog = try DefinitionCatalog.load(sources: files.sorted { $0.key < $1.key }.map { (file: $0.key, text: $0.value) })
        let clock = ManualClock(F.day("2025-09-01"))
        let engine = try Engine(catalog: catalog, store: InMemoryCaseStore(), clock: clock)
        for child in ["k-17", "k-18"] { _ = try engine.addChild(id: child, as: F.caseworker, attributes: F.staff) }
        func open(_ id: String, _ child: String, on day: String) throws {
            clock.set(F.day(day))
            _ = try engine.open(workflow: "assessment", as: F.caseworker, caseID: id, fields: [
                "requested_on": .date(CalendarDate(day)!), "child.first_name": .string("Sam"),
            ], participants: ["parent": "parent-jo"], attributes: F.staff, child: child)
        }
        try open("c1", "k-17", on: "2025-09-01")
        try open("c3", "k-18", on: "2025-09-01")
        clock.set(F.day("2025-09-02"))
        try F.fire(engine, "start_deciding")
        try open("c2", "k-17", on: "2025-09-03")
        clock.set(F.day("2025-09-04"))
        try F.fire(engine, "start_deciding", caseID: "c2")
        _ = try engine.grantChildAccess(childID: "k-17", grant: AccessGrant(to: .person("parent-jo"), level: "full"), as: F.caseworker, attributes: F.staff,
                                        reason: "mother")
        _ = try engine.grantChildAccess(childID: "k-18", grant: AccessGrant(to: .person("parent-kim"), level: "full"), as: F.caseworker, attributes: F.staff,
                                        reason: "mother")
        _ = try engine.grantAccess(caseID: "c1", grant: AccessGrant(to: .person("parent-kim"), level: "full"), as: F.caseworker, attributes: F.staff,
                                   reason: "shared care")
        if let grant { _ = try engine.grantAccess(caseID: "c2", grant: grant, as: F.caseworker, attributes: F.staff, reason: "court order") }
        clock.set(F.day("2025-09-10"))
        return engine
    }

    /// An entry as `DAY CASE what`, for comparing order.
    static func describe(_ entry: ChildTimeline.Entry) -> String {
        switch entry.event {
        case .stage(let stage): "\(entry.on) \(entry.caseID) \(entry.workflowTitle): \(stage.title)"
        case .notice(let notice): "\(entry.on) \(entry.caseID) \(entry.workflowTitle): message \(notice.subject)"
        }
    }

    @Test func aParentGrantedForTheChildSeesEveryCaseMergedInDateOrder() throws {
        let engine = try Self.engine()
        let timeline = try engine.childTimeline("k-17", as: F.parent, attributes: F.parentAttributes)
        #expect(timeline.cases.map(\.caseID) == ["c1", "c2"])
        #expect(timeline.cases == [try engine.timeline(caseID: "c1", as: F.parent, attributes: F.parentAttributes),
                                   try engine.timeline(caseID: "c2", as: F.parent, attributes: F.parentAttributes)])
        #expect(timeline.entries.map(Self.describe) == [
            "2025-09-01 c1 EHC needs assessment: Request received",
            "2025-09-02 c1 EHC needs assessment: Deciding whether to assess",
            "2025-09-02 c1 EHC needs assessment: message We are deciding whether to assess",
            "2025-09-03 c2 EHC needs assessment: Request received",
            "2025-09-04 c2 EHC needs assessment: Deciding whether to assess",
            "2025-09-04 c2 EHC needs assessment: message We are deciding whether to assess",
        ])
        #expect(timeline.asOf == CalendarDate("2025-09-10"))
    }

    @Test(arguments: ["limited", "status"])
    func aCaseGrantOfItsOwnShowsOnlyWhatThatCasesTimelineShows(level: String) throws {
        let engine = try Self.engine(caseGrantForJo: AccessGrant(to: .person("parent-jo"), level: level))
        let timeline = try engine.childTimeline("k-17", as: F.parent, attributes: F.parentAttributes)
        let ownCase = try engine.timeline(caseID: "c2", as: F.parent, attributes: F.parentAttributes)
        #expect(timeline.cases.map(\.caseID) == ["c1", "c2"])
        #expect(timeline.cases[1] == ownCase)
        #expect(timeline.entries.filter { $0.caseID == "c2" }.count == ownCase.stages.count + ownCase.notices.count)
        if level == "status" { #expect(timeline.cases[1].withheld == [.timeLimits] && timeline.cases[1].timeLimits == nil) }
    }

    @Test func casesTheViewerMayNotSeeAreAbsentAndUnhinted() throws {
        var lapsed = AccessGrant(to: .person("parent-jo"), level: "full")
        lapsed.until = CalendarDate("2025-09-05")
        let engine = try Self.engine(caseGrantForJo: lapsed)
        #expect(throws: EngineError.self, "c2's own grant has lapsed, and it overrides the child's") {
            try engine.timeline(caseID: "c2", as: F.parent, attributes: F.parentAttributes)
        }
        let timeline = try engine.childTimeline("k-17", as: F.parent, attributes: F.parentAttributes)
        #expect(timeline.cases.map(\.caseID) == ["c1"])
        #expect(timeline.entries.allSatisfy { $0.caseID == "c1" })
        let text = ChildTimelineCommand.text(timeline, viewer: F.parent)
        let json = JSONOutput.render(ChildTimelineCommand.json(timeline))
        #expect(!text.contains("c2") && !json.contains("c2"))
        #expect(text == ChildTimelineCommand.text(ChildTimeline(childID: "k-17", cases: [timeline.cases[0]]), viewer: F.parent), "no count, no gap")

        var notYet = AccessGrant(to: .person("parent-jo"), level: "full")
        notYet.from = CalendarDate("2026-01-01")
        _ = try engine.grantAccess(caseID: "c1", grant: notYet, as: F.caseworker, attributes: F.staff, reason: "from the new year")
        let none = try engine.childTimeline("k-17", as: F.parent, attributes: F.parentAttributes)
        #expect(none.cases.isEmpty && none.entries.isEmpty, "the child's grant holds, but no case of the child is seen")
        let noneText = ChildTimelineCommand.text(none, viewer: F.parent)
        #expect(noneText == "Timeline for child k-17\nCases:\nWhat happened:\n" && !noneText.contains("c1") && !noneText.contains("c2"))
        #expect(JSONOutput.render(ChildTimelineCommand.json(none)) == JSONOutput.render(ChildTimelineCommand.json(ChildTimeline(childID: "k-17", cases: []))))
    }

    @Test func theOperatorSeesAChildWithNoCaseAsAChildWithNoCase() throws {
        let engine = try Self.engine()
        _ = try engine.addChild(id: "k-19", as: F.caseworker, attributes: F.staff)
        let timeline = try engine.childTimeline("k-19", as: .operator())
        #expect(timeline.childID == "k-19" && timeline.cases.isEmpty && timeline.entries.isEmpty)
        #expect(throws: EngineError.self, "a parent with no grant for k-19 is refused") {
            try engine.childTimeline("k-19", as: F.parent, attributes: F.parentAttributes)
        }
    }

    @Test(arguments: [(F.parent, "k-18"), (Self.kim, "k-17"), (CaseActor(role: "parent", id: "parent-lee"), "k-17")])
    func aViewerWhoMaySeeNoCaseIsRefusedAsForAMissingChild(viewer: CaseActor, child: String) throws {
        let engine = try Self.engine()
        let refused = #expect(throws: EngineError.self) { try engine.childTimeline(child, as: viewer, attributes: F.parentAttributes) }
        let missing = #expect(throws: EngineError.self) { try engine.childTimeline("k-99", as: viewer, attributes: F.parentAttributes) }
        #expect(refused.map { "\($0)" } == missing.map { "\($0)" })
        #expect(refused.map { "\($0)" }?.contains("k-") == false, "nothing names the child")
    }

    @Test func theTextMatchesItsGoldenFile() throws {
        let engine = try Self.engine(caseGrantForJo: AccessGrant(to: .person("parent-jo"), level: "status"))
        let timeline = try engine.childTimeline("k-17", as: F.parent, attributes: F.parentAttributes)
        let folder = GoldenFiles.repositoryRoot.appendingPathComponent("Tests/CaseworkTests/Fixtures/child-timeline")
        try GoldenFiles.check(ChildTimelineCommand.text(timeline, viewer: F.parent), against: folder.appendingPathComponent("parent.txt"))
        try GoldenFiles.check(JSONOutput.render(ChildTimelineCommand.json(timeline)), against: folder.appendingPathComponent("parent.json"))
    }

    @Test func theCommandLinePrintsTextAndJSONAndRefusesAsForAMissingChild() throws {
        let space = try ChildCommandTests.Workspace()
        let jo = ChildCommandTests.Workspace.jo
        let json = try #require(try JSONSerialization.jsonObject(with: Data(space.run(["child", "timeline", "k-17", "--format", "json"] + jo).out.utf8))
            as? [String: Any])
        #expect(json.keys.sorted() == ["as_of", "cases", "child", "entries"])
        #expect((json["cases"] as? [[String: Any]])?.map { $0["case"] as? String } == ["c1", "c2"])
        let entries = try #require(json["entries"] as? [[String: Any]])
        #expect(Set(entries.compactMap { $0["case"] as? String }) == ["c1", "c2"])
        #expect(entries.allSatisfy { $0["workflow_title"] is String && $0["on"] is String && ($0["kind"] as? String).map { ["stage", "notice"].contains($0) } == true })
        let text = space.run(["child", "timeline", "k-17"] + jo)
        #expect(text.status == .success, "\(text.err)")
        #expect(text.out.hasPrefix("Timeline for child k-17\nCases:\n  c1  "), "\(text.out)")
        #expect(!text.out.contains("c3"))
        let other = space.run(["child", "timeline", "k-18"] + jo)
        let missing = space.run(["child", "timeline", "k-99"] + jo)
        #expect(other.status != .success && other.status == missing.status && other.err == missing.err && other.out.isEmpty && missing.out.isEmpty)
        #expect(space.run(["child", "timeline"] + jo).status == .usage)
        #expect(space.run(["child", "timeline", "k-17", "--create"] + jo).status == .usage)
    }
}

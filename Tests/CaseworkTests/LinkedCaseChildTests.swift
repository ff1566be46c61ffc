import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkExpressions
import CaseworkSQLite
import CaseworkStore
import Foundation
import Testing

/// A case opened through a link belongs to the child of the case that opened it, and a family member who may fire the
/// opening step on their child's case is not refused for lacking `open` on the child: that check guards naming a child
/// for a new case, which a link does not do. Naming a child directly is still checked.
@Suite("Linked cases of a child")
struct LinkedCaseChildTests {
    static let plan = """
        workflow: plan
        version: 1
        title: Plan
        policy: portal
        roles: [parent, caseworker]
        fields:
          note: text
        links:
          reviews: { workflow: review }
        states:
          kept: { initial: true, title: Kept }
          reviewing: { title: Reviewing }
          ended: { title: Ended, final: true }
        transitions:
          - { name: ask_for_review, from: kept, to: reviewing, by: [parent], open: { reviews: { fields: { note: note } } } }
          - { name: end, from: [kept, reviewing], to: ended, by: [caseworker] }

        """

    static let review = """
        workflow: review
        version: 1
        title: Review
        policy: portal
        roles: [parent, caseworker]
        fields:
          note: text
        states:
          asked: { initial: true, title: Asked }
          done: { title: Done, final: true }
        transitions:
          - { name: finish, from: asked, to: done, by: [caseworker] }

        """

    /// Parents may open cases and, with a full grant, view and submit them and view the child; nobody but staff may
    /// `open` on the child, as in the shipped policy.
    static let policy = """
        policy: portal
        version: 1
        title: Portal
        actor:
          relationship: { one_of: [parent, caseworker] }
        levels: [full, none]
        resources:
          case: [state, fields]
          child: [fields, people]
        rules:
          - { id: staff, allow: [all], when: actor.relationship == "caseworker" }
          - { id: families-ask, allow: [open], on: [case], when: actor.relationship == "parent" }
          - { id: families, allow: [view, submit], on: [case], when: actor.relationship == "parent" and grant.level == "full" }
          - { id: families-see-their-child, allow: [view], on: [child], when: actor.relationship == "parent" and grant.level == "full" }
        recipients:
          parent: { relationship: parent }
          caseworker: { relationship: caseworker }

        """

    static let family: [String: ExpressionValue] = ["relationship": .string("parent")]
    static let parent = CaseActor(role: "parent", id: "jo")

    /// Child k1 with a plan `p1` that belongs to it, the parent granted full access to the plan and to the child.
    static func engine(_ store: any CaseStore) throws -> Engine {
        let catalog = try DefinitionCatalog.load(sources: [(file: "plan.yaml", text: plan), (file: "review.yaml", text: review), (file: "portal.yaml", text: policy)])
        let engine = try Engine(catalog: catalog, store: store, clock: ManualClock(Date(timeIntervalSince1970: 1_756_717_200)))
        _ = try engine.addChild(id: "k1", fields: ["first_name": .string("Sam")], as: .operator())
        _ = try engine.grantChildAccess(childID: "k1", grant: AccessGrant(to: .person("jo"), level: "full"), as: .operator(), reason: "mother")
        _ = try engine.open(workflow: "plan", as: .operator(), caseID: "p1", fields: ["note": .string("speech and language")], participants: ["parent": "jo"],
                            child: "k1")
        return engine
    }

    @Test(arguments: [false, true])
    func theLinkedCaseFollowsItsCaseToTheChild(onSQLite: Bool) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-linked-child-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store: any CaseStore
        if onSQLite {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            store = try SQLiteCaseStore(path: directory.appendingPathComponent("cases.sqlite").path)
        } else {
            store = InMemoryCaseStore()
        }
        let engine = try Self.engine(store)
        _ = try engine.fire(FireRequest(caseID: "p1", transition: "ask_for_review", actor: Self.parent, attributes: Self.family))
        let review = try engine.caseRecord("p1.reviews-1", as: .operator())
        #expect(review.child == "k1")
        #expect(try engine.cases(ofChild: "k1", as: .operator()).map(\.id) == ["p1", "p1.reviews-1"])
        let timeline = try engine.childTimeline("k1", as: Self.parent, attributes: Self.family)
        #expect(timeline.cases.map(\.caseID) == ["p1", "p1.reviews-1"])
    }

    @Test func namingTheChildForANewCaseIsStillChecked() throws {
        let engine = try Self.engine(InMemoryCaseStore())
        #expect(throws: EngineError.self) {
            try engine.open(workflow: "plan", as: Self.parent, caseID: "p2", fields: ["note": .string("x")], attributes: Self.family, child: "k1")
        }
        #expect((try? engine.caseRecord("p2", as: .operator())) == nil)
    }
}

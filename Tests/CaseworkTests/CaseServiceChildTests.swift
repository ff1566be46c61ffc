import CaseworkSQLite
import CaseworkStoreConformance
import Foundation
import Testing
@testable import Casework

/// Cases that belong to a child, served by the async service: the child a case belongs to is a staged read like the
/// case itself (a miss noted, read by the service, decided again), so the door admits with the child's grants exactly
/// as the direct engine does, in memory and on SQLite.
@Suite("Case service: cases that belong to a child")
struct CaseServiceChildTests {
    /// Where a store under test lives.
    typealias Kind = ServiceStoreKind
    /// A store of a kind, and the directory that holds it.
    typealias Space = ServiceStoreSpace

    static let workflow = """
        workflow: plan
        version: 1
        title: Plan
        policy: portal
        roles: [parent, caseworker]
        fields:
          note: text
        states:
          drafting: { initial: true, title: Drafting }
          confirmed: { title: Confirmed }
          issued: { title: Issued, final: true }
        transitions:
          - { name: confirm, from: drafting, to: confirmed, by: [parent] }
          - { name: issue, from: confirmed, to: issued, by: [caseworker] }

        """

    /// The conformance suite's child policy and actors (``ChildFixture``): full grants see a case and its child,
    /// limited grants only a case's state.
    static let policy = ChildFixture.policy
    static let at = Fixture.at
    static let staff = ChildFixture.staff
    static let family = ChildFixture.family
    static let caseworker = ChildFixture.caseworker
    static let parent = ChildFixture.parent
    static let otherParent = CaseActor(role: "parent", id: "parent-kim")

    static func catalog() throws -> DefinitionCatalog {
        try DefinitionCatalog.load(sources: [(file: "plan.yaml", text: workflow), (file: "portal.yaml", text: policy)])
    }

    static func engine(_ store: any CaseStore) throws -> Engine {
        try Engine(catalog: try catalog(), store: store, clock: ManualClock(at))
    }

    static func service(_ store: any CaseStore) async throws -> CaseService {
        try await CaseService(catalog: try catalog(), driver: store.driver, clock: ManualClock(at))
    }

    /// Children k1 and k2, each with cases `-a` and `-b`, and a case of no child (`loose`), written through the engine
    /// on the store (child changes do not go through the service). The parent holds a full grant for k1 only, and a
    /// limited case grant on k1-b (a court order about that case), which overrides the child grant there.
    static func family(_ store: any CaseStore) throws {
        let engine = try engine(store)
        for child in ["k1", "k2"] {
            _ = try engine.addChild(id: child, fields: ["first_name": .string("Sam")], as: caseworker, attributes: staff)
            for suffix in ["a", "b"] {
                _ = try engine.open(workflow: "plan", as: caseworker, caseID: "\(child)-\(suffix)", fields: ["note": .string("x")],
                                    participants: ["parent": parent.id], attributes: staff, child: child)
            }
        }
        _ = try engine.open(workflow: "plan", as: caseworker, caseID: "loose", fields: ["note": .string("x")], attributes: staff)
        _ = try engine.grantChildAccess(childID: "k1", grant: AccessGrant(to: .person(parent.id), level: "full"), as: caseworker, attributes: staff,
                                        reason: "mother, parental responsibility")
        _ = try engine.grantAccess(caseID: "k1-b", grant: AccessGrant(to: .person(parent.id), level: "limited"), as: caseworker, attributes: staff,
                                   reason: "court order")
    }

    @Test(arguments: Kind.allCases)
    func aChildGrantLetsItsHolderViewAndFireOnTheChildsCasesAndNoOthers(kind: Kind) async throws {
        let space = try Space(kind)
        try Self.family(space.store)
        let service = try await Self.service(space.store)
        let view = try await service.view(caseID: "k1-a", as: Self.parent, attributes: Self.family)
        #expect(view.grant == "child k1")
        #expect(view.fields == ["note": .string("x")])
        let fired = try await service.fire(FireRequest(caseID: "k1-a", transition: "confirm", actor: Self.parent, attributes: Self.family))
        #expect(fired.record.state == "confirmed")
        #expect(try space.store.load(caseID: "k1-a")?.state == "confirmed", "the fire landed in the store")
        let missingView = await Self.run { () async throws(EngineError) in "\(try await service.view(caseID: "nope", as: Self.parent, attributes: Self.family))" }
        #expect(Self.describe(missingView).hasPrefix("forbidden"), "\(Self.describe(missingView))")
        let missingFire = await Self.run { () async throws(EngineError) in
            "\(try await service.fire(FireRequest(caseID: "nope", transition: "confirm", actor: Self.parent, attributes: Self.family)))"
        }
        for id in ["k2-a", "loose"] {
            let before = try EngineFixtures.Snapshot(space.store, caseID: id)
            let view = await Self.run { () async throws(EngineError) in "\(try await service.view(caseID: id, as: Self.parent, attributes: Self.family))" }
            #expect(Self.describe(view) == Self.describe(missingView), "\(id) is refused as a missing case is")
            let fire = await Self.run { () async throws(EngineError) in
                "\(try await service.fire(FireRequest(caseID: id, transition: "confirm", actor: Self.parent, attributes: Self.family)))"
            }
            #expect(Self.describe(fire) == Self.describe(missingFire), "firing on \(id) is refused as on a missing case")
            #expect(try EngineFixtures.Snapshot(space.store, caseID: id) == before, "the refused fire on \(id) wrote nothing")
        }
        let visible = try await service.cases(visibleTo: Self.parent, attributes: Self.family, page: PageRequest(limit: 10))
        #expect(visible.items.map(\.id) == ["k1-a", "k1-b"])
    }

    @Test(arguments: Kind.allCases)
    func aCaseGrantOverridesTheChildGrantThroughTheService(kind: Kind) async throws {
        let space = try Space(kind)
        try Self.family(space.store)
        let service = try await Self.service(space.store)
        let limited = try await service.view(caseID: "k1-b", as: Self.parent, attributes: Self.family)
        #expect(limited.grant == "case k1-b")
        #expect(limited.state == "drafting")
        #expect(limited.fields == [:], "the limited case grant hides the fields the full child grant would show")
        let record = await Self.run { () async throws(EngineError) in "\(try await service.caseRecord("k1-b", as: Self.parent, attributes: Self.family))" }
        #expect(Self.describe(record).hasPrefix("forbidden"), "\(Self.describe(record))")
        let before = try EngineFixtures.Snapshot(space.store, caseID: "k1-b")
        let fire = await Self.run { () async throws(EngineError) in
            "\(try await service.fire(FireRequest(caseID: "k1-b", transition: "confirm", actor: Self.parent, attributes: Self.family)))"
        }
        #expect(Self.describe(fire).hasPrefix("forbidden"), "\(Self.describe(fire))")
        #expect(try EngineFixtures.Snapshot(space.store, caseID: "k1-b") == before, "the refused fire wrote nothing")
    }

    /// Every read and change, asked of the service on one store and of the direct engine on an identical other,
    /// answers alike: the same values, the same refusals in the same words.
    @Test(arguments: Kind.allCases)
    func theServiceAnswersAsTheDirectEngine(kind: Kind) async throws {
        let direct = try Space(kind), served = try Space(kind)
        try Self.family(direct.store)
        try Self.family(served.store)
        let engine = try Self.engine(direct.store)
        let service = try await Self.service(served.store)
        let actors: [(CaseActor, [String: ExpressionValue])] = [(Self.parent, Self.family), (Self.otherParent, Self.family), (Self.caseworker, Self.staff)]
        for (actor, attributes) in actors {
            for id in ["k1-a", "k1-b", "k2-a", "loose", "nope"] {
                let asked = "\(id) as \(actor.id)"
                #expect(Self.outcome { Self.shown(try engine.view(caseID: id, as: actor, attributes: attributes)) }
                    == (await Self.outcome { () async throws(EngineError) in Self.shown(try await service.view(caseID: id, as: actor, attributes: attributes)) }),
                    "view \(asked)")
                #expect(Self.outcome { try engine.caseRecord(id, as: actor, attributes: attributes) }
                    == (await Self.outcome { () async throws(EngineError) in try await service.caseRecord(id, as: actor, attributes: attributes) }),
                    "record \(asked)")
                #expect(Self.outcome { try engine.availableTransitions(caseID: id, as: actor, attributes: attributes).map(Self.shown) }
                    == (await Self.outcome { () async throws(EngineError) in
                        try await service.availableTransitions(caseID: id, as: actor, attributes: attributes).map(Self.shown)
                    }), "transitions \(asked)")
                #expect(Self.outcome { try engine.timeline(caseID: id, as: actor, attributes: attributes) }
                    == (await Self.outcome { () async throws(EngineError) in try await service.timeline(caseID: id, as: actor, attributes: attributes) }),
                    "timeline \(asked)")
                #expect(Self.outcome { try engine.history(id, as: actor, attributes: attributes) }
                    == (await Self.outcome { () async throws(EngineError) in
                        try await service.history(id, as: actor, attributes: attributes, page: PageRequest(limit: 1_000)).items
                    }), "history \(asked)")
                let transition = actor.role == "parent" ? "confirm" : "issue"
                let request = FireRequest(caseID: id, transition: transition, actor: actor, attributes: attributes)
                #expect(Self.outcome { Self.shown(try engine.fire(request)) }
                    == (await Self.outcome { () async throws(EngineError) in Self.shown(try await service.fire(request)) }), "fire \(transition) on \(asked)")
            }
            #expect(try engine.cases(visibleTo: actor, attributes: attributes)
                == (try await service.cases(visibleTo: actor, attributes: attributes, page: PageRequest(limit: 100)).items), "cases of \(actor.id)")
        }
        for id in ["k1-a", "k1-b", "k2-a", "loose"] {
            #expect(try EngineFixtures.Snapshot(served.store, caseID: id) == EngineFixtures.Snapshot(direct.store, caseID: id), "\(id) stored alike")
        }
    }

    @Test func aCaseOpenedForAChildThroughTheServiceIsDecidedOnTheChildsGrants() async throws {
        let space = try Space(.memory)
        try Self.family(space.store)
        let service = try await Self.service(space.store)
        let opened = try await service.open(workflow: "plan", as: Self.caseworker, caseID: "k1-c", fields: ["note": .string("y")], attributes: Self.staff,
                                            child: "k1")
        #expect(opened.record.child == "k1")
        #expect(try space.store.caseIDs(childID: "k1") == ["k1-a", "k1-b", "k1-c"])
        #expect(try await service.view(caseID: "k1-c", as: Self.parent, attributes: Self.family).grant == "child k1")
        let missing = await Self.run { () async throws(EngineError) in
            "\(try await service.open(workflow: "plan", as: Self.caseworker, caseID: "k9-a", attributes: Self.staff, child: "k9"))"
        }
        #expect(Self.describe(missing).hasPrefix("notFound"), "\(Self.describe(missing))")
        #expect(try space.store.load(caseID: "k9-a") == nil)
    }

    @Test func aChildIsAStagedReadAndAChildChangeIsRefusedWithItsReason() throws {
        let stage = StagedCaseStore(answers: [:], capabilities: InMemoryCaseStore().capabilities)
        #expect(throws: StoreError.self) { try stage.child(id: "k1") }
        #expect(stage.misses == [.child("k1")], "a miss the service reads and decides again on")
        let staged = StagedCaseStore(answers: [.child("k1"): .child(nil)], capabilities: InMemoryCaseStore().capabilities)
        #expect(try staged.child(id: "k1") == nil, "a child the store does not hold is answered as none")
        #expect(staged.misses.isEmpty)
        let record = ChildRecord(id: "k3", revision: 1, createdAt: Self.at, updatedAt: Self.at, auditHead: "")
        do {
            try staged.commit(all: [], children: [ChildChange(record: record, expectedRevision: nil, events: [])])
            Issue.record("a child change was kept")
        } catch {
            #expect("\(error)".contains("cannot change a child record"), "\(error)")
        }
        #expect(staged.writes.isEmpty, "nothing was kept")
    }

    /// What a request came to: its value, compared by value (a description would depend on a dictionary's order), or
    /// its refusal's code and words.
    enum Outcome: Equatable {
        case value(AnyHashable)
        case refused(String)
    }

    static func outcome<T: Hashable>(_ body: () throws -> T) -> Outcome {
        do { return .value(AnyHashable(try body())) } catch let error as EngineError { return .refused("\(error.code) \(error)") } catch {
            return .refused("not an engine error: \(error)")
        }
    }

    static func outcome<T: Hashable>(_ body: () async throws(EngineError) -> T) async -> Outcome {
        do { return .value(AnyHashable(try await body())) } catch { return .refused("\(error.code) \(error)") }
    }

    /// A view's parts, comparable.
    static func shown(_ view: CaseView) -> [AnyHashable] {
        [view.id, view.workflow, view.state, view.deadlines, view.fields, view.withheld, view.reasons, view.grant]
    }

    /// A transition's availability, comparable.
    static func shown(_ availability: TransitionAvailability) -> [AnyHashable] {
        [availability.name, availability.title, availability.blockers]
    }

    /// A change's result, comparable.
    static func shown(_ result: ChangeResult) -> [AnyHashable] {
        [result.record, result.replayed, result.notifications]
    }

    static func run(_ body: () async throws(EngineError) -> String) async -> Result<String, EngineError> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    /// An answer as text: the value, or the refusal's code and words.
    static func describe(_ answer: Result<String, EngineError>) -> String {
        switch answer {
        case .success(let text): "ok \(text)"
        case .failure(let error): "\(error.code) \(error)"
        }
    }
}

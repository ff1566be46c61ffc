import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// The definitions of the child checks: a plan workflow under a policy that declares the `child` resource, where a
/// full grant sees a case and a limited grant sees only where it is.
package enum ChildFixture {
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
          issued: { title: Issued, final: true }
        transitions:
          - { name: issue, from: drafting, to: issued, by: [caseworker] }

        """

    /// A policy declaring `child`: staff may do all, a full grant views and submits a case and its child, a limited
    /// grant views only a case's state.
    package static let policy = """
        policy: portal
        version: 1
        title: Portal
        actor:
          relationship: { one_of: [parent, caseworker] }
        levels: [full, limited, none]
        resources:
          case: [state, fields]
          child: [fields, people]
        rules:
          - { id: staff, allow: [all], when: actor.relationship == "caseworker" }
          - { id: full, allow: [view, submit], on: [case, child], when: actor.relationship == "parent" and grant.level == "full" }
          - { id: limited, allow: [view], on: [case.state], when: actor.relationship == "parent" and grant.level == "limited" }
        recipients:
          parent: { relationship: parent }
          caseworker: { relationship: caseworker }

        """

    /// The attributes of a member of staff, as the policy reads them.
    package static let staff: [String: ExpressionValue] = ["relationship": .string("caseworker")]
    /// The attributes of a family member.
    package static let family: [String: ExpressionValue] = ["relationship": .string("parent")]
    /// A caseworker.
    package static let caseworker = CaseActor(role: "caseworker", id: "cw-ana")
    /// A parent, who holds a full grant for child k1 in ``family(_:until:)``.
    package static let parent = CaseActor(role: "parent", id: "parent-lee")

    /// An engine on `store` with the plan workflow under its policy, at `clock`.
    static func engine(store: any CaseStore, clock: ManualClock = ManualClock(Fixture.at)) throws -> Engine {
        try Engine(catalog: try DefinitionCatalog.load(sources: [(file: "plan.yaml", text: workflow), (file: "portal.yaml", text: policy)]),
                   store: store, clock: clock)
    }

    /// The set's child definition, and a workflow that reads it (`child: from_record`) to end at 25.
    static let child = """
        child: child
        version: 1
        fields:
          date_of_birth: date

        """

    static let ending = """
        workflow: ending
        version: 1
        title: Ending at 25
        policy: portal
        roles: [parent, caseworker]
        child: from_record
        states:
          watching: { initial: true, title: Watching }
          ended: { title: Ended, final: true }
        transitions:
          - { name: end_at_25, from: watching, to: ended, by: [caseworker], when: has(child.date_of_birth) and age_on(today) >= 25 }

        """

    /// An engine on `store` with the plan and ending workflows, the child definition and the policy.
    static func typedEngine(store: any CaseStore) throws -> Engine {
        try Engine(catalog: try DefinitionCatalog.load(sources: [(file: "plan.yaml", text: workflow), (file: "portal.yaml", text: policy),
                                                               (file: "child.yaml", text: child), (file: "ending.yaml", text: ending)]),
                   store: store, clock: ManualClock(Fixture.at))
    }

    /// Children k1 and k2, each with two cases (`k1-a`, `k1-b`, `k2-a`, `k2-b`), and one case of no child (`loose`);
    /// the parent holds a full grant for k1 only.
    static func family(_ engine: Engine, until: CalendarDate? = nil) throws {
        for child in ["k1", "k2"] {
            _ = try engine.addChild(id: child, fields: ["first_name": .string("Sam")],
                                    people: [ChildPerson(principal: .person(parent.id), relationship: "mother", parentalResponsibility: true)],
                                    as: caseworker, attributes: staff)
            for suffix in ["a", "b"] {
                _ = try engine.open(workflow: "plan", as: caseworker, caseID: "\(child)-\(suffix)", fields: ["note": .string("x")], attributes: staff, child: child)
            }
        }
        _ = try engine.open(workflow: "plan", as: caseworker, caseID: "loose", attributes: staff)
        _ = try engine.grantChildAccess(childID: "k1", grant: AccessGrant(to: .person(parent.id), level: "full", until: until), as: caseworker,
                                        attributes: staff, reason: "mother, parental responsibility")
    }


    /// A child change adding `id` at revision 1.
    package static func adding(_ id: String) -> ChildChange {
        let record = ChildRecord(id: id, fields: ["first_name": .string("Sam")], revision: 1, createdAt: Fixture.at, updatedAt: Fixture.at, auditHead: "")
        let event = ChildAuditEvent(childID: id, sequence: 1, at: Fixture.at, actor: caseworker, action: ChildAuditEvent.added, revision: 1,
                                    change: ChildRecordChange.between(nil, record), previousHash: AuditEvent.genesisHash)
        var added = record
        added.auditHead = event.hash
        return ChildChange(record: added, expectedRevision: nil, events: [event])
    }

    /// A change of `before` giving it a grant, at the next revision.
    package static func granting(_ before: ChildRecord, to principal: String) -> ChildChange {
        var after = before
        after.revision += 1
        after.grants.append(AccessGrant(to: .person(principal), level: "full"))
        let event = ChildAuditEvent(childID: before.id, sequence: after.revision, at: Fixture.at, actor: caseworker, action: "access_granted",
                                    subject: principal, revision: after.revision, change: ChildRecordChange.between(before, after),
                                    previousHash: before.auditHead)
        after.auditHead = event.hash
        return ChildChange(record: after, expectedRevision: before.revision, events: [event])
    }
}

extension StoreConformance {
    /// Child records: their own chain, the one commit beside cases, cases filed under their child, and grants given for
    /// a child reaching its cases through the door.
    static let childChecks: [Check] = [
        Check("a child record round-trips with its own chain, and its changes meet the revision check") { makeStore, expect in
            let store = try makeStore()
            let added = ChildFixture.adding("k1")
            try store.commit(all: [], children: [added])
            expect.equal(try store.child(id: "k1"), added.record, "the record reads back")
            expect.equal(try store.child(id: "k2"), nil, "no other child")
            expect.equal(try store.childIDs(), ["k1"], "the child ids")
            let granted = ChildFixture.granting(added.record, to: "lee")
            try store.commit(all: [], children: [granted])
            let snapshot = try store.childSnapshot(childID: "k1")
            expect.equal(snapshot.record, granted.record, "the snapshot's record")
            expect.equal(snapshot.events, added.events + granted.events, "the snapshot's events, in order")
            expect.equal(AuditVerification.verify(child: snapshot.events, record: snapshot.record), .intact(events: 2), "the chain verifies and replays")
            expect.equal(StoreConformance.thrown { () throws(StoreError) in try store.commit(all: [], children: [ChildFixture.adding("k1")]) }, .childExists("k1"),
                         "adding it again")
            expect.equal(StoreConformance.thrown { () throws(StoreError) in try store.commit(all: [], children: [granted]) },
                         .childRevisionConflict(childID: "k1", expected: 1, actual: 2), "a second writer from revision 1")
            var missing = granted
            missing.record.id = "k9"
            missing.events = []
            expect.equal(StoreConformance.thrown { () throws(StoreError) in try store.commit(all: [], children: [missing]) }, .childNotFound("k9"), "changing a missing child")
            expect.equal(try store.childSnapshot(childID: "k1"), snapshot, "the refused changes wrote nothing")
            expect.equal(try store.childSnapshot(childID: "k9"), ChildSnapshot(record: nil, events: []), "a missing child's snapshot")
            try store.commit(all: [], children: [ChildFixture.adding("k0")])
            let first = try store.childIDs(page: PageRequest(limit: 1))
            expect.equal(first.items, ["k0"], "a page of one, in order")
            let second = try store.childIDs(page: PageRequest(after: first.next, limit: 1))
            expect.equal(second.items, ["k1"], "the next page")
            expect.that(second.next == nil, "no page after the last child")
        },
        Check("a case opened for a child is filed under it with its opening, and cases and a child commit together or not at all") { makeStore, expect in
            let store = try makeStore()
            try store.commit(all: [], children: [ChildFixture.adding("k1")])
            var opening = Fixture.opening("c1")
            opening.record.child = "k1"
            try store.commit(all: [opening], children: [])
            try store.commit(Fixture.opening("c2"))
            expect.equal(try store.caseIDs(childID: "k1"), ["c1"], "the child's cases")
            expect.equal(try store.caseIDs(childID: "k2"), [], "no cases of another child")
            expect.equal(try store.load(caseID: "c1")?.child, "k1", "the case names its child")
            expect.equal(try store.load(caseID: "c2")?.child, nil, "a case of no child names none")
            let before = try store.childSnapshot(childID: "k1")
            let stale = CaseChange(record: Fixture.record("c1", revision: 5), expectedRevision: 4, events: [], outbox: [], idempotency: nil)
            let grant = ChildFixture.granting(before.record!, to: "lee")
            expect.that(StoreConformance.thrown { () throws(StoreError) in try store.commit(all: [stale], children: [grant]) } != nil, "a stale case refuses the whole commit")
            expect.equal(try store.childSnapshot(childID: "k1"), before, "the child change beside it did not land")
            var third = Fixture.opening("c3")
            third.record.child = "k1"
            try store.commit(all: [third], children: [grant])
            expect.equal(try store.caseIDs(childID: "k1"), ["c1", "c3"], "opened beside the child's change")
            expect.equal(try store.child(id: "k1")?.revision, 2, "and the child's change landed with it")
            let archive = try store.archive(caseID: "c3")
            let target = try makeStore()
            if let archive { try target.restore(archive) }
            expect.equal(try target.caseIDs(childID: "k1"), ["c3"], "a restored case is filed under its child")
        },
        Check("a child grant lets its holder see every case of that child and no other child's") { makeStore, expect in
            let store = try makeStore()
            let engine = try ChildFixture.engine(store: store)
            try ChildFixture.family(engine)
            let parent = ChildFixture.parent, family = ChildFixture.family
            for id in ["k1-a", "k1-b"] {
                let view = try engine.view(caseID: id, as: parent, attributes: family)
                expect.equal(view.state, "drafting", "\(id) is seen")
                expect.equal(view.fields, ["note": .string("x")], "\(id)'s fields are seen")
                expect.equal(view.grant, "child k1", "\(id) is seen on the child's grant")
            }
            for id in ["k2-a", "k2-b", "loose"] {
                expect.equal(refusalText { _ = try engine.view(caseID: id, as: parent, attributes: family) },
                             refusalText { _ = try engine.view(caseID: "missing", as: parent, attributes: family) },
                             "\(id) is refused as a missing case is")
            }
            expect.equal(try engine.cases(visibleTo: parent, attributes: family).map(\.id), ["k1-a", "k1-b"], "the cases they may see")
            expect.equal(try engine.cases(ofChild: "k1", as: parent, attributes: family).map(\.id), ["k1-a", "k1-b"], "the child's cases")
            expect.equal(refusalText { _ = try engine.cases(ofChild: "k2", as: parent, attributes: family) },
                         refusalText { _ = try engine.cases(ofChild: "k9", as: parent, attributes: family) },
                         "another child's cases are refused as a missing child's")
            expect.equal(try engine.child("k1", as: parent, attributes: family).people, [], "who else is involved, only for those who grant")
            expect.equal(try engine.childIDs(visibleTo: parent, attributes: family), ["k1"], "the children they may see")
        },
        Check("a case grant overrides a child grant for that case, and the decision names the grant it used") { makeStore, expect in
            let store = try makeStore()
            let engine = try ChildFixture.engine(store: store)
            try ChildFixture.family(engine)
            let parent = ChildFixture.parent, family = ChildFixture.family
            _ = try engine.grantAccess(caseID: "k1-b", grant: AccessGrant(to: .person(parent.id), level: "limited"), as: ChildFixture.caseworker,
                                       attributes: ChildFixture.staff, reason: "court order")
            let limited = try engine.view(caseID: "k1-b", as: parent, attributes: family)
            expect.equal(limited.grant, "case k1-b", "the case's own grant decided")
            expect.equal(limited.state, "drafting", "the limited grant shows where the case is")
            expect.equal(limited.fields, [:], "and not its fields, though the child grant is full")
            expect.equal(try engine.view(caseID: "k1-a", as: parent, attributes: family).fields, ["note": .string("x")], "the sibling case still on the child grant")
            expect.that(refusalText { _ = try engine.caseRecord("k1-b", as: parent, attributes: family) }?.hasPrefix("forbidden") == true,
                        "the whole case is refused under the limited grant")
        },
        Check("a revoked or expired child grant refuses exactly as a missing case, and opening for a child needs open on it") { makeStore, expect in
            let store = try makeStore()
            let clock = ManualClock(Fixture.at)
            let engine = try ChildFixture.engine(store: store, clock: clock)
            try ChildFixture.family(engine, until: CalendarDate(Fixture.at).adding(days: 10))
            let parent = ChildFixture.parent, family = ChildFixture.family
            let missing = refusalText { _ = try engine.view(caseID: "missing", as: parent, attributes: family) }
            expect.that(missing?.hasPrefix("forbidden") == true, "a missing case is refused: \(missing ?? "allowed")")
            expect.equal(refusalText { _ = try engine.view(caseID: "k1-a", as: parent, attributes: family) }, nil, "the grant holds today")
            clock.advance(by: 11 * 86_400)
            expect.equal(refusalText { _ = try engine.view(caseID: "k1-a", as: parent, attributes: family) }, missing, "expired: as a missing case")
            expect.equal(refusalText { _ = try engine.child("k1", as: parent, attributes: family) },
                         refusalText { _ = try engine.child("k9", as: parent, attributes: family) }, "expired: the child as a missing child")
            _ = try engine.revokeChildAccess(childID: "k1", to: .person(parent.id), as: ChildFixture.caseworker, attributes: ChildFixture.staff, reason: "ended")
            expect.equal(refusalText { _ = try engine.view(caseID: "k1-a", as: parent, attributes: family) }, missing, "revoked: as a missing case")
            let before = try Fixture.Contents(store)
            let opening = refusalText {
                _ = try engine.open(workflow: "plan", as: parent, caseID: "k1-c", attributes: family, child: "k1")
            }
            expect.that(opening?.hasPrefix("forbidden") == true, "a parent may not open for the child: \(opening ?? "opened")")
            expect.equal(refusalText { _ = try engine.open(workflow: "plan", as: ChildFixture.caseworker, caseID: "k9-a", attributes: ChildFixture.staff,
                                                                      child: "k9") }?.hasPrefix("not_found"), true, "staff are told a child is missing")
            expect.that(try Fixture.Contents(store) == before, "the refused openings wrote nothing")
            expect.equal(try engine.verifyChildAudit("k1", as: .operator("check")), .intact(events: 3), "the child's chain: added, granted, revoked")
            expect.equal(try store.childSnapshot(childID: "k1").events.map(\.action), ["child_added", "access_granted", "access_revoked"], "its events")
            expect.equal(try store.history(caseID: "k1-a").first?.change?.child, "k1", "the case's opening event records its child")
            expect.equal(try engine.verifyAudit("k1-a", as: .operator("check")), .intact(events: 1), "and the case's chain replays with it")
        },
        Check("identity fields are checked against the set's child definition before anything is written, and a workflow reads them as child.*") { makeStore, expect in
            let store = try makeStore()
            let engine = try ChildFixture.typedEngine(store: store)
            let (staff, caseworker) = (ChildFixture.staff, ChildFixture.caseworker)
            expect.that((try? engine.addChild(id: "k1", fields: ["date_of_birth": .string("31/08/2000")], as: caseworker, attributes: staff)) == nil,
                        "a date not written YYYY-MM-DD is refused")
            expect.equal(try store.child(id: "k1"), nil, "nothing was added")
            _ = try engine.addChild(id: "k1", fields: ["date_of_birth": .string("2000-08-31")], as: caseworker, attributes: staff)
            expect.equal(try store.child(id: "k1")?.fields, ["date_of_birth": .date(CalendarDate("2000-08-31")!)], "stored as the date it says")
            expect.that((try? engine.changeChild(id: "k1", setting: ["dob": .string("2000-08-31")], as: caseworker, attributes: staff)) == nil,
                        "a field the definition does not declare is refused")
            expect.that((try? engine.changeChild(id: "k1", setting: ["date_of_birth": .string("2000-02-30")], as: caseworker, attributes: staff)) == nil,
                        "a day that does not exist is refused")
            expect.equal(try store.childSnapshot(childID: "k1").events.map(\.action), ["child_added"], "the refused changes wrote nothing")
            _ = try engine.open(workflow: "ending", as: caseworker, caseID: "k1-e", attributes: staff, child: "k1")
            _ = try engine.open(workflow: "ending", as: caseworker, caseID: "loose", attributes: staff)
            let fired = try engine.fire(FireRequest(caseID: "k1-e", transition: "end_at_25", actor: caseworker, attributes: staff))
            expect.equal(fired.record.state, "ended", "the end at 25 read the child's date of birth")
            expect.that((try? engine.fire(FireRequest(caseID: "loose", transition: "end_at_25", actor: caseworker, attributes: staff))) == nil,
                        "a case of no child has child.date_of_birth unset, and the step is refused")
            expect.equal(try store.load(caseID: "loose")?.state, "watching", "and stays where it was")
        },
    ]

    /// The store error `body` threw, or nil when it threw none.
    static func thrown(_ body: () throws(StoreError) -> Void) -> StoreError? {
        do throws(StoreError) {
            try body()
            return nil
        } catch {
            return error
        }
    }
}

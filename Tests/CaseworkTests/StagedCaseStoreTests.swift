import CaseworkStoreConformance
import Testing

@testable import Casework

/// The stage a service's decision runs against (``StagedCaseStore``): a commit is checked against the staged record's
/// revision as a store checks it, and applied to the lists the decision read, so the engine reads its writes back.
@Suite("Service: the stage a decision commits to")
struct StagedCaseStoreTests {
    /// A change moving `id` from revision 1 to 2 with one event and one message.
    static func moving(_ id: String) -> CaseChange {
        let opening = Fixture.opening(id)
        let moved = AuditEvent(caseID: id, sequence: 2, at: Fixture.at, actor: CaseActor(role: "caseworker", id: "ana"), action: "fired", subject: "t",
                               fromState: "requested", toState: "requested", revision: 2, input: [:], previousHash: opening.events[0].hash)
        return CaseChange(record: Fixture.record(id, revision: 2, head: moved.hash), expectedRevision: 1, events: [moved],
                          outbox: [Fixture.message("\(id)/2/1", case: id)], idempotency: IdempotencyRecord(key: "k-\(id)", caseID: id, request: "fire",
                                                                                                          state: "requested", revision: 2))
    }

    static let capabilities = InMemoryCaseStore().capabilities

    @Test func aCommitIsCheckedAgainstTheStagedRevisionAsAStoreChecksIt() throws {
        let stage = StagedCaseStore(answers: [.record("c1"): .record(Fixture.record("c1", revision: 3)), .record("c2"): .record(nil)],
                                    capabilities: Self.capabilities)
        #expect(throws: StoreError.revisionConflict(caseID: "c1", expected: 1, actual: 3)) { try stage.commit(all: [Self.moving("c1")], children: []) }
        #expect(throws: StoreError.caseNotFound("c2")) { try stage.commit(all: [Self.moving("c2")], children: []) }
        #expect(throws: StoreError.caseExists("c1")) { try stage.commit(all: [Fixture.opening("c1")], children: []) }
        #expect(throws: StoreError.busy("reading from the store")) { try stage.commit(all: [Self.moving("c3")], children: []) }
        #expect(stage.misses == [.record("c3")], "the unstaged case is noted as a read to make")
        #expect(stage.writes.isEmpty, "nothing refused is kept")
        try stage.commit(all: [Fixture.opening("c2")], children: [])
        #expect(try stage.load(caseID: "c2")?.revision == 1, "an opening of a case staged as missing lands")
    }

    @Test func aCommitExtendsTheListsTheDecisionRead() throws {
        let opening = Fixture.opening("c1")
        let stage = StagedCaseStore(answers: [
            .record("c1"): .record(opening.record), .record("c0"): .record(nil), .history("c1"): .events(opening.events), .outbox("c1"): .messages(opening.outbox),
            .outbox(nil): .messages(opening.outbox), .caseIDs: .ids(["c1"]),
        ], capabilities: Self.capabilities)
        let change = Self.moving("c1")
        try stage.commit(all: [change, Fixture.opening("c0")], children: [])
        #expect(try stage.load(caseID: "c1")?.revision == 2)
        #expect(try stage.history(caseID: "c1", page: PageRequest()).items.map(\.sequence) == [1, 2])
        #expect(try stage.outbox(caseID: "c1", page: PageRequest()).items.map(\.id) == ["c1/1/1", "c1/2/1"])
        #expect(try stage.outbox(caseID: nil, page: PageRequest()).items.map(\.id) == ["c1/1/1", "c1/2/1", "c0/1/1"])
        #expect(try stage.caseIDs(page: PageRequest()).items == ["c0", "c1"])
        #expect(try stage.idempotencyRecord(key: "k-c1")?.revision == 2)
        #expect(stage.writes.count == 1)
    }

    @Test func aCommitWithNoListStagedLeavesListsUnread() throws {
        let opening = Fixture.opening("c1")
        let stage = StagedCaseStore(answers: [.record("c1"): .record(opening.record)], capabilities: Self.capabilities)
        try stage.commit(all: [Self.moving("c1")], children: [])
        #expect(try stage.load(caseID: "c1")?.revision == 2)
        #expect(try stage.idempotencyRecord(key: "k-c1")?.revision == 2, "the key the change recorded is read back")
        #expect(throws: StoreError.busy("reading from the store")) { try stage.history(caseID: "c1", page: PageRequest()) }
        #expect(stage.misses == [.history("c1")], "a list the decision did not read is still read from the store, whole")
    }
}

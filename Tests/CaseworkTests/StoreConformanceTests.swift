import Foundation
import Testing
import Casework
import CaseworkSQLite

/// One suite, every store: what the engine relies on from `CaseStore` holds for each implementation.
@Suite("Store conformance")
struct StoreConformanceTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case memory, sqlite
        var testDescription: String { rawValue }

        func make() throws -> any CaseStore {
            switch self {
            case .memory: return InMemoryCaseStore()
            case .sqlite:
                let path = FileManager.default.temporaryDirectory.appendingPathComponent("casework-conformance-\(UUID().uuidString).sqlite").path
                return try SQLiteCaseStore(path: path)
            }
        }
    }

    static let at = Date(timeIntervalSince1970: 1_756_717_200)

    static func record(_ id: String, revision: Int = 1, state: String = "requested", head: String = "h") -> CaseRecord {
        CaseRecord(id: id, workflow: "assessment", workflowVersion: 1, state: state, revision: revision,
                   fields: ["requested_on": .date(CalendarDate("2025-09-01")!), "hours": .decimal(Decimal(string: "2.5")!), "tags": .list([.string("a")])],
                   participants: ["school": "hillside"],
                   forms: [FormInstance(id: "advice-1", form: "advice", formVersion: 1, recipientRole: "school", recipientID: "hillside", status: .shared,
                                        fields: [:], dueOn: CalendarDate("2025-10-13")!, submissions: 0, informationRequired: nil)],
                   openedAt: at, updatedAt: at.addingTimeInterval(Double(revision)), auditHead: head)
    }

    static func event(_ id: String, _ sequence: Int, previous: String) -> AuditEvent {
        AuditEvent(caseID: id, sequence: sequence, at: at.addingTimeInterval(Double(sequence)), actor: CaseActor(role: "caseworker", id: "ana"),
                   action: sequence == 1 ? "opened" : "fired", subject: "t", fromState: sequence == 1 ? nil : "requested", toState: "requested",
                   revision: sequence, input: ["n": .int(sequence)], previousHash: previous)
    }

    static func message(_ id: String, case caseID: String, offset: TimeInterval = 0) -> OutboxMessage {
        OutboxMessage(id: id, caseID: caseID, createdAt: at.addingTimeInterval(offset), recipientRole: "parent", recipientID: nil,
                      template: "t", subject: "s", body: "b")
    }

    /// Opens case `id` with one event and one message; returns the event.
    @discardableResult
    static func open(_ store: any CaseStore, _ id: String) throws -> AuditEvent {
        let first = event(id, 1, previous: AuditEvent.genesisHash)
        try store.commit(CaseChange(record: record(id, head: first.hash), expectedRevision: nil, events: [first],
                                    outbox: [message("\(id)/1/1", case: id)], idempotency: nil))
        return first
    }

    @Test(arguments: Kind.allCases)
    func aCommittedChangeReadsBackExactly(kind: Kind) throws {
        let store = try kind.make()
        let first = try Self.open(store, "c1")
        #expect(try store.load(caseID: "c1") == Self.record("c1", head: first.hash))
        #expect(try store.history(caseID: "c1") == [first])
        #expect(try store.outbox(caseID: "c1") == [Self.message("c1/1/1", case: "c1")])
        #expect(try store.load(caseID: "nope") == nil)
        #expect(try store.caseIDs() == ["c1"])
        let second = Self.event("c1", 2, previous: first.hash)
        let key = IdempotencyRecord(key: "k", caseID: "c1", request: "fire t on c1", state: "deciding", revision: 2)
        try store.commit(CaseChange(record: Self.record("c1", revision: 2, state: "deciding", head: second.hash), expectedRevision: 1,
                                    events: [second], outbox: [], idempotency: key))
        #expect(try store.load(caseID: "c1")?.revision == 2)
        #expect(try store.history(caseID: "c1") == [first, second])
        #expect(try store.idempotencyRecord(key: "k") == key)
        #expect(AuditVerification.verify(try store.history(caseID: "c1"), record: try store.load(caseID: "c1")) == .chainOnly(events: 2),
                "the chain holds; these hand-made events record no changes, so the record is not replayed")
        #expect(try store.snapshot(caseID: "c1") == CaseSnapshot(record: try store.load(caseID: "c1"), events: [first, second]))
        #expect(try store.snapshot(caseID: "nope") == CaseSnapshot(record: nil, events: []))
        #expect(try store.auditedCaseIDs() == ["c1"])
    }

    @Test(arguments: Kind.allCases)
    func twoWritersFromOneRevisionOneWinsTheOtherConflicts(kind: Kind) throws {
        let store = try kind.make()
        let first = try Self.open(store, "c1")
        let a = Self.event("c1", 2, previous: first.hash)
        try store.commit(CaseChange(record: Self.record("c1", revision: 2, state: "a", head: a.hash), expectedRevision: 1, events: [a], outbox: [], idempotency: nil))
        let b = AuditEvent(caseID: "c1", sequence: 2, at: Self.at, actor: CaseActor(role: "caseworker", id: "bo"), action: "fired", subject: "u",
                           fromState: "requested", toState: "b", revision: 2, input: [:], previousHash: first.hash)
        #expect(throws: StoreError.revisionConflict(caseID: "c1", expected: 1, actual: 2)) {
            try store.commit(CaseChange(record: Self.record("c1", revision: 2, state: "b", head: b.hash), expectedRevision: 1, events: [b], outbox: [], idempotency: nil))
        }
        #expect(try store.load(caseID: "c1")?.state == "a")
        #expect(try store.history(caseID: "c1").count == 2)
    }

    @Test(arguments: Kind.allCases)
    func concurrentWritersOnOneCaseSerialise(kind: Kind) async throws {
        let store = try kind.make()
        let first = try Self.open(store, "c1")
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    let next = AuditEvent(caseID: "c1", sequence: 2, at: Self.at, actor: CaseActor(role: "caseworker", id: "w\(writer)"), action: "fired",
                                          subject: "t", fromState: "requested", toState: "s\(writer)", revision: 2, input: [:], previousHash: first.hash)
                    do {
                        try store.commit(CaseChange(record: Self.record("c1", revision: 2, state: "s\(writer)", head: next.hash), expectedRevision: 1,
                                                    events: [next], outbox: [Self.message("c1/2/1", case: "c1")], idempotency: nil))
                        return true
                    } catch {
                        return false
                    }
                }
            }
            var results: [Bool] = []
            for await result in group { results.append(result) }
            return results
        }
        #expect(outcomes.filter { $0 }.count == 1)
        #expect(try store.history(caseID: "c1").count == 2)
        #expect(try store.outbox(caseID: "c1").count == 2)
    }

    @Test(arguments: Kind.allCases)
    func aCommitThatFailsHalfwayLeavesNothingBehind(kind: Kind) throws {
        let store = try kind.make()
        let first = try Self.open(store, "c1")
        let before = (try store.load(caseID: "c1"), try store.history(caseID: "c1"), try store.outbox(caseID: nil))
        let second = Self.event("c1", 2, previous: first.hash)
        // The new message's id repeats an existing one, so the write fails after the case row and audit row were written.
        #expect(throws: StoreError.self) {
            try store.commit(CaseChange(record: Self.record("c1", revision: 2, state: "deciding", head: second.hash), expectedRevision: 1,
                                        events: [second], outbox: [Self.message("c1/2/1", case: "c1"), Self.message("c1/1/1", case: "c1")],
                                        idempotency: IdempotencyRecord(key: "k", caseID: "c1", request: "r", state: "deciding", revision: 2)))
        }
        #expect(try store.load(caseID: "c1") == before.0)
        #expect(try store.history(caseID: "c1") == before.1)
        #expect(try store.outbox(caseID: nil) == before.2)
        #expect(try store.idempotencyRecord(key: "k") == nil)
        // A repeated audit sequence fails the same way.
        #expect(throws: StoreError.self) {
            try store.commit(CaseChange(record: Self.record("c1", revision: 2, head: "x"), expectedRevision: 1, events: [first], outbox: [], idempotency: nil))
        }
        #expect(try store.load(caseID: "c1") == before.0)
    }

    @Test(arguments: Kind.allCases)
    func openingTwiceAndUpdatingTheMissingAreRefused(kind: Kind) throws {
        let store = try kind.make()
        try Self.open(store, "c1")
        #expect(throws: StoreError.caseExists("c1")) { try Self.open(store, "c1") }
        #expect(throws: StoreError.caseNotFound("c9")) {
            try store.commit(CaseChange(record: Self.record("c9", revision: 2), expectedRevision: 1, events: [], outbox: [], idempotency: nil))
        }
        let key = IdempotencyRecord(key: "k", caseID: "c1", request: "r", state: "s", revision: 2)
        try store.commit(CaseChange(record: Self.record("c1", revision: 2), expectedRevision: 1, events: [], outbox: [], idempotency: key))
        #expect(throws: StoreError.self) {
            try store.commit(CaseChange(record: Self.record("c1", revision: 3), expectedRevision: 2, events: [], outbox: [], idempotency: key))
        }
        #expect(try store.load(caseID: "c1")?.revision == 2)
    }

    @Test(arguments: Kind.allCases)
    func claimsNeverOverlapAndAcknowledgementsBelongToTheClaimer(kind: Kind) throws {
        let store = try kind.make()
        let first = try Self.open(store, "c1")
        let more = (2...5).map { Self.message("c1/2/\($0)", case: "c1", offset: Double($0)) }
        let second = Self.event("c1", 2, previous: first.hash)
        try store.commit(CaseChange(record: Self.record("c1", revision: 2, head: second.hash), expectedRevision: 1, events: [second], outbox: more, idempotency: nil))
        let now = Self.at.addingTimeInterval(100)
        let a = try store.claimOutbox(OutboxClaim(claimer: "a", limit: 3, now: now, lease: 60))
        let b = try store.claimOutbox(OutboxClaim(claimer: "b", limit: 10, now: now, lease: 60))
        #expect(a.map(\.id) == ["c1/1/1", "c1/2/2", "c1/2/3"])
        #expect(b.map(\.id) == ["c1/2/4", "c1/2/5"])
        #expect(a.allSatisfy { $0.claimedBy == "a" && $0.attempts == 1 && $0.leaseUntil == now.addingTimeInterval(60) })
        #expect(try store.acknowledgeOutbox(ids: ["c1/1/1", "c1/2/4"], claimer: "a", at: now) == 1)
        #expect(try store.claimOutbox(OutboxClaim(claimer: "c", limit: 10, now: now.addingTimeInterval(30), lease: 60)).isEmpty)
        let reclaimed = try store.claimOutbox(OutboxClaim(claimer: "c", limit: 10, now: now.addingTimeInterval(61), lease: 60))
        #expect(reclaimed.map(\.id) == ["c1/2/2", "c1/2/3", "c1/2/4", "c1/2/5"], "expired leases are claimable again; delivered ones never")
        #expect(reclaimed.allSatisfy { $0.attempts == 2 })
        let delivered = try store.outbox(caseID: "c1").first { $0.id == "c1/1/1" }
        #expect(delivered?.deliveredAt == now)
    }

    @Test(arguments: Kind.allCases)
    func definitionVersionsAreKeptOnceAndNeverChanged(kind: Kind) throws {
        let store = try kind.make()
        let v1 = StoredDefinition(kind: "workflow", id: "assessment", version: 1, fingerprint: "f1", content: "workflow: assessment")
        try store.record(v1)
        try store.record(v1)
        #expect(throws: StoreError.definitionChanged(kind: "workflow", id: "assessment", version: 1)) {
            try store.record(StoredDefinition(kind: "workflow", id: "assessment", version: 1, fingerprint: "f2", content: "changed"))
        }
        #expect(try store.definition(kind: "workflow", id: "assessment", version: 1) == v1)
        #expect(try store.definition(kind: "workflow", id: "assessment", version: 2) == nil)
    }

    @Test(arguments: Kind.allCases)
    func theDueTimeIndexReturnsOnlyWhatIsDueAndIsReplacedWithEachChange(kind: Kind) throws {
        let store = try kind.make()
        let first = Self.event("c1", 1, previous: AuditEvent.genesisHash)
        let alarms = [
            DeadlineAlarm(caseID: "c1", deadline: "decide", kind: "reminder-0", dueAt: Self.at.addingTimeInterval(10)),
            DeadlineAlarm(caseID: "c1", deadline: "decide", kind: "breach", dueAt: Self.at.addingTimeInterval(30)),
            DeadlineAlarm(caseID: "c1", deadline: "advice", kind: "breach", dueAt: Self.at.addingTimeInterval(20)),
        ]
        try store.commit(CaseChange(record: Self.record("c1", head: first.hash), expectedRevision: nil, events: [first], outbox: [], idempotency: nil, alarms: alarms))
        #expect(try store.dueAlarms(at: Self.at, limit: 10).isEmpty)
        #expect(try store.dueAlarms(at: Self.at.addingTimeInterval(20), limit: 10).map(\.kind) == ["reminder-0", "breach"])
        #expect(try store.dueAlarms(at: Self.at.addingTimeInterval(60), limit: 2).map(\.deadline) == ["decide", "advice"])
        let second = Self.event("c1", 2, previous: first.hash)
        #expect(throws: StoreError.self) {
            try store.commit(CaseChange(record: Self.record("c1", revision: 2, head: second.hash), expectedRevision: 1, events: [second],
                                        outbox: [Self.message("x", case: "c1"), Self.message("x", case: "c1")], idempotency: nil, alarms: []))
        }
        #expect(try store.dueAlarms(at: Self.at.addingTimeInterval(60), limit: 10).count == 3, "a failed commit keeps the old alarms")
        try store.commit(CaseChange(record: Self.record("c1", revision: 2, head: second.hash), expectedRevision: 1, events: [second], outbox: [],
                                    idempotency: nil, alarms: [alarms[1]]))
        #expect(try store.dueAlarms(at: Self.at.addingTimeInterval(60), limit: 10) == [alarms[1]])
    }

    @Test(arguments: Kind.allCases)
    func changesToSeveralCasesCommitTogetherOrNotAtAll(kind: Kind) throws {
        let store = try kind.make()
        let first1 = try Self.open(store, "c1")
        let first2 = try Self.open(store, "c2")
        let next1 = Self.event("c1", 2, previous: first1.hash)
        let next2 = Self.event("c2", 2, previous: first2.hash)
        let good1 = CaseChange(record: Self.record("c1", revision: 2, state: "a", head: next1.hash), expectedRevision: 1, events: [next1], outbox: [], idempotency: nil)
        let stale2 = CaseChange(record: Self.record("c2", revision: 2, state: "b", head: next2.hash), expectedRevision: 5, events: [next2], outbox: [], idempotency: nil)
        #expect(throws: StoreError.revisionConflict(caseID: "c2", expected: 5, actual: 1)) { try store.commit(all: [good1, stale2]) }
        #expect(try store.load(caseID: "c1")?.revision == 1, "the first change is not kept when the second fails")
        #expect(try store.history(caseID: "c1").count == 1)
        var good2 = stale2
        good2.expectedRevision = 1
        try store.commit(all: [good1, good2])
        #expect(try store.load(caseID: "c1")?.state == "a")
        #expect(try store.load(caseID: "c2")?.state == "b")
        #expect(throws: StoreError.self) { try store.commit(all: [good1, good1]) }
    }

    @Test(arguments: Kind.allCases)
    func theEngineRunsTheSameOnEveryStore(kind: Kind) throws {
        let engine = try EngineFixtures.engine(store: try kind.make())
        try EngineFixtures.openCase(engine)
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: EngineFixtures.caseworker, input: ["evidence_complete": .bool(true)]))
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "agree_to_assess", actor: EngineFixtures.caseworker, input: ["decision_notes": .string("ok")]))
        _ = try engine.submitForm(caseID: "c1", instance: "advice-1", as: CaseActor.organisation("nhs-trust", role: "health"), fields: ["summary": .string("x")])
        #expect(try engine.caseRecord("c1", as: .operator()).forms.first?.status == .submitted)
        #expect(try engine.verifyAudit("c1", as: .operator()) == .intact(events: 4))
        #expect(try engine.outbox(caseID: "c1", as: .operator()).count == 4)
    }
}

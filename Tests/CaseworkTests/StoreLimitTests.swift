import Foundation
import Testing
import CaseworkStoreConformance
import Casework

/// Every store refuses a record whose counters the engine could not add to, and counts claims without overflowing.
@Suite("Store counter limits")
struct StoreLimitTests {
    typealias Kind = StoreConformanceTests.Kind

    @Test("a change leaving a counter at its limit is refused as that case's corrupt record, and nothing is written", arguments: Kind.allCases)
    func counterAtLimitIsRefused(_ kind: Kind) throws {
        let store = try kind.make()
        var atRevisionLimit = Fixture.record("c1", revision: .max)
        #expect(throws: StoreError.corruptRecord(caseID: "c1", detail: "its revision is \(Int.max), the largest there can be, so it cannot change again")) {
            try store.commit(CaseChange(record: atRevisionLimit, expectedRevision: nil, events: [], outbox: [], idempotency: nil))
        }
        atRevisionLimit.revision = 1
        atRevisionLimit.forms[0].submissions = .max
        #expect(throws: StoreError.corruptRecord(caseID: "c1", detail: "form 'advice-1' has \(Int.max) submissions, the most there can be")) {
            try store.commit(CaseChange(record: atRevisionLimit, expectedRevision: nil, events: [], outbox: [], idempotency: nil))
        }
        atRevisionLimit.forms[0].submissions = 0
        var clock = DeadlineRecord(name: "decide", startedOn: CalendarDate("2025-09-01")!, dueOn: CalendarDate("2025-10-13")!)
        clock.pausedDays = -1
        atRevisionLimit.deadlines = [clock]
        #expect(throws: StoreError.corruptRecord(caseID: "c1", detail: "deadline 'decide' has -1 paused days, outside what resuming can add to")) {
            try store.commit(CaseChange(record: atRevisionLimit, expectedRevision: nil, events: [], outbox: [], idempotency: nil))
        }
        #expect(atRevisionLimit.counterAtLimit == "deadline 'decide' has -1 paused days, outside what resuming can add to", "the record's own answer")
        #expect(try store.caseIDs() == [])
    }

    @Test("a claim of a message at the largest attempt count claims it and keeps the count", arguments: Kind.allCases)
    func attemptsStopAtTheLargestCount(_ kind: Kind) throws {
        let store = try kind.make()
        var message = Fixture.message("m1", case: "c1")
        message.attempts = .max
        try store.commit(CaseChange(record: Fixture.record("c1"), expectedRevision: nil, events: [], outbox: [message], idempotency: nil))
        let claimed = try store.claimOutbox(OutboxClaim(claimer: "d", limit: 1, now: Fixture.at, lease: 60))
        #expect(claimed.map(\.attempts) == [.max])
    }
}

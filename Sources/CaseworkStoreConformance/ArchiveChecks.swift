import Casework
import CaseworkStore
import Foundation

extension StoreConformance {
    /// Archives: a case read whole from one store and restored into a fresh one reads back as it was, delivery state
    /// and all, and a restore that cannot be done in full writes nothing.
    static let archiveChecks: [Check] = [
        Check("an archived case restores into a fresh store exactly, and never over what is there") { makeStore, expect in
            let source = try makeStore()
            let first = try Fixture.open(source, "c1")
            let second = Fixture.event("c1", 2, previous: first.hash)
            let third = Fixture.event("c1", 3, previous: second.hash)
            let keys = [
                IdempotencyRecord(key: "k1", caseID: "c1", request: "fire t on c1", state: "requested", revision: 2),
                IdempotencyRecord(key: "k2", caseID: "c1", request: "fire u on c1", state: "requested", revision: 3),
            ]
            let alarms = [
                DeadlineAlarm(caseID: "c1", deadline: "decide", kind: "breach", dueAt: Fixture.at.addingTimeInterval(86_400 * 42)),
                DeadlineAlarm(caseID: "c1", deadline: "decide", kind: "reminder", dueAt: Fixture.at.addingTimeInterval(86_400 * 35)),
            ]
            try source.commit(CaseChange(
                record: Fixture.record("c1", revision: 2, head: second.hash), expectedRevision: 1, events: [second],
                outbox: [Fixture.message("c1/2/1", case: "c1", offset: 2), Fixture.message("c1/2/2", case: "c1", offset: 2)], idempotency: keys[0],
                alarms: alarms))
            try source.commit(CaseChange(record: Fixture.record("c1", revision: 3, head: third.hash), expectedRevision: 2, events: [third], outbox: [],
                                         idempotency: keys[1], alarms: alarms))
            try Fixture.open(source, "c2")
            let claimed = try source.claimOutbox(OutboxClaim(claimer: "d1", limit: 2, now: Fixture.at, lease: 600))
            expect.equal(claimed.map(\.id), ["c1/1/1", "c1/2/1"], "the messages claimed on the source")
            expect.equal(try source.acknowledgeOutbox(ids: ["c1/2/1"], claimer: "d1", at: Fixture.at.addingTimeInterval(5)), 1, "messages delivered")

            guard let archive = try source.archive(caseID: "c1") else { return expect.record("the source has no archive of c1") }
            expect.equal(try source.archive(caseID: "nope"), nil, "the archive of a case that is not there")
            expect.equal(archive.outbox, try source.outbox(caseID: "c1"), "the archive's messages, with their delivery state")
            expect.equal(archive.idempotency, keys, "the archive's keys")
            expect.equal(archive.alarms, alarms.reversed(), "the archive's alarms, in due order")

            let target = try makeStore()
            try target.restore(archive)
            expect.equal(try target.load(caseID: "c1"), try source.load(caseID: "c1"), "the restored record")
            expect.equal(try target.history(caseID: "c1"), [first, second, third], "the restored history")
            expect.equal(try target.outbox(caseID: nil), try source.outbox(caseID: "c1"), "the restored outbox, and nothing of c2's")
            for key in keys { expect.equal(try target.idempotencyRecord(key: key.key), key, "the restored key '\(key.key)'") }
            expect.equal(try target.dueAlarms(at: .distantFuture, limit: 10), alarms.reversed(), "the restored due alarms")
            expect.equal(try target.archive(caseID: "c1"), archive, "the restored case's archive")
            expect.equal(AuditVerification.verify(try target.history(caseID: "c1"), record: try target.load(caseID: "c1")), .chainOnly(events: 3),
                         "the restored audit chain")

            let before = try Fixture.Contents(target)
            expect.throwsStoreError(.caseExists("c1"), "restoring over a case that is there") { try target.restore(archive) }
            guard var other = try source.archive(caseID: "c2") else { return expect.record("the source has no archive of c2") }
            other.idempotency = [IdempotencyRecord(key: "k1", caseID: "c2", request: "fire t on c2", state: "requested", revision: 1)]
            expect.throwsStoreError(.duplicate("idempotency key 'k1'"), "restoring a case with a key that is taken") { try target.restore(other) }
            guard var clash = try source.archive(caseID: "c2"), !clash.outbox.isEmpty else { return expect.record("c2's archive has no message") }
            clash.outbox[0].id = "c1/1/1"
            expect.throwsStoreError(.duplicate("outbox message 'c1/1/1'"), "restoring a case with a message id another case holds") {
                try target.restore(clash)
            }
            expect.equal(try Fixture.Contents(target), before, "what the refused restores left")
            expect.equal(try target.idempotencyRecord(key: "k1"), keys[0], "the taken key")

            let due = try target.claimOutbox(OutboxClaim(claimer: "d2", limit: 10, now: Fixture.at, lease: 600))
            expect.equal(due.map(\.id), ["c1/2/2"], "what a claim takes on the target while the source's lease holds")
        },
    ]
}

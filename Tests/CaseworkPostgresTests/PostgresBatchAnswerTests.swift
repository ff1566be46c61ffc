import Casework
import CaseworkPostgres
import CaseworkStoreConformance
import Foundation
import Testing

/// A group committer's batch on PostgreSQL (``PostgresCaseStore/commit(prepared:)``): it stores what committing each
/// group on its own stores, hostile text included, and a group refused anywhere in it gets its own answer while the
/// others land.
@Suite("PostgreSQL group commit: each group's answer")
struct PostgresBatchAnswerTests {
    /// Text a row must carry through unchanged: quotes, backslashes, commas, braces, spaces, the word NULL, an empty
    /// string, non-ASCII.
    static let hostile = ["a\"b", "back\\slash", "{1,2}", " spaced ", "NULL", "", "ä€😀", "\\\"},{\"", "null"]

    /// The change that fires on case `id` at `revision` (from `revision - 1`), with an event, a message, an alarm and
    /// hostile text in each; `tag` makes the texts differ by case and round.
    static func firing(_ id: String, revision: Int, tag: Int, head: String) -> CaseChange {
        let text = hostile[tag % hostile.count]
        var event = Fixture.opening(id).events[0]
        event.sequence = revision
        event.action = "fired \(text)"
        event.revision = revision
        event.previousHash = head
        var record = Fixture.record(id, revision: revision, state: "state \(text)", head: event.hash)
        record.fields["note"] = .string(text)
        var message = Fixture.message("\(id)/\(revision)/\(text)", case: id, offset: Double(revision))
        message.body = "body \(text)"
        let alarm = DeadlineAlarm(caseID: id, deadline: "decide \(text)", kind: "due", dueAt: Fixture.at.addingTimeInterval(Double(tag)))
        return CaseChange(record: record, expectedRevision: revision - 1, events: [event], outbox: [message],
                          idempotency: IdempotencyRecord(key: "key \(id) \(revision) \(text)", caseID: id, request: "fire \(text)", state: record.state,
                                                         revision: revision),
                          alarms: [alarm])
    }

    /// Everything stored about `ids`, and the outbox's ids in the order of their positions.
    static func stored(_ store: PostgresCaseStore, _ ids: [String]) throws -> ([CaseArchive?], [String]) {
        (try ids.map { try store.archive(caseID: $0) }, try store.outbox(caseID: nil).map(\.id))
    }

    /// Batches of openings, then of fires, with hostile text in every column, store exactly what committing each change
    /// on its own stores: the same records, events, messages (in the same order), keys and alarms.
    @Test func aBatchStoresWhatOneCommitAtATimeStores() throws {
        guard let server = TestServer.usable("a PostgreSQL group commit test") else { return }
        let (batchedDatabase, aloneDatabase) = (try server.makeDatabase(), try server.makeDatabase())
        defer { try? server.dropDatabases([batchedDatabase.name, aloneDatabase.name]) }
        let batched = try PostgresCaseStore(conninfo: batchedDatabase.conninfo)
        let alone = try PostgresCaseStore(conninfo: aloneDatabase.conninfo)
        let ids = (0..<12).map { "c\($0) \(Self.hostile[$0 % Self.hostile.count])" }
        var rounds = [ids.map { Fixture.opening($0, message: "\($0)/1", key: "open \($0)") }]
        var heads = rounds[0].map { $0.events[0].hash }
        for revision in 2...3 {
            rounds.append(ids.indices.map { Self.firing(ids[$0], revision: revision, tag: $0 + revision, head: heads[$0]) })
            heads = rounds.last!.map { $0.events[0].hash }
        }
        for round in rounds {
            #expect(try batched.commit(each: round.map { [$0] }) == Array(repeating: nil, count: round.count))
            for change in round { try alone.commit(change) }
        }
        let (batchedRows, batchedOrder) = try Self.stored(batched, ids)
        let (aloneRows, aloneOrder) = try Self.stored(alone, ids)
        #expect(batchedRows.allSatisfy { $0?.events.count == 3 && $0?.alarms.count == 1 && $0?.idempotency.count == 3 })
        #expect(batchedRows == aloneRows)
        #expect(batchedOrder == aloneOrder)
        #expect(batchedOrder.count == 36)
    }

    /// How the refused group of a batch is refused, besides the stale revision.
    enum OtherRefusal: String, CaseIterable, Sendable {
        /// Its audit event is at a sequence the case already holds.
        case eventTaken
        /// Its idempotency key is already recorded for another case.
        case keyTaken
    }

    /// Every placement of two refused groups (one by a stale revision, one by a taken key) among four.
    static let placements: [(stale: Int, other: Int, refusal: OtherRefusal)] = OtherRefusal.allCases.flatMap { refusal in
        (0..<4).flatMap { stale in (0..<4).filter { $0 != stale }.map { (stale, $0, refusal) } }
    }

    /// A batch holding a group refused by a stale revision and one refused by a taken key, in every position: those
    /// two get their own refusals, worded as group by group, and the other two land with their events, messages and
    /// keys; nothing of the refused ones is written.
    @Test(arguments: placements)
    func eachRefusedGroupGetsItsOwnAnswerWhereverItIs(stale: Int, other: Int, refusal: OtherRefusal) throws {
        guard let server = TestServer.usable("a PostgreSQL group commit test") else { return }
        let database = try server.makeDatabase()
        defer { try? server.dropDatabases([database.name]) }
        let store = try PostgresCaseStore(conninfo: database.conninfo)
        let ids = (0..<4).map { "c\($0)" }
        let openings = ids.map { Fixture.opening($0, key: "open \($0)") }
        #expect(try store.commit(each: openings.map { [$0] }) == [nil, nil, nil, nil])
        var batch = ids.indices.map { Self.firing(ids[$0], revision: 2, tag: $0, head: openings[$0].events[0].hash) }
        batch[stale].expectedRevision = 5
        switch refusal {
        case .eventTaken: batch[other].events[0].sequence = 1
        case .keyTaken: batch[other].idempotency?.key = "open c\((other + 1) % 4)"
        }
        var expected: [StoreError?] = [nil, nil, nil, nil]
        expected[stale] = .revisionConflict(caseID: ids[stale], expected: 5, actual: 1)
        expected[other] = switch refusal {
        case .eventTaken: .duplicate("audit event 1 of case '\(ids[other])'")
        case .keyTaken: .duplicate("idempotency key 'open c\((other + 1) % 4)'")
        }
        #expect(try store.commit(each: batch.map { [$0] }) == expected)
        for index in ids.indices {
            let archive = try #require(try store.archive(caseID: ids[index]))
            let landed = expected[index] == nil
            #expect(archive.record == (landed ? batch[index].record : openings[index].record), "case \(ids[index])")
            #expect(archive.events.count == (landed ? 2 : 1), "case \(ids[index])")
            #expect(archive.outbox.map(\.id) == [openings[index].outbox[0].id] + (landed ? [batch[index].outbox[0].id] : []), "case \(ids[index])")
            #expect(archive.idempotency.count == (landed ? 2 : 1), "case \(ids[index])")
            #expect(archive.alarms == (landed ? batch[index].alarms : []), "case \(ids[index])")
        }
    }

    /// A batch changing one case twice: the second change meets the first's revision and is refused as it would be
    /// one after the other; the groups around them land.
    @Test func aCaseInTwoGroupsMeetsTheFirstGroupsRevision() throws {
        guard let server = TestServer.usable("a PostgreSQL group commit test") else { return }
        let database = try server.makeDatabase()
        defer { try? server.dropDatabases([database.name]) }
        let store = try PostgresCaseStore(conninfo: database.conninfo)
        let openings = ["c0", "c1"].map { Fixture.opening($0) }
        #expect(try store.commit(each: openings.map { [$0] }) == [nil, nil])
        let first = Self.firing("c0", revision: 2, tag: 0, head: openings[0].events[0].hash)
        let again = Self.firing("c0", revision: 2, tag: 1, head: openings[0].events[0].hash)
        let other = Self.firing("c1", revision: 2, tag: 2, head: openings[1].events[0].hash)
        #expect(try store.commit(each: [[first], [again], [other]]) == [nil, .revisionConflict(caseID: "c0", expected: 1, actual: 2), nil])
        #expect(try store.load(caseID: "c0") == first.record)
        #expect(try store.load(caseID: "c1") == other.record)
    }
}

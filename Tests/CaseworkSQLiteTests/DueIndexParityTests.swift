import Casework
import CaseworkTestSupport
import Foundation
import Testing
@testable import CaseworkSQLite

/// The in-memory store's compact due index (names numbered, a case's single alarm held inline) against the SQLite
/// store's table and a plain list: random replacements of cases' alarms, many sharing one instant and one name, then
/// every due page read at random cut-offs and page sizes must be the same three ways.
@Suite("The in-memory due index answers as SQLite's and a plain list do")
struct DueIndexParityTests {
    @Test("random alarm replacements give the same due pages", arguments: [7, 8, 9] as [UInt64])
    func randomReplacements(seed: UInt64) throws {
        let directory = try TemporaryDirectory()
        let memory = InMemoryCaseStore()
        let sqlite = try SQLiteCaseStore(path: directory.path("due.sqlite"), options: .init(synchronous: .normal))
        var random = SeededGenerator(seed: seed)
        let caseIDs = (1...12).map { "case-\($0)" }
        let names = [("decide", "breach"), ("decide", "reminder-0"), ("advice", "breach"), ("plan", "reminder-1")]
        let instants = (0..<4).map { Sample.instant(Int64($0) * 86_400_000) }
        var revisions: [String: Int] = [:]
        var model: [String: [DeadlineAlarm]] = [:]

        for _ in 0..<300 {
            let id = caseIDs.randomElement(using: &random)!
            var alarms: [DeadlineAlarm] = []
            for (deadline, kind) in names.shuffled(using: &random).prefix(Int.random(in: 0...3, using: &random)) {
                alarms.append(DeadlineAlarm(caseID: id, deadline: deadline, kind: kind, dueAt: instants.randomElement(using: &random)!))
            }
            let revision = (revisions[id] ?? 0) + 1
            let change = CaseChange(record: Sample.record(id, revision: revision), expectedRevision: revisions[id], events: [], outbox: [],
                                    idempotency: nil, alarms: alarms)
            try memory.commit(change)
            try sqlite.commit(change)
            revisions[id] = revision
            model[id] = alarms

            let cutoff = instants.randomElement(using: &random)!
            let expected = model.values.joined().filter { $0.dueAt <= cutoff }.sorted { $0.pageKey < $1.pageKey }
            let size = Int.random(in: 1...5, using: &random)
            #expect(try pages(memory, at: cutoff, size: size) == expected, "seed \(seed): in memory, pages of \(size)")
            #expect(try pages(sqlite, at: cutoff, size: size) == expected, "seed \(seed): SQLite, pages of \(size)")
        }
        for id in caseIDs {
            #expect(try memory.archive(caseID: id)?.alarms == sqlite.archive(caseID: id)?.alarms, "seed \(seed): \(id)'s alarms in its archive")
        }
    }

    /// Every alarm due by `now`, read a page of `size` at a time through the cursors the store hands out.
    func pages(_ store: any CaseStore, at now: Date, size: Int) throws -> [DeadlineAlarm] {
        var all: [DeadlineAlarm] = []
        var cursor: PageCursor?
        repeat {
            let page = try store.dueAlarms(at: now, page: PageRequest(after: cursor, limit: size))
            all += page.items
            cursor = page.next
        } while cursor != nil
        return all
    }
}

import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

extension StoreConformance {
    /// Paging: every list read in pages is the whole list, in order, with no item skipped or repeated, even while
    /// others write; cursors a store did not give out and limits out of range are refused.
    static let pagingChecks: [Check] = [
        Check("every list reads whole, in order, page by page") { makeStore, expect in
            let store = try makeStore()
            for id in ["c3", "c1", "c5", "c2", "c4"] { _ = try Fixture.open(store, id) }
            var head = try store.load(caseID: "c1")?.auditHead ?? AuditEvent.genesisHash
            var alarms: [DeadlineAlarm] = []
            for revision in 2...5 {
                let event = Fixture.event("c1", revision, previous: head)
                head = event.hash
                alarms.append(DeadlineAlarm(caseID: "c1", deadline: "d\(revision)", kind: "breach", dueAt: Fixture.at.addingTimeInterval(Double(revision % 2))))
                try store.commit(CaseChange(record: Fixture.record("c1", revision: revision, head: head), expectedRevision: revision - 1, events: [event],
                                            outbox: [Fixture.message("c1/\(revision)/1", case: "c1")], idempotency: nil, alarms: alarms))
            }
            for size in [1, 2, 3, 100] {
                let ids = try pages(size) { (request) throws(StoreError) in try store.caseIDs(page: request) }
                expect.equal(ids.items, ["c1", "c2", "c3", "c4", "c5"], "the case ids in pages of \(size)")
                expect.equal(ids.pages, size >= 5 ? 1 : (5 + size - 1) / size, "pages of \(size) case ids")
                let events = try pages(size) { (request) throws(StoreError) in try store.history(caseID: "c1", page: request) }
                expect.equal(events.items.map(\.sequence), [1, 2, 3, 4, 5], "the history in pages of \(size)")
                let all = try pages(size) { (request) throws(StoreError) in try store.outbox(caseID: nil, page: request) }
                expect.equal(all.items.map(\.id), ["c3/1/1", "c1/1/1", "c5/1/1", "c2/1/1", "c4/1/1", "c1/2/1", "c1/3/1", "c1/4/1", "c1/5/1"],
                             "the whole outbox in pages of \(size)")
                let mine = try pages(size) { (request) throws(StoreError) in try store.outbox(caseID: "c1", page: request) }
                expect.equal(mine.items.map(\.id), ["c1/1/1", "c1/2/1", "c1/3/1", "c1/4/1", "c1/5/1"], "one case's outbox in pages of \(size)")
                let due = try pages(size) { (request) throws(StoreError) in try store.dueAlarms(at: Fixture.at.addingTimeInterval(5), page: request) }
                expect.equal(due.items.map(\.deadline), ["d2", "d4", "d3", "d5"], "the due alarms in pages of \(size)")
            }
            expect.equal(try store.history(caseID: "none", page: PageRequest(limit: 2)), Page(items: [], next: nil), "an unknown case's history")
        },
        Check("a cursor keeps its place while others write") { makeStore, expect in
            let store = try makeStore()
            for id in ["b", "d", "f"] { _ = try Fixture.open(store, id) }
            let first = try store.caseIDs(page: PageRequest(limit: 2))
            expect.equal(first.items, ["b", "d"], "the first page")
            _ = try Fixture.open(store, "a")
            _ = try Fixture.open(store, "c")
            _ = try Fixture.open(store, "e")
            let second = try store.caseIDs(page: PageRequest(after: first.next, limit: 2))
            expect.equal(second.items, ["e", "f"], "the next page after cases were opened before and after the cursor")
            expect.equal(second.next, nil, "the end of the list")
        },
        Check("a cursor the store did not give out, and a page limit out of range, are refused") { makeStore, expect in
            let store = try makeStore()
            _ = try Fixture.open(store, "c1")
            for token in ["", "not a cursor!", "////", PageCursor(key: ["a", "b", "c"]).token] {
                let cursor = PageCursor(token: token)
                expect.throwsStoreError(nil, "history after cursor '\(token)'") { _ = try store.history(caseID: "c1", page: PageRequest(after: cursor)) }
                expect.throwsStoreError(nil, "the outbox after cursor '\(token)'") { _ = try store.outbox(caseID: nil, page: PageRequest(after: cursor)) }
                expect.throwsStoreError(nil, "due alarms after cursor '\(token)'") {
                    _ = try store.dueAlarms(at: Fixture.at, page: PageRequest(after: cursor))
                }
            }
            for limit in [0, -1, PageRequest.largestLimit + 1] {
                expect.throwsStoreError(nil, "a page of \(limit) case ids") { _ = try store.caseIDs(page: PageRequest(limit: limit)) }
                expect.throwsStoreError(nil, "a page of \(limit) events") { _ = try store.history(caseID: "c1", page: PageRequest(limit: limit)) }
            }
        },
    ]

    /// Reads a whole list in pages of `size`, counting the pages.
    private static func pages<Item>(_ size: Int, _ read: (PageRequest) throws(StoreError) -> Page<Item>) throws(StoreError) -> (items: [Item], pages: Int) {
        var items: [Item] = []
        var request = PageRequest(limit: size)
        var count = 0
        while true {
            let page = try read(request)
            count += 1
            items += page.items
            guard let next = page.next else { return (items, count) }
            request.after = next
        }
    }
}

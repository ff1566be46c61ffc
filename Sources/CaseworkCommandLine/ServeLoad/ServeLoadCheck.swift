import Foundation

/// ``ServeLoad``'s check that no update was lost, read back through the API after the load: each shared case's
/// history runs revision 1, 2, 3… with no gap or repeat, every fire a client was told was accepted is in it at the
/// revision its answer gave, it holds no fire no client was told of, and the case's own revision is its history's
/// last; and every case a client was told was opened is there.
enum ServeLoadCheck {
    /// Every disagreement found, one sentence each; empty when none.
    static func lostUpdates(_ connection: ServeLoadConnection, shared: [String], accepted: [Accepted], opened: [String]) throws(ServeLoadFailure) -> [String] {
        var findings: [String] = []
        for id in shared {
            let events = try history(connection, id)
            let revisions = events.compactMap { $0["revision"] as? Int }
            if revisions != Array(1...max(1, events.count)) || revisions.count != events.count {
                findings.append("\(id): the history's revisions are not 1 to \(events.count) one by one: \(revisions)")
            }
            let told = Set(accepted.filter { $0.caseID == id }.map(\.revision))
            let fired = Set(events.filter { $0["subject"] as? String == ServeLoad.repeated }.compactMap { $0["revision"] as? Int })
            for missing in told.subtracting(fired).sorted() { findings.append("\(id): a fire accepted at revision \(missing) is not in the history") }
            for extra in fired.subtracting(told).sorted() { findings.append("\(id): the history holds a fire at revision \(extra) no client was told of") }
            let shown = try connection.send("GET", "/v1/cases/\(id)")
            let revision = (try? JSONSerialization.jsonObject(with: Data(shown.body)) as? [String: Any])?["revision"] as? Int
            if revision != revisions.last { findings.append("\(id): the case is at revision \(revision.map(String.init) ?? "none"), its history at \(revisions.last ?? 0)") }
        }
        for id in opened where try connection.send("GET", "/v1/cases/\(id)").status != 200 {
            findings.append("\(id): opened, but not found afterwards")
        }
        return findings
    }

    /// Every event of the case's history, page after page.
    private static func history(_ connection: ServeLoadConnection, _ id: String) throws(ServeLoadFailure) -> [[String: Any]] {
        var events: [[String: Any]] = []
        var after: String?
        repeat {
            let answer = try connection.send("GET", "/v1/cases/\(id)/history?limit=1000" + (after.map { "&after=\($0)" } ?? ""))
            guard answer.status == 200, let page = (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any],
                  let items = page["events"] as? [[String: Any]] else {
                throw ServeLoadFailure("the history of \(id) was answered \(answer.status): \(String(decoding: answer.body, as: UTF8.self))")
            }
            events += items
            after = page["next"] as? String
        } while after != nil
        return events
    }
}

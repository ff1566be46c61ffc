import CaseworkServer
import Foundation

/// `GET /desk/family/` and `GET /desk/family/cases/{case}`: for a parent, carer or young person, the timeline of each
/// case they may see, in plain words (on `/desk/family/`, the cases of one child under that child's merged timeline,
/// once, when the person may follow the child), and nothing else of the case but what the policy lets them read about it (the
/// details and documents shown to them, and what is withheld and why).
///
/// Which cases and which parts are shown is the API's answer for the person, decided by the policy as for any other
/// client: the family pages only leave out the caseworkers' tools (steps, history, audit).
enum DeskFamilyPage {
    /// How many cases the page shows.
    static let casesShown = 50

    /// The page of every case the person may see, or of the one case `only` names.
    static func page(_ context: DeskContext, _ session: DeskSession, only: String?) async -> HTTPResponse {
        var ids: [String]
        if let only {
            ids = [only]
        } else {
            let list = await context.call(session, "GET", "/v1/cases", query: [("limit", "\(casesShown)")])
            guard list.ok else {
                return DeskHTML.page(title: "Your timelines", session: session,
                                     body: "<h1>Your children's cases</h1>" + DeskHTML.problem(list, heading: "Your cases cannot be shown"), status: list.status)
            }
            ids = (list.object["cases"] as? [[String: Any]] ?? []).compactMap { $0["damage"] == nil ? $0["id"] as? String : nil }
        }
        var body = "<h1>Your children's cases</h1>"
        if ids.isEmpty { body += "<p class=\"empty\">There is no case you may follow here yet.</p>" }
        var shown: [(id: String, answer: DeskAnswer)] = []
        for caseID in ids { shown.append((caseID, await context.call(session, "GET", "/v1/cases/\(caseID)"))) }
        var merged: [String: DeskAnswer] = [:]
        if only == nil {
            for entry in shown {
                guard let child = child(of: entry.answer), merged[child] == nil else { continue }
                merged[child] = await context.call(session, "GET", "/v1/children/\(child)/timeline")
            }
        }
        var drawn: Set<String> = []
        for (index, entry) in shown.enumerated() {
            let caseID = entry.id
            if let child = child(of: entry.answer), let timeline = merged[child], timeline.ok {
                guard drawn.insert(child).inserted else { continue }
                let cases = shown.filter { self.child(of: $0.answer) == child }
                body += await childArticle(context, session, child: child, timeline: timeline.object, cases: cases, prefix: "child-\(index)-")
                continue
            }
            let timeline = await context.call(session, "GET", "/v1/cases/\(caseID)/timeline")
            guard timeline.ok else {
                if only != nil {
                    return DeskHTML.page(title: "Timeline", session: session, body: body + DeskHTML.problem(timeline, heading: "This case cannot be shown"),
                                         status: timeline.status)
                }
                continue
            }
            let story = timeline.object
            let prefix = "case-\(index)-"
            body += "<article class=\"case\" aria-labelledby=\"\(prefix)title\">"
            body += "<h2 id=\"\(prefix)title\"><a href=\"\(Desk.prefix)/family/cases/\(DeskHTML.pathSegment(caseID))\">\(DeskHTML.escape(story["workflow_title"] as? String ?? ""))</a>"
            body += " <span class=\"subtitle\">case \(DeskHTML.escape(caseID))</span></h2>"
            body += about(entry.answer)
            body += DeskTimelineHTML.story(story, headingLevel: 3, idPrefix: prefix)
            body += await DeskDocuments.section(context, session, caseID: caseID, headingLevel: 3, idPrefix: prefix)
            body += "</article>"
        }
        return DeskHTML.page(title: "Your timelines", session: session, body: body)
    }

    /// The child the case belongs to, as the case's answer names it to the person.
    private static func child(of answer: DeskAnswer) -> String? {
        answer.ok ? answer.object["child"] as? String : nil
    }

    /// One child's cases under the child's merged timeline (shown once), each case with what the person may read about
    /// it and its documents.
    private static func childArticle(
        _ context: DeskContext, _ session: DeskSession, child: String, timeline: [String: Any], cases: [(id: String, answer: DeskAnswer)], prefix: String
    ) async -> String {
        let titles = (timeline["cases"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) { titles, story in
            if let id = story["case"] as? String { titles[id] = story["workflow_title"] as? String }
        }
        var html = "<article class=\"case child\" aria-labelledby=\"\(prefix)title\">"
        html += "<h2 id=\"\(prefix)title\">Cases for child \(DeskHTML.escape(child))</h2>"
        html += DeskChildTimelineHTML.story(timeline, headingLevel: 3, idPrefix: prefix)
        for (index, entry) in cases.enumerated() {
            let casePrefix = "\(prefix)case-\(index)-"
            let title = titles[entry.id] ?? entry.answer.object["workflow"] as? String ?? ""
            html += "<section class=\"case\" aria-labelledby=\"\(casePrefix)title\">"
            html += "<h3 id=\"\(casePrefix)title\"><a href=\"\(Desk.prefix)/family/cases/\(DeskHTML.pathSegment(entry.id))\">\(DeskHTML.escape(title))</a>"
            html += " <span class=\"subtitle\">case \(DeskHTML.escape(entry.id))</span></h3>"
            html += about(entry.answer)
            html += await DeskDocuments.section(context, session, caseID: entry.id, headingLevel: 4, idPrefix: casePrefix)
            html += "</section>"
        }
        return html + "</article>"
    }

    /// What the person may read about the case: its details, or what is withheld from them and why.
    private static func about(_ answer: DeskAnswer) -> String {
        guard answer.ok else { return "" }
        let fields = DeskHTML.flatten(answer.object["fields"] as? [String: Any] ?? [:])
        var html = ""
        if !fields.isEmpty {
            html += "<dl class=\"summary about\">" + fields.map { "<dt>\(DeskHTML.escape(DeskHTML.label($0.path)))</dt><dd>\(DeskHTML.escape(DeskHTML.plain($0.value)))</dd>" }.joined() + "</dl>"
        }
        return html + DeskTimelineHTML.withheld(answer.object["withheld"] as? [String] ?? [], reasons: answer.object["reasons"] as? [String] ?? [])
    }
}

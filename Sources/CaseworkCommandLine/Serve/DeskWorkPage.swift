import CaseworkServer
import Foundation

/// `GET /desk/`: the work list of a caseworker or manager, from `GET /v1/worklist` (time limits overdue, due this
/// week and paused; notices owed; forms waiting for acceptance) and the cases it covers, from `GET /v1/cases`, a page
/// of cases at a time.
enum DeskWorkPage {
    /// How many cases one page of the work list covers.
    static let casesPerPage = 50

    /// The page.
    static func page(_ context: DeskContext, _ session: DeskSession) async -> HTTPResponse {
        var query: [(name: String, value: String)] = [("limit", "\(casesPerPage)")]
        if let after = context.request.queryValues("after").first { query.append(("after", after)) }
        let work = await context.call(session, "GET", "/v1/worklist", query: query)
        guard work.ok else {
            return DeskHTML.page(title: "Work list", session: session, body: "<h1>Your work</h1>" + DeskHTML.problem(work, heading: "The work list cannot be shown"),
                                 status: work.status)
        }
        let cases = await context.call(session, "GET", "/v1/cases", query: query)
        let list = work.object
        var body = "<h1>Your work</h1><p class=\"lead\">As of \(DeskHTML.escape(DeskHTML.day(list["as_of"] as? String ?? "")))</p>"
        body += clocks("Overdue", id: "overdue", list["overdue"], empty: "Nothing is overdue.") { entry in
            let days = -(entry["days_left"] as? Int ?? 0)
            return "overdue by \(days) day\(days == 1 ? "" : "s")"
        }
        body += clocks("Due this week", id: "due-this-week", list["due_this_week"], empty: "Nothing falls due in the next 7 days.") { entry in
            let days = entry["days_left"] as? Int ?? 0
            return days == 0 ? "due today" : "\(days) day\(days == 1 ? "" : "s") left"
        }
        body += clocks("Paused", id: "paused", list["paused"], empty: "No time limit is paused.") { entry in
            "paused since \(DeskHTML.day(entry["paused_on"] as? String ?? ""))"
        }
        body += notices(list["notices_owed"] as? [[String: Any]] ?? [])
        body += forms(list["forms_waiting"] as? [[String: Any]] ?? [], session: session)
        body += caseTable(cases)
        if let next = list["next"] as? String {
            let encoded = next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            body += "<p><a href=\"\(Desk.prefix)/?after=\(encoded)\">The next \(casesPerPage) cases</a></p>"
        }
        return DeskHTML.page(title: "Work list", session: session, body: body)
    }

    /// One section of time limits, each with its case, what it is, when it is due and `status` in words.
    private static func clocks(_ title: String, id: String, _ value: Any?, empty: String, status: ([String: Any]) -> String) -> String {
        let entries = value as? [[String: Any]] ?? []
        var html = "<section aria-labelledby=\"\(id)\"><h2 id=\"\(id)\">\(title) <span class=\"count\">(\(entries.count))</span></h2>"
        guard !entries.isEmpty else { return html + "<p class=\"empty\">\(empty)</p></section>" }
        html += "<table><thead><tr><th scope=\"col\">Case</th><th scope=\"col\">Time limit</th><th scope=\"col\">Due</th><th scope=\"col\">Status</th></tr></thead><tbody>"
        for entry in entries {
            let caseID = entry["case"] as? String ?? ""
            html += "<tr><td>\(caseLink(caseID))<br><span class=\"hint\">\(DeskHTML.escape(entry["workflow_title"] as? String ?? "")): \(DeskHTML.escape(entry["state_title"] as? String ?? ""))</span></td>"
            html += "<td>\(DeskHTML.escape(entry["title"] as? String ?? ""))</td><td>\(DeskHTML.escape(DeskHTML.day(entry["due_on"] as? String ?? "")))</td>"
            html += "<td>\(DeskHTML.escape(status(entry)))</td></tr>"
        }
        return html + "</tbody></table></section>"
    }

    private static func notices(_ entries: [[String: Any]]) -> String {
        var html = "<section aria-labelledby=\"notices-owed\"><h2 id=\"notices-owed\">Notices owed <span class=\"count\">(\(entries.count))</span></h2>"
        guard !entries.isEmpty else { return html + "<p class=\"empty\">No notice waits to be sent by another route.</p></section>" }
        html += "<table><thead><tr><th scope=\"col\">Case</th><th scope=\"col\">To</th><th scope=\"col\">Subject</th><th scope=\"col\">Why it is owed</th></tr></thead><tbody>"
        for entry in entries {
            let to = [entry["recipient_role"] as? String, entry["recipient_id"] as? String].compactMap { $0 }.joined(separator: " ")
            html += "<tr><td>\(caseLink(entry["case"] as? String ?? ""))</td><td>\(DeskHTML.escape(to))</td>"
            html += "<td>\(DeskHTML.escape(entry["subject"] as? String ?? ""))</td><td>\(DeskHTML.escape(entry["reason_text"] as? String ?? ""))</td></tr>"
        }
        return html + "</tbody></table></section>"
    }

    /// Each form waiting, with a form to accept it and one to return it (``DeskFormSteps``).
    private static func forms(_ entries: [[String: Any]], session: DeskSession) -> String {
        var html = "<section aria-labelledby=\"forms-waiting\"><h2 id=\"forms-waiting\">Forms waiting for acceptance <span class=\"count\">(\(entries.count))</span></h2>"
        guard !entries.isEmpty else { return html + "<p class=\"empty\">No submitted form waits for you.</p></section>" }
        html += "<table><thead><tr><th scope=\"col\">Case</th><th scope=\"col\">Form</th><th scope=\"col\">From</th><th scope=\"col\">Due</th><th scope=\"col\">Decision</th></tr></thead><tbody>"
        for entry in entries {
            let caseID = entry["case"] as? String ?? "", form = entry["form"] as? String ?? ""
            let from = [entry["recipient_role"] as? String, entry["recipient_id"] as? String].compactMap { $0 }.joined(separator: " ")
            html += "<tr><td>\(caseLink(caseID))</td><td>\(DeskHTML.escape(form))</td>"
            html += "<td>\(DeskHTML.escape(from))</td><td>\(DeskHTML.escape(DeskHTML.day(entry["due_on"] as? String ?? "")))</td>"
            html += "<td>\(DeskFormSteps.controls(caseID: caseID, form: form, session: session))</td></tr>"
        }
        return html + "</tbody></table></section>"
    }

    private static func caseTable(_ answer: DeskAnswer) -> String {
        let cases = answer.object["cases"] as? [[String: Any]] ?? []
        var html = "<section aria-labelledby=\"cases\"><h2 id=\"cases\">Cases <span class=\"count\">(\(cases.count))</span></h2>"
        guard !cases.isEmpty else { return html + "<p class=\"empty\">You may see no case.</p></section>" }
        html += "<table><thead><tr><th scope=\"col\">Case</th><th scope=\"col\">Workflow</th><th scope=\"col\">State</th></tr></thead><tbody>"
        for entry in cases {
            html += "<tr><td>\(caseLink(entry["id"] as? String ?? ""))</td><td>\(DeskHTML.escape(entry["workflow"] as? String ?? entry["damage"] as? String ?? ""))</td>"
            html += "<td>\(DeskHTML.escape(entry["state"] as? String ?? ""))</td></tr>"
        }
        return html + "</tbody></table></section>"
    }

    /// A link to a case's page.
    static func caseLink(_ caseID: String) -> String {
        "<a href=\"\(Desk.prefix)/cases/\(DeskHTML.pathSegment(caseID))\">\(DeskHTML.escape(caseID))</a>"
    }
}

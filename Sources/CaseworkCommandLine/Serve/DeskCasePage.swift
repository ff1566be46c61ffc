import CaseworkEngine
import CaseworkServer
import Foundation

/// `GET /desk/cases/{case}`: one case as the signed-in person may see it — where it is, its time limits with the days
/// left, each step with why it cannot be taken now or a form to take it with its declared input, the forms waiting for
/// the person to accept or return them, its timeline, its documents, its history and the check of its audit chain —
/// from the API's case, timeline, transitions, forms, documents, history and audit answers.
/// `POST /desk/cases/{case}/transitions/{transition}` takes a step through the API's fire route; a form accepted or
/// returned from here or from the work list (``DeskFormSteps``) comes back here to say so, or why not.
enum DeskCasePage {
    /// What the last form on the page came to.
    enum Outcome {
        /// The step of this name was taken.
        case done(String)
        /// The form of this id had the step of this name (`accept` or `reject`) taken on it.
        case formDone(String, String)
        /// The API refused it.
        case refused(DeskAnswer)
    }

    /// The page; a case the person may not see is answered as the API answers it (a refused person learns nothing).
    static func page(_ context: DeskContext, _ session: DeskSession, caseID: String, outcome: Outcome?) async -> HTTPResponse {
        let base = "/v1/cases/\(caseID)"
        let shown = await context.call(session, "GET", base)
        guard shown.ok else {
            return DeskHTML.page(title: "Case", session: session, body: "<h1>Case \(DeskHTML.escape(caseID))</h1>" + DeskHTML.problem(shown, heading: "This case cannot be shown"),
                                 status: shown.status)
        }
        let timeline = await context.call(session, "GET", base + "/timeline")
        let transitions = await context.call(session, "GET", base + "/transitions")
        let history = await context.call(session, "GET", base + "/history", query: [("limit", "1000")])
        let audit = await context.call(session, "GET", base + "/audit")
        let forms = await context.call(session, "GET", base + "/forms")
        let record = shown.object, story = timeline.object
        let now = story["now"] as? [String: Any] ?? [:]
        let revision = (shown.etag ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "\""))

        var body = "<p class=\"crumbs\"><a href=\"\(Desk.prefix)/\">Your work</a></p>"
        body += "<h1>Case \(DeskHTML.escape(caseID)) <span class=\"subtitle\">\(DeskHTML.escape(story["workflow_title"] as? String ?? record["workflow"] as? String ?? ""))</span></h1>"
        switch outcome {
        case .done(let name)?:
            let title = transitions.list.first { $0["name"] as? String == name }?["title"] as? String ?? name
            body += "<div class=\"done\" role=\"status\" tabindex=\"-1\" data-focus><h2>Done</h2><p>\(DeskHTML.escape(title))</p></div>"
        case .formDone(let form, let step)?:
            let words = step == "accept" ? "accepted" : "returned, saying what information is required"
            body += "<div class=\"done\" role=\"status\" tabindex=\"-1\" data-focus><h2>Done</h2><p>Form \(DeskHTML.escape(form)) \(words)</p></div>"
        case .refused(let answer)?:
            body += DeskHTML.problem(answer)
        case nil: break
        }
        body += "<dl class=\"summary\" id=\"where\">"
        if let title = now["title"] as? String {
            body += "<dt>Where it is</dt><dd id=\"state\">\(DeskHTML.escape(title))<span class=\"hint\"> since \(DeskHTML.escape(DeskHTML.day(now["since"] as? String ?? "")))</span></dd>"
        } else if let state = record["state"] as? String {
            body += "<dt>Where it is</dt><dd id=\"state\">\(DeskHTML.escape(state))</dd>"
        }
        if !revision.isEmpty { body += "<dt>Revision</dt><dd>\(DeskHTML.escape(revision))</dd>" }
        if let next = story["next"] as? [String], !next.isEmpty {
            body += "<dt>What can happen next</dt><dd>\(DeskHTML.escape(next.joined(separator: "; ")))</dd>"
        }
        body += "</dl>"
        body += clocks(story)
        body += steps(transitions, caseID: caseID, revision: revision, session: session)
        body += DeskFormSteps.waiting(forms, caseID: caseID, session: session)
        body += DeskTimelineHTML.story(story, headingLevel: 2)
        body += details(record)
        body += await DeskDocuments.section(context, session, caseID: caseID, headingLevel: 2)
        body += historySection(history)
        body += auditSection(audit)
        return DeskHTML.page(title: "Case \(caseID)", session: session, body: body, status: {
            if case .refused(let answer)? = outcome { return answer.status }
            return 200
        }())
    }

    /// Takes the step with the posted form's input, typed by the step's declared input; then the case page again,
    /// saying it was done (after a redirect, so reloading does not post twice) or why not.
    static func fire(_ context: DeskContext, _ session: DeskSession, caseID: String, transition: String) async -> HTTPResponse {
        let form = DeskForm(context.request)
        guard session.accepts(form) else { return DeskSignIn.refusedForm(session) }
        let declared = await context.call(session, "GET", "/v1/cases/\(caseID)/transitions")
        guard declared.ok else { return await page(context, session, caseID: caseID, outcome: .refused(declared)) }
        let step = declared.list.first { $0["name"] as? String == transition } ?? [:]
        var input: [String: Any] = [:]
        for field in step["input"] as? [[String: Any]] ?? [] {
            guard let path = field["field"] as? String, let text = form.value("input.\(path)"), !text.isEmpty else { continue }
            input[path] = DeskFields.json(text, type: field["type"] as? [String: Any] ?? [:])
        }
        var headers: [(name: String, value: String)] = []
        if let revision = form.value("revision"), !revision.isEmpty { headers.append(("If-Match", "\"\(revision)\"")) }
        if let key = form.value("key"), !key.isEmpty { headers.append(("Idempotency-Key", key)) }
        let answer = await context.call(session, "POST", "/v1/cases/\(caseID)/transitions/\(transition)", json: ["input": input], headers: headers)
        guard answer.ok else { return await page(context, session, caseID: caseID, outcome: .refused(answer)) }
        return Desk.redirect("\(Desk.prefix)/cases/\(DeskHTML.pathSegment(caseID))?done=\(DeskHTML.pathSegment(transition))")
    }

    /// The time limits with the days left, as the timeline gives them, or why they are not shown.
    private static func clocks(_ story: [String: Any]) -> String {
        var html = "<section aria-labelledby=\"clocks\"><h2 id=\"clocks\">Time limits</h2>"
        guard let limits = story["time_limits"] as? [[String: Any]] else {
            return html + "<p class=\"withheld\">Not shown to you.</p></section>"
        }
        guard !limits.isEmpty else { return html + "<p class=\"empty\">No time limit has started.</p></section>" }
        html += "<table id=\"clock-table\"><thead><tr><th scope=\"col\">Time limit</th><th scope=\"col\">Due</th><th scope=\"col\">Status</th></tr></thead><tbody>"
        for limit in limits {
            html += "<tr data-clock=\"\(DeskHTML.escape(limit["name"] as? String ?? ""))\"><td>\(DeskHTML.escape(limit["title"] as? String ?? ""))</td>"
            html += "<td>\(DeskHTML.escape(DeskHTML.day(limit["due_on"] as? String ?? "")))</td><td>\(DeskHTML.escape(DeskTimelineHTML.words(limit, dated: true)))</td></tr>"
        }
        return html + "</tbody></table></section>"
    }

    /// Each step: a form to take it when nothing blocks it, else the blockers in plain words.
    private static func steps(_ answer: DeskAnswer, caseID: String, revision: String, session: DeskSession) -> String {
        var html = "<section aria-labelledby=\"steps\"><h2 id=\"steps\">Steps</h2>"
        guard answer.ok else { return html + "<p class=\"withheld\">\(DeskHTML.escape(answer.object["detail"] as? String ?? "Not shown to you."))</p></section>" }
        // A step blocked only for want of the input its form asks for (a required value, or a guard that reads one)
        // may be taken by filling the form in; the fire route says why not if it still cannot.
        func takeable(_ step: [String: Any]) -> Bool {
            let codes = (step["blockers"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            let asksInput = !(step["input"] as? [Any] ?? []).isEmpty
            return codes.allSatisfy { $0 == TransitionBlocker.Code.missingInput.rawValue || (asksInput && $0 == TransitionBlocker.Code.guardUndecided.rawValue) }
        }
        let open = answer.list.filter(takeable)
        let blocked = answer.list.filter { !takeable($0) }
        if open.isEmpty { html += "<p class=\"empty\">No step can be taken now.</p>" }
        for step in open {
            let name = step["name"] as? String ?? ""
            let id = "step-\(name)"
            html += "<form class=\"step stack\" method=\"post\" action=\"\(Desk.prefix)/cases/\(DeskHTML.pathSegment(caseID))/transitions/\(DeskHTML.pathSegment(name))\" aria-labelledby=\"\(id)\">"
            html += "<h3 id=\"\(id)\">\(DeskHTML.escape(step["title"] as? String ?? name))</h3>"
            if let to = step["to"] as? String { html += "<p class=\"hint\">Moves the case to: \(DeskHTML.escape(to))</p>" }
            html += "<input type=\"hidden\" name=\"\(DeskSession.csrfField)\" value=\"\(session.csrfToken)\">"
            html += "<input type=\"hidden\" name=\"revision\" value=\"\(DeskHTML.escape(revision))\">"
            html += "<input type=\"hidden\" name=\"key\" value=\"\(UUID().uuidString.lowercased())\">"
            for field in step["input"] as? [[String: Any]] ?? [] {
                html += DeskFields.control(field, formID: name)
            }
            html += "<button type=\"submit\">\(DeskHTML.escape(step["title"] as? String ?? name))</button></form>"
        }
        if !blocked.isEmpty {
            html += "<details class=\"blocked\"><summary>\(blocked.count) step\(blocked.count == 1 ? "" : "s") that cannot be taken now, and why</summary><ul>"
            for step in blocked {
                let reasons = (step["blockers"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
                html += "<li><strong>\(DeskHTML.escape(step["title"] as? String ?? ""))</strong><ul>"
                html += reasons.map { "<li>\(DeskHTML.escape($0))</li>" }.joined() + "</ul></li>"
            }
            html += "</ul></details>"
        }
        return html + "</section>"
    }

    /// The case's fields as the person may see them, and what is withheld from them and why.
    private static func details(_ record: [String: Any]) -> String {
        var html = "<section aria-labelledby=\"details\"><h2 id=\"details\">Details</h2>"
        let fields = DeskHTML.flatten(record["fields"] as? [String: Any] ?? [:])
        if fields.isEmpty {
            html += "<p class=\"empty\">No detail is shown to you.</p>"
        } else {
            html += "<dl class=\"summary\">" + fields.map { "<dt>\(DeskHTML.escape(DeskHTML.label($0.path)))</dt><dd>\(DeskHTML.escape(DeskHTML.plain($0.value)))</dd>" }.joined() + "</dl>"
        }
        html += DeskTimelineHTML.withheld(record["withheld"] as? [String] ?? [], reasons: record["reasons"] as? [String] ?? [])
        return html + "</section>"
    }

    private static func historySection(_ answer: DeskAnswer) -> String {
        var html = "<section aria-labelledby=\"history\"><h2 id=\"history\">History</h2>"
        guard answer.ok else { return html + "<p class=\"withheld\">\(DeskHTML.escape(answer.object["detail"] as? String ?? "Not shown to you."))</p></section>" }
        let events = answer.object["events"] as? [[String: Any]] ?? []
        html += "<table><thead><tr><th scope=\"col\">#</th><th scope=\"col\">When</th><th scope=\"col\">Who</th><th scope=\"col\">What</th><th scope=\"col\">State</th></tr></thead><tbody>"
        for event in events {
            let from = event["from_state"] as? String
            let state = from.map { "\($0) → " } ?? ""
            html += "<tr><td>\(DeskHTML.plain(event["sequence"]))</td><td>\(DeskHTML.escape(DeskHTML.plain(event["at"])))</td>"
            html += "<td>\(DeskHTML.escape(DeskHTML.plain(event["actor"])))\(viaText(event["via"]))</td><td>\(DeskHTML.escape([event["action"] as? String, event["subject"] as? String].compactMap { $0 }.joined(separator: ": ")))</td>"
            html += "<td>\(DeskHTML.escape(state + DeskHTML.plain(event["to_state"])))</td></tr>"
        }
        return html + "</tbody></table></section>"
    }

    /// What an event's actor came through, as the Who column shows it on a line under the actor (`via service NAME`,
    /// `via issuer ISS`); empty for a step taken directly.
    private static func viaText(_ via: Any?) -> String {
        guard let via = via as? [String: Any], let kind = via["kind"] as? String, let name = via["name"] as? String else { return "" }
        return "<br><span class=\"via\">via \(DeskHTML.escape(kind)) \(DeskHTML.escape(name))</span>"
    }

    private static func auditSection(_ answer: DeskAnswer) -> String {
        var html = "<section aria-labelledby=\"audit\"><h2 id=\"audit\">Audit check</h2>"
        guard answer.ok else { return html + "<p class=\"withheld\">\(DeskHTML.escape(answer.object["detail"] as? String ?? "Not shown to you."))</p></section>" }
        let holds = answer.object["holds"] as? Bool == true
        html += "<p class=\"\(holds ? "holds" : "broken")\" id=\"audit-result\"><strong>\(holds ? "Holds" : "Does not hold")</strong>: "
        html += "\(DeskHTML.escape(answer.object["finding"] as? String ?? ""))</p>"
        let via = (answer.object["via"] as? [[String: Any]] ?? []).map { entry in
            "<li>\(DeskHTML.plain(entry["events"])) through \(DeskHTML.escape(DeskHTML.plain(entry["kind"]))) \(DeskHTML.escape(DeskHTML.plain(entry["name"])))</li>"
        }
        if !via.isEmpty { html += "<p>Events that came through a service or an identity provider:</p><ul id=\"audit-via\">\(via.joined())</ul>" }
        return html + "</section>"
    }
}

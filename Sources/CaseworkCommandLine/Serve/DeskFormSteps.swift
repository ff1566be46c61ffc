import CaseworkServer
import Foundation

/// Accepting or returning a submitted form from the desk: the work list's forms waiting, and a case page's (from
/// `GET /v1/cases/{case}/forms`, only the forms the person may accept), carry an Accept form and a
/// Return form (with the information required, which the API needs), posted to
/// `POST /desk/cases/{case}/forms/{form}/accept|reject` and sent on to the API's form routes with the signed-in
/// person's credential. The API decides who may accept; its refusal is drawn on the case page, as a refused step is.
enum DeskFormSteps {
    /// The two form steps the desk offers, as the API names them.
    static let steps = ["accept", "reject"]

    /// The Accept and Return forms for form `form` of case `caseID`, each carrying the session's anti-forgery token
    /// and a fresh idempotency key.
    static func controls(caseID: String, form: String, session: DeskSession) -> String {
        let base = "\(Desk.prefix)/cases/\(DeskHTML.pathSegment(caseID))/forms/\(DeskHTML.pathSegment(form))"
        let hidden = "<input type=\"hidden\" name=\"\(DeskSession.csrfField)\" value=\"\(session.csrfToken)\">"
        let id = DeskHTML.escape("reason-\(caseID)-\(form)")
        var html = "<form class=\"form-step\" method=\"post\" action=\"\(base)/accept\">\(hidden)"
        html += "<input type=\"hidden\" name=\"key\" value=\"\(UUID().uuidString.lowercased())\">"
        html += "<button type=\"submit\" aria-label=\"Accept \(DeskHTML.escape(form)) on case \(DeskHTML.escape(caseID))\">Accept</button></form>"
        html += "<form class=\"form-step stack\" method=\"post\" action=\"\(base)/reject\">\(hidden)"
        html += "<input type=\"hidden\" name=\"key\" value=\"\(UUID().uuidString.lowercased())\">"
        html += "<div class=\"field\"><label for=\"\(id)\">What information is required</label><textarea id=\"\(id)\" name=\"reason\" rows=\"2\" required></textarea></div>"
        html += "<button type=\"submit\" aria-label=\"Return \(DeskHTML.escape(form)) on case \(DeskHTML.escape(caseID))\">Return</button></form>"
        return html
    }

    /// The case page's section of forms waiting for the person, from the API's `GET /v1/cases/{case}/forms`: each form
    /// with who it is from, when it is due and the Accept and Return forms. Nothing at all when the API names no form
    /// (the person may accept none), so the page says nothing of forms to someone who may not take a form step.
    static func waiting(_ answer: DeskAnswer, caseID: String, session: DeskSession) -> String {
        let forms = answer.ok ? answer.object["waiting"] as? [[String: Any]] ?? [] : []
        guard !forms.isEmpty else { return "" }
        var html = "<section aria-labelledby=\"case-forms-waiting\"><h2 id=\"case-forms-waiting\">Forms waiting for acceptance <span class=\"count\">(\(forms.count))</span></h2>"
        html += "<table><thead><tr><th scope=\"col\">Form</th><th scope=\"col\">From</th><th scope=\"col\">Due</th><th scope=\"col\">Decision</th></tr></thead><tbody>"
        for entry in forms {
            let form = entry["form"] as? String ?? ""
            let from = [entry["recipient_role"] as? String, entry["recipient_id"] as? String].compactMap { $0 }.joined(separator: " ")
            html += "<tr data-form=\"\(DeskHTML.escape(form))\"><td>\(DeskHTML.escape(form))</td><td>\(DeskHTML.escape(from))</td>"
            html += "<td>\(DeskHTML.escape(DeskHTML.day(entry["due_on"] as? String ?? "")))</td><td>\(controls(caseID: caseID, form: form, session: session))</td></tr>"
        }
        return html + "</tbody></table></section>"
    }

    /// Takes `step` on the form through the API; then the case page saying so (after a redirect, so reloading does
    /// not post twice), or the case page with the API's refusal at its status.
    static func take(_ context: DeskContext, _ session: DeskSession, caseID: String, form: String, step: String) async -> HTTPResponse {
        let posted = DeskForm(context.request)
        guard session.accepts(posted) else { return DeskSignIn.refusedForm(session) }
        var headers: [(name: String, value: String)] = []
        if let key = posted.value("key"), !key.isEmpty { headers.append(("Idempotency-Key", key)) }
        let body: [String: Any]? = step == "reject" ? ["reason": posted.value("reason") ?? ""] : nil
        let answer = await context.call(session, "POST", "/v1/cases/\(caseID)/forms/\(form)/\(step)", json: body, headers: headers)
        guard answer.ok else { return await DeskCasePage.page(context, session, caseID: caseID, outcome: .refused(answer)) }
        let query = "form=\(DeskHTML.pathSegment(form))&step=\(DeskHTML.pathSegment(step))"
        return Desk.redirect("\(Desk.prefix)/cases/\(DeskHTML.pathSegment(caseID))?\(query)")
    }
}

import CaseworkServer
import Foundation

/// Signing in to the desk and out of it: a form that takes the credential a program would send the API, checks it
/// with one API call, and keeps it in the desk's cookie (``DeskSession``).
enum DeskSignIn {
    /// `GET /desk/sign-in`: the form.
    static func form(_ context: DeskContext, problem: String = "", status: Int = 200) -> HTTPResponse {
        let body = """
        <h1>Sign in to the case desk</h1>
        \(problem)
        <form class="stack" method="post" action="\(Desk.prefix)/sign-in">
        <div class="field"><label for="token">Bearer token</label>
        <p class="hint" id="token-hint">The token you were given: a sign-in token from the council's identity provider, or the token of a service that signs its people in itself.</p>
        <input id="token" name="token" type="password" autocomplete="off" required aria-describedby="token-hint"></div>
        <div class="field"><label for="act_as">Acting for <span class="optional">(only with a service's token)</span></label>
        <p class="hint" id="act_as-hint">The person the service signed in, as ROLE:ID, such as caseworker:amy or parent:jo.</p>
        <input id="act_as" name="act_as" type="text" autocomplete="off" spellcheck="false" aria-describedby="act_as-hint"></div>
        <div class="field"><label for="attributes">Their attributes <span class="optional">(only with a service's token)</span></label>
        <p class="hint" id="attributes-hint">One NAME=VALUE on each line, such as relationship=caseworker.</p>
        <textarea id="attributes" name="attributes" rows="3" spellcheck="false" aria-describedby="attributes-hint"></textarea></div>
        <fieldset class="field"><legend>What to open</legend>
        <div class="choice"><input id="desk-work" type="radio" name="desk" value="work" checked><label for="desk-work">The case desk: work list and cases (caseworkers and managers)</label></div>
        <div class="choice"><input id="desk-family" type="radio" name="desk" value="family"><label for="desk-family">My children's timelines (parents, carers and young people)</label></div>
        </fieldset>
        <button type="submit">Sign in</button>
        </form>
        """
        return DeskHTML.page(title: "Sign in", session: nil, body: body, status: status)
    }

    /// `POST /desk/sign-in`: checks the credential by listing one case with it, as any client would, and keeps it in
    /// the cookie when the API lets it in; otherwise the form again, saying why, with the API's status.
    static func signIn(_ context: DeskContext) async -> HTTPResponse {
        let form = DeskForm(context.request)
        let token = (form.value("token") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let attributes = (form.value("attributes") ?? "").split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let session = DeskSession(token: token, actAs: (form.value("act_as") ?? "").trimmingCharacters(in: .whitespaces), attributes: attributes,
                                  family: form.value("desk") == "family")
        guard !token.isEmpty else {
            let missing = DeskAnswer(status: 401, json: ["detail": "Give the token you were given."])
            return Self.form(context, problem: DeskHTML.problem(missing, heading: "You are not signed in"), status: 401)
        }
        let answer = await context.call(session, "GET", "/v1/cases", query: [("limit", "1")])
        guard answer.ok else { return Self.form(context, problem: DeskHTML.problem(answer, heading: "You are not signed in"), status: answer.status) }
        return Desk.redirect("\(Desk.prefix)/", headers: [session.setCookie(secure: context.secure)])
    }

    /// `POST /desk/sign-out`: forgets the cookie; the form must come from a desk page of the same session.
    static func signOut(_ context: DeskContext) -> HTTPResponse {
        if let session = context.session, !session.accepts(DeskForm(context.request)) { return refusedForm(session) }
        return Desk.redirect("\(Desk.prefix)/sign-in", headers: [DeskSession.clearCookie(secure: context.secure)])
    }

    /// 403 for a form that did not come from one of this session's desk pages.
    static func refusedForm(_ session: DeskSession) -> HTTPResponse {
        DeskHTML.page(title: "Form refused", session: session,
                      body: "<h1>That form was refused</h1><p>It did not come from a page of your desk. <a href=\"\(Desk.prefix)/\">Back to the desk</a></p>",
                      status: 403)
    }
}

import Foundation
import Testing
@testable import CaseworkCommandLine

/// A browser on the case desk, as far as a test needs one: it keeps the desk's cookie and posts forms.
struct DeskBrowser {
    let server: TestServer
    var cookie: String?

    /// The page at `path`, with the cookie when signed in.
    func get(_ path: String) async throws -> RawResponse {
        try await server.send("GET", path, token: nil, headers: cookie.map { [("Cookie", $0)] } ?? [])
    }

    /// Posts `fields` form-encoded to `path`, as a browser sends a form.
    func post(_ path: String, _ fields: [(String, String)]) async throws -> RawResponse {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
        var headers = [("Content-Type", "application/x-www-form-urlencoded")]
        if let cookie { headers.append(("Cookie", cookie)) }
        let port = server.port, sent = headers
        return try await offPool { try RawHTTP.request(port: port, method: "POST", path: path, headers: sent, body: Array(body.utf8)) }
    }

    /// Signs in with the portal's token acting for `actAs`; the cookie is kept.
    mutating func signIn(_ actAs: String, relationship: String, family: Bool = false, token: String = Tokens.portal) async throws -> RawResponse {
        let response = try await post("/desk/sign-in", [("token", token), ("act_as", actAs),
                                                         ("attributes", "relationship=\(relationship)\nsecond_factor_verified=true"),
                                                         ("desk", family ? "family" : "work")])
        if let set = response.header("Set-Cookie") { cookie = String(set.prefix { $0 != ";" }) }
        return response
    }

    /// The hidden value a page's forms carry as `name`.
    static func hidden(_ page: RawResponse, _ name: String) -> String? {
        guard let range = page.text.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(page.text[range.upperBound...].prefix { $0 != "\"" })
    }
}

/// The case desk: pages drawn on the server from the API's answers for the signed-in person, forms that go through
/// the API's routes, and nothing shown that the API would not answer.
@Suite struct DeskTests {
    @Test func theSignInFormAndTheAssetsNeedNoTokenAndEveryOtherPageNeedsASignIn() async throws {
        let server = try await TestServer.start()
        let browser = DeskBrowser(server: server)
        let form = try await browser.get("/desk/sign-in")
        #expect(form.status == 200)
        #expect(form.header("Content-Type") == "text/html; charset=utf-8")
        #expect(form.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
        #expect(form.text.contains("<label for=\"token\">"))
        for (path, type) in [("/desk/desk.css", "text/css; charset=utf-8"), ("/desk/desk.js", "text/javascript; charset=utf-8"),
                             ("/desk/favicon.svg", "image/svg+xml")] {
            let asset = try await browser.get(path)
            #expect(asset.status == 200 && asset.header("Content-Type") == type && !asset.body.isEmpty, "\(path)")
        }
        for path in ["/desk/", "/desk", "/desk/cases/c1", "/desk/family/"] {
            let page = try await browser.get(path)
            #expect(page.status == 303 && page.header("Location") == "/desk/sign-in", "\(path): \(page.status)")
        }
        #expect(try await browser.get("/v1/cases").status == 401, "the API still needs its token")
    }

    @Test(arguments: [("wrong-token", "caseworker:amy", 401), (Tokens.portal, "school:x", 403), (Tokens.portal, "caseworker:", 422)])
    func aSignInTheAPIRefusesKeepsNoCookieAndSaysWhy(token: String, actAs: String, status: Int) async throws {
        let server = try await TestServer.start()
        var browser = DeskBrowser(server: server)
        let response = try await browser.signIn(actAs, relationship: "caseworker", token: token)
        #expect(response.status == status, "\(response.text)")
        #expect(response.header("Set-Cookie") == nil)
        #expect(response.text.contains("You are not signed in"))
    }

    @Test func aCaseworkerSeesTheWorkListAndTakesAStepThroughTheAPI() async throws {
        let server = try await TestServer.start()
        try await Desks.open(server, "c1", daysAgo: 38, summary: "<script>alert('x')</script>")
        var browser = DeskBrowser(server: server)
        let signedIn = try await browser.signIn("caseworker:amy", relationship: "caseworker")
        #expect(signedIn.status == 303 && signedIn.header("Location") == "/desk/")
        #expect(signedIn.header("Set-Cookie")?.contains("HttpOnly; SameSite=Strict") == true)

        let work = try await browser.get("/desk/")
        #expect(work.status == 200, "\(work.text)")
        #expect(work.text.contains("Due this week <span class=\"count\">(1)</span>"), "\(work.text)")
        #expect(work.text.contains("href=\"/desk/cases/c1\""))

        let page = try await browser.get("/desk/cases/c1")
        #expect(page.status == 200, "\(page.text)")
        #expect(page.text.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") && !page.text.contains("<script>alert"))
        #expect(page.text.contains("action=\"/desk/cases/c1/transitions/acknowledge_request\""))
        #expect(page.text.contains("case is in &#39;requested&#39;, not &#39;deciding_to_assess&#39;"), "a blocked step says why")
        let csrf = try #require(DeskBrowser.hidden(page, "csrf"))
        let revision = try #require(DeskBrowser.hidden(page, "revision"))
        #expect(revision == "1")

        let forged = try await browser.post("/desk/cases/c1/transitions/acknowledge_request", [("csrf", "forged"), ("revision", revision)])
        #expect(forged.status == 403)
        #expect(try await server.send("GET", "/v1/cases/c1").object["state"] as? String == "requested", "a forged form changes nothing")

        let fired = try await browser.post("/desk/cases/c1/transitions/acknowledge_request", [("csrf", csrf), ("revision", revision), ("key", "k1")])
        #expect(fired.status == 303 && fired.header("Location") == "/desk/cases/c1?done=acknowledge_request", "\(fired.text)")
        #expect(try await server.send("GET", "/v1/cases/c1").object["state"] as? String == "deciding_to_assess")
        let after = try await browser.get("/desk/cases/c1?done=acknowledge_request")
        #expect(after.text.contains("<h2>Done</h2><p>Acknowledge the request and start considering it</p>"))
        #expect(after.text.contains("Deciding whether to assess"))
        #expect(after.text.contains("fired: acknowledge_request"), "the history shows the step")
        #expect(after.text.contains("<strong>Holds</strong>"), "the audit check holds")

        let stale = try await browser.post("/desk/cases/c1/transitions/record_evidence",
                                           [("csrf", csrf), ("revision", revision), ("input.evidence_complete", "true")])
        #expect(stale.status == 409, "a form from an old page is refused: \(stale.text)")
        let bad = try await browser.post("/desk/cases/c1/transitions/record_evidence", [("csrf", csrf), ("input.evidence_complete", "maybe")])
        #expect(bad.status == 422 && bad.text.contains("evidence_complete: expected a bool"), "\(bad.text)")
        let good = try await browser.post("/desk/cases/c1/transitions/record_evidence", [("csrf", csrf), ("input.evidence_complete", "true")])
        #expect(good.status == 303, "\(good.text)")
        #expect(try await server.send("GET", "/v1/cases/c1").object["fields"].flatMap { ($0 as? [String: Any])?["evidence_complete"] as? Bool } == true)
    }

    /// The status of form `form` on case `id`, as the operator reads it.
    static func formStatus(_ server: TestServer, _ id: String, _ form: String) async throws -> String? {
        let forms = try await server.send("GET", "/v1/cases/\(id)").object["forms"] as? [[String: Any]]
        return forms?.first { $0["id"] as? String == form }?["status"] as? String
    }

    @Test func aCaseworkerAcceptsAndReturnsSubmittedFormsFromTheWorkListAndAForgedFormChangesNothing() async throws {
        let server = try await TestServer.start()
        for id in ["f1", "f2"] {
            try await ServeFormRouteTests.gatheringAdvice(server, id)
            let submitted = try await server.send("POST", "/v1/cases/\(id)/forms/professional-advice-1/submit", json: ServeFormRouteTests.answers)
            #expect(submitted.status == 200, "\(submitted.text)")
        }
        var amy = DeskBrowser(server: server)
        _ = try await amy.signIn("caseworker:amy", relationship: "caseworker")
        let work = try await amy.get("/desk/")
        #expect(work.text.contains("action=\"/desk/cases/f1/forms/professional-advice-1/accept\""), "\(work.text)")
        #expect(work.text.contains("action=\"/desk/cases/f2/forms/professional-advice-1/reject\""))
        #expect(work.text.contains("<label for=\"reason-f2-professional-advice-1\">What information is required</label>"))
        let csrf = try #require(DeskBrowser.hidden(work, "csrf"))

        let forged = try await amy.post("/desk/cases/f1/forms/professional-advice-1/accept", [("csrf", "forged")])
        #expect(forged.status == 403)
        #expect(try await Self.formStatus(server, "f1", "professional-advice-1") == "submitted", "a forged form changes nothing")

        let accepted = try await amy.post("/desk/cases/f1/forms/professional-advice-1/accept", [("csrf", csrf), ("key", "a1")])
        #expect(accepted.status == 303 && accepted.header("Location") == "/desk/cases/f1?form=professional-advice-1&step=accept", "\(accepted.text)")
        #expect(try await Self.formStatus(server, "f1", "professional-advice-1") == "accepted")
        let said = try await amy.get("/desk/cases/f1?form=professional-advice-1&step=accept")
        #expect(said.text.contains("<h2>Done</h2><p>Form professional-advice-1 accepted</p>"), "\(said.text)")

        let noReason = try await amy.post("/desk/cases/f2/forms/professional-advice-1/reject", [("csrf", csrf), ("reason", " ")])
        #expect(noReason.status == 422 && noReason.text.contains("reason: is required"), "\(noReason.text)")
        #expect(try await Self.formStatus(server, "f2", "professional-advice-1") == "submitted")
        let returned = try await amy.post("/desk/cases/f2/forms/professional-advice-1/reject", [("csrf", csrf), ("reason", "Say how many hours of support")])
        #expect(returned.status == 303, "\(returned.text)")
        let forms = try await server.send("GET", "/v1/cases/f2").object["forms"] as? [[String: Any]]
        let form = try #require(forms?.first { $0["id"] as? String == "professional-advice-1" })
        #expect(form["status"] as? String == "rejected" && form["information_required"] as? String == "Say how many hours of support")
    }

    /// A caseworker the form is `accepted_by` finds it on the case's own page with the Accept and Return forms, and
    /// accepting it there leaves the page without it; a manager or a parent sees no form on the page at all.
    @Test func aCaseworkerAcceptsASubmittedFormFromTheCasePageAndNoOneElseIsShownIt() async throws {
        let server = try await TestServer.start()
        try await ServeFormRouteTests.gatheringAdvice(server, "f1")
        try await Desks.grant(server, "f1", "jo", "full")
        #expect(try await server.send("POST", "/v1/cases/f1/forms/professional-advice-1/submit", json: ServeFormRouteTests.answers).status == 200)

        for (actAs, relationship) in [("send_manager:pat", "caseworker"), ("parent:jo", "parent")] {
            var browser = DeskBrowser(server: server)
            _ = try await browser.signIn(actAs, relationship: relationship)
            let page = try await browser.get("/desk/cases/f1")
            #expect(page.status == 200, "\(actAs): \(page.text)")
            #expect(!page.text.contains("Forms waiting") && !page.text.contains("/forms/professional-advice-1/"), "\(actAs): \(page.text)")
        }

        var amy = DeskBrowser(server: server)
        _ = try await amy.signIn("caseworker:amy", relationship: "caseworker")
        let page = try await amy.get("/desk/cases/f1")
        #expect(page.status == 200)
        #expect(page.text.contains("<h2 id=\"case-forms-waiting\">Forms waiting for acceptance"), "\(page.text)")
        #expect(page.text.contains("action=\"/desk/cases/f1/forms/professional-advice-1/accept\""))
        #expect(page.text.contains("action=\"/desk/cases/f1/forms/professional-advice-1/reject\""))
        let csrf = try #require(DeskBrowser.hidden(page, "csrf"))
        let accepted = try await amy.post("/desk/cases/f1/forms/professional-advice-1/accept", [("csrf", csrf), ("key", "case-page-1")])
        #expect(accepted.status == 303 && accepted.header("Location") == "/desk/cases/f1?form=professional-advice-1&step=accept", "\(accepted.text)")
        #expect(try await Self.formStatus(server, "f1", "professional-advice-1") == "accepted")
        let after = try await amy.get("/desk/cases/f1?form=professional-advice-1&step=accept")
        #expect(after.text.contains("<h2>Done</h2><p>Form professional-advice-1 accepted</p>"))
        #expect(!after.text.contains("case-forms-waiting"), "\(after.text)")
    }

    /// A manager is not among the form's `accepted_by` (the API answers the step blocked, 422); a parent may not take
    /// it at all (403).
    @Test(arguments: [("send_manager:pat", "caseworker", false, 422), ("parent:jo", "parent", true, 403)])
    func someoneThePolicyRefusesSeesTheRefusalAndTheFormIsUnchanged(actAs: String, relationship: String, family: Bool, status: Int) async throws {
        let server = try await TestServer.start()
        try await ServeFormRouteTests.gatheringAdvice(server, "f1")
        try await Desks.grant(server, "f1", "jo", "full")
        #expect(try await server.send("POST", "/v1/cases/f1/forms/professional-advice-1/submit", json: ServeFormRouteTests.answers).status == 200)
        var browser = DeskBrowser(server: server)
        _ = try await browser.signIn(actAs, relationship: relationship, family: family)
        let csrf = try #require(DeskBrowser.hidden(try await browser.get(family ? "/desk/family/" : "/desk/"), "csrf"))
        let refused = try await browser.post("/desk/cases/f1/forms/professional-advice-1/accept", [("csrf", csrf)])
        #expect(refused.status == status, "\(refused.text)")
        #expect(refused.text.contains("class=\"problem\" role=\"alert\""), "\(refused.text)")
        #expect(try await Self.formStatus(server, "f1", "professional-advice-1") == "submitted")
    }

    @Test func aParentSeesTheirChildsTimelineAndALimitedParentNotWhatIsWithheld() async throws {
        let server = try await TestServer.start()
        try await Desks.open(server, "c1", child: "Sam", parent: "jo", daysAgo: 10)
        try await Desks.open(server, "c2", child: "Alex", parent: "kim", daysAgo: 10)
        try await Desks.grant(server, "c1", "jo", "full")
        try await Desks.grant(server, "c2", "kim", "limited")

        var jo = DeskBrowser(server: server)
        #expect(try await jo.signIn("parent:jo", relationship: "parent", family: true).status == 303)
        #expect(try await jo.get("/desk/").header("Location") == "/desk/family/")
        let full = try await jo.get("/desk/family/")
        #expect(full.status == 200)
        #expect(full.text.contains("Sam") && full.text.contains("Request received") && full.text.contains("Messages to you"))
        #expect(!full.text.contains("Alex") && !full.text.contains("<form class=\"step"))

        var kim = DeskBrowser(server: server)
        #expect(try await kim.signIn("parent:kim", relationship: "parent", family: true).status == 303)
        let limited = try await kim.get("/desk/family/")
        #expect(limited.status == 200)
        #expect(limited.text.contains("Not shown to you:</strong> the fields of the case"), "\(limited.text)")
        #expect(limited.text.contains("Request received"))
        #expect(!limited.text.contains("Alex") && !limited.text.contains("Sam"))

        for path in ["/desk/family/cases/c1", "/desk/cases/c1"] {
            let other = try await kim.get(path)
            #expect(other.status == 403, "\(path): \(other.status)")
            #expect(!other.text.contains("Sam"))
        }
        let missing = try await kim.get("/desk/family/cases/no-such-case")
        #expect(missing.status == 403, "a case that does not exist is answered as one the parent may not see")
    }

    /// Adds, as a caseworker through the API, a draft plan of sections A and K and an advice report to case `id`.
    static func addDocuments(_ server: TestServer, _ id: String) async throws {
        for (kind, section, text) in [("draft_plan", "A", "Sam loves trains.\n"), ("draft_plan", "K", "Advice from the educational psychologist.\n"),
                                      ("advice_report", nil, "<b>Speech and language</b> report.\n")] {
            let query = section.map { "?section=\($0)" } ?? ""
            let added = try await server.send("POST", "/v1/cases/\(id)/documents/\(kind)\(query)", token: Tokens.portal,
                                              headers: Desks.caseworker + [("Content-Type", "text/markdown")], raw: Array(text.utf8))
            #expect(added.status == 201, "\(added.text)")
        }
    }

    @Test func theCaseShowsEachPersonTheDocumentsAndSectionsTheAPIGivesThemAndNoMore() async throws {
        let server = try await TestServer.start()
        try await Desks.open(server, "c1", child: "Sam", parent: "jo", daysAgo: 10)
        try await Desks.grant(server, "c1", "jo", "full")
        try await Desks.grant(server, "c1", "kim", "limited")
        try await Self.addDocuments(server, "c1")
        let k = "/desk/cases/c1/documents/draft_plan/content?version=2&amp;section=K"
        let a = "/desk/cases/c1/documents/draft_plan/content?version=2&amp;section=A"
        let report = "/desk/cases/c1/documents/advice_report/content?version=1"

        var amy = DeskBrowser(server: server)
        _ = try await amy.signIn("caseworker:amy", relationship: "caseworker")
        let staff = try await amy.get("/desk/cases/c1")
        #expect(staff.status == 200, "\(staff.text)")
        #expect(staff.text.contains("<h3>Draft EHC plan</h3>") && staff.text.contains("<h3>Advice report</h3>"), "\(staff.text)")
        #expect(staff.text.contains("<dt>Added by</dt><dd>caseworker:amy</dd>"))
        #expect(staff.text.contains(">Read section K</a>") && staff.text.contains(">Read the whole document</a>"))
        for link in [a, k, report] { #expect(staff.text.contains("href=\"\(link)\""), "\(link)") }
        #expect(!staff.text.contains("Sam loves trains") && !staff.text.contains("<b>Speech"), "no part is drawn into the page")

        let read = try await amy.get(report.replacingOccurrences(of: "&amp;", with: "&"))
        #expect(read.status == 200 && read.text == "<b>Speech and language</b> report.\n", "\(read.text)")
        #expect(read.header("Content-Type") == "text/markdown" && read.header("Content-Disposition") == "attachment")
        #expect(read.header("X-Content-Type-Options") == "nosniff" && read.header("Content-Security-Policy") == "sandbox")
        #expect(read.header("Cache-Control") == "no-store")

        var jo = DeskBrowser(server: server)
        _ = try await jo.signIn("parent:jo", relationship: "parent", family: true)
        for path in ["/desk/family/", "/desk/family/cases/c1"] {
            let full = try await jo.get(path)
            #expect(full.status == 200, "\(full.text)")
            for link in [a, k, report] { #expect(full.text.contains("href=\"\(link)\""), "\(path): \(link)") }
        }

        var kim = DeskBrowser(server: server)
        _ = try await kim.signIn("parent:kim", relationship: "parent", family: true)
        for path in ["/desk/family/", "/desk/family/cases/c1", "/desk/cases/c1"] {
            let limited = try await kim.get(path)
            #expect(limited.status == 200, "\(path): \(limited.text)")
            #expect(limited.text.contains("href=\"\(a)\""), "\(path)")
            #expect(limited.text.contains("Section K: not shown to you"), "\(path)")
            #expect(!limited.text.contains(k) && !limited.text.contains("Advice report") && !limited.text.contains("advice_report"), "\(path)")
        }
        let section = try await kim.get(a.replacingOccurrences(of: "&amp;", with: "&"))
        #expect(section.status == 200 && section.text == "Sam loves trains.\n")
        for path in [k, report] {
            let refused = try await kim.get(path.replacingOccurrences(of: "&amp;", with: "&"))
            #expect(refused.status == 403, "\(path): \(refused.text)")
            #expect(refused.header("Content-Type") == "text/html; charset=utf-8" && !refused.text.contains("Advice from") && !refused.text.contains("Speech"))
        }
        let stranger = try await kim.get("/desk/cases/nope/documents/draft_plan/content?section=A")
        #expect(stranger.status == 403, "a case that does not exist is answered as one the parent may not see")
    }

    @Test(arguments: [("2026-11-30T09:10:32Z", "30 November 2026 at 09:10 UTC"), ("2026-11-30T09:10:32.123Z", "30 November 2026 at 09:10 UTC"),
                      ("yesterday", "yesterday"), ("2026-11-30T09:10:32+01:00", "2026-11-30T09:10:32+01:00")])
    func aDocumentsMomentIsWrittenInWords(at: String, words: String) {
        #expect(DeskDocuments.written(at) == words)
    }

    @Test func signingOutNeedsTheSessionsFormAndForgetsTheCookie() async throws {
        let server = try await TestServer.start()
        var browser = DeskBrowser(server: server)
        _ = try await browser.signIn("caseworker:amy", relationship: "caseworker")
        let page = try await browser.get("/desk/")
        let csrf = try #require(DeskBrowser.hidden(page, "csrf"))
        #expect(try await browser.post("/desk/sign-out", [("csrf", "other")]).status == 403)
        let out = try await browser.post("/desk/sign-out", [("csrf", csrf)])
        #expect(out.status == 303 && out.header("Location") == "/desk/sign-in")
        #expect(out.header("Set-Cookie")?.hasPrefix("casework_desk=; Path=/desk; Max-Age=0") == true)
    }

    @Test func theAssetsLoadNothingFromAnotherOrigin() {
        for asset in [DeskAssets.stylesheet, DeskAssets.script] {
            let text = String(decoding: asset.body, as: UTF8.self)
            #expect(!text.isEmpty)
            for reference in ["@import", "url(", "fetch(", "XMLHttpRequest", "https:", "http:"] {
                #expect(!text.contains(reference), "\(reference)")
            }
        }
        let icon = String(decoding: DeskAssets.icon.body, as: UTF8.self).replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        #expect(icon.hasPrefix("<svg") && !icon.contains("http"))
    }

    @Test(arguments: ["", "not base64!", "eyJ0b2tlbiI6MX0"])
    func aCookieThatCannotBeReadIsNoSession(cookie: String) async throws {
        let server = try await TestServer.start()
        let browser = DeskBrowser(server: server, cookie: "casework_desk=\(cookie)")
        #expect(try await browser.get("/desk/").header("Location") == "/desk/sign-in")
    }

    /// A decimal typed on a desk form is sent as the exact number it is, or as the text itself when it is not one, so
    /// the API names the field: `1,234.56` and `1.2.3` were sent as 1 and 1.2.
    @Test(arguments: [("1234.56", "1234.56"), ("-0.5", "-0.5"), ("1,234.56", nil), ("1.2.3", nil), ("12a", nil), ("", nil)] as [(String, String?)])
    func aDecimalIsSentExactlyOrAsTheTextTyped(typed: String, sent: String?) {
        let json = DeskFields.json(typed, type: ["name": "decimal"])
        if let sent {
            #expect((json as? NSDecimalNumber)?.decimalValue == Decimal(string: sent, locale: Locale(identifier: "en_US_POSIX")), "\(typed)")
        } else {
            #expect(json as? String == typed, "\(typed)")
        }
    }
}

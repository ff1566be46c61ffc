import CaseworkServer
import Foundation

/// A case's documents on the desk: the list on the case page and the family pages, from `GET /v1/cases/{case}/documents`
/// for the signed-in person, and `GET /desk/cases/{case}/documents/{kind}/content?version=N&section=X`, which reads one
/// part through `GET /v1/cases/{case}/documents/{kind}/content` with the person's credential.
///
/// Only what the API answers the person is listed: a document they may see no part of is not in the answer, and a part
/// withheld from them is named as withheld, with no link. A part is never drawn into a desk page: it is sent on as the
/// API sends it — an attachment of its stored media type, never sniffed, sandboxed — so a stored HTML file cannot run
/// as a desk page.
enum DeskDocuments {
    /// The list of the case's documents the person may see, each with a link to read each part they may see;
    /// headed at `headingLevel`, its ids starting `idPrefix` (a family page has one list for each case).
    static func section(_ context: DeskContext, _ session: DeskSession, caseID: String, headingLevel: Int, idPrefix: String = "") async -> String {
        let answer = await context.call(session, "GET", "/v1/cases/\(caseID)/documents")
        let h = "h\(headingLevel)"
        var html = "<section class=\"documents\" aria-labelledby=\"\(idPrefix)documents\"><\(h) id=\"\(idPrefix)documents\">Documents</\(h)>"
        guard answer.ok else { return html + "<p class=\"withheld\">\(DeskHTML.escape(answer.object["detail"] as? String ?? "Not shown to you."))</p></section>" }
        guard !answer.list.isEmpty else { return html + "<p class=\"empty\">No document is shown to you.</p></section>" }
        html += "<ul class=\"document-list\">"
        for document in answer.list {
            html += item(document, caseID: caseID, headingLevel: headingLevel + 1)
        }
        return html + "</ul></section>"
    }

    /// One document: its title and kind, version, who added it and when, why, and its parts; a withdrawn one as
    /// withdrawn (who withdrew it, when and why), with no part to read, since the withdrawal holds none.
    private static func item(_ document: [String: Any], caseID: String, headingLevel: Int) -> String {
        let kind = document["kind"] as? String ?? "", version = document["version"] as? Int ?? 0
        let withdrawn = document["withdrawn_in"] as? Int == version
        let h = "h\(headingLevel)"
        var html = "<li class=\"document\(withdrawn ? " withdrawn" : "")\" data-document=\"\(DeskHTML.escape(kind))\"><\(h)>\(DeskHTML.escape(document["title"] as? String ?? kind))</\(h)>"
        html += "<dl class=\"summary\"><dt>Kind</dt><dd>\(DeskHTML.escape(kind))</dd><dt>Version</dt><dd>\(version)</dd>"
        if withdrawn { html += "<dt>Status</dt><dd class=\"withdrawn\">Withdrawn: not the current document</dd>" }
        let who = document["added_by"] as? String ?? (document["added_by_role"] as? String).map { "a \($0)" }
        if let who { html += "<dt>\(withdrawn ? "Withdrawn by" : "Added by")</dt><dd>\(DeskHTML.escape(who))</dd>" }
        if let at = document["at"] as? String { html += "<dt>\(withdrawn ? "Withdrawn" : "Added")</dt><dd>\(DeskHTML.escape(written(at)))</dd>" }
        if let reason = document["reason"] as? String { html += "<dt>Why</dt><dd>\(DeskHTML.escape(reason))</dd>" }
        html += "</dl><ul class=\"parts\">"
        let base = "\(Desk.prefix)/cases/\(DeskHTML.pathSegment(caseID))/documents/\(DeskHTML.pathSegment(kind))/content?version=\(version)"
        for part in document["parts"] as? [[String: Any]] ?? [] {
            let section = part["section"] as? String
            let name = section.map { "section \($0)" } ?? "the whole document"
            if part["withheld"] as? Bool == false {
                let href = base + (section.map { "&amp;section=\(DeskHTML.pathSegment($0))" } ?? "")
                let size = (part["bytes"] as? Int).map { " <span class=\"hint\">(\($0) bytes)</span>" } ?? ""
                html += "<li><a href=\"\(href)\" download>Read \(DeskHTML.escape(name))</a>\(size)</li>"
            } else {
                html += "<li class=\"hint\">\(DeskHTML.escape(name.prefix(1).uppercased() + name.dropFirst())): not shown to you</li>"
            }
        }
        return html + "</ul></li>"
    }

    /// A moment as the API writes it (`2026-11-30T09:10:32Z`) in words (`30 November 2026 at 09:10 UTC`);
    /// the text itself when it is not one.
    static func written(_ at: String) -> String {
        let parts = at.split(separator: "T", maxSplits: 1)
        guard parts.count == 2, at.hasSuffix("Z"), parts[1].count >= 6 else { return at }
        return "\(DeskHTML.day(String(parts[0]))) at \(parts[1].prefix(5)) UTC"
    }

    /// One part of a version, as the API answers the person: its bytes with the API's headers (an attachment of its
    /// media type, `nosniff`, sandboxed) and the desk's no-caching ones; a refusal as a desk page saying why.
    static func content(_ context: DeskContext, _ session: DeskSession, caseID: String, kind: String) async -> HTTPResponse {
        let query = context.request.query.filter { $0.name == "version" || $0.name == "section" }
        let response = await context.send(session, "GET", "/v1/cases/\(caseID)/documents/\(kind)/content", query: query)
        guard (200..<300).contains(response.status) else {
            let answer = DeskAnswer(status: response.status, json: try? JSONSerialization.jsonObject(with: Data(response.body)))
            return DeskHTML.page(title: "Document", session: session, body: "<h1>Document</h1>" + DeskHTML.problem(answer, heading: "This document cannot be shown"),
                                 status: response.status)
        }
        let kept = ["Content-Type", "Content-Disposition", "X-Content-Type-Options", "Content-Security-Policy"]
        let headers = response.headers.filter { header in kept.contains { $0.caseInsensitiveCompare(header.name) == .orderedSame } }
        return HTTPResponse(status: 200, headers: headers + [("Cache-Control", "no-store"), ("Referrer-Policy", "no-referrer")], body: response.body)
    }
}

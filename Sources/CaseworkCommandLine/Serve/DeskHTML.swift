import CaseworkHandbook
import CaseworkServer
import CaseworkTime
import Foundation

/// The case desk's HTML: the one page frame every desk page is drawn in, and the escaping every piece of case text
/// passes through. Pages are whole documents rendered on the server, readable with no script; the frame loads only
/// the desk's own stylesheet and script, and says so in its `Content-Security-Policy`.
enum DeskHTML {
    /// The headers every desk page is sent with: nothing from another origin, no framing, no caching of case data.
    static let securityHeaders: [(name: String, value: String)] = [
        ("Content-Security-Policy", "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-store"),
    ]

    /// `text` safe in HTML text and in a quoted attribute: the handbook's one escaping function (``Markup/escape(_:)``),
    /// so the desk and the handbook cannot escape differently.
    static func escape(_ text: String) -> String { Markup.escape(text) }

    /// `segment` safe as one segment of a URL path.
    static func pathSegment(_ segment: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// A day as the timeline writes it for people (`Monday 1 September 2025`); the text itself when it is no date.
    static func day(_ text: String) -> String {
        CalendarDate(text)?.written ?? text
    }

    /// A whole page: the frame (skip link, header with who is signed in and how to sign out, main content) around
    /// `body`, which is already HTML.
    static func page(title: String, session: DeskSession?, body: String, status: Int = 200,
                     headers: [(name: String, value: String)] = []) -> HTTPResponse {
        var header = "<header class=\"masthead\"><p class=\"brand\"><a href=\"\(Desk.prefix)/\">Casework desk</a></p>"
        if let session {
            let who = session.actAs.isEmpty ? "signed in" : "signed in as \(escape(session.actAs))"
            header += """
            <form class="signout" method="post" action="\(Desk.prefix)/sign-out"><span>\(who)</span>\
            <input type="hidden" name="\(DeskSession.csrfField)" value="\(session.csrfToken)">\
            <button type="submit">Sign out</button></form>
            """
        }
        header += "</header>"
        let document = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) – Casework desk</title>
        <link rel="icon" href="\(Desk.prefix)/favicon.svg" type="image/svg+xml">
        <link rel="stylesheet" href="\(Desk.prefix)/desk.css">
        <script src="\(Desk.prefix)/desk.js" defer></script>
        </head>
        <body>
        <a class="skip" href="#main">Skip to the content</a>
        \(header)
        <main id="main" tabindex="-1">
        \(body)
        </main>
        </body>
        </html>

        """
        return HTTPResponse(status: status, contentType: "text/html; charset=utf-8", text: document, headers: securityHeaders + headers)
    }

    /// A message that something went wrong, with the API's blockers and invalid values listed: the desk's one way of
    /// showing a refusal, focused by the script so a keyboard or screen reader user lands on it.
    static func problem(_ answer: DeskAnswer, heading: String = "That could not be done") -> String {
        let object = answer.object
        var html = "<div class=\"problem\" role=\"alert\" tabindex=\"-1\" data-focus><h2>\(escape(heading))</h2>"
        html += "<p>\(escape(object["detail"] as? String ?? "The service answered \(answer.status)."))</p>"
        let blockers = (object["blockers"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        let problems = (object["problems"] as? [[String: Any]] ?? []).map { "\($0["path"] as? String ?? ""): \($0["message"] as? String ?? "")" }
        if !blockers.isEmpty || !problems.isEmpty {
            html += "<ul>" + (blockers + problems).map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
        }
        return html + "</div>"
    }

    /// A value from an API answer as plain text: dates written out, yes or no, lists joined, absent values as a dash.
    static func plain(_ value: Any?) -> String {
        switch value {
        case let text as String: return CalendarDate(text) != nil && text.count == 10 ? day(text) : text
        case let number as NSNumber where String(cString: number.objCType) == "c": return number.boolValue ? "yes" : "no"
        case let number as NSNumber: return number.description
        case let list as [Any]: return list.map(plain).joined(separator: ", ")
        case nil, is NSNull: return "–"
        default: return "\(value!)"
        }
    }

    /// A field's dotted path as a label: `child.first_name` is `Child: first name`.
    static func label(_ path: String) -> String {
        let words = path.split(separator: ".").map { $0.replacingOccurrences(of: "_", with: " ") }.joined(separator: ": ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    /// The nested fields of an answer as dotted paths and values, sorted.
    static func flatten(_ object: [String: Any], prefix: String = "") -> [(path: String, value: Any)] {
        object.sorted { $0.key < $1.key }.flatMap { key, value -> [(path: String, value: Any)] in
            if let nested = value as? [String: Any] { return flatten(nested, prefix: prefix + key + ".") }
            return [(prefix + key, value)]
        }
    }
}

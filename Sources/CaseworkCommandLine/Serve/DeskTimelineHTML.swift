import Foundation

/// A case's timeline, as `GET /v1/cases/{case}/timeline` answers it, in plain words on a desk page: where the case is,
/// the stages so far, the time limits, the messages, and what is not shown to the reader and why. The family pages
/// show only this; the case page shows it under the case.
enum DeskTimelineHTML {
    /// The timeline's sections, headed at `headingLevel`.
    static func story(_ story: [String: Any], headingLevel: Int, idPrefix: String = "") -> String {
        let h = "h\(headingLevel)"
        let now = story["now"] as? [String: Any] ?? [:]
        var html = "<section class=\"timeline\" aria-labelledby=\"\(idPrefix)timeline\"><\(h) id=\"\(idPrefix)timeline\">Timeline</\(h)>"
        html += "<p class=\"now\"><strong>Now:</strong> \(DeskHTML.escape(now["title"] as? String ?? "")) (since \(DeskHTML.escape(DeskHTML.day(now["since"] as? String ?? ""))))"
        html += now["final"] as? Bool == true ? ". This is the end of the process.</p>" : "</p>"
        let stages = story["stages"] as? [[String: Any]] ?? []
        html += "<ol class=\"stages\">" + stages.map { stage in
            "<li><span class=\"when\">\(DeskHTML.escape(DeskHTML.day(stage["on"] as? String ?? "")))</span> \(DeskHTML.escape(stage["title"] as? String ?? ""))</li>"
        }.joined() + "</ol>"
        let notices = story["notices"] as? [[String: Any]] ?? []
        let everyNotice = story["all_notices"] as? Bool == true
        html += "<h\(headingLevel + 1)>\(everyNotice ? "Messages sent" : "Messages to you")</h\(headingLevel + 1)>"
        if notices.isEmpty {
            html += "<p class=\"empty\">None.</p>"
        } else {
            html += "<ul class=\"notices\">" + notices.map { notice in
                let to = notice["to"] as? [String: Any] ?? [:]
                let recipient = everyNotice ? "to \([to["role"] as? String, to["id"] as? String].compactMap { $0 }.joined(separator: " ")): " : ""
                return "<li><span class=\"when\">\(DeskHTML.escape(DeskHTML.day(notice["on"] as? String ?? "")))</span> \(DeskHTML.escape(recipient))\(DeskHTML.escape(notice["subject"] as? String ?? ""))</li>"
            }.joined() + "</ul>"
        }
        if let limits = story["time_limits"] as? [[String: Any]], headingLevel > 2 {
            html += "<h\(headingLevel + 1)>Time limits</h\(headingLevel + 1)>"
            html += limits.isEmpty ? "<p class=\"empty\">None running.</p>"
                : "<ul class=\"limits\">" + limits.map { "<li>\(DeskHTML.escape($0["title"] as? String ?? "")): \(DeskHTML.escape(words($0)))</li>" }.joined() + "</ul>"
        }
        html += withheld(story["withheld"] as? [String] ?? [], reasons: story["reasons"] as? [String] ?? [])
        return html + "</section>"
    }

    /// What is not shown to the reader, and the policy's reasons, or nothing when nothing is withheld.
    /// A part is named as the policy names it, in words: `case.fields` is "the fields of the case", `time_limits` "the time limits".
    static func withheld(_ parts: [String], reasons: [String]) -> String {
        guard !parts.isEmpty else { return "" }
        let words = parts.map { part -> String in
            let pieces = part.split(separator: ".").map { $0.replacingOccurrences(of: "_", with: " ") }
            return pieces.count == 2 ? "the \(pieces[1]) of the \(pieces[0])" : "the \(pieces.joined(separator: " "))"
        }
        var html = "<div class=\"withheld\"><p><strong>Not shown to you:</strong> \(DeskHTML.escape(words.joined(separator: ", ")))</p>"
        if !reasons.isEmpty { html += "<ul>" + reasons.map { "<li>\(DeskHTML.escape($0))</li>" }.joined() + "</ul>" }
        return html + "</div>"
    }

    /// A time limit's due date and status in plain words, as `case timeline` writes them.
    /// Beside a column of due dates (`dated`), a running limit says only how many days are left.
    static func words(_ limit: [String: Any], dated: Bool = false) -> String {
        let due = "due \(DeskHTML.day(limit["due_on"] as? String ?? ""))"
        func days(_ count: Int) -> String { "\(count) day\(count == 1 ? "" : "s")" }
        func on(_ key: String) -> String { DeskHTML.day(limit[key] as? String ?? "") }
        switch limit["status"] as? String {
        case "running":
            let left = limit["days_left"] as? Int ?? 0
            let words = left > 0 ? "\(days(left)) left" : left == 0 ? "due today" : "overdue by \(days(-left))"
            return dated || left == 0 ? words : "\(due), \(words)"
        case "paused": return "paused since \(on("paused_on")); the due date moves on when it restarts"
        case "met": return "met on \(on("met_on"))"
        case "met_late": return "met late, on \(on("met_on")) (it was \(due))"
        case "closed": return "closed on \(on("closed_on")), unused (it was \(due))"
        case "missed": return "missed on \(on("missed_on")) (it was \(due))"
        case "excused": return "excused (\(due))"
        default: return "no longer applies"
        }
    }
}

import Foundation

/// A child's merged timeline, as `GET /v1/children/{child}/timeline` answers it, in plain words on a desk page: where
/// each of the child's cases the reader may follow is now, then every stage and message of them in date order, each
/// naming its case's process. The family pages show it once per child in place of each case's own timeline.
enum DeskChildTimelineHTML {
    /// The merged timeline's sections, headed at `headingLevel`.
    static func story(_ timeline: [String: Any], headingLevel: Int, idPrefix: String = "") -> String {
        let h = "h\(headingLevel)"
        var html = "<section class=\"timeline\" aria-labelledby=\"\(idPrefix)timeline\"><\(h) id=\"\(idPrefix)timeline\">Timeline</\(h)>"
        let cases = timeline["cases"] as? [[String: Any]] ?? []
        html += "<ul class=\"now\">" + cases.map { story in
            let now = story["now"] as? [String: Any] ?? [:]
            let ended = now["final"] as? Bool == true ? ". This is the end of the process." : ""
            return "<li><strong>\(DeskHTML.escape(story["workflow_title"] as? String ?? "")):</strong> now \(DeskHTML.escape(now["title"] as? String ?? ""))"
                + " (since \(DeskHTML.escape(DeskHTML.day(now["since"] as? String ?? ""))))\(ended)</li>"
        }.joined() + "</ul>"
        let entries = timeline["entries"] as? [[String: Any]] ?? []
        html += entries.isEmpty ? "<p class=\"empty\">Nothing yet.</p>" : "<ol class=\"stages\">" + entries.map { entry in
            let what = entry["kind"] as? String == "notice" ? "message: \(entry["subject"] as? String ?? "")" : entry["title"] as? String ?? ""
            return "<li><span class=\"when\">\(DeskHTML.escape(DeskHTML.day(entry["on"] as? String ?? "")))</span> "
                + "\(DeskHTML.escape(entry["workflow_title"] as? String ?? "")): \(DeskHTML.escape(what))</li>"
        }.joined() + "</ol>"
        var parts: [String] = []
        var reasons: [String] = []
        for story in cases {
            parts += (story["withheld"] as? [String] ?? []).filter { !parts.contains($0) }
            reasons += (story["reasons"] as? [String] ?? []).filter { !reasons.contains($0) }
        }
        html += DeskTimelineHTML.withheld(parts, reasons: reasons)
        return html + "</section>"
    }
}

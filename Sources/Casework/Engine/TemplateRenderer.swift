import Foundation

/// Renders notification templates with a case's values. Placeholders were checked by the validator.
enum TemplateRenderer {
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    /// Text shown for a placeholder whose field is not set.
    static let notRecorded = "(not yet recorded)"

    /// Text shown for a placeholder whose field the recipient may not see.
    static let withheld = "(withheld)"

    /// `text` with each placeholder replaced by the value at its path in `values`. The case's own placeholders
    /// (`case.*`, `workflow.*`) are always filled; a field the recipient may not see shows as withheld.
    static func render(_ text: TemplateText, values: [String: ExpressionValue], showing visibility: FieldVisibility = .all) -> String {
        var output = ""
        for part in text.parts {
            switch part {
            case .literal(let literal): output += literal
            case .placeholder(let path):
                if !path.value.hasPrefix("case."), !path.value.hasPrefix("workflow."), !visibility.shows(path.value) {
                    output += withheld
                } else {
                    output += values[path.value].map(format) ?? notRecorded
                }
            }
        }
        return output
    }

    /// A value as a letter would write it: dates as `1 September 2025`, lists joined with commas.
    static func format(_ value: ExpressionValue) -> String {
        switch value {
        case .string(let text): text
        case .date(let date): "\(date.day) \(months[date.month - 1]) \(date.year)"
        case .bool(let flag): flag ? "yes" : "no"
        case .list(let items): items.map(format).joined(separator: ", ")
        default: value.description
        }
    }
}

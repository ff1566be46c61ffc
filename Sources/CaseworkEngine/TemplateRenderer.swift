import CaseworkDefinitions
import CaseworkExpressions
import Foundation

/// Renders notification templates with a case's values. Placeholders were checked by the validator.
enum TemplateRenderer {
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    /// Text shown for a placeholder whose field is not set.
    static let notRecorded = "(not yet recorded)"

    /// Text shown for a placeholder whose field the recipient may not see.
    static let withheld = "(withheld)"

    /// `text` with each placeholder replaced: a built-in (the case's `case.*` and `workflow.*`, and a message's
    /// `form.*` or `deadline.*`) by its value in `builtins` for `record`, always; a field by its value in the record's
    /// fields, or withheld when the recipient may not see it. The record is read where the caller keeps it.
    static func render(
        _ text: TemplateText, record: CaseRecord, builtins: TemplateValues, showing visibility: FieldVisibility = .all
    ) -> String {
        var output = ""
        for part in text.parts {
            switch part {
            case .literal(let literal): output += literal
            case .placeholder(let path):
                if let value = builtins.value(path.value, of: record) {
                    output += format(value)
                } else if !visibility.shows(path.value) {
                    output += withheld
                } else {
                    output += record.fields[path.value].map(format) ?? notRecorded
                }
            }
        }
        return output
    }

    /// One of the engine's messages when its workflow names no template for it (the validator warns, CW0240): the
    /// form's or deadline's title as the subject, and the case's reference and the message's values, one
    /// `placeholder: value` line each, as the body, for `record`. Nothing in it is worded by the engine.
    static func neutral(_ message: EngineMessage, record: CaseRecord, builtins: TemplateValues) -> (subject: String, body: String) {
        let subject = (builtins.value("form.title", of: record) ?? builtins.value("deadline.title", of: record)).map(format) ?? message.rawValue
        let body = (["case.id"] + message.placeholders).compactMap { path in builtins.value(path, of: record).map { "\(path): \(format($0))" } }
        return (subject, body.joined(separator: "\n"))
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

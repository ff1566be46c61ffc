import CaseworkDefinitions
import CaseworkExpressions
import Foundation

/// A step's declared input on a desk form: one labelled control for each field, chosen by the field's type as the
/// transitions route gives it (``FieldTypeJSON``), and the posted text turned back into the JSON value the fire route
/// takes. The API checks every value; the desk only picks a control a person can fill in.
enum DeskFields {
    /// The label, hint and control for one declared input field (`{"field", "required", "type"}`), named
    /// `input.FIELD` in the form.
    static func control(_ field: [String: Any], formID: String) -> String {
        let path = field["field"] as? String ?? ""
        let required = field["required"] as? Bool == true
        let type = field["type"] as? [String: Any] ?? [:]
        let name = "input.\(path)"
        let id = DeskHTML.escape("\(formID)-\(path)")
        let label = "<label for=\"\(id)\">\(DeskHTML.escape(DeskHTML.label(path)))\(required ? "" : " <span class=\"optional\">(optional)</span>")</label>"
        let requiredAttribute = required ? " required" : ""
        let control: String
        var hint = ""
        switch type["name"] as? String ?? "string" {
        case "bool":
            control = "<select id=\"\(id)\" name=\"\(DeskHTML.escape(name))\"\(requiredAttribute)><option value=\"\">Choose</option><option value=\"true\">Yes</option><option value=\"false\">No</option></select>"
        case "one_of":
            let values = type["values"] as? [String] ?? []
            control = "<select id=\"\(id)\" name=\"\(DeskHTML.escape(name))\"\(requiredAttribute)><option value=\"\">Choose</option>"
                + values.map { "<option value=\"\(DeskHTML.escape($0))\">\(DeskHTML.escape($0.replacingOccurrences(of: "_", with: " ")))</option>" }.joined() + "</select>"
        case "date":
            control = "<input id=\"\(id)\" name=\"\(DeskHTML.escape(name))\" type=\"date\"\(requiredAttribute)>"
        case "int":
            control = "<input id=\"\(id)\" name=\"\(DeskHTML.escape(name))\" type=\"number\" step=\"1\" inputmode=\"numeric\"\(requiredAttribute)>"
        case "decimal":
            control = "<input id=\"\(id)\" name=\"\(DeskHTML.escape(name))\" type=\"text\" inputmode=\"decimal\"\(requiredAttribute)>"
        case "text":
            control = "<textarea id=\"\(id)\" name=\"\(DeskHTML.escape(name))\" rows=\"3\"\(requiredAttribute)></textarea>"
        case "datetime":
            hint = "A date and time with its zone, such as 2025-09-01T09:30:00Z."
            control = "<input id=\"\(id)\" name=\"\(DeskHTML.escape(name))\" type=\"text\" aria-describedby=\"\(id)-hint\"\(requiredAttribute)>"
        case "list":
            hint = "Separate the items with commas."
            control = "<input id=\"\(id)\" name=\"\(DeskHTML.escape(name))\" type=\"text\" aria-describedby=\"\(id)-hint\"\(requiredAttribute)>"
        default:
            control = "<input id=\"\(id)\" name=\"\(DeskHTML.escape(name))\" type=\"text\"\(requiredAttribute)>"
        }
        let hintHTML = hint.isEmpty ? "" : "<p class=\"hint\" id=\"\(id)-hint\">\(DeskHTML.escape(hint))</p>"
        return "<div class=\"field\">\(label)\(hintHTML)\(control)</div>"
    }

    /// The JSON value the fire route takes for `text` posted for a field of `type`: a boolean, a number, a list, or
    /// the text itself (dates and words are text in JSON). Text that is not the type's is sent as text, so the API
    /// names the problem with the field's path.
    static func json(_ text: String, type: [String: Any]) -> Any {
        switch type["name"] as? String {
        case "bool":
            switch text {
            case "true": return true
            case "false": return false
            default: return text
            }
        case "int": return Int(text).map { $0 as Any } ?? text
        // Read as `--set` reads it (`ExactDecimal`): `Decimal(string:)` alone would
        // send `1,234.56` as 1 and `1.2.3` as 1.2, where the API should name the field and say why.
        case "decimal": return ExactDecimal.value(of: text, allowingExponent: false).map { NSDecimalNumber(decimal: $0) as Any } ?? text
        case "list":
            let element = type["of"] as? [String: Any] ?? [:]
            return text.split(separator: ",").map { json($0.trimmingCharacters(in: .whitespaces), type: element) }
        default: return text
        }
    }
}

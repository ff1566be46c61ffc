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
    ///
    /// The text's placeholders were resolved when the workflow was planned (``PlannedText``). Each piece is worked out
    /// first, kept on the stack, and the text is then written once into storage of exactly its length: appending piece
    /// by piece cost a string append each (and a reservation, or the storage grown as it went).
    static func render(
        _ text: PlannedText, record: CaseRecord, builtins: TemplateValues, showing visibility: FieldVisibility = .all
    ) -> String {
        let count = text.parts.count
        return withUnsafeTemporaryAllocation(of: String.self, capacity: count) { pieces in
            var length = 0
            for index in 0..<count {
                let piece = switch text.parts[index] {
                case .literal(let literal): literal
                case .placeholder(let path, let fill): placeholder(path, fill, record: record, builtins: builtins, showing: visibility)
                }
                length += piece.utf8.count
                pieces.initializeElement(at: index, to: piece)
            }
            defer { _ = pieces.baseAddress.map { $0.deinitialize(count: count) } }
            return String(unsafeUninitializedCapacity: length) { output in
                var written = 0
                for index in 0..<count {
                    // Each piece's bytes are read where the piece lies (a copy of it would cost a count), and copied whole.
                    pieces[index].withUTF8 { bytes in
                        guard let source = bytes.baseAddress, let target = output.baseAddress else { return }
                        (target + written).initialize(from: source, count: bytes.count)
                        written += bytes.count
                    }
                }
                return written
            }
        }
    }

    /// What fills the placeholder `path` (filled by `fill`): a built-in's value, always; a field's value when the
    /// recipient may see it (`visibility`), otherwise withheld; not yet recorded when the field is not set.
    private static func placeholder(
        _ path: String, _ fill: PlannedText.Fill, record: CaseRecord, builtins: TemplateValues, showing visibility: FieldVisibility
    ) -> String {
        if let value = builtins.value(path, fill, of: record) { return format(value) }
        if !visibility.shows(path) { return withheld }
        return record.fields[path].map(format) ?? notRecorded
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

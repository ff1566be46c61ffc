import Foundation
import CaseworkYAML

/// A diagnostic flattened to plain values: the JSON form, and what text output is made from.
///
/// The keys are fixed (`file`, `line`, `column`, `end_line`, `end_column`,
/// `severity`, `code`, `message`, `help`, `notes`); tools in CI read them.
package struct DiagnosticRecord: Sendable, Hashable, Codable {
    /// A secondary location, flattened.
    package struct Note: Sendable, Hashable, Codable {
        /// The file of the related place.
        package var file: String
        /// Its 1-based line.
        package var line: Int
        /// Its 1-based column.
        package var column: Int
        /// What it shows.
        package var message: String
    }

    /// The file the diagnostic is in.
    package var file: String
    /// The 1-based line where the problem starts.
    package var line: Int
    /// The 1-based column where the problem starts.
    package var column: Int
    /// The 1-based line where the problem ends.
    package var endLine: Int
    /// The 1-based column where the problem ends (exclusive).
    package var endColumn: Int
    /// `error` or `warning`.
    package var severity: Severity
    /// The stable code.
    package var code: String
    /// The one-line message.
    package var message: String
    /// A suggested fix, or nil.
    package var help: String?
    /// Related places.
    package var notes: [Note]

    enum CodingKeys: String, CodingKey {
        case file, line, column, severity, code, message, help, notes
        case endLine = "end_line"
        case endColumn = "end_column"
    }

    /// Flattens a diagnostic.
    package init(_ diagnostic: Diagnostic) {
        file = diagnostic.range.file
        line = diagnostic.range.start.line
        column = diagnostic.range.start.column
        endLine = diagnostic.range.end.line
        endColumn = diagnostic.range.end.column
        severity = diagnostic.severity
        code = diagnostic.code.rawValue
        message = diagnostic.message
        help = diagnostic.help
        notes = diagnostic.notes.map {
            Note(file: $0.range.file, line: $0.range.start.line, column: $0.range.start.column, message: $0.message)
        }
    }

    /// Encodes `help` as null when absent, so every record has every key.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(line, forKey: .line)
        try container.encode(column, forKey: .column)
        try container.encode(endLine, forKey: .endLine)
        try container.encode(endColumn, forKey: .endColumn)
        try container.encode(severity, forKey: .severity)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
        try container.encode(help, forKey: .help)
        try container.encode(notes, forKey: .notes)
    }
}

/// Turns diagnostics into the text and JSON that people and tools read; the only place that formats them.
package enum DiagnosticRenderer {
    /// The text form: for each diagnostic `file:line:col: severity[code]: message`, the
    /// source line with a caret under the problem (when the source is known), then
    /// indented `help:` and `note:` lines.
    ///
    /// - Parameter sources: file contents by path, for the excerpts.
    package static func text(_ diagnostics: [Diagnostic], sources: [String: String] = [:]) -> String {
        var out = ""
        var lineCache: [String: [Substring.UnicodeScalarView]] = [:]
        for diagnostic in diagnostics {
            out += diagnostic.description + "\n"
            if let source = sources[diagnostic.range.file] {
                let lines = lineCache[diagnostic.range.file] ?? Self.lines(of: source)
                lineCache[diagnostic.range.file] = lines
                out += excerpt(diagnostic.range, lines: lines)
            }
            if let help = diagnostic.help {
                out += "  help: \(help)\n"
            }
            for note in diagnostic.notes {
                out += "  note: \(note.range): \(note.message)\n"
            }
        }
        return out
    }

    /// The closing line: how many files were checked and what was found.
    package static func summary(_ diagnostics: [Diagnostic], files: Int) -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.count - errors
        let checked = "checked \(files) \(files == 1 ? "file" : "files")"
        if diagnostics.isEmpty { return "\(checked): no problems found" }
        return "\(checked): \(plural(errors, "error")), \(plural(warnings, "warning"))"
    }

    /// The JSON form: an array of ``DiagnosticRecord`` objects, keys sorted, one per diagnostic.
    package static func json(_ diagnostics: [Diagnostic]) -> String {
        if diagnostics.isEmpty { return "[]" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(diagnostics.map(DiagnosticRecord.init))) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    /// The widest excerpt shown; longer lines are cut to a window around the problem.
    static let excerptWidth = 120

    /// A control character as something safe to print: C0 controls as their Unicode pictures
    /// (a NUL as `␀`), other controls as `�`, so an excerpt of a hostile file never sends
    /// control codes to a terminal. Tabs are kept, and each character still takes one column.
    private static func visible(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar.value {
        case 0x09: scalar
        case 0x00..<0x20: Unicode.Scalar(0x2400 + scalar.value) ?? "\u{FFFD}"
        case 0x7F: "\u{2421}"
        case 0x80..<0xA0: "\u{FFFD}"
        default: scalar
        }
    }

    /// The lines of `source` as libyaml counts them: LF, CR, CRLF, NEL, LS and PS each end a line.
    static func lines(of source: String) -> [Substring.UnicodeScalarView] {
        let scalars = Substring(source).unicodeScalars
        var lines: [Substring.UnicodeScalarView] = []
        var start = scalars.startIndex
        var index = start
        while index < scalars.endIndex {
            let scalar = scalars[index]
            switch scalar {
            case "\n", "\u{85}", "\u{2028}", "\u{2029}":
                lines.append(scalars[start..<index])
                index = scalars.index(after: index)
                start = index
            case "\r":
                lines.append(scalars[start..<index])
                index = scalars.index(after: index)
                if index < scalars.endIndex, scalars[index] == "\n" { index = scalars.index(after: index) }
                start = index
            default:
                index = scalars.index(after: index)
            }
        }
        lines.append(scalars[start..<scalars.endIndex])
        return lines
    }

    /// The source line under a gutter, and a caret line marking the range on it.
    private static func excerpt(_ range: SourceRange, lines: [Substring.UnicodeScalarView]) -> String {
        let index = range.start.line - 1
        guard index >= 0, index < lines.count else { return "" }
        let line = lines[index]
        let number = String(range.start.line)
        let gutter = String(repeating: " ", count: number.count)
        var scalars = line.map(visible)
        var startColumn = min(max(range.start.column - 1, 0), scalars.count)
        var endColumn = range.end.line == range.start.line ? min(range.end.column - 1, scalars.count) : scalars.count
        if scalars.count > excerptWidth {
            let windowStart = max(0, min(startColumn - excerptWidth / 4, scalars.count - excerptWidth))
            let windowEnd = min(windowStart + excerptWidth, scalars.count)
            let cutAtEnd = windowEnd < scalars.count
            scalars = Array(scalars[windowStart..<windowEnd])
            startColumn -= windowStart
            endColumn = min(endColumn - windowStart, scalars.count)
            if windowStart > 0 {
                startColumn += 1
                endColumn += 1
                scalars.insert("…", at: 0)
            }
            if cutAtEnd { scalars.append("…") }
        }
        let width = max(endColumn - startColumn, 1)
        var marker = ""
        for scalar in scalars[0..<startColumn] {
            marker.unicodeScalars.append(scalar == "\t" ? "\t" : " ")
        }
        marker += "^" + String(repeating: "~", count: width - 1)
        var shown = ""
        shown.unicodeScalars.append(contentsOf: scalars)
        return " \(number) | \(shown)\n \(gutter) | \(marker)\n"
    }
}

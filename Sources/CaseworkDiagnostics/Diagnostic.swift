import CaseworkYAML

/// How serious a finding is: errors fail validation, warnings do not.
public enum Severity: String, Sendable, Hashable, Codable {
    /// The definitions cannot be used as written.
    case error
    /// The definitions work, but probably not as their author meant.
    case warning
}

/// A secondary location that helps explain a diagnostic, such as "first declared here".
public struct DiagnosticNote: Sendable, Hashable {
    /// What the location shows.
    public var message: String
    /// Where it is.
    public var range: SourceRange

    /// Creates a note.
    public init(_ message: String, at range: SourceRange) {
        self.message = message
        self.range = range
    }
}

/// One finding about a definition file: what is wrong (the kind), where, and any related places.
///
/// The kind fixes the stable code, the severity, the message and the help, so
/// a code always means the same thing and all wording lives in one file
/// (`DiagnosticKind.swift`). Text and JSON are produced by `DiagnosticRenderer`.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var kind: DiagnosticKind
    /// Where it is wrong.
    public var range: SourceRange
    /// Related places, such as an earlier declaration.
    public var notes: [DiagnosticNote]

    /// Creates a diagnostic.
    public init(_ kind: DiagnosticKind, at range: SourceRange, notes: [DiagnosticNote] = []) {
        self.kind = kind
        self.range = range
        self.notes = notes
    }

    /// The stable code, such as `CW0204`.
    public var code: DiagnosticCode { kind.code }
    /// Whether this fails validation.
    public var severity: Severity { kind.severity }
    /// The one-line message.
    public var message: String { kind.message }
    /// A suggested fix, when there is one.
    public var help: String? { kind.help }

    /// `file:line:col: severity[code]: message`, the first line of the text form.
    public var description: String {
        "\(range): \(severity.rawValue)[\(code.rawValue)]: \(message)"
    }

    /// Orders diagnostics by file and position, then by code, for stable output.
    public static func sortedForOutput(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.sorted { lhs, rhs in
            if lhs.range != rhs.range { return lhs.range < rhs.range }
            return lhs.code.rawValue < rhs.code.rawValue
        }
    }
}

/// Collects diagnostics while a stage reads or checks definitions, so no stage stops at the first problem.
package struct DiagnosticBag: Sendable {
    /// Everything reported so far, in the order it was reported.
    package private(set) var diagnostics: [Diagnostic] = []

    /// Creates an empty bag.
    package init() {}

    /// Reports a finding.
    package mutating func report(_ kind: DiagnosticKind, at range: SourceRange, notes: [DiagnosticNote] = []) {
        diagnostics.append(Diagnostic(kind, at: range, notes: notes))
    }

    /// Adds findings made elsewhere.
    package mutating func append(contentsOf other: [Diagnostic]) {
        diagnostics.append(contentsOf: other)
    }

    /// True when at least one error (not warning) was reported.
    package var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime

/// A command line that does not say what a command needs, with what to type instead.
public struct UsageError: Error, Sendable, Hashable {
    /// What is wrong, one line.
    public var message: String
    /// What to type instead, when there is a likely fix.
    public var help: String?

    /// Creates a usage error.
    public init(_ message: String, help: String? = nil) {
        self.message = message
        self.help = help
    }
}

/// The options one command accepts: which take a value, which are plain flags.
struct OptionSpec {
    /// Options followed by a value, such as `--format`.
    var valued: [String]
    /// Options that stand alone, such as `--help`.
    var flags: [String]
}

/// A command's arguments split into positionals, flags and option values, checked against its ``OptionSpec``.
struct ParsedArguments {
    var positionals: [String] = []
    var flags: Set<String> = []
    var values: [String: [String]] = [:]

    /// Whether the user asked for the command's usage (`--help` or `-h`).
    var wantsHelp: Bool { flags.contains("--help") || flags.contains("-h") }

    /// Splits `arguments`. `--name=value` and `--name value` are both accepted; `--` ends options.
    init(_ arguments: [String], spec: OptionSpec) throws(UsageError) {
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard !optionsEnded, argument.hasPrefix("-"), argument != "-" else {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            var name = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            if spec.flags.contains(name) {
                guard inlineValue == nil else { throw UsageError("option '\(name)' takes no value") }
                flags.insert(name)
            } else if spec.valued.contains(name) {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else if index < arguments.count {
                    value = arguments[index]
                    index += 1
                } else {
                    throw UsageError("option '\(name)' needs a value")
                }
                values[name, default: []].append(value)
            } else {
                let suggestion = NameSuggester.suggest(name, from: spec.valued + spec.flags)
                throw UsageError("unknown option '\(name)'", help: suggestion.map { "did you mean '\($0)'?" })
            }
        }
    }

    /// The single value of an option, or nil; an error when it was given twice.
    func single(_ name: String) throws(UsageError) -> String? {
        guard let given = values[name] else { return nil }
        guard given.count == 1 else { throw UsageError("option '\(name)' was given more than once") }
        return given[0]
    }

    /// The single value of a date option as `YYYY-MM-DD`, or nil when it was not given; anything else is an error.
    func date(_ name: String) throws(UsageError) -> CalendarDate? {
        guard let text = try single(name) else { return nil }
        guard let day = CalendarDate(text) else { throw UsageError("\(name) needs a date as YYYY-MM-DD, found '\(TerminalText.escape(text))'") }
        return day
    }
}

/// How a command prints its results.
enum OutputFormat: String, CaseIterable {
    /// Text for people.
    case text
    /// JSON for tools.
    case json
    /// Comma-separated values, one row per item, for a spreadsheet (only where a command says so).
    case csv

    /// Reads `--format` among the formats a command offers (text and JSON unless it says more), defaulting to text.
    static func parse(_ value: String?, offered: [OutputFormat] = [.text, .json]) throws(UsageError) -> OutputFormat {
        guard let value else { return .text }
        if let format = OutputFormat(rawValue: value), offered.contains(format) { return format }
        let suggestion = NameSuggester.suggest(value, from: offered.map(\.rawValue))
        throw UsageError(
            "unknown format '\(value)'",
            help: suggestion.map { "did you mean '\($0)'?" } ?? "use " + offered.map { "--format \($0.rawValue)" }.joined(separator: " or ")
        )
    }
}

import CaseworkDiagnostics
import CaseworkExpressions
import CaseworkTime
import Foundation

/// Checks and parses field values against declared field types: the gate every input passes before anything changes.
public enum FieldValues {
    /// What a field given more than once in one request is told (twice by `--set`, or in JSON both nested and by its
    /// dotted name): such a request is refused, never read as whichever value came last.
    package static let givenTwiceMessage = "is given more than once; give each field once, so that the request says one thing"

    /// The declared fields flattened to dotted paths (records opened up), with their types.
    public static func flatten(_ fields: [FieldDefinition], prefix: String = "") -> [(path: String, type: FieldType)] {
        fields.flatMap { field -> [(path: String, type: FieldType)] in
            let path = prefix + field.name.value
            if case .record(let nested) = field.type { return flatten(nested, prefix: path + ".") }
            return [(path, field.type)]
        }
    }

    /// Each declared field path's type, for looking a path up; where a path is declared twice (already reported), the first wins.
    public static func types(of fields: [FieldDefinition]) -> [String: FieldType] {
        Dictionary(flatten(fields).map { ($0.path, $0.type) }, uniquingKeysWith: { first, _ in first })
    }

    /// Why `value` does not fit `type`, or nil when it does.
    public static func problem(with value: ExpressionValue, for type: FieldType) -> String? {
        switch (type, value) {
        case (.string, .string(let text)):
            return controlCharacterProblem(text, allowingLineBreaks: false)
        case (.text, .string(let text)):
            return controlCharacterProblem(text, allowingLineBreaks: true)
        case (.date, .date(let date)):
            return date.acceptanceProblem
        case (.bool, .bool), (.int, .int), (.datetime, .datetime):
            return nil
        case (.decimal, .decimal), (.decimal, .int):
            return nil
        case (.oneOf(let values), .string(let word)):
            return values.contains(word) ? nil : "'\(word)' is not one of \(values.joined(separator: ", "))"
        case (.list(let element), .list(let items)):
            for (index, item) in items.enumerated() {
                if let problem = problem(with: item, for: element) { return "item \(index + 1): \(problem)" }
            }
            return nil
        default:
            return "expected \(describe(type)), found \(value)"
        }
    }

    /// Why free text cannot be kept: it holds a control character (a terminal escape, a carriage return that
    /// could forge a line of history); `text` fields may hold line breaks and tabs, `string` fields may not.
    public static func controlCharacterProblem(_ text: String, allowingLineBreaks: Bool) -> String? {
        for scalar in text.unicodeScalars where scalar.properties.generalCategory == .control {
            if allowingLineBreaks, scalar == "\n" || scalar == "\t" { continue }
            let code = "U+" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4)
            return "holds the control character \(code); \(allowingLineBreaks ? "only line breaks and tabs are allowed" : "use one line of plain text")"
        }
        return nil
    }

    /// Parses command-line text as a value of `type`: `true`, `42`, `2.5`, `2025-09-01`, an ISO 8601 datetime,
    /// a word of a `one_of`, or a list as `[a, b]`.
    public static func parse(_ text: String, as type: FieldType) -> Result<ExpressionValue, InputProblem> {
        func failure(_ message: String) -> Result<ExpressionValue, InputProblem> { .failure(InputProblem(field: "", message: message)) }
        switch type {
        case .bool:
            switch text {
            case "true": return .success(.bool(true))
            case "false": return .success(.bool(false))
            default: return failure("expected true or false, found '\(text)'")
            }
        case .int:
            guard let value = Int(text) else { return failure("expected a whole number, found '\(text)'") }
            return .success(.int(value))
        case .decimal:
            guard let value = ExactDecimal.value(of: text, allowingExponent: false) else {
                return failure("expected a number such as 2.5, found '\(text)'")
            }
            return .success(.decimal(value))
        case .string, .text:
            return .success(.string(text))
        case .date:
            guard let date = CalendarDate(text) else { return failure("expected a date as YYYY-MM-DD, found '\(text)'") }
            if let problem = date.acceptanceProblem { return failure(problem) }
            return .success(.date(date))
        case .datetime:
            guard let instant = Date(iso8601: text) else {
                return failure("expected a date and time such as 2025-09-01T09:30:00Z, found '\(text)'")
            }
            return .success(.datetime(instant))
        case .oneOf(let values):
            guard values.contains(text) else {
                let hint = NameSuggester.suggest(text, from: values).map { "; did you mean '\($0)'?" } ?? ""
                return failure("'\(text)' is not one of \(values.joined(separator: ", "))\(hint)")
            }
            return .success(.string(text))
        case .list(let element):
            guard text.hasPrefix("["), text.hasSuffix("]") else { return failure("expected a list such as [a, b], found '\(text)'") }
            let inner = text.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
            if inner.isEmpty { return .success(.list([])) }
            var items: [ExpressionValue] = []
            for part in inner.split(separator: ",") {
                switch parse(part.trimmingCharacters(in: .whitespaces), as: element) {
                case .success(let value): items.append(value)
                case .failure(let problem): return .failure(problem)
                }
            }
            return .success(.list(items))
        case .record:
            return failure("set the parts of a group one by one, such as child.first_name=Sam")
        }
    }

    /// Reads a plain JSON value as a value of `type`: dates and datetimes as strings, lists as arrays. A number read by
    /// Casework's own front doors (``ReceivedJSON``) keeps its text and is read exactly, as `--set` reads it; one from
    /// `JSONSerialization` arrives as a double, so a decimal from it has only the double's precision (`1234.56` is
    /// 1234.5599999999997952) and a whole number past 2^53 may have lost its last digits.
    public static func fromJSON(_ json: Any, as type: FieldType) -> Result<ExpressionValue, InputProblem> {
        func failure() -> Result<ExpressionValue, InputProblem> { .failure(InputProblem(field: "", message: "expected \(describe(type)), found \(json)")) }
        switch type {
        case .bool:
            guard let number = json as? NSNumber, isBoolean(number) else { return failure() }
            return .success(.bool(number.boolValue))
        case .int:
            if let number = json as? ReceivedJSON.Number {
                guard let value = exactInteger(number.text) else { return failure() }
                return .success(.int(value))
            }
            guard let number = json as? NSNumber, !isBoolean(number), let value = Int(exactly: number.doubleValue) else { return failure() }
            return .success(.int(value))
        case .decimal:
            if let number = json as? ReceivedJSON.Number {
                guard let value = ExactDecimal.value(of: number.text, allowingExponent: true) else { return failure() }
                return .success(.decimal(value))
            }
            guard let number = json as? NSNumber, !isBoolean(number) else { return failure() }
            return .success(.decimal(number.decimalValue))
        case .list(let element):
            guard let items = json as? [Any] else { return failure() }
            var values: [ExpressionValue] = []
            for item in items {
                switch fromJSON(item, as: element) {
                case .success(let value): values.append(value)
                case .failure(let problem): return .failure(problem)
                }
            }
            return .success(.list(values))
        case .record:
            return failure()
        default:
            guard let text = json as? String else { return failure() }
            return parse(text, as: type)
        }
    }

    /// A JSON number's text as a whole number, exactly: written as one (`42`) or as a decimal that is one (`42.0`,
    /// `4.2e1`); nil for a fraction or a number outside `Int`'s range.
    static func exactInteger(_ text: String) -> Int? {
        if let value = Int(text) { return value }
        guard let decimal = ExactDecimal.value(of: text, allowingExponent: true) else { return nil }
        return Int(decimal.description)
    }

    /// Whether a number from `JSONSerialization` was written as `true` or `false` (its Objective-C type is `char`).
    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    /// The type as a user would name it.
    static func describe(_ type: FieldType) -> String {
        switch type {
        case .oneOf(let values): "one of \(values.joined(separator: ", "))"
        case .list(let element): "a list of \(describe(element))"
        case .record: "a group of fields"
        default: "a \(type)"
        }
    }

    /// Checks every value against the declared fields; unknown paths and wrong types are problems.
    public static func check(_ values: [String: ExpressionValue], against fields: [FieldDefinition]) -> [InputProblem] {
        check(values, types: types(of: fields))
    }

    /// Checks every value against declared field types by path (``types(of:)``, worked out once per definition).
    public static func check(_ values: [String: ExpressionValue], types declared: [String: FieldType]) -> [InputProblem] {
        values.sorted(by: { $0.key < $1.key }).compactMap { path, value in check(value, at: path, types: declared) }
    }

    /// The problem with one value at `path` against declared field types by path: no such field (with a suggestion),
    /// a group of fields, or a value of the wrong type; nil when it fits.
    package static func check(_ value: ExpressionValue, at path: String, types declared: [String: FieldType]) -> InputProblem? {
        guard let type = declared[path] else { return undeclared(path, types: declared) }
        return problem(with: value, for: type).map { InputProblem(field: path, message: $0) }
    }

    /// The problem with a value at `path`, which declares no field of `declared`: a group of fields (naming one of its
    /// parts), or no such field (with a suggestion).
    package static func undeclared(_ path: String, types declared: [String: FieldType]) -> InputProblem {
        if let part = declared.keys.sorted().first(where: { $0.hasPrefix(path + ".") }) {
            return InputProblem(field: path, message: "is a group of fields; set its parts, such as '\(part)'")
        }
        let hint = NameSuggester.suggest(path, from: declared.keys.sorted()).map { "; did you mean '\($0)'?" } ?? ""
        return InputProblem(field: path, message: "no such field\(hint)")
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

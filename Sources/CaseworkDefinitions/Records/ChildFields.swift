import CaseworkExpressions

/// A child record's identity fields against the set's child definition (`child:` file): the one place that decides what
/// a value given for a declared field is, for adding and changing a child (``checked(_:declared:)``), for reading one in
/// expressions (``typed(_:declared:)``) and for showing one that does not fit (``misfits(_:declared:)``).
///
/// A field is given as its typed value or as text (the command line's `--set`, a scenario's `given.child`): text for a
/// field that is not text is read as that type (`2012-03-04` for a date, `true`, `42`), as `FieldValues.parse` reads a
/// case's input on the command line. Text that does not read as the type is a problem, never a default.
public enum ChildFields {
    /// `value` given for a field of `type`, as a value of that type, or why it cannot be one.
    public static func value(_ value: ExpressionValue, as type: FieldType) -> Result<ExpressionValue, InputProblem> {
        switch (type, value) {
        case (.string, _), (.text, _):
            break
        case (_, .string(let text)):
            return FieldValues.parse(text, as: type)
        default:
            break
        }
        if let problem = FieldValues.problem(with: value, for: type) { return .failure(InputProblem(field: "", message: problem)) }
        return .success(value)
    }

    /// `fields` (by dotted path) checked against `declared` (``ChildDefinition/fieldTypes``): each as its declared type,
    /// and every problem (a field the definition does not declare, with a suggestion; a value of the wrong type; text
    /// that does not read as the type), each at its path.
    public static func checked(_ fields: [String: ExpressionValue], declared: [String: FieldType]) -> (fields: [String: ExpressionValue], problems: [InputProblem]) {
        var typed: [String: ExpressionValue] = [:]
        var problems: [InputProblem] = []
        for (path, given) in fields.sorted(by: { $0.key < $1.key }) {
            guard let type = declared[path] else {
                problems.append(FieldValues.undeclared(path, types: declared))
                continue
            }
            switch value(given, as: type) {
            case .success(let value): typed[path] = value
            case .failure(let problem): problems.append(InputProblem(field: path, message: problem.message))
            }
        }
        return (typed, problems)
    }

    /// Stored fields as expressions read them: each declared one as its declared type (a record added before the child
    /// definition holds text such as `2012-03-04`, read as the date it says), and every other value as stored, so one
    /// that does not fit is a value of the wrong type when read (an evaluation error, never a guess) and one the
    /// definition does not declare is never read.
    public static func typed(_ stored: [String: ExpressionValue], declared: [String: FieldType]) -> [String: ExpressionValue] {
        var typed = stored
        for (path, value) in stored {
            guard let type = declared[path], case .success(let read) = Self.value(value, as: type) else { continue }
            typed[path] = read
        }
        return typed
    }

    /// The stored fields that do not fit `declared`: not declared, or not readable as their type; each at its path, sorted.
    /// What `casework child show` flags on a record kept from before its set's child definition (or an earlier version of it).
    public static func misfits(_ stored: [String: ExpressionValue], declared: [String: FieldType]) -> [InputProblem] {
        checked(stored, declared: declared).problems
    }
}

/// The type of a workflow or form field.
public indirect enum FieldType: Sendable, Hashable, CustomStringConvertible {
    /// `true` or `false`.
    case bool
    /// A whole number.
    case int
    /// A number with a fractional part, kept exactly (money, hours).
    case decimal
    /// A short single-line string.
    case string
    /// Free text, possibly long.
    case text
    /// A calendar date, `YYYY-MM-DD`.
    case date
    /// An instant, ISO 8601 with a time zone.
    case datetime
    /// One of a fixed set of words: `{ one_of: [parent, school] }`.
    case oneOf([String])
    /// A list of values of one type: `{ list: date }`.
    case list(FieldType)
    /// A nested group of fields: `{ first_name: string, born_on: date }`.
    case record([FieldDefinition])

    /// The scalar type names a field may use, as written in files.
    public static let scalarNames: [String: FieldType] = [
        "bool": .bool, "int": .int, "decimal": .decimal, "string": .string,
        "text": .text, "date": .date, "datetime": .datetime,
    ]

    /// The type as written in a file.
    public var description: String {
        switch self {
        case .bool: "bool"
        case .int: "int"
        case .decimal: "decimal"
        case .string: "string"
        case .text: "text"
        case .date: "date"
        case .datetime: "datetime"
        case .oneOf(let values): "{ one_of: [\(values.joined(separator: ", "))] }"
        case .list(let element): "{ list: \(element) }"
        case .record(let fields): "{ " + fields.map { "\($0.name.value): \($0.type)" }.joined(separator: ", ") + " }"
        }
    }
}

/// A named field of a workflow, a form or a record.
public struct FieldDefinition: Sendable, Hashable {
    /// The field's name, as written.
    public var name: Located<String>
    /// The field's type.
    public var type: FieldType

    /// Creates a field.
    public init(name: Located<String>, type: FieldType) {
        self.name = name
        self.type = type
    }
}

extension Array where Element == FieldDefinition {
    /// The field at a dotted path such as `child.first_name`, through nested records.
    package func field(at path: [Substring]) -> FieldDefinition? {
        guard let head = path.first, let field = first(where: { $0.name.value == head }) else { return nil }
        if path.count == 1 { return field }
        guard case .record(let nested) = field.type else { return nil }
        return nested.field(at: [Substring](path.dropFirst()))
    }

    /// Every dotted path these fields declare, for "did you mean" help.
    package var allPaths: [String] {
        flatMap { field -> [String] in
            var paths = [field.name.value]
            if case .record(let nested) = field.type {
                paths += nested.allPaths.map { "\(field.name.value).\($0)" }
            }
            return paths
        }
    }
}

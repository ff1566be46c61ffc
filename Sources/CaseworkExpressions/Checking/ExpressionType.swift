/// A fixed set of words a value may take: a `one_of` field's values, or a workflow's states.
public struct EnumerationDomain: Sendable, Hashable {
    /// How messages name a value of this domain, such as `state` or `value of 'requested_by'`.
    public var name: String
    /// How messages name the set, such as `a state of workflow 'ehcp-needs-assessment'`.
    public var member: String
    /// The allowed words.
    public var values: [String]

    /// Creates a domain.
    public init(name: String, member: String, values: [String]) {
        self.name = name
        self.member = member
        self.values = values
    }
}

/// The type of an expression or of a name in its environment.
public indirect enum ExpressionType: Sendable, Hashable, CustomStringConvertible {
    /// `true` or `false`.
    case bool
    /// A whole number.
    case int
    /// An exact decimal number.
    case decimal
    /// Text.
    case string
    /// A calendar date.
    case date
    /// An instant.
    case datetime
    /// A length of time such as `6 weeks`.
    case duration
    /// One word of a fixed set.
    case enumeration(EnumerationDomain)
    /// A list whose elements have one type.
    case list(ExpressionType)
    /// The type of `[]`, which fits any list.
    case emptyList

    /// How messages name the type.
    public var description: String {
        switch self {
        case .bool: "bool"
        case .int: "int"
        case .decimal: "decimal"
        case .string: "string"
        case .date: "date"
        case .datetime: "datetime"
        case .duration: "duration"
        case .enumeration(let domain): domain.name
        case .list(let element): "list of \(element)"
        case .emptyList: "empty list"
        }
    }

    /// Whether the type is a number.
    var isNumeric: Bool {
        switch self {
        case .int, .decimal: true
        default: false
        }
    }

    /// Whether the type is `bool`. The checker asks this of nearly every node; a match on the case copies nothing,
    /// where `==` on this indirect enum copies (and reference-counts) both sides first.
    var isBool: Bool {
        if case .bool = self { return true }
        return false
    }

    /// The type of a list of `element`: lists of the plain types are made once and shared, since each case with a
    /// payload of this indirect enum is a heap box and nearly every guard has a list literal such as `["parent", "school"]`.
    static func listOf(_ element: ExpressionType) -> ExpressionType {
        switch element {
        case .bool: sharedLists.bool
        case .int: sharedLists.int
        case .decimal: sharedLists.decimal
        case .string: sharedLists.string
        case .date: sharedLists.date
        case .datetime: sharedLists.datetime
        case .duration: sharedLists.duration
        case .enumeration, .list, .emptyList: .list(element)
        }
    }

    /// The list types ``listOf(_:)`` shares.
    private static let sharedLists = (
        bool: ExpressionType.list(.bool), int: ExpressionType.list(.int), decimal: ExpressionType.list(.decimal),
        string: ExpressionType.list(.string), date: ExpressionType.list(.date), datetime: ExpressionType.list(.datetime),
        duration: ExpressionType.list(.duration)
    )

    /// The element type, when this is a list.
    var elementType: ExpressionType? {
        switch self {
        case .list(let element): element
        case .emptyList: nil
        default: nil
        }
    }
}

/// The names an expression may use and their types: what the checker checks against.
///
/// Names are full dotted paths (`child.date_of_birth`, `case.state`,
/// `forms.professional_advice.all_accepted`); `groups` are the prefixes that
/// hold further names (`child`, `case`, `forms`), so `child` alone is a
/// group, not a value. The environment knows nothing of workflows: the
/// validator builds one from a workflow's fields, states and forms.
public struct ExpressionEnvironment: Sendable {
    /// Every name that holds a value, with its type.
    public var names: [String: ExpressionType]
    /// Every prefix that holds further names.
    public var groups: Set<String>
    /// The date-of-birth path `age_on` reads, when the environment has one.
    public var dateOfBirth: String?
    /// Names declared with a type that could not be read: known, but their uses are not checked further.
    public var untyped: Set<String> = []

    /// Creates an environment; `groups` are derived from the dotted names.
    public init(names: [String: ExpressionType], dateOfBirth: String? = nil) {
        self.names = names
        self.dateOfBirth = dateOfBirth
        var groups = Set<String>()
        for name in names.keys {
            // Every text before a dot is a group (a dot is one byte, so the bytes before it are whole characters).
            for (offset, byte) in name.utf8.enumerated() where byte == UInt8(ascii: ".") {
                groups.insert(String(decoding: name.utf8.prefix(offset), as: UTF8.self))
            }
        }
        self.groups = groups
    }

    /// The names available everywhere: `today` (a date) and `now` (a datetime).
    public static let builtins: [String: ExpressionType] = Dictionary(uniqueKeysWithValues: builtinList.lazy.map { ($0.name, $0.type) })

    /// ``builtins`` as a list, which ``builtin(_:)`` reads.
    private static let builtinList: [(name: String, type: ExpressionType)] = [("today", .date), ("now", .datetime)]

    /// The type of the built-in `name`, if it is one: ``builtins`` read by comparing with its two names in a list, which
    /// costs less than hashing `name` or walking a dictionary (the checker asks this for every name an expression reads).
    static func builtin(_ name: String) -> ExpressionType? {
        // A length first: most names are not as long as either, and a string's UTF-8 count is stored, where comparing a
        // long name with a short one still goes through the string comparison's slow path.
        let length = name.utf8.count
        for builtin in builtinList where builtin.name.utf8.count == length && builtin.name == name { return builtin.type }
        return nil
    }
}

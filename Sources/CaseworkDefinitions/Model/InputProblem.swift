/// A value an actor gave that cannot be used, with the field it was for.
public struct InputProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field.
    public var field: String
    /// What is wrong.
    public var message: String

    /// Creates a problem.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    /// `field: message`.
    public var description: String { "'\(field)': \(message)" }
}

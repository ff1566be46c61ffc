/// A child definition file (`child:`): the identity fields a child record holds and their types, written as a
/// workflow's fields are. A definition set holds at most one; without one, child records hold their fields as given.
public struct ChildDefinition: Sendable, Hashable {
    /// The definition's id, such as `send-child`.
    public var id: Located<String>
    /// The definition's version.
    public var version: Int
    /// A title people read.
    public var title: String
    /// The identity fields and their types.
    public var fields: [FieldDefinition]
    /// The file the definition was read from.
    public var file: String

    /// Creates a child definition.
    public init(id: Located<String>, version: Int, title: String, fields: [FieldDefinition], file: String) {
        self.id = id
        self.version = version
        self.title = title
        self.fields = fields
        self.file = file
    }

    /// Each declared field path's type (records opened up), for checking a child record's fields.
    public var fieldTypes: [String: FieldType] { FieldValues.types(of: fields) }
}

import CaseworkDefinitions

/// A field's declared type as JSON, for a client drawing a form from the API's answer: `{"name": "date"}`, `{"name":
/// "one_of", "values": [...]}`, `{"name": "list", "of": TYPE}`; a group's parts are given one by one by their dotted
/// paths, so a group appears only inside a list, as `{"name": "record"}`.
enum FieldTypeJSON {
    /// The type as JSON.
    static func json(_ type: FieldType) -> [String: Any] {
        switch type {
        case .oneOf(let values): ["name": "one_of", "values": values]
        case .list(let element): ["name": "list", "of": json(element)]
        case .record: ["name": "record"]
        default: ["name": type.description]
        }
    }
}

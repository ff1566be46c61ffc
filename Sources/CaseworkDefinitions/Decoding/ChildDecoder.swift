import CaseworkYAML

/// Reads a child definition file (`child:`) into a ``ChildDefinition``: its fields are read by the one field reader
/// workflows and forms use (``NodeReader/fields(_:place:prefix:)``), with its diagnostics.
enum ChildDecoder {
    /// The keys of a child definition file's root mapping.
    enum Key: String, CaseIterable {
        case child, version, title, description, fields
    }

    static let keys = KeyTable<Key>()

    /// Decodes `root`, a mapping; returns nil only when the definition has no usable id.
    static func decode(_ root: YAMLNodeView, reader: inout NodeReader) -> ChildDefinition? {
        var id: Located<String>?
        var version: Int?
        var title: String?
        var fields: [FieldDefinition] = []
        let table = keys
        let seen = reader.readEntries(of: root, by: table, place: "a child definition") { key, value, reader in
            switch key {
            case .child: id = reader.name(value, rule: .definitionID, kind: "child definition", place: "'child'")
            case .version: version = reader.version(value)
            case .title: title = reader.string(value, place: "'title'")?.value
            case .description: _ = reader.string(value, place: "'description'")
            case .fields:
                fields = reader.fields(value, place: "'fields'")
                if value.kind == .mapping, value.count == 0 { reader.bag.report(.emptyList(place: "'fields'"), at: value.range) }
            }
        }
        reader.requireKeys([.child, .version, .fields], of: table, seen: seen, place: "child definition", at: root.range.startOnly)
        guard let id else { return nil }
        return ChildDefinition(id: id, version: version ?? 0, title: title ?? id.value, fields: fields, file: root.range.file)
    }
}

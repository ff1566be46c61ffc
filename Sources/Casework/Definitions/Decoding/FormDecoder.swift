import CaseworkYAML

/// Reads a form file's root mapping into a ``FormDefinition``, reporting every structural problem.
enum FormDecoder {
    static let keys = ["form", "version", "title", "description", "due", "shared_with", "accepted_by", "fields"]

    /// Decodes `root`; returns nil when the form lacks an id or a usable due duration.
    static func decode(_ root: YAMLNode, pairs: [YAMLPair], reader: inout NodeReader) -> FormDefinition? {
        var id: Located<String>?
        var version: Int?
        var title: String?
        var description: String?
        var due: Located<Duration>?
        var sharedWith: [Located<String>] = []
        var acceptedBy: [Located<String>] = []
        var fields: [FieldDefinition] = []
        for pair in pairs {
            let value = pair.value
            switch pair.key.name {
            case "form": id = reader.name(value, rule: .definitionID, kind: "form", place: "'form'")
            case "version": version = reader.version(value)
            case "title": title = reader.string(value, place: "'title'")?.value
            case "description": description = reader.string(value, place: "'description'")?.value
            case "due": due = reader.duration(value, place: "'due'")
            case "shared_with": sharedWith = reader.names(value, rule: .identifier, kind: "role", place: "'shared_with'")
            case "accepted_by": acceptedBy = reader.names(value, rule: .identifier, kind: "role", place: "'accepted_by'")
            case "fields": fields = reader.fields(value, place: "'fields'")
            default: reader.unknownKey(pair.key, place: "a form", allowed: keys)
            }
        }
        reader.requireKeys(["form", "version", "title", "due", "shared_with", "accepted_by", "fields"], in: pairs, place: "form", at: headRange(of: root))
        guard let id, let due else { return nil }
        return FormDefinition(
            id: id, version: version ?? 0, title: title ?? id.value, description: description, due: due,
            sharedWith: sharedWith, acceptedBy: acceptedBy, fields: fields, file: root.range.file
        )
    }
}

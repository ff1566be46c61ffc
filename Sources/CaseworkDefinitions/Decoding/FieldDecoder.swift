import CaseworkDiagnostics
import CaseworkYAML

extension NodeReader {
    /// Reads a `fields:` mapping: each key a field name, each value a type. A field whose type is unusable is
    /// reported once and remembered in ``untypedFields``, so later checks do not report it again as unknown.
    mutating func fields(_ node: YAMLNodeView, place: @autoclosure () -> String, prefix: String = "") -> [FieldDefinition] {
        guard expectMapping(node, place: place()) else { return [] }
        var fields: [FieldDefinition] = []
        fields.reserveCapacity(node.count)
        for entry in 0..<node.count {
            let name = keyName(node.key(entry), rule: .identifier, kind: "field")
            guard let type = fieldType(node.value(entry), field: name.value, path: prefix + name.value) else {
                untypedFields.append(prefix + name.value)
                continue
            }
            fields.append(FieldDefinition(name: name, type: type))
        }
        return fields
    }

    /// Reads a field type: a scalar type name, `{ one_of: [...] }`, `{ list: T }` or a nested mapping of fields.
    mutating func fieldType(_ node: YAMLNodeView, field: String, path: String) -> FieldType? {
        switch node.kind {
        case .scalar:
            let name = node.string
            if let type = FieldType.scalarNames[name] { return type }
            if node.isNull {
                bag.report(.wrongType(place: "field '\(field)'", expected: "a type", found: "nothing"), at: node.range)
                return nil
            }
            let suggestion = NameSuggester.suggest(name, from: FieldType.scalarNames.keys.sorted())
            bag.report(.unknownFieldType(name: name, suggestion: suggestion), at: node.range)
            return nil
        case .sequence:
            bag.report(.wrongType(place: "field '\(field)'", expected: "a type", found: "a list"), at: node.range)
            return nil
        case .mapping:
            if node.count == 1 {
                switch node.key(0).string {
                case "one_of":
                    let values = names(node.value(0), rule: .identifier, kind: "value", place: "'one_of' of field '\(field)'")
                    return .oneOf(values.map(\.value))
                case "list":
                    guard let element = fieldType(node.value(0), field: field, path: path) else { return nil }
                    return .list(element)
                default:
                    break
                }
            }
            return .record(fields(node, place: "field '\(field)'", prefix: path + "."))
        }
    }
}

import CaseworkYAML

extension NodeReader {
    /// Reads a `fields:` mapping: each key a field name, each value a type.
    mutating func fields(_ node: YAMLNode, place: String) -> [FieldDefinition] {
        guard let pairs = mapping(node, place: place) else { return [] }
        var fields: [FieldDefinition] = []
        fields.reserveCapacity(pairs.count)
        for pair in pairs {
            let name = checkedName(Located(pair.key.name, at: pair.key.range), rule: .identifier, kind: "field")
            guard let type = fieldType(pair.value, field: name.value) else { continue }
            fields.append(FieldDefinition(name: name, type: type))
        }
        return fields
    }

    /// Reads a field type: a scalar type name, `{ one_of: [...] }`, `{ list: T }` or a nested mapping of fields.
    mutating func fieldType(_ node: YAMLNode, field: String) -> FieldType? {
        switch node.content {
        case .scalar(let scalar):
            if let type = FieldType.scalarNames[scalar.value] { return type }
            if scalar.isNull {
                bag.report(.wrongType(place: "field '\(field)'", expected: "a type", found: "nothing"), at: node.range)
                return nil
            }
            let suggestion = NameSuggester.suggest(scalar.value, from: FieldType.scalarNames.keys.sorted())
            bag.report(.unknownFieldType(name: scalar.value, suggestion: suggestion), at: node.range)
            return nil
        case .sequence:
            bag.report(.wrongType(place: "field '\(field)'", expected: "a type", found: "a list"), at: node.range)
            return nil
        case .mapping(let pairs):
            if pairs.count == 1, pairs[0].key.name == "one_of" {
                let values = names(pairs[0].value, rule: .identifier, kind: "value", place: "'one_of' of field '\(field)'")
                return .oneOf(values.map(\.value))
            }
            if pairs.count == 1, pairs[0].key.name == "list" {
                guard let element = fieldType(pairs[0].value, field: field) else { return nil }
                return .list(element)
            }
            return .record(fields(node, place: "field '\(field)'"))
        }
    }
}

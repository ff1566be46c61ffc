import CaseworkYAML

/// Reads a workflow's `documents:` mapping into ``DocumentKindDefinition``s, reporting every structural problem.
enum DocumentDecoder {
    /// The keys of a document kind.
    enum Key: String, CaseIterable {
        case title, sections, types
        case maxBytes = "max_bytes"
    }

    static let keys = KeyTable<Key>()

    /// Decodes `node`, a mapping of kind names to kinds; a kind whose body cannot be read is left out after its error.
    static func decode(_ node: YAMLNodeView, reader: inout NodeReader) -> [DocumentKindDefinition] {
        guard reader.expectMapping(node, place: "'documents'") else { return [] }
        var kinds: [DocumentKindDefinition] = []
        for entry in 0..<node.count {
            let name = reader.keyName(node.key(entry), rule: .identifier, kind: "document kind")
            let place = "document kind '\(name.value)'"
            let body = node.value(entry)
            guard reader.expectMapping(body, place: place) else { continue }
            var title: String?
            var sections: Located<String>?
            var types: [Located<String>] = []
            var maxBytes = DocumentKindDefinition.defaultMaxBytes
            let seen = reader.readEntries(of: body, by: keys, place: place) { key, value, reader in
                switch key {
                case .title: title = reader.string(value, place: "'title' of \(place)")?.value
                case .sections: sections = reader.name(value, rule: .identifier, kind: "resource", place: "'sections' of \(place)")
                case .types: types = mediaTypes(value, place: "'types' of \(place)", reader: &reader)
                case .maxBytes: maxBytes = size(value, place: "'max_bytes' of \(place)", reader: &reader) ?? maxBytes
                }
            }
            reader.requireKeys([.title, .types], of: keys, seen: seen, place: place, at: body.range.startOnly)
            kinds.append(DocumentKindDefinition(name: name, title: title ?? name.value, sections: sections, types: types, maxBytes: maxBytes))
        }
        return kinds
    }

    /// The media types of `node`, a list, each reported when it is not `type/subtype` (CW0111).
    private static func mediaTypes(_ node: YAMLNodeView, place: String, reader: inout NodeReader) -> [Located<String>] {
        guard reader.expectList(node, place: place) else { return [] }
        if node.count == 0 { reader.bag.report(.emptyList(place: place), at: node.range) }
        var types: [Located<String>] = []
        for index in 0..<node.count {
            guard let type = reader.string(node.item(index), place: "an entry of \(place)") else { continue }
            guard DocumentTerms.isMediaType(type.value) else {
                reader.bag.report(.invalidMediaType(text: type.value), at: type.range)
                continue
            }
            if types.contains(type) {
                reader.bag.report(.duplicateEntry(entry: type.value, place: place), at: type.range)
                continue
            }
            types.append(type)
        }
        return types
    }

    /// The size `node` says, in bytes; nil after reporting one that is not a size in range (CW0112).
    private static func size(_ node: YAMLNodeView, place: String, reader: inout NodeReader) -> Int? {
        guard let text = reader.string(node, place: place) else { return nil }
        switch DocumentTerms.byteSize(text.value) {
        case .success(let bytes): return bytes
        case .failure(let problem):
            reader.bag.report(.invalidByteSize(text: text.value, reason: problem.reason), at: text.range)
            return nil
        }
    }
}

import CaseworkTime
import CaseworkYAML

/// Reads a form file's root mapping into a ``FormDefinition``, reporting every structural problem.
enum FormDecoder {
    /// The keys of a form file.
    enum Key: String, CaseIterable {
        case form, version, title, description, due
        case sharedWith = "shared_with"
        case acceptedBy = "accepted_by"
        case fields, resource, messages
        case intoDocument = "into_document"
    }

    /// The keys of `into_document:`.
    enum TargetKey: String, CaseIterable {
        case kind, section
    }

    /// The keys of a form's `messages:`: the messages of the form cycle.
    enum MessageKey: String, CaseIterable {
        case formShared = "form_shared"
        case formSubmitted = "form_submitted"
        case formAccepted = "form_accepted"
        case formReturned = "form_returned"
    }

    static let keys = KeyTable<Key>()
    static let messageKeys = KeyTable<MessageKey>()
    static let targetKeys = KeyTable<TargetKey>()

    /// Decodes `root`, a mapping; returns nil when the form lacks a usable id.
    static func decode(_ root: YAMLNodeView, reader: inout NodeReader) -> FormDefinition? {
        var id: Located<String>?
        var version: Int?
        var title: String?
        var description: String?
        var due: Located<StatutoryDuration>?
        var sharedWith: [Located<String>] = []
        var acceptedBy: [Located<String>] = []
        var fields: [FieldDefinition] = []
        var resource: Located<String>?
        var messages: [EngineMessage: Located<String>] = [:]
        var intoDocument: FormDocumentTarget?
        let table = keys
        let seen = reader.readEntries(of: root, by: table, place: "a form") { key, value, reader in
            switch key {
            case .form: id = reader.name(value, rule: .definitionID, kind: "form", place: "'form'")
            case .version: version = reader.version(value)
            case .title: title = reader.string(value, place: "'title'")?.value
            case .description: description = reader.string(value, place: "'description'")?.value
            case .due: due = reader.duration(value, place: "'due'")
            case .sharedWith: sharedWith = reader.names(value, rule: .identifier, kind: "role", place: "'shared_with'")
            case .acceptedBy: acceptedBy = reader.names(value, rule: .identifier, kind: "role", place: "'accepted_by'")
            case .fields: fields = reader.fields(value, place: "'fields'")
            case .messages: messages = WorkflowDecoder.decodeMessages(value, by: messageKeys, place: "'messages'", reader: &reader)
            case .resource: resource = reader.name(value, rule: .identifier, kind: "resource", place: "'resource'")
            case .intoDocument: intoDocument = target(value, reader: &reader)
            }
        }
        reader.requireKeys(
            [.form, .version, .title, .due, .sharedWith, .acceptedBy, .fields], of: table, seen: seen, place: "form", at: root.range.startOnly
        )
        guard let id else { return nil }
        // A missing or unusable `due` is already an error, so the set never runs; the form is still checked against
        // the workflows that start it (its roles, its resource), with no time of its own.
        var form = FormDefinition(
            id: id, version: version ?? 0, title: title ?? id.value, description: description,
            due: due ?? Located(StatutoryDuration(count: 0, unit: .days), at: root.range.startOnly),
            sharedWith: sharedWith, acceptedBy: acceptedBy, fields: fields, resource: resource, file: root.range.file
        )
        form.messages = messages
        form.intoDocument = intoDocument
        return form
    }

    /// Reads `into_document: { kind: KIND, section: SECTION }`; nil after its error when it cannot be read.
    private static func target(_ node: YAMLNodeView, reader: inout NodeReader) -> FormDocumentTarget? {
        let place = "'into_document'"
        guard reader.expectMapping(node, place: place) else { return nil }
        var kind: Located<String>?
        var section: Located<String>?
        let seen = reader.readEntries(of: node, by: targetKeys, place: place) { key, value, reader in
            switch key {
            case .kind: kind = reader.name(value, rule: .identifier, kind: "document kind", place: "'kind' of \(place)")
            case .section: section = reader.name(value, rule: .section, kind: "section", place: "'section' of \(place)")
            }
        }
        reader.requireKeys([.kind], of: targetKeys, seen: seen, place: place, at: node.range.startOnly)
        return kind.map { FormDocumentTarget(kind: $0, section: section) }
    }
}

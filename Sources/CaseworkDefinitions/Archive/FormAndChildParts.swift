import CaseworkTime

// Forms and the child definition, whole.

extension ArchiveWriter {
    /// Writes a form.
    mutating func form(_ form: FormDefinition) throws(Unwritable) {
        try located(form.id)
        integer(form.version)
        string(form.title)
        try optional(form.description) { writer, text in writer.string(text) }
        duration(form.due.value)
        try range(form.due.range)
        try names(form.sharedWith)
        try names(form.acceptedBy)
        try fields(form.fields)
        try optional(form.resource) { (writer, name) throws(Unwritable) in try writer.located(name) }
        try messages(form.messages)
        try optional(form.intoDocument) { (writer, target) throws(Unwritable) in
            try writer.located(target.kind)
            try writer.optional(target.section) { (writer, name) throws(Unwritable) in try writer.located(name) }
        }
        try file(form.file)
    }

    /// Writes templates by engine message: each message's code (the order of ``EngineMessage/allCases``) and the
    /// template's name, in that order.
    mutating func messages(_ messages: [EngineMessage: Located<String>]) throws(Unwritable) {
        let codes = messages.keys.map { EngineMessage.allCases.firstIndex(of: $0)! }.sorted()
        try list(codes) { (writer, code) throws(Unwritable) in
            writer.count(code)
            try writer.located(messages[EngineMessage.allCases[code]]!)
        }
    }

    /// Writes the child definition.
    mutating func child(_ child: ChildDefinition) throws(Unwritable) {
        try located(child.id)
        integer(child.version)
        string(child.title)
        try fields(child.fields)
        try file(child.file)
    }
}

extension ArchiveReader {
    /// Reads a form written by ``ArchiveWriter/form(_:)``.
    mutating func form() throws(Damage) -> FormDefinition {
        let id = try located()
        let version = try integer()
        let title = try string()
        let description = try optional { (reader) throws(Damage) in try reader.string() }
        let dueValue = try duration()
        let due = Located(dueValue, at: try range())
        let sharedWith = try names()
        let acceptedBy = try names()
        let fields = try fields()
        let resource = try optional { (reader) throws(Damage) in try reader.located() }
        let messages = try messages()
        let intoDocument = try optional { (reader) throws(Damage) in
            let kind = try reader.located()
            return FormDocumentTarget(kind: kind, section: try reader.optional { (reader) throws(Damage) in try reader.located() })
        }
        var form = FormDefinition(
            id: id, version: version, title: title, description: description, due: due, sharedWith: sharedWith, acceptedBy: acceptedBy,
            fields: fields, resource: resource, file: try file()
        )
        form.messages = messages
        form.intoDocument = intoDocument
        return form
    }

    /// Reads templates by engine message written by ``ArchiveWriter/messages(_:)``: each message at most once.
    mutating func messages() throws(Damage) -> [EngineMessage: Located<String>] {
        let all = EngineMessage.allCases
        return try entries { (reader) throws(Damage) in (all[try reader.code(below: all.count)], try reader.located()) }
    }

    /// Reads the child definition written by ``ArchiveWriter/child(_:)``.
    mutating func child() throws(Damage) -> ChildDefinition {
        let id = try located()
        let version = try integer()
        let title = try string()
        let fields = try fields()
        return ChildDefinition(id: id, version: version, title: title, fields: fields, file: try file())
    }
}

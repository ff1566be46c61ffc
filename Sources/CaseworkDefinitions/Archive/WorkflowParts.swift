import CaseworkYAML

// A workflow as a hit's set needs it: its outline (``DefinitionDecoder/decode(_:outline:)``), what the set's other
// definitions and requests read of it. The parts only running its cases needs (transitions, templates, deadlines,
// opening input, messages, exceptions) are kept apart, with the whole workflow, in its own region of the entry, read
// when it is first run (`WholeWorkflowParts.swift`), so a workflow that holds any of them is not written as an
// outline: the archive never drops a part silently.

extension ArchiveWriter {
    /// Writes a workflow's outline; a workflow with transitions, templates, deadlines, opening input, messages or
    /// exceptions is ``Unwritable``.
    mutating func workflow(_ workflow: WorkflowDefinition) throws(Unwritable) {
        guard workflow.transitions.isEmpty, workflow.templates.isEmpty, workflow.deadlines.isEmpty, workflow.openingInput == nil,
            workflow.messages.isEmpty, workflow.exceptions.isEmpty
        else { throw Unwritable() }
        try outlineParts(of: workflow)
    }

    /// Writes the parts of a workflow's outline, whatever else it holds.
    mutating func outlineParts(of workflow: WorkflowDefinition) throws(Unwritable) {
        try located(workflow.id)
        integer(workflow.version)
        string(workflow.title)
        try optional(workflow.description) { writer, text in writer.string(text) }
        try names(workflow.roles)
        try fields(workflow.fields)
        try list(workflow.states) { (writer, state) throws(Unwritable) in
            try writer.located(state.name)
            writer.string(state.title)
            try writer.optional(state.description) { writer, text in writer.string(text) }
            writer.bool(state.isInitial)
            writer.bool(state.isFinal)
        }
        try optional(workflow.calendar) { (writer, name) throws(Unwritable) in try writer.located(name) }
        try list(workflow.documents) { (writer, kind) throws(Unwritable) in
            try writer.located(kind.name)
            writer.string(kind.title)
            try writer.optional(kind.sections) { (writer, name) throws(Unwritable) in try writer.located(name) }
            try writer.names(kind.types)
            writer.integer(kind.maxBytes)
        }
        try list(workflow.links) { (writer, link) throws(Unwritable) in
            try writer.located(link.name)
            try writer.located(link.workflow)
            writer.bool(link.one)
        }
        try optional(workflow.childFromRecord) { (writer, range) throws(Unwritable) in try writer.range(range) }
        try optional(workflow.policyBinding) { (writer, binding) throws(Unwritable) in
            switch binding {
            case .policy(let name):
                writer.count(0)
                try writer.located(name)
            case .noPolicy(let range):
                writer.count(1)
                try writer.range(range)
            }
        }
        try list(workflow.untypedFields.sorted()) { writer, path in writer.string(path) }
        try file(workflow.file)
    }
}

extension ArchiveReader {
    /// Reads a workflow's outline written by ``ArchiveWriter/workflow(_:)``.
    mutating func workflow() throws(Damage) -> WorkflowDefinition {
        let id = try located()
        let version = try integer()
        let title = try string()
        let description = try optional { (reader) throws(Damage) in try reader.string() }
        let roles = try names()
        let fields = try fields()
        let states = try list { (reader) throws(Damage) in
            let name = try reader.located()
            let title = try reader.string()
            let description = try reader.optional { (reader) throws(Damage) in try reader.string() }
            let isInitial = try reader.bool()
            return StateDefinition(name: name, title: title, description: description, isInitial: isInitial, isFinal: try reader.bool())
        }
        let calendar = try optional { (reader) throws(Damage) in try reader.located() }
        let documents = try list { (reader) throws(Damage) in
            let name = try reader.located()
            let title = try reader.string()
            let sections = try reader.optional { (reader) throws(Damage) in try reader.located() }
            let types = try reader.names()
            let maxBytes = try reader.integer(in: 1...DocumentKindDefinition.largestMaxBytes)
            return DocumentKindDefinition(name: name, title: title, sections: sections, types: types, maxBytes: maxBytes)
        }
        let links = try list { (reader) throws(Damage) in
            let name = try reader.located()
            let workflow = try reader.located()
            return LinkDefinition(name: name, workflow: workflow, one: try reader.bool())
        }
        let childFromRecord = try optional { (reader) throws(Damage) in try reader.range() }
        let policyBinding = try optional { (reader) throws(Damage) -> PolicyBinding in
            try reader.code(below: 2) == 0 ? .policy(try reader.located()) : .noPolicy(try reader.range())
        }
        let untypedFields = try list { (reader) throws(Damage) in try reader.string() }
        var workflow = WorkflowDefinition(
            id: id, version: version, title: title, description: description, roles: roles, fields: fields, states: states,
            transitions: [], templates: [], calendar: calendar, policyBinding: policyBinding, file: try file()
        )
        workflow.documents = documents
        workflow.links = links
        workflow.childFromRecord = childFromRecord
        workflow.untypedFields = Set(untypedFields)
        return workflow
    }
}

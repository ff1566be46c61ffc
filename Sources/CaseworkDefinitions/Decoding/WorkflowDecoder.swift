import CaseworkDiagnostics
import CaseworkYAML

/// Reads a workflow file's root mapping into a ``WorkflowDefinition``, reporting every structural problem.
enum WorkflowDecoder {
    /// The keys of a workflow file.
    enum Key: String, CaseIterable {
        case workflow, version, title, description, roles, fields, states, transitions, templates, calendar, deadlines, policy, input, messages, exceptions, documents
        case links, child

        /// Whether the key is part of a workflow's outline: what the set's other definitions and requests need of it
        /// (its identity, roles, fields, states, links, documents, policy, calendar and whether it reads the child record), not what only running its
        /// cases needs (transitions, templates, deadlines, opening input, messages, exceptions).
        var isOutline: Bool {
            switch self {
            case .workflow, .version, .title, .description, .roles, .fields, .states, .calendar, .policy, .documents, .links, .child: true
            case .transitions, .templates, .deadlines, .input, .messages, .exceptions: false
            }
        }
    }

    /// The one value of a workflow's `child:`: the workflow reads the case's child record as `child.*`.
    static let childFromRecordWord = "from_record"

    /// The keys of a state.
    enum StateKey: String, CaseIterable {
        case title, description, initial, final
    }

    /// The keys of a transition.
    enum TransitionKey: String, CaseIterable {
        case name, title, from, to, stays, by, when
        case startForms = "start_forms"
        case notify, input, set, grant, open, report
    }

    /// The keys of a template.
    enum TemplateKey: String, CaseIterable {
        case subject, body
    }

    /// The keys of an entry of `notify`.
    enum NotifyKey: String, CaseIterable {
        case to, template
        case ifNamed = "if_named"
        case when
    }

    /// The keys of an entry of `start_forms`.
    enum FormStartKey: String, CaseIterable {
        case form
        case recipients = "for"
    }

    static let keys = KeyTable<Key>()
    static let messageKeys = KeyTable<EngineMessage>()
    static let stateKeys = KeyTable<StateKey>()
    static let transitionKeys = KeyTable<TransitionKey>()
    static let templateKeys = KeyTable<TemplateKey>()
    static let notifyKeys = KeyTable<NotifyKey>()
    static let formStartKeys = KeyTable<FormStartKey>()

    /// Decodes `root`, a mapping; returns nil only when the workflow has no usable id. With `outline`, only the keys
    /// of its outline (``Key/isOutline``) are decoded and the rest are left empty: what a set known to be clean needs
    /// of a workflow no command has run yet (``DefinitionDecoder/decode(_:outline:)``).
    static func decode(_ root: YAMLNodeView, outline: Bool = false, reader: inout NodeReader) -> WorkflowDefinition? {
        var id: Located<String>?
        var version: Int?
        var title: String?
        var description: String?
        var roles: [Located<String>] = []
        var fields: [FieldDefinition] = []
        var states: [StateDefinition] = []
        var transitions: [TransitionDefinition] = []
        var templates: [TemplateDefinition] = []
        var calendar: Located<String>?
        var deadlines: [DeadlineDefinition] = []
        var policy: PolicyBinding?
        var openingInput: [InputField]?
        var messages: [EngineMessage: Located<String>] = [:]
        var exceptions: [ExceptionDefinition] = []
        var documents: [DocumentKindDefinition] = []
        var links: [LinkDefinition] = []
        var childFromRecord: SourceRange?
        let table = keys
        let seen = reader.readEntries(of: root, by: table, place: "a workflow") { key, value, reader in
            guard !outline || key.isOutline else { return }
            switch key {
            case .workflow: id = reader.name(value, rule: .definitionID, kind: "workflow", place: "'workflow'")
            case .version: version = reader.version(value)
            case .title: title = reader.string(value, place: "'title'")?.value
            case .description: description = reader.string(value, place: "'description'")?.value
            case .roles: roles = reader.names(value, rule: .identifier, kind: "role", place: "'roles'")
            case .fields: fields = reader.fields(value, place: "'fields'")
            case .states: states = decodeStates(value, reader: &reader)
            case .transitions: transitions = decodeTransitions(value, reader: &reader)
            case .templates: templates = decodeTemplates(value, reader: &reader)
            case .calendar: calendar = reader.name(value, rule: .definitionID, kind: "calendar", place: "'calendar'")
            case .deadlines: deadlines = DeadlineDecoder.decode(value, reader: &reader)
            case .policy:
                // `none` is a word of the language here, not a name: it never looks up a policy.
                if value.kind == .scalar, value.string == PolicyBinding.noneWord {
                    policy = .noPolicy(value.range)
                } else {
                    policy = reader.name(value, rule: .definitionID, kind: "policy", place: "'policy'").map(PolicyBinding.policy)
                }
            case .input: openingInput = DeadlineDecoder.inputs(value, place: "'input' of the workflow", reader: &reader)
            case .messages: messages = decodeMessages(value, by: messageKeys, place: "'messages'", reader: &reader)
            case .exceptions: exceptions = DeadlineDecoder.exceptions(value, reader: &reader)
            case .documents: documents = DocumentDecoder.decode(value, reader: &reader)
            case .links: links = LinkDecoder.links(value, reader: &reader)
            case .child:
                if value.kind == .scalar, value.string == childFromRecordWord {
                    childFromRecord = value.range
                } else {
                    reader.bag.report(.wrongType(place: "'child'", expected: "'\(childFromRecordWord)'", found: reader.describe(value)), at: value.range)
                }
            }
        }
        reader.requireKeys([.workflow, .version, .title, .roles, .states, .transitions], of: table, seen: seen, place: "workflow", at: root.range.startOnly)
        guard let id else { return nil }
        var workflow = WorkflowDefinition(
            id: id, version: version ?? 0, title: title ?? id.value, description: description, roles: roles,
            fields: fields, states: states, transitions: transitions, templates: templates,
            calendar: calendar, deadlines: deadlines, policyBinding: policy, openingInput: openingInput, file: root.range.file
        )
        workflow.messages = messages
        workflow.exceptions = exceptions
        workflow.documents = documents
        workflow.links = links
        workflow.childFromRecord = childFromRecord
        workflow.untypedFields = Set(reader.untypedFields)
        return workflow
    }

    private static func decodeStates(_ node: YAMLNodeView, reader: inout NodeReader) -> [StateDefinition] {
        guard reader.expectMapping(node, place: "'states'") else { return [] }
        if node.count == 0 { reader.bag.report(.emptyList(place: "'states'"), at: node.range) }
        let table = stateKeys
        var states: [StateDefinition] = []
        states.reserveCapacity(node.count)
        for entry in 0..<node.count {
            let name = reader.keyName(node.key(entry), rule: .identifier, kind: "state")
            var state = StateDefinition(name: name, title: name.value, isInitial: false, isFinal: false)
            let nameText = name.value
            func place() -> String { "state '\(nameText)'" }
            // A state whose value is not a mapping is still declared, so references to it resolve.
            let body = node.value(entry)
            if !body.isNull, reader.expectMapping(body, place: place()) {
                reader.readEntries(of: body, by: table, place: place()) { key, value, reader in
                    switch key {
                    case .title: state.title = reader.string(value, place: "'title' of \(place())")?.value ?? state.title
                    case .description: state.description = reader.string(value, place: "'description' of \(place())")?.value
                    case .initial: state.isInitial = reader.bool(value, place: "'initial' of \(place())") ?? false
                    case .final: state.isFinal = reader.bool(value, place: "'final' of \(place())") ?? false
                    }
                }
            }
            states.append(state)
        }
        return states
    }

    private static func decodeTransitions(_ node: YAMLNodeView, reader: inout NodeReader) -> [TransitionDefinition] {
        guard reader.expectList(node, place: "'transitions'") else { return [] }
        var transitions: [TransitionDefinition] = []
        transitions.reserveCapacity(node.count)
        for index in 0..<node.count {
            decodeTransition(node.item(index), index: index, reader: &reader, into: &transitions)
        }
        return transitions
    }

    /// Appends the transition `node` holds to `transitions`, or reports why it cannot be read (and appends nothing).
    /// Appended here rather than returned: returned as an optional, the whole transition (464 bytes) was copied into
    /// the optional, out of it, and into the array.
    private static func decodeTransition(_ node: YAMLNodeView, index: Int, reader: inout NodeReader, into transitions: inout [TransitionDefinition]) {
        guard reader.expectMapping(node, place: "transition \(index + 1)") else { return }
        let table = transitionKeys
        // The name comes first, wherever it is written, so every other problem can name the transition.
        let nameEntry = (0..<node.count).first { table.position(of: node.key($0)).map { table.keys[$0] } == .name }
        let name = nameEntry.flatMap {
            reader.name(node.value($0), rule: .identifier, kind: "transition", place: "'name' of transition \(index + 1)")
        }
        let nameText = name?.value
        func place() -> String { nameText.map { "transition '\($0)'" } ?? "transition \(index + 1)" }
        var title: String?
        var from: [Located<String>] = []
        var to: Located<String>?
        var stays: SourceRange?
        var by: [Located<String>] = []
        var when: ExpressionSource?
        var startForms: [FormStart] = []
        var notify: [NotificationDefinition] = []
        var input: [InputField] = []
        var assignments: [FieldAssignment] = []
        var grant: GrantEffect?
        var open: [OpenEffect] = []
        var report: ReportEffect?
        let seen = reader.readEntries(of: node, by: table, place: place()) { key, value, reader in
            switch key {
            case .name: break
            case .title: title = reader.string(value, place: "'title' of \(place())")?.value
            case .from: from = reader.names(value, rule: .identifier, kind: "state", place: "'from' of \(place())", allowSingle: true)
            case .to: to = reader.name(value, rule: .identifier, kind: "state", place: "'to' of \(place())")
            case .stays: stays = staysTrue(value, transition: place(), reader: &reader)
            case .by:
                by = reader.names(value, rule: .identifier, kind: "role", place: "'by' of \(place())", allowSingle: true, word: LinkDefinition.engineActor)
            case .when:
                if let text = reader.string(value, place: "'when' of \(place())") {
                    when = ExpressionSource(text: text.value, range: value.range, style: value.style)
                }
            case .startForms: startForms = decodeFormStarts(value, place: place, reader: &reader)
            case .notify: notify = decodeNotifications(value, place: place, reader: &reader)
            case .input: input = DeadlineDecoder.inputs(value, place: "'input' of \(place())", reader: &reader)
            case .set: assignments = DeadlineDecoder.assignments(value, place: "'set' of \(place())", reader: &reader)
            case .grant: grant = DeadlineDecoder.grantEffect(value, place: "'grant' of \(place())", reader: &reader)
            case .open: open = LinkDecoder.openEffects(value, place: "'open' of \(place())", reader: &reader)
            case .report: report = LinkDecoder.reportEffect(value, place: "'report' of \(place())", reader: &reader)
            }
        }
        // Missing keys in the order they are written: 'to' (or 'stays') after 'from', before 'by'.
        reader.requireKeys([.name, .from], of: table, seen: seen, place: place(), at: node.range.startOnly)
        let target: TransitionTarget?
        switch (to, stays) {
        case (let to?, nil): target = .state(to)
        case (nil, let stays?): target = .stays(stays)
        case (let to?, let stays?):
            reader.bag.report(.staysWithTarget(place: place()), at: stays, notes: [DiagnosticNote("'to' is written here", at: to.range)])
            target = nil
        case (nil, nil):
            // A target written but unreadable, or `stays` not true, was reported where it was written.
            let written = [TransitionKey.to, .stays].contains { key in table.keys.firstIndex(of: key).map(seen.contains) ?? false }
            if !written { reader.bag.report(.missingTransitionTarget(place: place()), at: node.range.startOnly) }
            target = nil
        }
        reader.requireKeys([.by], of: table, seen: seen, place: place(), at: node.range.startOnly)
        guard let name, let target, !from.isEmpty else { return }
        transitions.append(TransitionDefinition(
            name: name, title: title ?? name.value, from: from, to: target, by: by, when: when,
            startForms: startForms, notify: notify, input: input, set: assignments, grant: grant, open: open, report: report
        ))
    }

    /// The range of `stays: true`; any other value is reported (CW0257): a step that moves the case says `to:`.
    private static func staysTrue(_ node: YAMLNodeView, transition: String, reader: inout NodeReader) -> SourceRange? {
        if node.kind == .scalar, node.style == .plain || node.tag == .bool, ["true", "True", "TRUE"].contains(node.string) { return node.range }
        reader.bag.report(.staysNotTrue(place: transition, found: reader.describe(node)), at: node.range)
        return nil
    }

    private static func decodeFormStarts(_ node: YAMLNodeView, place: () -> String, reader: inout NodeReader) -> [FormStart] {
        guard reader.expectList(node, place: "'start_forms' of \(place())") else { return [] }
        let table = formStartKeys
        var starts: [FormStart] = []
        for index in 0..<node.count {
            let item = node.item(index)
            func entryPlace() -> String { "an entry of 'start_forms' of \(place())" }
            guard reader.expectMapping(item, place: entryPlace()) else { continue }
            var form: Located<String>?
            var recipients: [Located<String>] = []
            let seen = reader.readEntries(of: item, by: table, place: entryPlace()) { key, value, reader in
                switch key {
                case .form: form = reader.name(value, rule: .definitionID, kind: "form", place: "'form' of \(entryPlace())")
                case .recipients:
                    recipients = reader.names(value, rule: .identifier, kind: "role", place: "'for' of \(entryPlace())", allowSingle: true)
                }
            }
            reader.requireKeys(table.keys, of: table, seen: seen, place: entryPlace(), at: item.range.startOnly)
            if let form { starts.append(FormStart(form: form, recipients: recipients)) }
        }
        return starts
    }

    private static func decodeNotifications(_ node: YAMLNodeView, place: () -> String, reader: inout NodeReader) -> [NotificationDefinition] {
        guard reader.expectList(node, place: "'notify' of \(place())") else { return [] }
        let table = notifyKeys
        var notifications: [NotificationDefinition] = []
        notifications.reserveCapacity(node.count)
        for index in 0..<node.count {
            let item = node.item(index)
            func entryPlace() -> String { "an entry of 'notify' of \(place())" }
            guard reader.expectMapping(item, place: entryPlace()) else { continue }
            var recipients: [Located<String>] = []
            var template: Located<String>?
            var ifNamed: [Located<String>] = []
            var condition: ExpressionSource?
            let seen = reader.readEntries(of: item, by: table, place: entryPlace()) { key, value, reader in
                switch key {
                case .to:
                    recipients = reader.names(value, rule: .identifier, kind: "role", place: "'to' of \(entryPlace())", allowSingle: true)
                case .template:
                    template = reader.name(value, rule: .identifier, kind: "template", place: "'template' of \(entryPlace())")
                case .ifNamed:
                    ifNamed = reader.names(value, rule: .identifier, kind: "role", place: "'if_named' of \(entryPlace())", allowSingle: true)
                case .when:
                    if let text = reader.string(value, place: "'when' of \(entryPlace())") {
                        condition = ExpressionSource(text: text.value, range: value.range, style: value.style)
                    }
                }
            }
            reader.requireKeys([.to, .template], of: table, seen: seen, place: entryPlace(), at: item.range.startOnly)
            if let template {
                notifications.append(NotificationDefinition(recipients: recipients, template: template, ifNamed: ifNamed, condition: condition))
            }
        }
        return notifications
    }

    /// A `messages:` mapping: for each of the engine's messages `table` takes, the name of the template it is rendered from.
    static func decodeMessages<Key: RawRepresentable & CaseIterable & Sendable>(
        _ node: YAMLNodeView, by table: KeyTable<Key>, place: String, reader: inout NodeReader
    ) -> [EngineMessage: Located<String>] where Key.RawValue == String {
        guard reader.expectMapping(node, place: place) else { return [:] }
        var messages: [EngineMessage: Located<String>] = [:]
        reader.readEntries(of: node, by: table, place: place) { key, value, reader in
            guard let message = EngineMessage(rawValue: key.rawValue) else { return }
            messages[message] = reader.name(value, rule: .identifier, kind: "template", place: "'\(key.rawValue)' of \(place)")
        }
        return messages
    }

    private static func decodeTemplates(_ node: YAMLNodeView, reader: inout NodeReader) -> [TemplateDefinition] {
        guard reader.expectMapping(node, place: "'templates'") else { return [] }
        let table = templateKeys
        var templates: [TemplateDefinition] = []
        for entry in 0..<node.count {
            let nameKey = node.key(entry)
            let name = reader.keyName(nameKey, rule: .identifier, kind: "template")
            let place = "template '\(name.value)'"
            let body = node.value(entry)
            var subject: TemplateText?
            var text: TemplateText?
            if reader.expectMapping(body, place: place) {
                let seen = reader.readEntries(of: body, by: table, place: place) { key, value, reader in
                    switch key {
                    case .subject: subject = templateText(value, template: name.value, place: "'subject' of \(place)", reader: &reader)
                    case .body: text = templateText(value, template: name.value, place: "'body' of \(place)", reader: &reader)
                    }
                }
                reader.requireKeys(table.keys, of: table, seen: seen, place: place, at: nameKey.range)
            }
            // A template whose text is unusable is still declared, so notifications that name it resolve.
            let unusable = TemplateText(source: "", parts: [], range: nameKey.range)
            templates.append(TemplateDefinition(name: name, subject: subject ?? unusable, body: text ?? unusable))
        }
        return templates
    }

    private static func templateText(_ node: YAMLNodeView, template: String, place: String, reader: inout NodeReader) -> TemplateText? {
        guard let text = reader.string(node, place: place) else { return nil }
        switch TemplateText.parse(text.value, at: text.range) {
        case .success(let parsed): return parsed
        case .failure(let error):
            reader.bag.report(.malformedPlaceholder(template: template, reason: error.description), at: text.range)
            return nil
        }
    }
}

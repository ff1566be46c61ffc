import CaseworkYAML

/// Reads a workflow file's root mapping into a ``WorkflowDefinition``, reporting every structural problem.
enum WorkflowDecoder {
    static let keys = ["workflow", "version", "title", "description", "roles", "fields", "states", "transitions", "templates"]
    static let stateKeys = ["title", "description", "initial", "final"]
    static let transitionKeys = ["name", "title", "from", "to", "by", "when", "start_forms", "notify"]
    static let templateKeys = ["subject", "body"]
    static let notifyKeys = ["to", "template"]
    static let formStartKeys = ["form", "for"]

    /// Decodes `root`; returns nil only when the workflow has no usable id.
    static func decode(_ root: YAMLNode, pairs: [YAMLPair], reader: inout NodeReader) -> WorkflowDefinition? {
        var id: Located<String>?
        var version: Int?
        var title: String?
        var description: String?
        var roles: [Located<String>] = []
        var fields: [FieldDefinition] = []
        var states: [StateDefinition] = []
        var transitions: [TransitionDefinition] = []
        var templates: [TemplateDefinition] = []
        for pair in pairs {
            let value = pair.value
            switch pair.key.name {
            case "workflow": id = reader.name(value, rule: .definitionID, kind: "workflow", place: "'workflow'")
            case "version": version = reader.version(value)
            case "title": title = reader.string(value, place: "'title'")?.value
            case "description": description = reader.string(value, place: "'description'")?.value
            case "roles": roles = reader.names(value, rule: .identifier, kind: "role", place: "'roles'")
            case "fields": fields = reader.fields(value, place: "'fields'")
            case "states": states = decodeStates(value, reader: &reader)
            case "transitions": transitions = decodeTransitions(value, reader: &reader)
            case "templates": templates = decodeTemplates(value, reader: &reader)
            default: reader.unknownKey(pair.key, place: "a workflow", allowed: keys)
            }
        }
        reader.requireKeys(["workflow", "version", "title", "roles", "states", "transitions"], in: pairs, place: "workflow", at: headRange(of: root))
        guard let id else { return nil }
        return WorkflowDefinition(
            id: id, version: version ?? 0, title: title ?? id.value, description: description, roles: roles,
            fields: fields, states: states, transitions: transitions, templates: templates, file: root.range.file
        )
    }

    private static func decodeStates(_ node: YAMLNode, reader: inout NodeReader) -> [StateDefinition] {
        guard let pairs = reader.mapping(node, place: "'states'") else { return [] }
        if pairs.isEmpty { reader.bag.report(.emptyList(place: "'states'"), at: node.range) }
        var states: [StateDefinition] = []
        states.reserveCapacity(pairs.count)
        for pair in pairs {
            let name = reader.checkedName(Located(pair.key.name, at: pair.key.range), rule: .identifier, kind: "state")
            var state = StateDefinition(name: name, title: name.value, isInitial: false, isFinal: false)
            let place = "state '\(name.value)'"
            // A state whose value is not a mapping is still declared, so references to it resolve.
            let entries = pair.value.scalar?.isNull == true ? [] : reader.mapping(pair.value, place: place) ?? []
            for entry in entries {
                switch entry.key.name {
                case "title": state.title = reader.string(entry.value, place: "'title' of \(place)")?.value ?? state.title
                case "description": state.description = reader.string(entry.value, place: "'description' of \(place)")?.value
                case "initial": state.isInitial = reader.bool(entry.value, place: "'initial' of \(place)") ?? false
                case "final": state.isFinal = reader.bool(entry.value, place: "'final' of \(place)") ?? false
                default: reader.unknownKey(entry.key, place: place, allowed: stateKeys)
                }
            }
            states.append(state)
        }
        return states
    }

    private static func decodeTransitions(_ node: YAMLNode, reader: inout NodeReader) -> [TransitionDefinition] {
        guard let items = reader.list(node, place: "'transitions'") else { return [] }
        var transitions: [TransitionDefinition] = []
        transitions.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            if let transition = decodeTransition(item, index: index, reader: &reader) {
                transitions.append(transition)
            }
        }
        return transitions
    }

    private static func decodeTransition(_ node: YAMLNode, index: Int, reader: inout NodeReader) -> TransitionDefinition? {
        guard let pairs = reader.mapping(node, place: "transition \(index + 1)") else { return nil }
        let nameNode = pairs.first { $0.key.name == "name" }?.value
        let name = nameNode.flatMap { reader.name($0, rule: .identifier, kind: "transition", place: "'name' of transition \(index + 1)") }
        let place = name.map { "transition '\($0.value)'" } ?? "transition \(index + 1)"
        var title: String?
        var from: [Located<String>] = []
        var to: Located<String>?
        var by: [Located<String>] = []
        var when: ExpressionSource?
        var startForms: [FormStart] = []
        var notify: [NotificationDefinition] = []
        for pair in pairs {
            let value = pair.value
            switch pair.key.name {
            case "name": break
            case "title": title = reader.string(value, place: "'title' of \(place)")?.value
            case "from": from = reader.names(value, rule: .identifier, kind: "state", place: "'from' of \(place)", allowSingle: true)
            case "to": to = reader.name(value, rule: .identifier, kind: "state", place: "'to' of \(place)")
            case "by": by = reader.names(value, rule: .identifier, kind: "role", place: "'by' of \(place)", allowSingle: true)
            case "when":
                if let text = reader.string(value, place: "'when' of \(place)") {
                    when = ExpressionSource(text: text.value, range: value.range, style: value.scalar?.style ?? .plain)
                }
            case "start_forms": startForms = decodeFormStarts(value, place: place, reader: &reader)
            case "notify": notify = decodeNotifications(value, place: place, reader: &reader)
            default: reader.unknownKey(pair.key, place: place, allowed: transitionKeys)
            }
        }
        reader.requireKeys(["name", "from", "to", "by"], in: pairs, place: place, at: headRange(of: node))
        guard let name, let to, !from.isEmpty else { return nil }
        return TransitionDefinition(
            name: name, title: title ?? name.value, from: from, to: to, by: by, when: when,
            startForms: startForms, notify: notify
        )
    }

    private static func decodeFormStarts(_ node: YAMLNode, place: String, reader: inout NodeReader) -> [FormStart] {
        guard let items = reader.list(node, place: "'start_forms' of \(place)") else { return [] }
        var starts: [FormStart] = []
        for item in items {
            let entryPlace = { "an entry of 'start_forms' of \(place)" }
            guard let pairs = reader.mapping(item, place: entryPlace()) else { continue }
            var form: Located<String>?
            var recipients: [Located<String>] = []
                for pair in pairs {
                switch pair.key.name {
                case "form": form = reader.name(pair.value, rule: .definitionID, kind: "form", place: "'form' of \(entryPlace())")
                case "for": recipients = reader.names(pair.value, rule: .identifier, kind: "role", place: "'for' of \(entryPlace())", allowSingle: true)
                default: reader.unknownKey(pair.key, place: entryPlace(), allowed: formStartKeys)
                }
            }
            reader.requireKeys(formStartKeys, in: pairs, place: entryPlace(), at: headRange(of: item))
            if let form { starts.append(FormStart(form: form, recipients: recipients)) }
        }
        return starts
    }

    private static func decodeNotifications(_ node: YAMLNode, place: String, reader: inout NodeReader) -> [NotificationDefinition] {
        guard let items = reader.list(node, place: "'notify' of \(place)") else { return [] }
        var notifications: [NotificationDefinition] = []
        for item in items {
            let entryPlace = { "an entry of 'notify' of \(place)" }
            guard let pairs = reader.mapping(item, place: entryPlace()) else { continue }
            var recipients: [Located<String>] = []
            var template: Located<String>?
                for pair in pairs {
                switch pair.key.name {
                case "to": recipients = reader.names(pair.value, rule: .identifier, kind: "role", place: "'to' of \(entryPlace())", allowSingle: true)
                case "template": template = reader.name(pair.value, rule: .identifier, kind: "template", place: "'template' of \(entryPlace())")
                default: reader.unknownKey(pair.key, place: entryPlace(), allowed: notifyKeys)
                }
            }
            reader.requireKeys(notifyKeys, in: pairs, place: entryPlace(), at: headRange(of: item))
            if let template { notifications.append(NotificationDefinition(recipients: recipients, template: template)) }
        }
        return notifications
    }

    private static func decodeTemplates(_ node: YAMLNode, reader: inout NodeReader) -> [TemplateDefinition] {
        guard let pairs = reader.mapping(node, place: "'templates'") else { return [] }
        var templates: [TemplateDefinition] = []
        for pair in pairs {
            let name = reader.checkedName(Located(pair.key.name, at: pair.key.range), rule: .identifier, kind: "template")
            let place = "template '\(name.value)'"
            let entries = reader.mapping(pair.value, place: place)
            var subject: TemplateText?
            var body: TemplateText?
            for entry in entries ?? [] {
                switch entry.key.name {
                case "subject": subject = templateText(entry.value, template: name.value, place: "'subject' of \(place)", reader: &reader)
                case "body": body = templateText(entry.value, template: name.value, place: "'body' of \(place)", reader: &reader)
                default: reader.unknownKey(entry.key, place: place, allowed: templateKeys)
                }
            }
            if let entries {
                reader.requireKeys(templateKeys, in: entries, place: place, at: pair.key.range)
            }
            // A template whose text is unusable is still declared, so notifications that name it resolve.
            let unusable = TemplateText(source: "", parts: [], range: pair.key.range)
            templates.append(TemplateDefinition(name: name, subject: subject ?? unusable, body: body ?? unusable))
        }
        return templates
    }

    private static func templateText(_ node: YAMLNode, template: String, place: String, reader: inout NodeReader) -> TemplateText? {
        guard let text = reader.string(node, place: place) else { return nil }
        switch TemplateText.parse(text.value, at: text.range) {
        case .success(let parsed): return parsed
        case .failure(let error):
            reader.bag.report(.malformedPlaceholder(template: template, reason: error.description), at: text.range)
            return nil
        }
    }
}

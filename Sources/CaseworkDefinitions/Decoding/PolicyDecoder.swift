import CaseworkExpressions
import CaseworkYAML

/// Reads a policy file (`policy:`) into a ``PolicyDefinition``, reporting every structural problem.
enum PolicyDecoder {
    /// The keys of a policy file's root mapping.
    enum Key: String, CaseIterable {
        case policy, version, title, description, actor, levels, actions, resources, rules, recipients, personas
        case sectionFields = "section_fields"
    }

    static let keys = KeyTable<Key>()
    static let ruleKeys = ["id", "allow", "deny", "on", "when", "redact", "reason"]
    static let personaKeys = ["title", "role", "organisation", "attributes", "grant"]
    static let personaGrantKeys = ["level", "sections"]

    /// Decodes `root`, a mapping; returns nil only when the policy has no usable id.
    static func decode(_ root: YAMLNodeView, reader: inout NodeReader) -> PolicyDefinition? {
        var id: Located<String>?
        var version: Int?
        var title: String?
        var attributes: [FieldDefinition] = []
        var levels: [Located<String>] = []
        var actions: [Located<String>] = []
        var resources: [ResourceDefinition] = []
        var rules: [PolicyRule] = []
        var sectionFields: [SectionFields] = []
        var recipientsNode: YAMLNodeView?
        var personasNode: YAMLNodeView?
        let table = keys
        let seen = reader.readEntries(of: root, by: table, place: "a policy") { key, value, reader in
            switch key {
            case .policy: id = reader.name(value, rule: .definitionID, kind: "policy", place: "'policy'")
            case .version: version = reader.version(value)
            case .title: title = reader.string(value, place: "'title'")?.value
            case .description: _ = reader.string(value, place: "'description'")
            case .actor: attributes = reader.fields(value, place: "'actor'")
            case .levels: levels = reader.names(value, rule: .identifier, kind: "level", place: "'levels'")
            case .actions: actions = reader.names(value, rule: .identifier, kind: "action", place: "'actions'")
            case .resources:
                guard reader.expectMapping(value, place: "'resources'") else { return }
                for index in 0..<value.count {
                    let name = reader.keyName(value.key(index), rule: .identifier, kind: "resource")
                    let sections = value.value(index).isNull ? [] :
                        reader.names(value.value(index), rule: .section, kind: "section", place: "the sections of '\(name.value)'", nonEmpty: false)
                    resources.append(ResourceDefinition(name: name, sections: sections))
                }
            case .rules:
                guard reader.expectList(value, place: "'rules'") else { return }
                for index in 0..<value.count {
                    if let rule = rule(value.item(index), index: index, reader: &reader) { rules.append(rule) }
                }
            case .recipients: recipientsNode = value
            case .personas: personasNode = value
            case .sectionFields: sectionFields = sectionFieldMappings(value, reader: &reader)
            }
        }
        let recipients = recipientsNode.map { recipientProfiles($0, attributes: attributes, reader: &reader) } ?? []
        let personas = personasNode.map { self.personas($0, attributes: attributes, reader: &reader) } ?? []
        reader.requireKeys([.policy, .version, .resources, .rules], of: table, seen: seen, place: "policy", at: root.range.startOnly)
        guard let id else { return nil }
        return PolicyDefinition(id: id, version: version ?? 0, title: title, actorAttributes: attributes, levels: levels,
                                actions: actions, resources: resources, rules: rules, sectionFields: sectionFields, recipients: recipients,
                                personas: personas, file: root.range.file)
    }

    /// Decodes `section_fields: { case.SECTION: [FIELD, ...] }`. A key must be a section of `case` that is not one of
    /// its built-in parts (`state`, `deadlines`, `fields`), which are not groups of fields; whether the section and
    /// the fields exist is checked against the whole set.
    private static func sectionFieldMappings(_ node: YAMLNodeView, reader: inout NodeReader) -> [SectionFields] {
        guard reader.expectMapping(node, place: "'section_fields'") else { return [] }
        var mappings: [SectionFields] = []
        for index in 0..<node.count {
            let section = reader.keyName(node.key(index), rule: .resourcePath, kind: "section")
            let parts = section.value.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == "case", !ResourcePaths.caseParts.contains(String(parts[1])) else {
                reader.bag.report(.wrongType(place: "a key of 'section_fields'", expected: "a section of 'case' that holds fields, such as 'case.address'",
                                             found: "'\(section.value)'"), at: section.range)
                continue
            }
            let fields = reader.names(node.value(index), rule: .identifierPath, kind: "field", place: "the fields of '\(section.value)'", allowSingle: true)
            mappings.append(SectionFields(section: section, fields: fields))
        }
        return mappings
    }

    /// Decodes `recipients: { ROLE: { ATTRIBUTE: VALUE } }`, typing each value by the declared actor attributes.
    private static func recipientProfiles(_ node: YAMLNodeView, attributes: [FieldDefinition], reader: inout NodeReader) -> [RecipientProfile] {
        guard reader.expectMapping(node, place: "'recipients'") else { return [] }
        let declared = FieldValues.types(of: attributes)
        var profiles: [RecipientProfile] = []
        for index in 0..<node.count {
            let role = reader.keyName(node.key(index), rule: .identifier, kind: "role")
            let body = node.value(index)
            let place = "recipient '\(role.value)'"
            guard reader.expectMapping(body, place: place) else { continue }
            profiles.append(RecipientProfile(role: role, attributes: attributeValues(body, place: place, declared: declared, reader: &reader)))
        }
        return profiles
    }

    /// The values of the mapping `body` (`{ ATTRIBUTE: VALUE }`, already known to be a mapping), each typed by its declared
    /// actor attribute; an undeclared attribute is reported with the nearest declared one.
    private static func attributeValues(_ body: YAMLNodeView, place: String, declared: [String: FieldType],
                                        reader: inout NodeReader) -> [String: ExpressionValue] {
        var values: [String: ExpressionValue] = [:]
        for entry in 0..<body.count {
            let key = body.key(entry)
            guard let type = declared[key.string] else {
                reader.unknownKey(key, place: place, allowed: declared.keys.sorted())
                continue
            }
            guard let text = reader.string(body.value(entry), place: "'\(key.string)' of \(place)") else { continue }
            switch FieldValues.parse(text.value, as: type) {
            case .success(let value): values[key.string] = value
            case .failure:
                reader.bag.report(.wrongType(place: "'\(key.string)' of \(place)", expected: FieldValues.describe(type), found: "'\(text.value)'"), at: text.range)
            }
        }
        return values
    }

    /// Decodes `personas: [{ title, role, organisation, attributes, grant: { level, sections } }]`: attributes typed by
    /// the declared actor attributes. Whether the role is a workflow role, the level one of the policy's and the sections
    /// parts of a case is checked against the whole set.
    private static func personas(_ node: YAMLNodeView, attributes: [FieldDefinition], reader: inout NodeReader) -> [PolicyPersona] {
        guard reader.expectList(node, place: "'personas'") else { return [] }
        let declared = FieldValues.types(of: attributes)
        var personas: [PolicyPersona] = []
        for index in 0..<node.count {
            let item = node.item(index)
            guard let fields = reader.entries(item, place: "persona \(index + 1)", allowed: personaKeys, required: ["title", "role"]) else { continue }
            let title = fields["title"].flatMap { reader.string($0, place: "'title' of persona \(index + 1)") }
            let place = title.map { "persona '\($0.value)'" } ?? "persona \(index + 1)"
            let role = fields["role"].flatMap { reader.name($0, rule: .identifier, kind: "role", place: "'role' of \(place)") }
            var organisation: Located<String>?
            if let node = fields["organisation"], let text = reader.string(node, place: "'organisation' of \(place)") {
                if let problem = Principal.problem(withID: text.value) {
                    reader.bag.report(.wrongType(place: "'organisation' of \(place)", expected: "an organisation's id", found: problem), at: text.range)
                } else {
                    organisation = text
                }
            }
            var values: [String: ExpressionValue] = [:]
            if let body = fields["attributes"], reader.expectMapping(body, place: "'attributes' of \(place)") {
                values = attributeValues(body, place: "'attributes' of \(place)", declared: declared, reader: &reader)
            }
            var grant: PersonaGrant?
            if let body = fields["grant"], let entries = reader.entries(body, place: "'grant' of \(place)", allowed: personaGrantKeys, required: ["level"]),
                let level = entries["level"].flatMap({ reader.name($0, rule: .identifier, kind: "level", place: "'level' of \(place)") }) {
                let sections = entries["sections"].map {
                    reader.names($0, rule: .resourcePath, kind: "resource", place: "'sections' of the grant of \(place)", allowSingle: true)
                }
                grant = PersonaGrant(level: level, sections: sections)
            }
            guard let title, let role else { continue }
            personas.append(PolicyPersona(title: title, role: role, organisation: organisation, attributes: values, grant: grant))
        }
        return personas
    }

    private static func rule(_ node: YAMLNodeView, index: Int, reader: inout NodeReader) -> PolicyRule? {
        guard let fields = reader.entries(node, place: "rule \(index + 1)", allowed: ruleKeys) else { return nil }
        var id: Located<String>?
        if let node = fields["id"] { id = reader.name(node, rule: .definitionID, kind: "rule", place: "'id' of rule \(index + 1)") }
        let place = id.map { "rule '\($0.value)'" } ?? "rule \(index + 1)"
        if id == nil, fields["id"] == nil { reader.bag.report(.missingKey(key: "id", place: place), at: node.range.startOnly) }
        let effect: PolicyRule.Effect
        let actionsNode: YAMLNodeView
        switch (fields["allow"], fields["deny"]) {
        case (let allow?, nil):
            effect = .allow
            actionsNode = allow
        case (nil, let deny?):
            effect = .deny
            actionsNode = deny
        default:
            reader.bag.report(.wrongType(place: place, expected: "exactly one of 'allow' or 'deny'", found: fields["allow"] == nil ? "neither" : "both"),
                              at: node.range.startOnly)
            return nil
        }
        let actions = reader.names(actionsNode, rule: .identifier, kind: "action", place: "'\(effect.rawValue)' of \(place)", allowSingle: true)
        var on: [Located<String>] = []
        if let node = fields["on"] { on = reader.names(node, rule: .resourcePath, kind: "resource", place: "'on' of \(place)", allowSingle: true) }
        var redact: [Located<String>] = []
        if let node = fields["redact"] { redact = reader.names(node, rule: .resourcePath, kind: "resource", place: "'redact' of \(place)", allowSingle: true) }
        var when: ExpressionSource?
        if let node = fields["when"], let text = reader.string(node, place: "'when' of \(place)") {
            when = ExpressionSource(text: text.value, range: node.range, style: node.style)
        }
        var reason: ReasonText?
        if let node = fields["reason"], let text = reader.string(node, place: "'reason' of \(place)") {
            reason = ReasonText(text.value, at: node.range, style: node.style)
        }
        guard let id else { return nil }
        return PolicyRule(id: id, effect: effect, actions: actions, on: on, when: when, redact: redact, reason: reason)
    }
}

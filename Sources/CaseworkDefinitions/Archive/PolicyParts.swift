import CaseworkExpressions
import CaseworkTime
import Foundation

// Access policies, whole: their actor, levels, actions, resources, rules, section fields, recipients and personas.

extension ArchiveWriter {
    /// Writes a policy.
    mutating func policy(_ policy: PolicyDefinition) throws(Unwritable) {
        try located(policy.id)
        integer(policy.version)
        try optional(policy.title) { writer, text in writer.string(text) }
        try fields(policy.actorAttributes)
        try names(policy.levels)
        try names(policy.actions)
        try list(policy.resources) { (writer, resource) throws(Unwritable) in
            try writer.located(resource.name)
            try writer.names(resource.sections)
        }
        try list(policy.rules) { (writer, rule) throws(Unwritable) in
            try writer.located(rule.id)
            writer.bool(rule.effect == .deny)
            try writer.names(rule.actions)
            try writer.names(rule.on)
            try writer.optional(rule.when) { (writer, expression) throws(Unwritable) in try writer.expression(expression) }
            try writer.names(rule.redact)
            // The parts are not written: they are worked out from the text again, as the decoder works them out.
            try writer.optional(rule.reason) { (writer, reason) throws(Unwritable) in
                try writer.expression(ExpressionSource(text: reason.text, range: reason.range, style: reason.style))
            }
        }
        try list(policy.sectionFields) { (writer, mapping) throws(Unwritable) in
            try writer.located(mapping.section)
            try writer.names(mapping.fields)
        }
        try list(policy.recipients) { (writer, profile) throws(Unwritable) in
            try writer.located(profile.role)
            try writer.attributes(profile.attributes)
        }
        try list(policy.personas) { (writer, persona) throws(Unwritable) in
            try writer.located(persona.title)
            try writer.located(persona.role)
            try writer.optional(persona.organisation) { (writer, name) throws(Unwritable) in try writer.located(name) }
            try writer.attributes(persona.attributes)
            try writer.optional(persona.grant) { (writer, grant) throws(Unwritable) in
                try writer.located(grant.level)
                try writer.optional(grant.sections) { (writer, sections) throws(Unwritable) in try writer.names(sections) }
            }
        }
        try file(policy.file)
    }

    /// Writes attribute values by name, in the names' order.
    mutating func attributes(_ attributes: [String: ExpressionValue]) throws(Unwritable) {
        try list(attributes.keys.sorted()) { (writer, name) throws(Unwritable) in
            writer.string(name)
            try writer.value(attributes[name]!)
        }
    }

    /// Writes a value: its case's code (the order of ``ExpressionValue``'s cases), then what it holds (a decimal as its
    /// text, an instant as the bits of its seconds since 2001).
    mutating func value(_ value: ExpressionValue) throws(Unwritable) {
        try nested { (writer) throws(Unwritable) in
            switch value {
            case .bool(let flag):
                writer.count(0)
                writer.bool(flag)
            case .int(let number):
                writer.count(1)
                writer.integer(number)
            case .decimal(let number):
                writer.count(2)
                writer.string(number.description)
            case .string(let text):
                writer.count(3)
                writer.string(text)
            case .date(let date):
                writer.count(4)
                writer.integer(date.daysSinceEpoch)
            case .datetime(let instant):
                writer.count(5)
                writer.unsigned(instant.timeIntervalSinceReferenceDate.bitPattern)
            case .duration(let duration):
                writer.count(6)
                writer.duration(duration)
            case .list(let values):
                writer.count(7)
                try writer.list(values) { (writer, value) throws(Unwritable) in try writer.value(value) }
            }
        }
    }
}

extension ArchiveReader {
    /// Reads a policy written by ``ArchiveWriter/policy(_:)``.
    mutating func policy() throws(Damage) -> PolicyDefinition {
        let id = try located()
        let version = try integer()
        let title = try optional { (reader) throws(Damage) in try reader.string() }
        let actorAttributes = try fields()
        let levels = try names()
        let actions = try names()
        let resources = try list { (reader) throws(Damage) in
            let name = try reader.located()
            return ResourceDefinition(name: name, sections: try reader.names())
        }
        let rules = try list { (reader) throws(Damage) in
            let id = try reader.located()
            let effect: PolicyRule.Effect = try reader.bool() ? .deny : .allow
            let actions = try reader.names()
            let on = try reader.names()
            let when = try reader.optional { (reader) throws(Damage) in try reader.expression() }
            let redact = try reader.names()
            let reason = try reader.optional { (reader) throws(Damage) in
                let written = try reader.expression()
                return ReasonText(written.text, at: written.range, style: written.style)
            }
            return PolicyRule(id: id, effect: effect, actions: actions, on: on, when: when, redact: redact, reason: reason)
        }
        let sectionFields = try list { (reader) throws(Damage) in
            let section = try reader.located()
            return SectionFields(section: section, fields: try reader.names())
        }
        let recipients = try list { (reader) throws(Damage) in
            let role = try reader.located()
            return RecipientProfile(role: role, attributes: try reader.attributes())
        }
        let personas = try list { (reader) throws(Damage) in
            let title = try reader.located()
            let role = try reader.located()
            let organisation = try reader.optional { (reader) throws(Damage) in try reader.located() }
            let attributes = try reader.attributes()
            let grant = try reader.optional { (reader) throws(Damage) in
                let level = try reader.located()
                return PersonaGrant(level: level, sections: try reader.optional { (reader) throws(Damage) in try reader.names() })
            }
            return PolicyPersona(title: title, role: role, organisation: organisation, attributes: attributes, grant: grant)
        }
        return PolicyDefinition(
            id: id, version: version, title: title, actorAttributes: actorAttributes, levels: levels, actions: actions, resources: resources,
            rules: rules, sectionFields: sectionFields, recipients: recipients, personas: personas, file: try file()
        )
    }

    /// Reads attribute values written by ``ArchiveWriter/attributes(_:)``: each name at most once.
    mutating func attributes() throws(Damage) -> [String: ExpressionValue] {
        let entries = try list { (reader) throws(Damage) in
            let name = try reader.string()
            return (name, try reader.value())
        }
        var attributes: [String: ExpressionValue] = [:]
        for (name, value) in entries {
            guard attributes.updateValue(value, forKey: name) == nil else { throw Damage() }
        }
        return attributes
    }

    /// Reads a value written by ``ArchiveWriter/value(_:)``: a decimal that reads as one, a finite instant, a date in the
    /// supported years.
    mutating func value() throws(Damage) -> ExpressionValue {
        try nested { (reader) throws(Damage) in
            switch try reader.code(below: 8) {
            case 0: return .bool(try reader.bool())
            case 1: return .int(try reader.integer())
            case 2:
                guard let number = Decimal(string: try reader.string(), locale: Locale(identifier: "en_US_POSIX")) else { throw Damage() }
                return .decimal(number)
            case 3: return .string(try reader.string())
            case 4:
                return .date(CalendarDate(daysSinceEpoch: try reader.integer(in: Self.supportedDays)))
            case 5:
                let seconds = Double(bitPattern: try reader.unsigned())
                guard seconds.isFinite else { throw Damage() }
                return .datetime(Date(timeIntervalSinceReferenceDate: seconds))
            case 6: return .duration(try reader.duration())
            default: return .list(try reader.list { (reader) throws(Damage) in try reader.value() })
            }
        }
    }
}

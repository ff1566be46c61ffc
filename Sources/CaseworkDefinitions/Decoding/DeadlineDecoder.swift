import CaseworkTime
import CaseworkYAML

/// Reads a workflow's `deadlines:` and a transition's `input:` and `set:`.
enum DeadlineDecoder {
    static let keys = ["name", "title", "from", "due", "due_on", "when", "until", "remind", "on_breach", "calendar", "kind", "met_by", "restart_on", "lapses_on",
                       "remind_to", "every"]
    /// The keys of an exception under `exceptions:`.
    static let exceptionKeys = ["title", "cites", "applies_to", "effect"]
    /// The keys of a transition's `grant:`, all required.
    static let grantKeys = ["case", "to", "level"]
    /// The keys of a deadline's `on_breach:`.
    static let breachKeys = ["notify"]
    /// The one key of a clock's start or restart written as a mapping: `{ entered: STATE }` or `{ fired: TRANSITION }`.
    static let startKeys = ["entered", "fired"]

    /// Decodes the `deadlines:` list.
    static func decode(_ node: YAMLNodeView, reader: inout NodeReader) -> [DeadlineDefinition] {
        guard reader.expectList(node, place: "'deadlines'") else { return [] }
        var deadlines: [DeadlineDefinition] = []
        for index in 0..<node.count {
            if let deadline = deadline(node.item(index), index: index, reader: &reader) { deadlines.append(deadline) }
        }
        return deadlines
    }

    private static func deadline(_ node: YAMLNodeView, index: Int, reader: inout NodeReader) -> DeadlineDefinition? {
        guard let fields = reader.entries(node, place: "deadline \(index + 1)", allowed: keys) else { return nil }
        var name: Located<String>?
        if let node = fields["name"] { name = reader.name(node, rule: .identifier, kind: "deadline", place: "'name' of deadline \(index + 1)") }
        let place = name.map { "deadline '\($0.value)'" } ?? "deadline \(index + 1)"
        for required in ["name", "from", "until"] where fields[required] == nil {
            reader.bag.report(.missingKey(key: required, place: place), at: node.range.startOnly)
        }
        switch (fields["due"], fields["due_on"]) {
        case (nil, nil) where fields["every"] == nil: reader.bag.report(.missingKey(key: "due", place: place), at: node.range.startOnly)
        case (.some, .some(let second)): reader.bag.report(.dueTwice(deadline: name?.value ?? place), at: second.range)
        default: break
        }
        var title: String?
        if let node = fields["title"] { title = reader.string(node, place: "'title' of \(place)")?.value }
        var start: DeadlineStart?
        if let node = fields["from"] { start = Self.start(node, place: "'from' of \(place)", reader: &reader) }
        var due: Located<StatutoryDuration>?
        if let node = fields["due"] { due = reader.duration(node, place: "'due' of \(place)") }
        var until: [Located<String>] = []
        if let node = fields["until"] { until = reader.names(node, rule: .identifier, kind: "state", place: "'until' of \(place)", allowSingle: true) }
        var remind: [Located<RelativeDuration>] = []
        if let list = fields["remind"], reader.expectList(list, place: "'remind' of \(place)") {
            for item in 0..<list.count {
                guard let text = reader.string(list.item(item), place: "an entry of 'remind' of \(place)") else { continue }
                switch RelativeDuration.parse(text.value) {
                case .success(let value): remind.append(Located(value, at: text.range))
                case .failure(let error):
                    // A reminder is a duration and a direction; say so rather than only that words are missing or extra.
                    var reason = error.description
                    if case .unexpectedWords = error { reason = "a reminder is a duration then 'before' or 'after', such as '1 week before'" }
                    reader.bag.report(.invalidDuration(text: text.value, reason: reason), at: text.range)
                }
            }
        }
        var breachNotify: [Located<String>] = []
        if let breach = fields["on_breach"].flatMap({ reader.entries($0, place: "'on_breach' of \(place)", allowed: breachKeys) }),
            let notify = breach["notify"]
        {
            breachNotify = reader.names(notify, rule: .identifier, kind: "role", place: "'notify' of 'on_breach' of \(place)")
        }
        var calendar: Located<String>?
        if let node = fields["calendar"] { calendar = reader.name(node, rule: .definitionID, kind: "calendar", place: "'calendar' of \(place)") }
        var kind = DeadlineKind.duty
        if let node = fields["kind"], let word = reader.string(node, place: "'kind' of \(place)") {
            if let read = DeadlineKind(rawValue: word.value) {
                kind = read
            } else {
                reader.bag.report(.wrongType(place: "'kind' of \(place)", expected: "duty or window", found: reader.describe(node)), at: node.range)
            }
        }
        var metBy: Located<String>?
        if let node = fields["met_by"] { metBy = reader.name(node, rule: .identifierPath, kind: "field", place: "'met_by' of \(place)") }
        var restartOn: [DeadlineStart] = []
        if let node = fields["restart_on"] {
            let items = node.kind == .sequence ? (0..<node.count).map { node.item($0) } : [node]
            for item in items {
                guard item.kind == .mapping else {
                    reader.bag.report(.wrongType(place: "'restart_on' of \(place)", expected: "{ entered: STATE } or { fired: TRANSITION }, or a list of them",
                                                 found: reader.describe(item)), at: item.range)
                    continue
                }
                if let start = Self.start(item, place: "'restart_on' of \(place)", reader: &reader) { restartOn.append(start) }
            }
        }
        func expression(_ key: String) -> ExpressionSource? {
            guard let node = fields[key], let text = reader.string(node, place: "'\(key)' of \(place)") else { return nil }
            return ExpressionSource(text: text.value, range: node.range, style: node.style)
        }
        let dueOn = expression("due_on")
        let condition = expression("when")
        let every = fields["every"].flatMap { reader.duration($0, place: "'every' of \(place)") }
        guard let name, let start, due != nil || dueOn != nil || every != nil else { return nil }
        var deadline = DeadlineDefinition(name: name, title: title ?? name.value, start: start, due: due, until: until,
                                          remind: remind, breachNotify: breachNotify, calendar: calendar)
        deadline.dueOn = due == nil ? dueOn : nil
        deadline.condition = condition
        deadline.every = every
        deadline.kind = kind
        deadline.metBy = metBy
        deadline.restartOn = restartOn
        if let node = fields["remind_to"] {
            deadline.remindTo = reader.names(node, rule: .identifier, kind: "role", place: "'remind_to' of \(place)", allowSingle: true)
        }
        if let node = fields["lapses_on"] {
            deadline.lapsesOn = reader.names(node, rule: .identifier, kind: "state", place: "'lapses_on' of \(place)", allowSingle: true)
        }
        return deadline
    }

    /// Decodes `exceptions:`, a mapping from each exception's code to `{ title, cites, applies_to, effect }`.
    static func exceptions(_ node: YAMLNodeView, reader: inout NodeReader) -> [ExceptionDefinition] {
        guard reader.expectMapping(node, place: "'exceptions'") else { return [] }
        var exceptions: [ExceptionDefinition] = []
        for entry in 0..<node.count {
            let code = reader.keyName(node.key(entry), rule: .definitionID, kind: "exception")
            let place = "exception '\(code.value)'"
            guard let fields = reader.entries(node.value(entry), place: place, allowed: exceptionKeys,
                                              required: ["cites", "applies_to", "effect"])
            else { continue }
            let title = fields["title"].flatMap { reader.string($0, place: "'title' of \(place)")?.value }
            let cites = fields["cites"].flatMap { reader.string($0, place: "'cites' of \(place)")?.value }
            let appliesTo = fields["applies_to"].map { reader.names($0, rule: .identifier, kind: "deadline", place: "'applies_to' of \(place)", allowSingle: true) } ?? []
            var effect: ExceptionEffect?
            if let node = fields["effect"], let word = reader.string(node, place: "'effect' of \(place)") {
                effect = ExceptionEffect(rawValue: word.value)
                if effect == nil { reader.bag.report(.wrongType(place: "'effect' of \(place)", expected: "pause or excuse", found: reader.describe(node)), at: node.range) }
            }
            guard let cites, let effect else { continue }
            exceptions.append(ExceptionDefinition(code: code, title: title ?? code.value, cites: cites, appliesTo: appliesTo, effect: effect))
        }
        return exceptions
    }

    private static func start(_ node: YAMLNodeView, place: String, reader: inout NodeReader) -> DeadlineStart? {
        if node.kind == .scalar {
            return reader.name(node, rule: .identifierPath, kind: "field", place: place).map(DeadlineStart.field)
        }
        guard node.kind == .mapping, node.count == 1 else {
            reader.bag.report(.wrongType(place: place, expected: "a date field, { entered: STATE } or { fired: TRANSITION }", found: reader.describe(node)), at: node.range)
            return nil
        }
        let key = node.key(0)
        switch key.string {
        case "entered": return reader.name(node.value(0), rule: .identifier, kind: "state", place: place).map(DeadlineStart.entered)
        case "fired": return reader.name(node.value(0), rule: .identifier, kind: "transition", place: place).map(DeadlineStart.fired)
        default:
            reader.unknownKey(key, place: place, allowed: startKeys)
            return nil
        }
    }

    /// Decodes `input: { field: required | optional }`.
    static func inputs(_ node: YAMLNodeView, place: String, reader: inout NodeReader) -> [InputField] {
        guard reader.expectMapping(node, place: place) else { return [] }
        var result: [InputField] = []
        for entry in 0..<node.count {
            let field = reader.keyName(node.key(entry), rule: .identifierPath, kind: "field")
            let value = node.value(entry)
            switch value.string {
            case "required": result.append(InputField(field: field, isRequired: true))
            case "optional": result.append(InputField(field: field, isRequired: false))
            default:
                reader.bag.report(.wrongType(place: "'\(field.value)' of \(place)", expected: "required or optional", found: reader.describe(value)), at: value.range)
            }
        }
        return result
    }

    /// Decodes `grant: { case: FIELD, to: FIELD, level: FIELD }`.
    static func grantEffect(_ node: YAMLNodeView, place: String, reader: inout NodeReader) -> GrantEffect? {
        guard let entries = reader.entries(node, place: place, allowed: grantKeys, required: grantKeys) else { return nil }
        var fields: [String: Located<String>] = [:]
        for key in grantKeys {
            guard let value = entries[key] else { continue }
            fields[key] = reader.name(value, rule: .identifierPath, kind: "field", place: "'\(key)' of \(place)")
        }
        guard let caseField = fields["case"], let to = fields["to"], let level = fields["level"] else { return nil }
        return GrantEffect(caseField: caseField, toField: to, levelField: level)
    }

    /// Decodes `set: { field: EXPRESSION }`.
    static func assignments(_ node: YAMLNodeView, place: String, reader: inout NodeReader) -> [FieldAssignment] {
        guard reader.expectMapping(node, place: place) else { return [] }
        var result: [FieldAssignment] = []
        for entry in 0..<node.count {
            let field = reader.keyName(node.key(entry), rule: .identifierPath, kind: "field")
            let value = node.value(entry)
            guard let text = reader.string(value, place: "'\(field.value)' of \(place)") else { continue }
            result.append(FieldAssignment(field: field, expression: ExpressionSource(text: text.value, range: value.range, style: value.style)))
        }
        return result
    }
}

import CaseworkTime

/// One key of a mapping in a definition or scenario file, as the schema describes it: what it means, in the
/// reference's words, and the value it takes.
package struct SchemaKey {
    /// What the key means.
    var description: String
    /// The schema of its value.
    var value: JSONValue

    /// A key meaning `description`, whose value is `value`.
    package init(description: String, value: JSONValue) {
        self.description = description
        self.value = value
    }

    /// The key's schema: its value's, with the description first.
    var schema: JSONValue { SchemaPart.described(description, value) }
}

/// A mapping of a definition or scenario file whose keys a decoder reads from a fixed list: the schema's properties are
/// those keys, so a key the decoder takes and the schema lacks, or the other way round, shows in ``missing`` and ``unknown``.
package struct SchemaPlace {
    /// Where the mapping is, as tests name it: `a transition`.
    var name: String
    /// The keys the decoder accepts, in its order.
    var decoderKeys: [String]
    /// The keys the decoder requires.
    var required: [String] = []
    /// Each key's meaning and value.
    var keys: [String: SchemaKey]
    /// Further rules on the mapping as a whole, such as `anyOf` over the required keys.
    var rules: [(key: String, value: JSONValue)] = []

    /// The mapping `name`, whose decoder accepts `decoderKeys` and requires `required`, its keys meaning `keys`, under `rules`.
    package init(
        name: String, decoderKeys: [String], required: [String] = [], keys: [String: SchemaKey], rules: [(key: String, value: JSONValue)] = []
    ) {
        self.name = name
        self.decoderKeys = decoderKeys
        self.required = required
        self.keys = keys
        self.rules = rules
    }

    /// Keys the decoder accepts that the schema does not describe.
    var missing: [String] { decoderKeys.filter { keys[$0] == nil } }
    /// Keys the schema describes that the decoder does not accept.
    var unknown: [String] { keys.keys.filter { !decoderKeys.contains($0) }.sorted() }

    /// The closed object: the decoder's keys in its order, the required ones, and no others.
    package var schema: JSONValue { .object(members) }

    /// The closed object's members.
    var members: [(key: String, value: JSONValue)] {
        var members: [(key: String, value: JSONValue)] = [("type", .string("object"))]
        members.append(("properties", .object(decoderKeys.compactMap { key in keys[key].map { (key, $0.schema) } })))
        if !required.isEmpty { members.append(("required", .array(required.map(JSONValue.string)))) }
        members.append(("additionalProperties", .bool(false)))
        return members + rules
    }
}

/// The shapes of values that recur across the schemas.
package enum SchemaPart {
    /// `shape` with `description` as its first member.
    package static func described(_ description: String, _ shape: JSONValue) -> JSONValue {
        guard case .object(let members) = shape else { return shape }
        return .object([("description", .string(description))] + members)
    }

    /// An object of the given members.
    package static func object(_ members: KeyValuePairs<String, JSONValue>) -> JSONValue {
        .object(members.map { ($0.key, $0.value) })
    }

    /// A string.
    package static let text = object(["type": .string("string")])
    /// An expression or condition of the expression language: text, or a bare number or boolean YAML reads as one.
    static let expression = object(["type": .array([.string("string"), .string("number"), .string("boolean")])])
    /// `true` or `false`.
    static let boolean = object(["type": .string("boolean")])
    /// A definition's version: a whole number of 1 or more, unquoted.
    static let version = object(["type": .string("integer"), "minimum": .integer(1)])

    /// One of `words`.
    package static func oneOf(_ words: [String]) -> JSONValue {
        object(["type": .string("string"), "enum": .array(words.map(JSONValue.string))])
    }

    /// A whole number from `range`'s lower bound to its upper.
    static func integer(_ range: ClosedRange<Int>) -> JSONValue {
        object(["type": .string("integer"), "minimum": .integer(range.lowerBound), "maximum": .integer(range.upperBound)])
    }

    /// A string matching `pattern`; `message` is what yaml-language-server says of one that does not (`patternErrorMessage`,
    /// its own keyword, which other validators ignore), and `examples` what it offers to complete.
    package static func pattern(_ pattern: String, message: String, examples: [String] = []) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("type", .string("string")), ("pattern", .string(pattern)), ("patternErrorMessage", .string(message)),
        ]
        if !examples.isEmpty { members.append(("examples", .array(examples.map(JSONValue.string)))) }
        return .object(members)
    }

    /// A name that follows `rule`.
    package static func name(_ rule: NameRule) -> JSONValue { pattern(rule.pattern, message: rule.help) }

    /// A list of names that follow `rule`, without repeats; with `single`, one bare name too; with `nonEmpty`, at least one.
    static func names(_ rule: NameRule, single: Bool = false, nonEmpty: Bool = true) -> JSONValue {
        var list: [(key: String, value: JSONValue)] = [("type", .string("array")), ("items", name(rule))]
        if nonEmpty { list.append(("minItems", .integer(1))) }
        list.append(("uniqueItems", .bool(true)))
        guard single else { return .object(list) }
        return object(["oneOf": .array([name(rule), .object(list)])])
    }

    /// A mapping whose keys follow `rule` and whose values are `value`.
    package static func mapping(_ rule: NameRule, _ value: JSONValue) -> JSONValue {
        object(["type": .string("object"), "propertyNames": name(rule), "additionalProperties": value])
    }

    /// A closed mapping of one key, required.
    static func single(_ key: String, _ value: JSONValue) -> JSONValue {
        object(["type": .string("object"), "properties": .object([(key, value)]), "required": .array([.string(key)]),
                "additionalProperties": .bool(false)])
    }

    /// A reference to a definition under `$defs`.
    package static func ref(_ name: String) -> JSONValue { object(["$ref": .string("#/$defs/\(name)")]) }

    /// A duration as ``StatutoryDuration/parse(_:)`` reads it: `6 weeks`, `15 working days`.
    static let duration = pattern(
        "^" + DurationPattern.duration + DurationPattern.space + "*$",
        message: "write a number then days, weeks, months, years or working days, such as '6 weeks' or '15 working days'",
        examples: ["6 weeks", "15 working days", "2 months"])
    /// A reminder as ``RelativeDuration/parse(_:)`` reads it: `1 week before`.
    static let relativeDuration = pattern(
        "^" + DurationPattern.duration + DurationPattern.space + "+"
            + DurationPattern.anyCase(["before", "after"]) + DurationPattern.space + "*$",
        message: "a reminder is a duration then 'before' or 'after', such as '1 week before'", examples: ["1 week before", "5 working days before"])
    /// A day of the year, `MM-DD`.
    static let monthDay = pattern("^[0-9]{2}-[0-9]{2}$", message: "write a day of the year as MM-DD, such as 12-25")
    /// A date, `YYYY-MM-DD`.
    package static let date = pattern("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", message: "write a date as YYYY-MM-DD, such as 2026-01-02")
    /// A weekday, in any case, as calendars write working days.
    static let weekday = pattern(
        "^" + DurationPattern.anyCase(CalendarDecoder.weekdays) + "$", message: "write a weekday, monday to sunday", examples: CalendarDecoder.weekdays)
}

/// The pieces of the duration patterns, made from the words ``StatutoryDuration`` reads.
enum DurationPattern {
    /// What separates words: spaces and tabs.
    static let space = "[ \\t]"
    /// The leading `N unit`: a count from 1 to ``StatutoryDuration/maximumCount`` (leading zeros allowed), then a unit in any case.
    static var duration: String {
        precondition(StatutoryDuration.maximumCount == 10_000, "the count pattern spells out 1 to 10000")
        let count = "0*(?:[1-9][0-9]{0,3}|10000)"
        let units = anyCase(["days?", "weeks?", "months?", "years?"]) + "|" + anyCase(["working"]) + space + "+" + anyCase(["days?"])
        return space + "*" + count + space + "+(?:" + units + ")"
    }

    /// `words` as alternatives that match in any case: `days?` becomes `[dD][aA][yY][sS]?`.
    static func anyCase(_ words: [String]) -> String {
        let alternatives = words.map { word in
            word.map { character -> String in
                guard character.isLetter else { return String(character) }
                return "[\(character.lowercased())\(character.uppercased())]"
            }.joined()
        }
        return "(?:" + alternatives.joined(separator: "|") + ")"
    }
}

extension NameRule {
    /// The rule as a regular expression (ECMA-262, anchored), for the schemas; tests check it against ``accepts(_:)-(String)``.
    var pattern: String {
        let identifier = "[a-z][a-z0-9_]*"
        let path = "\(identifier)(?:\\.\(identifier))*"
        let section = "[A-Za-z0-9_]+"
        switch self {
        case .definitionID: return "^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$"
        case .identifier: return "^\(identifier)$"
        case .identifierPath: return "^\(path)$"
        case .section: return "^\(section)$"
        case .resourcePath: return "^\(identifier)(?:\\.\(section)(?:\\.\(path))?)?$"
        }
    }
}

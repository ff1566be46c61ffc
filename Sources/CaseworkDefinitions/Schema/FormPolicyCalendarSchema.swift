/// The places of a form file, with the meanings of `docs/reference/language.md` §7.
enum FormSchema {
    typealias Part = SchemaPart

    /// The root mapping of a form file.
    static let root = SchemaPlace(
        name: "a form", decoderKeys: FormDecoder.keys.names,
        required: ["form", "version", "title", "due", "shared_with", "accepted_by", "fields"],
        keys: [
            "form": SchemaKey(description: "The form's id, unique in the checked set: lower-case words joined by '-'.", value: Part.name(.definitionID)),
            "version": SchemaKey(description: "The definition's version, a whole number of 1 or more; raise it when the content changes.", value: Part.version),
            "title": SchemaKey(description: "The name people read.", value: Part.text),
            "description": SchemaKey(description: "What the form is for; guidance for whoever fills it in.", value: Part.text),
            "due": SchemaKey(description: "How long the receiving organisation has to submit it, such as '6 weeks'.", value: Part.duration),
            "shared_with": SchemaKey(description: "The organisations whose generic accounts may receive it: a non-empty list of role names.",
                                     value: Part.names(.identifier)),
            "accepted_by": SchemaKey(description: "Who may accept or reject a submission: a non-empty list of role names.", value: Part.names(.identifier)),
            "fields": SchemaKey(description: "What the organisation fills in: each field's name and type.", value: Part.ref("fields")),
            "resource": SchemaKey(description: "The resource of the workflow's access policy that guards this form's instances.", value: Part.name(.identifier)),
            "messages": SchemaKey(description: "The templates of the starting workflow this form's messages are rendered from, in place of the workflow's messages.",
                                  value: messages.schema),
            "into_document": SchemaKey(description: "The document an accepted submission is added to as a new version written from its answers: a kind the starting workflow declares and, for a kind addressed by sections, the section.",
                                       value: intoDocument.schema),
        ])

    /// A form's `into_document:`.
    static let intoDocument = SchemaPlace(
        name: "a form's 'into_document'", decoderKeys: FormDecoder.targetKeys.names, required: ["kind"],
        keys: [
            "kind": SchemaKey(description: "A document kind the starting workflow declares under 'documents:'.", value: Part.name(.identifier)),
            "section": SchemaKey(description: "The section the answers are, for a kind addressed by sections, such as 'A'.", value: Part.name(.section)),
        ])

    /// A form's `messages:`.
    static let messages = SchemaPlace(
        name: "a form's 'messages'", decoderKeys: FormDecoder.messageKeys.names,
        keys: WorkflowSchema.messages.keys.filter { FormDecoder.messageKeys.names.contains($0.key) })

    /// Every place, for the test that the schema and the decoder take the same keys.
    static let places = [root, messages, intoDocument]
}

/// The places of a policy file, with the meanings of `docs/reference/policies.md`.
enum PolicySchema {
    typealias Part = SchemaPart

    /// The root mapping of a policy file.
    static let root = SchemaPlace(
        name: "a policy", decoderKeys: PolicyDecoder.keys.names, required: ["policy", "version", "resources", "rules"],
        keys: [
            "policy": SchemaKey(description: "The policy's id: lower-case words joined by '-'.", value: Part.name(.definitionID)),
            "version": SchemaKey(description: "A whole number, raised whenever the content changes.", value: Part.version),
            "title": SchemaKey(description: "A title people read.", value: Part.text),
            "description": SchemaKey(description: "What the policy is for.", value: Part.text),
            "actor": SchemaKey(description: "The actor's attributes and their types, as workflow fields are written; id and role are always there.",
                               value: Part.ref("fields")),
            "levels": SchemaKey(description: "The grant levels.", value: Part.names(.identifier)),
            "actions": SchemaKey(description: "Actions beyond the built-in view, comment, submit, edit, open (opening a case) and grant (changing who has access).",
                                 value: Part.names(.identifier)),
            "resources": SchemaKey(description: "Each resource and its sections.",
                                   value: Part.mapping(.identifier, Part.object(["anyOf": .array([
                                       Part.names(.section, nonEmpty: false), Part.object(["type": .string("null")]),
                                   ])]))),
            "rules": SchemaKey(description: "The rules: nothing is allowed unless an allow rule matches, and a matching deny beats any allow.",
                               value: Part.object(["type": .string("array"), "items": rule.schema])),
            "recipients": SchemaKey(description: "For each workflow role, the attributes its notification recipients are decided with (nobody is signed in when a message is sent).",
                                    value: Part.mapping(.identifier, Part.object([
                                        "type": .string("object"),
                                        "additionalProperties": Part.object(["type": .array([.string("string"), .string("number"), .string("boolean")])]),
                                    ]))),
            "personas": SchemaKey(description: "The people the policy is written for; the handbook shows what the policy allows each of them on every resource.",
                                  value: Part.object(["type": .string("array"), "items": persona.schema])),
            "section_fields": SchemaKey(description: "For a section of case that is a group of fields, the field paths it stands for: { case.address: [address, child.address] }.",
                                        value: Part.object([
                                            "type": .string("object"),
                                            "propertyNames": Part.pattern("^case\\.[A-Za-z0-9_]+$", message: "name a section of 'case' that holds fields, such as 'case.address'"),
                                            "additionalProperties": Part.names(.identifierPath, single: true),
                                        ])),
        ])

    /// A rule under `rules:`.
    static let rule = SchemaPlace(
        name: "a policy rule", decoderKeys: PolicyDecoder.ruleKeys, required: ["id"],
        keys: [
            "id": SchemaKey(description: "The rule's id, required and unique: lower-case words joined by '-'.", value: Part.name(.definitionID)),
            "allow": SchemaKey(description: "The actions it allows: an action, a list of them, or all. Exactly one of allow or deny.",
                               value: Part.names(.identifier, single: true)),
            "deny": SchemaKey(description: "The actions it denies: an action, a list of them, or all. Exactly one of allow or deny.",
                              value: Part.names(.identifier, single: true)),
            "on": SchemaKey(description: "The resource paths it covers, such as ehcp or ehcp.K; none means every resource.",
                            value: Part.names(.resourcePath, single: true)),
            "when": SchemaKey(description: "A condition in the expression language.", value: Part.expression),
            "redact": SchemaKey(description: "Resource paths withheld from what it allows.", value: Part.names(.resourcePath, single: true)),
            "reason": SchemaKey(description: "Words a parent could read, shown when the rule denies; it may show values.", value: Part.text),
        ],
        rules: [("oneOf", .array([Part.object(["required": .array([.string("allow")])]), Part.object(["required": .array([.string("deny")])])]))])

    /// A persona under `personas:`.
    static let persona = SchemaPlace(
        name: "a policy persona", decoderKeys: PolicyDecoder.personaKeys, required: ["title", "role"],
        keys: [
            "title": SchemaKey(description: "What people call them, such as 'Parent, limited access'.", value: Part.text),
            "role": SchemaKey(description: "The workflow role they act in.", value: Part.name(.identifier)),
            "organisation": SchemaKey(description: "The organisation they act for through its generic account; their grant is then the organisation's.",
                                      value: Part.text),
            "attributes": SchemaKey(description: "Their actor attributes, typed by the policy's actor.",
                                    value: Part.object([
                                        "type": .string("object"),
                                        "additionalProperties": Part.object(["type": .array([.string("string"), .string("number"), .string("boolean")])]),
                                    ])),
            "grant": SchemaKey(description: "Their grant on the case; leave it out for someone the service has granted nothing.", value: personaGrant.schema),
        ])

    /// A persona's `grant:`.
    static let personaGrant = SchemaPlace(
        name: "a persona's grant", decoderKeys: PolicyDecoder.personaGrantKeys, required: ["level"],
        keys: [
            "level": SchemaKey(description: "One of the policy's levels.", value: Part.name(.identifier)),
            "sections": SchemaKey(description: "The only resources or sections the grant covers.", value: Part.names(.resourcePath, single: true)),
        ])

    /// Every place, for the test that the schema and the decoder take the same keys.
    static let places = [root, rule, persona, personaGrant]
}

/// The places of a calendar file, with the meanings of `docs/reference/calendars.md`.
enum CalendarSchema {
    typealias Part = SchemaPart

    /// The root mapping of a calendar file.
    static let root = SchemaPlace(
        name: "a calendar", decoderKeys: CalendarDecoder.keys.names, required: ["calendar", "version", "title"],
        keys: [
            "calendar": SchemaKey(description: "The calendar's id, unique in the checked set: lower-case words joined by '-'.", value: Part.name(.definitionID)),
            "version": SchemaKey(description: "The definition's version, a whole number of 1 or more; raise it when the content changes.", value: Part.version),
            "title": SchemaKey(description: "The name people read.", value: Part.text),
            "description": SchemaKey(description: "What the calendar is for.", value: Part.text),
            "extends": SchemaKey(description: "The calendar this one adds to.", value: Part.name(.definitionID)),
            "working_days": SchemaKey(description: "The working weekdays; default: the parent's, or Monday to Friday.",
                                      value: Part.object(["type": .string("array"), "items": Part.weekday, "minItems": .integer(1)])),
            "holidays": SchemaKey(description: "The bank holiday rules, in order.", value: Part.object(["type": .string("array"), "items": holiday.schema])),
            "changes": SchemaKey(description: "One-off bank holidays, and rule holidays moved in one year.",
                                 value: Part.object(["type": .string("array"), "items": change.schema])),
            "roll": SchemaKey(description: "Rules that move the end of a period, applied in order until it stops moving.",
                              value: Part.object(["type": .string("array"), "items": roll.schema])),
            "not_counted": SchemaKey(description: "Days of the year a period does not count at all.",
                                     value: Part.object(["type": .string("array"), "items": notCounted.schema])),
        ])

    /// A holiday under `holidays:`.
    static let holiday = SchemaPlace(
        name: "a holiday", decoderKeys: CalendarDecoder.holidayKeys, required: ["name"],
        keys: [
            "name": SchemaKey(description: "The name casework calendar prints, and the name a change's replaces refers to.", value: Part.text),
            "date": SchemaKey(description: "That day every year, as MM-DD, such as 12-25.", value: Part.monthDay),
            "substitute": SchemaKey(description: "Only with date: when true and the date is not a working weekday, the holiday moves to a substitute day (default false).",
                                    value: Part.boolean),
            "easter": SchemaKey(description: "That many days after Easter Sunday (before it, when negative): Good Friday is -2, Easter Monday 1.",
                                value: Part.integer(-60...60)),
            "weekday": SchemaKey(description: "The Nth such weekday of a month: { nth: N, day: WEEKDAY, month: M }.", value: weekday.schema),
        ],
        rules: [("oneOf", .array(["date", "easter", "weekday"].map { Part.object(["required": .array([.string($0)])]) }))])

    /// A holiday's `weekday:`.
    static let weekday = SchemaPlace(
        name: "a holiday's 'weekday'", decoderKeys: CalendarDecoder.weekdayKeys, required: CalendarDecoder.weekdayKeys,
        keys: [
            "nth": SchemaKey(description: "Which one in the month: 1, 2, 3, 4, 5 or last.",
                             value: Part.object(["oneOf": .array([Part.integer(1...5), Part.oneOf(["last"])])])),
            "day": SchemaKey(description: "The weekday, monday to sunday.", value: Part.weekday),
            "month": SchemaKey(description: "The month, 1 to 12.", value: Part.integer(1...12)),
        ])

    /// A change under `changes:`.
    static let change = SchemaPlace(
        name: "a change", decoderKeys: CalendarDecoder.changeKeys, required: ["date", "name"],
        keys: [
            "date": SchemaKey(description: "The day that is a holiday, as YYYY-MM-DD.", value: Part.date),
            "name": SchemaKey(description: "The name shown for it.", value: Part.text),
            "replaces": SchemaKey(description: "A holiday's name: that rule holiday does not fall by its rule in this change's year.", value: Part.text),
        ])

    /// A roll rule under `roll:`.
    static let roll = SchemaPlace(
        name: "a roll rule", decoderKeys: CalendarDecoder.rollKeys, required: CalendarDecoder.rollKeys,
        keys: [
            "name": SchemaKey(description: "A name people read.", value: Part.text),
            "when": SchemaKey(description: "The rule applies when the end is not a working day (non_working_day), or falls between two days of the year inclusive.",
                              value: Part.object(["oneOf": .array([Part.oneOf(["non_working_day"]), range.schema])])),
            "move_to": SchemaKey(description: "Where the end moves to: next_working_day, { first_working_day_after: MM-DD } or { first_working_day_from: MM-DD }.",
                                 value: Part.object(["oneOf": .array([Part.oneOf(["next_working_day"])] + moveTo)])),
        ])

    /// A roll rule's `when:` as a range of days of the year.
    static let range = SchemaPlace(
        name: "a roll rule's range", decoderKeys: CalendarDecoder.rangeKeys, required: CalendarDecoder.rangeKeys,
        keys: [
            "from": SchemaKey(description: "The first day of the range, MM-DD; later in the year than 'to' runs over the new year.", value: Part.monthDay),
            "to": SchemaKey(description: "The last day of the range, MM-DD.", value: Part.monthDay),
        ])

    /// A roll rule's `move_to:` as a mapping: one of the decoder's keys (one without a meaning here has an empty
    /// description, which a test refuses).
    static var moveTo: [JSONValue] {
        let meanings = [
            "first_working_day_after": "The first working day after that day of the year (MM-DD).",
            "first_working_day_from": "That day of the year (MM-DD) if it is a working day, else the first working day after it.",
        ]
        return CalendarDecoder.moveToKeys.map { Part.single($0, Part.described(meanings[$0] ?? "", Part.monthDay)) }
    }

    /// A range under `not_counted:`.
    static let notCounted = SchemaPlace(
        name: "a range of days not counted", decoderKeys: CalendarDecoder.notCountedKeys, required: CalendarDecoder.notCountedKeys,
        keys: [
            "name": SchemaKey(description: "A name people read, such as August.", value: Part.text),
            "from": SchemaKey(description: "The first day not counted, MM-DD.", value: Part.monthDay),
            "to": SchemaKey(description: "The last day not counted, MM-DD.", value: Part.monthDay),
        ])

    /// Every place, for the test that the schema and the decoder take the same keys.
    static let places = [root, holiday, weekday, change, roll, range, notCounted]
}

/// The scenario files of `casework test`, by the core shape agreed while their runner is built: permissive inside
/// steps and expectations, to be made as strict as the runner's decoder when the two meet.
enum ScenarioSchema {
    typealias Part = SchemaPart

    /// A mapping with these described members, open to keys not listed; `rules` apply to it as a whole.
    private static func open(
        _ members: [(String, String, JSONValue)], required: [String] = [], rules: [(key: String, value: JSONValue)] = []
    ) -> JSONValue {
        var object: [(key: String, value: JSONValue)] = [
            ("type", .string("object")),
            ("properties", .object(members.map { ($0.0, Part.described($0.1, $0.2)) })),
        ]
        if !required.isEmpty { object.append(("required", .array(required.map(JSONValue.string)))) }
        return .object(object + rules)
    }

    private static let anyMapping = Part.object(["type": .string("object")])

    /// The steps a scenario can take, each the key naming it.
    static let actions = [
        ("fire", "Fire a transition of the case."),
        ("submit", "Submit a form instance."),
        ("accept", "Accept a submitted form."),
        ("reject", "Return a submitted form with the information required."),
        ("tick", "Run the clock: send reminders and breaches owed by this day."),
        ("pause", "Pause a deadline under an exception."),
        ("resume", "Resume a paused deadline."),
        ("excuse", "Excuse a deadline under an exception."),
        ("grant", "Grant access on the case."),
        ("revoke", "Revoke a grant."),
        ("decide", "Ask the access policy for a decision."),
        ("timeline", "Read the case's timeline."),
    ]

    /// What a step expects afterwards.
    static let expect = open([
        ("state", "The state the case is in.", Part.name(.identifier)),
        ("fields", "Field values the case holds.", anyMapping),
        ("deadlines", "The case's clocks and where they stand.", Part.object(["type": .array([.string("object"), .string("array")])])),
        ("notices", "The notices sent by the step.", Part.object(["type": .string("array"), "items": open([
            ("to", "Who receives it.", Part.text),
            ("subject_contains", "Words its subject contains.", Part.text),
            ("body_contains", "Words its body contains.", Part.text),
            ("channel", "How it is sent.", Part.text),
        ])])),
        ("refused", "That the step is refused, and why.", Part.object(["type": .array([.string("boolean"), .string("string"), .string("object")])])),
        ("decision", "The access decision expected.", Part.object(["type": .array([.string("string"), .string("object")])])),
        ("timeline", "What the timeline shows.", Part.object(["type": .array([.string("array"), .string("object")])])),
    ])

    /// A step under `steps:`: exactly one action.
    static let step: JSONValue = {
        var members: [(String, String, JSONValue)] = [
            ("on", "The day the step is taken, YYYY-MM-DD.", Part.date),
            ("as", "The actor taking it, one of 'actors'.", Part.text),
        ]
        members += actions.map { ($0.0, $0.1, Part.object([:])) }
        members += [
            ("input", "The fields the step gives.", anyMapping),
            ("expect", "What should hold after it.", expect),
        ]
        return open(members, rules: [("oneOf", .array(actions.map { Part.object(["required": .array([.string($0.0)])]) }))])
    }()

    /// The root mapping of a scenario file: one scenario, or several under `scenarios:`.
    static let root = Part.object(["oneOf": .array([
        scenario,
        open([("scenarios", "Several scenarios in one file, each run on its own.", Part.object(["type": .string("array"), "items": scenario]))],
             required: ["scenarios"], rules: [("additionalProperties", .bool(false))]),
    ])])

    /// One scenario.
    static let scenario = open([
        ("scenario", "What the scenario shows, one line.", Part.text),
        ("given", "Where the scenario starts.", open([
            ("today", "The day it starts, YYYY-MM-DD.", Part.date),
            ("case", "The case it runs.", open([
                ("workflow", "The workflow's id.", Part.name(.definitionID)),
                ("id", "The case's id.", Part.text),
                ("fields", "The fields it is opened with.", anyMapping),
            ], required: ["workflow"])),
            ("participants", "Who plays each role: role name to a list of ids.",
             Part.mapping(.identifier, Part.object(["type": .string("array"), "items": Part.text]))),
            ("grants", "Access granted before the first step.", Part.object(["type": .string("array"), "items": open([
                ("to", "The principal granted access.", Part.text),
                ("level", "The grant level.", Part.text),
            ], required: ["to", "level"])])),
        ])),
        ("actors", "The actors taking steps: each name, its role and attributes.", Part.object([
            "type": .string("object"),
            "additionalProperties": open([
                ("role", "The actor's role.", Part.name(.identifier)),
                ("attributes", "The actor's attributes, as the access policy declares them.", anyMapping),
            ]),
        ])),
        ("steps", "The steps, in order.", Part.object(["type": .string("array"), "items": step])),
    ], required: ["scenario", "given", "steps"], rules: [("additionalProperties", .bool(false))])
}

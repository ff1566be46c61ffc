import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkTime
import CaseworkYAML

/// Reads a scenario file's YAML into a ``ScenarioFile``, reporting every unknown key (with did-you-mean), missing key
/// and ill-typed value, as the definition decoders do; names are checked against the definitions later, by
/// ``ScenarioChecker``.
package enum ScenarioDecoder {
    /// The keys of one mapping of a scenario file: those the decoder accepts, in its order, and those it requires;
    /// ``ScenarioSchema`` describes exactly these.
    package struct Keys: Sendable {
        /// The keys accepted; any other is CW0101.
        package let allowed: [String]
        /// The keys that must be there (CW0102).
        package let required: [String]

        init(_ allowed: [String], required: [String] = []) {
            self.allowed = allowed
            self.required = required
        }
    }

    /// The root of a file of several scenarios.
    package static let fileKeys = Keys(["scenarios"], required: ["scenarios"])
    /// One scenario: a file's root, or an entry of `scenarios:`.
    package static let scenarioKeys = Keys(["scenario", "given", "actors", "steps"], required: ["scenario", "given", "steps"])
    /// `given:`.
    package static let givenKeys = Keys(["today", "case", "participants", "grants", "store", "child"], required: ["today", "case"])
    /// `given.child:`.
    package static let childKeys = Keys(["id", "fields", "people", "grants"], required: ["id"])
    /// A person under `given.child.people:`.
    package static let personKeys = Keys(["person", "relationship", "parental_responsibility", "from", "until"], required: ["person", "relationship"])
    /// `given.case:`.
    package static let caseKeys = Keys(["workflow", "id", "fields"], required: ["workflow"])
    /// A grant, under `given.grants:` or a `grant:` step.
    package static let grantKeys = Keys(["to", "level", "sections", "reason"], required: ["to", "level"])
    /// An actor under `actors:`.
    package static let actorKeys = Keys(["role", "id", "organisation", "attributes"], required: ["role"])
    /// The keys beside its action that some kinds of step take.
    package static let stepDetails = ["input", "fields", "reason", "exception", "information_required", "version", "section", "text", "type", "shared_with"]
    /// The keys beside its action that each kind of step takes, of ``stepDetails``.
    package static let detailKeys: [String: [String]] = [
        "fire": ["input"], "submit": ["fields"], "reject": ["information_required"], "pause": ["reason", "exception"],
        "excuse": ["reason", "exception"], "resume": ["reason"], "revoke": ["reason"], "document": ["version"],
        "add_document": ["section", "text", "type", "shared_with", "reason"],
    ]
    /// The details a kind of step cannot do without (CW0102), of ``detailKeys``.
    package static let requiredDetails: [String: [String]] = ["add_document": ["text"]]
    /// The kinds of step that name no case, since they read every case of the child: `case:` on one is CW0101.
    package static let caseless = ["child_timeline"]
    /// A step: every key any kind of step takes; exactly one of ``StepAction/keys``, with only its own ``detailKeys``.
    package static let stepKeys = Keys(["on", "as", "case"] + stepDetails + ["expect"] + StepAction.keys)
    /// A `decide:` step's mapping.
    package static let decideKeys = Keys(["action", "resource"], required: ["action", "resource"])
    /// `expect:`.
    package static let expectKeys = Keys(["state", "fields", "deadlines", "notices", "no_notices", "refused", "decision", "redactions", "timeline", "document"])
    /// `document:` in `expect:`.
    package static let documentKeys = Keys(["version", "added_by", "shown", "withheld", "contains", "equals", "sections"])
    /// A section's text under `document.sections:`.
    package static let sectionTextKeys = Keys(["contains", "equals"])
    /// The media type an `add_document` step's text is added as when it names none.
    package static let defaultMediaType = "text/markdown"
    /// A deadline's expectation written as a mapping.
    package static let deadlineKeys = Keys(["status", "due"])
    /// An entry of `notices:`.
    package static let noticeKeys = Keys(["to", "subject_contains", "body_contains", "channel"])
    /// `refused:` written as a mapping.
    package static let refusalKeys = Keys(["code", "blockers_contain"])
    /// `timeline:` in `expect:`.
    package static let timelineKeys = Keys(["shows", "hides"])

    /// Decodes the root of one loaded file: a `scenario:` document, or a `scenarios:` list of them.
    package static func decode(_ root: YAMLNodeView, file: String) -> (ScenarioFile, [Diagnostic]) {
        var decoder = Decoding()
        var scenarios: [Scenario] = []
        if root.kind == .mapping, (0..<root.count).contains(where: { root.key($0).string == "scenarios" }) {
            if let entries = decoder.mapping(root, place: "a scenario file", fileKeys),
                let list = entries["scenarios"], decoder.reader.expectList(list, place: "'scenarios'") {
                for position in 0..<list.count {
                    if let scenario = decoder.scenario(list.item(position)) { scenarios.append(scenario) }
                }
            }
        } else if let scenario = decoder.scenario(root) {
            scenarios.append(scenario)
        }
        return (ScenarioFile(file: file, scenarios: scenarios), decoder.reader.bag.diagnostics)
    }

    /// The walk over one file, with the reader that collects its diagnostics.
    private struct Decoding {
        var reader = NodeReader()

        /// The entries of the mapping `node` at `place`, its keys checked against `keys`.
        mutating func mapping(_ node: YAMLNodeView, place: String, _ keys: Keys) -> [String: YAMLNodeView]? {
            reader.entries(node, place: place, allowed: keys.allowed, required: keys.required)
        }

        mutating func scenario(_ node: YAMLNodeView) -> Scenario? {
            guard let entries = mapping(node, place: "a scenario", scenarioKeys) else { return nil }
            let name = entries["scenario"].flatMap { reader.string($0, place: "'scenario'") }
            let given = entries["given"].flatMap { mapping($0, place: "'given'", givenKeys) }
            let today = given?["today"].flatMap { date($0, place: "'given.today'") }
            let opened = given?["case"].flatMap { mapping($0, place: "'given.case'", caseKeys) }
            let workflow = opened?["workflow"].flatMap { reader.string($0, place: "'given.case.workflow'") }
            let store = given?["store"].map { self.store($0) } ?? .memory
            let childNode = given?["child"]
            let child = childNode.flatMap { self.child($0) }
            let actors = entries["actors"].map { actorList($0) } ?? []
            var steps: [ScenarioStep] = []
            if let list = entries["steps"], reader.expectList(list, place: "'steps'") {
                for position in 0..<list.count {
                    if let step = step(list.item(position), number: position + 1) { steps.append(step) }
                }
            }
            guard let name, let today, let workflow, let store, childNode == nil || child != nil else { return nil }
            return Scenario(
                name: name, today: today, workflow: workflow,
                caseID: opened?["id"].flatMap { reader.string($0, place: "'given.case.id'")?.value } ?? "case-1",
                fields: opened?["fields"].map { values($0, place: "'given.case.fields'") } ?? [],
                participants: given?["participants"].map { participants($0) } ?? [],
                grants: given?["grants"].map { grants($0, place: "'given.grants'") } ?? [], actors: actors, steps: steps, store: store, child: child)
        }

        /// `given.child`: the child's id, identity fields, people and grants; nil (the scenario not read) when its id is missing or malformed.
        mutating func child(_ node: YAMLNodeView) -> ChildWritten? {
            guard let entries = mapping(node, place: "'given.child'", childKeys),
                let id = entries["id"].flatMap({ reader.string($0, place: "'given.child.id'") }) else { return nil }
            var people: [ChildPersonWritten] = []
            if let list = entries["people"], reader.expectList(list, place: "'given.child.people'") {
                people = (0..<list.count).compactMap { person(list.item($0)) }
            }
            return ChildWritten(id: id, fields: entries["fields"].map { values($0, place: "'given.child.fields'") } ?? [], people: people,
                                grants: entries["grants"].map { grants($0, place: "'given.child.grants'") } ?? [])
        }

        /// A person of `given.child.people`.
        mutating func person(_ node: YAMLNodeView) -> ChildPersonWritten? {
            guard let entries = mapping(node, place: "a person of 'given.child.people'", personKeys),
                let actor = entries["person"].flatMap({ reader.string($0, place: "'person'") }),
                let relationship = entries["relationship"].flatMap({ reader.string($0, place: "'relationship'") }) else { return nil }
            let responsibility = entries["parental_responsibility"].flatMap { reader.bool($0, place: "'parental_responsibility'") }
            let from = entries["from"].flatMap { date($0, place: "'from'") }
            let until = entries["until"].flatMap { date($0, place: "'until'") }
            // A value written but unreadable is reported, and the person left out, never read as not given.
            guard (entries["parental_responsibility"] == nil || responsibility != nil) && (entries["from"] == nil || from != nil)
                && (entries["until"] == nil || until != nil) else { return nil }
            return ChildPersonWritten(actor: actor, relationship: relationship, parentalResponsibility: responsibility ?? false,
                                      from: from?.value, until: until?.value)
        }

        /// `given.store`: `memory` or `sqlite`; anything else is reported, and the scenario is not read.
        mutating func store(_ node: YAMLNodeView) -> ScenarioStore? {
            guard let text = reader.string(node, place: "'given.store'") else { return nil }
            guard let store = ScenarioStore(rawValue: text.value) else {
                let names = ScenarioStore.allCases.map(\.rawValue).joined(separator: " or ")
                reader.bag.report(.wrongType(place: "'given.store'", expected: names, found: reader.describe(node)), at: node.range)
                return nil
            }
            return store
        }

        mutating func date(_ node: YAMLNodeView, place: String) -> Located<CalendarDate>? {
            guard let text = reader.string(node, place: place) else { return nil }
            guard let day = CalendarDate(text.value) else {
                reader.bag.report(.wrongType(place: place, expected: "a date such as 2025-09-01", found: reader.describe(node)), at: node.range)
                return nil
            }
            return Located(day, at: text.range)
        }

        /// A mapping of values, nested mappings flattened to dotted paths (`child: { first_name: Sam }` is `child.first_name`).
        mutating func values(_ node: YAMLNodeView, place: String, prefix: String = "") -> [WrittenValue] {
            guard reader.expectMapping(node, place: place) else { return [] }
            var result: [WrittenValue] = []
            for entry in 0..<node.count {
                let key = node.key(entry)
                let value = node.value(entry)
                let path = prefix + key.string
                if value.kind == .mapping {
                    result += values(value, place: place, prefix: path + ".")
                } else if let text = reader.string(value, place: "'\(path)' in \(place)") {
                    result.append(WrittenValue(path: Located(path, at: key.range), text: text))
                }
            }
            return result
        }

        mutating func participants(_ node: YAMLNodeView) -> [(role: Located<String>, actors: [Located<String>])] {
            guard reader.expectMapping(node, place: "'given.participants'") else { return [] }
            return (0..<node.count).map { entry in
                let key = node.key(entry)
                let value = node.value(entry)
                let names: [Located<String>]
                if value.kind == .sequence {
                    names = (0..<value.count).compactMap { reader.string(value.item($0), place: "an actor of participants '\(key.string)'") }
                } else {
                    names = reader.string(value, place: "participants '\(key.string)'").map { [$0] } ?? []
                }
                return (Located(key.string, at: key.range), names)
            }
        }

        mutating func grants(_ node: YAMLNodeView, place: String) -> [GrantWritten] {
            guard reader.expectList(node, place: place) else { return [] }
            return (0..<node.count).compactMap { grant(node.item($0), place: "a grant") }
        }

        mutating func grant(_ node: YAMLNodeView, place: String) -> GrantWritten? {
            guard let entries = mapping(node, place: place, grantKeys),
                let to = entries["to"].flatMap({ reader.string($0, place: "'to'") }),
                let level = entries["level"].flatMap({ reader.string($0, place: "'level'") }) else { return nil }
            let (role, actor) = Self.split(to)
            let sections = entries["sections"].flatMap { list in
                reader.expectList(list, place: "'sections'") ? (0..<list.count).compactMap { reader.string(list.item($0), place: "a section")?.value } : nil
            }
            let reason = entries["reason"].flatMap { reader.string($0, place: "'reason'")?.value } ?? "granted by the scenario"
            return GrantWritten(actor: actor, role: role, level: level, sections: sections, reason: reason)
        }

        /// `parent:jo` as the role `parent` and the actor `jo`; `jo` alone as the actor.
        static func split(_ text: Located<String>) -> (Located<String>?, Located<String>) {
            let parts = text.value.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return (nil, text) }
            return (Located(parts[0], at: text.range), Located(parts[1], at: text.range))
        }

        mutating func actorList(_ node: YAMLNodeView) -> [ActorWritten] {
            guard reader.expectMapping(node, place: "'actors'") else { return [] }
            return (0..<node.count).compactMap { entry in
                let key = node.key(entry)
                let name = Located(key.string, at: key.range)
                guard let fields = mapping(node.value(entry), place: "actor '\(name.value)'", actorKeys),
                    let role = fields["role"].flatMap({ reader.string($0, place: "'role'") }) else { return nil }
                return ActorWritten(
                    name: name, role: role, id: fields["id"].flatMap { reader.string($0, place: "'id'")?.value } ?? name.value,
                    organisation: fields["organisation"].flatMap { reader.string($0, place: "'organisation'")?.value },
                    attributes: fields["attributes"].map { values($0, place: "the attributes of actor '\(name.value)'") } ?? [])
            }
        }

        mutating func step(_ node: YAMLNodeView, number: Int) -> ScenarioStep? {
            let place = "step \(number)"
            guard let entries = mapping(node, place: place, stepKeys) else { return nil }
            let kinds = StepAction.keys.filter { entries[$0] != nil }
            guard kinds.count == 1, let kind = kinds.first, let actionNode = entries[kind] else {
                reader.bag.report(.stepDoesNotDoOneThing(found: kinds, allowed: StepAction.keys), at: kinds.count > 1 ? entries[kinds[1]]!.range : node.range.startOnly)
                return nil
            }
            let takes = detailKeys[kind] ?? []
            // A child's timeline reads every case of the child, so it names no case.
            let places = caseless.contains(kind) ? ["on", "as", "expect", kind] : ["on", "as", "case", "expect", kind]
            for key in stepDetails + ["case"] where entries[key] != nil && !takes.contains(key) && !places.contains(key) {
                reader.bag.report(.unknownKey(key: key, place: "a '\(kind)' step", suggestion: nil, allowed: places + takes), at: entries[key]!.range)
            }
            for key in requiredDetails[kind] ?? [] where entries[key] == nil {
                reader.bag.report(.missingKey(key: key, place: "the '\(kind)' step \(number)"), at: node.range.startOnly)
            }
            let reason = entries["reason"].flatMap { reader.string($0, place: "'reason'")?.value } ?? "recorded by the scenario"
            let exception = entries["exception"].flatMap { reader.string($0, place: "'exception'")?.value }
            let action: StepAction
            switch kind {
            case "fire":
                guard let name = reader.string(actionNode, place: "'fire'") else { return nil }
                action = .fire(name, input: entries["input"].map { values($0, place: "'input'") } ?? [])
            case "submit":
                guard let name = reader.string(actionNode, place: "'submit'") else { return nil }
                action = .submit(name, fields: entries["fields"].map { values($0, place: "'fields'") } ?? [])
            case "accept":
                guard let name = reader.string(actionNode, place: "'accept'") else { return nil }
                action = .accept(name)
            case "reject":
                guard let name = reader.string(actionNode, place: "'reject'") else { return nil }
                let information = entries["information_required"].flatMap { reader.string($0, place: "'information_required'")?.value }
                action = .reject(name, informationRequired: information ?? "more information is required")
            case "tick", "timeline", "timeliness", "child_timeline":
                guard let yes = reader.bool(actionNode, place: "'\(kind)'") else { return nil }
                guard yes else {
                    // `tick: false` would otherwise drop the step, and its expectations with it, without a word.
                    reader.bag.report(.wrongType(place: "'\(kind)'", expected: "true", found: reader.describe(actionNode)), at: actionNode.range)
                    return nil
                }
                action = switch kind {
                case "tick": .tick
                case "timeline": .timeline
                case "timeliness": .timeliness
                default: .childTimeline
                }
            case "pause", "resume", "excuse":
                guard let name = reader.string(actionNode, place: "'\(kind)'") else { return nil }
                action = kind == "pause" ? .pause(name, reason: reason, exception: exception)
                    : kind == "resume" ? .resume(name, reason: reason) : .excuse(name, reason: reason, exception: exception)
            case "grant":
                guard let grant = grant(actionNode, place: "'grant'") else { return nil }
                action = .grant(grant)
            case "revoke":
                guard let to = reader.string(actionNode, place: "'revoke'") else { return nil }
                let (role, actor) = Self.split(to)
                action = .revoke(actor: actor, role: role, reason: reason)
            case "document":
                guard let name = reader.string(actionNode, place: "'document'") else { return nil }
                let version = entries["version"].map { wholeNumber($0, place: "'version'") }
                if case .some(.none) = version { return nil }
                action = .document(name, version: version ?? nil)
            case "add_document":
                guard let name = reader.string(actionNode, place: "'add_document'"),
                    let text = entries["text"].flatMap({ reader.string($0, place: "'text'") }) else { return nil }
                let section = entries["section"].map { reader.string($0, place: "'section'") }
                let type = entries["type"].map { reader.string($0, place: "'type'") }
                let shared = entries["shared_with"].map { list -> [String]? in
                    guard reader.expectList(list, place: "'shared_with'") else { return nil }
                    let names = (0..<list.count).compactMap { reader.string(list.item($0), place: "an organisation of 'shared_with'")?.value }
                    return names.count == list.count ? names : nil
                }
                // A detail written but unreadable is reported, and the step left out, never read as not given.
                if case .some(.none) = section { return nil }
                if case .some(.none) = type { return nil }
                if case .some(.none) = shared { return nil }
                action = .addDocument(name, DocumentWritten(section: section ?? nil, text: text.value, mediaType: (type ?? nil)?.value ?? defaultMediaType,
                                                            sharedWith: shared ?? nil, reason: entries["reason"] == nil ? "added by the scenario" : reason))
            default:
                guard let fields = mapping(actionNode, place: "'decide'", decideKeys),
                    let wanted = fields["action"].flatMap({ reader.string($0, place: "'action'") }),
                    let resource = fields["resource"].flatMap({ reader.string($0, place: "'resource'") }) else { return nil }
                action = .decide(action: wanted, resource: resource)
            }
            var step = ScenarioStep(
                number: number, range: node.range, on: entries["on"].flatMap { date($0, place: "'on'") },
                actor: entries["as"].flatMap { reader.string($0, place: "'as'") }, action: action, actionRange: actionNode.range,
                expect: entries["expect"].flatMap { expectations($0) })
            step.linkedCase = entries["case"].flatMap { reader.string($0, place: "'case'") }
            return step
        }

        mutating func expectations(_ node: YAMLNodeView) -> Expectations? {
            guard let entries = mapping(node, place: "'expect'", expectKeys) else { return nil }
            var expected = Expectations(
                range: node.range,
                state: entries["state"].flatMap { reader.string($0, place: "'state'") },
                fields: entries["fields"].map { values($0, place: "'fields'") } ?? [],
                deadlines: entries["deadlines"].map { deadlines($0) } ?? [],
                notices: entries["notices"].map { notices($0) } ?? [],
                refused: entries["refused"].flatMap { refusal($0) },
                decision: entries["decision"].flatMap { reader.string($0, place: "'decision'") },
                redactions: entries["redactions"].flatMap { list in
                    guard reader.expectList(list, place: "'redactions'") else { return nil }
                    return Located((0..<list.count).compactMap { reader.string(list.item($0), place: "a redaction")?.value }, at: list.range)
                },
                timeline: entries["timeline"].flatMap { timeline($0) },
                document: entries["document"].flatMap { document($0) })
            expected.noNotices = entries["no_notices"].map { notices($0, place: "'no_notices'") } ?? []
            return expected
        }

        /// A whole number of 1 or more, such as a document's version.
        mutating func wholeNumber(_ node: YAMLNodeView, place: String) -> Located<Int>? {
            guard let text = reader.string(node, place: place) else { return nil }
            guard text.value.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(text.value), value >= 1 else {
                reader.bag.report(.wrongType(place: place, expected: "a whole number of 1 or more", found: reader.describe(node)), at: node.range)
                return nil
            }
            return Located(value, at: text.range)
        }

        /// `document:` in `expect:`: the version, who added it, the sections shown and withheld, and the texts.
        mutating func document(_ node: YAMLNodeView) -> DocumentExpectation? {
            guard let fields = mapping(node, place: "'document'", documentKeys) else { return nil }
            func names(_ key: String, _ reader: inout NodeReader) -> [Located<String>] {
                guard let list = fields[key], reader.expectList(list, place: "'\(key)'") else { return [] }
                return (0..<list.count).compactMap { reader.string(list.item($0), place: "a section of '\(key)'") }
            }
            var sections: [(section: Located<String>, text: TextExpectation)] = []
            if let node = fields["sections"], reader.expectMapping(node, place: "'sections'") {
                for entry in 0..<node.count {
                    let key = node.key(entry)
                    sections.append((Located(key.string, at: key.range), text(mapping(node.value(entry), place: "section '\(key.string)'", sectionTextKeys) ?? [:])))
                }
            }
            return DocumentExpectation(
                range: node.range, version: fields["version"].flatMap { wholeNumber($0, place: "'version'") },
                addedBy: fields["added_by"].flatMap { reader.string($0, place: "'added_by'") }, shown: names("shown", &reader),
                withheld: names("withheld", &reader), text: text(fields), sections: sections)
        }

        /// `contains:` and `equals:` of a mapping.
        mutating func text(_ fields: [String: YAMLNodeView]) -> TextExpectation {
            TextExpectation(contains: fields["contains"].flatMap { reader.string($0, place: "'contains'") },
                            equals: fields["equals"].flatMap { reader.string($0, place: "'equals'") })
        }

        mutating func deadlines(_ node: YAMLNodeView) -> [DeadlineExpectation] {
            guard reader.expectMapping(node, place: "'deadlines'") else { return [] }
            return (0..<node.count).map { entry in
                let key = node.key(entry)
                let value = node.value(entry)
                var expectation = DeadlineExpectation(name: Located(key.string, at: key.range))
                if value.kind == .mapping {
                    let fields = mapping(value, place: "deadline '\(key.string)'", deadlineKeys)
                    expectation.status = fields?["status"].flatMap { reader.string($0, place: "'status'") }
                    expectation.due = fields?["due"].flatMap { date($0, place: "'due'") }
                } else {
                    expectation.status = reader.string(value, place: "deadline '\(key.string)'")
                }
                return expectation
            }
        }

        mutating func notices(_ node: YAMLNodeView, place: String = "'notices'") -> [NoticeExpectation] {
            guard reader.expectList(node, place: place) else { return [] }
            return (0..<node.count).compactMap { position in
                let item = node.item(position)
                guard let fields = mapping(item, place: "a notice", noticeKeys) else { return nil }
                return NoticeExpectation(
                    range: item.range, to: fields["to"].flatMap { reader.string($0, place: "'to'") },
                    subjectContains: fields["subject_contains"].flatMap { reader.string($0, place: "'subject_contains'")?.value },
                    bodyContains: fields["body_contains"].flatMap { reader.string($0, place: "'body_contains'")?.value },
                    channel: fields["channel"].flatMap { reader.string($0, place: "'channel'") })
            }
        }

        mutating func refusal(_ node: YAMLNodeView) -> RefusalExpectation? {
            if node.kind == .scalar {
                return reader.string(node, place: "'refused'").map { RefusalExpectation(range: node.range, code: $0) }
            }
            guard let fields = mapping(node, place: "'refused'", refusalKeys) else { return nil }
            return RefusalExpectation(range: node.range, code: fields["code"].flatMap { reader.string($0, place: "'code'") },
                                      blockersContain: fields["blockers_contain"].flatMap { reader.string($0, place: "'blockers_contain'")?.value })
        }

        mutating func timeline(_ node: YAMLNodeView) -> TimelineExpectation? {
            guard let fields = mapping(node, place: "'timeline'", timelineKeys) else { return nil }
            func texts(_ key: String, _ reader: inout NodeReader) -> [Located<String>] {
                guard let list = fields[key], reader.expectList(list, place: "'\(key)'") else { return [] }
                return (0..<list.count).compactMap { reader.string(list.item($0), place: "an entry of '\(key)'") }
            }
            return TimelineExpectation(shows: texts("shows", &reader), hides: texts("hides", &reader))
        }
    }
}

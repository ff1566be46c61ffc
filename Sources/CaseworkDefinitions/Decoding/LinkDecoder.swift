import CaseworkYAML

/// Reads a workflow's `links:` and its transitions' `open:` and `report:` effects.
enum LinkDecoder {
    /// The keys of a link under `links:`.
    static let linkKeys = ["workflow", "one"]
    /// The keys of a link's entry under a transition's `open:`.
    static let openKeys = ["fields"]
    /// The keys of a transition's `report:`.
    static let reportKeys = ["to", "fire", "input"]

    /// Decodes `links: { NAME: { workflow: ID, one: BOOL } }`.
    static func links(_ node: YAMLNodeView, reader: inout NodeReader) -> [LinkDefinition] {
        guard reader.expectMapping(node, place: "'links'") else { return [] }
        var links: [LinkDefinition] = []
        for entry in 0..<node.count {
            let name = reader.keyName(node.key(entry), rule: .identifier, kind: "link")
            let place = "link '\(name.value)'"
            guard let entries = reader.entries(node.value(entry), place: place, allowed: linkKeys, required: ["workflow"]),
                let workflowNode = entries["workflow"],
                let workflow = reader.name(workflowNode, rule: .definitionID, kind: "workflow", place: "'workflow' of \(place)")
            else { continue }
            let one = entries["one"].flatMap { reader.bool($0, place: "'one' of \(place)") } ?? false
            links.append(LinkDefinition(name: name, workflow: workflow, one: one))
        }
        return links
    }

    /// Decodes `open: { LINK: { fields: { TARGET_FIELD: EXPRESSION } } }`; a link with nothing to map may be written `LINK: {}`.
    static func openEffects(_ node: YAMLNodeView, place: String, reader: inout NodeReader) -> [OpenEffect] {
        guard reader.expectMapping(node, place: place) else { return [] }
        var effects: [OpenEffect] = []
        for entry in 0..<node.count {
            let link = reader.keyName(node.key(entry), rule: .identifier, kind: "link")
            let entryPlace = "'\(link.value)' of \(place)"
            guard let entries = reader.entries(node.value(entry), place: entryPlace, allowed: openKeys) else { continue }
            let fields = entries["fields"].map { DeadlineDecoder.assignments($0, place: "'fields' of \(entryPlace)", reader: &reader) } ?? []
            effects.append(OpenEffect(link: link, fields: fields))
        }
        return effects
    }

    /// Decodes `report: { to: opened_by, fire: TRANSITION, input: { FIELD: EXPRESSION } }`, or `fire: [TRANSITION, …]`.
    static func reportEffect(_ node: YAMLNodeView, place: String, reader: inout NodeReader) -> ReportEffect? {
        guard let entries = reader.entries(node, place: place, allowed: reportKeys, required: ["to", "fire"]),
            let toNode = entries["to"], let fireNode = entries["fire"],
            let to = reader.string(toNode, place: "'to' of \(place)"),
            case let fire = reader.names(fireNode, rule: .identifier, kind: "transition", place: "'fire' of \(place)", allowSingle: true),
            !fire.isEmpty
        else { return nil }
        guard to.value == LinkDefinition.openedBy else {
            reader.bag.report(.wrongType(place: "'to' of \(place)", expected: "'\(LinkDefinition.openedBy)'", found: "'\(to.value)'"), at: to.range)
            return nil
        }
        let input = entries["input"].map { DeadlineDecoder.assignments($0, place: "'input' of \(place)", reader: &reader) } ?? []
        return ReportEffect(to: to, fire: fire, input: input)
    }
}

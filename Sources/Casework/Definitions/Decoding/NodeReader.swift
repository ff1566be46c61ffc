import CaseworkYAML

/// Reads typed values out of YAML nodes, reporting every mismatch instead of stopping at the first.
///
/// Each method returns nil (or an empty list) when the value is unusable and has
/// already reported why, so decoders can carry on and find the next problem.
struct NodeReader {
    var bag = DiagnosticBag()

    /// The entries of a mapping node, or nil after reporting that it is not one.
    mutating func mapping(_ node: YAMLNode, place: @autoclosure () -> String) -> [YAMLPair]? {
        if let pairs = node.mapping { return pairs }
        bag.report(.wrongType(place: place(), expected: "a mapping", found: describe(node)), at: node.range)
        return nil
    }

    /// The items of a list node, or nil after reporting that it is not one.
    mutating func list(_ node: YAMLNode, place: @autoclosure () -> String) -> [YAMLNode]? {
        if let items = node.sequence { return items }
        bag.report(.wrongType(place: place(), expected: "a list", found: describe(node)), at: node.range)
        return nil
    }

    /// A non-empty string scalar.
    mutating func string(_ node: YAMLNode, place: @autoclosure () -> String) -> Located<String>? {
        guard let scalar = node.scalar, !scalar.isNull else {
            bag.report(.wrongType(place: place(), expected: "a string", found: describe(node)), at: node.range)
            return nil
        }
        return Located(scalar.value, at: node.range)
    }

    /// A name that follows `rule`.
    mutating func name(_ node: YAMLNode, rule: NameRule, kind: String, place: @autoclosure () -> String) -> Located<String>? {
        guard let text = string(node, place: place()) else { return nil }
        return checkedName(text, rule: rule, kind: kind)
    }

    /// `name` when it follows `rule`; otherwise reports it (and still returns it, so references resolve).
    mutating func checkedName(_ name: Located<String>, rule: NameRule, kind: String) -> Located<String> {
        if !rule.accepts(name.value) {
            bag.report(.invalidName(name: name.value, kind: kind, rule: rule.help), at: name.range)
        }
        return name
    }

    /// `true` or `false`.
    mutating func bool(_ node: YAMLNode, place: @autoclosure () -> String) -> Bool? {
        if let scalar = node.scalar, scalar.style == .plain || node.tag == .bool {
            switch scalar.value {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        bag.report(.wrongType(place: place(), expected: "true or false", found: describe(node)), at: node.range)
        return nil
    }

    /// A definition version: a whole number of 1 or more.
    mutating func version(_ node: YAMLNode) -> Int? {
        if let scalar = node.scalar, scalar.style == .plain, scalar.value.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            let value = Int(scalar.value), value >= 1
        {
            return value
        }
        let quoted = node.scalar.map { $0.style != .plain && !$0.value.isEmpty } ?? false
        bag.report(.invalidVersion(found: quoted ? "\(describe(node)) in quotes" : describe(node)), at: node.range)
        return nil
    }

    /// A duration such as `6 weeks`.
    mutating func duration(_ node: YAMLNode, place: @autoclosure () -> String) -> Located<Duration>? {
        guard let text = string(node, place: place()) else { return nil }
        switch Duration.parse(text.value) {
        case .success(let duration): return Located(duration, at: text.range)
        case .failure(let error):
            bag.report(.invalidDuration(text: text.value, reason: error.description), at: text.range)
            return nil
        }
    }

    /// A list of names; with `allowSingle`, one bare name also counts as a list of one.
    /// Reports an empty list when `nonEmpty`, and repeated names.
    mutating func names(
        _ node: YAMLNode, rule: NameRule, kind: String, place: @autoclosure () -> String,
        allowSingle: Bool = false, nonEmpty: Bool = true
    ) -> [Located<String>] {
        let items: [YAMLNode]
        if allowSingle, let scalar = node.scalar, !scalar.isNull {
            items = [node]
        } else if let sequence = node.sequence {
            items = sequence
        } else {
            let expected = allowSingle ? "a \(kind) name or a list of them" : "a list of \(kind) names"
            bag.report(.wrongType(place: place(), expected: expected, found: describe(node)), at: node.range)
            return []
        }
        if items.isEmpty, nonEmpty {
            bag.report(.emptyList(place: place()), at: node.range)
        }
        var result: [Located<String>] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let name = self.name(item, rule: rule, kind: kind, place: "an entry of \(place())") else { continue }
            if result.contains(name) {
                bag.report(.duplicateEntry(entry: name.value, place: place()), at: name.range)
                continue
            }
            result.append(name)
        }
        return result
    }

    /// Reports a key that the mapping at `place` does not take, suggesting the nearest allowed key.
    mutating func unknownKey(_ key: YAMLKey, place: @autoclosure () -> String, allowed: [String]) {
        let place = place()
        let suggestion = NameSuggester.suggest(key.name, from: allowed)
        bag.report(.unknownKey(key: key.name, place: place, suggestion: suggestion, allowed: allowed), at: key.range)
    }

    /// Reports each key of `required` that `pairs` lacks.
    mutating func requireKeys(_ required: [String], in pairs: [YAMLPair], place: @autoclosure () -> String, at range: SourceRange) {
        for key in required where !pairs.contains(where: { $0.key.name == key }) {
            bag.report(.missingKey(key: key, place: place()), at: range)
        }
    }

    /// How a node's kind is named in "found ..." messages.
    func describe(_ node: YAMLNode) -> String {
        switch node.content {
        case .scalar(let scalar):
            if scalar.isNull { return "nothing" }
            let shown = scalar.value.count > 40 ? String(scalar.value.prefix(40)) + "…" : scalar.value
            return "'\(shown)'"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

/// The range where a mapping's key-less problems (such as a missing key) are reported: the mapping's first line.
func headRange(of node: YAMLNode) -> SourceRange {
    SourceRange(file: node.range.file, at: node.range.start)
}

import CaseworkDiagnostics
import CaseworkTime
import CaseworkYAML

/// Reads typed values out of YAML nodes, reporting every mismatch instead of stopping at the first.
///
/// Each method returns nil (or an empty list, or false) when the value is unusable
/// and has already reported why, so decoders can carry on and find the next problem.
/// It reads the loaded tree in place (``YAMLNodeView``), making strings only for the
/// values a definition keeps and the words of a diagnostic.
package struct NodeReader {
    /// What reading found so far.
    package var bag = DiagnosticBag()
    /// Field paths declared with a type that could not be read (already reported).
    var untypedFields: [String] = []

    /// A reader that has found nothing yet.
    package init() {}

    /// Whether `node` is a mapping; reports that it is not one otherwise.
    package mutating func expectMapping(_ node: YAMLNodeView, place: @autoclosure () -> String) -> Bool {
        if node.kind == .mapping { return true }
        bag.report(.wrongType(place: place(), expected: "a mapping", found: describe(node)), at: node.range)
        return false
    }

    /// Whether `node` is a list; reports that it is not one otherwise.
    package mutating func expectList(_ node: YAMLNodeView, place: @autoclosure () -> String) -> Bool {
        if node.kind == .sequence { return true }
        bag.report(.wrongType(place: place(), expected: "a list", found: describe(node)), at: node.range)
        return false
    }

    /// A non-empty string scalar.
    package mutating func string(_ node: YAMLNodeView, place: @autoclosure () -> String) -> Located<String>? {
        guard node.kind == .scalar, !node.isNull else {
            bag.report(.wrongType(place: place(), expected: "a string", found: describe(node)), at: node.range)
            return nil
        }
        return Located(node.string, at: node.range)
    }

    /// A name that follows `rule`; one that does not is reported and still returned, so references resolve.
    mutating func name(_ node: YAMLNodeView, rule: NameRule, kind: String, place: @autoclosure () -> String) -> Located<String>? {
        guard let text = string(node, place: place()) else { return nil }
        if !rule.accepts(bytes: node.bytes) {
            bag.report(.invalidName(name: text.value, kind: kind, rule: rule.help), at: text.range)
        }
        return text
    }

    /// A mapping key, as a name that follows `rule`; one that does not is reported and still returned.
    mutating func keyName(_ key: YAMLNodeView, rule: NameRule, kind: String) -> Located<String> {
        let name = Located(key.string, at: key.range)
        if !rule.accepts(bytes: key.bytes) {
            bag.report(.invalidName(name: name.value, kind: kind, rule: rule.help), at: name.range)
        }
        return name
    }

    /// `true` or `false`.
    package mutating func bool(_ node: YAMLNodeView, place: @autoclosure () -> String) -> Bool? {
        if node.kind == .scalar, node.style == .plain || node.tag == .bool {
            switch node.string {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        bag.report(.wrongType(place: place(), expected: "true or false", found: describe(node)), at: node.range)
        return nil
    }

    /// A definition version: a whole number of 1 or more.
    mutating func version(_ node: YAMLNodeView) -> Int? {
        if node.kind == .scalar, node.style == .plain {
            let text = node.string
            if text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(text), value >= 1 {
                return value
            }
        }
        let quoted = node.kind == .scalar && node.style != .plain && node.count > 0
        bag.report(.invalidVersion(found: quoted ? "\(describe(node)) in quotes" : describe(node)), at: node.range)
        return nil
    }

    /// A duration such as `6 weeks`.
    mutating func duration(_ node: YAMLNodeView, place: @autoclosure () -> String) -> Located<StatutoryDuration>? {
        guard let text = string(node, place: place()) else { return nil }
        switch StatutoryDuration.parse(text.value) {
        case .success(let duration): return Located(duration, at: text.range)
        case .failure(let error):
            bag.report(.invalidDuration(text: text.value, reason: error.description), at: text.range)
            return nil
        }
    }

    /// A list of names; with `allowSingle`, one bare name also counts as a list of one.
    /// Reports an empty list when `nonEmpty`, and repeated names. `word`, when given, is taken as a name besides
    /// those `rule` accepts (`engine:link` among a transition's `by:` roles).
    mutating func names(
        _ node: YAMLNodeView, rule: NameRule, kind: String, place: @autoclosure () -> String,
        allowSingle: Bool = false, nonEmpty: Bool = true, word: String? = nil
    ) -> [Located<String>] {
        let single = allowSingle && node.kind == .scalar && !node.isNull
        guard single || node.kind == .sequence else {
            let expected = allowSingle ? "a \(kind) name or a list of them" : "a list of \(kind) names"
            bag.report(.wrongType(place: place(), expected: expected, found: describe(node)), at: node.range)
            return []
        }
        let count = single ? 1 : node.count
        if count == 0, nonEmpty {
            bag.report(.emptyList(place: place()), at: node.range)
        }
        var result: [Located<String>] = []
        result.reserveCapacity(count)
        for position in 0..<count {
            // As `name(_:rule:kind:place:)` reads it, without an optional `Located` between.
            let item = single ? node : node.item(position)
            guard item.kind == .scalar, !item.isNull else {
                bag.report(.wrongType(place: "an entry of \(place())", expected: "a string", found: describe(item)), at: item.range)
                continue
            }
            let value = item.string
            let range = item.range
            if !rule.accepts(bytes: item.bytes), value != word {
                bag.report(.invalidName(name: value, kind: kind, rule: rule.help), at: range)
            }
            if result.indices.contains(where: { result[$0].value == value }) {
                bag.report(.duplicateEntry(entry: value, place: place()), at: range)
                continue
            }
            result.append(Located(value, at: range))
        }
        return result
    }

    /// The entries of a mapping by key, reporting keys outside `allowed` and missing `required` ones; nil when `node` is not a mapping.
    ///
    /// For mappings whose keys are few and read once each, where a ``KeyTable`` would be more machinery than the lookup saves.
    package mutating func entries(_ node: YAMLNodeView, place: String, allowed: [String], required: [String] = []) -> [String: YAMLNodeView]? {
        guard expectMapping(node, place: place) else { return nil }
        var result: [String: YAMLNodeView] = [:]
        for entry in 0..<node.count {
            let key = node.key(entry)
            if allowed.contains(key.string) { result[key.string] = node.value(entry) } else { unknownKey(key, place: place, allowed: allowed) }
        }
        for key in required where result[key] == nil {
            bag.report(.missingKey(key: key, place: place), at: node.range.startOnly)
        }
        return result
    }

    /// Reports a key that the mapping at `place` does not take, suggesting the nearest allowed key.
    package mutating func unknownKey(_ key: YAMLNodeView, place: @autoclosure () -> String, allowed: [String]) {
        let place = place()
        let name = key.string
        let suggestion = NameSuggester.suggest(name, from: allowed)
        bag.report(.unknownKey(key: name, place: place, suggestion: suggestion, allowed: allowed), at: key.range)
    }

    /// Hands each entry of the mapping `node` whose key `table` holds to `read`, reporting every other key; returns the keys seen, for ``requireKeys(_:of:seen:place:at:)``.
    @discardableResult
    mutating func readEntries<Key>(
        of node: YAMLNodeView, by table: KeyTable<Key>, place: @autoclosure () -> String,
        _ read: (Key, YAMLNodeView, inout NodeReader) -> Void
    ) -> KeysSeen {
        var seen = KeysSeen()
        for entry in 0..<node.count {
            let key = node.key(entry)
            guard let position = table.position(of: key) else {
                unknownKey(key, place: place(), allowed: table.names)
                continue
            }
            seen.insert(position)
            read(table.keys[position], node.value(entry), &self)
        }
        return seen
    }

    /// Reports each key of `required` that the mapping at `place` lacks, by the keys `seen` in it.
    mutating func requireKeys<Key>(
        _ required: [Key], of table: KeyTable<Key>, seen: KeysSeen, place: @autoclosure () -> String, at range: SourceRange
    ) where Key: Equatable {
        for key in required {
            guard let position = table.keys.firstIndex(of: key), !seen.contains(position) else { continue }
            bag.report(.missingKey(key: key.rawValue, place: place()), at: range)
        }
    }

    /// How a node's kind is named in "found ..." messages.
    package func describe(_ node: YAMLNodeView) -> String {
        switch node.kind {
        case .scalar:
            if node.isNull { return "nothing" }
            let value = node.string
            let shown = value.count > 40 ? String(value.prefix(40)) + "…" : value
            return "'\(shown)'"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

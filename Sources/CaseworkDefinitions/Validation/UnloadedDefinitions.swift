import Foundation

/// The ids of definitions whose files were found but failed to load (bad YAML, or a key too broken to decode).
///
/// A form that fails to load is still known by name, so the workflow that starts it reports no
/// false "unknown form": the form's own errors are the ones to fix, and only they are shown.
package struct UnloadedDefinitions: Sendable {
    /// The ids of unloaded definitions, by their kind's key (`workflow`, `form`, `calendar`, `policy`, `child`).
    private var ids: [String: Set<String>] = [:]

    /// No unloaded definitions.
    package init() {}

    /// Records the definition `text` declares on a top-level line such as `form: school-consultation`, if it has one.
    package mutating func record(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let kind = DefinitionDecoder.kinds.first(where: { $0 == parts[0] }) else { continue }
            var value = parts[1].split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let quote = value.first, quote == "\"" || quote == "'", value.last == quote {
                value = String(value.dropFirst().dropLast())
            }
            guard !value.isEmpty else { return }
            ids[kind, default: []].insert(value)
            return
        }
    }

    /// True when some definition of `kind` failed to load.
    package func containsKind(_ kind: String) -> Bool {
        !(ids[kind]?.isEmpty ?? true)
    }

    /// True when a definition of `kind` with this id failed to load.
    package func contains(_ kind: String, _ id: String) -> Bool {
        ids[kind]?.contains(id) ?? false
    }
}

/// One redaction: a resource path withheld, with everything under it, and the case fields it stands for.
///
/// Made by ``ResourcePaths/redaction(of:)``, so `case.address` means what the policy's `section_fields`
/// says wherever it is applied: in a decision, in a case view, in a notification.
public struct Redaction: Sendable, Hashable {
    /// The case fields a redaction hides.
    public enum Fields: Sendable, Hashable {
        /// None: the path is not a group of case fields (`ehcp.K`, `case.state`).
        case none
        /// Every field (`case`, `case.fields`).
        case every
        /// These field paths, each with everything under it (`child.address`).
        case under([String])
    }

    /// The resource path as the policy wrote it (`case.address`, `case.fields.child.address`, `ehcp.K`).
    public var path: String
    /// The case fields it hides.
    public var fields: Fields

    /// Creates a redaction.
    public init(path: String, fields: Fields) {
        self.path = path
        self.fields = fields
    }

    /// Whether it hides the case field at `path` (`child.address.line1`).
    public func hides(field path: String) -> Bool {
        switch fields {
        case .none: false
        case .every: true
        case .under(let hidden): hidden.contains { ResourcePaths.covers($0, path) }
        }
    }

    /// Whether it hides the whole of `resource`: the path itself or anything under it, or a field it hides.
    public func hides(resource: String) -> Bool {
        if ResourcePaths.covers(path, resource) { return true }
        return ResourcePaths.fieldPath(of: resource).map(hides(field:)) ?? false
    }

    /// Whether it hides part of `resource` without hiding all of it: what a decision on `resource` carries
    /// (a decision on `case` or `case.fields` carries `case.address`, which hides the address fields).
    public func hidesPart(of resource: String) -> Bool {
        guard !hides(resource: resource) else { return false }
        if ResourcePaths.covers(resource, path) { return true }
        switch fields {
        case .none:
            return false
        case .every:
            return resource == ResourcePaths.caseResource || resource == ResourcePaths.caseFields
        case .under(let hidden):
            if resource == ResourcePaths.caseResource || resource == ResourcePaths.caseFields { return true }
            guard let field = ResourcePaths.fieldPath(of: resource) else { return false }
            return hidden.contains { ResourcePaths.covers(field, $0) }
        }
    }
}

/// The redactions that apply to one decision, as a value the engine applies wherever it shows a case.
public struct RedactionSet: Sendable, Hashable {
    /// The redactions, each once, in the order they were added.
    public private(set) var redactions: [Redaction]

    /// A set of `redactions`.
    public init(_ redactions: [Redaction] = []) {
        self.redactions = []
        for redaction in redactions { insert(redaction) }
    }

    /// Adds `redaction` unless a redaction of the same path is there.
    public mutating func insert(_ redaction: Redaction) {
        if !redactions.contains(where: { $0.path == redaction.path }) { redactions.append(redaction) }
    }

    /// Whether nothing is redacted.
    public var isEmpty: Bool { redactions.isEmpty }

    /// The redacted paths, sorted: what a decision's `redact` lists.
    public var paths: [String] { redactions.map(\.path).sorted() }

    /// Whether some redaction hides the case field at `path`.
    public func hides(field path: String) -> Bool { redactions.contains { $0.hides(field: path) } }

    /// Whether some redaction hides the whole of `resource`.
    public func hides(resource: String) -> Bool { redactions.contains { $0.hides(resource: resource) } }
}

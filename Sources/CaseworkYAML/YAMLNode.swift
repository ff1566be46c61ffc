/// How a scalar was written in the file.
///
/// Later stages need this to map an offset inside a scalar's value back to a
/// column in the file (an expression error inside a quoted or folded string).
public enum YAMLScalarStyle: Sendable, Hashable {
    /// Written bare: `requested_on`.
    case plain
    /// Written in single quotes: `'it''s'`.
    case singleQuoted
    /// Written in double quotes, with escapes: `"a\tb"`.
    case doubleQuoted
    /// A block scalar that keeps line breaks: `|`.
    case literal
    /// A block scalar that folds line breaks into spaces: `>`.
    case folded
}

/// The standard YAML tags a file may use; anything else is rejected.
public enum YAMLStandardTag: String, Sendable, Hashable, CaseIterable {
    /// `!!str`: the scalar is a string whatever it looks like.
    case string = "tag:yaml.org,2002:str"
    /// `!!int`.
    case int = "tag:yaml.org,2002:int"
    /// `!!float`.
    case float = "tag:yaml.org,2002:float"
    /// `!!bool`.
    case bool = "tag:yaml.org,2002:bool"
    /// `!!null`.
    case null = "tag:yaml.org,2002:null"
    /// `!!seq`.
    case sequence = "tag:yaml.org,2002:seq"
    /// `!!map`.
    case mapping = "tag:yaml.org,2002:map"
}

/// A scalar value exactly as written (after YAML's quoting and folding), with its style.
public struct YAMLScalar: Sendable, Hashable {
    /// The scalar's text after YAML unquoting and folding.
    public var value: String
    /// How the scalar was written.
    public var style: YAMLScalarStyle

    /// Creates a scalar.
    public init(value: String, style: YAMLScalarStyle) {
        self.value = value
        self.style = style
    }

    /// True for a plain scalar that YAML reads as null: empty, `~` or `null`.
    public var isNull: Bool {
        style == .plain && (value.isEmpty || value == "~" || value == "null" || value == "Null" || value == "NULL")
    }
}

/// A mapping key: always a scalar in Casework files, with where it was written.
public struct YAMLKey: Sendable, Hashable {
    /// The key's text.
    public var name: String
    /// Where the key was written.
    public var range: SourceRange

    /// Creates a key.
    public init(name: String, range: SourceRange) {
        self.name = name
        self.range = range
    }
}

/// One `key: value` entry of a mapping, in file order.
public struct YAMLPair: Sendable {
    /// The key, with its own range so "unknown key" points at the key.
    public var key: YAMLKey
    /// The value.
    public var value: YAMLNode

    /// Creates an entry.
    public init(key: YAMLKey, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// A node of a YAML document: a scalar, a sequence or a mapping, with its source range.
///
/// The tree knows nothing of workflows; it only keeps what was written and where.
public struct YAMLNode: Sendable {
    /// What a node holds.
    public enum Content: Sendable {
        /// A single value.
        case scalar(YAMLScalar)
        /// A list of nodes.
        case sequence([YAMLNode])
        /// Key/value entries in file order. Keys are unique (duplicates are load errors).
        case mapping([YAMLPair])
    }

    /// What the node holds.
    public var content: Content
    /// Where the node was written (for an alias, where its anchor's node was written).
    public var range: SourceRange
    /// The node's explicit standard tag, when one was written.
    public var tag: YAMLStandardTag?

    /// Creates a node.
    public init(content: Content, range: SourceRange, tag: YAMLStandardTag? = nil) {
        self.content = content
        self.range = range
        self.tag = tag
    }

    /// The scalar, when this node is one.
    public var scalar: YAMLScalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    /// The items, when this node is a sequence.
    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// The entries, when this node is a mapping.
    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// A word for the node's kind, as error messages name it: `a mapping`, `a list`, `a scalar`.
    public var kindDescription: String {
        switch content {
        case .scalar(let scalar): return scalar.isNull ? "null" : "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

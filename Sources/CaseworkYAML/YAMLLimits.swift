/// The resource limits every YAML load runs under.
///
/// A hostile file (an alias bomb, 20,000 nested brackets, a multi-megabyte
/// scalar) must cost bounded time and memory and end in a located error, so
/// every limit is an explicit number here, not an accident of the parser.
package struct YAMLLimits: Sendable, Hashable {
    /// The largest file accepted, in bytes. Real definitions are tens of kilobytes.
    package var maxFileBytes: Int
    /// The deepest nesting of sequences and mappings accepted.
    package var maxDepth: Int
    /// The longest scalar accepted, in bytes (a template body is a few kilobytes).
    package var maxScalarBytes: Int
    /// The most nodes a document may hold, counting every node an alias repeats.
    package var maxNodes: Int
    /// The most aliases (`*name`) a document may use.
    package var maxAliases: Int
    /// The most bytes of scalars (keys and values) a document may hold, counting every scalar an alias repeats.
    /// Counting nodes alone let a long scalar repeated under aliases stay under ``maxNodes`` while its text grew to
    /// gigabytes in whatever reads the whole tree (a definition's fingerprint, its decoding).
    package var maxExpandedBytes: Int

    /// Creates a set of limits; `maxExpandedBytes` is twice `maxFileBytes` unless given.
    package init(maxFileBytes: Int, maxDepth: Int, maxScalarBytes: Int, maxNodes: Int, maxAliases: Int, maxExpandedBytes: Int? = nil) {
        self.maxFileBytes = maxFileBytes
        self.maxDepth = maxDepth
        self.maxScalarBytes = maxScalarBytes
        self.maxNodes = maxNodes
        self.maxAliases = maxAliases
        self.maxExpandedBytes = maxExpandedBytes ?? 2 * maxFileBytes
    }

    /// The limits `casework validate` and the engine use: 8 MiB files, depth 64,
    /// 256 KiB scalars, one million nodes, 1,000 aliases, 16 MiB of scalars once aliases are expanded.
    package static let standard = YAMLLimits(
        maxFileBytes: 8 * 1024 * 1024,
        maxDepth: 64,
        maxScalarBytes: 256 * 1024,
        maxNodes: 1_000_000,
        maxAliases: 1_000,
        maxExpandedBytes: 16 * 1024 * 1024
    )
}

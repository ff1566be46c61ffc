/// A position in a source file, as people count it: 1-based line and column.
///
/// Columns and offsets count Unicode scalars (not bytes), so a position under a
/// non-ASCII name in a council's file lines up with what an editor shows.
public struct SourceMark: Sendable, Hashable, Comparable, CustomStringConvertible {
    // Stored as 32-bit values (files are at most a few megabytes) to keep every
    // node of the tree small; read as `Int`.
    private var storedLine: Int32
    private var storedColumn: Int32
    private var storedOffset: Int32

    /// The 1-based line number.
    public var line: Int { Int(storedLine) }
    /// The 1-based column, in Unicode scalars from the start of the line.
    public var column: Int { Int(storedColumn) }
    /// The 0-based offset from the start of the file, in Unicode scalars.
    public var offset: Int { Int(storedOffset) }

    /// Creates a mark from its 1-based line and column and 0-based scalar offset,
    /// each clamped to what 32 bits hold.
    public init(line: Int, column: Int, offset: Int) {
        storedLine = Int32(clamping: line)
        storedColumn = Int32(clamping: column)
        storedOffset = Int32(clamping: offset)
    }

    /// Orders marks by their position in the file.
    public static func < (lhs: SourceMark, rhs: SourceMark) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    /// `line:column`, as diagnostics print it.
    public var description: String { "\(line):\(column)" }
}

/// A span of a source file: where a node, key or token starts and ends.
///
/// Every YAML node and every diagnostic carries one, so an error found late
/// (by the validator, or inside an expression) still points at the file.
public struct SourceRange: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The path of the file, as it was given to the loader.
    public var file: String
    /// Where the span starts.
    public var start: SourceMark
    /// Where the span ends (exclusive, as libyaml reports it).
    public var end: SourceMark

    /// Creates a span of `file` from `start` to `end`.
    public init(file: String, start: SourceMark, end: SourceMark) {
        self.file = file
        self.start = start
        self.end = end
    }

    /// A zero-width span at one mark.
    public init(file: String, at mark: SourceMark) {
        self.init(file: file, start: mark, end: mark)
    }

    /// The start of a file, for problems that concern the whole file.
    public static func startOf(_ file: String) -> SourceRange {
        SourceRange(file: file, at: SourceMark(line: 1, column: 1, offset: 0))
    }

    /// Orders spans by file, then by start position.
    public static func < (lhs: SourceRange, rhs: SourceRange) -> Bool {
        if lhs.file != rhs.file { return lhs.file < rhs.file }
        if lhs.start != rhs.start { return lhs.start < rhs.start }
        return lhs.end < rhs.end
    }

    /// `file:line:column`, as diagnostics print it.
    public var description: String { "\(file):\(start)" }
}

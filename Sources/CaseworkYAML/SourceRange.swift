#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A position in a source file, as people count it: 1-based line and column.
///
/// Columns and offsets count Unicode scalars (not bytes), so a position under a
/// non-ASCII name in a council's file lines up with what an editor shows.
public struct SourceMark: Sendable, Hashable, Comparable, CustomStringConvertible, BitwiseCopyable {
    // Stored as 32-bit values (files are at most a few megabytes) to keep every
    // node of the tree small; read as `Int`.
    fileprivate var storedLine: Int32
    fileprivate var storedColumn: Int32
    fileprivate var storedOffset: Int32

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

    fileprivate init(storedLine: Int32, storedColumn: Int32, storedOffset: Int32) {
        self.storedLine = storedLine
        self.storedColumn = storedColumn
        self.storedOffset = storedOffset
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
///
/// The file is held as a number standing for its path, so a range is plain data:
/// copying one, as every node, name and diagnostic does, costs no reference
/// counting. ``file`` reads the path back.
public struct SourceRange: Sendable, Hashable, Comparable, CustomStringConvertible, BitwiseCopyable {
    // The marks are packed two 32-bit values to a word, so the whole range is four
    // scalars. Definitions hold tens of thousands of `Located<String>` values; at
    // four scalars (plus the string's two) the compiler copies one inline, where a
    // wider range makes every copy go through the generic value witnesses.
    private var startLineAndColumn: UInt64
    private var startOffsetAndEndLine: UInt64
    private var endColumnAndOffset: UInt64
    /// The file, as a number standing for its path.
    package var fileID: SourceFileID

    /// Where the span starts.
    public var start: SourceMark {
        get {
            SourceMark(
                storedLine: Self.low(startLineAndColumn), storedColumn: Self.high(startLineAndColumn),
                storedOffset: Self.low(startOffsetAndEndLine)
            )
        }
        set {
            startLineAndColumn = Self.pack(newValue.storedLine, newValue.storedColumn)
            startOffsetAndEndLine = Self.pack(newValue.storedOffset, Self.high(startOffsetAndEndLine))
        }
    }

    /// Where the span ends (exclusive, as libyaml reports it).
    public var end: SourceMark {
        get {
            SourceMark(
                storedLine: Self.high(startOffsetAndEndLine), storedColumn: Self.low(endColumnAndOffset),
                storedOffset: Self.high(endColumnAndOffset)
            )
        }
        set {
            startOffsetAndEndLine = Self.pack(Self.low(startOffsetAndEndLine), newValue.storedLine)
            endColumnAndOffset = Self.pack(newValue.storedColumn, newValue.storedOffset)
        }
    }

    /// The path of the file, as it was given to the loader.
    public var file: String {
        get { fileID.path }
        set { fileID = SourceFileID(newValue) }
    }

    /// Creates a span of `file` from `start` to `end`.
    public init(file: String, start: SourceMark, end: SourceMark) {
        self.init(fileID: SourceFileID(file), start: start, end: end)
    }

    /// Creates a span of the file `fileID` stands for, from `start` to `end`.
    package init(fileID: SourceFileID, start: SourceMark, end: SourceMark) {
        self.fileID = fileID
        startLineAndColumn = Self.pack(start.storedLine, start.storedColumn)
        startOffsetAndEndLine = Self.pack(start.storedOffset, end.storedLine)
        endColumnAndOffset = Self.pack(end.storedColumn, end.storedOffset)
    }

    /// A zero-width span at one mark of the file `fileID` stands for.
    package init(fileID: SourceFileID, at mark: SourceMark) {
        self.init(fileID: fileID, start: mark, end: mark)
    }

    /// A zero-width span at one mark.
    public init(file: String, at mark: SourceMark) {
        self.init(file: file, start: mark, end: mark)
    }

    /// A zero-width span at this range's start, in the same file.
    public var startOnly: SourceRange {
        SourceRange(fileID: fileID, start: start, end: start)
    }

    /// The start of a file, for problems that concern the whole file.
    public static func startOf(_ file: String) -> SourceRange {
        SourceRange(file: file, at: SourceMark(line: 1, column: 1, offset: 0))
    }

    /// Orders spans by file, then by start position.
    public static func < (lhs: SourceRange, rhs: SourceRange) -> Bool {
        if lhs.fileID != rhs.fileID { return lhs.file < rhs.file }
        if lhs.start != rhs.start { return lhs.start < rhs.start }
        return lhs.end < rhs.end
    }

    /// `file:line:column`, as diagnostics print it.
    public var description: String { "\(file):\(start)" }

    private static func pack(_ low: Int32, _ high: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: low)) | UInt64(UInt32(bitPattern: high)) << 32
    }

    private static func low(_ word: UInt64) -> Int32 {
        Int32(truncatingIfNeeded: word)
    }

    private static func high(_ word: UInt64) -> Int32 {
        Int32(truncatingIfNeeded: word >> 32)
    }
}

/// A number standing for a file's path, so source ranges need not carry the path itself.
///
/// Paths are interned process-wide: the same path always gets the same id, so two
/// ids are equal exactly when their paths are. The table only grows, by one entry
/// per distinct path ever named (a validator or an engine names a fixed set of
/// definition files), and is safe to use from any thread.
package struct SourceFileID: Sendable, Hashable, CustomStringConvertible, BitwiseCopyable {
    private let number: UInt32

    /// The id of `path`, registering the path the first time it is seen.
    package init(_ path: String) {
        number = SourcePathTable.shared.id(of: path)
    }

    /// The path this id stands for.
    package var path: String { SourcePathTable.shared.path(number) }

    /// The path, as diagnostics print it.
    package var description: String { path }
}

/// The process-wide table behind ``SourceFileID``: paths by number and numbers by path, under a lock.
private final class SourcePathTable: @unchecked Sendable {
    static let shared = SourcePathTable()

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var paths: [String] = []
    private var numbers: [String: UInt32] = [:]

    private init() {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    func id(of path: String) -> UInt32 {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if let number = numbers[path] { return number }
        let number = UInt32(paths.count)
        paths.append(path)
        numbers[path] = number
        return number
    }

    func path(_ number: UInt32) -> String {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return paths[Int(number)]
    }
}

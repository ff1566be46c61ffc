import CYAML
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What loading one YAML file produced: the root mapping when there is one, and every problem found.
///
/// Some problems (a duplicate key, a foreign tag) still leave a usable tree, so
/// the validator can report them and everything else in the same run.
package struct YAMLLoadResult: Sendable {
    /// The document's root, a mapping; nil when a fatal problem stopped the load.
    package var root: YAMLNode?
    /// The problems found, in the order they were met.
    package var errors: [YAMLError]

    /// A result of `root` with `errors`.
    package init(root: YAMLNode?, errors: [YAMLError]) {
        self.root = root
        self.errors = errors
    }
}

/// Turns YAML bytes into a ``YAMLNode`` tree through libyaml's event parser.
///
/// The loader composes nodes itself (libyaml's own document loader keeps no
/// key marks and has no limits), enforcing ``YAMLLimits`` as events arrive so
/// that a hostile file stops early. It never recurses, so nesting cannot
/// overflow the stack.
package enum YAMLLoader {
    /// Loads one document from `bytes`; `file` is the path diagnostics will name.
    package static func load(_ bytes: [UInt8], file: String, limits: YAMLLimits = .standard) -> YAMLLoadResult {
        bytes.withUnsafeBufferPointer { load(buffer: $0, file: file, limits: limits) }
    }

    /// Loads one document from the UTF-8 of `text`, read in the string's own storage: what ``load(_:file:limits:)``
    /// makes of `Array(text.utf8)`, without copying the text first (a definition file of megabytes is read in place).
    package static func load(text: String, file: String, limits: YAMLLimits = .standard) -> YAMLLoadResult {
        var text = text
        return text.withUTF8 { load(buffer: $0, file: file, limits: limits) }
    }

    /// Loads one document from `buffer`, which stays valid during the call.
    private static func load(buffer: UnsafeBufferPointer<UInt8>, file: String, limits: YAMLLimits) -> YAMLLoadResult {
        if buffer.count > limits.maxFileBytes {
            return YAMLLoadResult(root: nil, errors: [.fileTooLarge(file: file, bytes: buffer.count, limit: limits.maxFileBytes)])
        }
        if let nul = firstNUL(in: buffer) {
            return YAMLLoadResult(root: nil, errors: [.nulByte(at: SourceRange(file: file, at: mark(ofByte: nul, in: buffer)))])
        }
        var composer = Composer(file: file, limits: limits, estimatedBytes: buffer.count)
        composer.run(buffer)
        return composer.result()
    }

    /// Reads and loads the file at `path`.
    package static func load(path: String, limits: YAMLLimits = .standard) -> YAMLLoadResult {
        switch FileBytes.read(path, limit: limits.maxFileBytes) {
        case .success(let bytes):
            return load(bytes, file: path, limits: limits)
        case .failure(let error):
            return YAMLLoadResult(root: nil, errors: [error])
        }
    }

    /// The offset of the first NUL byte, if there is one.
    private static func firstNUL(in buffer: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = buffer.baseAddress, let found = memchr(base, 0, buffer.count) else { return nil }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
    }

    /// Where the input ends, as a mark just after its last character, when its last line has no line break; nil when it
    /// is empty or ends in a break.
    static func endOfUnterminatedLastLine(in bytes: UnsafeBufferPointer<UInt8>) -> SourceMark? {
        guard let last = bytes.last, last != 0x0A, last != 0x0D else { return nil }
        let end = mark(ofByte: bytes.count, in: bytes)
        return end.column == 1 ? nil : end
    }

    /// The line and column of a byte offset, for errors libyaml reports as byte offsets, counted as libyaml counts its
    /// marks: lines at its breaks (a line feed, a carriage return, the two together as one, U+0085, U+2028 and U+2029),
    /// columns and the offset in Unicode scalars.
    package static func mark(ofByte offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> SourceMark {
        var line = 1
        var column = 1
        var scalars = 0
        var afterReturn = false
        var index = 0
        let end = min(offset, bytes.count)
        while index < end {
            let byte = bytes[index]
            if byte & 0xC0 != 0x80 {
                scalars += 1
                let isBreak = byte == 0x0A || byte == 0x0D
                    || (byte == 0xC2 && index + 1 < bytes.count && bytes[index + 1] == 0x85)
                    || (byte == 0xE2 && index + 2 < bytes.count && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9))
                if isBreak {
                    if !(byte == 0x0A && afterReturn) { line += 1 }
                    column = 1
                } else {
                    column += 1
                }
                afterReturn = byte == 0x0D
            }
            index += 1
        }
        return SourceMark(line: line, column: column, offset: scalars)
    }
}

/// Builds the node tree from libyaml events, one document, within the limits.
private struct Composer: ~Copyable {
    /// A sequence or mapping still being built. Its finished children wait on the
    /// composer's `entries` stack (for a mapping: key, value, key, value…) until it closes.
    /// Plain data, so opening and closing containers copies no strings or dictionaries.
    private struct Frame {
        let tag: YAMLStandardTag?
        let start: SourceMark
        let nodeCountAtStart: Int
        /// The scalar bytes counted when it opened: what its anchor repeats is the count at its close less this.
        let expandedBytesAtStart: Int
        /// Whether the container has an anchor (the top of `frameAnchors`).
        let hasAnchor: Bool
        /// What attaching a node needs; saved here while a child container is open.
        var state: OpenState
    }

    /// What attaching a node needs to know of the innermost open container. It is kept
    /// in `innermost`, outside `frames`, so attaching a node touches no array.
    private struct OpenState {
        let isMapping: Bool
        /// Where the container's entries start on the `entries` stack.
        let entriesStart: Int
        /// A mapping's next node is the value of a key that was rejected, and is dropped.
        var discardingValue = false
        /// Whether a mapping has a key index (the top of `keyIndexes`).
        var hasKeyIndex = false
    }

    /// Mappings up to this many entries find a repeated key by comparing keys; larger ones hash them.
    private static let linearKeySearchLimit = 8

    let file: String
    let fileID: SourceFileID
    let limits: YAMLLimits
    /// The end of an input whose last line has no break (``YAMLLoader/endOfUnterminatedLastLine(in:)``), set when the
    /// input is read; nil for one that ends in a break, as nearly every file does.
    private var streamEnd: SourceMark?
    private var builder: YAMLTreeBuilder
    /// The open containers, outermost first.
    private var frames: [Frame] = []
    /// The state of the innermost open container (meaningful while `frames` is not empty).
    private var innermost = OpenState(isMapping: false, entriesStart: 0)
    /// The finished children of the open containers, innermost last.
    private var entries = GrowableBuffer<Int32>(capacity: 256)
    /// The anchors of the open containers that have one, innermost last.
    private var frameAnchors: [String] = []
    /// Each open mapping past a few keys: its keys by text, innermost last.
    private var keyIndexes: [[String: Int32]] = []
    /// Each anchor's node, with the nodes and the scalar bytes it holds (aliases within it expanded): what an alias to
    /// it adds to the counts.
    private var anchors: [String: (node: Int32, size: Int, bytes: Int)] = [:]
    private var nodeCount = 0
    /// The bytes of every scalar so far, each an alias repeats counted again (``YAMLLimits/maxExpandedBytes``).
    private var expandedBytes = 0
    private var aliasCount = 0
    private var documentCount = 0
    private var root: Int32?
    private var errors: [YAMLError] = []
    private var fatal = false

    init(file: String, limits: YAMLLimits, estimatedBytes: Int) {
        self.file = file
        self.fileID = SourceFileID(file)
        self.limits = limits
        self.builder = YAMLTreeBuilder(estimatedBytes: estimatedBytes)
        frames.reserveCapacity(16)
    }

    consuming func result() -> YAMLLoadResult {
        if fatal { return YAMLLoadResult(root: nil, errors: errors) }
        guard let root else {
            return YAMLLoadResult(root: nil, errors: errors + [.emptyDocument(at: .startOf(file))])
        }
        let errors = errors
        let node = YAMLNode(tree: builder.finish(), index: root)
        return node.withView { view in
            if view.isNull {
                return YAMLLoadResult(root: nil, errors: errors + [.emptyDocument(at: view.range)])
            }
            if view.kind != .mapping {
                return YAMLLoadResult(root: nil, errors: errors + [.rootNotMapping(found: view.kindDescription, at: view.range)])
            }
            return YAMLLoadResult(root: node, errors: errors)
        }
    }

    mutating func run(_ buffer: UnsafeBufferPointer<UInt8>) {
        streamEnd = YAMLLoader.endOfUnterminatedLastLine(in: buffer)
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) != 0 else {
            fail(.unreadable(file: file, reason: "libyaml could not allocate a parser"))
            return
        }
        defer { yaml_parser_delete(parser) }
        yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)

        var event = yaml_event_t()
        while !fatal {
            guard yaml_parser_parse(parser, &event) != 0 else {
                fail(parserError(parser.pointee, buffer))
                return
            }
            let done = event.type == YAML_STREAM_END_EVENT
            handle(&event)
            yaml_event_delete(&event)
            if done { return }
        }
    }

    private mutating func fail(_ error: YAMLError) {
        errors.append(error)
        fatal = true
    }

    /// The 1-based mark of libyaml's 0-based one. libyaml ends a stream whose last line has no line break by moving its
    /// mark to the start of a line after it (`yaml_parser_fetch_stream_end`), so what it places at the end of such a
    /// file (a problem found there, the empty value of a last key, the empty document of `---`) would be on a line the
    /// file does not have (line 13 of a 12-line file, found by the `auth-file` fuzz target in session 34); it is placed
    /// just after the last character instead.
    private func mark(_ mark: yaml_mark_t) -> SourceMark {
        if let streamEnd, mark.column == 0, Int(mark.index) == streamEnd.offset { return streamEnd }
        return SourceMark(line: Int(mark.line) + 1, column: Int(mark.column) + 1, offset: Int(mark.index))
    }

    private func range(_ event: UnsafePointer<yaml_event_t>) -> SourceRange {
        SourceRange(fileID: fileID, start: mark(event.pointee.start_mark), end: mark(event.pointee.end_mark))
    }

    private func parserError(_ parser: yaml_parser_t, _ buffer: UnsafeBufferPointer<UInt8>) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        if parser.error == YAML_READER_ERROR {
            let bytes = buffer
            var offset = min(parser.problem_offset, bytes.count)
            guard problem.contains("UTF-8") else {
                return .syntax(problem: problem, context: nil, at: SourceRange(fileID: fileID, at: YAMLLoader.mark(ofByte: offset, in: bytes)))
            }
            if problem.contains("trailing"), offset > 0 {
                // libyaml points at the bad trailing byte; point at the sequence's leading byte instead.
                var leading = offset - 1
                while leading > 0, bytes[leading] & 0xC0 == 0x80 { leading -= 1 }
                if bytes[leading] >= 0xC0 { offset = leading }
            }
            return .invalidUTF8(at: SourceRange(fileID: fileID, at: YAMLLoader.mark(ofByte: offset, in: bytes)))
        }
        let context = parser.context.map { String(cString: $0) }
        return .syntax(problem: problem, context: context, at: SourceRange(fileID: fileID, at: mark(parser.problem_mark)))
    }

    private mutating func handle(_ event: UnsafePointer<yaml_event_t>) {
        switch event.pointee.type {
        case YAML_DOCUMENT_START_EVENT:
            documentCount += 1
            if documentCount > 1 {
                fail(.multipleDocuments(at: range(event)))
            }
        case YAML_SCALAR_EVENT:
            scalar(event)
        case YAML_SEQUENCE_START_EVENT:
            let data = event.pointee.data.sequence_start
            open(isMapping: false, event: event, anchor: data.anchor, tag: data.tag)
        case YAML_MAPPING_START_EVENT:
            let data = event.pointee.data.mapping_start
            open(isMapping: true, event: event, anchor: data.anchor, tag: data.tag)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            close(event)
        case YAML_ALIAS_EVENT:
            alias(event)
        default:
            break
        }
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }

    private mutating func resolveTag(_ pointer: UnsafeMutablePointer<yaml_char_t>?, at range: SourceRange) -> YAMLStandardTag? {
        guard let tag = string(pointer), tag != "!" else { return nil }
        if let standard = YAMLStandardTag(rawValue: tag) { return standard }
        errors.append(.unsupportedTag(tag: tag, at: range))
        return nil
    }

    /// Adds `nodes` and `bytes` of scalar text to the document's counts (an alias adds all its anchor holds); false,
    /// with the error at `range`, when either passes its limit.
    private mutating func count(nodes: Int, bytes: Int, at range: SourceRange) -> Bool {
        nodeCount += nodes
        expandedBytes += bytes
        if nodeCount > limits.maxNodes {
            fail(.tooManyNodes(limit: limits.maxNodes, at: range))
            return false
        }
        if expandedBytes > limits.maxExpandedBytes {
            fail(.tooMuchExpandedText(limit: limits.maxExpandedBytes, at: range))
            return false
        }
        return true
    }

    private mutating func scalar(_ event: UnsafePointer<yaml_event_t>) {
        let data = event.pointee.data.scalar
        let at = range(event)
        guard data.length <= limits.maxScalarBytes else {
            fail(.scalarTooLarge(bytes: data.length, limit: limits.maxScalarBytes, at: at))
            return
        }
        guard count(nodes: 1, bytes: data.length, at: at) else { return }
        let style: YAMLScalarStyle
        switch data.style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: style = .literal
        case YAML_FOLDED_SCALAR_STYLE: style = .folded
        default: style = .plain
        }
        let tag = data.tag == nil ? nil : resolveTag(data.tag, at: at)
        let node = builder.appendScalar(UnsafeBufferPointer(start: data.value, count: data.length), style: style, tag: tag, range: at)
        if data.anchor != nil, let anchor = string(data.anchor) {
            anchors[anchor] = (node, 1, data.length)
        }
        attach(node)
    }

    private mutating func open(isMapping: Bool, event: UnsafePointer<yaml_event_t>, anchor: UnsafeMutablePointer<yaml_char_t>?, tag: UnsafeMutablePointer<yaml_char_t>?) {
        let at = range(event)
        guard frames.count < limits.maxDepth else {
            fail(.tooDeep(limit: limits.maxDepth, at: at))
            return
        }
        guard count(nodes: 1, bytes: 0, at: at) else { return }
        let anchorName = string(anchor)
        if let anchorName { frameAnchors.append(anchorName) }
        let tag = tag == nil ? nil : resolveTag(tag, at: at)
        if !frames.isEmpty { frames[frames.count - 1].state = innermost }
        innermost = OpenState(isMapping: isMapping, entriesStart: entries.count)
        frames.append(Frame(tag: tag, start: at.start, nodeCountAtStart: nodeCount, expandedBytesAtStart: expandedBytes, hasAnchor: anchorName != nil,
                            state: innermost))
    }

    private mutating func close(_ event: UnsafePointer<yaml_event_t>) {
        guard let frame = frames.popLast() else { return }
        let closing = innermost
        if let parent = frames.last { innermost = parent.state }
        let at = SourceRange(fileID: fileID, start: frame.start, end: mark(event.pointee.end_mark))
        let node = builder.appendContainer(
            mapping: closing.isMapping, entries: entries.suffix(from: closing.entriesStart), tag: frame.tag, range: at
        )
        entries.removeLast(entries.count - closing.entriesStart)
        if closing.hasKeyIndex { keyIndexes.removeLast() }
        if frame.hasAnchor {
            anchors[frameAnchors.removeLast()] = (node, nodeCount - frame.nodeCountAtStart + 1, expandedBytes - frame.expandedBytesAtStart)
        }
        attach(node)
    }

    private mutating func alias(_ event: UnsafePointer<yaml_event_t>) {
        let at = range(event)
        let name = string(event.pointee.data.alias.anchor) ?? ""
        aliasCount += 1
        guard aliasCount <= limits.maxAliases else {
            fail(.tooManyAliases(limit: limits.maxAliases, at: at))
            return
        }
        guard let (node, size, bytes) = anchors[name] else {
            fail(.undefinedAlias(name: name, at: at))
            return
        }
        guard count(nodes: size, bytes: bytes, at: at) else { return }
        attach(node)
    }

    private mutating func attach(_ node: Int32) {
        guard !frames.isEmpty else {
            root = node
            return
        }
        guard innermost.isMapping else {
            entries.append(node)
            return
        }
        if innermost.discardingValue {
            innermost.discardingValue = false
            return
        }
        guard (entries.count - innermost.entriesStart) % 2 == 0 else {
            entries.append(node)
            return
        }
        // `node` is a key.
        guard builder.kind(of: node) == .scalar else {
            errors.append(.complexKey(at: builder.range(of: node)))
            innermost.discardingValue = true
            return
        }
        if let first = firstKey(like: node) {
            errors.append(.duplicateKey(key: builder.string(of: node), at: builder.range(of: node), first: builder.range(of: first)))
            innermost.discardingValue = true
            return
        }
        entries.append(node)
        if innermost.hasKeyIndex {
            keyIndexes[keyIndexes.count - 1][builder.string(of: node)] = node
        } else if (entries.count - innermost.entriesStart + 1) / 2 > Self.linearKeySearchLimit {
            var index: [String: Int32] = [:]
            index.reserveCapacity(Self.linearKeySearchLimit * 4)
            for position in stride(from: innermost.entriesStart, to: entries.count, by: 2) {
                index[builder.string(of: entries[position])] = entries[position]
            }
            keyIndexes.append(index)
            innermost.hasKeyIndex = true
        }
    }

    /// The key already written in the innermost mapping with the same text as the scalar `key`, if any.
    ///
    /// `mutating` though it changes nothing: called on the composer in place. As a plain method, the compiler copied
    /// the whole composer (257 bytes) onto the stack to call it, for every key of every mapping.
    private mutating func firstKey(like key: Int32) -> Int32? {
        if innermost.hasKeyIndex { return keyIndexes[keyIndexes.count - 1][builder.string(of: key)] }
        for position in stride(from: innermost.entriesStart, to: entries.count, by: 2)
        where builder.scalarsEqual(entries[position], key) {
            return entries[position]
        }
        return nil
    }
}

extension YAMLLoader {
    /// Reads and loads the file at `path`, also returning its text (empty when unreadable) for source excerpts.
    package static func loadWithText(path: String, limits: YAMLLimits = .standard) -> (YAMLLoadResult, String) {
        loadWithText(read(path: path, limits: limits), file: path, limits: limits)
    }

    /// Reads the file at `path` whole, refusing one over `limits`' file size before reading it.
    package static func read(path: String, limits: YAMLLimits = .standard) -> Result<[UInt8], YAMLError> {
        FileBytes.read(path, limit: limits.maxFileBytes)
    }

    /// Loads bytes read by ``read(path:limits:)`` (or the error reading them), with their text, as ``loadWithText(path:limits:)`` does.
    package static func loadWithText(_ read: Result<[UInt8], YAMLError>, file: String, limits: YAMLLimits = .standard) -> (YAMLLoadResult, String) {
        switch read {
        case .success(let bytes):
            return (load(bytes, file: file, limits: limits), String(decoding: bytes, as: UTF8.self))
        case .failure(let error):
            return (YAMLLoadResult(root: nil, errors: [error]), "")
        }
    }
}

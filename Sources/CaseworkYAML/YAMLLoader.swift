import CYAML

/// What loading one YAML file produced: the root mapping when there is one, and every problem found.
///
/// Some problems (a duplicate key, a foreign tag) still leave a usable tree, so
/// the validator can report them and everything else in the same run.
public struct YAMLLoadResult: Sendable {
    /// The document's root, a mapping; nil when a fatal problem stopped the load.
    public var root: YAMLNode?
    /// The problems found, in the order they were met.
    public var errors: [YAMLError]
}

/// Turns YAML bytes into a ``YAMLNode`` tree through libyaml's event parser.
///
/// The loader composes nodes itself (libyaml's own document loader keeps no
/// key marks and has no limits), enforcing ``YAMLLimits`` as events arrive so
/// that a hostile file stops early. It never recurses, so nesting cannot
/// overflow the stack.
public enum YAMLLoader {
    /// Loads one document from `bytes`; `file` is the path diagnostics will name.
    public static func load(_ bytes: [UInt8], file: String, limits: YAMLLimits = .standard) -> YAMLLoadResult {
        if bytes.count > limits.maxFileBytes {
            return YAMLLoadResult(root: nil, errors: [.fileTooLarge(file: file, bytes: bytes.count, limit: limits.maxFileBytes)])
        }
        if let nul = bytes.firstIndex(of: 0) {
            return YAMLLoadResult(root: nil, errors: [.nulByte(at: SourceRange(file: file, at: mark(ofByte: nul, in: bytes)))])
        }
        var composer = Composer(file: file, limits: limits)
        bytes.withUnsafeBufferPointer { buffer in
            composer.run(buffer)
        }
        return composer.result
    }

    /// Reads and loads the file at `path`.
    public static func load(path: String, limits: YAMLLimits = .standard) -> YAMLLoadResult {
        switch FileBytes.read(path, limit: limits.maxFileBytes) {
        case .success(let bytes):
            return load(bytes, file: path, limits: limits)
        case .failure(let error):
            return YAMLLoadResult(root: nil, errors: [error])
        }
    }

    /// The line and column of a byte offset, for errors libyaml reports as byte offsets.
    static func mark(ofByte offset: Int, in bytes: [UInt8]) -> SourceMark {
        var line = 1
        var column = 1
        var scalars = 0
        var index = 0
        let end = min(offset, bytes.count)
        while index < end {
            let byte = bytes[index]
            if byte & 0xC0 != 0x80 {
                scalars += 1
                if byte == 0x0A {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            }
            index += 1
        }
        return SourceMark(line: line, column: column, offset: scalars)
    }
}

/// Builds the node tree from libyaml events, one document, within the limits.
private struct Composer {
    /// A sequence or mapping still being built. The innermost one is held in
    /// `current`, outside the stack, so attaching a node mutates it in place.
    private struct Frame {
        enum KeyState {
            case expectingKey
            case expectingValue(YAMLKey)
            case discardingValue
        }

        let isMapping: Bool
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var keyState: KeyState = .expectingKey
        var keyIndex: [String: Int]? = nil
        let start: SourceMark
        let anchor: String?
        let tag: YAMLStandardTag?
        let nodeCountAtStart: Int

        init(isMapping: Bool, start: SourceMark, anchor: String?, tag: YAMLStandardTag?, nodeCountAtStart: Int) {
            self.isMapping = isMapping
            self.start = start
            self.anchor = anchor
            self.tag = tag
            self.nodeCountAtStart = nodeCountAtStart
        }

        /// Where a key was first written in this mapping, if it was.
        func firstIndex(ofKey name: String) -> Int? {
            if let keyIndex { return keyIndex[name] }
            return pairs.firstIndex { $0.key.name == name }
        }

        /// Adds an entry, switching to a hashed key index once the mapping grows past a few keys.
        mutating func append(_ pair: YAMLPair) {
            pairs.append(pair)
            if keyIndex != nil {
                keyIndex![pair.key.name] = pairs.count - 1
            } else if pairs.count > 8 {
                var index: [String: Int] = [:]
                for (offset, entry) in pairs.enumerated() { index[entry.key.name] = offset }
                keyIndex = index
            }
        }
    }

    let file: String
    let limits: YAMLLimits
    /// The enclosing containers of `current`, outermost first.
    private var frames: [Frame] = []
    /// The innermost open container, if any.
    private var current: Frame?
    private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    private var nodeCount = 0
    private var aliasCount = 0
    private var documentCount = 0
    private var root: YAMLNode?
    private var errors: [YAMLError] = []
    private var fatal = false

    init(file: String, limits: YAMLLimits) {
        self.file = file
        self.limits = limits
    }

    var result: YAMLLoadResult {
        if fatal { return YAMLLoadResult(root: nil, errors: errors) }
        guard let root else {
            return YAMLLoadResult(root: nil, errors: errors + [.emptyDocument(at: .startOf(file))])
        }
        if case .scalar(let scalar) = root.content, scalar.isNull {
            return YAMLLoadResult(root: nil, errors: errors + [.emptyDocument(at: root.range)])
        }
        if root.mapping == nil {
            return YAMLLoadResult(root: nil, errors: errors + [.rootNotMapping(found: root.kindDescription, at: root.range)])
        }
        return YAMLLoadResult(root: root, errors: errors)
    }

    mutating func run(_ buffer: UnsafeBufferPointer<UInt8>) {
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
            handle(event)
            yaml_event_delete(&event)
            if done { return }
        }
    }

    private mutating func fail(_ error: YAMLError) {
        errors.append(error)
        fatal = true
    }

    private func mark(_ mark: yaml_mark_t) -> SourceMark {
        SourceMark(line: Int(mark.line) + 1, column: Int(mark.column) + 1, offset: Int(mark.index))
    }

    private func range(_ event: yaml_event_t) -> SourceRange {
        SourceRange(file: file, start: mark(event.start_mark), end: mark(event.end_mark))
    }

    private func parserError(_ parser: yaml_parser_t, _ buffer: UnsafeBufferPointer<UInt8>) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        if parser.error == YAML_READER_ERROR {
            let bytes = Array(buffer)
            var offset = min(parser.problem_offset, bytes.count)
            guard problem.contains("UTF-8") else {
                return .syntax(problem: problem, context: nil, at: SourceRange(file: file, at: YAMLLoader.mark(ofByte: offset, in: bytes)))
            }
            if problem.contains("trailing"), offset > 0 {
                // libyaml points at the bad trailing byte; point at the sequence's leading byte instead.
                var leading = offset - 1
                while leading > 0, bytes[leading] & 0xC0 == 0x80 { leading -= 1 }
                if bytes[leading] >= 0xC0 { offset = leading }
            }
            return .invalidUTF8(at: SourceRange(file: file, at: YAMLLoader.mark(ofByte: offset, in: bytes)))
        }
        let context = parser.context.map { String(cString: $0) }
        return .syntax(problem: problem, context: context, at: SourceRange(file: file, at: mark(parser.problem_mark)))
    }

    private mutating func handle(_ event: yaml_event_t) {
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documentCount += 1
            if documentCount > 1 {
                fail(.multipleDocuments(at: range(event)))
            }
        case YAML_SCALAR_EVENT:
            scalar(event)
        case YAML_SEQUENCE_START_EVENT:
            let data = event.data.sequence_start
            open(isMapping: false, event: event, anchor: data.anchor, tag: data.tag)
        case YAML_MAPPING_START_EVENT:
            let data = event.data.mapping_start
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

    private mutating func countNodes(_ added: Int, at range: SourceRange) -> Bool {
        nodeCount += added
        if nodeCount > limits.maxNodes {
            fail(.tooManyNodes(limit: limits.maxNodes, at: range))
            return false
        }
        return true
    }

    private mutating func scalar(_ event: yaml_event_t) {
        let data = event.data.scalar
        let at = range(event)
        guard data.length <= limits.maxScalarBytes else {
            fail(.scalarTooLarge(bytes: data.length, limit: limits.maxScalarBytes, at: at))
            return
        }
        guard countNodes(1, at: at) else { return }
        let value = String(decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
        let style: YAMLScalarStyle
        switch data.style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: style = .literal
        case YAML_FOLDED_SCALAR_STYLE: style = .folded
        default: style = .plain
        }
        let tag = resolveTag(data.tag, at: at)
        let node = YAMLNode(content: .scalar(YAMLScalar(value: value, style: style)), range: at, tag: tag)
        if let anchor = string(data.anchor) {
            anchors[anchor] = (node, 1)
        }
        attach(node)
    }

    private mutating func open(isMapping: Bool, event: yaml_event_t, anchor: UnsafeMutablePointer<yaml_char_t>?, tag: UnsafeMutablePointer<yaml_char_t>?) {
        let at = range(event)
        guard depth < limits.maxDepth else {
            fail(.tooDeep(limit: limits.maxDepth, at: at))
            return
        }
        guard countNodes(1, at: at) else { return }
        if let open = current.take() { frames.append(open) }
        current = Frame(
            isMapping: isMapping,
            start: at.start,
            anchor: string(anchor),
            tag: resolveTag(tag, at: at),
            nodeCountAtStart: nodeCount
        )
    }

    private mutating func close(_ event: yaml_event_t) {
        guard let frame = current.take() else { return }
        current = frames.popLast()
        let at = SourceRange(file: file, start: frame.start, end: mark(event.end_mark))
        let node = YAMLNode(content: frame.isMapping ? .mapping(frame.pairs) : .sequence(frame.items), range: at, tag: frame.tag)
        if let anchor = frame.anchor {
            anchors[anchor] = (node, nodeCount - frame.nodeCountAtStart + 1)
        }
        attach(node)
    }

    private mutating func alias(_ event: yaml_event_t) {
        let at = range(event)
        let name = string(event.data.alias.anchor) ?? ""
        aliasCount += 1
        guard aliasCount <= limits.maxAliases else {
            fail(.tooManyAliases(limit: limits.maxAliases, at: at))
            return
        }
        guard let (node, size) = anchors[name] else {
            fail(.undefinedAlias(name: name, at: at))
            return
        }
        guard countNodes(size, at: at) else { return }
        attach(node)
    }

    private var depth: Int { frames.count + (current == nil ? 0 : 1) }

    private mutating func attach(_ node: YAMLNode) {
        guard current != nil else {
            root = node
            return
        }
        guard current!.isMapping else {
            current!.items.append(node)
            return
        }
        switch current!.keyState {
        case .expectingKey:
            guard case .scalar(let scalar) = node.content else {
                errors.append(.complexKey(at: node.range))
                current!.keyState = .discardingValue
                return
            }
            let key = YAMLKey(name: scalar.value, range: node.range)
            if let first = current!.firstIndex(ofKey: key.name) {
                errors.append(.duplicateKey(key: key.name, at: key.range, first: current!.pairs[first].key.range))
                current!.keyState = .discardingValue
            } else {
                current!.keyState = .expectingValue(key)
            }
        case .expectingValue(let key):
            current!.keyState = .expectingKey
            current!.append(YAMLPair(key: key, value: node))
        case .discardingValue:
            current!.keyState = .expectingKey
        }
    }
}

extension YAMLLoader {
    /// Reads and loads the file at `path`, also returning its text (empty when unreadable) for source excerpts.
    public static func loadWithText(path: String, limits: YAMLLimits = .standard) -> (YAMLLoadResult, String) {
        switch FileBytes.read(path, limit: limits.maxFileBytes) {
        case .success(let bytes):
            return (load(bytes, file: path, limits: limits), String(decoding: bytes, as: UTF8.self))
        case .failure(let error):
            return (YAMLLoadResult(root: nil, errors: [error]), "")
        }
    }
}

import CaseworkYAML

extension Diagnostic {
    /// The diagnostic for a problem the YAML layer found in `source`, the file's text; with the text,
    /// a syntax error the writer commonly makes gets a help line and a caret where the fix goes.
    public init(_ error: YAMLError, source: String = "") {
        switch error {
        case .unreadable(_, let reason):
            self.init(.unreadableFile(reason: reason), at: error.range)
        case .fileTooLarge(_, let bytes, let limit):
            self.init(.fileTooLarge(bytes: bytes, limit: limit), at: error.range)
        case .nulByte:
            self.init(.nulByte, at: error.range)
        case .invalidUTF8:
            self.init(.invalidUTF8, at: error.range)
        case .syntax(let problem, let context, let at):
            let advice = YAMLSyntaxHelp.advice(problem: problem, context: context, at: at, source: source)
            self.init(.yamlSyntax(problem: problem, context: context, help: advice?.help), at: advice?.at ?? at)
        case .emptyDocument:
            self.init(.emptyDocument, at: error.range)
        case .multipleDocuments:
            self.init(.multipleDocuments, at: error.range)
        case .rootNotMapping(let found, _):
            self.init(.rootNotMapping(found: found), at: error.range)
        case .duplicateKey(let key, _, let first):
            self.init(.duplicateKey(key: key), at: error.range, notes: [DiagnosticNote("first written here", at: first)])
        case .complexKey:
            self.init(.complexKey, at: error.range)
        case .unsupportedTag(let tag, _):
            self.init(.unsupportedTag(tag: tag), at: error.range)
        case .undefinedAlias(let name, _):
            self.init(.undefinedAlias(name: name), at: error.range)
        case .tooDeep(let limit, _):
            self.init(.nestingTooDeep(limit: limit), at: error.range)
        case .scalarTooLarge(let bytes, let limit, _):
            self.init(.scalarTooLarge(bytes: bytes, limit: limit), at: error.range)
        case .tooManyNodes(let limit, _):
            self.init(.tooManyNodes(limit: limit), at: error.range)
        case .tooManyAliases(let limit, _):
            self.init(.tooManyAliases(limit: limit), at: error.range)
        case .tooMuchExpandedText(let limit, _):
            self.init(.tooMuchExpandedText(limit: limit), at: error.range)
        }
    }
}

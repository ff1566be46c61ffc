import Foundation
import Testing
@testable import CaseworkCommandLine
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkScenarios
import CaseworkYAML

/// The documents keep true: every YAML example in them is checked as what its mark says it is
/// (`<!-- example: KIND -->` on the line before the fence; the convention is in `docs/reference/README.md`), every
/// `casework` command line and usage line names a command and options the command table has, and nothing links
/// to or names a file outside the repository.
@Suite("Reference documents: examples, command lines and links")
struct ReferenceDocExamplesTests {
    static let examples = ReferenceDocuments.documents.flatMap { document in
        ReferenceDocuments.blocks(of: document).filter { $0.language == "yaml" }.map(DocumentExample.init)
    }

    @Test func everyDocumentWithExamplesIsRead() {
        let documents = Set(Self.examples.map(\.document))
        #expect(documents.isSuperset(of: ["docs/reference/language.md", "docs/reference/scenarios.md", "docs/reference/policies.md"]))
        #expect(Self.examples.count >= 30)
    }

    @Test(arguments: examples)
    func exampleIsWhatItsMarkSays(_ example: DocumentExample) throws {
        let mark = try #require(example.mark, """
            mark the example on the line before its fence, <!-- example: KIND --> with KIND workflow, form, policy, calendar, \
            scenario, wrong CWnnnn, fragment or fragment of ID (docs/reference/README.md); found '\(example.before)'
            """)
        let loaded = YAMLLoader.load(Array(example.text.utf8), file: example.file)
        switch mark {
        case .definition(let kind):
            let root = try #require(loaded.root, "\(loaded.errors)")
            #expect(ShippedDefinitions.identity(of: root)?.kind == kind, "a '\(kind)' example has '\(kind):' at its top level")
            let diagnostics = ShippedDefinitions.validate(example)
            #expect(!diagnostics.contains { $0.severity == .error }, "\(diagnostics.map(\.description).joined(separator: "\n"))")
        case .wrong(let expected):
            let codes = Set(ShippedDefinitions.validate(example).map(\.code.rawValue))
            #expect(codes == expected, "a wrong example gives exactly \(expected.sorted()), found \(codes.sorted())")
        case .scenario:
            let root = try #require(loaded.root, "\(loaded.errors)")
            #expect(root.mapping?.contains { ["scenario", "scenarios"].contains($0.key.name) } == true)
            let report = ScenarioSuite.run(sources: [(example.file, example.text)], catalog: try ShippedDefinitions.catalog())
            #expect(!report.scenarios.isEmpty && report.scenarios.allSatisfy(\.passed))
            #expect(report.diagnostics.isEmpty, "\(report.diagnostics.map(\.description).joined(separator: "\n"))")
        case .fragment(let definition):
            let problems = loaded.errors.filter { if case .rootNotMapping = $0 { false } else { true } }
            #expect(problems.isEmpty, "a fragment reads as YAML: \(problems)")
            guard let definition else { return }
            let shipped = try #require(ShippedDefinitions.files.first { $0.id == definition }, "no shipped definition '\(definition)'")
            let fragment = try #require(loaded.root ?? FragmentMatch.sequenceRoot(example.text), "\(loaded.errors)")
            let whole = try #require(YAMLLoader.load(Array(shipped.text.utf8), file: shipped.file).root)
            #expect(FragmentMatch.appears(fragment, in: whole), "the fragment is not what \(shipped.file) says")
        }
    }

    /// `casework …` in shell blocks and after `$ ` in output blocks: a command of the table, taking those options;
    /// refused when its block is marked `<!-- example: usage error -->`.
    @Test(arguments: ReferenceDocuments.commandLines)
    func commandLineIsAccepted(_ line: DocumentLine) throws {
        let parse = { () throws(UsageError) in
            let resolved = try CommandTable.resolve(Array(line.words.dropFirst()))
            _ = try ParsedArguments(resolved.rest, spec: resolved.command.spec)
        }
        if line.refused {
            #expect(throws: UsageError.self) { try parse() }
        } else {
            try parse()
        }
    }

    /// A usage line in a code span (`casework case fire CASE TRANSITION [--set FIELD=VALUE]...`, or in a table of
    /// commands without `casework`): its command words name commands, each option is one they take, and one
    /// that names `--as` names `--attribute` too when the command takes it.
    @Test(arguments: ReferenceDocuments.usageLines)
    func usageLineNamesWhatTheCommandTakes(_ line: DocumentLine) throws {
        let commands = try #require(ReferenceDocuments.commands(named: line.words), "no command '\(line.words.prefix(3).joined(separator: " "))'")
        let options = Set(line.words.flatMap { $0.matches(of: /--[a-z][a-z-]*/).map { String($0.output) } })
        for option in options {
            #expect(commands.contains { $0.spec.valued.contains(option) || $0.spec.flags.contains(option) }, "no command here takes \(option)")
        }
        let placeholders = line.words.contains { $0.contains(/[A-Z]{2,}/) }
        if placeholders, options.contains("--as") {
            let taking = commands.filter { $0.options.contains { $0.name == "--attribute" } }
            #expect(taking.isEmpty || options.contains("--attribute"), "\(taking.map(\.name)) also take --attribute NAME=VALUE")
        }
    }

    /// Every diagnostic code a document names is one the validator has.
    @Test(arguments: ReferenceDocuments.documents)
    func everyCodeNamedIsACode(_ document: String) {
        let codes = Set(DiagnosticKind.allCodes.map(\.rawValue))
        for match in ReferenceDocuments.text(of: document).matches(of: /CW[0-9]{4}/) {
            #expect(codes.contains(String(match.output)), "\(document) names \(match.output), which is no code")
        }
    }

    /// `cli.md` describes every command: each one the table declares has a usage line there of its own (a group's,
    /// such as `casework case ...`, does not count for its members).
    @Test func everyCommandHasAUsageLineInTheCLIReference() {
        func leaves(_ commands: [CommandDeclaration]) -> [CommandDeclaration] {
            commands.flatMap { $0.subcommands.isEmpty ? [$0] : leaves($0.subcommands) }
        }
        let described = Set(ReferenceDocuments.usageLines.filter { $0.document == "docs/reference/cli.md" }
            .flatMap { ReferenceDocuments.commands(named: $0.words) ?? [] }.map(\.name))
        for command in leaves(CommandTable.commands) {
            #expect(described.contains(command.name), "docs/reference/cli.md has no usage line for 'casework \(command.name)'")
        }
    }

    /// No link or path that leads out of the repository, or into it where nothing is.
    @Test(arguments: ReferenceDocuments.linkedFiles)
    func referencesStayInsideTheRepository(_ file: String) throws {
        let text = try String(contentsOf: ReferenceDocuments.root.appendingPathComponent(file), encoding: .utf8)
        for outside in ["../shared", "DESIGN.md", "DOMAIN.md", "seeds/"] {
            #expect(!text.contains(outside), "\(file) names \(outside), which is not in the repository")
        }
        let directory = ReferenceDocuments.root.appendingPathComponent(file).deletingLastPathComponent()
        var relative = text.matches(of: /\]\(([^)\s#]*)(?:#([^)\s]*))?\)/).map { (String($0.output.1), $0.output.2.map(String.init)) }
            .filter { !$0.0.contains(":") }
        if file.hasSuffix(".yaml") { relative += text.matches(of: /\$schema=(\S+)/).map { (String($0.output.1), nil) } }
        var anchors: [URL: Set<String>] = [:]
        for (target, anchor) in relative {
            let url = target.isEmpty ? ReferenceDocuments.root.appendingPathComponent(file) : directory.appendingPathComponent(target).standardizedFileURL
            #expect(url.path.hasPrefix(ReferenceDocuments.root.standardizedFileURL.path + "/"), "\(file) links outside the repository: \(target)")
            #expect(FileManager.default.fileExists(atPath: url.path), "\(file) links to \(target), which does not exist")
            if let anchor, url.pathExtension == "md", let linked = try? String(contentsOf: url, encoding: .utf8) {
                if anchors[url] == nil { anchors[url] = ReferenceDocuments.anchors(of: linked) }
                #expect(anchors[url]?.contains(anchor) == true, "\(file) links to \(target)#\(anchor), a heading that does not exist")
            }
        }
        let top = "Sources|Tests|docs|Workflows|Policies|Examples|\\.ci"
        for match in text.matches(of: try Regex("`((?:\(top))/[A-Za-z0-9_./+-]*)`")) {
            let path = String(match.output[1].substring ?? "")
            #expect(FileManager.default.fileExists(atPath: ReferenceDocuments.root.appendingPathComponent(path).path),
                    "\(file) names \(path), which does not exist")
        }
    }
}

/// What the line before an example's fence says it is.
enum ExampleMark: Equatable, Sendable {
    /// A whole definition of this kind: it validates with the shipped definitions, with no error.
    case definition(String)
    /// A whole scenario file: it is checked and run on the shipped definitions, and passes.
    case scenario
    /// A definition, or a definition file, shown wrong on purpose: validating it gives exactly these codes.
    case wrong(Set<String>)
    /// Part of a file (some keys, a transition, a file with parts left out as `# ...`) or a file of another kind
    /// (a migration map): it reads as YAML. With a shipped definition's id (`fragment of ehcp-needs-assessment`),
    /// it is also part of that definition: each key, item and value is there, a value ending `...` begins the
    /// shipped one, and `...` or nothing stands for anything.
    case fragment(of: String?)

    /// Reads `<!-- example: KIND -->`; nil for any other line.
    init?(line: String) {
        guard let match = line.wholeMatch(of: /\s*<!-- example: (.+?) -->\s*/) else { return nil }
        let words = match.output.1.split(separator: " ").map(String.init)
        switch (words.first, words.count) {
        case (let kind?, 1) where ["workflow", "form", "policy", "calendar", "child"].contains(kind): self = .definition(kind)
        case ("scenario", 1): self = .scenario
        case ("fragment", 1): self = .fragment(of: nil)
        case ("fragment", 3) where words[1] == "of": self = .fragment(of: words[2])
        case ("wrong", 2...) where words.dropFirst().allSatisfy({ $0.wholeMatch(of: /CW[0-9]{4}/) != nil }): self = .wrong(Set(words.dropFirst()))
        default: return nil
        }
    }
}

/// One ```yaml block of a document, with its mark.
struct DocumentExample: Sendable, CustomTestStringConvertible {
    var document: String
    var line: Int
    var text: String
    var before: String
    var mark: ExampleMark?

    init(_ block: FencedBlock) {
        document = block.document
        line = block.line
        text = block.lines.joined(separator: "\n") + "\n"
        before = block.before
        mark = ExampleMark(line: block.before)
    }

    /// The name its diagnostics carry.
    var file: String { "\(document):\(line).yaml" }
    var testDescription: String { "\(document):\(line)" }
}

/// One fenced block of a document, its lines without the fence's indentation.
struct FencedBlock: Sendable {
    var document: String
    var language: String
    /// The fence's line, 1-based.
    var line: Int
    var lines: [String]
    /// The line before the fence, where a mark goes.
    var before: String
}

/// A command line or usage line found in a document, as words.
struct DocumentLine: Sendable, CustomTestStringConvertible {
    var document: String
    var line: Int
    var words: [String]
    /// Whether the document shows it refused on purpose.
    var refused = false
    var testDescription: String { "\(document):\(line): \(words.joined(separator: " "))" }
}

/// The documents of the repository and what is read from them.
enum ReferenceDocuments {
    static let root = RepositoryPaths.root

    /// README.md, ARCHITECTURE.md and every Markdown file under docs/, repository-relative, except the generated
    /// ones (`diagnostics.md`, `commands.md`), which the tests that generate them keep true.
    static let documents: [String] = markdown.filter { !text(of: $0).prefix(400).contains("<!-- Generated from") }

    static let markdown: [String] = ["README.md", "ARCHITECTURE.md"] + files(under: "docs").filter { $0.hasSuffix(".md") }

    /// Every file a link check reads: the Markdown documents and every file under Workflows/ and Policies/.
    static let linkedFiles: [String] = markdown + files(under: "Workflows") + files(under: "Policies")

    static func files(under folder: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root.appendingPathComponent(folder).path)
        return (enumerator?.allObjects as? [String] ?? []).map { "\(folder)/\($0)" }
            .filter { !FileManager.default.isDirectory(root.appendingPathComponent($0).path) }.sorted()
    }

    static func text(of document: String) -> String {
        (try? String(contentsOf: root.appendingPathComponent(document), encoding: .utf8)) ?? ""
    }

    /// The fenced blocks of `document`, in order.
    static func blocks(of document: String) -> [FencedBlock] {
        let lines = text(of: document).components(separatedBy: "\n")
        var blocks: [FencedBlock] = []
        var open: (block: FencedBlock, indent: Int)?
        for (index, line) in lines.enumerated() {
            if let (block, indent) = open {
                if line.wholeMatch(of: /\s*```\s*/) != nil {
                    blocks.append(block)
                    open = nil
                } else {
                    open?.block.lines.append(String(line.dropFirst(min(indent, line.prefix { $0 == " " }.count))))
                }
            } else if let fence = line.wholeMatch(of: /( *)```([A-Za-z0-9_-]*)\s*/) {
                let before = index > 0 ? lines[index - 1] : ""
                open = (FencedBlock(document: document, language: String(fence.output.2), line: index + 1, lines: [], before: before),
                        fence.output.1.count)
            }
        }
        return blocks
    }

    /// `casework` command lines: in ```sh blocks (continued lines joined, `$NAME` expanded from the block's own
    /// `NAME="..."` lines, cut at a pipe or a redirection), and after `$ ` in other blocks.
    static let commandLines: [DocumentLine] = documents.flatMap { document in
        blocks(of: document).flatMap { block -> [DocumentLine] in
            var variables: [String: [String]] = [:]
            var found: [DocumentLine] = []
            var logical = ""
            for (offset, line) in block.lines.enumerated() {
                if line.hasSuffix("\\") {
                    logical += line.dropLast() + " "
                    continue
                }
                logical += line
                defer { logical = "" }
                if block.language == "sh", let assignment = logical.wholeMatch(of: /([A-Z_]+)="([^"]*)"/) {
                    variables[String(assignment.output.1)] = words(String(assignment.output.2))
                    continue
                }
                let command = block.language == "sh" ? logical : logical.hasPrefix("$ ") ? String(logical.dropFirst(2)) : ""
                var split = words(command).prefix { !["|", ">", "&&", ";", "2>"].contains($0) }.flatMap { word in
                    word.hasPrefix("$") ? variables[String(word.dropFirst()), default: [word]] : [word]
                }
                guard let start = split.indices.first(where: { split[$0] == "casework" && ($0 == 0 || split[$0 - 1] == "run") }) else { continue }
                split.removeSubrange(..<start)
                found.append(DocumentLine(document: document, line: block.line + offset + 1, words: split,
                                          refused: block.before.contains("<!-- example: usage error -->")))
            }
            return found
        }
    }

    /// The documents that record what was built and measured rather than teach what to type: ARCHITECTURE.md names
    /// commands still to come, and docs/performance.md commands as they stood when each figure was made.
    static let records: Set<String> = ["ARCHITECTURE.md", "docs/performance.md"]

    /// Usage lines: code spans that begin `casework COMMAND` in any document but the ``records``, and the first column
    /// of a table whose first heading is `command`.
    static let usageLines: [DocumentLine] = documents.filter { !records.contains($0) }.flatMap { document in
        var inCommandTable = false
        var previous = ""
        var found: [DocumentLine] = []
        for (index, line) in text(of: document).components(separatedBy: "\n").enumerated() {
            defer { previous = line }
            if line.hasPrefix("|") && !previous.hasPrefix("|") { inCommandTable = line.hasPrefix("| command |") }
            if !line.hasPrefix("|") { inCommandTable = false }
            var spans = line.matches(of: /`casework ([a-z][^`]*)`/).map { String($0.output.1) }
            if inCommandTable, let first = line.wholeMatch(of: /\| `([a-z][^`]*)` \|.*/) { spans.append(String(first.output.1)) }
            for span in spans {
                found.append(DocumentLine(document: document, line: index + 1, words: words(span.replacingOccurrences(of: "\\|", with: "|"))))
            }
        }
        return found
    }

    /// The commands a usage line's leading words name: `case show|history` is two; nil when a word names none.
    static func commands(named words: [String]) -> [CommandDeclaration]? {
        var found: [CommandDeclaration] = []
        for word in words where word.wholeMatch(of: /[a-z][a-z0-9|-]*/) != nil {
            let choices = found.isEmpty ? CommandTable.commands : found.flatMap(\.subcommands)
            if !found.isEmpty && choices.isEmpty { break }
            let names = word.split(separator: "|")
            let named = names.compactMap { name in choices.first { $0.path.last == String(name) } }
            guard named.count == names.count, !named.isEmpty else { return nil }
            found = named
        }
        return found.isEmpty ? nil : found
    }

    /// The anchors GitHub gives a Markdown text's headings: lower case, spaces as `-`, other marks dropped, and
    /// `-1`, `-2` after a heading met before.
    static func anchors(of markdown: String) -> Set<String> {
        var seen: [String: Int] = [:]
        var anchors = Set<String>()
        var fenced = false
        for line in markdown.components(separatedBy: "\n") {
            if line.wholeMatch(of: /\s*```.*/) != nil { fenced.toggle() }
            guard !fenced, let heading = line.wholeMatch(of: /#{1,6} (.+)/) else { continue }
            let slug = String(heading.output.1.lowercased().compactMap { character -> Character? in
                character == " " ? "-" : character.isLetter || character.isNumber || character == "-" || character == "_" ? character : nil
            })
            let count = seen[slug, default: 0]
            seen[slug] = count + 1
            anchors.insert(count == 0 ? slug : "\(slug)-\(count)")
        }
        return anchors
    }

    /// Splits a command line into words, keeping double-quoted text as one word.
    static func words(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        for character in line {
            if character == "\"" {
                quoted.toggle()
            } else if character == " " && !quoted {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}

/// The shipped definitions, beside which each example is checked.
enum ShippedDefinitions {
    static let paths = ["Workflows", "Policies"].map { RepositoryPaths.root.appendingPathComponent($0).path }

    /// Each shipped definition file with its text and the id it declares.
    static let files: [(file: String, text: String, id: String?)] = ((try? DefinitionFiles.discover(paths)) ?? []).map { file in
        let (loaded, text) = YAMLLoader.loadWithText(path: file)
        return (file, text, loaded.root.flatMap(identity)?.id)
    }

    static func catalog() throws -> DefinitionCatalog { try DefinitionCatalog.load(paths: paths) }

    /// The kind and id of a definition's root, read as the decoder chooses the kind.
    static func identity(of root: YAMLNode) -> (kind: String, id: String)? {
        let pairs = root.mapping ?? []
        for kind in ["workflow", "form", "policy", "calendar", "child"] {
            if let pair = pairs.first(where: { $0.key.name == kind }) { return (kind, pair.value.scalar?.value ?? "") }
        }
        return nil
    }

    /// The example's own diagnostics when it is validated with the shipped definitions; a shipped definition with
    /// the example's id is left out, since the example stands for it.
    static func validate(_ example: DocumentExample) -> [Diagnostic] {
        let id = YAMLLoader.load(Array(example.text.utf8), file: example.file).root.flatMap(identity)?.id
        let others = files.filter { id == nil || $0.id != id }.map { ($0.file, $0.text) }
        let report = Validator.validate(sources: [(example.file, example.text)] + others)
        return report.diagnostics.filter { $0.range.file == example.file }
    }
}

/// Whether a fragment of YAML is part of a whole file.
enum FragmentMatch {
    /// A fragment whose top level is a list (`  - name: ...`), read as the list it is.
    static func sequenceRoot(_ text: String) -> YAMLNode? {
        YAMLLoader.load(Array("items:\n\(text)".utf8), file: "fragment.yaml").root?.mapping?.first?.value
    }

    /// Whether `fragment` is part of `whole` or of any node inside it.
    static func appears(_ fragment: YAMLNode, in whole: YAMLNode) -> Bool {
        if isPart(fragment, of: whole) { return true }
        let children = whole.sequence ?? whole.mapping?.map(\.value) ?? []
        return children.contains { appears(fragment, in: $0) }
    }

    /// Mappings by key, lists item by item in any order, text with its spacing folded.
    static func isPart(_ fragment: YAMLNode, of whole: YAMLNode) -> Bool {
        switch fragment.content {
        case .scalar(let scalar):
            let words = scalar.value.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            if scalar.isNull || words == "..." { return true }
            guard let value = whole.scalar?.value.split(whereSeparator: \.isWhitespace).joined(separator: " ") else { return false }
            return words.hasSuffix("...") ? value.hasPrefix(words.dropLast(3).trimmingCharacters(in: .whitespaces)) : value == words
        case .sequence(let items):
            guard let wholeItems = whole.sequence else { return false }
            return items.allSatisfy { item in wholeItems.contains { isPart(item, of: $0) } }
        case .mapping(let pairs):
            guard let wholePairs = whole.mapping else { return false }
            return pairs.allSatisfy { pair in wholePairs.contains { $0.key.name == pair.key.name && isPart(pair.value, of: $0.value) } }
        }
    }
}

extension FileManager {
    fileprivate func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }
}

import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkStore
import CaseworkYAML
import Foundation

/// `casework document add|list|show|get|withdraw`: a case's documents through the engine's door (``Engine/addDocument(caseID:_:as:attributes:expectedRevision:)``,
/// ``Engine/documents(caseID:as:attributes:)``, ``Engine/document(caseID:kind:version:as:attributes:)``,
/// ``Engine/documentContent(caseID:kind:version:section:as:attributes:)``,
/// ``Engine/withdrawDocument(caseID:kind:reason:as:attributes:expectedRevision:)``), each part shown or named as withheld.
enum DocumentCommand {
    /// The media type a file's extension stands for when `--type` is not given.
    static let typesByExtension = [
        "pdf": "application/pdf", "md": "text/markdown", "txt": "text/plain", "html": "text/html", "json": "application/json",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
    ]

    /// Runs `document SUBCOMMAND` with the arguments after it, parsed by the subcommand's entry in the ``CommandTable``.
    static func run(_ subcommand: String, _ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["document", subcommand].spec)
        let options = try EngineOptions(parsed)
        if options.create, subcommand != "add" {
            throw UsageError("--create is for commands that change cases; 'document \(subcommand)' only reads", help: "leave out --create")
        }
        switch subcommand {
        case "add": return try add(parsed, options, console)
        case "list": return try list(parsed, options, console)
        case "show": return try show(parsed, options, console)
        case "get": return try get(parsed, options, console)
        case "withdraw": return try withdraw(parsed, options, console)
        default: throw CommandTable.unknown(subcommand, in: CommandTable["document"])
        }
    }

    private static func add(_ parsed: ParsedArguments, _ options: EngineOptions, _ console: some Console) throws(UsageError) -> ExitStatus {
        let words = try CaseCommand.positionals(parsed, ["CASE", "KIND", "FILE"])
        let (caseID, kind, file) = (words[0], words[1], words[2])
        let named = URL(fileURLWithPath: file).pathExtension.lowercased()
        guard let mediaType = try parsed.single("--type") ?? typesByExtension[named] else {
            throw UsageError("no media type for '\(TerminalText.escape(file))'", help: "say which with --type, such as --type application/pdf")
        }
        let section = try parsed.single("--section")
        let reason = try parsed.single("--reason")
        let sharedWith = parsed.values["--share-with"]
        return EngineRun.run(console: console) { () throws(EngineError) in
            let bytes: [UInt8]
            switch FileBytes.read(file, limit: DocumentKindDefinition.largestMaxBytes) {
            case .success(let read): bytes = read
            case .failure(.fileTooLarge(_, let size, let limit)):
                throw .invalidInput([InputProblem(field: "file", message: "'\(file)' is \(size) bytes, over the largest a document may be (\(limit) bytes)")])
            case .failure(let error): throw .invalidInput([InputProblem(field: "file", message: "'\(file)' cannot be read: \(error)")])
            }
            let engine = try options.engine()
            let added = try engine.addDocument(caseID: caseID, DocumentUpload(kind: kind, section: section, mediaType: mediaType, bytes: bytes, reason: reason,
                                                                                sharedWith: sharedWith),
                                               as: options.actor, attributes: try options.attributes(in: engine.catalog))
            console.out(options.format == .json ? JSONOutput.render(json(added)) : text(added))
            return .success
        }
    }

    private static func list(_ parsed: ParsedArguments, _ options: EngineOptions, _ console: some Console) throws(UsageError) -> ExitStatus {
        let caseID = try CaseCommand.positionals(parsed, ["CASE"])[0]
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.reader()
            let documents = try engine.documents(caseID: caseID, as: options.actor, attributes: try options.attributes(in: engine.catalog))
            if options.format == .json {
                console.out(JSONOutput.render(documents.map(json)))
            } else if documents.isEmpty {
                console.out("No documents you may see on case \(TerminalText.escape(caseID)).\n")
            } else {
                for document in documents {
                    let parts = document.isWithdrawal
                        ? "withdrawn"
                        : document.parts.map { ($0.section ?? "whole") + ($0.withheld ? " (withheld)" : "") }.joined(separator: ", ")
                    console.out(TerminalText.escape("\(document.kind)  \(document.title)  version \(document.version)  \(document.mediaType)  \(JSONOutput.iso(document.at))  \(parts)") + "\n")
                }
            }
            return .success
        }
    }

    private static func show(_ parsed: ParsedArguments, _ options: EngineOptions, _ console: some Console) throws(UsageError) -> ExitStatus {
        let words = try CaseCommand.positionals(parsed, ["CASE", "KIND"])
        let version = try versionNumber(parsed)
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.reader()
            let document = try engine.document(caseID: words[0], kind: words[1], version: version, as: options.actor,
                                               attributes: try options.attributes(in: engine.catalog))
            console.out(options.format == .json ? JSONOutput.render(json(document)) : text(document))
            return .success
        }
    }

    private static func get(_ parsed: ParsedArguments, _ options: EngineOptions, _ console: some Console) throws(UsageError) -> ExitStatus {
        let words = try CaseCommand.positionals(parsed, ["CASE", "KIND"])
        let version = try versionNumber(parsed)
        let section = try parsed.single("--section")
        guard let out = try parsed.single("--out") else { throw UsageError("say where to write the document with --out FILE") }
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.reader()
            let bytes = try engine.documentContent(caseID: words[0], kind: words[1], version: version, section: section, as: options.actor,
                                                   attributes: try options.attributes(in: engine.catalog))
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: out), options: .atomic)
            } catch {
                throw .invalidInput([InputProblem(field: "out", message: "'\(out)' cannot be written: \(error.localizedDescription)")])
            }
            let what = section.map { "section \($0)" } ?? "the document"
            console.out(options.format == .json
                ? JSONOutput.render(["file": out, "bytes": bytes.count, "sha256": SHA256.hex(bytes), "section": section ?? NSNull()] as [String: Any])
                : TerminalText.escape("wrote \(what) (\(bytes.count) bytes) to \(out)") + "\n")
            return .success
        }
    }

    private static func withdraw(_ parsed: ParsedArguments, _ options: EngineOptions, _ console: some Console) throws(UsageError) -> ExitStatus {
        let words = try CaseCommand.positionals(parsed, ["CASE", "KIND"])
        guard let reason = try parsed.single("--reason") else { throw UsageError("say why the document is withdrawn with --reason TEXT") }
        var expected: Int?
        if let text = try parsed.single("--expect-revision") {
            guard let revision = Int(text), revision >= 1 else { throw UsageError("--expect-revision needs a whole number of 1 or more, found '\(TerminalText.escape(text))'") }
            expected = revision
        }
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.engine()
            let withdrawn = try engine.withdrawDocument(caseID: words[0], kind: words[1], reason: reason, as: options.actor,
                                                        attributes: try options.attributes(in: engine.catalog), expectedRevision: expected)
            console.out(options.format == .json ? JSONOutput.render(json(withdrawn)) : text(withdrawn))
            return .success
        }
    }

    /// `--version N`, a whole number from 1, or nil for the latest.
    private static func versionNumber(_ parsed: ParsedArguments) throws(UsageError) -> Int? {
        guard let text = try parsed.single("--version") else { return nil }
        guard let number = Int(text), number >= 1 else { throw UsageError("'\(TerminalText.escape(text))' is not a version", help: "versions are numbered from 1") }
        return number
    }

    /// A version as JSON with the fixed keys documented in `docs/reference/cli.md`; a withheld part has `withheld: true`
    /// and neither `sha256` nor `bytes`. `withdrawn` says whether the document is withdrawn (its latest version withdraws
    /// it), `withdrawn_in` by which version (null while current); the withdrawal itself has no parts.
    static func json(_ document: DocumentView) -> [String: Any] {
        [
            "case": document.caseID, "kind": document.kind, "title": document.title, "version": document.version, "media_type": document.mediaType,
            "bytes": document.bytes ?? NSNull(), "added_by_role": document.addedByRole, "added_by": document.addedBy ?? NSNull(),
            "at": JSONOutput.iso(document.at), "reason": document.reason ?? NSNull(), "shared_with": document.sharedWith ?? NSNull(),
            "withdrawn": document.withdrawnIn != nil, "withdrawn_in": document.withdrawnIn ?? NSNull(),
            "parts": document.parts.map { part -> [String: Any] in
                var entry: [String: Any] = ["section": part.section ?? NSNull(), "withheld": part.withheld]
                if let hash = part.sha256, let bytes = part.bytes {
                    entry["sha256"] = hash
                    entry["bytes"] = bytes
                }
                return entry
            },
        ]
    }

    /// A version in plain words, every piece of stored text escaped for the terminal.
    static func text(_ document: DocumentView) -> String {
        func line(_ text: String) -> String { TerminalText.escape(text) + "\n" }
        var output = line("\(document.title) (\(document.kind)) of case \(document.caseID), version \(document.version)")
        if document.isWithdrawal {
            output += line("  withdrawn: \(JSONOutput.iso(document.at)) by \(document.addedBy ?? "a \(document.addedByRole)"); it holds no content")
        } else {
            if let withdrawnIn = document.withdrawnIn { output += line("  withdrawn by version \(withdrawnIn): not the current document") }
            output += line("  type: \(document.mediaType)" + (document.bytes.map { ", \($0) bytes" } ?? ""))
            output += line("  added: \(JSONOutput.iso(document.at)) by \(document.addedBy ?? "a \(document.addedByRole)")")
        }
        if let reason = document.reason { output += line("  reason: \(reason)") }
        if let shared = document.sharedWith { output += line("  given to: " + (shared.isEmpty ? "no organisation" : shared.joined(separator: ", "))) }
        for part in document.parts {
            let name = part.section.map { "section \($0)" } ?? "whole document"
            output += line(part.sha256.map { "  \(name): \(part.bytes ?? 0) bytes, sha256 \($0)" } ?? "  \(name): withheld")
        }
        return output
    }
}

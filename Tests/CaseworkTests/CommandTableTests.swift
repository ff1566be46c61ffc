import Foundation
import Testing
import Casework
@testable import CaseworkCommandLine

@Suite("casework: the command table, help and version")
struct CommandTableTests {
    /// Every command and subcommand in the table, groups before their members.
    static let everyCommand: [CommandDeclaration] = {
        func flatten(_ commands: [CommandDeclaration]) -> [CommandDeclaration] { commands.flatMap { [$0] + flatten($0.subcommands) } }
        return flatten(CommandTable.commands)
    }()

    /// The golden files of help text, beside the command line that prints them.
    static let goldenHelp: [(arguments: [String], file: String)] = [
        (["--help"], "help.txt"),
        (["case", "fire", "--help"], "case-fire.help.txt"),
        (["audit", "verify", "--help"], "audit-verify.help.txt"),
    ]

    @Test(arguments: everyCommand)
    func helpExitsZeroAndStartsWithTheUsageLine(_ command: CommandDeclaration) {
        let help = runCasework(command.path + ["--help"])
        #expect(help.status == .success)
        #expect(help.err.isEmpty)
        #expect(help.out.hasPrefix("usage: \(command.usage)\n\n"), "\(help.out)")
        #expect(help.out == command.help)
        #expect(runCasework(command.path + ["-h"]).out == help.out)
        let viaHelp = runCasework(["help"] + command.path)
        #expect(viaHelp.status == .success && viaHelp.out == help.out)
    }

    @Test(arguments: everyCommand)
    func declarationIsWellFormed(_ command: CommandDeclaration) {
        #expect(command.summary.first?.isLowercase == true && !command.summary.hasSuffix("."), "\(command.summary)")
        #expect(Set(command.subcommands.map(\.path)).count == command.subcommands.count)
        #expect(command.subcommands.allSatisfy { $0.path.dropLast() == command.path[...] })
        let names = command.options.map(\.name)
        #expect(Set(names).count == names.count, "an option is declared twice: \(names)")
        #expect(command.options.allSatisfy { $0.name.hasPrefix("--") && ($0.hidden == $0.help.isEmpty) })
        #expect(command.subcommands.isEmpty ? !command.examples.isEmpty : command.options.isEmpty)
        #expect(command.examples.count <= 2)
    }

    /// Each example names its own command and is a command line that command's parser accepts.
    @Test(arguments: everyCommand.filter { !$0.examples.isEmpty })
    func examplesParse(_ command: CommandDeclaration) throws {
        for example in command.examples {
            let words = Self.words(example)
            #expect(words.first == "casework")
            let resolved = try CommandTable.resolve(Array(words.dropFirst()))
            #expect(resolved.command.path == command.path, "\(example)")
            let parsed = try ParsedArguments(resolved.rest, spec: command.spec)
            let required = command.arguments.filter { !$0.optional }.count
            #expect(parsed.positionals.count >= required, "\(example)")
            if !command.arguments.contains(where: \.repeatable) { #expect(parsed.positionals.count <= command.arguments.count, "\(example)") }
            for option in command.options where option.required { #expect(parsed.values[option.name] != nil, "\(example) lacks \(option.name)") }
        }
    }

    /// Every command the table declares reaches code that runs it: on a store and definitions that do not exist
    /// it ends as a command does, never as a group asking which command was meant (or a crash).
    @Test(arguments: everyCommand.filter { $0.subcommands.isEmpty })
    func everyCommandIsRun(_ command: CommandDeclaration) {
        let declared = Set(command.options.map(\.name))
        let missing = ["--definitions": "/no/such/definitions", "--db": "/no/such/cases.sqlite"].filter { declared.contains($0.key) }
        let result = runCasework(command.path + missing.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] })
        #expect(!result.err.contains("say which"), "\(result.err)")
        #expect(!FileManager.default.fileExists(atPath: "/no/such/cases.sqlite"))
    }

    @Test(arguments: goldenHelp.indices)
    func helpMatchesItsGoldenFile(_ index: Int) throws {
        let (arguments, file) = Self.goldenHelp[index]
        let result = runCasework(arguments)
        #expect(result.status == .success)
        try GoldenFiles.check(result.out, against: RepositoryPaths.fixtures.appendingPathComponent("cli/\(file)"))
    }

    @Test(arguments: [["--version"], ["version"]])
    func versionNamesTheToolAndTheDefinitionLanguage(_ arguments: [String]) {
        let result = runCasework(arguments)
        #expect(result.status == .success)
        #expect(result.out == "casework \(CaseworkVersion.tool) (definition language \(CaseworkVersion.definitionLanguage))\n")
        #expect(result.out.wholeMatch(of: /casework [0-9]+\.[0-9]+\.[0-9]+ \(definition language [0-9]+\)\n/) != nil)
    }

    @Test(arguments: [
        (["audit", "verfy"], "error: unknown audit command 'verfy'\n  help: did you mean 'verify'?\n  usage: casework audit verify|checkpoint ...\n"),
        (["store", "chek"], "error: unknown store command 'chek'\n  help: did you mean 'check'?\n  usage: casework store check|copy ...\n"),
        (["deadline", "paus", "c1", "decide"], "error: unknown deadline command 'paus'\n  help: did you mean 'pause'?\n  usage: casework deadline pause|resume|excuse ...\n"),
        (["help", "case", "fier"], "error: unknown case command 'fier'\n  help: did you mean 'fire'?\n  usage: casework help [COMMAND ...]\n"),
        (["verison"], "error: unknown command 'verison'\n  help: did you mean 'version'?\n  usage: casework <command> [options]; see 'casework help'\n"),
        (["case", "fire", "c1", "agree", "--expect-revison", "2"], "error: unknown option '--expect-revison'\n  help: did you mean '--expect-revision'?\n  usage: \(CommandTable["case", "fire"].usage)\n"),
        (["case"], "error: say which case command\n  help: see 'casework help case'\n  usage: casework case open|fire|show|history|timeline|transitions|list|participant|migrate ...\n"),
        (["version", "now"], "error: version takes no arguments\n  usage: casework version\n"),
    ])
    func misspeltNamesGetADidYouMean(arguments: [String], expected: String) {
        let result = runCasework(arguments)
        #expect(result.status == .usage)
        #expect(result.out.isEmpty)
        #expect(result.err == expected)
    }

    @Test func referenceDocumentIsUpToDate() throws {
        try GoldenFiles.check(CommandTable.markdown(), against: GoldenFiles.repositoryRoot.appendingPathComponent("docs/reference/commands.md"))
    }

    @Test func referenceDocumentHasOneSectionPerCommand() {
        let markdown = CommandTable.markdown()
        for command in Self.everyCommand {
            #expect(markdown.components(separatedBy: "\n## `casework \(command.name)`\n").count == 2, "\(command.name)")
        }
    }

    /// Splits an example as a shell would, for the simple quoting examples use: `"two words"` is one word.
    static func words(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var started = false
        for character in line {
            if character == "\"" {
                quoted.toggle()
                started = true
            } else if character == " ", !quoted {
                if started { words.append(current) }
                current = ""
                started = false
            } else {
                current.append(character)
                started = true
            }
        }
        if started { words.append(current) }
        return words
    }
}

extension CommandDeclaration: CustomTestStringConvertible {
    /// The command's words, so test results name it briefly.
    public var testDescription: String { name }
}

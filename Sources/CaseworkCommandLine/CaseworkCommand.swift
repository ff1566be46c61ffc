import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime

/// The `casework` command: finds the command in the ``CommandTable``, prints its help when asked, runs it,
/// and turns usage errors into text and exit status 2.
public enum CaseworkCommand {
    /// Runs `casework` with `arguments` (without the program name) and returns the exit status.
    public static func run(_ arguments: [String], console: some Console) -> ExitStatus {
        guard let first = arguments.first else {
            console.err(CommandTable.overview)
            return .usage
        }
        switch first {
        case "--help", "-h":
            console.out(CommandTable.overview)
            return .success
        case "--version":
            console.out(CaseworkVersion.description + "\n")
            return .success
        default:
            break
        }
        // The usage line a usage error repeats: the command's, once known, or its group's.
        var command = CommandTable.command([first])
        do throws(UsageError) {
            let resolved = try CommandTable.resolve(arguments)
            command = resolved.command
            let rest = resolved.rest
            if try ParsedArguments(rest, spec: resolved.command.spec).wantsHelp {
                console.out(resolved.command.help)
                return .success
            }
            if !resolved.command.subcommands.isEmpty {
                let group = resolved.command.name
                throw UsageError("say which \(group) command", help: "see 'casework help \(group)'")
            }
            switch resolved.command.path {
            case ["help"]: return try help(rest, console: console)
            case ["version"]:
                guard rest.isEmpty else { throw UsageError("version takes no arguments") }
                console.out(CaseworkVersion.description + "\n")
                return .success
            case ["validate"]: return try ValidateCommand.run(rest, console: console)
            case ["graph"]: return try GraphCommand.run(rest, console: console)
            case ["schema"]: return try SchemaCommand.run(rest, console: console)
            case ["docs"]: return try DocsCommand.run(rest, console: console)
            case ["demo"]: return try DemoCommand.run(rest, console: console)
            case ["test"]: return try TestCommand.run(rest, console: console)
            case ["decide"]: return try DecideCommand.run(rest, console: console)
            case ["tick"]: return try TickCommand.tick(rest, console: console)
            case ["due"]: return try CalendarCommands.due(rest, console: console)
            case ["calendar"]: return try CalendarCommands.calendar(rest, console: console)
            case ["serve"]: return try ServeCommand.run(rest, console: console)
            default:
                // A command of a group: `case fire`, `audit verify`, ….
                let path = resolved.command.path
                switch path[0] {
                case "case" where path.count == 3: return try ParticipantCommand.run(path[2], rest, console: console)
                case "case": return try CaseCommand.run(path[1], rest, console: console)
                case "notices": return try NoticesCommand.run(path[1], rest, console: console)
                case "form": return try FormCommand.run(path[1], rest, console: console)
                case "document": return try DocumentCommand.run(path[1], rest, console: console)
                case "outbox": return try OutboxCommand.run(path[1], rest, console: console)
                case "audit": return try AuditCommand.run(path[1], rest, console: console)
                case "store": return try StoreCommand.run(path[1], rest, console: console)
                case "access": return try AccessCommand.run(path[1], rest, console: console)
                case "child": return try ChildCommand.run(path[1], rest, console: console)
                case "definitions": return try DefinitionsCommand.run(rest, console: console)
                case "deadline": return try TickCommand.deadline(path[1], rest, console: console)
                case "report": return try ReportCommand.timeliness(rest, console: console)
                default: preconditionFailure("the command table declares '\(resolved.command.name)', which nothing runs")
                }
            }
        } catch {
            var text = "error: \(error.message)\n"
            if let help = error.help { text += "  help: \(help)\n" }
            text += "  usage: \(command?.usage ?? "casework <command> [options]; see 'casework help'")\n"
            console.err(text)
            return .usage
        }
    }

    /// `casework help [COMMAND [SUBCOMMAND]]`: the overview, or one command's help.
    private static func help(_ words: [String], console: some Console) throws(UsageError) -> ExitStatus {
        guard !words.isEmpty else {
            console.out(CommandTable.overview)
            return .success
        }
        let resolved = try CommandTable.resolve(words)
        guard resolved.rest.isEmpty else { throw UsageError("'\(resolved.rest[0])' is not a command of '\(resolved.command.name)'") }
        console.out(resolved.command.help)
        return .success
    }
}

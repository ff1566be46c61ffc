import Casework

/// The `casework` command: picks a subcommand, runs it, and turns usage errors into text and exit status 2.
public enum CaseworkCommand {
    static let usage = """
        usage: casework <command> [options]

        commands:
          demo        one whole EHC needs assessment on SQLite, printed as a timeline
          validate    check workflow and form definitions (casework validate --help)
          case        open cases, fire transitions, show cases and their history, move them to a new version
          form        submit, accept or reject a shared form
          outbox      list, claim and acknowledge notifications
          audit       verify the audit chains; sign and check checkpoints
          definitions which definition versions the store holds and what open cases run on
          store       check a store's file and every record in it: casework store check [--db FILE]
          access      grant or revoke a person's or organisation's access to a case
          decide      explain one access decision: casework decide request.json
          tick        apply the deadline reminders and breaches that are due
          deadline    pause, resume or excuse a case's deadline
          due         when a period ends: casework due 2025-09-01 6 weeks [--calendar NAME]
          calendar    a year's bank holidays: casework calendar NAME --year YYYY
          help        print this help

        Case, form, outbox and audit commands read definitions from --definitions PATH
        (default: Workflows/ and Policies/) and cases from --db FILE (default: casework.sqlite).
        Only 'case open' creates a missing store, or a command that changes cases given --create.

        """

    /// Runs `casework` with `arguments` (without the program name) and returns the exit status.
    public static func run(_ arguments: [String], console: some Console) -> ExitStatus {
        guard let command = arguments.first else {
            console.err(usage)
            return .usage
        }
        let rest = Array(arguments.dropFirst())
        do throws(UsageError) {
            switch command {
            case "validate":
                return try ValidateCommand.run(rest, console: console)
            case "demo":
                return try DemoCommand.run(rest, console: console)
            case "case":
                return try CaseCommand.run(rest, console: console)
            case "form":
                return try FormCommand.run(rest, console: console)
            case "outbox":
                return try OutboxCommand.run(rest, console: console)
            case "audit":
                return try AuditCommand.run(rest, console: console)
            case "store":
                return try StoreCommand.run(rest, console: console)
            case "access":
                return try AccessCommand.run(rest, console: console)
            case "definitions":
                return try DefinitionsCommand.run(rest, console: console)
            case "decide":
                return try DecideCommand.run(rest, console: console)
            case "tick":
                return try TickCommand.tick(rest, console: console)
            case "deadline":
                return try TickCommand.deadline(rest, console: console)
            case "due":
                return try CalendarCommands.due(rest, console: console)
            case "calendar":
                return try CalendarCommands.calendar(rest, console: console)
            case "help", "--help", "-h":
                console.out(usage)
                return .success
            default:
                let suggestion = NameSuggester.suggest(command, from: ["demo", "validate", "case", "form", "outbox", "audit", "store", "access", "definitions", "decide", "tick", "deadline", "due", "calendar", "help"])
                throw UsageError("unknown command '\(command)'", help: suggestion.map { "did you mean '\($0)'?" })
            }
        } catch {
            var text = "error: \(error.message)\n"
            if let help = error.help { text += "  help: \(help)\n" }
            text += "  usage: \(usageLine(for: command))\n"
            console.err(text)
            return .usage
        }
    }

    private static func usageLine(for command: String) -> String {
        switch command {
        case "validate": ValidateCommand.usage
        case "demo": DemoCommand.usage
        case "case": CaseCommand.usage
        case "form": FormCommand.usage
        case "outbox": OutboxCommand.usage
        case "audit": AuditCommand.usage
        case "store": StoreCommand.usage
        case "access": AccessCommand.usage
        case "definitions": DefinitionsCommand.usage
        case "decide": DecideCommand.usage
        case "tick": TickCommand.usage
        case "deadline": TickCommand.deadlineUsage
        case "due": CalendarCommands.dueUsage
        case "calendar": CalendarCommands.calendarUsage
        default: "casework <command> [options]; see 'casework help'"
        }
    }
}

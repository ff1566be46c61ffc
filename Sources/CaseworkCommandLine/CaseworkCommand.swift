import Casework

/// The `casework` command: picks a subcommand, runs it, and turns usage errors into text and exit status 2.
public enum CaseworkCommand {
    static let usage = """
        usage: casework <command> [options]

        commands:
          validate    check workflow and form definitions (casework validate --help)
          help        print this help

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
            case "help", "--help", "-h":
                console.out(usage)
                return .success
            default:
                let suggestion = NameSuggester.suggest(command, from: ["validate", "help"])
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
        default: "casework <command> [options]; see 'casework help'"
        }
    }
}

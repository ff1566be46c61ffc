import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime

/// One option a command accepts, as the command table declares it.
struct OptionDeclaration: Sendable {
    /// The option as typed, such as `--format`.
    var name: String
    /// What follows it, such as `FILE`; nil for a flag that stands alone.
    var value: String?
    /// What it does, one line.
    var help: String
    /// Whether it may be given more than once.
    var repeatable = false
    /// Whether the command needs it.
    var required = false
    /// Accepted only so the command can say why it does not apply here (such as `--create` on a command that only
    /// reads); left out of usage and help.
    var hidden = false

    /// How the option is written in a usage line: `[--db FILE]`, `--to PRINCIPAL`, `[--set FIELD=VALUE]...`.
    var usage: String {
        let text = value.map { "\(name) \($0)" } ?? name
        return (required ? text : "[\(text)]") + (repeatable ? "..." : "")
    }
}

/// One positional argument of a command.
struct ArgumentDeclaration: Sendable {
    /// Its placeholder, such as `CASE`.
    var name: String
    /// What it is, one line.
    var help: String
    /// Whether it may be left out.
    var optional = false
    /// Whether more than one may be given.
    var repeatable = false

    /// How the argument is written in a usage line: `CASE`, `[CASE]`, `MESSAGE_ID...`, `[PATH ...]`.
    var usage: String {
        switch (optional, repeatable) {
        case (false, false): name
        case (false, true): "\(name)..."
        case (true, false): "[\(name)]"
        case (true, true): "[\(name) ...]"
        }
    }
}

/// A command or subcommand: its name, what it does, what it takes and how it is used.
///
/// The one place a command's surface is written down. Its ``spec`` (what the parser accepts), its usage line,
/// its `--help` text, `casework help`, the did-you-mean for misspelt names and `docs/reference/commands.md`
/// are all made from this.
struct CommandDeclaration: Sendable {
    /// The words that name it after `casework`, such as `["case", "fire"]`.
    var path: [String]
    /// What it does, one line, in lower case.
    var summary: String
    /// Its positional arguments, in order.
    var arguments: [ArgumentDeclaration] = []
    /// Its options, in the order help lists them.
    var options: [OptionDeclaration] = []
    /// One or two whole command lines a user could type.
    var examples: [String] = []
    /// Who may run it or how it ends, when that needs saying; one line.
    var note: String?
    /// The commands under it, such as `case`'s `open` and `fire`; a command with subcommands takes no options itself.
    var subcommands: [CommandDeclaration] = []

    /// `case fire`.
    var name: String { path.joined(separator: " ") }

    /// The options the parser accepts: every declared option, and `--help` and `-h`.
    var spec: OptionSpec {
        OptionSpec(valued: options.filter { $0.value != nil }.map(\.name),
                   flags: options.filter { $0.value == nil }.map(\.name) + CommandTable.helpFlags)
    }

    /// The usage line, without `usage: `: `casework case fire CASE TRANSITION [--set FIELD=VALUE]... …`,
    /// or for a group `casework case open|fire|… ...`.
    var usage: String {
        if !subcommands.isEmpty { return "casework \(name) \(subcommands.map { $0.path.last! }.joined(separator: "|")) ..." }
        let parts = ["casework", name] + arguments.map(\.usage) + options.filter { !$0.hidden }.map(\.usage)
        return parts.joined(separator: " ")
    }

    /// The `--help` text: usage, summary, note, then arguments, options (or subcommands) and examples.
    var help: String {
        var text = "usage: \(usage)\n\n\(summary.prefix(1).uppercased() + summary.dropFirst()).\n"
        if let note { text += "\(note)\n" }
        if !subcommands.isEmpty {
            text += "\ncommands:\n" + CommandTable.columns(subcommands.map { ($0.path.last!, $0.summary) })
            text += "\nSee 'casework help \(name) COMMAND' for a command's arguments and options.\n"
        }
        if subcommands.isEmpty {
            // Arguments and options share one column width, so their help lines up.
            let argumentRows = arguments.map { ($0.usage, $0.help) }
            let optionRows = options.filter { !$0.hidden }.map { option in
                ((option.value.map { "\(option.name) \($0)" } ?? option.name), option.help + (option.repeatable ? " (repeatable)" : ""))
            } + [("-h, --help", "print this help")]
            let width = CommandTable.width(argumentRows + optionRows)
            if !arguments.isEmpty { text += "\narguments:\n" + CommandTable.columns(argumentRows, width: width) }
            text += "\noptions:\n" + CommandTable.columns(optionRows, width: width)
        }
        if !examples.isEmpty {
            text += "\nexamples:\n" + examples.map { "  \($0)\n" }.joined()
        }
        return text
    }
}

/// Every `casework` command and subcommand, declared once.
///
/// To add a command: declare it here, add its `case` to ``CaseworkCommand/run(_:console:)``, and run the tests with
/// `CASEWORK_UPDATE_GOLDEN=1` to regenerate `docs/reference/commands.md` and the help golden files.
enum CommandTable {
    /// The flags every command takes to print its help.
    static let helpFlags = ["--help", "-h"]

    // MARK: Options several commands share

    /// `--db FILE`: where the cases are.
    static let db = OptionDeclaration(name: "--db", value: "FILE", help: "the store: an SQLite file (or sqlite:FILE) or a postgresql:// URL (default: $CASEWORK_DATABASE_URL, else casework.sqlite)")
    /// `--no-cache`: load the definitions without the definition cache (``DefinitionCacheSetting``).
    static let noCache = OptionDeclaration(name: DefinitionCacheSetting.flag, help: "validate every definition file again, without the definition cache")
    /// `--definitions PATH`, repeatable: where the definitions are.
    static let definitions = OptionDeclaration(name: "--definitions", value: "PATH", help: "a definition file or directory (default: Workflows/ and Policies/ here)", repeatable: true)
    /// `--as ACTOR`: who acts, the operator when it is left out.
    static let actor = OptionDeclaration(name: "--as", value: "ACTOR", help: "who acts: ROLE:ID, ROLE@ORG or ROLE:ID@ORG (default: the operator)")
    /// `--as ACTOR` on a command that needs someone other than the operator to act.
    static let requiredActor = OptionDeclaration(name: "--as", value: "ACTOR", help: "who acts: ROLE:ID, ROLE@ORG or ROLE:ID@ORG", required: true)
    /// `--attribute NAME=VALUE`, repeatable: the actor's attributes.
    static let attribute = OptionDeclaration(name: "--attribute", value: "NAME=VALUE", help: "an attribute of the actor, typed by the access policies", repeatable: true)
    /// `--format text|json`.
    static let format = OptionDeclaration(name: "--format", value: "text|json", help: "text (default) or json")
    /// `--create`: a command that changes cases may create a missing store.
    static let create = OptionDeclaration(name: EngineOptions.create, help: "create the store if the file is missing")
    /// `--key KEY`: makes a change idempotent.
    static let key = OptionDeclaration(name: "--key", value: "KEY", help: "an idempotency key: the same request again with it changes nothing")
    /// `--expect-revision N`: refuses a change to a case that moved on.
    static let expectRevision = OptionDeclaration(name: "--expect-revision", value: "N", help: "refuse the change (conflict) unless the case is at revision N")
    /// `--create` on a command that only reads: accepted so the command can say it only reads.
    static let createRefused = OptionDeclaration(name: EngineOptions.create, help: "", hidden: true)

    /// The options of a command that reads cases for an actor.
    static let reading = [actor, attribute, db, definitions, noCache]

    // MARK: The table

    /// Every command, in the order `casework help` lists them.
    static let commands: [CommandDeclaration] = [
        CommandDeclaration(
            path: ["demo"], summary: "one whole EHC needs assessment on SQLite, printed as a timeline",
            options: [OptionDeclaration(name: "--db", value: "FILE", help: "a new SQLite file to write (default: a temporary file)"), definitions],
            examples: ["casework demo"]),
        CommandDeclaration(
            path: ["validate"], summary: "check workflow, form, calendar and policy definitions the way a compiler checks code",
            arguments: [ArgumentDeclaration(name: "PATH", help: "files or directories (searched for *.yaml and *.yml); default: Workflows/ and Policies/ here",
                                            optional: true, repeatable: true)],
            options: [format, OptionDeclaration(name: "--explain", value: "CODE", help: "print what a diagnostic code means, with a wrong and a right example"),
                      OptionDeclaration(name: "--definitions", value: "PATH",
                                        help: "the project's definitions the named files are checked against (default: the Workflows/ and Policies/ around them)",
                                        repeatable: true)],
            examples: ["casework validate Workflows/ehcp-needs-assessment.yaml", "casework validate --explain CW0204"],
            note: "Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error."),
        CommandDeclaration(
            path: ["graph"], summary: "draw a workflow's states and transitions for Graphviz or Mermaid, or one case's path through it",
            arguments: [ArgumentDeclaration(name: "WORKFLOW", help: "the workflow's id")],
            options: [OptionDeclaration(name: "--format", value: "dot|mermaid", help: "dot (default) for Graphviz, or a mermaid flowchart"),
                      OptionDeclaration(name: "--case", value: "CASE", help: "mark this case's path and current state (needs what 'case history' needs)")]
                + reading,
            examples: ["casework graph tribunal-appeal --format mermaid",
                       "casework graph ehcp-needs-assessment --case c1 --as caseworker:ana"],
            note: "Draws the checked definition (pipe DOT to 'dot -Tsvg'); only --case opens the store, and --as, --attribute and --db go with it."),
        CommandDeclaration(
            path: ["test"], summary: "run the scenario files (*.test.yaml) that say what the definitions must do, step by step",
            arguments: [ArgumentDeclaration(name: "PATH", help: "scenario files or directories (searched for *.test.yaml); default: Workflows/ and Policies/ here",
                                            optional: true, repeatable: true)],
            options: [format, definitions],
            examples: ["casework test", "casework test Workflows/tests/ehcna-main-path.test.yaml --format json"],
            note: "Exit status: 0 every scenario passed, 1 a scenario failed or a file has errors, 2 usage error. See docs/reference/scenarios.md."),
        CommandDeclaration(
            path: ["docs"], summary: "write a static HTML handbook of the definitions and their scenarios, for policy staff, managers and auditors",
            options: [OptionDeclaration(name: "--out", value: "DIR", help: "the directory to write index.html and the other pages into", required: true),
                      definitions],
            examples: ["casework docs --out handbook", "casework docs --out /tmp/handbook --definitions Workflows --definitions Policies"],
            note: "Each workflow is drawn with Graphviz's 'dot -Tsvg' when dot is on PATH, else shown as DOT text. The pages need no script and no network."),
        CommandDeclaration(
            path: ["schema"], summary: "print the JSON Schema of a kind of definition file, for editors that complete and check keys",
            arguments: [ArgumentDeclaration(name: "KIND", help: "workflow, form, policy, calendar or scenario; without it, the kinds are listed", optional: true)],
            options: [OptionDeclaration(name: "--out", value: "DIR", help: "write DIR/KIND.schema.json for KIND, or for every kind, instead of printing")],
            examples: ["casework schema workflow", "casework schema --out docs/schema"],
            note: "The schemas are made from the decoders' own key lists; docs/reference/editor.md shows how an editor uses them."),
        CommandDeclaration(
            path: ["case"], summary: "open cases, fire transitions, show cases and their history, move them to a new version",
            subcommands: [
                CommandDeclaration(
                    path: ["case", "open"], summary: "open a case in its workflow's initial state",
                    arguments: [ArgumentDeclaration(name: "WORKFLOW", help: "the workflow's id")],
                    options: [
                        OptionDeclaration(name: "--id", value: "ID", help: "the new case's id (default: one is made)"),
                        OptionDeclaration(name: "--set", value: "FIELD=VALUE", help: "a field the workflow's opening takes as input", repeatable: true),
                        OptionDeclaration(name: "--participant", value: "ROLE=PRINCIPAL", help: "who plays a role: a person's id or organisation:ID", repeatable: true),
                        OptionDeclaration(name: "--child", value: "ID", help: "the child record the case belongs to, for good (needs open on the child too)"),
                        key, create,
                    ] + reading,
                    examples: ["casework case open ehcp-needs-assessment --id c1 --set requested_on=2025-09-01 --set requested_by=parent"],
                    note: "Creates the store if the file is missing."),
                CommandDeclaration(
                    path: ["case", "fire"], summary: "fire a transition of a case",
                    arguments: [ArgumentDeclaration(name: "CASE", help: "the case's id"), ArgumentDeclaration(name: "TRANSITION", help: "the transition's name")],
                    options: [OptionDeclaration(name: "--set", value: "FIELD=VALUE", help: "a field the transition takes as input", repeatable: true),
                              OptionDeclaration(name: "--on", value: "DATE",
                                                help: "the day the step took effect, when recorded after the fact (YYYY-MM-DD; not in the future, not before the case)"),
                              expectRevision, key, create] + reading,
                    examples: ["casework case fire c1 agree --expect-revision 3 --key agree-c1",
                               "casework case fire c1 issue_final_plan --as caseworker:ana --on 2026-01-16"]),
                CommandDeclaration(
                    path: ["case", "show"], summary: "show a case: all of it to the operator, what the policy allows to anyone else",
                    arguments: [ArgumentDeclaration(name: "CASE", help: "the case's id")],
                    options: [format] + reading + [createRefused],
                    examples: ["casework case show c1 --format json"]),
                CommandDeclaration(
                    path: ["case", "history"], summary: "the case's audit events, oldest first",
                    arguments: [ArgumentDeclaration(name: "CASE", help: "the case's id")],
                    options: [format] + reading + [createRefused],
                    examples: ["casework case history c1"]),
                CommandDeclaration(
                    path: ["case", "timeline"], summary: "the case's progress in plain words, as one viewer may see it",
                    arguments: [ArgumentDeclaration(name: "CASE", help: "the case's id")],
                    options: [format] + reading + [createRefused],
                    examples: ["casework case timeline c1 --as parent:jo --attribute relationship=parent --attribute second_factor_verified=true"]),
                CommandDeclaration(
                    path: ["case", "transitions"], summary: "what the actor could fire now, and why not",
                    arguments: [ArgumentDeclaration(name: "CASE", help: "the case's id")],
                    options: reading + [createRefused],
                    examples: ["casework case transitions c1 --as caseworker:ana"]),
                CommandDeclaration(
                    path: ["case", "list"], summary: "the cases the actor may see, with workflow, state and revision",
                    options: [OptionDeclaration(name: "--child", value: "ID", help: "only the cases of this child record (needs view on the child)")]
                        + reading + [createRefused],
                    examples: ["casework case list"]),
                CommandDeclaration(
                    path: ["case", "participant"], summary: "add or remove a person or organisation taking part in a case",
                    subcommands: [
                        participant("add", "name one more person or organisation in a role of a case"),
                        participant("remove", "remove a person or organisation from a role of a case"),
                    ]),
                CommandDeclaration(
                    path: ["case", "migrate"], summary: "move a case to the current version of its workflow",
                    arguments: [ArgumentDeclaration(name: "CASE", help: "the case's id")],
                    options: [
                        OptionDeclaration(name: "--to", value: "VERSION", help: "the workflow version to move to: the current one", required: true),
                        OptionDeclaration(name: "--map", value: "FILE", help: "YAML or JSON: states: {OLD: NEW} and fields: {OLD.PATH: NEW.PATH}"),
                        OptionDeclaration(name: "--dry-run", help: "check everything and change nothing"),
                        format, actor, attribute, db, definitions, noCache,
                    ],
                    examples: ["casework case migrate c1 --to 4 --map moves.yaml --dry-run"],
                    note: "The operator only (without --as)."),
            ]),
        CommandDeclaration(
            path: ["document"], summary: "add a case's documents, read them, each part as the policy lets the reader see it, and withdraw them",
            subcommands: [
                CommandDeclaration(
                    path: ["document", "add"], summary: "add a version of a document (or of one section of it) to a case",
                    arguments: [ArgumentDeclaration(name: "CASE", help: "the case's id"), ArgumentDeclaration(name: "KIND", help: "the document kind, as the workflow declares it"),
                                ArgumentDeclaration(name: "FILE", help: "the file to store")],
                    options: [OptionDeclaration(name: "--section", value: "X", help: "the section the file is, for a kind addressed by sections (such as A)"),
                              OptionDeclaration(name: "--type", value: "MEDIA", help: "the file's media type (default: from its extension: .pdf, .md, .txt, …)"),
                              OptionDeclaration(name: "--reason", value: "TEXT", help: "why it is added"),
                              OptionDeclaration(name: "--share-with", value: "ORG",
                                                help: "an organisation the document is given to from this version on (default: those of the latest version)",
                                                repeatable: true),
                              create] + reading + [format],
                    examples: ["casework document add c1 draft_plan section-a.md --section A --reason \"Section A from the family\"",
                               "casework document add c1 draft_plan plan.pdf --share-with hillside-primary --share-with city-health"],
                    note: "Needs submit on the kind's resource; the type and size are checked before anything is written. Whom a document is given to, "
                        + "the policy reads as document.shared_with."),
                CommandDeclaration(
                    path: ["document", "list"], summary: "the latest version of each document of a case the actor may see",
                    arguments: [ArgumentDeclaration(name: "CASE", help: "the case's id")],
                    options: [format] + reading + [createRefused],
                    examples: ["casework document list c1 --as parent:jo --attribute relationship=parent --attribute second_factor_verified=true"]),
                CommandDeclaration(
                    path: ["document", "show"], summary: "one version of a document: who added it, when, why, and each part or that it is withheld",
                    arguments: [ArgumentDeclaration(name: "CASE", help: "the case's id"), ArgumentDeclaration(name: "KIND", help: "the document kind")],
                    options: [OptionDeclaration(name: "--version", value: "N", help: "the version (default: the latest)"), format] + reading + [createRefused],
                    examples: ["casework document show c1 draft_plan --version 2 --format json"]),
                CommandDeclaration(
                    path: ["document", "get"], summary: "write one part of a document to a file, its hash checked again first",
                    arguments: [ArgumentDeclaration(name: "CASE", help: "the case's id"), ArgumentDeclaration(name: "KIND", help: "the document kind")],
                    options: [OptionDeclaration(name: "--version", value: "N", help: "the version (default: the latest)"),
                              OptionDeclaration(name: "--section", value: "X", help: "the section (default: the whole document)"),
                              OptionDeclaration(name: "--out", value: "FILE", help: "where to write it", required: true),
                              format] + reading + [createRefused],
                    examples: ["casework document get c1 draft_plan --section A --out section-a.md"]),
                CommandDeclaration(
                    path: ["document", "withdraw"], summary: "withdraw a document as a new version that records who withdrew it, when and why; nothing is deleted",
                    arguments: [ArgumentDeclaration(name: "CASE", help: "the case's id"), ArgumentDeclaration(name: "KIND", help: "the document kind")],
                    options: [OptionDeclaration(name: "--reason", value: "TEXT", help: "why it is withdrawn", required: true), expectRevision, format] + reading,
                    examples: ["casework document withdraw c1 draft_plan --reason \"draft sent in error\""],
                    note: "Needs what adding the whole document needs (submit on the kind's resource, and on every section). Earlier versions stay "
                        + "readable with --version; the latest is the withdrawal, which holds no content."),
            ]),
        CommandDeclaration(
            path: ["form"], summary: "submit, accept or reject a shared form",
            subcommands: ["submit", "accept", "reject"].map(form)),
        CommandDeclaration(
            path: ["outbox"], summary: "list, claim and acknowledge notifications",
            subcommands: [
                CommandDeclaration(
                    path: ["outbox", "list"], summary: "a case's notifications with their delivery state",
                    options: [OptionDeclaration(name: "--case", value: "CASE", help: "the case (without it: every case's, the operator only)"), format] + reading,
                    examples: ["casework outbox list --case c1 --as parent:jo"]),
                CommandDeclaration(
                    path: ["outbox", "claim"], summary: "claim undelivered notifications for a lease",
                    options: [requiredDeliverer,
                              OptionDeclaration(name: "--limit", value: "N", help: "claim at most N (default: 100)"),
                              OptionDeclaration(name: "--lease", value: "SECONDS", help: "how long the claim holds (default: 300)"),
                              format, db, definitions, noCache],
                    examples: ["casework outbox claim --as mailer --limit 10 --format json"],
                    note: "A deliverer is a process the operator runs: it is handed every case's messages."),
                CommandDeclaration(
                    path: ["outbox", "ack"], summary: "mark claimed notifications delivered",
                    arguments: [ArgumentDeclaration(name: "MESSAGE_ID", help: "a claimed notification's id, such as c1/3/1", repeatable: true)],
                    options: [requiredDeliverer, db, definitions, noCache],
                    examples: ["casework outbox ack c1/3/1 c1/3/2 --as mailer"],
                    note: "Exit 1 unless every message was the deliverer's."),
            ]),
        CommandDeclaration(
            path: ["notices"], summary: "the notices owed by another route, and recording that one was sent",
            subcommands: [
                CommandDeclaration(
                    path: ["notices", "owed"], summary: "the notices still owed by another route (post, email outside the portal), with the text to send",
                    options: [OptionDeclaration(name: "--case", value: "CASE", help: "one case (without it: every case the actor may edit)"), format] + reading,
                    examples: ["casework notices owed --as caseworker:ana --attribute relationship=caseworker --attribute second_factor_verified=true"],
                    note: "Needs edit on the case: owed notices are work for staff."),
                CommandDeclaration(
                    path: ["notices", "sent"], summary: "record that an owed notice was sent by another route",
                    arguments: [ArgumentDeclaration(name: "CASE", help: "the case's id"),
                                ArgumentDeclaration(name: "MESSAGE_ID", help: "the owed notice's id, as notices owed lists it")],
                    options: [
                        OptionDeclaration(name: "--by", value: "NAME", help: "who sent it", required: true),
                        OptionDeclaration(name: "--route", value: "HOW", help: "how it was sent: post, email, by hand, …", required: true),
                        OptionDeclaration(name: "--on", value: "DATE", help: "the day it was sent (YYYY-MM-DD), not after today", required: true),
                        key, create,
                    ] + reading,
                    examples: ["casework notices sent c1 c1/2/3 --by ana --route post --on 2025-09-03 --as caseworker:ana"],
                    note: "Needs edit on the case; audited as notice_sent."),
            ]),
        CommandDeclaration(
            path: ["audit"], summary: "verify the audit chains; sign and check checkpoints",
            subcommands: [
                CommandDeclaration(
                    path: ["audit", "verify"], summary: "walk the hash chains, replay them and compare with the stored records",
                    arguments: [ArgumentDeclaration(name: "CASE", help: "the case to verify (default: every case, the operator only)", optional: true)],
                    options: reading + [
                        OptionDeclaration(name: "--child", value: "ID", help: "verify this child record's chain instead of a case's (needs view on the child)"),
                        OptionDeclaration(name: "--checkpoints", value: "DIR", help: "also check every case against the signed checkpoints in DIR (the operator only)"),
                        OptionDeclaration(name: "--public-key", value: "KEY.pub", help: "the council's public key, to check the checkpoints' signatures"),
                    ],
                    examples: ["casework audit verify", "casework audit verify --checkpoints checkpoints/ --public-key key.pub"],
                    note: "Exit 0 when everything holds, 1 with a line for each case that does not."),
                CommandDeclaration(
                    path: ["audit", "checkpoint"], summary: "sign every case's chain head with the council's key and write a checkpoint file",
                    options: [
                        OptionDeclaration(name: "--key", value: "KEY.pem", help: "the council's Ed25519 private key", required: true),
                        OptionDeclaration(name: "--out", value: "FILE", help: "the file to write, never over another (default: checkpoint-TIME.txt here)"),
                        db, definitions, noCache,
                        OptionDeclaration(name: "--as", value: "ACTOR", help: "", hidden: true),
                        OptionDeclaration(name: "--attribute", value: "NAME=VALUE", help: "", repeatable: true, hidden: true),
                    ],
                    examples: ["casework audit checkpoint --key key.pem"],
                    note: "The operator only (without --as)."),
            ]),
        CommandDeclaration(
            path: ["definitions"], summary: "which definition versions the store holds and what open cases run on",
            subcommands: [
                CommandDeclaration(
                    path: ["definitions", "list"], summary: "every definition version and snapshot in the store, with the open cases on each",
                    options: [format, actor, attribute, db, definitions, noCache],
                    examples: ["casework definitions list --format json"],
                    note: "The operator only (without --as)."),
            ]),
        CommandDeclaration(
            path: ["report"], summary: "reports over every case: how each statutory time limit fared",
            subcommands: [
                CommandDeclaration(
                    path: ["report", "timeliness"], summary: "each time limit due or met in a period: on time, late, excused, lapsed, open, overdue",
                    options: [OptionDeclaration(name: "--from", value: "DATE", help: "the first day of the period (YYYY-MM-DD)", required: true),
                              OptionDeclaration(name: "--to", value: "DATE", help: "the last day of the period (YYYY-MM-DD)", required: true),
                              OptionDeclaration(name: "--workflow", value: "NAME", help: "one workflow's time limits only"),
                              OptionDeclaration(name: "--format", value: "text|json|csv", help: "text (default), json (figures and cases) or csv (the cases)"),
                              actor, attribute, db, definitions, noCache],
                    examples: ["casework report timeliness --from 2025-01-01 --to 2025-12-31",
                               "casework report timeliness --from 2025-01-01 --to 2025-12-31 --workflow ehcp-needs-assessment --format csv"],
                    note: "Counts the cases the actor may see the time limits of (every case for the operator); every figure is traced case by case in json and csv."),
            ]),
        CommandDeclaration(
            path: ["store"], summary: "check a store's file and every record in it; copy a store into another",
            subcommands: [
                CommandDeclaration(
                    path: ["store", "check"], summary: "check a store's file and read back every record in it, writing nothing",
                    options: [OptionDeclaration(name: "--db", value: "FILE", help: "the SQLite file to check, or sqlite:FILE (default: casework.sqlite)")],
                    examples: ["casework store check --db casework.sqlite"],
                    note: "Needs no definitions. Exit 0 no problems, 1 problems listed, 2 usage error or missing file, 6 the file cannot be opened."),
                CommandDeclaration(
                    path: ["store", "copy"], summary: "copy every case, event, notification, key and definition into an empty store, then verify it there",
                    options: [
                        OptionDeclaration(name: "--from", value: "URL", help: "the store to copy: an SQLite file (or sqlite:FILE) or a postgresql:// URL", required: true),
                        OptionDeclaration(name: "--to", value: "URL", help: "the empty store to copy into: an SQLite file (made if missing) or a postgresql:// URL",
                                          required: true),
                    ],
                    examples: ["casework store copy --from casework.sqlite --to postgresql:///casework?host=/run/postgresql"],
                    note: "Needs no definitions; only reads the source. Refuses a target holding anything; a copy that fails midway leaves "
                        + "the target incomplete, to be emptied before copying again. Exit 0 copied and verified, 1 refused or a chain does not hold, "
                        + "2 usage error or no source store, 6 a store failed."),
            ]),
        child,
        CommandDeclaration(
            path: ["access"], summary: "grant or revoke a person's or organisation's access to a case",
            subcommands: [
                CommandDeclaration(
                    path: ["access", "grant"], summary: "record the service's decision to give a principal access to a case",
                    arguments: [ArgumentDeclaration(name: "CASE", help: "the case's id")],
                    options: [
                        to,
                        OptionDeclaration(name: "--level", value: "LEVEL", help: "the access level the policy declares, such as limited", required: true),
                        OptionDeclaration(name: "--sections", value: "S,S", help: "the sections of the case the grant covers"),
                        OptionDeclaration(name: "--from", value: "DATE", help: "the first day the grant holds (YYYY-MM-DD)"),
                        OptionDeclaration(name: "--until", value: "DATE", help: "the last day the grant holds (YYYY-MM-DD)"),
                        reason, requiredActor, attribute, key, create, db, definitions, noCache,
                    ],
                    examples: ["casework access grant c1 --to organisation:hillside-primary --level limited --reason \"school advice\" --as send_manager:sam"]),
                CommandDeclaration(
                    path: ["access", "revoke"], summary: "remove a principal's grant on a case",
                    arguments: [ArgumentDeclaration(name: "CASE", help: "the case's id")],
                    options: [to, reason, requiredActor, attribute, key, create, db, definitions, noCache],
                    examples: ["casework access revoke c1 --to jo --reason \"moved away\" --as send_manager:sam"]),
            ]),
        CommandDeclaration(
            path: ["decide"], summary: "explain one access decision, or decide a stream of requests",
            arguments: [ArgumentDeclaration(name: "REQUEST.json", help: "the request (see docs/reference/policies.md); not with --batch", optional: true)],
            options: [
                OptionDeclaration(name: "--batch", value: "FILE|-", help: "decide one JSON request per line, one JSON decision per line out"),
                OptionDeclaration(name: "--policy", value: "NAME", help: "the policy to decide by (default: the only one)"),
                format, definitions, noCache,
            ],
            examples: ["casework decide request.json --format json", "casework decide --batch requests.jsonl"],
            note: "Exit 0 for a decision, allow or deny; 1 for a bad request."),
        CommandDeclaration(
            path: ["tick"], summary: "apply the deadline reminders and breaches that are due",
            options: [
                OptionDeclaration(name: "--at", value: "DATETIME", help: "the moment to tick at, no later than now: a date or an ISO 8601 date and time (default: now)"),
                OptionDeclaration(name: "--limit", value: "N", help: "apply at most N (default: 10000)"),
                format, create, db, definitions, noCache,
            ],
            examples: ["casework tick --at 2025-10-14"]),
        CommandDeclaration(
            path: ["deadline"], summary: "pause, resume or excuse a case's deadline",
            subcommands: [
                deadline("pause", "pause a running deadline for a legal exception"),
                deadline("resume", "resume a paused deadline; its due date moves on by the days paused"),
                deadline("excuse", "excuse a deadline: reported, never a breach"),
            ]),
        CommandDeclaration(
            path: ["due"], summary: "when a period ends, by the counting rules and a calendar",
            arguments: [ArgumentDeclaration(name: "START", help: "the first day, YYYY-MM-DD"),
                        ArgumentDeclaration(name: "DURATION", help: "such as 6 weeks, 15 working days, 20 weeks", repeatable: true)],
            options: [OptionDeclaration(name: "--calendar", value: "NAME", help: "the working-day calendar (default: Monday to Friday, no holidays)"), definitions],
            examples: ["casework due 2025-09-01 20 weeks --calendar england-and-wales"]),
        CommandDeclaration(
            path: ["calendar"], summary: "a year's bank holidays that fall on weekdays",
            arguments: [ArgumentDeclaration(name: "NAME", help: "the calendar, such as england-and-wales")],
            options: [OptionDeclaration(name: "--year", value: "YYYY", help: "the year", required: true), definitions],
            examples: ["casework calendar england-and-wales --year 2027"]),
        CommandDeclaration(
            path: ["serve"], summary: "answer the case API over HTTP (JSON under /v1) until stopped",
            options: [
                OptionDeclaration(name: "--db", value: "URL", help: "the store: an SQLite file (or sqlite:FILE) or a postgresql:// URL (default: $CASEWORK_DATABASE_URL, else casework.sqlite)"),
                OptionDeclaration(name: "--listen", value: "HOST:PORT", help: "the address to listen on (default: 127.0.0.1:8080, this machine only; port 0 picks a free one)"),
                definitions,
                OptionDeclaration(name: "--auth", value: "FILE", help: "the services that may call: their token digests and what each may assert", required: true),
                OptionDeclaration(name: "--tls-cert", value: "FILE", help: "serve HTTPS with this PEM certificate chain (with --tls-key)"),
                OptionDeclaration(name: "--tls-key", value: "FILE", help: "the certificate's PEM private key (with --tls-cert)"),
                OptionDeclaration(name: "--workers", value: "N", help: "worker threads, so requests answered at once (default: 4)"),
                OptionDeclaration(name: "--max-connections", value: "N", help: "connections open at once (default: 256)"),
                OptionDeclaration(name: "--idle-timeout", value: "SECONDS", help: "close a connection idle this long, mid-request or between requests (default: 30)"),
                OptionDeclaration(name: "--max-header-bytes", value: "N", help: "memory for a request's line and headers (default: 32768)"),
                OptionDeclaration(name: "--max-body-bytes", value: "N", help: "the largest request body; larger is answered 413 (default: 1048576)"),
                OptionDeclaration(name: "--drain-timeout", value: "SECONDS", help: "on SIGTERM, how long requests in flight may take to finish (default: 30)"),
                OptionDeclaration(name: "--request-timeout", value: "SECONDS",
                                  help: "answer a request still working after this 503 timeout, having changed nothing (default: 30)"),
                OptionDeclaration(name: "--tick-every", value: "DURATION",
                                  help: "tick the store from inside the server, at start and then every 30s, 5m, 1h… (safe with several servers on one store)"),
                create, noCache,
            ],
            examples: ["casework serve --db casework.sqlite --listen 127.0.0.1:8080 --auth services.yaml"],
            note: "Runs until SIGTERM or SIGINT: then stops accepting, finishes what is in flight and closes the store. See docs/reference/openapi.yaml."),
        CommandDeclaration(
            path: ["help"], summary: "print help for casework or for one command",
            arguments: [ArgumentDeclaration(name: "COMMAND", help: "a command, and a subcommand of it", optional: true, repeatable: true)],
            examples: ["casework help case fire"]),
        CommandDeclaration(
            path: ["version"], summary: "print the tool's version and the definition language's",
            examples: ["casework version"]),
    ]

    /// `--as DELIVERER` for `outbox claim` and `ack`.
    private static let requiredDeliverer = OptionDeclaration(name: "--as", value: "DELIVERER", help: "the deliverer: the process that sends the messages", required: true)
    /// `--to PRINCIPAL` for `access grant` and `revoke`.
    private static let to = OptionDeclaration(name: "--to", value: "PRINCIPAL", help: "whose access changes: a person's id, person:ID or organisation:ID", required: true)
    /// `--reason TEXT` where a reason is required and audited.
    private static let reason = OptionDeclaration(name: "--reason", value: "TEXT", help: "why, recorded in the audit", required: true)

    /// `form submit`, `accept` or `reject`: the same arguments, a different actor and options.
    private static func form(_ action: String) -> CommandDeclaration {
        let arguments = [ArgumentDeclaration(name: "CASE", help: "the case's id"), ArgumentDeclaration(name: "FORM_ID", help: "the form's id, as case show lists it")]
        let shared = [attribute, expectRevision, key, create, db, definitions, noCache]
        switch action {
        case "submit":
            return CommandDeclaration(
                path: ["form", "submit"], summary: "submit a shared form, or resubmit it after a rejection", arguments: arguments,
                options: [OptionDeclaration(name: "--as", value: "ROLE@ORG", help: "the organisation the form was shared with", required: true),
                          OptionDeclaration(name: "--set", value: "FIELD=VALUE", help: "a field of the form", repeatable: true)] + shared,
                examples: ["casework form submit c1 professional-advice-1 --as health@nhs-trust --set summary=\"...\""])
        case "accept":
            return CommandDeclaration(
                path: ["form", "accept"], summary: "accept a submitted form", arguments: arguments,
                options: [OptionDeclaration(name: "--as", value: "ROLE:ID", help: "a role in the form's accepted_by", required: true)] + shared,
                examples: ["casework form accept c1 professional-advice-1 --as caseworker:ana"])
        default:
            return CommandDeclaration(
                path: ["form", "reject"], summary: "return a submitted form with the information required", arguments: arguments,
                options: [OptionDeclaration(name: "--as", value: "ROLE:ID", help: "a role in the form's accepted_by", required: true),
                          OptionDeclaration(name: "--reason", value: "TEXT", help: "the information required", required: true)] + shared,
                examples: ["casework form reject c1 professional-advice-1 --as caseworker:ana --reason \"the dates are missing\""])
        }
    }

    /// `case participant add` or `remove`: the same arguments and options.
    private static func participant(_ action: String, _ summary: String) -> CommandDeclaration {
        CommandDeclaration(
            path: ["case", "participant", action], summary: summary,
            arguments: [ArgumentDeclaration(name: "CASE", help: "the case's id"), ArgumentDeclaration(name: "ROLE", help: "a role of the case's workflow"),
                        ArgumentDeclaration(name: "PRINCIPAL", help: "a person's id, person:ID or organisation:ID")],
            options: [reason, actor, attribute, key, create, db, definitions, noCache],
            examples: ["casework case participant \(action) c1 parent kim --reason \"\(action == "add" ? "holds parental responsibility" : "named in error")\" --as send_manager:sam"],
            note: "Needs grant on the case, as access does: those who decide access decide who takes part. Without --as, the operator acts.")
    }

    /// `deadline pause`, `resume` or `excuse`: the same arguments and options; pause and excuse also cite an exception.
    private static func deadline(_ action: String, _ summary: String) -> CommandDeclaration {
        let exception = OptionDeclaration(name: "--exception", value: "CODE",
                                          help: "the workflow's exception that applies (required: a clock is paused or excused only under one)")
        return CommandDeclaration(
            path: ["deadline", action], summary: summary,
            arguments: [ArgumentDeclaration(name: "CASE", help: "the case's id"), ArgumentDeclaration(name: "DEADLINE", help: "the deadline's name")],
            options: [OptionDeclaration(name: "--as", value: "ROLE[:ID]", help: "who acts: a role that meets the deadline or is told of its breach", required: true),
                      reason] + (action == "resume" ? [] : [exception]) + [attribute, create, db, definitions, noCache],
            examples: [action == "resume"
                ? "casework deadline resume c1 decide --as send_manager:sam --reason \"the child is back\""
                : "casework deadline \(action) c1 decide --as send_manager:sam --exception reg-10-4-a --reason \"abroad for 5 weeks\""])
    }

    // MARK: Looking commands up

    /// The command at `path`, such as `["case", "fire"]`, or nil.
    static func command(_ path: [String]) -> CommandDeclaration? {
        var found: CommandDeclaration?
        var level = commands
        for word in path {
            guard let next = level.first(where: { $0.path.last == word }) else { return nil }
            found = next
            level = next.subcommands
        }
        return found
    }

    /// The declaration of a command the table is known to hold; a missing one is a programming error the table's tests catch.
    static subscript(_ path: String...) -> CommandDeclaration {
        guard let found = command(path) else { preconditionFailure("the command table has no '\(path.joined(separator: " "))'") }
        return found
    }

    /// The usage error for `word`, which names none of `group`'s subcommands (or no command, for nil), with the nearest name.
    static func unknown(_ word: String, in group: CommandDeclaration?) -> UsageError {
        let names = (group?.subcommands ?? commands).map { $0.path.last! }
        let help = NameSuggester.suggest(word, from: names).map { "did you mean '\($0)'?" }
        guard let group else { return UsageError("unknown command '\(word)'", help: help) }
        return UsageError("unknown \(group.name) command '\(word)'", help: help ?? "casework \(group.name) \(names.joined(separator: "|"))")
    }

    /// The words of `arguments` that name a command, and the rest: `case fire c1 x` is `case fire` and `c1 x`.
    /// A group followed by nothing, or by an option, is the group alone (for `casework case --help`).
    static func resolve(_ arguments: [String]) throws(UsageError) -> (command: CommandDeclaration, rest: [String]) {
        guard let first = arguments.first else { throw UsageError("say which command") }
        guard var command = command([first]) else { throw unknown(first, in: nil) }
        var rest = Array(arguments.dropFirst())
        while !command.subcommands.isEmpty, let word = rest.first, !word.hasPrefix("-") {
            guard let sub = command.subcommands.first(where: { $0.path.last == word }) else { throw unknown(word, in: command) }
            command = sub
            rest.removeFirst()
        }
        return (command, rest)
    }

    // MARK: What is made from the table

    /// `casework --help`: every command with its summary, and what they share.
    static var overview: String {
        var text = "usage: casework <command> [options]\n\ncommands:\n"
        text += columns(commands.map { ($0.path[0], $0.summary) })
        text += """

            Case, form, outbox and audit commands read definitions from --definitions PATH
            (default: Workflows/ and Policies/) and cases from --db FILE (default: casework.sqlite).
            Only 'case open' creates a missing store, or a command that changes cases given --create.

            'casework help COMMAND [SUBCOMMAND]' or 'casework COMMAND --help' says what a command takes;
            'casework --version' prints the version.

            """
        return text
    }

    /// The width of a first column that holds every one of `rows`' first entries and two spaces.
    static func width(_ rows: [(String, String)]) -> Int { max(12, (rows.map(\.0.count).max() ?? 0) + 2) }

    /// Two columns, the first padded to `width` (by default the longest of its entries), each line indented by two spaces.
    static func columns(_ rows: [(String, String)], width: Int? = nil) -> String {
        let width = width ?? self.width(rows)
        return rows.map { "  " + $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + $0.1 + "\n" }.joined()
    }

    /// `docs/reference/commands.md`: every command and subcommand's usage, options and examples, from this table.
    static func markdown() -> String {
        var text = """
            # Command reference

            <!-- Generated from Sources/CaseworkCommandLine/CommandTable.swift by the tests; do not edit.
                 Regenerate with: CASEWORK_UPDATE_GOLDEN=1 swift test --filter CommandTableTests -->

            Every `casework` command and subcommand: what it takes, and an example. What the commands
            print, their exit statuses and their JSON keys are explained in [cli.md](cli.md).
            Every command also takes `-h` or `--help`; `casework help COMMAND [SUBCOMMAND]` prints the
            same help, and `casework --version` prints the version.


            """
        func section(_ command: CommandDeclaration) {
            text += "## `casework \(command.name)`\n\n\(command.summary.prefix(1).uppercased() + command.summary.dropFirst()).\n"
            if let note = command.note { text += "\(note)\n" }
            text += "\n```\n\(command.usage)\n```\n"
            if !command.subcommands.isEmpty {
                text += "\n| command | what it does |\n|---|---|\n"
                for sub in command.subcommands {
                    text += "| [`\(sub.name)`](#casework-\(sub.path.joined(separator: "-"))) | \(sub.summary) |\n"
                }
            }
            if !command.arguments.isEmpty {
                text += "\n| argument | |\n|---|---|\n"
                for argument in command.arguments { text += "| `\(argument.usage)` | \(escape(argument.help)) |\n" }
            }
            let shown = command.options.filter { !$0.hidden }
            if !shown.isEmpty {
                text += "\n| option | |\n|---|---|\n"
                for option in shown {
                    let written = option.value.map { "\(option.name) \($0)" } ?? option.name
                    let notes = [option.required ? "required" : nil, option.repeatable ? "repeatable" : nil].compactMap { $0 }
                    text += "| `\(escape(written))` | \(escape(option.help))\(notes.isEmpty ? "" : " (\(notes.joined(separator: ", ")))") |\n"
                }
            }
            if !command.examples.isEmpty {
                text += "\n```\n" + command.examples.map { "$ \($0)\n" }.joined() + "```\n"
            }
            text += "\n"
            command.subcommands.forEach(section)
        }
        commands.forEach(section)
        return String(text.dropLast())
    }

    /// Escapes the `|` that would end a Markdown table cell and the `*` that would start emphasis.
    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "*", with: "\\*")
    }
}

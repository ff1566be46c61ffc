import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkPostgres
import CaseworkSQLite
import CaseworkStore
import CaseworkTime
import Foundation
import Synchronization

/// The options every case command shares: where definitions and the database are, who is acting and with which attributes.
///
/// How a command opens the store depends on what it does. A command that only reads (``reader()``) opens the file
/// read-only, never creates, migrates or writes it, and never records definitions, so it works on a file that may
/// not be written and beside a writer. A command that changes cases (``engine(clock:creating:)``) opens it to write,
/// checks it (`quick_check`), and records the definitions before its first change; it creates a missing file only
/// when it opens a case or `--create` is given. Any other command on a missing file is a usage error naming it.
struct EngineOptions {
    static let valued = ["--db", "--definitions", "--as", "--attribute", "--format"]
    /// `--create`: a command that changes cases may create the store when the file is missing. Read commands do not take it.
    static let create = "--create"

    /// The definition paths: every `--definitions`, or `Workflows/` and `Policies/` here.
    var definitions: [String]
    /// The database: `--db`, else `CASEWORK_DATABASE_URL`, else the file `casework.sqlite`; read by ``StoreLocation``
    /// (a `postgres://` URL names a PostgreSQL database, `sqlite:FILE` or any other text an SQLite file).
    var database: String
    /// Who is acting: `--as`, or the operator (recorded as `operator:cli`) when it is not given.
    var actor: CaseActor
    /// The `--attribute NAME=VALUE` texts, typed once the definitions are loaded (``attributes(in:)``).
    var attributeTexts: [String]
    /// Text or JSON output.
    var format: OutputFormat
    /// Whether `--create` was given.
    var create: Bool
    /// The definition cache, unless `--no-cache` or `CASEWORK_NO_CACHE=1` turned it off (``DefinitionCacheSetting``).
    var cache: DefinitionCache?

    /// The options of a command that offers `formats` for `--format`.
    init(_ parsed: ParsedArguments, formats: [OutputFormat] = [.text, .json]) throws(UsageError) {
        definitions = parsed.values["--definitions"] ?? ValidateCommand.defaultPaths()
        let fromEnvironment = ProcessEnvironment.value("CASEWORK_DATABASE_URL").flatMap { $0.isEmpty ? nil : $0 }
        database = try parsed.single("--db") ?? fromEnvironment ?? "casework.sqlite"
        if let text = try parsed.single("--as") {
            guard let actor = CaseActor(parsing: text) else {
                throw UsageError("'\(TerminalText.escape(text))' is not an actor",
                                 help: "write --as ROLE:ID for a person, ROLE@ORG for an organisation's account or ROLE:ID@ORG; ids use letters, digits, '-', '_' and '.'")
            }
            self.actor = actor
        } else {
            actor = .operator()
        }
        attributeTexts = parsed.values["--attribute"] ?? []
        if !attributeTexts.isEmpty, parsed.values["--as"] == nil {
            throw UsageError("--attribute describes the actor named by --as", help: "add --as ROLE:ID")
        }
        format = try OutputFormat.parse(try parsed.single("--format"), offered: formats)
        create = parsed.flags.contains(Self.create)
        cache = DefinitionCacheSetting.cache(parsed)
    }

    /// The actor's attributes, typed by the access policies in `catalog`.
    func attributes(in catalog: DefinitionCatalog) throws(EngineError) -> [String: ExpressionValue] {
        try ActorAttributes.parse(attributeTexts, catalog: catalog)
    }

    /// For a command that changes cases: loads and checks the definitions, opens the database to write (creating it
    /// when `creating` or `--create`), and starts an engine on `clock` (the system clock by default) that has recorded
    /// every definition version, or refused a changed one, before any change.
    func engine(clock: (any EngineClock)? = nil, creating: Bool = false) throws(EngineError) -> Engine {
        let catalog = try CommandCatalog.load(paths: definitions, cache: cache)
        let store = try open(creating || create ? .create : .readWrite)
        return try Engine(catalog: catalog, store: store, clock: clock ?? SystemClock())
    }

    /// For a command that only reads: loads and checks the definitions, opens the database read-only, and starts an
    /// engine that compares the definitions with the stored versions but records nothing.
    func reader() throws(EngineError) -> Engine {
        let catalog = try CommandCatalog.load(paths: definitions, cache: cache)
        let store = try open(.readOnly)
        return try Engine(catalog: catalog, store: store, recordingDefinitions: false)
    }

    /// Opens the database for `access` (``open(_:_:)``).
    private func open(_ access: SQLiteCaseStore.Options.Access) throws(EngineError) -> any CaseStore {
        do throws(StoreError) {
            return try Self.open(database, access)
        } catch {
            throw .store(error)
        }
    }

    /// Opens a store named as `--db` names one (``StoreLocation``), for `access`: a PostgreSQL database (its URL never
    /// printed: it may hold a password) or an SQLite file. A command does one thing at a time, so an SQLite file is
    /// read through its one writing connection; a store `servingConcurrently` (`casework serve`) reads through a
    /// connection of its own (``SQLiteCaseStore/Options/separateReader``), so reads do not queue behind commits.
    static func open(_ database: String, _ access: SQLiteCaseStore.Options.Access, servingConcurrently: Bool = false) throws(StoreError) -> any CaseStore {
        switch StoreLocation(database) {
        case .postgres(let url):
            let mode: PostgresCaseStore.Options.Access = switch access {
            case .create: .create
            case .readWrite: .readWrite
            case .readOnly: .readOnly
            }
            return try PostgresCaseStore(conninfo: url, options: .init(access: mode))
        case .sqlite(let path):
            return try SQLiteCaseStore(path: path, options: .init(access: access, separateReader: servingConcurrently))
        }
    }
}

/// The definitions a command runs on, loaded through the definition cache (``DefinitionCatalog/load(paths:cache:)``)
/// and kept until the next load or the end of the process, so a command's last step does not take apart the loaded
/// set, object by object, just before the process ends (about 3 % of a warm command's work after start:
/// docs/performance.md, Benchmarks, `cli`).
///
/// Keeping it changes nothing a command leaves behind: a catalog holds only memory (definitions, kept regions, compiled
/// expressions; no file, connection or store, which are the engine's and are still closed when the engine goes, so
/// a writing store still checkpoints and removes its `-wal` and `-shm` files), its parts do nothing when freed but
/// free memory, and the output is written as each command writes it (``StandardConsole`` writes straight to the
/// file). Only the latest catalog is kept, so a process running many commands (the tests) holds one at most.
enum CommandCatalog {
    /// The catalog of the definition files under `paths`, through `cache` (nil: none), kept until the next load.
    static func load(paths: [String], cache: DefinitionCache?) throws(EngineError) -> DefinitionCatalog {
        let catalog = try DefinitionCatalog.load(paths: paths, cache: cache)
        latest.withLock { $0 = catalog }
        return catalog
    }

    private static let latest = Mutex<DefinitionCatalog?>(nil)
}

/// Where a store is, as `--db`, `--from`, `--to` and `CASEWORK_DATABASE_URL` name one: read in this one place.
enum StoreLocation: Equatable {
    /// A PostgreSQL database: a `postgres://` or `postgresql://` URL, passed to libpq whole.
    case postgres(url: String)
    /// An SQLite file: `sqlite:FILE`, or any other text, which is the file's path.
    case sqlite(path: String)

    /// Reads a store's name.
    init(_ text: String) {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(url: text)
        } else if text.hasPrefix("sqlite:") {
            self = .sqlite(path: String(text.dropFirst("sqlite:".count)))
        } else {
            self = .sqlite(path: text)
        }
    }
}

/// Reads `--set FIELD=VALUE` arguments as typed values of the given fields. A field set twice is refused, never read
/// as the value given last.
package enum FieldArguments {
    package static func parse(_ assignments: [String], fields: [FieldDefinition]) throws(EngineError) -> [String: ExpressionValue] {
        let declared = FieldValues.types(of: fields)
        var values: [String: ExpressionValue] = [:]
        var problems: [InputProblem] = []
        var given = Set<String>()
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "=") else {
                problems.append(InputProblem(field: assignment, message: "write FIELD=VALUE"))
                continue
            }
            let field = String(assignment[..<equals])
            let text = String(assignment[assignment.index(after: equals)...])
            guard given.insert(field).inserted else {
                if !problems.contains(InputProblem(field: field, message: FieldValues.givenTwiceMessage)) {
                    problems.append(InputProblem(field: field, message: FieldValues.givenTwiceMessage))
                }
                continue
            }
            guard let type = declared[field] else {
                problems += FieldValues.check([field: .string(text)], against: fields)
                continue
            }
            switch FieldValues.parse(text, as: type) {
            case .success(let value): values[field] = value
            case .failure(let problem): problems.append(InputProblem(field: field, message: problem.message))
            }
        }
        guard problems.isEmpty else { throw .invalidInput(problems) }
        return values
    }
}

/// Runs an engine operation for a command: a refusal becomes one clear message naming its code
/// (`error[forbidden]: …`) and the exit status for that code. A missing store is a wrong command line
/// (a path that does not exist): `error: no Casework store at 'x.sqlite'` with help, exit 2.
enum EngineRun {
    static func run(console: some Console, _ body: () throws(EngineError) -> ExitStatus) -> ExitStatus {
        do {
            return try body()
        } catch .store(.missing(let path)) {
            console.err("error: no Casework store at '\(TerminalText.escape(path))'; nothing was created\n"
                        + "  help: check --db FILE; 'casework case open' creates a store, as does --create on a command that changes cases\n")
            return .usage
        } catch {
            console.err("error[\(error.code.rawValue)]: \(TerminalText.escape(error.description, keepingLineBreaks: true))\n")
            return .refused(error.code)
        }
    }
}

/// Whom a message is for, written as an actor is: `parent:jo`, `school@hillside-primary`, or the bare role
/// when the case names nobody for it.
enum RecipientText {
    static func describe(role: String, id: String?) -> String {
        switch id.flatMap(Principal.parsed) {
        case .organisation(let organisation)?: return "\(role)@\(organisation)"
        case .person(let person)?: return "\(role):\(person)"
        case nil: return id.map { "\(role):\(TerminalText.escape($0))" } ?? role
        }
    }
}

/// Text from a case or a caller made safe to print on a terminal: control characters (escapes, carriage
/// returns, line breaks that could forge a line of output) are shown as `\u{…}` escapes.
enum TerminalText {
    static func escape(_ text: String, keepingLineBreaks: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return text }
        var output = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control, !(keepingLineBreaks && scalar == "\n") {
                output += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}

/// JSON output shared by the case commands: sorted keys, slashes unescaped, a final newline.
enum JSONOutput {
    /// `object` pretty-printed with sorted keys and a final line break: `[]` for an empty array, `{}` for what is not
    /// JSON. Written by ``PrettyJSON``, or by `JSONSerialization` (the same bytes) when the tree holds a value
    /// ``PrettyJSON`` does not write.
    static func render(_ object: Any) -> String {
        if let array = object as? [Any], array.isEmpty { return "[]\n" }
        if let text = PrettyJSON.text(of: object) { return text + "\n" }
        guard JSONSerialization.isValidJSONObject(object),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Dotted field paths folded back into nested objects: `child.first_name` → `{"child": {"first_name": …}}`.
    static func nested(_ fields: [String: ExpressionValue]) -> [String: Any] {
        var root: [String: Any] = [:]
        for (path, value) in fields.sorted(by: { $0.key < $1.key }) {
            insert(value.plainJSON, at: path.split(separator: ".").map(String.init), into: &root)
        }
        return root
    }

    private static func insert(_ value: Any, at path: [String], into object: inout [String: Any]) {
        guard let head = path.first else { return }
        if path.count == 1 {
            object[head] = value
            return
        }
        var child = object[head] as? [String: Any] ?? [:]
        insert(value, at: Array(path.dropFirst()), into: &child)
        object[head] = child
    }

    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }
}

import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// `casework child add|show|list|set|grant|revoke|timeline`: the child records cases belong to, through the door, each change
/// audited in the child's own chain.
enum ChildCommand {
    /// Runs `child SUBCOMMAND` with the arguments after it.
    static func run(_ subcommand: String, _ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["child", subcommand].spec)
        let options = try EngineOptions(parsed)
        let changes = ["add", "set", "grant", "revoke"].contains(subcommand)
        if options.create, !changes {
            throw UsageError("--create is for commands that change records; 'child \(subcommand)' only reads", help: "leave out --create")
        }
        switch subcommand {
        case "add", "set": return try change(subcommand, parsed, options, console)
        case "show": return try show(parsed, options, console)
        case "list": return try list(parsed, options, console)
        case "timeline": return try ChildTimelineCommand.run(parsed, options, console)
        case "grant", "revoke": return try access(subcommand, parsed, options, console)
        default: throw CommandTable.unknown(subcommand, in: CommandTable["child"])
        }
    }

    /// `child add ID` and `child set ID`: identity fields (as text) and people.
    private static func change(_ subcommand: String, _ parsed: ParsedArguments, _ options: EngineOptions, _ console: some Console) throws(UsageError) -> ExitStatus {
        let id = try CaseCommand.positionals(parsed, ["ID"])[0]
        var fields: [String: ExpressionValue] = [:]
        for assignment in parsed.values["--set"] ?? [] {
            let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw UsageError("'\(TerminalText.escape(assignment))' is not FIELD=VALUE", help: "such as --set first_name=Sam") }
            guard fields.updateValue(.string(parts[1]), forKey: parts[0]) == nil else {
                throw UsageError("--set \(TerminalText.escape(parts[0])) is given more than once", help: "set each field once")
            }
        }
        let cleared = parsed.values["--clear"] ?? []
        if subcommand == "add", !cleared.isEmpty { throw UsageError("a new child has no fields to clear", help: "leave out --clear") }
        let given = parsed.values["--person"]
        let people = try given.map { (texts: [String]) throws(UsageError) in try texts.map { (text: String) throws(UsageError) in try person(text) } }
        let reason = try parsed.single("--reason")
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.engine(creating: subcommand == "add")
            let attributes = try options.attributes(in: engine.catalog)
            let record = subcommand == "add"
                ? try engine.addChild(id: id, fields: fields, people: people ?? [], as: options.actor, attributes: attributes, reason: reason)
                : try engine.changeChild(id: id, setting: fields, clearing: cleared, people: people, as: options.actor, attributes: attributes, reason: reason)
            console.out("child \(record.id) (revision \(record.revision))\n")
            return .success
        }
    }

    /// Reads `PRINCIPAL=RELATIONSHIP[,parental_responsibility][,from=DATE][,until=DATE]`.
    static func person(_ text: String) throws(UsageError) -> ChildPerson {
        let help = "such as --person jo=mother,parental_responsibility,from=2016-02-14"
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let principal = Principal.parsed(parts[0]) else {
            throw UsageError("'\(TerminalText.escape(text))' is not PRINCIPAL=RELATIONSHIP[,...]", help: help)
        }
        let items = parts[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var person = ChildPerson(principal: principal, relationship: items[0], parentalResponsibility: false)
        for item in items.dropFirst() {
            if item == "parental_responsibility" {
                person.parentalResponsibility = true
                continue
            }
            let pair = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, pair[0] == "from" || pair[0] == "until" else {
                throw UsageError("'\(TerminalText.escape(item))' in --person is not parental_responsibility, from=DATE or until=DATE", help: help)
            }
            guard let day = CalendarDate(pair[1]) else {
                throw UsageError("\(pair[0]) in --person needs a date as YYYY-MM-DD, found '\(TerminalText.escape(pair[1]))'", help: help)
            }
            if pair[0] == "from" { person.from = day } else { person.until = day }
        }
        return person
    }

    /// `child show ID`: the record as the actor may see it.
    private static func show(_ parsed: ParsedArguments, _ options: EngineOptions, _ console: some Console) throws(UsageError) -> ExitStatus {
        let id = try CaseCommand.positionals(parsed, ["ID"])[0]
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.reader()
            let attributes = try options.attributes(in: engine.catalog)
            let record = try engine.child(id, as: options.actor, attributes: attributes)
            let cases = try engine.cases(ofChild: id, as: options.actor, attributes: attributes).map(\.id)
            // A record kept from before the set's child definition (or an earlier version of it) is shown as stored, its
            // fields that do not fit the definition flagged, never changed or hidden.
            let misfits = engine.catalog.child.map { ChildFields.misfits(record.fields, declared: $0.fieldTypes) } ?? []
            if options.format == .json {
                var object: [String: Any] = ["id": record.id, "revision": record.revision, "fields": JSONOutput.nested(record.fields), "cases": cases]
                if !misfits.isEmpty { object["misfits"] = misfits.map { ["field": $0.field, "problem": $0.message] } }
                object["people"] = record.people.map { person -> [String: Any] in
                    var entry: [String: Any] = ["principal": person.principal.description, "relationship": person.relationship,
                                                "parental_responsibility": person.parentalResponsibility]
                    if let from = person.from { entry["from"] = from.description }
                    if let until = person.until { entry["until"] = until.description }
                    return entry
                }
                object["grants"] = record.grants.map { grant -> [String: Any] in
                    var entry: [String: Any] = ["to": grant.to.description, "level": grant.level]
                    if let from = grant.from { entry["from"] = from.description }
                    if let until = grant.until { entry["until"] = until.description }
                    return entry
                }
                console.out(JSONOutput.render(object))
                return .success
            }
            var text = "child \(record.id) (revision \(record.revision))\n"
            if !record.fields.isEmpty {
                text += "fields:\n"
                for (path, value) in record.fields.sorted(by: { $0.key < $1.key }) { text += "  \(path): \(TerminalText.escape(value.description))\n" }
            }
            if let child = engine.catalog.child, !misfits.isEmpty {
                text += "fields that do not fit child definition '\(child.id.value)' version \(child.version):\n"
                for misfit in misfits { text += "  \(TerminalText.escape(misfit.field)): \(TerminalText.escape(misfit.message))\n" }
            }
            if !record.people.isEmpty {
                text += "people:\n"
                for person in record.people {
                    var words = [TerminalText.escape(person.relationship)]
                    if person.parentalResponsibility { words.append("parental responsibility") }
                    if let from = person.from { words.append("from \(from)") }
                    if let until = person.until { words.append("until \(until)") }
                    text += "  \(person.principal): \(words.joined(separator: ", "))\n"
                }
            }
            if !record.grants.isEmpty {
                text += "grants:\n"
                for grant in record.grants {
                    let days = [grant.from.map { "from \($0)" }, grant.until.map { "until \($0)" }].compactMap { $0 }
                    text += "  \(grant.to): \(grant.level)\(days.isEmpty ? "" : ", " + days.joined(separator: ", "))\n"
                }
            }
            if !cases.isEmpty { text += "cases: \(cases.joined(separator: ", "))\n" }
            console.out(text)
            return .success
        }
    }

    /// `child list`: the child records the actor may see.
    private static func list(_ parsed: ParsedArguments, _ options: EngineOptions, _ console: some Console) throws(UsageError) -> ExitStatus {
        _ = try CaseCommand.positionals(parsed, [])
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.reader()
            for id in try engine.childIDs(visibleTo: options.actor, attributes: try options.attributes(in: engine.catalog)) { console.out("\(id)\n") }
            return .success
        }
    }

    /// `child grant ID` and `child revoke ID`: a grant for the child, covering its cases that have no grant of their own.
    private static func access(_ subcommand: String, _ parsed: ParsedArguments, _ options: EngineOptions, _ console: some Console) throws(UsageError) -> ExitStatus {
        let id = try CaseCommand.positionals(parsed, ["ID"])[0]
        guard parsed.values["--as"] != nil else { throw UsageError("say who is acting", help: "add --as ROLE:ID, such as --as send_manager:sam") }
        guard let toText = try parsed.single("--to") else { throw UsageError("say whose access changes", help: "add --to ID") }
        guard let to = Principal.parsed(toText) else {
            throw UsageError("'\(TerminalText.escape(toText))' is not a principal", help: "write a person's id, person:ID or organisation:ID")
        }
        guard let reason = try parsed.single("--reason") else { throw UsageError("say why", help: "add --reason \"...\"") }
        var grant = AccessGrant(to: to, level: "")
        if subcommand == "grant" {
            guard let level = try parsed.single("--level") else { throw UsageError("say which level", help: "add --level LEVEL, such as --level full") }
            grant.level = level
            grant.sections = try parsed.single("--sections").map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            // A malformed day is refused here, never read as a grant without that end.
            grant.from = try parsed.date("--from")
            grant.until = try parsed.date("--until")
        }
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.engine()
            let attributes = try options.attributes(in: engine.catalog)
            let record = subcommand == "grant"
                ? try engine.grantChildAccess(childID: id, grant: grant, as: options.actor, attributes: attributes, reason: reason)
                : try engine.revokeChildAccess(childID: id, to: to, as: options.actor, attributes: attributes, reason: reason)
            let level = record.grants.first { $0.to == to }?.level
            console.out("child \(id): \(to) \(level.map { "has \($0) access to every case of the child without its own grant" } ?? "has no grant for the child") (revision \(record.revision))\n")
            return .success
        }
    }
}

extension CommandTable {
    /// `casework child …`.
    static let child = CommandDeclaration(
        path: ["child"], summary: "the child records cases belong to: identity, people and grants covering every case of the child",
        subcommands: [
            CommandDeclaration(
                path: ["child", "add"], summary: "add a child record with its identity fields and people",
                arguments: [ArgumentDeclaration(name: "ID", help: "the council's id for the child")],
                options: [childSet, childPerson, childReason, create] + reading,
                examples: ["casework child add k-17 --set first_name=Sam --person jo=mother,parental_responsibility --as caseworker:ana"],
                note: "Needs edit on the child resource; audited as child_added in the child's own chain."),
            CommandDeclaration(
                path: ["child", "show"], summary: "show a child record and its cases, as the policy lets the actor see them",
                arguments: [ArgumentDeclaration(name: "ID", help: "the child's id")],
                options: [format] + reading + [createRefused],
                examples: ["casework child show k-17 --format json"],
                note: "People and grants only for those who may grant access to the child."),
            CommandDeclaration(
                path: ["child", "list"], summary: "the child records the actor may see",
                options: reading + [createRefused],
                examples: ["casework child list"]),
            CommandDeclaration(
                path: ["child", "set"], summary: "set or clear identity fields of a child record, or replace its people",
                arguments: [ArgumentDeclaration(name: "ID", help: "the child's id")],
                options: [childSet, OptionDeclaration(name: "--clear", value: "FIELD", help: "a field to clear", repeatable: true),
                          OptionDeclaration(name: "--person", value: "PRINCIPAL=RELATIONSHIP[,...]", help: "the people, all of them, replacing those recorded",
                                            repeatable: true),
                          childReason, create] + reading,
                examples: ["casework child set k-17 --set upn=A123456789012 --as caseworker:ana"],
                note: "Needs edit on the child resource; audited as child_changed."),
            CommandDeclaration(
                path: ["child", "grant"], summary: "give a principal access to every case of a child that has no grant of its own",
                arguments: [ArgumentDeclaration(name: "ID", help: "the child's id")],
                options: [
                    childTo,
                    OptionDeclaration(name: "--level", value: "LEVEL", help: "the access level the policy declares, such as full", required: true),
                    OptionDeclaration(name: "--sections", value: "S,S", help: "the sections of each case the grant covers"),
                    OptionDeclaration(name: "--from", value: "DATE", help: "the first day the grant holds (YYYY-MM-DD)"),
                    OptionDeclaration(name: "--until", value: "DATE", help: "the last day the grant holds (YYYY-MM-DD)"),
                    requiredChildReason, requiredActor, attribute, create, db, definitions, noCache,
                ],
                examples: ["casework child grant k-17 --to jo --level full --reason \"mother, parental responsibility\" --as send_manager:sam"],
                note: "A case's own grant for the same principal overrides it for that case. Needs grant on the child resource."),
            CommandDeclaration(
                path: ["child", "revoke"], summary: "remove a principal's grant for a child",
                arguments: [ArgumentDeclaration(name: "ID", help: "the child's id")],
                options: [childTo, requiredChildReason, requiredActor, attribute, create, db, definitions, noCache],
                examples: ["casework child revoke k-17 --to jo --reason \"court order\" --as send_manager:sam"]),
            CommandDeclaration(
                path: ["child", "timeline"], summary: "every case of the child the actor may see, their stages and messages merged in date order",
                arguments: [ArgumentDeclaration(name: "ID", help: "the child's id")],
                options: [format] + reading + [createRefused],
                examples: ["casework child timeline k-17 --as parent:jo --attribute relationship=parent --attribute second_factor_verified=true"],
                note: "Each case admitted as by case timeline; cases the actor may not see are left out unmentioned; one who may not see the child is refused as for a missing child."),
        ])

    /// `--set FIELD=VALUE` on a child: an identity field, as text.
    private static let childSet = OptionDeclaration(name: "--set", value: "FIELD=VALUE", help: "an identity field, as text (read as its declared type when the set has a child definition)", repeatable: true)
    /// `--person` on `child add`.
    private static let childPerson = OptionDeclaration(name: "--person", value: "PRINCIPAL=RELATIONSHIP[,...]",
                                                       help: "a person: ,parental_responsibility ,from=DATE ,until=DATE may follow", repeatable: true)
    /// `--reason TEXT` where it may be left out.
    private static let childReason = OptionDeclaration(name: "--reason", value: "TEXT", help: "why, recorded in the child's audit")
    /// `--reason TEXT` where it must be given.
    private static let requiredChildReason = OptionDeclaration(name: "--reason", value: "TEXT", help: "why, recorded in the child's audit", required: true)
    /// `--to PRINCIPAL` of a child grant.
    private static let childTo = OptionDeclaration(name: "--to", value: "PRINCIPAL", help: "whose access changes: a person's id, person:ID or organisation:ID",
                                                   required: true)
}

import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// `casework case open|fire|show|history|transitions|timeline|list|migrate` (`case participant` is ``ParticipantCommand``).
enum CaseCommand {
    /// Runs `case SUBCOMMAND` with the arguments after it, parsed by the subcommand's entry in the ``CommandTable``.
    static func run(_ subcommand: String, _ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        if subcommand == "migrate" { return try MigrateCommand.run(arguments, console: console) }
        let parsed = try ParsedArguments(arguments, spec: CommandTable["case", subcommand].spec)
        let options = try EngineOptions(parsed)
        if options.create, subcommand != "open", subcommand != "fire" {
            throw UsageError("--create is for commands that change cases; 'case \(subcommand)' only reads", help: "leave out --create")
        }
        switch subcommand {
        case "open": return try open(parsed, options, console)
        case "fire": return try fire(parsed, options, console)
        case "show": return try show(parsed, options, console)
        case "history": return try history(parsed, options, console)
        case "transitions": return try transitions(parsed, options, console)
        case "list": return try list(parsed, options, console)
        case "timeline": return try TimelineCommand.run(parsed, options, console)
        default: throw CommandTable.unknown(subcommand, in: CommandTable["case"])
        }
    }

    static func positionals(_ parsed: ParsedArguments, _ names: [String]) throws(UsageError) -> [String] {
        guard parsed.positionals.count == names.count else {
            let found = parsed.positionals.isEmpty ? "nothing" : parsed.positionals.map { "'\($0)'" }.joined(separator: " ")
            throw UsageError("expected \(names.joined(separator: " ")), found \(found)")
        }
        return parsed.positionals
    }

    private static func open(_ parsed: ParsedArguments, _ options: EngineOptions, _ console: some Console) throws(UsageError) -> ExitStatus {
        let workflowID = try positionals(parsed, ["WORKFLOW"])[0]
        var entries: [(String, String)] = []
        for binding in parsed.values["--participant"] ?? [] {
            let parts = binding.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else {
                throw UsageError("'\(TerminalText.escape(binding))' is not ROLE=PRINCIPAL", help: "such as --participant school=organisation:hillside-primary or --participant parent=jo")
            }
            entries.append((parts[0], parts[1]))
        }
        let participants = CaseParticipants(entries: entries)
        let caseID = try parsed.single("--id")
        let key = try parsed.single("--key")
        let child = try parsed.single("--child")
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.engine(creating: true)
            guard let workflow = engine.catalog.workflows[workflowID] else {
                throw .unknownWorkflow(workflowID, suggestion: NameSuggester.suggest(workflowID, from: engine.catalog.workflows.keys.sorted()))
            }
            let fields = try FieldArguments.parse(parsed.values["--set"] ?? [], fields: workflow.definition.fields)
            let result = try engine.open(workflow: workflowID, as: options.actor, caseID: caseID, fields: fields, participants: participants,
                                         idempotencyKey: key, attributes: try options.attributes(in: engine.catalog), child: child)
            console.out(result.record.id + (result.replayed ? " (already done with this key; nothing changed)" : "") + "\n")
            return .success
        }
    }

    private static func fire(_ parsed: ParsedArguments, _ options: EngineOptions, _ console: some Console) throws(UsageError) -> ExitStatus {
        let names = try positionals(parsed, ["CASE", "TRANSITION"])
        var expected: Int?
        if let text = try parsed.single("--expect-revision") {
            guard let revision = Int(text), revision >= 1 else { throw UsageError("--expect-revision needs a whole number of 1 or more, found '\(text)'") }
            expected = revision
        }
        let key = try parsed.single("--key")
        let effectiveOn = try parsed.date("--on")
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.engine()
            let attributes = try options.attributes(in: engine.catalog)
            // Typing `--set` values needs the case's workflow, read through the door (`submit` on `case`, as the fire
            // itself asks). With none given there is nothing to type, and the fire's own admission, the same question
            // on the same case and the first thing it does, refuses exactly what this one would: asking it twice
            // would read and decide the case twice.
            let assignments = parsed.values["--set"] ?? []
            let input: [String: ExpressionValue]
            if assignments.isEmpty {
                input = [:]
            } else {
                let workflow = try engine.workflowDefinition(ofCase: names[0], as: options.actor, attributes: attributes)
                input = try FieldArguments.parse(assignments, fields: workflow.fields)
            }
            let result = try engine.fire(FireRequest(caseID: names[0], transition: names[1], actor: options.actor, input: input,
                                                     expectedRevision: expected, idempotencyKey: key, attributes: attributes, effectiveOn: effectiveOn))
            let note = result.replayed ? " (already done with this key; nothing changed)" : ""
            console.out("\(result.record.id): \(result.record.state) (revision \(result.record.revision))\(note)\n")
            return .success
        }
    }

    /// The case as JSON: the fixed keys `id`, `workflow`, `workflow_version`, `definition_snapshot`, `state`, `revision`, `fields`, `forms`, and more.
    /// `child` names the child record the case belongs to, only when it belongs to one.
    static func json(_ record: CaseRecord, title: String?, today: CalendarDate) -> [String: Any] {
        var object: [String: Any] = [
            "id": record.id,
            "workflow": record.workflow,
            "workflow_version": record.workflowVersion,
            "definition_snapshot": record.definitionSnapshot ?? NSNull(),
            "state": record.state,
            "state_title": title ?? record.state,
            "revision": record.revision,
            "fields": JSONOutput.nested(record.fields),
            "participants": record.participants.byRole,
            "links": linksJSON(record.links),
            "notices_sent": record.noticesSent.map { ["message": $0.message, "sent_by": $0.sentBy, "route": $0.route, "sent_on": $0.sentOn.description] },
            "opened_at": JSONOutput.iso(record.openedAt),
            "deadlines": record.deadlines.map { clock -> [String: Any] in
                [
                    "name": clock.name, "state": clock.status.rawValue, "started_on": clock.startedOn.description,
                    "due_on": clock.dueOn.description, "days_left": today.days(to: clock.dueOn), "paused_days": clock.pausedDays,
                    "met_on": clock.metOn?.description ?? NSNull(), "breached_on": clock.breachedOn?.description ?? NSNull(),
                    "reason": clock.reason ?? NSNull(),
                ]
            },
            "updated_at": JSONOutput.iso(record.updatedAt),
            "forms": record.forms.map { instance -> [String: Any] in
                var object: [String: Any] = [
                    "id": instance.id, "form": instance.form, "form_version": instance.formVersion,
                    "recipient_role": instance.recipientRole, "status": instance.status.rawValue,
                    "due_on": instance.dueOn.description, "submissions": instance.submissions,
                    "fields": JSONOutput.nested(instance.fields),
                ]
                object["recipient_id"] = instance.recipientID ?? NSNull()
                object["information_required"] = instance.informationRequired ?? NSNull()
                return object
            },
        ]
        if let child = record.child { object["child"] = child }
        return object
    }

    private static func show(_ parsed: ParsedArguments, _ options: EngineOptions, _ console: some Console) throws(UsageError) -> ExitStatus {
        let caseID = try positionals(parsed, ["CASE"])[0]
        if !options.actor.isOperator { return showAs(caseID, options, console) }
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.reader()
            let record = try engine.caseRecord(caseID, as: options.actor)
            let workflow = try engine.workflowDefinition(ofCase: caseID, as: options.actor)
            let title = workflow.states.first { $0.name.value == record.state }?.title
            if options.format == .json {
                console.out(JSONOutput.render(json(record, title: title, today: CalendarDate(Date()))))
                return .success
            }
            var text = "case \(record.id): \(workflow.title) (version \(record.workflowVersion))\n"
            text += "state: \(record.state) (\(title ?? record.state)), revision \(record.revision)\n"
            if !record.fields.isEmpty {
                text += "fields:\n"
                for (path, value) in record.fields.sorted(by: { $0.key < $1.key }) { text += "  \(path): \(TerminalText.escape(value.description))\n" }
            }
            if !record.deadlines.isEmpty {
                text += "deadlines:\n"
                let today = CalendarDate(Date())
                for clock in record.deadlines {
                    let left = today.days(to: clock.dueOn)
                    let time = clock.status == .running ? ", \(abs(left)) day\(abs(left) == 1 ? "" : "s") \(left >= 0 ? "left" : "overdue")" : ""
                    text += "  \(clock.name): \(clock.status.rawValue), due \(clock.dueOn)\(time)\n"
                }
            }
            if !record.forms.isEmpty {
                text += "forms:\n"
                for form in record.forms {
                    let who = form.recipientID.map { "\(form.recipientRole) (\($0))" } ?? form.recipientRole
                    text += "  \(form.id) for \(who): \(form.status.rawValue), due \(form.dueOn)\n"
                }
            }
            if !record.participants.isEmpty {
                text += "participants:\n"
                for role in record.participants.roles {
                    text += "  \(role): \(record.participants[role].map { TerminalText.escape($0) }.joined(separator: ", "))\n"
                }
            }
            text += linksText(record.links)
            let owed = try engine.owedNotices(caseID: caseID, as: options.actor)
            if !owed.isEmpty {
                text += "notices owed by another route:\n"
                for notice in owed {
                    let to = RecipientText.describe(role: notice.message.recipientRole, id: notice.message.recipientID)
                    let state = notice.sent.map { "sent by \(TerminalText.escape($0.route)) on \($0.sentOn)" } ?? "not yet sent"
                    text += "  \(notice.message.id) to \(to): \(TerminalText.escape(notice.message.subject)) (\(state))\n"
                }
            }
            console.out(text)
            return .success
        }
    }

    /// The case as one actor may see it, as JSON: the fixed keys `id`, `workflow`, `fields`, `withheld`, `reasons`, `links`
    /// (the linked cases the actor may see), and `state` and `deadlines` when the actor may see them.
    static func json(_ view: CaseView) -> [String: Any] {
        var object: [String: Any] = ["id": view.id, "workflow": view.workflow, "fields": JSONOutput.nested(view.fields),
                                     "withheld": view.withheld, "reasons": view.reasons]
        if let state = view.state { object["state"] = state }
        if let child = view.child { object["child"] = child }
        object["links"] = linksJSON(view.links)
        if let deadlines = view.deadlines {
            object["deadlines"] = deadlines.map { ["name": $0.name, "state": $0.status.rawValue, "due_on": $0.dueOn.description] }
        }
        return object
    }

    /// One audit event as `case history --format json` prints it (and `GET /v1/cases/{case}/history` answers it);
    /// `via` is `{"kind", "name"}` for a step that came through a service or an identity provider, null otherwise.
    static func json(_ event: AuditEvent) -> [String: Any] {
        [
            "sequence": event.sequence, "at": JSONOutput.iso(event.at), "actor": event.actor.description,
            "action": event.action, "subject": event.subject ?? NSNull(), "from_state": event.fromState ?? NSNull(),
            "to_state": event.toState, "revision": event.revision, "input": JSONOutput.nested(event.input),
            "previous_hash": event.previousHash, "hash": event.hash,
            "via": event.via.map { ["kind": $0.kind.rawValue, "name": $0.name] as [String: Any] } ?? NSNull(),
        ]
    }

    /// A case's links as JSON: each `{name, case, workflow, role}`.
    static func linksJSON(_ links: [CaseLink]) -> [[String: Any]] {
        links.map { ["name": $0.name, "case": $0.caseID, "workflow": $0.workflow, "role": $0.role.rawValue] }
    }

    /// The lines of `case show` that name a case's linked cases, when it has any.
    static func linksText(_ links: [CaseLink]) -> String {
        guard !links.isEmpty else { return "" }
        return "linked cases:\n" + links.map { link in
            "  \(link.role == .opened ? link.name : "opened by") \(TerminalText.escape(link.caseID)) (\(link.workflow))\n"
        }.joined()
    }

    /// `case show CASE --as …`: only what the access policy lets that actor see.
    private static func showAs(_ caseID: String, _ options: EngineOptions, _ console: some Console) -> ExitStatus {
        EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.reader()
            let view = try engine.view(caseID: caseID, as: options.actor, attributes: try options.attributes(in: engine.catalog))
            if options.format == .json {
                console.out(JSONOutput.render(json(view)))
                return .success
            }
            var text = "case \(view.id) as \(options.actor)\n"
            if let state = view.state { text += "state: \(state)\n" }
            for deadline in view.deadlines ?? [] { text += "deadline \(deadline.name): \(deadline.status.rawValue), due \(deadline.dueOn)\n" }
            for (path, value) in view.fields.sorted(by: { $0.key < $1.key }) { text += "  \(path): \(TerminalText.escape(value.description))\n" }
            text += linksText(view.links)
            if !view.withheld.isEmpty { text += "withheld: \(view.withheld.joined(separator: ", "))\n" }
            for reason in view.reasons { text += "  because \(TerminalText.escape(reason))\n" }
            console.out(text)
            return .success
        }
    }

    private static func history(_ parsed: ParsedArguments, _ options: EngineOptions, _ console: some Console) throws(UsageError) -> ExitStatus {
        let caseID = try positionals(parsed, ["CASE"])[0]
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.reader()
            let events = try engine.history(caseID, as: options.actor, attributes: try options.attributes(in: engine.catalog))
            if options.format == .json {
                console.out(JSONOutput.render(events.map(json)))
                return .success
            }
            var text = ""
            for event in events {
                let move = event.fromState.map { $0 == event.toState ? event.toState : "\($0) -> \(event.toState)" } ?? event.toState
                let via = event.via.map { " via \($0)" } ?? ""
                let line = "\(event.sequence). \(JSONOutput.iso(event.at)) \(event.actor)\(via) \(event.action)\(event.subject.map { " \($0)" } ?? ""): \(move)"
                text += TerminalText.escape(line) + "\n"
            }
            console.out(text)
            return .success
        }
    }

    private static func transitions(_ parsed: ParsedArguments, _ options: EngineOptions, _ console: some Console) throws(UsageError) -> ExitStatus {
        let caseID = try positionals(parsed, ["CASE"])[0]
        return EngineRun.run(console: console) { () throws(EngineError) in
            var text = ""
            let engine = try options.reader()
            for transition in try engine.availableTransitions(caseID: caseID, as: options.actor, attributes: try options.attributes(in: engine.catalog)) {
                if transition.blockers.isEmpty {
                    text += "\(transition.name): can fire\n"
                } else {
                    text += "\(transition.name): blocked\n" + transition.blockers.map { "  - \(TerminalText.escape($0.message))\n" }.joined()
                }
            }
            console.out(text)
            return .success
        }
    }

    private static func list(_ parsed: ParsedArguments, _ options: EngineOptions, _ console: some Console) throws(UsageError) -> ExitStatus {
        _ = try positionals(parsed, [])
        let child = try parsed.single("--child")
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.reader()
            let attributes = try options.attributes(in: engine.catalog)
            let summaries: [CaseSummary]
            if let child {
                summaries = try engine.cases(ofChild: child, as: options.actor, attributes: attributes)
            } else {
                summaries = try engine.cases(visibleTo: options.actor, attributes: attributes)
            }
            for summary in summaries {
                if let damage = summary.damage {
                    console.out("\(summary.id)\tdamaged: \(TerminalText.escape(damage))\n")
                } else {
                    console.out("\(summary.id)\t\(summary.workflow)\t\(summary.state)\trevision \(summary.revision)\n")
                }
            }
            return .success
        }
    }
}

import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkSQLite
import CaseworkStore
import CaseworkTime
import Foundation

/// `casework demo [--db FILE]`: one whole EHC needs assessment, request to final plan, on SQLite with a scripted clock,
/// printed as the timeline a SEND manager would show their team.
enum DemoCommand {

    /// One step of the story: a day, who acts, and what they do.
    private struct Step {
        var day: String
        var note: String
        var act: (Engine, Actors) throws(EngineError) -> [String]
    }

    /// The people in the story.
    private struct Actors {
        let parent = CaseActor(role: "parent", id: "jo-parent")
        let caseworker = CaseActor(role: "caseworker", id: "ana-caseworker")
        let manager = CaseActor(role: "send_manager", id: "sam-send-manager")
        let psychologist = CaseActor.organisation("county-ep-service", role: "educational_psychology")
        let health = CaseActor.organisation("nhs-community-trust", role: "health")
        let socialCare = CaseActor.organisation("county-social-care", role: "social_care")
        let school = CaseActor.organisation("hillside-primary", role: "school")
        /// The narrator reads the case and the outbox as the operator does.
        let narrator = CaseActor.operator("demo")
    }

    static func run(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["demo"].spec)
        let path = try parsed.single("--db") ?? FileManager.default.temporaryDirectory.appendingPathComponent("casework-demo-\(UUID().uuidString).sqlite").path
        guard !FileManager.default.fileExists(atPath: path) else {
            throw UsageError("'\(path)' already exists; the demo writes a new database", help: "name a new file with --db, or leave --db out")
        }
        let definitions = parsed.values["--definitions"] ?? ValidateCommand.defaultPaths()
        return EngineRun.run(console: console) { () throws(EngineError) in
            let catalog = try DefinitionCatalog.load(paths: definitions)
            let store: SQLiteCaseStore
            do throws(StoreError) { store = try SQLiteCaseStore(path: path) } catch { throw .store(error) }
            let clock = ManualClock(CalendarDate("2025-09-01")!.start().addingTimeInterval(9 * 3600))
            let engine = try Engine(catalog: catalog, store: store, clock: clock)
            console.out(try story(engine: engine, clock: clock, database: path))
            return .success
        }
    }

    /// How each person appears to the portal policy: their relationship, signed in with the second factor.
    private static func attributes(_ actor: CaseActor) -> [String: ExpressionValue] {
        let relationship: String
        switch actor.role {
        case "parent": relationship = "parent"
        case "caseworker", "send_manager": relationship = "caseworker"
        default: relationship = "professional"
        }
        return ["relationship": .string(relationship), "second_factor_verified": .bool(true)]
    }

    private static func fire(_ engine: Engine, _ transition: String, _ actor: CaseActor, _ input: [String: ExpressionValue] = [:]) throws(EngineError) -> [String] {
        let result = try engine.fire(FireRequest(caseID: caseID, transition: transition, actor: actor, input: input, attributes: attributes(actor)))
        return ["\(actor) fired '\(transition)': now \(result.record.state)"]
    }

    private static func date(_ text: String) -> ExpressionValue { .date(CalendarDate(text)!) }

    private static let caseID = "demo-ehcna-1"

    private static var steps: [Step] {
        [
            Step(day: "2025-09-01", note: "The parent asks for an EHC needs assessment through the portal") { engine, people throws(EngineError) in
                _ = try engine.open(workflow: "ehcp-needs-assessment", as: people.parent, caseID: caseID, fields: [
                    "requested_on": date("2025-09-01"), "requested_by": .string("parent"), "decisions_by": .string("parent"),
                    "child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": date("2016-02-14"),
                    "current_setting": .string("Hillside Primary"),
                ], participants: [
                    "school": people.school.principal.description, "health": people.health.principal.description,
                    "social_care": people.socialCare.principal.description, "educational_psychology": people.psychologist.principal.description,
                    "parent": people.parent.principal.description,
                ], attributes: attributes(people.parent))
                return ["\(people.parent) opened case \(caseID)"]
            },
            Step(day: "2025-09-01", note: "The SEND service confirms the parent's identity and gives them access") { engine, people throws(EngineError) in
                try grant(engine, people, to: people.parent.principal, "holds parental responsibility; identity checked")
            },
            Step(day: "2025-09-02", note: "The caseworker acknowledges the request") { engine, people throws(EngineError) in
                try fire(engine, "acknowledge_request", people.caseworker)
            },
            Step(day: "2025-10-06", note: "Tick: a week before the 6-week decision is due") { engine, _ throws(EngineError) in try tick(engine) },
            Step(day: "2025-10-07", note: "The caseworker records that the panel has the evidence it needs") { engine, people throws(EngineError) in
                try fire(engine, "record_evidence", people.caseworker, ["evidence_complete": .bool(true)])
            },
            Step(day: "2025-10-08", note: "Panel agrees to assess; the four services get access and are asked for advice") { engine, people throws(EngineError) in
                var lines: [String] = []
                for service in [people.psychologist, people.health, people.socialCare, people.school] {
                    lines += try grant(engine, people, to: service.principal, "advice requested for the EHC needs assessment")
                }
                return lines + (try fire(engine, "agree_to_assess", people.manager, [
                    "assessment_decision_on": date("2025-10-08"), "advice_requested_on": date("2025-10-08"),
                ]))
            },
            Step(day: "2025-10-13", note: "Hillside Primary closes until 21 November for building work; its advice was asked for in the week before (Regs 8(2))") {
                engine, people throws(EngineError) in
                let result = try engine.excuseDeadline(caseID: caseID, deadline: "gather_advice", as: people.manager,
                                                       reason: "advice asked of Hillside Primary on 8 October, within a week of its closing for more than 4 weeks",
                                                       exception: "reg-8-2-setting-closed", attributes: attributes(people.manager))
                return ["\(people.manager) excused 'gather_advice' under reg-8-2-setting-closed (revision \(result.record.revision))"]
            },
            Step(day: "2025-11-03", note: "The educational psychologist submits advice") { engine, people throws(EngineError) in
                try submit(engine, "professional-advice-1", people.psychologist, "Needs support with reading and working memory")
            },
            Step(day: "2025-11-05", note: "Health submits advice; the caseworker returns it for the therapy hours") { engine, people throws(EngineError) in
                let submitted = try submit(engine, "professional-advice-2", people.health, "Occupational therapy recommended")
                _ = try engine.rejectForm(caseID: caseID, instance: "professional-advice-2", as: people.caseworker,
                                          informationRequired: "Please say how many hours of occupational therapy a week, and for how long",
                                          attributes: attributes(people.caseworker))
                return submitted + ["\(people.caseworker) rejected professional-advice-2 with the information required"]
            },
            Step(day: "2025-11-10", note: "Social care submits advice") { engine, people throws(EngineError) in
                try submit(engine, "professional-advice-3", people.socialCare, "No social care needs related to SEN")
            },
            Step(day: "2025-11-12", note: "Health resubmits with the hours") { engine, people throws(EngineError) in
                try submit(engine, "professional-advice-2", people.health, "Occupational therapy, 1 hour a week for 2 terms")
            },
            Step(day: "2025-11-26", note: "The school submits its advice; the caseworker accepts all four") { engine, people throws(EngineError) in
                var lines = try submit(engine, "professional-advice-4", people.school, "Small-group literacy support daily")
                for form in 1...4 {
                    _ = try engine.acceptForm(caseID: caseID, instance: "professional-advice-\(form)", as: people.caseworker, attributes: attributes(people.caseworker))
                }
                lines.append("\(people.caseworker) accepted the four advice forms")
                return lines
            },
            Step(day: "2025-11-27", note: "Advice complete: the case goes to panel") { engine, people throws(EngineError) in
                try fire(engine, "complete_assessment", people.caseworker)
            },
            Step(day: "2025-12-03", note: "Panel agrees to issue a plan") { engine, people throws(EngineError) in
                try fire(engine, "agree_to_issue", people.manager, ["issue_decision_on": date("2025-12-03")])
            },
            Step(day: "2025-12-10", note: "The draft plan is sent; 15 days for representations") { engine, people throws(EngineError) in
                try fire(engine, "issue_draft_plan", people.caseworker, ["draft_issued_on": date("2025-12-10")])
            },
            Step(day: "2025-12-15", note: "The parent comments and asks for Hillside Primary") { engine, people throws(EngineError) in
                try fire(engine, "make_representations", people.parent, ["requested_school": .string("Hillside Primary")])
            },
            Step(day: "2025-12-16", note: "The caseworker consults Hillside Primary") { engine, people throws(EngineError) in
                try fire(engine, "consult_requested_school", people.caseworker, [
                    "consulted_school": .string("Hillside Primary"), "consultation_sent_on": date("2025-12-16"),
                ])
            },
            Step(day: "2025-12-22", note: "Tick: four weeks before the 20-week limit") { engine, _ throws(EngineError) in try tick(engine) },
            Step(day: "2026-01-07", note: "Hillside Primary agrees to be named") { engine, people throws(EngineError) in
                try fire(engine, "record_school_response", people.school, ["school_response": .string("agrees"), "school_response_on": date("2026-01-07")])
            },
            Step(day: "2026-01-12", note: "Tick: one week before the 20-week limit") { engine, _ throws(EngineError) in try tick(engine) },
            Step(day: "2026-01-20", note: "Tick: the 20-week limit has passed") { engine, _ throws(EngineError) in try tick(engine) },
            Step(day: "2026-01-23", note: "The final plan is issued, three days late") { engine, people throws(EngineError) in
                try fire(engine, "issue_final_plan", people.manager, [
                    "named_school": .string("Hillside Primary"), "final_plan_issued_on": date("2026-01-23"),
                    "mediation_adviser_contact": .string("County Mediation Service, 01234 567890"),
                    "mediation_contact": .string("the SEND team, send@county.example"),
                ])
            },
        ]
    }

    private static func submit(_ engine: Engine, _ form: String, _ actor: CaseActor, _ summary: String) throws(EngineError) -> [String] {
        let fields = try engine.formDefinition(caseID: caseID, instance: form, as: actor, attributes: attributes(actor)).fields
        var answers: [String: ExpressionValue] = [:]
        for (path, type) in FieldValues.flatten(fields) where answers.isEmpty && (type == .text || type == .string) {
            answers[path] = .string(summary)
        }
        _ = try engine.submitForm(caseID: caseID, instance: form, as: actor, fields: answers, attributes: attributes(actor))
        return ["\(actor) submitted \(form)"]
    }

    private static func grant(_ engine: Engine, _ people: Actors, to grantee: Principal, _ reason: String) throws(EngineError) -> [String] {
        _ = try engine.grantAccess(caseID: caseID, grant: AccessGrant(to: grantee, level: "full"), as: people.caseworker,
                                   attributes: attributes(people.caseworker), reason: reason)
        return ["\(people.caseworker) gave \(grantee) full access"]
    }

    private static func tick(_ engine: Engine) throws(EngineError) -> [String] {
        let actions = try engine.tick()
        return actions.isEmpty ? ["nothing due"] : actions.map { action in
            "tick: \(["breach": "BREACH of", "close": "closed"][action.kind] ?? "reminder for") '\(action.deadline)' (due \(action.dueOn))"
        }
    }

    /// A day as a timeline shows it: `Mon  1 Sep 2025`.
    private static func longDate(_ day: CalendarDate) -> String {
        let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let dayText = day.day < 10 ? " \(day.day)" : "\(day.day)"
        return "\(weekdays[day.weekday - 1]) \(dayText) \(months[day.month - 1]) \(day.year)"
    }

    private static func story(engine: Engine, clock: ManualClock, database: String) throws(EngineError) -> String {
        let people = Actors()
        var text = "Casework demo: one EHC needs assessment, request to final plan\n"
        text += "database: \(database) (SQLite, WAL, synchronous=FULL); clock: scripted\n"
        var sentBefore = 0
        for step in steps {
            let day = CalendarDate(step.day)!
            clock.set(day.start().addingTimeInterval(9 * 3600))
            text += "\n\(longDate(day))  \(step.note)\n"
            for line in try step.act(engine, people) { text += "    \(line)\n" }
            let record = try engine.caseRecord(caseID, as: people.narrator)
            let messages = try engine.outbox(caseID: caseID, as: people.narrator)
            for message in messages.dropFirst(sentBefore) {
                let to = RecipientText.describe(role: message.recipientRole, id: message.recipientID)
                if let reason = message.owedReason {
                    text += "    owed to \(to) by another route (\(reason)): \(message.subject)\n"
                } else {
                    text += "    notified \(to): \(message.subject)\n"
                }
            }
            sentBefore = messages.count
            let running = record.deadlines.filter { $0.status == .running || $0.status == .paused }
            let deadlines = engine.catalog.workflows[record.workflow]?.definition.deadlines ?? []
            for clockRecord in running {
                let left = day.days(to: clockRecord.dueOn)
                let isWindow = deadlines.first { $0.name.value == clockRecord.name }?.kind == .window
                let when = clockRecord.status == .paused ? "paused"
                    : left >= 0 ? "\(left) days left" : isWindow ? "ended \(-left) days ago" : "\(-left) days overdue"
                text += "    clock \(clockRecord.name): due \(clockRecord.dueOn), \(when)\n"
            }
        }
        let record = try engine.caseRecord(caseID, as: people.narrator)
        text += "\nStatutory time limits for case \(caseID)\n"
        for clockRecord in record.deadlines {
            var outcome = clockRecord.status.rawValue
            if let met = clockRecord.metOn { outcome += ", met on \(met)" }
            if let breached = clockRecord.breachedOn { outcome += ", breached on \(breached)" }
            if clockRecord.pausedDays > 0 { outcome += ", paused \(clockRecord.pausedDays) days" }
            text += "  \(clockRecord.name.padding(toLength: 26, withPad: " ", startingAt: 0)) started \(clockRecord.startedOn), due \(clockRecord.dueOn): \(outcome)\n"
        }
        let verification = try engine.verifyAudit(caseID, as: people.narrator)
        let messages = try engine.outbox(caseID: caseID, as: people.narrator)
        let owed = messages.filter { $0.channel == .other }.count
        text += "\nfinal state: \(record.state), revision \(record.revision); \(messages.count) notifications in the outbox, \(owed) of them owed by another route; "
            + "audit chain: \(verification == .intact(events: record.revision) ? "intact" : "\(verification)")\n"
        return text
    }
}

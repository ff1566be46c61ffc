import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkSQLite
import CaseworkStore
import CaseworkTime
import CaseworkYAML
import Foundation

/// Runs checked scenarios through the engine's own doors, each on a fresh store (in memory, or a new SQLite file when
/// the scenario says `store: sqlite`) with a scripted clock, and
/// turns every expectation that does not hold into a located diagnostic whose notes tell what the steps before it did.
///
/// It decides nothing itself: firing, forms, clocks, grants, timelines and access decisions are the engine's and the
/// policy's, exactly as the command line's `case fire`, `form`, `tick`, `deadline`, `access`, `timeline` and `decide` call them.
package struct ScenarioRunner {
    /// The definitions every scenario runs on.
    let catalog: DefinitionCatalog

    /// A runner on `catalog`.
    package init(catalog: DefinitionCatalog) { self.catalog = catalog }

    /// The operator who opens the case and records the `given:` grants, as the SEND service's set-up would.
    static let setup = CaseActor.operator("scenario")

    /// What one step did.
    private enum Outcome {
        case done
        case refused(EngineError)
        case decided(AccessDecision)
        case timeline(CaseTimeline)
        case timeliness(TimelinessReport)
        case childTimeline(ChildTimeline)
        case document(DocumentRead)
    }

    /// A document version as a step's actor read it through the door: the version as shown, the text of each part
    /// shown (by section, `""` for the whole), why a part shown could not be read, and the parts withheld whose bytes
    /// the door gave anyway (which must never happen).
    struct DocumentRead {
        let view: DocumentView
        var texts: [String: String] = [:]
        var unreadable: [String: String] = [:]
        var leaked: [String] = []
    }

    /// The failed expectations of `scenario` (empty when it passes), which must have been checked without errors.
    package func run(_ scenario: Scenario) -> [Diagnostic] {
        guard let loaded = catalog.workflows[scenario.workflow.value] else { return [] }
        let clock = ManualClock(Self.morning(scenario.today.value))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-scenario-\(UUID().uuidString)")
        defer { if scenario.store == .sqlite { try? FileManager.default.removeItem(at: directory) } }
        let engine: Engine
        do throws(EngineError) {
            engine = try Engine(catalog: catalog, store: Self.store(scenario.store, in: directory), clock: clock)
        } catch {
            return [Diagnostic(.scenarioSetupFailed(reason: Self.oneLine(error)), at: scenario.name.range)]
        }
        let policy = loaded.definition.policy.flatMap { catalog.policies[$0.value] }
        var actors: [String: (actor: CaseActor, attributes: [String: ExpressionValue])] = [:]
        for written in scenario.actors {
            let attributes = ScenarioValues.typed(written.attributes, types: ScenarioValues.attributeTypes(policy), referrer: "").values
            actors[written.name.value] = (CaseActor(role: written.role.value, id: written.id, organisation: written.organisation), attributes)
        }
        let participants = CaseParticipants(entries: scenario.participants.flatMap { role, names in
            names.compactMap { name in actors[name.value].map { (role.value, $0.actor.principal.description) } }
        })
        let caseID = scenario.caseID
        if let child = scenario.child, let failed = Self.addChild(child, to: engine, actors: actors) { return [failed] }
        do throws(EngineError) {
            _ = try engine.open(workflow: scenario.workflow.value, as: Self.setup, caseID: caseID,
                                fields: ScenarioValues.typed(scenario.fields, types: loaded.fieldTypes, referrer: "").values, participants: participants,
                                child: scenario.child?.id.value)
        } catch {
            return [Diagnostic(.scenarioSetupFailed(reason: Self.oneLine(error)), at: scenario.workflow.range)]
        }
        for grant in scenario.grants {
            guard let grantee = actors[grant.actor.value]?.actor.principal else { continue }
            do throws(EngineError) {
                _ = try engine.grantAccess(caseID: caseID, grant: AccessGrant(to: grantee, level: grant.level.value, sections: grant.sections),
                                           as: Self.setup, attributes: [:], reason: grant.reason)
            } catch {
                return [Diagnostic(.scenarioSetupFailed(reason: Self.oneLine(error)), at: grant.actor.range)]
            }
        }
        var failures: [Diagnostic] = []
        var history: [DiagnosticNote] = []
        var today = scenario.today.value
        for step in scenario.steps {
            if let on = step.on?.value {
                today = on
                clock.set(Self.morning(on))
            }
            let who = step.actor.flatMap { actors[$0.value] } ?? (Self.setup, [:])
            // A step on a linked case acts on it, and its expectations read it (the checker resolved the path).
            guard case .success(let stepWorkflow) = step.linkedCase.map({ ScenarioLinks.workflow(of: $0.value, from: loaded, in: catalog) }) ?? .success(loaded) else { continue }
            let stepCase = step.linkedCase.map { "\(caseID).\($0.value)" } ?? caseID
            let sentBefore = (try? engine.outbox(caseID: stepCase, as: Self.setup).count) ?? 0
            let outcome = perform(step.action, engine: engine, caseID: stepCase, childID: scenario.child?.id.value, actor: who.actor, attributes: who.attributes, actors: actors, policy: policy,
                                  fieldTypes: stepWorkflow.fieldTypes, period: (scenario.today.value, today), now: clock.now())
            let record = try? engine.caseRecord(stepCase, as: Self.setup)
            let sent = Array(((try? engine.outbox(caseID: stepCase, as: Self.setup)) ?? []).dropFirst(sentBefore))
            let context = StepContext(step: step, outcome: outcome, record: record, sent: sent, loaded: stepWorkflow)
            failures += context.failures().map { Diagnostic($0.kind, at: $0.range, notes: Self.recent(history)) }
            history.append(DiagnosticNote(Self.summary(step, who: step.actor?.value, on: today, outcome: outcome, record: record), at: step.range.startOnly))
        }
        return failures
    }

    /// Adds the scenario's child with its identity fields (as text, as `casework child add --set` stores them) and people,
    /// and records the grants given for it, as the operator; the failure that stops the scenario, if any.
    private static func addChild(
        _ child: ChildWritten, to engine: Engine, actors: [String: (actor: CaseActor, attributes: [String: ExpressionValue])]
    ) -> Diagnostic? {
        let fields = Dictionary(child.fields.map { ($0.path.value, ExpressionValue.string($0.text.value)) }, uniquingKeysWith: { _, last in last })
        let people = child.people.compactMap { person in
            actors[person.actor.value].map {
                ChildPerson(principal: $0.actor.principal, relationship: person.relationship.value, parentalResponsibility: person.parentalResponsibility,
                            from: person.from, until: person.until)
            }
        }
        do throws(EngineError) {
            _ = try engine.addChild(id: child.id.value, fields: fields, people: people, as: setup, reason: "added by the scenario")
        } catch {
            return Diagnostic(.scenarioSetupFailed(reason: oneLine(error)), at: child.id.range)
        }
        for grant in child.grants {
            guard let grantee = actors[grant.actor.value]?.actor.principal else { continue }
            do throws(EngineError) {
                _ = try engine.grantChildAccess(childID: child.id.value, grant: AccessGrant(to: grantee, level: grant.level.value, sections: grant.sections),
                                                as: setup, reason: grant.reason)
            } catch {
                return Diagnostic(.scenarioSetupFailed(reason: oneLine(error)), at: grant.actor.range)
            }
        }
        return nil
    }

    /// A fresh store of the kind the scenario names; a SQLite file is made in `directory`, which the caller removes.
    package static func store(_ kind: ScenarioStore, in directory: URL) throws(EngineError) -> any CaseStore {
        switch kind {
        case .memory:
            return InMemoryCaseStore()
        case .sqlite:
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw .store(.failed("cannot make a directory for the scenario's SQLite store: \(error.localizedDescription)"))
            }
            do throws(StoreError) {
                return try SQLiteCaseStore(path: directory.appendingPathComponent("scenario.sqlite").path)
            } catch {
                throw .store(error)
            }
        }
    }

    /// A refusal on one line, as a diagnostic's message must be: its blockers or problems joined with `; `.
    static func oneLine(_ error: EngineError) -> String {
        error.description.replacingOccurrences(of: ":\n  - ", with: ": ").replacingOccurrences(of: "\n  - ", with: "; ")
    }

    /// A value as a scenario writes it: a string without quotes.
    static func written(_ value: ExpressionValue) -> String {
        if case .string(let text) = value { return text }
        return value.description
    }

    /// The most steps a failure's notes tell of; earlier ones are counted in one note.
    static let notedSteps = 5

    /// The notes of the last ``notedSteps`` steps, after one that counts the steps before them.
    static func recent(_ history: [DiagnosticNote]) -> [DiagnosticNote] {
        guard history.count > notedSteps, let first = history.first else { return history }
        let earlier = history.count - notedSteps
        return [DiagnosticNote(earlier == 1 ? "step 1 ran before these" : "steps 1 to \(earlier) ran before these", at: first.range)] + history.suffix(notedSteps)
    }

    /// 09:00 UTC on `day`, when each step of the scripted clock happens.
    static func morning(_ day: CalendarDate) -> Date { day.start().addingTimeInterval(9 * 3600) }

    private func perform(
        _ action: StepAction, engine: Engine, caseID: String, childID: String?, actor: CaseActor, attributes: [String: ExpressionValue],
        actors: [String: (actor: CaseActor, attributes: [String: ExpressionValue])], policy: CompiledPolicy?, fieldTypes: [String: FieldType],
        period: (from: CalendarDate, to: CalendarDate), now: Date
    ) -> Outcome {
        do throws(EngineError) {
            switch action {
            case .fire(let transition, let input):
                let typed = ScenarioValues.typed(input, types: fieldTypes, referrer: "").values
                _ = try engine.fire(FireRequest(caseID: caseID, transition: transition.value, actor: actor, input: typed, attributes: attributes))
            case .submit(let instance, let fields):
                let form = try engine.formDefinition(caseID: caseID, instance: instance.value, as: actor, attributes: attributes)
                let typed = ScenarioValues.typed(fields, types: FieldValues.types(of: form.fields), referrer: "").values
                _ = try engine.submitForm(caseID: caseID, instance: instance.value, as: actor, fields: typed, attributes: attributes)
            case .accept(let instance):
                _ = try engine.acceptForm(caseID: caseID, instance: instance.value, as: actor, attributes: attributes)
            case .reject(let instance, let information):
                _ = try engine.rejectForm(caseID: caseID, instance: instance.value, as: actor, informationRequired: information, attributes: attributes)
            case .tick:
                _ = try engine.tick()
            case .pause(let deadline, let reason, let exception):
                _ = try engine.pauseDeadline(caseID: caseID, deadline: deadline.value, as: actor, reason: reason, exception: exception, attributes: attributes)
            case .resume(let deadline, let reason):
                _ = try engine.resumeDeadline(caseID: caseID, deadline: deadline.value, as: actor, reason: reason, attributes: attributes)
            case .excuse(let deadline, let reason, let exception):
                _ = try engine.excuseDeadline(caseID: caseID, deadline: deadline.value, as: actor, reason: reason, exception: exception, attributes: attributes)
            case .grant(let grant):
                guard let grantee = actors[grant.actor.value]?.actor.principal else { return .done }
                _ = try engine.grantAccess(caseID: caseID, grant: AccessGrant(to: grantee, level: grant.level.value, sections: grant.sections),
                                           as: actor, attributes: attributes, reason: grant.reason)
            case .revoke(let name, _, let reason):
                guard let grantee = actors[name.value]?.actor.principal else { return .done }
                _ = try engine.revokeAccess(caseID: caseID, to: grantee, as: actor, attributes: attributes, reason: reason)
            case .decide(let wanted, let resource):
                guard let policy else { throw .definitionError("the case's workflow has no access policy to decide with") }
                let record = try engine.caseRecord(caseID, as: Self.setup)
                let request = AccessRequest(actor: actor, attributes: attributes, action: wanted.value, resource: resource.value, caseID: record.id,
                                            workflow: record.workflow, state: record.state, fields: record.fields, grants: record.grants, at: now)
                return .decided(policy.decide(request))
            case .timeline:
                return .timeline(try engine.timeline(caseID: caseID, as: actor, attributes: attributes))
            case .timeliness:
                return .timeliness(try engine.timelinessReport(from: period.from, to: period.to, as: actor, attributes: attributes))
            case .childTimeline:
                guard let childID else { throw .definitionError("the scenario's case belongs to no child") }
                return .childTimeline(try engine.childTimeline(childID, as: actor, attributes: attributes))
            case .document(let kind, let version):
                let view = try engine.document(caseID: caseID, kind: kind.value, version: version?.value, as: actor, attributes: attributes)
                return .document(Self.read(view, engine: engine, actor: actor, attributes: attributes))
            case .addDocument(let kind, let written):
                let upload = DocumentUpload(kind: kind.value, section: written.section?.value, mediaType: written.mediaType, bytes: Array(written.text.utf8),
                                            reason: written.reason, sharedWith: written.sharedWith)
                let view = try engine.addDocument(caseID: caseID, upload, as: actor, attributes: attributes)
                return .document(Self.read(view, engine: engine, actor: actor, attributes: attributes))
            }
            return .done
        } catch {
            return .refused(error)
        }
    }

    /// The text of each part of `view` its reader is shown, read through the door as `casework document get` reads it;
    /// and each part withheld from them asked for too, which the door must refuse.
    private static func read(_ view: DocumentView, engine: Engine, actor: CaseActor, attributes: [String: ExpressionValue]) -> DocumentRead {
        var read = DocumentRead(view: view)
        for part in view.parts {
            let key = part.section ?? ""
            do throws(EngineError) {
                let bytes = try engine.documentContent(caseID: view.caseID, kind: view.kind, version: view.version, section: part.section, as: actor, attributes: attributes)
                if part.withheld { read.leaked.append(part.section.map { "section \($0)" } ?? "the whole document") } else { read.texts[key] = String(decoding: bytes, as: UTF8.self) }
            } catch {
                if !part.withheld { read.unreadable[key] = oneLine(error) }
            }
        }
        return read
    }

    /// One line for a note: what the step was and what came of it.
    private static func summary(_ step: ScenarioStep, who: String?, on day: CalendarDate, outcome: Outcome, record: CaseRecord?) -> String {
        let what: String
        switch step.action {
        case .fire(let name, _): what = "fire '\(name.value)'"
        case .submit(let name, _): what = "submit '\(name.value)'"
        case .accept(let name): what = "accept '\(name.value)'"
        case .reject(let name, _): what = "reject '\(name.value)'"
        case .tick: what = "tick"
        case .pause(let name, _, _): what = "pause '\(name.value)'"
        case .resume(let name, _): what = "resume '\(name.value)'"
        case .excuse(let name, _, _): what = "excuse '\(name.value)'"
        case .grant(let grant): what = "grant '\(grant.actor.value)' \(grant.level.value) access"
        case .revoke(let name, _, _): what = "revoke '\(name.value)'"
        case .decide(let action, let resource): what = "decide \(action.value) on \(resource.value)"
        case .timeline: what = "read the timeline"
        case .timeliness: what = "read the timeliness report"
        case .childTimeline: what = "read the child's timeline"
        case .document(let kind, _): what = "read document '\(kind.value)'"
        case .addDocument(let kind, _): what = "add document '\(kind.value)'"
        }
        let result: String
        switch outcome {
        case .done: result = "done, state '\(record?.state ?? "?")'"
        case .refused(let error): result = "refused (\(error.code.rawValue))"
        case .decided(let decision): result = decision.allowed ? "allow" : "deny"
        case .timeline, .timeliness, .childTimeline: result = "read"
        case .document(let read): result = "version \(read.view.version)"
        }
        return "step \(step.number) on \(day) \(who.map { "as '\($0)' " } ?? "")\(what): \(result)"
    }

    /// One step's outcome, and the expectations it is held to.
    private struct StepContext {
        let step: ScenarioStep
        let outcome: Outcome
        let record: CaseRecord?
        let sent: [OutboxMessage]
        let loaded: LoadedWorkflow

        func failures() -> [(kind: DiagnosticKind, range: SourceRange)] {
            var found: [(kind: DiagnosticKind, range: SourceRange)] = []
            let expect = step.expect
            if case .refused(let error) = outcome, expect?.refused == nil {
                found.append((.stepRefused(step: "step \(step.number)", code: error.code.rawValue, reason: ScenarioRunner.oneLine(error)), step.actionRange))
            }
            guard let expect else { return found }
            if let refused = expect.refused { found += refusal(refused) }
            if let state = expect.state, let record, record.state != state.value {
                found.append((.unexpectedState(expected: state.value, actual: record.state), state.range))
            }
            if let record {
                let expected = ScenarioValues.typed(expect.fields, types: loaded.fieldTypes, referrer: "").values
                for value in expect.fields {
                    guard let wanted = expected[value.path.value], record.fields[value.path.value] != wanted else { continue }
                    found.append((.unexpectedField(field: value.path.value, expected: value.text.value, actual: record.fields[value.path.value].map(ScenarioRunner.written)), value.text.range))
                }
                for deadline in expect.deadlines { found += self.deadline(deadline, in: record) }
            }
            for notice in expect.notices where !sent.contains(where: { Self.matches($0, notice) }) {
                found.append((.missingNotice(expected: Self.describe(notice), sent: Self.sentList(sent)), notice.range))
            }
            for notice in expect.noNotices {
                let matching = sent.filter { Self.matches($0, notice) }
                if !matching.isEmpty { found.append((.unwantedNotice(unwanted: Self.describe(notice), sent: Self.sentList(matching)), notice.range)) }
            }
            if case .decided(let decision) = outcome {
                if let wanted = expect.decision, wanted.value != (decision.allowed ? "allow" : "deny") {
                    let why = decision.reasons.isEmpty ? "" : " (\(decision.reasons.joined(separator: "; ")))"
                    found.append((.unexpectedDecision(expected: "'\(wanted.value)'", actual: "'\(decision.allowed ? "allow" : "deny")'\(why)"), wanted.range))
                }
                if let redactions = expect.redactions, redactions.value.sorted() != decision.redact.sorted() {
                    found.append((.unexpectedDecision(expected: "to withhold [\(redactions.value.sorted().joined(separator: ", "))]",
                                                      actual: "[\(decision.redact.sorted().joined(separator: ", "))]"), redactions.range))
                }
            }
            if case .document(let read) = outcome {
                if !read.leaked.isEmpty {
                    found.append((.unexpectedDocument(expected: "to withhold \(read.leaked.joined(separator: ", ")) from this reader", actual: "but the door gave its bytes"),
                                  step.actionRange))
                }
                if let expected = expect.document { found += Self.document(expected, read) }
            }
            let read: [String]? = switch outcome {
            case .timeline(let timeline): Self.texts(of: timeline)
            case .timeliness(let report): Self.texts(of: report)
            case .childTimeline(let child): Self.texts(of: child)
            default: nil
            }
            if let shown = read, let wanted = expect.timeline {
                for text in wanted.shows where !shown.contains(where: { $0.contains(text.value) }) {
                    found.append((.unexpectedTimeline(text: text.value, shouldShow: true), text.range))
                }
                for text in wanted.hides where shown.contains(where: { $0.contains(text.value) }) {
                    found.append((.unexpectedTimeline(text: text.value, shouldShow: false), text.range))
                }
            }
            return found
        }

        /// Each part of `expected` that the version `read` does not hold as its reader sees it.
        private static func document(_ expected: DocumentExpectation, _ read: DocumentRead) -> [(kind: DiagnosticKind, range: SourceRange)] {
            let view = read.view
            var found: [(kind: DiagnosticKind, range: SourceRange)] = []
            func fail(_ wanted: String, _ actual: String, _ range: SourceRange) { found.append((.unexpectedDocument(expected: wanted, actual: actual), range)) }
            if let version = expected.version, version.value != view.version { fail("to be version \(version.value)", "got version \(view.version)", version.range) }
            if let added = expected.addedBy {
                let role = added.value.split(separator: ":", maxSplits: 1).first.map(String.init) ?? added.value
                if role != view.addedByRole {
                    fail("to have been added by \(added.value)", "but it was added by \(view.addedBy ?? view.addedByRole)", added.range)
                } else if added.value != role, view.addedBy != added.value {
                    fail("to have been added by \(added.value)", view.addedBy.map { "but it was added by \($0)" }
                         ?? "but who added it is not shown to this reader, only the role '\(view.addedByRole)'", added.range)
                }
            }
            func part(_ section: String) -> DocumentView.Part? { view.parts.first { $0.section == section } }
            for section in expected.shown {
                guard let held = part(section.value) else { fail("to show section \(section.value)", "but version \(view.version) holds no section \(section.value)", section.range); continue }
                if held.withheld { fail("to show section \(section.value)", "but it is withheld from this reader", section.range) }
            }
            for section in expected.withheld {
                guard let held = part(section.value) else { fail("to withhold section \(section.value)", "but version \(view.version) holds no section \(section.value)", section.range); continue }
                if !held.withheld { fail("to withhold section \(section.value)", "but this reader is shown it", section.range) }
            }
            func text(_ wanted: TextExpectation, of section: String?) {
                guard !wanted.isEmpty else { return }
                let name = section.map { "section \($0)" } ?? "text"
                let range = (wanted.contains ?? wanted.equals)!.range
                guard let shown = view.parts.first(where: { $0.section == section }) else {
                    return fail("to have \(name)", "but version \(view.version) holds no \(section == nil ? "whole text" : name)", range)
                }
                guard !shown.withheld else { return fail("to have \(name) to read", "but it is withheld from this reader", range) }
                guard let content = read.texts[section ?? ""] else {
                    return fail("to have \(name) to read", "but it could not be read: \(read.unreadable[section ?? ""] ?? "no reason given")", range)
                }
                if let contains = wanted.contains, !content.contains(contains.value) {
                    fail("\(name) to contain '\(contains.value)'", "got '\(Self.brief(content))'", contains.range)
                }
                if let equals = wanted.equals, content != equals.value {
                    fail("\(name) to be '\(Self.brief(equals.value))'", "got '\(Self.brief(content))'", equals.range)
                }
            }
            text(expected.text, of: nil)
            for (section, wanted) in expected.sections { text(wanted, of: section.value) }
            return found
        }

        /// A document's text on one line, cut to 80 characters, for a diagnostic's message.
        private static func brief(_ text: String) -> String {
            let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
            return line.count > 80 ? String(line.prefix(80)) + "…" : line
        }

        private func refusal(_ expected: RefusalExpectation) -> [(kind: DiagnosticKind, range: SourceRange)] {
            let wanted = [expected.code.map { "'\($0.value)'" }, expected.blockersContain.map { "with a reason containing '\($0)'" }].compactMap { $0 }.joined(separator: " ")
            guard case .refused(let error) = outcome else {
                return [(.unexpectedRefusal(expected: wanted, actual: "but it was done"), expected.range)]
            }
            if let code = expected.code, code.value != error.code.rawValue {
                return [(.unexpectedRefusal(expected: wanted, actual: "got '\(error.code.rawValue)': \(ScenarioRunner.oneLine(error))"), code.range)]
            }
            if let text = expected.blockersContain, !ScenarioRunner.oneLine(error).contains(text) {
                return [(.unexpectedRefusal(expected: wanted, actual: "got: \(ScenarioRunner.oneLine(error))"), expected.range)]
            }
            return []
        }

        private func deadline(_ expected: DeadlineExpectation, in record: CaseRecord) -> [(kind: DiagnosticKind, range: SourceRange)] {
            guard let clock = record.deadlines.first(where: { $0.name == expected.name.value }) else {
                return [(.unexpectedDeadline(deadline: expected.name.value, expected: "to have started", actual: nil), expected.name.range)]
            }
            var found: [(kind: DiagnosticKind, range: SourceRange)] = []
            if let status = expected.status, status.value != clock.status.rawValue {
                found.append((.unexpectedDeadline(deadline: expected.name.value, expected: "to be \(status.value)", actual: clock.status.rawValue), status.range))
            }
            if let due = expected.due, due.value != clock.dueOn {
                found.append((.unexpectedDeadline(deadline: expected.name.value, expected: "to be due on \(due.value)", actual: "due on \(clock.dueOn)"), due.range))
            }
            return found
        }

        /// What a step sent, briefly: the first three notices' subjects and recipients, and how many more.
        private static func sentList(_ sent: [OutboxMessage]) -> [String] {
            let shown = sent.prefix(3).map { "'\($0.subject)' to \($0.recipientRole)" }
            return sent.count > 3 ? shown + ["and \(sent.count - 3) more"] : shown
        }

        private static func matches(_ message: OutboxMessage, _ notice: NoticeExpectation) -> Bool {
            (notice.to.map { $0.value == message.recipientRole } ?? true)
                && (notice.subjectContains.map { message.subject.contains($0) } ?? true)
                && (notice.bodyContains.map { message.body.contains($0) } ?? true)
                && (notice.channel.map { $0.value == message.channel.rawValue } ?? true)
        }

        private static func describe(_ notice: NoticeExpectation) -> String {
            [notice.to.map { "to \($0.value)" }, notice.subjectContains.map { "with a subject containing '\($0)'" },
             notice.bodyContains.map { "with a body containing '\($0)'" }, notice.channel.map { "by \($0.value)" }]
                .compactMap { $0 }.joined(separator: " ")
        }

        /// What a timeliness report shows, as texts: each clock behind its figures as `CASE DEADLINE: OUTCOME`
        /// (`life.plan-1 review_due: met_on_time`), so that `DEADLINE: OUTCOME` finds it on any case.
        private static func texts(of report: TimelinessReport) -> [String] {
            report.entries.map { "\($0.caseID) \($0.deadline): \($0.outcome.rawValue)" }
        }

        /// What a child's timeline shows, as texts: each case's texts, as its own timeline's are read, and its workflow's
        /// title, each written after the case's id (`life.plan-1 Plan maintained`), so that a text found in one case says
        /// which, and a case's id alone finds anything of it.
        private static func texts(of child: ChildTimeline) -> [String] {
            child.cases.flatMap { timeline in ([timeline.workflowTitle] + texts(of: timeline)).map { "\(timeline.caseID) \($0)" } }
        }

        /// What a timeline shows, as texts: where the case is, each stage, the next steps, each time limit with its
        /// status, and each notice's subject and body.
        private static func texts(of timeline: CaseTimeline) -> [String] {
            [timeline.now.title, timeline.now.state] + timeline.stages.flatMap { [$0.title, $0.state] } + timeline.next
                + (timeline.timeLimits ?? []).flatMap { [$0.name, $0.title, "\($0.name): \($0.status.name)"] }
                + timeline.notices.flatMap { [$0.subject, $0.body] }
        }
    }
}

import CaseworkDefinitions
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// Linked cases: the cases a transition opens (`open:`), the reading of them in expressions (`linked.LINK.…`), and the
/// report a linked case makes to the case that opened it (`report:`). Every change here is decided into the firing
/// step's changes and committed with them by ``Engine/commit(_:actor:attributes:request:at:)``, all or nothing.
extension Engine {
    /// The linked cases of the case a command decides, each read from the store when an evaluation first needs it and
    /// then kept for the rest of the command: what every expression that command evaluates reads its `linked.LINK.…`
    /// names from.
    func linkedSnapshot() -> LinkedCaseSnapshot {
        LinkedCaseSnapshot(read: { [self] id in try? loadRecord(id) }, readChild: { [self] id in try? store.child(id: id) })
    }

    /// The links of `record` whose other case `actor` may see (`view` on its `case.state`, through that case's own door):
    /// a link never names a case the actor may not know of. The operator sees every one.
    func visibleLinks(of record: CaseRecord, to actor: CaseActor, attributes: [String: ExpressionValue]) -> [CaseLink] {
        record.links.filter { link in (try? admit(link.caseID, actor: actor, attributes: attributes, action: "view", resource: "case.state")) != nil }
    }

    /// The openings `transition`'s `open:` makes from `next` (the fired case as the step changed it), each checked as
    /// an opening by `actor` is (``decideOpening(workflow:as:caseID:fields:participants:attributes:child:childFromLink:at:before:)``):
    /// a case of the link's workflow with the id `CASE.LINK-N`, for the same child (the actor, let through the fired
    /// case's door, is not asked for `open` on the child: the case follows its case, the actor names no child), with
    /// the fields the effect maps and the participants of `next` in the roles the linked workflow shares. Both records gain their link entry
    /// (`next` here). A refusal of any opening refuses the step, with the linked workflow's reason.
    func openings(
        _ transition: TransitionDefinition, from next: inout CaseRecord, workflow: PlannedWorkflow, calendars: [String: WorkingCalendar], actor: CaseActor,
        attributes: [String: ExpressionValue], linked: LinkedCaseSnapshot, today: CalendarDate, now: Date
    ) throws(EngineError) -> [DecidedChange] {
        guard !transition.open.isEmpty else { return [] }
        let name = transition.name.value
        func refused(_ code: TransitionBlocker.Code, _ message: String) -> EngineError { .blocked(transition: name, blockers: [TransitionBlocker(code, message)]) }
        let context = evaluationContext(next, workflow: workflow, calendars: calendars, actor: actor, linked: linked, today: today, now: now)
        var changes: [DecidedChange] = []
        for effect in transition.open {
            let linkName = effect.link.value
            guard let link = workflow.definition.links.first(where: { $0.name.value == linkName }), let target = catalog.workflows[link.workflow.value] else {
                throw .definitionError("transition '\(name)' opens link '\(linkName)', whose workflow the definitions do not hold")
            }
            let number = next.links.count { $0.name == linkName && $0.role == .opened } + 1
            if link.one, number > 1 { throw refused(.wrongState, "the case has already opened its '\(linkName)' case, and opens only one") }
            let caseID = "\(next.id).\(linkName)-\(number)"
            guard Identifier.isUsable(caseID) else { throw refused(.valueUndecided, "the '\(linkName)' case would have the id '\(caseID)', which is not a usable case id") }
            var fields: [String: ExpressionValue] = [:]
            for (field, expression) in workflow.openings[name]?[linkName] ?? [] {
                switch expression.evaluate(context) {
                case .success(let value): fields[field] = value
                case .failure(let error): throw refused(.valueUndecided, "cannot open the '\(linkName)' case: '\(field)' cannot be worked out: \(error)")
                }
            }
            let shared = Set(target.outline.roles.map(\.value))
            let participants = CaseParticipants(entries: next.participants.entries.filter { shared.contains($0.role) }.map { ($0.role, $0.participant) })
            if try loadRecord(caseID) != nil { throw refused(.wrongState, "the '\(linkName)' case '\(caseID)' exists already") }
            let opening: Opening
            do {
                opening = try decideOpening(workflow: link.workflow.value, as: actor, caseID: caseID, fields: fields, participants: participants,
                                            attributes: attributes, child: next.child, childFromLink: true, at: now)
            } catch {
                switch error {
                case .forbidden(let reasons): throw refused(.policyDenied, "cannot open the '\(linkName)' case: " + reasons.joined(separator: "; "))
                case .invalidInput(let problems):
                    throw refused(.valueUndecided, "cannot open the '\(linkName)' case: " + problems.map { "'\($0.field)' \($0.message)" }.joined(separator: "; "))
                default: throw error
                }
            }
            guard case .decided(var change) = opening else { continue }
            change.after.links = [CaseLink(name: linkName, caseID: next.id, workflow: next.workflow, role: .openedBy)]
            next.links.append(CaseLink(name: linkName, caseID: caseID, workflow: link.workflow.value, role: .opened))
            changes.append(change)
        }
        return changes
    }

    /// The changes `report:` makes on the case that opened `next` (the reporting case as its step changed it): the
    /// reported transition fired there as ``CaseActor/linkEngine``, with the input the effect works out from `next`,
    /// through the same checks as any firing (its state, its `by:`, its input, its guard) and with all its own effects.
    /// Of the transitions a report names, it fires the one of the opener's workflow whose `from:` holds the opener's
    /// state (the validator keeps their `from:` sets apart, so there is one at most); when none does, the first the
    /// opener's workflow has, which is refused for its state as a single name is.
    /// A case opened on its own, by no link, has no one to report to: nothing. A refusal there refuses the step.
    func reportChanges(
        _ report: ReportEffect, transition: String, from next: CaseRecord, workflow: PlannedWorkflow, calendars: [String: WorkingCalendar], actor: CaseActor,
        linked: LinkedCaseSnapshot, today: CalendarDate, now: Date
    ) throws(EngineError) -> [DecidedChange] {
        guard let opener = next.links.first(where: { $0.role == .openedBy }) else { return [] }
        guard let first = report.fire.first else { throw .definitionError("transition '\(transition)' reports, but names no transition to fire") }
        var fire = first.value
        func refused(_ blockers: [TransitionBlocker]) -> EngineError {
            .blocked(transition: transition, blockers: blockers.map {
                TransitionBlocker($0.code, "the case that opened this one cannot record '\(fire)': \($0.message)")
            })
        }
        guard let record = try loadRecord(opener.caseID) else {
            throw refused([TransitionBlocker(.valueUndecided, "it cannot be read")])
        }
        let context = evaluationContext(next, workflow: workflow, calendars: calendars, actor: actor, linked: linked, today: today, now: now)
        var input: [String: ExpressionValue] = [:]
        for (field, expression) in workflow.reports[transition] ?? [] {
            switch expression.evaluate(context) {
            case .success(let value): input[field] = value
            case .failure(let error): throw refused([TransitionBlocker(.valueUndecided, "'\(field)' cannot be worked out: \(error)")])
            }
        }
        let definitions = try definitions(for: record)
        let loaded = try self.workflow(for: record, in: definitions)
        let named = report.fire.filter { name in loaded.definition.transitions.contains { $0.name.value == name.value } }
        let chosen = named.first { name in
            loaded.definition.transitions.contains { $0.name.value == name.value && $0.from.contains { $0.value == record.state } }
        }
        fire = (chosen ?? named.first ?? first).value
        let access = CaseAccess(record: record, childGrants: try childGrants(of: record), accessGuard: try accessGuard(for: loaded, in: definitions),
                                actor: .linkEngine, attributes: [:], at: now, forms: definitions.forms)
        do {
            var changes = try decideFiring(fire, on: AdmittedCase(workflow: loaded, definitions: definitions, access: access), input: input,
                                           effectiveOn: today == CalendarDate(now) ? nil : today, attributes: [:])
            for index in changes.indices where changes[index].actor == nil { changes[index].actor = .linkEngine }
            return changes
        } catch {
            switch error {
            case .blocked(_, let blockers): throw refused(blockers)
            case .invalidInput(let problems): throw refused(problems.map { TransitionBlocker(.valueUndecided, "'\($0.field)' \($0.message)") })
            default: throw error
            }
        }
    }
}

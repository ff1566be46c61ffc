import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import CaseworkYAML

/// Checks a decoded scenario against the loaded definitions before anything runs: its workflow, the roles, the actors
/// steps name, transitions, deadlines, fields and their values, the policy's actions and resources, the states and
/// statuses it expects. Each unknown name is a diagnostic with a did-you-mean, as in a definition file.
package struct ScenarioChecker {
    /// The definitions the scenario runs on.
    let catalog: DefinitionCatalog
    private var bag = DiagnosticBag()

    private init(catalog: DefinitionCatalog) { self.catalog = catalog }

    /// Every problem in `scenario`; empty when it can run.
    package static func check(_ scenario: Scenario, catalog: DefinitionCatalog) -> [Diagnostic] {
        var checker = ScenarioChecker(catalog: catalog)
        checker.check(scenario)
        return checker.bag.diagnostics
    }

    /// The statuses a deadline can be in, as `deadlines:` expects them.
    static let deadlineStatuses = ["running", "paused", "met", "met_late", "breached", "excused", "lapsed", "closed"]
    /// The answers a `decide` step can expect (`decision:`).
    static let decisions = ["allow", "deny"]

    private mutating func check(_ scenario: Scenario) {
        guard let loaded = catalog.workflows[scenario.workflow.value] else {
            bag.report(.unknownScenarioWorkflow(name: scenario.workflow.value, suggestion: NameSuggester.suggest(scenario.workflow.value, from: catalog.workflows.keys)),
                       at: scenario.workflow.range)
            return
        }
        let workflow = loaded.definition
        let roles = workflow.roles.map(\.value)
        let actors = Dictionary(scenario.actors.map { ($0.name.value, $0) }, uniquingKeysWith: { first, _ in first })
        let policy = workflow.policy.flatMap { catalog.policies[$0.value] }
        bag.append(contentsOf: ScenarioValues.typed(scenario.fields, types: loaded.fieldTypes, referrer: "the case").problems)
        for actor in scenario.actors {
            role(actor.role, roles: roles, referrer: "actor '\(actor.name.value)'")
            bag.append(contentsOf: ScenarioValues.typed(actor.attributes, types: ScenarioValues.attributeTypes(policy), referrer: "actor '\(actor.name.value)'").problems)
        }
        for (participantRole, names) in scenario.participants {
            role(participantRole, roles: roles, referrer: "participants")
            for name in names { actor(name, in: actors, referrer: "participants '\(participantRole.value)'") }
        }
        for grant in scenario.grants { self.grant(grant.actor, role: grant.role, in: actors) }
        if let child = scenario.child {
            for person in child.people { actor(person.actor, in: actors, referrer: "a person of child '\(child.id.value)'") }
            for grant in child.grants { self.grant(grant.actor, role: grant.role, in: actors) }
        }
        for step in scenario.steps {
            let referrer = "step \(step.number)"
            if let name = step.actor { actor(name, in: actors, referrer: referrer) }
            var loaded = loaded
            if let path = step.linkedCase {
                switch ScenarioLinks.workflow(of: path.value, from: loaded, in: catalog) {
                case .success(let linked): loaded = linked
                case .failure(let problem):
                    bag.report(problem.kind(referrer: referrer), at: path.range)
                    continue
                }
            }
            let workflow = loaded.definition
            let roles = workflow.roles.map(\.value)
            let stepPolicy = workflow.policy.flatMap { catalog.policies[$0.value] }
            var read: DocumentKindDefinition?
            switch step.action {
            case .fire(let transition, let input):
                if !workflow.transitions.contains(where: { $0.name.value == transition.value }) {
                    bag.report(.unknownTransition(name: transition.value, referrer: referrer,
                                                  suggestion: NameSuggester.suggest(transition.value, from: workflow.transitions.map(\.name.value))), at: transition.range)
                }
                bag.append(contentsOf: ScenarioValues.typed(input, types: loaded.fieldTypes, referrer: referrer).problems)
            case .pause(let deadline, _, _), .resume(let deadline, _), .excuse(let deadline, _, _):
                self.deadline(deadline, in: workflow, referrer: referrer)
            case .grant(let grant): self.grant(grant.actor, role: grant.role, in: actors)
            case .revoke(let actor, let role, _): grant(actor, role: role, in: actors)
            case .decide(let action, let resource):
                guard let policy else { break }
                if !policy.definition.knownActions.contains(action.value) {
                    bag.report(.unknownAction(name: action.value, referrer: referrer, suggestion: NameSuggester.suggest(action.value, from: policy.definition.knownActions)),
                               at: action.range)
                }
                if !policy.paths.isKnown(resource.value) {
                    bag.report(.unknownResource(name: resource.value, referrer: referrer, suggestion: NameSuggester.suggest(resource.value, from: policy.paths.resourceNames)),
                               at: resource.range)
                }
            case .childTimeline:
                if scenario.child == nil { bag.report(.scenarioHasNoChild(referrer: referrer), at: step.actionRange) }
            case .document(let kind, _):
                read = documentKind(kind, in: workflow, referrer: referrer)
            case .addDocument(let kind, let written):
                read = documentKind(kind, in: workflow, referrer: referrer)
                if let read, let section = written.section { self.section(section, of: read, policy: stepPolicy, place: "an 'add_document' step's 'section'") }
            case .submit, .accept, .reject, .tick, .timeline, .timeliness: break
            }
            if let expect = step.expect {
                check(expect, referrer: referrer, loaded: loaded, roles: roles)
                if let document = expect.document { check(document, kind: read, readsDocument: step.action.readsDocument, policy: stepPolicy) }
            }
        }
    }

    /// The kind `name` of `workflow`, or nil with CW0524 reported.
    private mutating func documentKind(_ name: Located<String>, in workflow: WorkflowDefinition, referrer: String) -> DocumentKindDefinition? {
        if let kind = workflow.documents.first(where: { $0.name.value == name.value }) { return kind }
        bag.report(.unknownScenarioDocumentKind(name: name.value, referrer: referrer, suggestion: NameSuggester.suggest(name.value, from: workflow.documents.map(\.name.value))),
                   at: name.range)
        return nil
    }

    /// A document expectation held to the kind its step reads (nil when the step reads none, or its kind is unknown,
    /// already reported): sections only for a sectioned kind, and each one its resource has; a whole text only for a
    /// kind seen whole.
    private mutating func check(_ expected: DocumentExpectation, kind: DocumentKindDefinition?, readsDocument: Bool, policy: CompiledPolicy?) {
        guard readsDocument else {
            bag.report(.malformedDocumentCheck(problem: "'document' expects what a document step reads, but this step reads no document",
                                               help: "read the document in a step of its own ('document: KIND', as the reader) and expect it there"),
                       at: expected.range)
            return
        }
        guard let kind else { return }
        let sectionsWritten = expected.shown + expected.withheld + expected.sections.map(\.section)
        if kind.sections == nil {
            for section in sectionsWritten {
                bag.report(.malformedDocumentCheck(problem: "document kind '\(kind.name.value)' is seen whole, so it has no section '\(section.value)'",
                                                   help: "check its text with 'contains:' or 'equals:' directly under 'document:'"), at: section.range)
            }
            return
        }
        for text in [expected.text.contains, expected.text.equals].compactMap({ $0 }) {
            bag.report(.malformedDocumentCheck(problem: "document kind '\(kind.name.value)' is addressed by sections, so it has no whole text to compare",
                                               help: "check a section's text under 'sections:', such as 'sections: { A: { contains: ... } }'"), at: text.range)
        }
        for section in sectionsWritten { self.section(section, of: kind, policy: policy, place: "a document check") }
    }

    /// Reports `section` when the sectioned `kind`'s policy resource does not have it, or when `kind` is seen whole.
    private mutating func section(_ section: Located<String>, of kind: DocumentKindDefinition, policy: CompiledPolicy?, place: String) {
        guard kind.sections != nil else {
            bag.report(.malformedDocumentCheck(problem: "\(place) names section '\(section.value)', but document kind '\(kind.name.value)' is seen whole",
                                               help: "leave 'section:' out to add the whole document"), at: section.range)
            return
        }
        guard let sections = policy?.definition.resources.first(where: { $0.name.value == kind.resource })?.sections.map(\.value),
            !sections.contains(section.value) else { return }
        let suggestion = NameSuggester.suggest(section.value, from: sections).map { "did you mean '\($0)'? " } ?? ""
        bag.report(.malformedDocumentCheck(problem: "\(place) names section '\(section.value)', which resource '\(kind.resource)' of document kind '\(kind.name.value)' does not have",
                                           help: "\(suggestion)its sections are \(sections.joined(separator: ", "))"), at: section.range)
    }

    private mutating func check(_ expect: Expectations, referrer: String, loaded: LoadedWorkflow, roles: [String]) {
        let workflow = loaded.definition
        if let state = expect.state, !workflow.states.contains(where: { $0.name.value == state.value }) {
            bag.report(.unknownState(name: state.value, referrer: referrer, suggestion: NameSuggester.suggest(state.value, from: workflow.states.map(\.name.value))),
                       at: state.range)
        }
        bag.append(contentsOf: ScenarioValues.typed(expect.fields, types: loaded.fieldTypes, referrer: referrer).problems)
        for expected in expect.deadlines {
            deadline(expected.name, in: workflow, referrer: referrer)
            if let status = expected.status { oneOf(status, Self.deadlineStatuses, place: "a deadline's status") }
        }
        for notice in expect.notices + expect.noNotices {
            if let to = notice.to { role(to, roles: roles, referrer: referrer) }
            if let channel = notice.channel { oneOf(channel, NoticeChannel.allCases.map(\.rawValue), place: "a notice's channel") }
        }
        if let code = expect.refused?.code { oneOf(code, RefusalCode.allCases.map(\.rawValue), place: "'refused'") }
        if let decision = expect.decision { oneOf(decision, Self.decisions, place: "'decision'") }
    }

    private mutating func oneOf(_ value: Located<String>, _ allowed: [String], place: String) {
        guard !allowed.contains(value.value) else { return }
        bag.report(.wrongType(place: place, expected: "one of " + allowed.joined(separator: ", "), found: "'\(value.value)'"), at: value.range)
    }

    private mutating func role(_ role: Located<String>, roles: [String], referrer: String) {
        guard !roles.contains(role.value) else { return }
        bag.report(.unknownRole(name: role.value, referrer: referrer, suggestion: NameSuggester.suggest(role.value, from: roles)), at: role.range)
    }

    private mutating func actor(_ name: Located<String>, in actors: [String: ActorWritten], referrer: String) {
        guard actors[name.value] == nil else { return }
        bag.report(.unknownActor(name: name.value, referrer: referrer, suggestion: NameSuggester.suggest(name.value, from: actors.keys)), at: name.range)
    }

    private mutating func grant(_ name: Located<String>, role: Located<String>?, in actors: [String: ActorWritten]) {
        actor(name, in: actors, referrer: "a grant")
        if let role, let actor = actors[name.value], actor.role.value != role.value {
            bag.report(.unknownRole(name: role.value, referrer: "a grant to actor '\(name.value)'", suggestion: actor.role.value), at: role.range)
        }
    }

    private mutating func deadline(_ name: Located<String>, in workflow: WorkflowDefinition, referrer: String) {
        let names = workflow.deadlines.map(\.name.value)
        guard !names.contains(name.value) else { return }
        bag.report(.unknownDeadline(name: name.value, referrer: referrer, suggestion: NameSuggester.suggest(name.value, from: names)), at: name.range)
    }
}

/// The linked cases a step names (`case: reviews-1`), one rule for the checker and the runner: each `LINK-N` of the
/// path is the Nth case opened through the link `LINK` of the case before it, whose id is that case's id, `.`, `LINK-N`.
package enum ScenarioLinks {
    /// Why a path names no linked case.
    package enum Problem: Error {
        /// A part of the path that is not `LINK-N`.
        case malformed(String)
        /// A link the workflow before it does not declare, with its links.
        case unknownLink(String, links: [String])

        /// The diagnostic for a step (`referrer`).
        func kind(referrer: String) -> DiagnosticKind {
            switch self {
            case .malformed(let part):
                .wrongType(place: "'case' of \(referrer)", expected: "a path of links, each LINK-N, joined by '.'", found: "'\(part)'")
            case .unknownLink(let name, let links): .unknownLink(name: name, referrer: referrer, suggestion: NameSuggester.suggest(name, from: links))
            }
        }
    }

    /// The workflow of the case `path` names from a case of `start`.
    package static func workflow(of path: String, from start: LoadedWorkflow, in catalog: DefinitionCatalog) -> Result<LoadedWorkflow, Problem> {
        var current = start
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard let dash = part.lastIndex(of: "-"), let number = Int(part[part.index(after: dash)...]), number >= 1, dash > part.startIndex else {
                return .failure(.malformed(String(part)))
            }
            let name = String(part[..<dash])
            guard let link = current.definition.links.first(where: { $0.name.value == name }), let next = catalog.workflows[link.workflow.value] else {
                return .failure(.unknownLink(name, links: current.definition.links.map(\.name.value)))
            }
            current = next
        }
        return .success(current)
    }
}

/// Scenario values typed by the fields they are for, one rule for the checker and the runner.
enum ScenarioValues {
    /// `values` typed by `types`; unknown paths and values that do not fit their type are the problems.
    static func typed(_ values: [WrittenValue], types: [String: FieldType], referrer: String) -> (values: [String: ExpressionValue], problems: [Diagnostic]) {
        var result: [String: ExpressionValue] = [:]
        var problems: [Diagnostic] = []
        for value in values {
            guard let type = types[value.path.value] else {
                problems.append(Diagnostic(.unknownField(name: value.path.value, referrer: referrer,
                                                         suggestion: NameSuggester.suggest(value.path.value, from: types.keys)), at: value.path.range))
                continue
            }
            switch FieldValues.parse(value.text.value, as: type) {
            case .success(let typed): result[value.path.value] = typed
            case .failure(let problem):
                problems.append(Diagnostic(.wrongType(place: "'\(value.path.value)'", expected: "a value of its type: \(problem.message)", found: "'\(value.text.value)'"),
                                           at: value.text.range))
            }
        }
        return (result, problems)
    }

    /// The types of the actor attributes `policy` declares; none without a policy.
    static func attributeTypes(_ policy: CompiledPolicy?) -> [String: FieldType] {
        policy.map { FieldValues.types(of: $0.definition.actorAttributes) } ?? [:]
    }
}

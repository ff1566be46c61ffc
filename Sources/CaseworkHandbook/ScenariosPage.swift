import CaseworkDefinitions
import CaseworkScenarios

/// `scenarios.html`: every scenario told as an example: what is there before it starts, then each step in numbered
/// plain words with what it must lead to.
enum ScenariosPage {
    static let file = "scenarios.html"

    /// The anchor of the scenario at `index`, counted across every file.
    static func anchor(_ index: Int) -> String { "scenario-\(index + 1)" }

    static func render(_ handbook: Handbook) -> String {
        var content: [Markup] = [.paragraph("Each scenario is a story of one case that casework test runs on every change: "
                                            + "the steps happen in order, and each must lead to what it expects, or the test fails.")]
        var index = 0
        for file in handbook.scenarios {
            content.append(.heading(2, file.file))
            for scenario in file.scenarios {
                content += render(scenario, id: anchor(index), in: handbook.definitions)
                index += 1
            }
        }
        return handbook.document("Scenarios", content)
    }

    private static func render(_ scenario: Scenario, id: String, in set: DefinitionSet) -> [Markup] {
        let workflow = set.workflow(scenario.workflow.value)
        var given: [Markup] = [
            .text("Today is \(scenario.today.value)."),
            .joined([.text("A case "), .code(scenario.caseID), .text(" of "),
                     workflow.map { .link($0.title, to: Handbook.pageFile($0)) } ?? .code(scenario.workflow.value),
                     .text(scenario.fields.isEmpty ? " is open." : " is open with:"), values(scenario.fields)]),
        ]
        for (role, actors) in scenario.participants {
            given.append(.text("Named as \(role.value): " + actors.map(\.value).joined(separator: ", ") + "."))
        }
        for grant in scenario.grants { given.append(.text(grantWords(grant) + ".")) }
        if let child = scenario.child {
            given.append(.joined([.text("The case belongs to the child "), .code(child.id.value), .text(child.fields.isEmpty ? "." : ", with:"), values(child.fields)]))
            for person in child.people {
                given.append(.text("\(person.actor.value) is the child's \(person.relationship.value)" + (person.parentalResponsibility ? ", with parental responsibility." : ".")))
            }
            for grant in child.grants { given.append(.text("For every case of the child: " + grantWords(grant) + ".")) }
        }
        for actor in scenario.actors {
            var words = "\(actor.name.value) acts as \(actor.role.value)"
            if let organisation = actor.organisation { words += " for \(organisation)" }
            given.append(.joined([.text(words + (actor.attributes.isEmpty ? "." : ", with:")), values(actor.attributes)]))
        }
        var day = scenario.today.value
        let steps = scenario.steps.map { step -> Markup in
            if let on = step.on?.value { day = on }
            var pieces: [Markup] = [.paragraph("On \(day), " + (step.actor.map { "\($0.value) " } ?? "") + action(step.action, in: workflow) + ".")]
            pieces += step.action.written.isEmpty ? [] : [values(step.action.written)]
            if let expect = step.expect { pieces.append(.joined([.text("Expected:"), .list(expectations(expect, in: workflow))])) }
            return .joined(pieces)
        }
        return [.heading(3, scenario.name.value, id: id), .paragraph("Given:"), .list(given),
                .element("ol", [("class", "steps")], steps.map { .element("li", [$0]) })]
    }

    private static func action(_ action: StepAction, in workflow: WorkflowDefinition?) -> String {
        switch action {
        case .fire(let name, let input):
            let title = workflow?.transitions.first { $0.name.value == name.value }?.title ?? name.value
            return "takes the step “\(title)” (\(name.value))" + (input.isEmpty ? "" : ", giving")
        case .submit(let form, let fields): return "submits the form \(form.value)" + (fields.isEmpty ? "" : ", giving")
        case .accept(let form): return "accepts the form \(form.value)"
        case .reject(let form, let information): return "returns the form \(form.value), asking for: \(information)"
        case .tick: return "the clocks are checked for reminders and missed time limits"
        case .pause(let deadline, let reason, let exception):
            return "pauses the time limit \(deadline.value)" + (exception.map { " under \($0)" } ?? "") + ", because: \(reason)"
        case .resume(let deadline, let reason): return "resumes the time limit \(deadline.value), because: \(reason)"
        case .excuse(let deadline, let reason, let exception):
            return "excuses the time limit \(deadline.value)" + (exception.map { " under \($0)" } ?? "") + ", because: \(reason)"
        case .grant(let grant): return "records a grant: " + grantWords(grant)
        case .revoke(let actor, _, let reason): return "withdraws \(actor.value)'s access, because: \(reason)"
        case .decide(let action, let resource): return "asks whether they may \(action.value) \(resource.value)"
        case .timeline: return "reads the case's timeline"
        case .timeliness: return "reads the timeliness report of every case so far"
        case .childTimeline: return "reads the child's timeline across all their cases"
        case .document(let kind, let version):
            return "reads the document \(kind.value)" + (version.map { ", version \($0.value)" } ?? "") + " as the policy lets them see it"
        case .addDocument(let kind, let written):
            return "adds " + (written.section.map { "section \($0.value) of " } ?? "") + "the document \(kind.value): “\(written.text)”"
                + (written.sharedWith.map { $0.isEmpty ? ", given to no organisation" : ", given to " + $0.joined(separator: ", ") } ?? "")
        }
    }

    private static func expectations(_ expect: Expectations, in workflow: WorkflowDefinition?) -> [Markup] {
        var items: [Markup] = []
        if let refused = expect.refused {
            var words = "it is refused" + (refused.code.map { " (\($0.value))" } ?? "")
            if let text = refused.blockersContain { words += ", saying “\(text)”" }
            items.append(.text(words))
        }
        if let state = expect.state {
            items.append(.text("the case is at “\(workflow.map { WorkflowPage.stateTitle(state.value, in: $0) } ?? state.value)” (\(state.value))"))
        }
        for field in expect.fields { items.append(.text("\(field.path.value) is \(field.text.value)")) }
        for deadline in expect.deadlines {
            var words = "the time limit \(deadline.name.value)"
            if let status = deadline.status { words += " is \(status.value.replacingUnderscores)" }
            if let due = deadline.due { words += (deadline.status == nil ? " is" : ",") + " due on \(due.value)" }
            items.append(.text(words))
        }
        for notice in expect.notices {
            var words = "a notice goes to " + (notice.to?.value ?? "someone")
            if let channel = notice.channel { words += channel.value == "portal" ? " through the portal" : " by another route" }
            if let subject = notice.subjectContains { words += ", its subject saying “\(subject)”" }
            if let body = notice.bodyContains { words += ", its body saying “\(body)”" }
            items.append(.text(words))
        }
        for notice in expect.noNotices {
            var words = "no notice goes to " + (notice.to?.value ?? "anyone")
            if let channel = notice.channel { words += channel.value == "portal" ? " through the portal" : " by another route" }
            if let subject = notice.subjectContains { words += " with its subject saying “\(subject)”" }
            if let body = notice.bodyContains { words += " with its body saying “\(body)”" }
            items.append(.text(words))
        }
        if let decision = expect.decision { items.append(.text("the answer is: \(decision.value)")) }
        if let redactions = expect.redactions {
            items.append(.text(redactions.value.isEmpty ? "nothing is withheld" : "withheld: " + redactions.value.joined(separator: ", ")))
        }
        if let timeline = expect.timeline {
            if !timeline.shows.isEmpty { items.append(.text("the timeline shows " + timeline.shows.map { "“\($0.value)”" }.joined(separator: ", "))) }
            if !timeline.hides.isEmpty { items.append(.text("the timeline does not show " + timeline.hides.map { "“\($0.value)”" }.joined(separator: ", "))) }
        }
        if let document = expect.document { items += documentWords(document) }
        return items
    }

    private static func documentWords(_ document: DocumentExpectation) -> [Markup] {
        var items: [Markup] = []
        if let version = document.version { items.append(.text("it is version \(version.value)")) }
        if let added = document.addedBy { items.append(.text("it was added by \(added.value)")) }
        if !document.shown.isEmpty { items.append(.text("they are shown section " + document.shown.map(\.value).joined(separator: ", "))) }
        if !document.withheld.isEmpty { items.append(.text("section " + document.withheld.map(\.value).joined(separator: ", ") + " is withheld from them")) }
        func text(_ wanted: TextExpectation, _ name: String) {
            if let contains = wanted.contains { items.append(.text("\(name) says “\(contains.value)”")) }
            if let equals = wanted.equals { items.append(.text("\(name) is exactly “\(equals.value)”")) }
        }
        text(document.text, "its text")
        for (section, wanted) in document.sections { text(wanted, "section \(section.value)") }
        return items
    }

    private static func grantWords(_ grant: GrantWritten) -> String {
        "\(grant.actor.value) has \(grant.level.value) access" + (grant.sections.map { " to " + $0.joined(separator: ", ") } ?? "")
    }

    /// Written values as a list of `path = value`.
    private static func values(_ values: [WrittenValue]) -> Markup {
        values.isEmpty ? .text("") : .list(values.map { .joined([.code($0.path.value), .text(" = "), .code($0.text.value)]) })
    }
}

extension StepAction {
    /// The values the step gives: a transition's input or a form's fields.
    fileprivate var written: [WrittenValue] {
        switch self {
        case .fire(_, let input): input
        case .submit(_, let fields): fields
        default: []
        }
    }
}

extension String {
    /// `met_late` as `met late`.
    fileprivate var replacingUnderscores: String { split(separator: "_").joined(separator: " ") }
}

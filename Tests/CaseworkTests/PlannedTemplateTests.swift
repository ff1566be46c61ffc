@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkExpressions
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation
import Testing

/// A workflow's templates are planned once (``PlannedTemplate``): each placeholder resolved to what fills it. Rendering
/// a planned text gives, byte for byte, what rendering the template's text by looking every placeholder up by name
/// gave, for every kind of placeholder, record, recipient and message value.
@Suite("Planned templates")
struct PlannedTemplateTests {
    /// A workflow whose templates use every built-in, a declared clock's due date, an undeclared clock's path (a
    /// field), set, unset and withheld fields, and short and long texts.
    static let workflow = """
        workflow: letters
        version: 1
        title: Letters about a child
        roles: [caseworker, parent]
        fields:
          name: string
          weeks: int
          due: date
          ready: bool
          tags: { list: string }
          child: { first_name: string, address: string }
        states:
          open: { initial: true, title: Open for letters }
          closed: { final: true }
        transitions:
          - name: write
            from: open
            to: open
            by: [caseworker]
            input: { weeks: optional }
            notify: [{ to: parent, template: long }, { to: parent, template: short }]
          - { name: close, from: open, to: closed, by: caseworker }
        deadlines:
          - name: decide
            title: Decide
            from: due
            due: 6 weeks
            until: [closed]
        templates:
          long:
            subject: "Case {{ case.id }} ({{ case.state }}, {{ case.state_title }}) in {{ workflow.title }}"
            body: "Dear {{ name }}, week {{ weeks }} for {{ child.first_name }} at {{ child.address }}; due {{ deadlines.decide.due_on }}; ready {{ ready }}; tags {{ tags }}; on {{ due }}."
          short:
            subject: "{{ case.id }}"
            body: "Hi {{ name }}."
          plain:
            subject: "No placeholders at all in this rather long subject line"
            body: ""

        """

    static func planned() throws -> PlannedWorkflow {
        let catalog = try DefinitionCatalog.load(sources: [(file: "letters.yaml", text: workflow)])
        return try #require(catalog.workflows["letters"]).planned()
    }

    /// What filled a placeholder before templates were planned: a message's own value, then the case's built-ins by
    /// name, then a declared clock's due date; nil for a field.
    static func referenceValue(_ path: String, values: [String: ExpressionValue], workflow: PlannedWorkflow, record: CaseRecord) -> ExpressionValue? {
        if !values.isEmpty, let value = values[path] { return value }
        switch path {
        case "case.id": return .string(record.id)
        case "case.state": return .string(record.state)
        case "case.state_title": return .string(workflow.definition.states.first { $0.name.value == record.state }?.title ?? record.state)
        case "workflow.title": return .string(workflow.definition.title)
        default:
            guard let clock = TemplateBuiltins.deadline(named: path, among: workflow.definition.deadlines) else { return nil }
            return record.deadlines.last { $0.name == clock }.map { .date($0.dueOn) } ?? .string(TemplateRenderer.notRecorded)
        }
    }

    /// How a template's text was rendered before it was planned: every placeholder looked up by name.
    static func reference(
        _ text: TemplateText, values: [String: ExpressionValue], workflow: PlannedWorkflow, record: CaseRecord, visibility: FieldVisibility
    ) -> String {
        var output = ""
        for part in text.parts {
            switch part {
            case .literal(let literal): output += literal
            case .placeholder(let path):
                if let value = referenceValue(path.value, values: values, workflow: workflow, record: record) {
                    output += TemplateRenderer.format(value)
                } else if !visibility.shows(path.value) {
                    output += TemplateRenderer.withheld
                } else {
                    output += record.fields[path.value].map(TemplateRenderer.format) ?? TemplateRenderer.notRecorded
                }
            }
        }
        return output
    }

    static func records() -> [CaseRecord] {
        let at = Date(timeIntervalSince1970: 1_756_717_200)
        let full: [String: ExpressionValue] = [
            "name": .string("Ana Souza-Lindqvist, whose name is long enough for any buffer"), "weeks": .int(123_456_789), "due": .date(CalendarDate("2025-09-01")!),
            "ready": .bool(true), "tags": .list([.string("one"), .string("two")]), "child.first_name": .string("Sam"), "child.address": .string("1 Lane"),
        ]
        var records: [CaseRecord] = []
        for (state, fields) in [("open", full), ("closed", [:]), ("gone", ["name": .string("Bo")]), ("open", ["weeks": .int(-1), "name": .string("ü✓")])] {
            var record = CaseRecord(id: "case-\(records.count)", workflow: "letters", workflowVersion: 1, state: state, revision: 1, fields: fields,
                                    participants: [:], forms: [], openedAt: at, updatedAt: at, auditHead: AuditEvent.genesisHash)
            if records.count == 0 {
                var earlier = DeadlineRecord(name: "decide", startedOn: CalendarDate("2025-09-01")!, dueOn: CalendarDate("2025-10-13")!)
                earlier.status = .met
                record.deadlines = [earlier, DeadlineRecord(name: "decide", startedOn: CalendarDate("2025-11-03")!, dueOn: CalendarDate("2025-12-15")!)]
            }
            records.append(record)
        }
        return records
    }

    static let visibilities: [FieldVisibility] = [
        .all, .none,
        FieldVisibility(redactions: RedactionSet([Redaction(path: "case.address", fields: .under(["child.address"]))])),
        FieldVisibility(redactions: RedactionSet([Redaction(path: "case.fields", fields: .every)])),
    ]

    static let messageValues: [[String: ExpressionValue]] = [
        [:], ["form.title": .string("Advice")], ["case.id": .string("overridden"), "name": .string("from the message"), "deadlines.decide.due_on": .int(1)],
    ]

    @Test func everyTemplateIsPlannedInPlaceWithEachPlaceholdersFill() throws {
        let planned = try Self.planned()
        #expect(planned.templates.map(\.name) == planned.definition.templates.map(\.name.value))
        #expect(planned.template(named: "short") === planned.templates[1])
        #expect(planned.template(named: "missing") == nil)
        let long = try #require(planned.template(named: "long"))
        let fills = long.subject.parts.compactMap { if case .placeholder(_, let fill) = $0 { fill } else { nil } }
            + long.body.parts.compactMap { if case .placeholder(_, let fill) = $0 { fill } else { nil } }
        #expect(fills == [.caseID, .caseState, .stateTitle, .workflowTitle, .field, .field, .field, .field, .dueOn(clock: "decide"), .field, .field, .field])
        #expect(PlannedText.Fill("deadlines.other.due_on", deadlines: planned.definition.deadlines) == .field)
        #expect(PlannedText.Fill("deadlines.decide.due_on", deadlines: []) == .field)
    }

    @Test func aPlannedTextRendersWhatLookingEachPlaceholderUpByNameRendered() throws {
        let planned = try Self.planned()
        var compared = 0
        for (place, template) in planned.definition.templates.enumerated() {
            for record in Self.records() {
                for visibility in Self.visibilities {
                    for values in Self.messageValues {
                        let builtins = TemplateValues(workflow: planned, values: values)
                        for (text, plannedText) in [(template.subject, planned.templates[place].subject), (template.body, planned.templates[place].body)] {
                            let rendered = TemplateRenderer.render(plannedText, record: record, builtins: builtins, showing: visibility)
                            let expected = Self.reference(text, values: values, workflow: planned, record: record, visibility: visibility)
                            #expect(Array(rendered.utf8) == Array(expected.utf8), "template \(template.name.value), case \(record.id)")
                            compared += 1
                        }
                        for path in Self.texts(of: template).flatMap(\.placeholders).map(\.value) + ["case.id", "deadlines.decide.due_on", "deadlines.x.due_on", "name"] {
                            #expect(builtins.value(path, of: record) == Self.referenceValue(path, values: values, workflow: planned, record: record))
                        }
                    }
                }
            }
        }
        #expect(compared == planned.definition.templates.count * 2 * Self.records().count * Self.visibilities.count * Self.messageValues.count)
    }

    static func texts(of template: TemplateDefinition) -> [TemplateText] { [template.subject, template.body] }

    /// A fire's notices carry the planned template's name and text: the same messages the definition's template gave.
    @Test func aFiresNoticesAreRenderedFromThePlannedTemplates() throws {
        let catalog = try DefinitionCatalog.load(sources: [(file: "letters.yaml", text: Self.workflow)])
        let engine = try Engine(catalog: catalog, store: InMemoryCaseStore(), clock: ManualClock(Date(timeIntervalSince1970: 1_756_717_200)))
        let actor = CaseActor(role: "caseworker", id: "ana")
        _ = try engine.open(workflow: "letters", as: actor, caseID: "c1", fields: ["name": .string("Bo"), "child.address": .string("1 Lane")])
        let result = try engine.fire(FireRequest(caseID: "c1", transition: "write", actor: actor, input: ["weeks": .int(7)]))
        #expect(result.notifications.map(\.template) == ["long", "short"])
        #expect(result.notifications.map(\.subject) == ["Case c1 (open, Open for letters) in Letters about a child", "c1"])
        #expect(result.notifications.map(\.body) == [
            "Dear Bo, week 7 for (not yet recorded) at 1 Lane; due (not yet recorded); ready (not yet recorded); tags (not yet recorded); on (not yet recorded).",
            "Hi Bo.",
        ])
    }
}

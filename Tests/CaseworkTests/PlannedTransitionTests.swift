@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkExpressions
@testable import CaseworkStore
import Foundation
import Testing

/// What a workflow's plan resolves once for each transition (``PlannedTransition``) is what a fire used to look up by
/// name for every fire: the same guard, `set:` values, notice conditions and templates as the plan's tables and the
/// definition give; and the fields a fire given all its input touches (the plan's list) record exactly the change that
/// comparing every field of the case before and after would.
@Suite("Planned transitions")
struct PlannedTransitionTests {
    static let workflow = """
        workflow: touch
        version: 1
        title: Touch
        roles: [caseworker, parent]
        fields:
          a: int
          b: string
          c: int
          ready: bool
        states:
          open: { initial: true }
          done: { final: true }
        transitions:
          - name: step
            from: open
            to: open
            by: [caseworker]
            input: { a: optional, b: optional }
            set: { c: "7", b: "'fixed'" }
            when: ready
            notify:
              - { to: parent, template: second }
              - { to: caseworker, template: first, when: "c > 1" }
          - name: plain
            from: open
            to: open
            by: [caseworker]
            input: { a: required }
            notify: [{ to: parent, template: first }]
          - { name: finish, from: open, to: done, by: caseworker }
        templates:
          first: { subject: "First", body: "Case {{ case.id }}." }
          second: { subject: "Second", body: "Now {{ a }}." }

        """

    static let caseworker = CaseActor(role: "caseworker", id: "ana")

    static func engine(_ store: any CaseStore = InMemoryCaseStore()) throws -> Engine {
        let catalog = try DefinitionCatalog.load(sources: [(file: "touch.yaml", text: workflow)])
        return try Engine(catalog: catalog, store: store, clock: ManualClock(Date(timeIntervalSince1970: 1_756_717_200)))
    }

    @Test func eachTransitionsPlanIsWhatThePlansTablesAndTheDefinitionGive() throws {
        let catalog = try DefinitionCatalog.load(sources: [(file: "touch.yaml", text: Self.workflow)])
        let planned = try #require(catalog.workflows["touch"]).planned()
        #expect(planned.transitions.map(\.definition) == planned.definition.transitions)
        for transition in planned.transitions {
            let name = transition.definition.name.value
            #expect(planned.transition(named: name) === transition)
            #expect((transition.guardExpression != nil) == (planned.guards[name] != nil))
            #expect(transition.assignments.map(\.field) == (planned.assignments[name] ?? []).map(\.field))
            #expect(transition.notifyConditions.map { Set($0.keys) } == planned.notifyConditions[name].map { Set($0.keys) })
            #expect(transition.notifyTemplates == transition.definition.notify.map { notice in
                planned.definition.templates.firstIndex { $0.name.value == notice.template.value }
            })
        }
        #expect(planned.transition(named: "nothing") == nil)
        let step = try #require(planned.transition(named: "step"))
        #expect(step.fieldsTouched == ["a", "b", "c"])
        #expect(step.inputPaths == 2)
        #expect(try #require(planned.transition(named: "finish")).fieldsTouched.isEmpty)
    }

    @Test(arguments: [
        ["a": ExpressionValue.int(1), "b": .string("given")],
        ["a": .int(2)],
        ["b": .string("fixed")],
        [:],
    ])
    func aFiresAuditedChangeIsWhatComparingEveryFieldGives(input: [String: ExpressionValue]) throws {
        let store = InMemoryCaseStore()
        let engine = try Self.engine(store)
        _ = try engine.open(workflow: "touch", as: Self.caseworker, caseID: "c1", fields: ["ready": .bool(true), "a": .int(2), "c": .int(7)])
        for _ in 0..<2 {
            let before = try #require(try store.load(caseID: "c1"))
            _ = try engine.fire(FireRequest(caseID: "c1", transition: "step", actor: Self.caseworker, input: input))
            let after = try #require(try store.load(caseID: "c1"))
            let event = try #require(try store.history(caseID: "c1").last)
            #expect(event.change == RecordChange.between(before, after))
        }
        #expect(AuditVerification.verify(try store.history(caseID: "c1"), record: try store.load(caseID: "c1")) == .intact(events: 3))
    }
}

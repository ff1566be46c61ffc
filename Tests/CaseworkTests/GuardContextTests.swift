@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTestSupport
@testable import CaseworkTime
import Foundation
import Testing

/// A workflow's expressions as the engine runs them (planned into slots, evaluated against ``LoadedWorkflow/context(for:calendar:)``,
/// which reads only the names some expression uses, in place from the case) against the same checked expressions planned
/// to read names from the dictionary ``ExpressionNames/context(for:calendar:)`` builds of every declared name: the same
/// value or the same error, for every guard, `set:` value and deadline expression of the shipped workflows and the
/// engine benchmark's, over generated cases (fields set, unset, of the wrong type, whole numbers in decimal fields; form
/// instances in every status; actors in and out of the workflow's roles).
@Suite("Workflow expressions: the slot context agrees with the context by name")
struct GuardContextTests {
    static let shipped = try! DefinitionCatalog(Validator.validate(paths: ["Workflows", "Policies"].map { RepositoryPaths.root.appendingPathComponent($0).path }))

    /// A value of `type`, sometimes a whole number for a decimal (which the names read as a decimal).
    static func value(of type: ExpressionType, _ generator: inout RecordGenerator) -> ExpressionValue {
        switch type {
        case .bool: return .bool(generator.chance())
        case .int: return .int(Int(generator.random.next() % 40) - 5)
        case .decimal: return generator.chance() ? .int(Int(generator.random.next() % 9)) : .decimal(generator.decimal())
        case .string: return .string(generator.pick(["", "Sam", "parent", "yes", generator.text()]))
        case .date: return .date(generator.day())
        case .datetime: return .datetime(generator.instant())
        case .enumeration(let domain): return .string(generator.chance() ? generator.pick(domain.values) : generator.text())
        case .list(let element): return .list(generator.list(upTo: 3) { value(of: element, &$0) })
        default: return generator.value()
        }
    }

    /// A case of `workflow` as a generator makes it: each declared field set or not (now and then to a value of
    /// another type), form instances of the forms it starts in every status, any of its states.
    static func input(for workflow: LoadedWorkflow, _ generator: inout RecordGenerator) -> CaseExpressionInput {
        let definition = workflow.definition
        var fields: [String: ExpressionValue] = [:]
        for (path, type) in WorkflowNames.fieldTypes(of: definition.fields) where generator.random.next() % 4 != 0 {
            fields[path] = generator.random.next() % 10 == 0 ? generator.value() : value(of: type, &generator)
        }
        let started = definition.transitions.flatMap { $0.startForms.map(\.form.value) }
        let forms = started.isEmpty ? [] : generator.list(upTo: 4) { generator in
            FormInstance(id: "f", form: generator.pick(started), formVersion: 1, recipientRole: "school", recipientID: nil,
                         status: generator.pick([.shared, .submitted, .accepted, .rejected]), fields: [:], dueOn: generator.day(), submissions: 0,
                         informationRequired: nil)
        }
        var record = CaseRecord(id: generator.principalID(), workflow: definition.id.value, workflowVersion: definition.version,
                                state: generator.pick(definition.states).name.value, revision: 2, fields: fields, participants: [:], forms: forms,
                                openedAt: generator.instant(), updatedAt: generator.instant(), auditHead: AuditEvent.genesisHash)
        if generator.random.next() % 8 == 0 { record.state = generator.text() }
        let role = generator.chance() ? generator.pick(definition.roles).value : generator.text()
        let actor = generator.random.next() % 6 == 0 ? CaseActor.operator("ops") : CaseActor(role: role, id: generator.principalID())
        let today = generator.day()
        return CaseExpressionInput(record: record, actor: actor, today: today, now: today.start().addingTimeInterval(3_600))
    }

    /// Every expression of `workflow`, named for a failure message.
    static func expressions(of workflow: LoadedWorkflow) -> [(name: String, expression: WorkflowExpression)] {
        workflow.guards.map { ("guard of \($0.key)", $0.value) }
            + workflow.assignments.flatMap { transition in transition.value.map { ("set \($0.field) in \(transition.key)", $0.value) } }
            + workflow.deadlineConditions.map { ("condition of \($0.key)", $0.value) }
            + workflow.deadlineDueDates.map { ("due date of \($0.key)", $0.value) }
    }

    /// The engine benchmark's guard, and guards over what the shipped workflows read little of: a decimal field (a whole
    /// number read as a decimal), `has` of a group, the date of birth `age_on` reads, the case's and the actor's names.
    static let names = """
        workflow: names
        version: 1
        title: Names
        roles: [caseworker, parent]
        fields:
          evidence_complete: bool
          weeks_waited: int
          score: decimal
          child: { first_name: string, date_of_birth: date }
        states:
          open: { initial: true }
          closed: { final: true }
        transitions:
          - { name: record, from: open, to: open, by: [caseworker], when: 'evidence_complete and weeks_waited < 1000000' }
          - { name: score, from: open, to: open, by: [caseworker], when: 'has(child) and score > 2.5', set: { weeks_waited: 'weeks_waited + 1' } }
          - { name: age, from: open, to: open, by: [caseworker], when: 'age_on(today) >= 16 or has(child.first_name)' }
          - { name: close, from: open, to: closed, by: [caseworker, parent], when: 'case.state == "open" and actor.role == "parent" and case.opened_on <= today and case.id != ""' }

        """

    static var workflows: [LoadedWorkflow] {
        let own = try! DefinitionCatalog.load(sources: [(file: "names.yaml", text: names)])
        return shipped.workflows.values.sorted { $0.definition.id.value < $1.definition.id.value } + own.workflows.values
    }

    @Test(arguments: [1, 2, 3])
    func everyWorkflowExpressionEvaluatesTheSameFromTheSlotContext(seed: UInt64) {
        var generator = RecordGenerator(random: SeededGenerator(seed: seed))
        var compared = 0
        for workflow in Self.workflows {
            let expressions = Self.expressions(of: workflow)
            for _ in 0..<150 {
                let input = Self.input(for: workflow, &generator)
                let bySlot = workflow.context(for: input)
                let byName = workflow.names.context(for: input)
                for (name, expression) in expressions {
                    compared += 1
                    #expect(expression.evaluate(bySlot) == CompiledExpression(expression.checked).evaluate(byName),
                            "\(workflow.definition.id.value): \(name) '\(expression.checked.syntax.root.text)'")
                }
            }
        }
        #expect(compared > 5_000)
    }

    /// A workflow's expressions take only a ``WorkflowContext``, which only ``LoadedWorkflow/context(for:calendar:)``
    /// makes, so evaluating one against a context by name (where every name would read as unset) does not compile;
    /// the context of another workflow, planned into other slots, is refused with an error instead of read.
    @Test func aWorkflowExpressionRefusesAnotherWorkflowsContext() throws {
        var generator = RecordGenerator(random: SeededGenerator(seed: 7))
        let own = try #require(Self.workflows.first { $0.definition.id.value == "names" })
        let guardExpression = try #require(own.guards["record"])
        let input = Self.input(for: own, &generator)
        #expect(guardExpression.evaluateCondition(own.context(for: input)) == CompiledExpression(guardExpression.checked).evaluateCondition(own.names.context(for: input)))
        for other in Self.shipped.workflows.values {
            let foreign = other.context(for: Self.input(for: other, &generator))
            #expect(guardExpression.evaluate(foreign) == .failure(.plannedForAnotherContext), "\(other.definition.id.value)")
            #expect(guardExpression.evaluateCondition(foreign) == .failure(.plannedForAnotherContext))
        }
    }
}

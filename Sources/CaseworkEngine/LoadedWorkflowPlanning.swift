import CaseworkDefinitions
import CaseworkExpressions
import CaseworkTime

extension LoadedWorkflow {
    /// `definition` with its expressions planned now, as the validation stage checked them (`checked`).
    init(_ definition: WorkflowDefinition, checked: CheckedWorkflowExpressions?, fingerprint: String, text: DefinitionText) throws(EngineError) {
        self.init(source: WorkflowSource(definition), fingerprint: fingerprint, text: text, plan: WorkflowPlan(try PlannedWorkflow(definition, checked: checked)))
    }

    /// The workflow of `source`, of a set a definition cache knew to be clean (``ValidationReport/workflowsUnchecked``,
    /// whose workflows are outlines), read whole with its checked expressions and planned when first used: the entry
    /// keeps, in the workflow's own region, what the validation that found the set clean decoded and checked (same
    /// build, same bytes), so nothing is decoded or checked again; a region that does not read refuses the workflow
    /// (``planned()``), never run on part of its definition. `failed` is called once if the plan fails (the kept entry
    /// is then discarded).
    init(deferring source: WorkflowSource, fingerprint: String, text: DefinitionText, whenItFails failed: @escaping @Sendable () -> Void) {
        self.init(source: source, fingerprint: fingerprint, text: text, plan: WorkflowPlan {
            let result = Self.plan(source)
            if case .failed = result { failed() }
            return result
        })
    }

    /// The plan of the workflow of `source` (``init(deferring:fingerprint:text:whenItFails:)``), from its kept definition
    /// and checked expressions.
    private static func plan(_ source: WorkflowSource) -> EngineOutcome<PlannedWorkflow> {
        switch source.kept {
        case .made(let kept): EngineOutcome { () throws(EngineError) in try PlannedWorkflow(kept.definition, checked: kept.expressions) }
        case .failed(let error): .failed(error)
        }
    }

    /// The whole definition, decoded now if that was left for first use, or what decoding it found if it failed: for a
    /// reader of every workflow's definition (the timeliness report), which must not take a workflow's outline for it.
    func decoded() throws(EngineError) -> WorkflowDefinition {
        try source.result.get()
    }

    /// The workflow as the engine runs it, its expressions planned now if that was left for first use, or what planning
    /// found if it failed: the engine asks before it runs a workflow, so it never runs one whose plan is missing, and it
    /// reads the definition and the plan from the one reference this returns for the rest of the command.
    @discardableResult
    func planned() throws(EngineError) -> PlannedWorkflow {
        try plan.get()
    }
}

extension PlannedWorkflow {
    /// Plans `definition`'s expressions as the validation stage checked them (`checked`), without compiling any again.
    ///
    /// The catalog is built only from a report with no errors, so every guard and `set:` value has checked; one that
    /// is missing all the same is a ``EngineError/definitionError(_:)``, never a transition that runs unguarded or a
    /// value silently not set.
    convenience init(_ definition: WorkflowDefinition, checked: CheckedWorkflowExpressions?) throws(EngineError) {
        let workflow = "workflow '\(definition.id.value)'"
        guard let checked else { throw .definitionError("the expressions of \(workflow) were not checked") }
        // Every expression of the workflow is planned into one set of slots, so a context fills only the names some
        // expression reads, straight from the case, instead of valuing every declared name by name.
        var slots = checked.names.slots()
        let layout = WorkflowSlotLayout()
        func planned(_ expression: CheckedExpression) -> WorkflowExpression {
            WorkflowExpression(compiled: CompiledExpression(expression, slots: &slots), layout: layout)
        }
        var guards: [String: WorkflowExpression] = [:]
        var assignments: [String: [(field: String, value: WorkflowExpression)]] = [:]
        var openings: [String: [String: [(field: String, value: WorkflowExpression)]]] = [:]
        var reports: [String: [(field: String, value: WorkflowExpression)]] = [:]
        var notifyConditions: [String: [Int: WorkflowExpression]] = [:]
        for transition in definition.transitions {
            let name = transition.name.value
            for (position, notification) in transition.notify.enumerated() where notification.condition != nil {
                guard let condition = checked.notifyConditions[name]?[position] else {
                    throw .definitionError("the condition of notification \(position + 1) of transition '\(name)' of \(workflow) was not checked")
                }
                notifyConditions[name, default: [:]][position] = planned(condition)
            }
            if transition.when != nil {
                guard let guardExpression = checked.guards[name] else {
                    throw .definitionError("the guard of transition '\(name)' of \(workflow) was not checked")
                }
                guards[name] = planned(guardExpression)
            }
            for assignment in transition.set {
                guard let value = checked.assignments[name]?[assignment.field.value] else {
                    throw .definitionError("the value for '\(assignment.field.value)' in transition '\(name)' of \(workflow) was not checked")
                }
                assignments[name, default: []].append((assignment.field.value, planned(value)))
            }
            for effect in transition.open {
                var values: [(field: String, value: WorkflowExpression)] = []
                for assignment in effect.fields {
                    guard let value = checked.openings[name]?[effect.link.value]?[assignment.field.value] else {
                        throw .definitionError("the value for '\(assignment.field.value)' opening link '\(effect.link.value)' in transition '\(name)' of \(workflow) was not checked")
                    }
                    values.append((assignment.field.value, planned(value)))
                }
                openings[name, default: [:]][effect.link.value] = values
            }
            for assignment in transition.report?.input ?? [] {
                guard let value = checked.reports[name]?[assignment.field.value] else {
                    throw .definitionError("the value for '\(assignment.field.value)' reported by transition '\(name)' of \(workflow) was not checked")
                }
                reports[name, default: []].append((assignment.field.value, planned(value)))
            }
        }
        var conditions: [String: WorkflowExpression] = [:]
        var dueDates: [String: WorkflowExpression] = [:]
        for deadline in definition.deadlines {
            let name = deadline.name.value
            if deadline.condition != nil {
                guard let condition = checked.deadlineConditions[name] else {
                    throw .definitionError("the condition of deadline '\(name)' of \(workflow) was not checked")
                }
                conditions[name] = planned(condition)
            }
            if deadline.dueOn != nil {
                guard let due = checked.deadlineDueDates[name] else { throw .definitionError("the due date of deadline '\(name)' of \(workflow) was not checked") }
                dueDates[name] = planned(due)
            }
        }
        self.init(definition: definition, fieldTypes: FieldValues.types(of: definition.fields), names: checked.names, reader: checked.names.slotReader(slots), layout: layout, guards: guards,
                  assignments: assignments, deadlineConditions: conditions, deadlineDueDates: dueDates, openings: openings, reports: reports,
                  notifyConditions: notifyConditions)
    }
}

extension LoadedWorkflow {
    /// What the workflow's guards, `set:` values and deadline expressions are evaluated against for `input`: the slots
    /// they were planned into, filled from the case (the values ``names`` gives by name, read only where some
    /// expression reads them), `today`, `now`, and `calendar` for working days: the only context they can be evaluated
    /// against (``WorkflowExpression``). The input is consumed, as the slot reader consumes it.
    public func context(for input: consuming CaseExpressionInput, calendar: any WorkingDayCalendar = WeekdayCalendar()) -> WorkflowContext {
        plan.planned.context(for: input, calendar: calendar)
    }
}

extension PlannedWorkflow {
    /// What the workflow's expressions are evaluated against for `input` (``LoadedWorkflow/context(for:calendar:)``).
    func context(for input: consuming CaseExpressionInput, calendar: any WorkingDayCalendar) -> WorkflowContext {
        WorkflowContext(evaluation: reader.context(for: input, calendar: calendar), layout: layout)
    }
}

import CaseworkExpressions

/// One of a workflow's guards, `set:` values or deadline expressions, planned into the slots of the workflow's expressions
/// (``LoadedWorkflow``): evaluated only against a ``WorkflowContext``, which only ``LoadedWorkflow/context(for:calendar:)``
/// makes.
///
/// The planned expression reads its names by slot. Against a context by name (``ExpressionNames/context(for:calendar:)``)
/// every name would read as unset, so a guard would quietly be false: the types make that call impossible, and a
/// context of another workflow (other slots) is refused with ``EvaluationError/plannedForAnotherContext``.
public struct WorkflowExpression: Sendable {
    /// The expression as planned into the workflow's slots.
    let compiled: CompiledExpression
    /// The slots it was planned into.
    let layout: WorkflowSlotLayout

    /// The checked expression it was planned from.
    public var checked: CheckedExpression { compiled.checked }

    /// Evaluates the expression against `context`, its workflow's.
    public func evaluate(_ context: WorkflowContext) -> Result<ExpressionValue, EvaluationError> {
        guard context.layout === layout else { return .failure(.plannedForAnotherContext) }
        return compiled.evaluate(context.evaluation)
    }

    /// Evaluates a bool expression (a guard) against `context`, its workflow's: true, false, or why it cannot be decided.
    public func evaluateCondition(_ context: WorkflowContext) -> Result<Bool, EvaluationError> {
        guard context.layout === layout else { return .failure(.plannedForAnotherContext) }
        return compiled.evaluateCondition(context.evaluation)
    }
}

/// What one workflow's expressions are evaluated against for one case: the slots they were planned into, filled from
/// the case, with today, now and the working-day calendar. Made only by ``LoadedWorkflow/context(for:calendar:)``.
public struct WorkflowContext: Sendable {
    /// The filled slots and the time.
    let evaluation: EvaluationContext
    /// The slots they fill.
    let layout: WorkflowSlotLayout
}

/// The identity of one workflow's slot plan, shared by its expressions and the contexts it makes, so an expression is
/// never evaluated against another plan's slots. It holds nothing; only its identity is compared.
final class WorkflowSlotLayout: Sendable {}

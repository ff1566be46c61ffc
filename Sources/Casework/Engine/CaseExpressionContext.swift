import Foundation

extension Engine {
    /// What a workflow's guards and `set:` values are evaluated against on `record` for `actor`: the values of the
    /// workflow's names (``WorkflowNames``, declared with their types in one place), today, now and the workflow's
    /// working-day calendar.
    func evaluationContext(_ record: CaseRecord, workflow: LoadedWorkflow, actor: Actor, today: CalendarDate, now: Date) -> EvaluationContext {
        let calendar = workflow.definition.calendar.flatMap { catalog.calendars[$0.value] } ?? defaultCalendar
        return workflow.names.context(for: CaseExpressionInput(record: record, actor: actor, today: today, now: now), calendar: calendar)
    }
}

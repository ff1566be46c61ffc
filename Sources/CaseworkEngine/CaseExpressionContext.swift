import CaseworkDefinitions
import CaseworkExpressions
import CaseworkTime
import Foundation

extension Engine {
    /// What a workflow's guards and `set:` values are evaluated against on `record` for `actor`: the values of the
    /// workflow's names its expressions read (``WorkflowNames``, declared with their types in one place), with the
    /// cases it opened through its links and the child record it belongs to (taken from `linked`, which reads each at most
    /// once for the command: ``linkedSnapshot()``), today, now and the workflow's working-day calendar, taken from the calendars of the
    /// definition set the case runs on.
    func evaluationContext(
        _ record: CaseRecord, workflow: PlannedWorkflow, calendars: [String: WorkingCalendar], actor: CaseActor, linked: LinkedCaseSnapshot,
        today: CalendarDate, now: Date
    ) -> WorkflowContext {
        let calendar = workflow.definition.calendar.flatMap { calendars[$0.value] } ?? defaultCalendar
        return workflow.context(for: CaseExpressionInput(record: record, actor: actor, today: today, now: now,
                                                         linked: linked.linked(of: record, workflow: workflow.definition),
                                                         child: linked.childFields(of: record, workflow: workflow.definition)), calendar: calendar)
    }
}

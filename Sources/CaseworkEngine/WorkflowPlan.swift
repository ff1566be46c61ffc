import CaseworkDefinitions
import CaseworkExpressions
import CaseworkYAML
import Synchronization

/// A workflow as the engine runs it: its whole definition, decoded, and what its expressions compile to: its guards,
/// `set:` values and deadline expressions planned into one set of slots, the names they read and the reader that fills
/// the slots from a case.
///
/// A class, never changed after it is made: the engine takes it once per command (``Engine/workflow(for:in:)``) and
/// reads a part of it for every transition, guard, value, deadline and template it looks at, and reading through one
/// reference costs one count where copying the parts cost one for each (a copy of the whole definition retains and
/// releases every array in it: see docs/performance.md, Benchmarks, `engine`).
final class PlannedWorkflow: Sendable {
    /// The whole definition the expressions were planned from.
    let definition: WorkflowDefinition
    /// Each declared field path's type.
    let fieldTypes: [String: FieldType]
    /// The names the expressions read.
    let names: ExpressionNames<CaseExpressionInput>
    /// Fills the slots the expressions are planned into.
    let reader: ExpressionNames<CaseExpressionInput>.SlotReader
    /// The identity of those slots, which the expressions and the contexts they are evaluated against share.
    let layout: WorkflowSlotLayout
    /// Compiled guards by transition name.
    let guards: [String: WorkflowExpression]
    /// Compiled `set:` expressions by transition name, in file order.
    let assignments: [String: [(field: String, value: WorkflowExpression)]]
    /// Compiled deadline conditions by deadline name.
    let deadlineConditions: [String: WorkflowExpression]
    /// Compiled deadline due dates by deadline name.
    let deadlineDueDates: [String: WorkflowExpression]
    /// Compiled `open:` field values by transition name and then link, in file order.
    let openings: [String: [String: [(field: String, value: WorkflowExpression)]]]
    /// Compiled `report:` input values by transition name, in file order.
    let reports: [String: [(field: String, value: WorkflowExpression)]]
    /// Compiled notification conditions (`notify:` entries' `when:`) by transition name and then place in `notify:`.
    let notifyConditions: [String: [Int: WorkflowExpression]]
    /// Every transition with what the plan resolved for it, in file order: what a fire reads of its transition, found
    /// once by name (``transition(named:)``) instead of looked up in each table by name for every fire.
    let transitions: [PlannedTransition]
    /// Every template, planned (``PlannedTemplate``), at the same place as in ``WorkflowDefinition/templates``.
    let templates: [PlannedTemplate]

    init(
        definition: WorkflowDefinition, fieldTypes: [String: FieldType], names: ExpressionNames<CaseExpressionInput>, reader: ExpressionNames<CaseExpressionInput>.SlotReader,
        layout: WorkflowSlotLayout, guards: [String: WorkflowExpression], assignments: [String: [(field: String, value: WorkflowExpression)]],
        deadlineConditions: [String: WorkflowExpression], deadlineDueDates: [String: WorkflowExpression],
        openings: [String: [String: [(field: String, value: WorkflowExpression)]]] = [:], reports: [String: [(field: String, value: WorkflowExpression)]] = [:],
        notifyConditions: [String: [Int: WorkflowExpression]] = [:]
    ) {
        self.definition = definition
        self.notifyConditions = notifyConditions
        self.openings = openings
        self.reports = reports
        self.fieldTypes = fieldTypes
        self.names = names
        self.reader = reader
        self.layout = layout
        self.guards = guards
        self.assignments = assignments
        self.deadlineConditions = deadlineConditions
        self.deadlineDueDates = deadlineDueDates
        self.templates = definition.templates.map { PlannedTemplate($0, deadlines: definition.deadlines) }
        self.transitions = definition.transitions.map { transition in
            PlannedTransition(transition, templates: definition.templates, guardExpression: guards[transition.name.value],
                              assignments: assignments[transition.name.value] ?? [], notifyConditions: notifyConditions[transition.name.value])
        }
    }

    /// The first transition named `name`, as ``WorkflowDefinition/transitions`` lists them, with its plan; nil when the
    /// workflow has none of that name.
    func transition(named name: String) -> PlannedTransition? {
        transitions.first { $0.definition.name.value == name }
    }

    /// The first template named `name`, as ``WorkflowDefinition/templates`` lists them, planned; nil when the workflow
    /// has none of that name.
    func template(named name: String) -> PlannedTemplate? {
        templates.first { $0.name == name }
    }

    /// What a workflow whose plan failed answers with: an empty definition, no names, no expressions. The engine never
    /// runs it (it asks ``LoadedWorkflow/planned()`` first and is refused); only a reader of the plan's parts sees this
    /// (``LoadedWorkflow/definition`` is read from the workflow's source, never from here).
    static let none: PlannedWorkflow = {
        let names = ExpressionNames<CaseExpressionInput>()
        let nowhere = SourceRange(file: "", at: SourceMark(line: 1, column: 1, offset: 0))
        let definition = WorkflowDefinition(id: Located("", at: nowhere), version: 0, title: "", roles: [], fields: [], states: [], transitions: [],
                                            templates: [], file: "")
        return PlannedWorkflow(definition: definition, fieldTypes: [:], names: names, reader: names.slotReader(names.slots()), layout: WorkflowSlotLayout(), guards: [:], assignments: [:],
                               deadlineConditions: [:], deadlineDueDates: [:])
    }()
}

/// One transition of a ``PlannedWorkflow`` with what a fire reads of it resolved once, when the workflow is planned:
/// its guard, its `set:` values and its notices' conditions (the plan's tables' entries for its name), the place of
/// each notice's template among the workflow's templates, and every field path a fire of it may set.
///
/// A class, never changed after it is made, so a fire takes one reference to its transition: a copy of the definition
/// retains and releases every part of it, twice a fire (see docs/performance.md, Benchmarks, `fire7`).
final class PlannedTransition: Sendable {
    /// The transition as defined.
    let definition: TransitionDefinition
    /// Its compiled guard (``PlannedWorkflow/guards``); nil when it has none.
    let guardExpression: WorkflowExpression?
    /// Its compiled `set:` values, in file order (``PlannedWorkflow/assignments``); empty when it sets none.
    let assignments: [(field: String, value: WorkflowExpression)]
    /// Its notices' compiled conditions by place in `notify:` (``PlannedWorkflow/notifyConditions``); nil when no
    /// notice of it has one.
    let notifyConditions: [Int: WorkflowExpression]?
    /// Where the template of each notice, by place in `notify:`, is in the workflow's templates: the first of that name;
    /// nil when the workflow has none of that name (the notice then sends nothing).
    let notifyTemplates: [Int?]
    /// Every field path a fire of it given all its declared input sets, each once: that input, then its `set:` fields
    /// not among it. A fire's input is checked to be declared input (``Engine/inputProblems(_:types:declared:step:)``),
    /// so a fire given ``inputPaths`` values sets exactly these, which is what the audit compares
    /// (``RecordChange/between(_:_:fieldsTouched:given:)``), without gathering them from the input and the values set.
    let fieldsTouched: [String]
    /// How many field paths its declared input names (each once).
    let inputPaths: Int

    /// `transition` of a workflow whose templates are `templates`, with its plan's entries.
    init(
        _ transition: TransitionDefinition, templates: [TemplateDefinition], guardExpression: WorkflowExpression?,
        assignments: [(field: String, value: WorkflowExpression)], notifyConditions: [Int: WorkflowExpression]?
    ) {
        definition = transition
        self.guardExpression = guardExpression
        self.assignments = assignments
        self.notifyConditions = notifyConditions
        notifyTemplates = transition.notify.map { notice in templates.firstIndex { $0.name.value == notice.template.value } }
        var touched: [String] = []
        var seen: Set<String> = []
        for field in transition.input where seen.insert(field.field.value).inserted { touched.append(field.field.value) }
        inputPaths = touched.count
        for assignment in transition.set where seen.insert(assignment.field.value).inserted { touched.append(assignment.field.value) }
        fieldsTouched = touched
    }
}

/// A workflow's ``PlannedWorkflow``, made when the workflow is loaded or on first use, once, whichever copy of the
/// workflow asks first (the engines of an async service share one catalog across threads).
final class WorkflowPlan: Sendable {
    /// The plan made when the workflow was loaded; nil when it is made on first use.
    private let made: EngineOutcome<PlannedWorkflow>?
    /// The plan made on first use, once made.
    private let deferred: Mutex<EngineOutcome<PlannedWorkflow>?>
    /// Makes the plan on first use.
    private let make: @Sendable () -> EngineOutcome<PlannedWorkflow>

    /// A plan made now.
    init(_ planned: PlannedWorkflow) {
        made = .made(planned)
        deferred = Mutex(nil)
        make = { .made(planned) }
    }

    /// A plan `make` makes when it is first asked for.
    init(_ make: @escaping @Sendable () -> EngineOutcome<PlannedWorkflow>) {
        made = nil
        deferred = Mutex(nil)
        self.make = make
    }

    /// The plan, or why it could not be made.
    var result: EngineOutcome<PlannedWorkflow> {
        if let made { return made }
        return deferred.withLock { deferred in
            if let deferred { return deferred }
            let result = make()
            deferred = result
            return result
        }
    }

    /// The plan, or why it could not be made, thrown: a plan made already is handed back as it is, without the
    /// ``result`` that holds it being copied out of its optional and taken apart again.
    func get() throws(EngineError) -> PlannedWorkflow {
        if case .made(let planned)? = made { return planned }
        return try result.get()
    }

    /// The plan, or ``PlannedWorkflow/none`` if it could not be made.
    var planned: PlannedWorkflow {
        switch result {
        case .made(let planned): return planned
        case .failed: return .none
        }
    }
}

import CaseworkDiagnostics
import CaseworkYAML

/// The checks that concern one workflow on its own: states, transitions, roles, templates and the shape of its graph,
/// with the `messages:` of the forms it starts (which name its templates).
struct WorkflowChecks {
    let workflow: WorkflowDefinition
    /// The forms the workflow starts that are in the set, once each.
    let forms: [FormDefinition]
    private let stateIndex: [String: Int]
    /// The workflow's roles and templates: a few names each, found by comparing rather than hashing (a transition
    /// names several roles and a template, and a large workflow has thousands of transitions).
    private let roleNames: [String]
    private let templateNames: [String]

    init(_ workflow: WorkflowDefinition, forms: [FormDefinition] = []) {
        self.workflow = workflow
        self.forms = forms
        var index: [String: Int] = [:]
        index.reserveCapacity(workflow.states.count)
        // Last first, so a repeated name keeps its first state's position: one hash per state.
        for offset in workflow.states.indices.reversed() {
            index[workflow.states[offset].name.value] = offset
        }
        stateIndex = index
        roleNames = workflow.roles.map(\.value)
        templateNames = workflow.templates.map(\.name.value)
    }

    /// Runs every check; the graph checks only when `judgeGraph` (see ``DefinitionSetValidator``).
    func run(into bag: inout DiagnosticBag, judgeGraph: Bool = true) {
        checkInitialAndFinalStates(into: &bag)
        let edges = checkTransitions(into: &bag)
        checkMessages(into: &bag)
        checkTemplates(into: &bag)
        if judgeGraph, let edges { checkGraph(edges: edges, into: &bag) }
    }

    private func checkInitialAndFinalStates(into bag: inout DiagnosticBag) {
        guard !workflow.states.isEmpty else { return }
        let initial = workflow.states.filter(\.isInitial)
        if initial.isEmpty {
            bag.report(.noInitialState(workflow: workflow.id.value), at: workflow.id.range)
        }
        for extra in initial.dropFirst() {
            bag.report(.multipleInitialStates(state: extra.name.value), at: extra.name.range,
                       notes: [DiagnosticNote("first initial state declared here", at: initial[0].name.range)])
        }
        for state in initial where state.isFinal {
            bag.report(.initialStateIsFinal(state: state.name.value), at: state.name.range)
        }
        if !workflow.states.contains(where: \.isFinal) {
            bag.report(.noFinalState(workflow: workflow.id.value), at: workflow.id.range)
        }
    }

    /// Checks each transition's names; returns its edges (origin and target state positions, in transition order)
    /// when every transition names only declared states, so the graph checks need not look the names up again.
    private func checkTransitions(into bag: inout DiagnosticBag) -> [(origin: Int, target: Int)]? {
        var firstByName: [String: SourceRange] = [:]
        firstByName.reserveCapacity(workflow.transitions.count)
        var edges: [(origin: Int, target: Int)]? = []
        edges?.reserveCapacity(workflow.transitions.count)
        // Read by index, field by field: binding each transition would copy (and reference-count) all of it.
        for index in workflow.transitions.indices {
            let name = workflow.transitions[index].name.value
            // Made only for a diagnostic: most transitions have none.
            func referrer() -> String { "transition '\(name)'" }
            // One hash per name: the first declaration stays recorded when a repeat is found.
            if let first = firstByName.updateValue(workflow.transitions[index].name.range, forKey: name) {
                firstByName[name] = first
                bag.report(.duplicateTransition(name: name), at: workflow.transitions[index].name.range,
                           notes: [DiagnosticNote("first declared here", at: first)])
            }
            // The origins wait on `edges` with no target yet (no array of their own per transition), and get it below.
            let originsStart = edges?.count ?? 0
            // Every list read by index, in place: a `for` over one holds a counted reference to it, an atomic operation
            // on the list's storage, which the decoder wrote long before and is no longer in the cache; an atomic
            // operation waits for it alone, where plain reads of several lists can wait for them together.
            let from = workflow.transitions[index].from.indices
            for position in from {
                let source = workflow.transitions[index].from[position]
                guard let index = checkState(source, referrer: referrer(), into: &bag) else {
                    edges = nil
                    continue
                }
                edges?.append((index, -1))
                // The flag read in place: binding the state would copy (and reference-count) all of it.
                if workflow.states[index].isFinal {
                    let state = workflow.states[index]
                    bag.report(.transitionFromFinalState(transition: name, state: state.name.value), at: source.range,
                               notes: [DiagnosticNote("'\(state.name.value)' is marked final here", at: state.name.range)])
                }
            }
            switch workflow.transitions[index].to {
            case .state(let name):
                if let target = checkState(name, referrer: referrer(), into: &bag) {
                    if let count = edges?.count {
                        for position in originsStart..<count { edges?[position].target = target }
                    }
                } else {
                    edges = nil
                }
            case .stays:
                // A step that stays leads from each of its states back to it: it reaches nothing new.
                if let count = edges?.count {
                    for position in originsStart..<count {
                        if let origin = edges?[position].origin { edges?[position].target = origin }
                    }
                }
            }
            for position in workflow.transitions[index].by.indices where workflow.transitions[index].by[position].value != LinkDefinition.engineActor {
                checkRole(workflow.transitions[index].by[position], referrer: referrer(), into: &bag)
            }
            // Each notification read in place, part by part, as the transitions are.
            for position in workflow.transitions[index].notify.indices {
                for role in workflow.transitions[index].notify[position].recipients.indices {
                    checkRole(workflow.transitions[index].notify[position].recipients[role], referrer: referrer(), into: &bag)
                }
                for role in workflow.transitions[index].notify[position].ifNamed.indices {
                    checkRole(workflow.transitions[index].notify[position].ifNamed[role], referrer: referrer(), into: &bag)
                }
                let template = workflow.transitions[index].notify[position].template
                if !templateNames.contains(template.value) {
                    let suggestion = NameSuggester.suggest(template.value, from: templateNames.sorted())
                    bag.report(.unknownTemplate(name: template.value, referrer: referrer(), suggestion: suggestion), at: template.range)
                }
            }
            for start in workflow.transitions[index].startForms.indices {
                for role in workflow.transitions[index].startForms[start].recipients.indices {
                    checkRole(workflow.transitions[index].startForms[start].recipients[role], referrer: referrer(), into: &bag)
                }
            }
        }
        return edges
    }

    @discardableResult
    private func checkState(_ name: Located<String>, referrer: @autoclosure () -> String, into bag: inout DiagnosticBag) -> Int? {
        if let index = stateIndex[name.value] { return index }
        let suggestion = NameSuggester.suggest(name.value, from: workflow.states.map(\.name.value))
        bag.report(.unknownState(name: name.value, referrer: referrer(), suggestion: suggestion), at: name.range)
        return nil
    }

    private func checkRole(_ name: Located<String>, referrer: @autoclosure () -> String, into bag: inout DiagnosticBag) {
        guard !roleNames.contains(name.value) else { return }
        let suggestion = NameSuggester.suggest(name.value, from: workflow.roles.map(\.value))
        bag.report(.unknownRole(name: name.value, referrer: referrer(), suggestion: suggestion), at: name.range)
    }

    /// Every template naming in `messages:`, the workflow's and its forms', with who names it.
    private var messageUses: [(message: EngineMessage, template: Located<String>, referrer: String)] {
        workflow.messages.sorted { $0.key.rawValue < $1.key.rawValue }.map { ($0.key, $0.value, "'messages'") }
            + forms.flatMap { form in
                form.messages.sorted { $0.key.rawValue < $1.key.rawValue }.map { ($0.key, $0.value, "'messages' of form '\(form.id.value)'") }
            }
    }

    /// Each template `messages:` names is declared (CW0206), and each message the workflow sends has one (CW0240,
    /// a warning: the engine then sends it in a neutral form).
    private func checkMessages(into bag: inout DiagnosticBag) {
        for use in messageUses where !templateNames.contains(use.template.value) {
            bag.report(.unknownTemplate(name: use.template.value, referrer: use.referrer, suggestion: NameSuggester.suggest(use.template.value, from: templateNames.sorted())),
                       at: use.template.range)
        }
        var sent: [EngineMessage] = []
        if workflow.transitions.contains(where: { !$0.startForms.isEmpty }) { sent += EngineMessage.allCases.filter(\.isFormMessage) }
        if workflow.deadlines.contains(where: { !$0.remind.isEmpty }) { sent.append(.reminder) }
        if workflow.deadlines.contains(where: { !$0.breachNotify.isEmpty }) { sent.append(.breach) }
        let unnamed = sent.filter { message in
            workflow.messages[message] == nil && (!message.isFormMessage || forms.contains { $0.messages[message] == nil })
        }
        if !unnamed.isEmpty {
            bag.report(.messageWithoutTemplate(messages: unnamed.map(\.rawValue), workflow: workflow.id.value), at: workflow.id.range)
        }
    }

    private func checkTemplates(into bag: inout DiagnosticBag) {
        // The declared templates the transitions use, found by comparing names as `checkTransitions` does (a workflow
        // declares a few templates), not by hashing the name of every notification. A name no template has matters
        // to nothing below, which reads only declared templates.
        var usedByTransitions = [Bool](repeating: false, count: templateNames.count)
        for index in workflow.transitions.indices {
            let notify = workflow.transitions[index].notify
            for position in notify.indices {
                if let declared = templateNames.firstIndex(of: notify[position].template.value) { usedByTransitions[declared] = true }
            }
        }
        var used = Set(templateNames.indices.lazy.filter { usedByTransitions[$0] }.map { templateNames[$0] })
        // The placeholders of the engine's messages a template is named for; a template that a transition also
        // uses may use none of them, since a transition has no form or deadline to fill them from.
        var extras: [String: Set<String>] = [:]
        for use in messageUses {
            let own = Set(use.message.placeholders)
            extras[use.template.value] = used.contains(use.template.value) ? [] : extras[use.template.value].map { $0.intersection(own) } ?? own
        }
        used.formUnion(extras.keys)
        let builtins = TemplateBuiltins.names(of: workflow)
        let isBuiltin = Set(builtins)
        for template in workflow.templates {
            if !used.contains(template.name.value) {
                bag.report(.unusedTemplate(name: template.name.value), at: template.name.range)
            }
            let allowed = extras[template.name.value] ?? []
            for placeholder in template.subject.placeholders where !isBuiltin.contains(placeholder.value)
                && workflow.fields.field(at: placeholder.value.split(separator: ".")) != nil
            {
                bag.report(.fieldInSubject(template: template.name.value, field: placeholder.value), at: placeholder.range)
            }
            for placeholder in template.subject.placeholders + template.body.placeholders {
                let path = placeholder.value
                if isBuiltin.contains(path) || allowed.contains(path) { continue }
                if workflow.fields.field(at: path.split(separator: ".")) != nil { continue }
                if workflow.untypedFields.contains(where: { path == $0 || path.hasPrefix($0 + ".") }) { continue }
                let suggestion = NameSuggester.suggest(path, from: workflow.fields.allPaths + builtins + allowed.sorted())
                bag.report(.unknownPlaceholder(path: path, template: template.name.value, suggestion: suggestion),
                           at: placeholder.range)
            }
        }
    }

    /// Reachability from the initial state, and a way out to a final state from every other state, over `edges`.
    ///
    /// Judged only when every transition names declared states (``checkTransitions(into:)`` gives no edges otherwise):
    /// an unknown state is already an error, and the edge it breaks would make the states beyond it look unreachable too.
    private func checkGraph(edges: [(origin: Int, target: Int)], into bag: inout DiagnosticBag) {
        let count = workflow.states.count
        guard let initial = workflow.states.firstIndex(where: \.isInitial), workflow.states.contains(where: \.isFinal) else {
            return
        }
        let successors = Adjacency(edges, count: count, reversed: false)
        let predecessors = Adjacency(edges, count: count, reversed: true)
        let reachable = Self.closure(from: [initial], edges: successors, count: count)
        let finals = workflow.states.indices.filter { workflow.states[$0].isFinal }
        let canFinish = Self.closure(from: finals, edges: predecessors, count: count)
        for (index, state) in workflow.states.enumerated() {
            if !reachable[index] {
                bag.report(.unreachableState(name: state.name.value), at: state.name.range)
            } else if !canFinish[index] {
                bag.report(.trapState(name: state.name.value), at: state.name.range)
            }
        }
    }

    /// Every state reachable from `starts` along `edges`, by position.
    private static func closure(from starts: [Int], edges: Adjacency, count: Int) -> [Bool] {
        var seen = [Bool](repeating: false, count: count)
        var stack = starts
        for start in starts { seen[start] = true }
        while let node = stack.popLast() {
            for next in edges.neighbours(of: node) where !seen[next] {
                seen[next] = true
                stack.append(next)
            }
        }
        return seen
    }
}

/// A graph's edges grouped by the state they leave, in two flat arrays: each state's neighbours, in the order of the
/// edges, and where each state's run of them starts. An array of neighbours per state made one allocation for every
/// state with an edge, and more as the arrays grew (some 12,000 for a workflow of 2,000 states and 6,000 transitions).
private struct Adjacency {
    /// Every edge's other end, grouped by the state it leaves.
    private var neighbours: [Int]
    /// Where each state's neighbours start in ``neighbours``, with one extra entry for the end.
    private var starts: [Int]

    /// The `edges` among `count` states, each leaving its origin for its target, or with `reversed` its target for its origin.
    init(_ edges: [(origin: Int, target: Int)], count: Int, reversed: Bool) {
        var starts = [Int](repeating: 0, count: count + 1)
        for (origin, target) in edges { starts[(reversed ? target : origin) + 1] += 1 }
        for state in 0..<count { starts[state + 1] += starts[state] }
        var next = starts
        var neighbours = [Int](repeating: 0, count: edges.count)
        for (origin, target) in edges {
            let (state, neighbour) = reversed ? (target, origin) : (origin, target)
            neighbours[next[state]] = neighbour
            next[state] += 1
        }
        self.neighbours = neighbours
        self.starts = starts
    }

    /// The states one edge leads to from `state`, in the order of the edges.
    func neighbours(of state: Int) -> ArraySlice<Int> { neighbours[starts[state]..<starts[state + 1]] }
}

import CaseworkYAML

/// The checks that concern one workflow on its own: states, transitions, roles, templates and the shape of its graph.
struct WorkflowChecks {
    let workflow: WorkflowDefinition
    private let stateIndex: [String: Int]
    private let roleNames: Set<String>
    private let templateNames: Set<String>

    init(_ workflow: WorkflowDefinition) {
        self.workflow = workflow
        var index: [String: Int] = [:]
        index.reserveCapacity(workflow.states.count)
        for (offset, state) in workflow.states.enumerated() where index[state.name.value] == nil {
            index[state.name.value] = offset
        }
        stateIndex = index
        roleNames = Set(workflow.roles.map(\.value))
        templateNames = Set(workflow.templates.map(\.name.value))
    }

    /// Runs every check; the graph checks only when `judgeGraph` (see ``DefinitionSetValidator``).
    func run(into bag: inout DiagnosticBag, judgeGraph: Bool = true) {
        checkInitialAndFinalStates(into: &bag)
        checkTransitions(into: &bag)
        checkTemplates(into: &bag)
        if judgeGraph { checkGraph(into: &bag) }
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

    private func checkTransitions(into bag: inout DiagnosticBag) {
        var firstByName: [String: SourceRange] = [:]
        firstByName.reserveCapacity(workflow.transitions.count)
        for transition in workflow.transitions {
            let name = transition.name.value
            let referrer = "transition '\(name)'"
            if let first = firstByName[name] {
                bag.report(.duplicateTransition(name: name), at: transition.name.range,
                           notes: [DiagnosticNote("first declared here", at: first)])
            } else {
                firstByName[name] = transition.name.range
            }
            for source in transition.from {
                guard let index = checkState(source, referrer: referrer, into: &bag) else { continue }
                let state = workflow.states[index]
                if state.isFinal {
                    bag.report(.transitionFromFinalState(transition: name, state: state.name.value), at: source.range,
                               notes: [DiagnosticNote("'\(state.name.value)' is marked final here", at: state.name.range)])
                }
            }
            checkState(transition.to, referrer: referrer, into: &bag)
            for role in transition.by { checkRole(role, referrer: referrer, into: &bag) }
            for notification in transition.notify {
                for role in notification.recipients { checkRole(role, referrer: referrer, into: &bag) }
                if !templateNames.contains(notification.template.value) {
                    let suggestion = NameSuggester.suggest(notification.template.value, from: templateNames.sorted())
                    bag.report(.unknownTemplate(name: notification.template.value, referrer: referrer, suggestion: suggestion),
                               at: notification.template.range)
                }
            }
            for start in transition.startForms {
                for role in start.recipients { checkRole(role, referrer: referrer, into: &bag) }
            }
        }
    }

    @discardableResult
    private func checkState(_ name: Located<String>, referrer: String, into bag: inout DiagnosticBag) -> Int? {
        if let index = stateIndex[name.value] { return index }
        let suggestion = NameSuggester.suggest(name.value, from: workflow.states.map(\.name.value))
        bag.report(.unknownState(name: name.value, referrer: referrer, suggestion: suggestion), at: name.range)
        return nil
    }

    private func checkRole(_ name: Located<String>, referrer: String, into bag: inout DiagnosticBag) {
        guard !roleNames.contains(name.value) else { return }
        let suggestion = NameSuggester.suggest(name.value, from: workflow.roles.map(\.value))
        bag.report(.unknownRole(name: name.value, referrer: referrer, suggestion: suggestion), at: name.range)
    }

    /// The paths a template may use besides the workflow's fields.
    static let builtinPlaceholders = ["case.id", "case.state", "case.state_title", "workflow.title"]

    private func checkTemplates(into bag: inout DiagnosticBag) {
        var used = Set<String>()
        for transition in workflow.transitions {
            for notification in transition.notify { used.insert(notification.template.value) }
        }
        for template in workflow.templates {
            if !used.contains(template.name.value) {
                bag.report(.unusedTemplate(name: template.name.value), at: template.name.range)
            }
            for placeholder in template.subject.placeholders where !Self.builtinPlaceholders.contains(placeholder.value)
                && workflow.fields.field(at: placeholder.value.split(separator: ".")) != nil
            {
                bag.report(.fieldInSubject(template: template.name.value, field: placeholder.value), at: placeholder.range)
            }
            for placeholder in template.subject.placeholders + template.body.placeholders {
                let path = placeholder.value
                if Self.builtinPlaceholders.contains(path) { continue }
                if workflow.fields.field(at: path.split(separator: ".")) != nil { continue }
                if workflow.untypedFields.contains(where: { path == $0 || path.hasPrefix($0 + ".") }) { continue }
                let suggestion = NameSuggester.suggest(path, from: workflow.fields.allPaths + Self.builtinPlaceholders)
                bag.report(.unknownPlaceholder(path: path, template: template.name.value, suggestion: suggestion),
                           at: placeholder.range)
            }
        }
    }

    /// Reachability from the initial state, and a way out to a final state from every other state.
    ///
    /// Judged only when every transition names declared states: an unknown state is already
    /// an error, and the edge it breaks would make the states beyond it look unreachable too.
    private func checkGraph(into bag: inout DiagnosticBag) {
        let count = workflow.states.count
        guard let initial = workflow.states.firstIndex(where: \.isInitial), workflow.states.contains(where: \.isFinal) else {
            return
        }
        let allStatesDeclared = workflow.transitions.allSatisfy { transition in
            stateIndex[transition.to.value] != nil && transition.from.allSatisfy { stateIndex[$0.value] != nil }
        }
        guard allStatesDeclared else { return }
        var successors = [[Int]](repeating: [], count: count)
        var predecessors = [[Int]](repeating: [], count: count)
        for transition in workflow.transitions {
            guard let target = stateIndex[transition.to.value] else { continue }
            for source in transition.from {
                guard let origin = stateIndex[source.value] else { continue }
                successors[origin].append(target)
                predecessors[target].append(origin)
            }
        }
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

    private static func closure(from starts: [Int], edges: [[Int]], count: Int) -> [Bool] {
        var seen = [Bool](repeating: false, count: count)
        var stack = starts
        for start in starts { seen[start] = true }
        while let node = stack.popLast() {
            for next in edges[node] where !seen[next] {
                seen[next] = true
                stack.append(next)
            }
        }
        return seen
    }
}

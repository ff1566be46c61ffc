import CaseworkDefinitions

/// A workflow as a graph, built once from its checked definition and drawn by each format (``DotDiagram``,
/// ``MermaidDiagram``): its states as nodes, each transition once per state it may be fired from as an edge, and what
/// the definition says happens at each (who may fire, the guard, the clocks started and stopped, the forms started).
///
/// The graph holds plain text lines; each format quotes and escapes them in its own way, so what is drawn is decided
/// here once and the formats cannot disagree about it. Nodes are named `s1`, `s2`, … in the order the states are
/// declared (`s0` is the start marker), never by the states' names, so no name can break a format's syntax or
/// collide with one of its keywords.
package struct WorkflowGraph: Sendable, Hashable {
    /// A state.
    package struct Node: Sendable, Hashable {
        /// The node's id in the drawing: `s1`, `s2`, … in declaration order.
        package var id: String
        /// Whether a case starts here.
        package var isInitial: Bool
        /// Whether a case ends here.
        package var isFinal: Bool
        /// What the node says: the name, the title when it differs, then one line per clock effect.
        package var lines: [String]
        /// How a case's path marks it; ``Mark/none`` without a case.
        package var mark: Mark
    }

    /// A transition fired from one state.
    package struct Edge: Sendable, Hashable {
        /// The id of the node it leaves.
        package var from: String
        /// The id of the node it enters.
        package var to: String
        /// What the edge says: the name, who may fire it, its guard, the clocks it starts or restarts, the forms it starts.
        package var lines: [String]
        /// Whether the case drawn fired it from this state.
        package var isTaken: Bool
    }

    /// How a case's path marks a state.
    package enum Mark: Sendable, Hashable {
        /// The case has not been in it, or no case is drawn.
        case none
        /// The case has been in it.
        case visited
        /// The case is in it now.
        case current
    }

    /// The id of the start marker, drawn with an arrow into the initial state.
    package static let startID = "s0"

    /// The workflow's id.
    package var workflow: String
    /// The states, in declaration order.
    package var nodes: [Node]
    /// The transitions, in declaration order, each once per state it may be fired from.
    package var edges: [Edge]

    /// The initial state's node, which the start marker points to.
    package var initial: Node? { nodes.first(where: \.isInitial) }

    /// Builds the graph of `workflow`, marked with `path` when a case is drawn.
    ///
    /// `workflow` is a checked definition, so every transition's states are declared; a state a transition names
    /// that is not declared is drawn as a plain node of that name rather than dropped.
    package init(_ workflow: WorkflowDefinition, path: CasePath? = nil) {
        self.workflow = workflow.id.value
        let clocks = ClockEffects(workflow)
        var nodes: [Node] = []
        var ids: [String: String] = [:]
        func node(_ name: String, title: String, isInitial: Bool = false, isFinal: Bool = false) -> String {
            if let id = ids[name] { return id }
            let id = "s\(nodes.count + 1)"
            ids[name] = id
            let mark: Mark = path.map { $0.current == name ? .current : $0.visitedStates.contains(name) ? .visited : .none } ?? .none
            let heading = title == name ? [name] : [name, title]
            nodes.append(Node(id: id, isInitial: isInitial, isFinal: isFinal, lines: heading + clocks.lines(forState: name), mark: mark))
            return id
        }
        for state in workflow.states {
            _ = node(state.name.value, title: state.title, isInitial: state.isInitial, isFinal: state.isFinal)
        }
        var edges: [Edge] = []
        for transition in workflow.transitions {
            let name = transition.name.value
            var lines = [name, "by: " + transition.by.map(\.value).joined(separator: ", ")]
            // A guard written over several YAML lines is drawn on one: its line breaks and indents are layout, not meaning.
            if let guardText = transition.when?.text { lines.append("when: " + guardText.split(whereSeparator: \.isWhitespace).joined(separator: " ")) }
            lines += clocks.lines(forTransition: name)
            for start in transition.startForms {
                lines.append("form: \(start.form.value) to " + start.recipients.map(\.value).joined(separator: ", "))
            }
            // A step that stays is drawn as a loop on each state it is fired from.
            let to = transition.to.named.map { node($0.value, title: $0.value) }
            for from in transition.from {
                let taken = path?.fired.contains(CasePath.Step(from: from.value, transition: name)) ?? false
                let origin = node(from.value, title: from.value)
                edges.append(Edge(from: origin, to: to ?? origin, lines: lines, isTaken: taken))
            }
        }
        self.nodes = nodes
        self.edges = edges
    }
}

/// Where one case has been: the states it entered and the transitions it fired, from its audit history, and the state
/// it is in now. Drawn by marking them on its workflow's graph.
package struct CasePath: Sendable, Hashable {
    /// One transition fired from one state.
    package struct Step: Sendable, Hashable {
        /// The state it was fired from.
        package var from: String
        /// The transition's name.
        package var transition: String

        /// Creates a step.
        package init(from: String, transition: String) {
            self.from = from
            self.transition = transition
        }
    }

    /// The state the case is in now.
    package var current: String
    /// Every state the case has been in, the current one too.
    package var visitedStates: Set<String>
    /// Every transition the case fired, with the state it was fired from.
    package var fired: Set<Step>

    /// Creates a path.
    package init(current: String, visitedStates: Set<String>, fired: Set<Step>) {
        self.current = current
        self.visitedStates = visitedStates.union([current])
        self.fired = fired
    }
}

/// What each state and transition does to the workflow's clocks, worked out from the deadlines as the engine keeps
/// them (`docs/reference/language.md` §10):
///
/// - a clock **starts** on entering the state of `from: { entered: STATE }`, on firing the transition of
///   `from: { fired: TRANSITION }`, and, for `from: FIELD`, on opening when the opening input may give the field and
///   on each transition whose `input:` or `set:` gives it;
/// - it **restarts** on each step of `restart_on`;
/// - it is **met** on entering an `until` state (dated by its `met_by` field when it has one);
/// - it **lapses** on entering a `lapses_on` state, or a final state that is not one of its `until` states.
struct ClockEffects {
    /// One kind of effect, in the order a label lists them.
    enum Effect: String, CaseIterable {
        case startsOnOpening = "starts on opening"
        case starts
        case restarts
        case meets
        case lapses
    }

    /// The deadlines (as they are written in a label) each state does something to, by effect.
    private var states: [String: [Effect: [String]]] = [:]
    /// The deadlines each transition does something to, by effect.
    private var transitions: [String: [Effect: [String]]] = [:]

    /// Works out every effect of `workflow`'s deadlines.
    init(_ workflow: WorkflowDefinition) {
        let initial = workflow.states.first(where: \.isInitial)?.name.value
        for deadline in workflow.deadlines {
            let name = deadline.name.value
            switch deadline.start {
            case .entered(let state): states[state.value, default: [:]][.starts, default: []].append(name)
            case .fired(let transition): transitions[transition.value, default: [:]][.starts, default: []].append(name)
            case .field(let field):
                if let initial, workflow.openingInput?.contains(where: { $0.field.value == field.value }) ?? true {
                    states[initial, default: [:]][.startsOnOpening, default: []].append(name)
                }
                for transition in workflow.transitions
                where transition.input.contains(where: { $0.field.value == field.value }) || transition.set.contains(where: { $0.field.value == field.value }) {
                    transitions[transition.name.value, default: [:]][.starts, default: []].append(name)
                }
            }
            for step in deadline.restartOn {
                switch step {
                case .entered(let state): states[state.value, default: [:]][.restarts, default: []].append(name)
                case .fired(let transition): transitions[transition.value, default: [:]][.restarts, default: []].append(name)
                case .field: break  // restart_on names steps only; the decoder accepts no field here
                }
            }
            let until = Set(deadline.until.map(\.value))
            let met = deadline.metBy.map { "\(name) (dated by \($0.value))" } ?? name
            for state in deadline.until.map(\.value) { states[state, default: [:]][.meets, default: []].append(met) }
            let lapsing = deadline.lapsesOn.map(\.value) + workflow.states.filter { $0.isFinal && !until.contains($0.name.value) }.map(\.name.value)
            for state in lapsing where !until.contains(state) && !(states[state]?[.lapses]?.contains(name) ?? false) {
                states[state, default: [:]][.lapses, default: []].append(name)
            }
        }
    }

    /// The label lines of a state: `starts: a, b`, `meets: c`, ….
    func lines(forState name: String) -> [String] { Self.lines(states[name] ?? [:]) }

    /// The label lines of a transition.
    func lines(forTransition name: String) -> [String] { Self.lines(transitions[name] ?? [:]) }

    private static func lines(_ effects: [Effect: [String]]) -> [String] {
        Effect.allCases.compactMap { effect in effects[effect].map { "\(effect.rawValue): " + $0.joined(separator: ", ") } }
    }
}

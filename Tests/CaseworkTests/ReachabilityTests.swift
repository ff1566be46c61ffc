import Testing
import CaseworkDefinitions
import CaseworkDiagnostics

/// A workflow's graph checks (CW0209, a state the initial one cannot reach; CW0210, a state from which no final one can
/// be reached) over graphs whose transitions are written out of their states' order, with several edges leaving and
/// entering one state, repeated edges, cycles, and states no edge touches: the checks group the edges by state
/// (`WorkflowChecks`' adjacency) and must find what following every transition by hand finds.
@Suite("Reachability of states")
struct ReachabilityTests {
    /// One graph: its states in the order written (the first is the initial one), the final ones, its transitions as
    /// (from, to) pairs in the order written, and the states each check must report, in the order they are written.
    struct Graph: Sendable, CustomTestStringConvertible {
        var name: String
        var states: [String]
        var finals: Set<String>
        var edges: [(from: String, to: String)]
        var unreachable: [String]
        var traps: [String]

        var testDescription: String { name }

        /// The workflow's YAML: every transition by `worker`, named by its position.
        var yaml: String {
            var text = "workflow: reach\nversion: 1\ntitle: Reachability\nroles: [worker]\nstates:\n"
            for (index, state) in states.enumerated() {
                let marker = index == 0 ? ", initial: true" : (finals.contains(state) ? ", final: true" : "")
                text += "  \(state): { title: \(state)\(marker) }\n"
            }
            text += "transitions:\n"
            for (index, edge) in edges.enumerated() {
                text += "  - { name: step_\(index), from: [\(edge.from)], to: \(edge.to), by: worker }\n"
            }
            return text
        }
    }

    static let graphs: [Graph] = [
        Graph(name: "a chain with a state nothing enters and a dead end", states: ["a", "b", "c", "d", "e"], finals: ["c"],
              edges: [("b", "c"), ("a", "e"), ("a", "b")], unreachable: ["d"], traps: ["e"]),
        Graph(name: "edges back and forth, two ways to the end", states: ["a", "b", "c"], finals: ["c"],
              edges: [("b", "a"), ("a", "b"), ("b", "c"), ("a", "c")], unreachable: [], traps: []),
        Graph(name: "a cycle with no way out", states: ["a", "b", "c", "d"], finals: ["d"],
              edges: [("c", "b"), ("b", "c"), ("a", "b"), ("a", "d")], unreachable: [], traps: ["b", "c"]),
        Graph(name: "edges only among unreachable states", states: ["a", "x", "y", "z"], finals: ["z"],
              edges: [("x", "y"), ("y", "z"), ("a", "z")], unreachable: ["x", "y"], traps: []),
        Graph(name: "repeated edges written out of order", states: ["s0", "s1", "s2", "s3", "s4", "s5"], finals: ["s4"],
              edges: [("s3", "s4"), ("s0", "s2"), ("s2", "s3"), ("s0", "s1"), ("s1", "s0"), ("s2", "s3"), ("s0", "s2"), ("s1", "s5")],
              unreachable: [], traps: ["s5"]),
        Graph(name: "two finals, one reached only through a loop", states: ["a", "b", "c", "f1", "f2", "lost"], finals: ["f1", "f2"],
              edges: [("a", "b"), ("b", "b"), ("b", "c"), ("c", "b"), ("c", "f2"), ("a", "f1"), ("lost", "f1")],
              unreachable: ["lost"], traps: []),
    ]

    @Test(arguments: graphs)
    func reportsWhatFollowingEveryTransitionFinds(_ graph: Graph) {
        let report = Validator.validate(sources: [(file: "reach.yaml", text: graph.yaml)])
        let unreachable = report.diagnostics.filter { $0.code.rawValue == "CW0209" }.map(\.message)
        let traps = report.diagnostics.filter { $0.code.rawValue == "CW0210" }.map(\.message)
        #expect(unreachable == graph.unreachable.map { DiagnosticKind.unreachableState(name: $0).message })
        #expect(traps == graph.traps.map { DiagnosticKind.trapState(name: $0).message })
        let others = report.diagnostics.filter { !["CW0209", "CW0210"].contains($0.code.rawValue) }
        #expect(others.isEmpty, "\(others.map(\.description))")
    }
}

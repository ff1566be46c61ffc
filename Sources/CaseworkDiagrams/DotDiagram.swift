/// A ``WorkflowGraph`` in Graphviz's DOT language, for `dot -Tsvg` and the many tools that read DOT.
///
/// Every id and label is a double-quoted string: a label is escaped by ``quoted(_:)``, and no node is given a shape
/// (`record`, HTML labels) in which `|`, `{}` or `<>` would mean anything, so a guard is shown as it is written.
package enum DotDiagram {
    /// The graph as a DOT `digraph`, ending with a line break.
    package static func render(_ graph: WorkflowGraph) -> String {
        var text = "digraph \(quoted(graph.workflow)) {\n"
        text += "  graph [rankdir=TB, fontname=\"Helvetica\"];\n"
        text += "  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
        text += "  edge [fontname=\"Helvetica\", fontsize=10];\n"
        if let initial = graph.initial {
            text += "  \(WorkflowGraph.startID) [shape=point, width=0.2, label=\"\"];\n"
            text += "  \(WorkflowGraph.startID) -> \(initial.id);\n"
        }
        for node in graph.nodes {
            var attributes = ["label=" + label(node.lines)]
            if node.isFinal { attributes.append("peripheries=2") }
            switch node.mark {
            case .none: break
            case .visited: attributes += ["style=\"rounded,filled\"", "fillcolor=\"#dbe8f6\""]
            case .current: attributes += ["style=\"rounded,filled,bold\"", "fillcolor=\"#ffd966\"", "penwidth=3"]
            }
            text += "  \(node.id) [\(attributes.joined(separator: ", "))];\n"
        }
        for edge in graph.edges {
            var attributes = ["label=" + label(edge.lines)]
            if edge.isTaken { attributes += ["color=\"#1f5fa8\"", "fontcolor=\"#1f5fa8\"", "penwidth=2.5"] }
            text += "  \(edge.from) -> \(edge.to) [\(attributes.joined(separator: ", "))];\n"
        }
        return text + "}\n"
    }

    /// Lines as one quoted label, each line ended by DOT's centred line break `\n`.
    static func label(_ lines: [String]) -> String {
        quoted(lines.joined(separator: "\n"))
    }

    /// `text` as a DOT double-quoted string that Graphviz shows as written: `"` and `\` are escaped (a lone `\` would
    /// start one of Graphviz's label escapes, such as `\N` for the node's name), a line break becomes `\n`, and any
    /// other control character (a carriage return too), which a label has no way to show, becomes a space.
    package static func quoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            default:
                if scalar.properties.generalCategory == .control {
                    output += " "
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }
}

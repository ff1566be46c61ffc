/// A ``WorkflowGraph`` as a Mermaid flowchart (`flowchart TD`), which GitHub, GitLab and many wikis draw from a
/// fenced `mermaid` block.
///
/// A flowchart rather than a `stateDiagram`, because only a flowchart takes quoted labels on edges and styles single
/// edges (`linkStyle`). Node ids are `s0`, `s1`, … (Mermaid's keywords, such as `end`, cannot be ids), and every label is
/// a double-quoted string in which anything but letters, digits and a few safe marks is written as Mermaid's numeric
/// entity (`#34;` for `"`), so no name or guard can end a label, start a comment or markup, or change the syntax.
package enum MermaidDiagram {
    /// The graph as Mermaid text, ending with a line break.
    package static func render(_ graph: WorkflowGraph) -> String {
        var text = "flowchart TD\n"
        var links = 0
        var taken: [Int] = []
        for node in graph.nodes {
            let (open, close) = node.isFinal ? ("([", "])") : ("[", "]")
            text += "    \(node.id)\(open)\(label(node.lines))\(close)\n"
        }
        if let initial = graph.initial {
            text += "    \(WorkflowGraph.startID)((\" \"))\n"
            text += "    \(WorkflowGraph.startID) --> \(initial.id)\n"
            links += 1
        }
        for edge in graph.edges {
            text += "    \(edge.from) -->|\(label(edge.lines))| \(edge.to)\n"
            if edge.isTaken { taken.append(links) }
            links += 1
        }
        let visited = graph.nodes.filter { $0.mark == .visited }.map(\.id)
        let current = graph.nodes.filter { $0.mark == .current }.map(\.id)
        if !visited.isEmpty || !current.isEmpty {
            text += "    classDef visited fill:#dbe8f6,stroke:#1f5fa8\n"
            text += "    classDef current fill:#ffd966,stroke:#7f6000,stroke-width:3px\n"
        }
        if !visited.isEmpty { text += "    class \(visited.joined(separator: ",")) visited\n" }
        if !current.isEmpty { text += "    class \(current.joined(separator: ",")) current\n" }
        if !taken.isEmpty { text += "    linkStyle \(taken.map(String.init).joined(separator: ",")) stroke:#1f5fa8,stroke-width:3px\n" }
        return text
    }

    /// Lines as one quoted label, joined by Mermaid's line break `<br>`.
    static func label(_ lines: [String]) -> String {
        "\"" + lines.map(escaped).joined(separator: "<br>") + "\""
    }

    /// The marks a label may hold as they are: none of them ends a quoted string, starts an entity (`#`), markup (`<`,
    /// `&`) or a Markdown string (a backquote), or separates statements (`;`).
    private static let plain = Set(" _-.,:/()'+=*?!@".unicodeScalars)

    /// `text` for inside a quoted Mermaid label: ASCII letters, digits and the ``plain`` marks as they are, every other
    /// character as its numeric entity `#N;` (N in decimal), which Mermaid shows as the character itself. A line break
    /// becomes `<br>`, any other control character a space.
    package static func escaped(_ text: String) -> String {
        var output = ""
        for scalar in text.unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || plain.contains(scalar) {
                output.unicodeScalars.append(scalar)
            } else if scalar == "\n" {
                output += "<br>"
            } else if scalar.properties.generalCategory == .control {
                output += " "
            } else {
                output += "#\(scalar.value);"
            }
        }
        return output
    }
}

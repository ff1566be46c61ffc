/// A piece of HTML made only by this type, so every text on a handbook page passes through ``escape(_:)``: text and
/// attribute values are escaped, and element and attribute names are this module's own constants.
package struct Markup: Sendable, Hashable {
    /// The HTML.
    package let html: String

    private init(html: String) { self.html = html }

    /// `text` shown as it is written, whatever it holds.
    package static func text(_ text: String) -> Markup { Markup(html: escape(text)) }

    /// An element with its attributes (each value escaped) and its children.
    package static func element(_ name: String, _ attributes: [(String, String)], _ children: [Markup]) -> Markup {
        Markup(html: "<\(name)\(attributeText(attributes))>" + children.map(\.html).joined() + "</\(name)>" + (blocks.contains(name) ? "\n" : ""))
    }

    /// The elements ended by a line break, so a page's source reads a block to a line and its golden file diffs well.
    private static let blocks: Set<String> = ["head", "body", "main", "nav", "h1", "h2", "h3", "p", "ul", "ol", "li", "table", "thead", "tbody", "tr",
                                               "div", "figure", "pre", "title", "style"]

    /// An element with no attributes and its children.
    package static func element(_ name: String, _ children: [Markup]) -> Markup { element(name, [], children) }

    /// An element holding one text.
    package static func element(_ name: String, _ attributes: [(String, String)] = [], text: String) -> Markup {
        element(name, attributes, [.text(text)])
    }

    /// An element with no content and no end tag (`meta`, `img`).
    package static func void(_ name: String, _ attributes: [(String, String)]) -> Markup {
        Markup(html: "<\(name)\(attributeText(attributes))>")
    }

    /// The handbook's own constant text, such as its style sheet, placed as it is: never for text read from a file.
    static func constant(_ html: StaticString) -> Markup { Markup(html: "\(html)") }

    /// Pieces one after the other.
    package static func joined(_ pieces: [Markup]) -> Markup { Markup(html: pieces.map(\.html).joined()) }

    /// `text` escaped for HTML text and for a double- or single-quoted attribute value: `&`, `<`, `>`, `"` and `'`
    /// become character references, and control characters other than tab and line break (which HTML cannot show)
    /// become spaces. The only escaping function of the handbook.
    package static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            case "\t", "\n": output.unicodeScalars.append(scalar)
            default:
                if scalar.properties.generalCategory == .control { output += " " } else { output.unicodeScalars.append(scalar) }
            }
        }
        return output
    }

    private static func attributeText(_ attributes: [(String, String)]) -> String {
        attributes.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }
}

/// Shorthands the page files build with.
extension Markup {
    /// A paragraph of text.
    static func paragraph(_ text: String, class name: String? = nil) -> Markup {
        element("p", name.map { [("class", $0)] } ?? [], text: text)
    }

    /// A heading at `level` with an anchor id.
    static func heading(_ level: Int, _ text: String, id: String? = nil) -> Markup {
        element("h\(level)", id.map { [("id", $0)] } ?? [], text: text)
    }

    /// A link to `href` showing `text`.
    static func link(_ text: String, to href: String) -> Markup { element("a", [("href", href)], text: text) }

    /// Text in `code`.
    static func code(_ text: String) -> Markup { element("code", text: text) }

    /// A bulleted list, one item per entry.
    static func list(_ items: [Markup]) -> Markup { element("ul", items.map { element("li", [$0]) }) }

    /// A table that scrolls sideways on a narrow screen: a header row and rows of cells.
    static func table(_ headers: [String], _ rows: [[Markup]]) -> Markup {
        let head = element("thead", [element("tr", headers.map { element("th", [("scope", "col")], text: $0) })])
        let body = element("tbody", rows.map { element("tr", $0.map { element("td", [$0]) }) })
        return element("div", [("class", "scroll")], [element("table", [head, body])])
    }

    /// Names in `code`, separated by commas; a dash for none.
    static func codes(_ names: [String]) -> Markup {
        guard !names.isEmpty else { return .text("—") }
        var pieces: [Markup] = []
        for (index, name) in names.enumerated() {
            if index > 0 { pieces.append(.text(", ")) }
            pieces.append(.code(name))
        }
        return .joined(pieces)
    }
}

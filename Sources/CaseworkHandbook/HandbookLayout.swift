/// The frame around every page: the document head with the one style sheet, the way back to the contents, and the
/// page's own content. No script and no resource from another host: a page reads the same offline, on a phone and on paper.
enum HandbookLayout {
    /// A whole HTML document.
    static func document(title: String, handbookTitle: String, isIndex: Bool = false, _ content: [Markup]) -> String {
        let head = Markup.element("head", [
            .void("meta", [("charset", "utf-8")]),
            .void("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")]),
            .element("title", text: isIndex ? handbookTitle : "\(title) — \(handbookTitle)"),
            .element("style", [style]),
        ])
        var main: [Markup] = []
        if !isIndex {
            main.append(.element("nav", [.link("← \(handbookTitle)", to: "index.html")]))
        }
        main.append(.heading(1, title))
        main += content
        let body = Markup.element("body", [.element("main", main)])
        return "<!DOCTYPE html>\n" + Markup.element("html", [("lang", "en-GB")], [head, body]).html + "\n"
    }

    /// The style sheet: a readable column, tables that scroll sideways on a narrow screen, and print rules that keep
    /// headings with what follows them and show where links go.
    static let style = Markup.constant("""

    body{margin:0;font:16px/1.5 "DejaVu Sans",system-ui,sans-serif;color:#1b1b1b;background:#fff}
    main{max-width:52rem;margin:0 auto;padding:1rem}
    h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}
    h2{font-size:1.3rem;margin:2rem 0 .5rem;border-bottom:1px solid #ccc}
    h3{font-size:1.1rem;margin:1.5rem 0 .5rem}
    a{color:#1d4f91}
    code{font-family:"DejaVu Sans Mono",monospace;font-size:.9em;background:#f2f2f2;padding:0 .2em;overflow-wrap:anywhere}
    pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f5f5f5;padding:.75rem;font-size:.8rem}
    .scroll{overflow-x:auto;margin:.5rem 0}
    table{border-collapse:collapse;min-width:100%}
    th,td{border:1px solid #bbb;padding:.35rem .5rem;text-align:left;vertical-align:top}
    th{background:#eef2f7}
    .note{background:#fff8e1;border-left:4px solid #e0a800;padding:.5rem .75rem}
    .letter{border:1px solid #bbb;padding:.5rem 1rem;margin:.5rem 0}
    .letter pre{background:none;padding:0;font:inherit;white-space:pre-wrap}
    .placeholder{font-family:"DejaVu Sans Mono",monospace;background:#e6eefa;border-radius:3px;padding:0 .2em}
    figure{margin:1rem 0}
    figure img{max-width:100%;height:auto;border:1px solid #ddd}
    ol.steps>li{margin:.5rem 0}
    @media print{
      body{font-size:11pt}
      main{max-width:none;padding:0}
      nav{display:none}
      a{color:inherit}
      a[href$=".html"]::after{content:" (" attr(href) ")";font-size:.8em}
      .scroll{overflow:visible}
      h2,h3{break-after:avoid}
      table,figure,.letter{break-inside:avoid}
    }

    """)
}

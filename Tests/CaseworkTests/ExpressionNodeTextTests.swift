@testable import CaseworkExpressions
import CaseworkTestSupport
import Testing

/// A parsed node's text is cut from the expression's text only when read (``WrittenText``), and tokens hold no text
/// of their own: every node must still read exactly the text the parser used to copy into it, since messages show it.
@Suite("Expressions: node texts read from the shared expression text")
struct ExpressionNodeTextTests {
    /// What the parser used to store as a node's text: the expression's scalars over the node's span, except a
    /// dotted name (its names joined by dots) and a duration (its words joined by single spaces) not in parentheses.
    static func referenceText(of node: ExpressionNode, in text: String) -> String {
        let spanned = scalars(of: text, node.span)
        if spanned.hasPrefix("(") { return spanned }
        switch node.kind {
        case .path(let segments):
            return segments.map(\.name).joined(separator: ".")
        case .literal(.duration):
            return spanned.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        default:
            return spanned
        }
    }

    static func scalars(of text: String, _ span: ExpressionSpan) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: text.unicodeScalars.dropFirst(span.start).prefix(max(0, span.end - span.start)))
        return String(view)
    }

    /// Every node of `node`'s tree, depth first.
    static func nodes(of node: ExpressionNode) -> [ExpressionNode] {
        switch node.kind {
        case .literal, .path: return [node]
        case .list(let items): return [node] + items.flatMap(nodes(of:))
        case .unary(_, let operand): return [node] + nodes(of: operand)
        case .binary(_, let left, let right): return [node] + nodes(of: left) + nodes(of: right)
        case .call(_, let arguments): return [node] + arguments.flatMap(nodes(of:))
        }
    }

    /// Generated expressions, respaced at random (blanks around dots and inside durations, none around operators),
    /// some with non-ASCII quoted text so that scalar and byte offsets differ.
    static func expressions(seed: UInt64) -> [String] {
        var writer = ExpressionPropertyTests.ExpressionWriter(random: SeededGenerator(seed: seed))
        var random = SeededGenerator(seed: seed &* 31)
        return (0..<400).map { round in
            var text = round % 2 == 0 ? writer.bool(4) : writer.date(3)
            switch random.next() % 5 {
            case 0: text = text.replacingOccurrences(of: ".", with: " . ")
            case 1: text = text.replacingOccurrences(of: " working days", with: "   working \t days")
            case 2: text = "requested_by == 'école où' or (\(text))"
            case 3: text = text.replacingOccurrences(of: " ", with: "  ")
            default: break
            }
            return text
        }
    }

    @Test(arguments: [21, 22, 23])
    func everyNodeReadsTheTextTheParserUsedToCopy(seed: UInt64) throws {
        var parsed = 0
        for text in Self.expressions(seed: seed) {
            guard let syntax = try? ExpressionParser.parse(text) else { continue }
            parsed += 1
            for node in Self.nodes(of: syntax.root) {
                #expect(node.text == Self.referenceText(of: node, in: text), "a node of '\(text)' at \(node.span)")
            }
        }
        #expect(parsed > 300, "most generated expressions should parse (\(parsed) of 400)")
    }

    @Test func aNodeWithItsTextGivenEqualsTheParsedOne() throws {
        let text = "forms . advice . all_accepted and requested_on + 15  working days < today and requested_by in ['é', \"x\\ty\"]"
        let syntax = try ExpressionParser.parse(text)
        for node in Self.nodes(of: syntax.root) {
            let given = ExpressionNode(id: node.id, kind: node.kind, span: node.span, text: Self.referenceText(of: node, in: text))
            #expect(given == node)
            #expect(given.hashValue == node.hashValue)
            var renamed = node
            renamed.text = "other"
            #expect(renamed.text == "other")
            #expect(renamed != node)
        }
    }

    @Test func quotedStringsKeepTheirValuesWithoutTheTokensHoldingThem() throws {
        let syntax = try ExpressionParser.parse(#"requested_by in ['a\'b', "c\\d", 'é\n', "plain"]"#)
        guard case .binary(.in, _, let list) = syntax.root.kind, case .list(let items) = list.kind else {
            Issue.record("expected a membership test of a list")
            return
        }
        #expect(items.map(\.kind) == ["a'b", "c\\d", "é\n", "plain"].map { .literal(.string($0)) })
    }
}

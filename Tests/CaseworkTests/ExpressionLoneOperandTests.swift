@testable import CaseworkExpressions
@testable import CaseworkTime
import Foundation
import Testing

/// The parser reads a lone operand (a literal or a single name that `,`, `]`, `)` or the end follows) directly rather
/// than through every precedence level: the nodes, their ids, spans and texts, and the depth limit's errors are what the
/// full descent gives.
@Suite("Expressions: lone operands")
struct ExpressionLoneOperandTests {
    private func parse(_ text: String, limits: ExpressionLimits = .standard) -> Result<ExpressionSyntax, ExpressionError> {
        Result { () throws(ExpressionError) in try ExpressionParser.parse(text, limits: limits) }
    }

    @Test func listItemsKeepTheirKindsTextsSpansAndReadingOrder() throws {
        let syntax = try parse(#"[1, "a", b, 2025-01-01, true, 2.5]"#).get()
        guard case .list(let items) = syntax.root.kind else { Issue.record("expected a list"); return }
        let expected: [(ExpressionNode.Kind, String, ExpressionSpan)] = [
            (.literal(.int(1)), "1", ExpressionSpan(start: 1, end: 2)),
            (.literal(.string("a")), #""a""#, ExpressionSpan(start: 4, end: 7)),
            (.path([ExpressionNode.PathSegment(name: "b", span: ExpressionSpan(start: 9, end: 10))]), "b", ExpressionSpan(start: 9, end: 10)),
            (.literal(.date(CalendarDate(year: 2025, month: 1, day: 1)!)), "2025-01-01", ExpressionSpan(start: 12, end: 22)),
            (.literal(.bool(true)), "true", ExpressionSpan(start: 24, end: 28)),
            (.literal(.decimal(2.5)), "2.5", ExpressionSpan(start: 30, end: 33)),
        ]
        #expect(items.count == expected.count)
        for (position, (item, want)) in zip(items, expected).enumerated() {
            #expect(item.id == position)
            #expect(item.kind == want.0)
            #expect(item.text == want.1)
            #expect(item.span == want.2)
        }
        #expect(syntax.root.id == 6)
        #expect(syntax.nodeCount == 7)
    }

    /// Operands that an operator, a dot, a call or a duration word follows still go through the levels that build them.
    @Test(arguments: [
        ("[a.b, c]", ["a.b", "c"]),
        ("[1 + 2, x]", ["1 + 2", "x"]),
        ("[6 weeks, today]", ["6 weeks", "today"]),
        ("[count(xs), -1]", ["count(xs)", "-1"]),
        ("[not a, (b)]", ["not a", "(b)"]),
    ])
    func itemsThatAreNotLoneStayWhole(text: String, items expected: [String]) throws {
        let root = try parse(text).get().root
        guard case .list(let items) = root.kind else { Issue.record("expected a list"); return }
        #expect(items.map(\.text) == expected)
    }

    @Test func callArgumentsAreNumberedInReadingOrder() throws {
        let syntax = try parse("days_between(x, 1 + 2)").get()
        guard case .call(let name, let arguments) = syntax.root.kind else { Issue.record("expected a call"); return }
        #expect(name.name == "days_between")
        #expect(arguments.map(\.id) == [0, 3])
        #expect(arguments.map(\.span) == [ExpressionSpan(start: 13, end: 14), ExpressionSpan(start: 16, end: 21)])
        #expect(syntax.root.id == 4)
    }

    /// The depth limit counts a lone operand as one level, as the descent's first level did.
    @Test(arguments: [
        ("[[x]]", 2, ExpressionSpan(start: 2, end: 3) as ExpressionSpan?),
        ("[[x]]", 3, nil),
        ("f(g(1))", 2, ExpressionSpan(start: 4, end: 5)),
        ("f(g(1))", 3, nil),
        ("x", 1, nil),
    ])
    func theDepthLimitStillCountsTheOperand(text: String, maxDepth: Int, failsAt span: ExpressionSpan?) {
        let limits = ExpressionLimits(maxLength: 100, maxDepth: maxDepth, maxNodes: 100)
        switch parse(text, limits: limits) {
        case .success:
            #expect(span == nil)
        case .failure(let error):
            #expect(error.span == span)
            #expect(error.kind == .expressionTooComplex(reason: "it nests deeper than \(maxDepth) levels"))
        }
    }
}

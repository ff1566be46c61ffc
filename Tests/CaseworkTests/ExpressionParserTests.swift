@testable import CaseworkExpressions
@testable import CaseworkTime
import Testing

@Suite("Expressions: parsing")
struct ExpressionParserTests {
    private func parse(_ text: String) throws -> ExpressionNode {
        try ExpressionParser.parse(text).root
    }

    private func error(_ text: String) -> ExpressionError? {
        do throws(ExpressionError) {
            _ = try ExpressionParser.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func precedenceIsOrThenAndThenNotThenComparison() throws {
        let root = try parse("a or b and not c == 1")
        guard case .binary(.or, let left, let right) = root.kind else { Issue.record("expected or at the top"); return }
        #expect(left.text == "a")
        guard case .binary(.and, _, let negation) = right.kind, case .unary(.not, let comparison) = negation.kind,
            case .binary(.equal, _, _) = comparison.kind
        else { Issue.record("expected a and (not (c == 1))"); return }
    }

    @Test func arithmeticBindsTighterThanComparison() throws {
        let root = try parse("requested_on + 6 weeks < today - 1 day")
        guard case .binary(.less, let left, let right) = root.kind,
            case .binary(.plus, _, let duration) = left.kind, case .binary(.minus, _, _) = right.kind
        else { Issue.record("expected (a + 6 weeks) < (today - 1 day)"); return }
        #expect(duration.kind == .literal(.duration(StatutoryDuration(count: 6, unit: .weeks))))
    }

    @Test(arguments: [
        ("2025-09-01", ExpressionNode.Literal.date(CalendarDate(year: 2025, month: 9, day: 1)!)),
        ("15 working days", .duration(StatutoryDuration(count: 15, unit: .workingDays))),
        ("1 month", .duration(StatutoryDuration(count: 1, unit: .months))),
        ("42", .int(42)),
        ("'it\\'s'", .string("it's")),
        ("\"a\\tb\"", .string("a\tb")),
        ("true", .bool(true)),
    ])
    func literals(text: String, expected: ExpressionNode.Literal) throws {
        #expect(try parse(text).kind == .literal(expected))
    }

    @Test func pathsCallsAndListsKeepTheirSpans() throws {
        let root = try parse("any(review_dates, d, d > forms.advice.due_on)")
        guard case .call(let name, let arguments) = root.kind else { Issue.record("expected a call"); return }
        #expect(name.name == "any")
        #expect(arguments.count == 3)
        guard case .binary(.greater, _, let path) = arguments[2].kind, case .path(let segments) = path.kind else {
            Issue.record("expected d > path"); return
        }
        #expect(segments.map(\.name) == ["forms", "advice", "due_on"])
        #expect(path.span == ExpressionSpan(start: 25, end: 44))
        #expect(segments[1].span == ExpressionSpan(start: 31, end: 37))
        #expect(root.span == ExpressionSpan(start: 0, end: 45))
    }

    @Test func notInIsOneOperator() throws {
        guard case .binary(.notIn, _, let list) = try parse("requested_by not in ['school']").kind, case .list(let items) = list.kind else {
            Issue.record("expected not in"); return
        }
        #expect(items.count == 1)
    }

    @Test func nodeIDsAreUniqueAndCounted() throws {
        let syntax = try ExpressionParser.parse("a and (b or c) and [1, 2] == x")
        var ids: [Int] = []
        func walk(_ node: ExpressionNode) {
            ids.append(node.id)
            switch node.kind {
            case .literal, .path: break
            case .list(let items), .call(_, let items): items.forEach(walk)
            case .unary(_, let operand): walk(operand)
            case .binary(_, let left, let right): walk(left); walk(right)
            }
        }
        walk(syntax.root)
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0 < syntax.nodeCount })
    }

    @Test(arguments: [
        ("a = b", "CW0300", 2),
        ("a && b", "CW0300", 2),
        ("a ==", "CW0300", 4),
        ("(a", "CW0300", 2),
        ("a b", "CW0300", 2),
        ("1 < 2 < 3", "CW0300", 6),
        ("'open", "CW0309", 0),
        ("2025-02-30", "CW0309", 0),
        ("99999999999999999999", "CW0309", 0),
        ("0 weeks", "CW0106", 0),
        ("", "CW0300", 0),
        ("\"bad \\q\"", "CW0309", 5),
    ])
    func syntaxErrorsAreLocated(text: String, code: String, start: Int) throws {
        let found = try #require(error(text), "'\(text)' should not parse")
        #expect(found.kind.code.rawValue == code)
        #expect(found.span.start == start)
    }

    @Test func hostileExpressionsHitLimitsNotTheStack() {
        let deep = String(repeating: "(", count: 5_000) + "a" + String(repeating: ")", count: 5_000)
        #expect(error(deep)?.kind.code.rawValue == "CW0308")
        let nots = String(repeating: "not ", count: 500) + "a"
        #expect(error(nots)?.kind.code.rawValue == "CW0308")
        let long = Array(repeating: "a", count: 3_000).joined(separator: " and ")
        #expect(error(long)?.kind.code.rawValue == "CW0308")
        let wide = "[" + Array(repeating: "1", count: 1_500).joined(separator: ", ") + "]"
        #expect(error(wide)?.kind.code.rawValue == "CW0308")
    }
}

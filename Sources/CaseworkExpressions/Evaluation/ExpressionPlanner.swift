import CaseworkDiagnostics
import CaseworkTime
import Foundation

/// A checked expression turned into a tree of closures with every name resolved: what the engine runs.
///
/// Planning happens once, when definitions load; evaluation is then a walk of
/// closures, total (every failure is an ``EvaluationError`` value), deterministic
/// and free of side effects. `and` and `or` absorb errors the way CEL does:
/// `false and (unset)` is false, `true or (unset)` is true, whichever side the
/// unset value is on.
public struct CompiledExpression: Sendable {
    /// The checked expression this was planned from.
    public var checked: CheckedExpression { plan.checked }
    /// The plan, shared by every copy, so copying an expression (out of a rule, into a context) is one reference.
    private let plan: Plan

    /// What planning made: never changed after.
    private final class Plan: Sendable {
        let checked: CheckedExpression
        let root: Evaluate
        let localCount: Int

        init(checked: CheckedExpression, root: @escaping Evaluate, localCount: Int) {
            self.checked = checked
            self.root = root
            self.localCount = localCount
        }
    }

    /// Plans `checked` for evaluation against a context by name (``EvaluationContext/values``).
    public init(_ checked: CheckedExpression) {
        var planner = Planner(checked: checked, slots: nil)
        plan = Plan(checked: checked, root: planner.plan(checked.syntax.root), localCount: planner.localCount)
    }

    /// Plans `checked` for evaluation against a context whose names are in `slots` (``EvaluationContext/slots``),
    /// giving each name it reads a slot there: for callers that plan a fixed set of expressions once and evaluate them
    /// often, reading only the names they use. Against any other context every name reads as unset.
    public init(_ checked: CheckedExpression, slots: inout ExpressionSlots) {
        var planner = Planner(checked: checked, slots: slots)
        plan = Plan(checked: checked, root: planner.plan(checked.syntax.root), localCount: planner.localCount)
        if let given = planner.slots { slots = given }
    }

    /// Evaluates the expression against `context`.
    public func evaluate(_ context: EvaluationContext) -> Result<ExpressionValue, EvaluationError> {
        do throws(EvaluationError) {
            return .success(try value(in: context))
        } catch {
            return .failure(error)
        }
    }

    /// Evaluates a bool expression (a guard): true, false, or why it cannot be decided, as ``holds(in:)`` gives them.
    public func evaluateCondition(_ context: EvaluationContext) -> Result<Bool, EvaluationError> {
        do throws(EvaluationError) {
            return .success(try holds(in: context))
        } catch {
            return .failure(error)
        }
    }

    /// Whether a bool expression (a guard, a rule's condition) holds in `context`; throws why it cannot be decided.
    ///
    /// Thrown, not returned in a `Result`, for a policy's rules: the first `Result<Bool, EvaluationError>` a process
    /// makes has its type built from its mangled name, which makes the runtime scan every conformance record once for
    /// `EvaluationError: Error` (session 23, `dec12`).
    public func holds(in context: EvaluationContext) throws(EvaluationError) -> Bool {
        guard case .bool(let result) = try value(in: context) else {
            throw .wrongValueType(name: checked.syntax.root.text, expected: "bool")
        }
        return result
    }

    /// The expression's value in `context`, with room for the variables `any` and `all` bind (none for most
    /// expressions, which then allocate nothing).
    private func value(in context: EvaluationContext) throws(EvaluationError) -> ExpressionValue {
        var locals: [ExpressionValue] = plan.localCount == 0 ? [] : Array(repeating: .bool(false), count: plan.localCount)
        return try plan.root(context, &locals)
    }
}

typealias Evaluate = @Sendable (EvaluationContext, inout [ExpressionValue]) throws(EvaluationError) -> ExpressionValue

/// Builds the closure tree; assigns a local slot to each variable bound by `any` or `all`, and, when planning into
/// ``ExpressionSlots``, a slot to each name read.
private struct Planner {
    let checked: CheckedExpression
    var slots: ExpressionSlots?
    var localCount = 0
    var scopes: [(name: String, slot: Int)] = []

    /// How the value of the declared name `name` is read: from its slot, or from the context's values by name.
    mutating func read(_ name: String) -> Evaluate {
        guard var slots else {
            return { context, _ throws(EvaluationError) in
                guard let value = context.values[name] else { throw .unset(name) }
                return value
            }
        }
        let slot = slots.slot(of: name)
        self.slots = slots
        return { context, _ throws(EvaluationError) in
            guard slot < context.slots.count, let value = context.slots[slot] else { throw .unset(name) }
            return value
        }
    }

    /// Whether `name`, or some declared name under it, is set: the value of `has(name)`.
    mutating func has(_ name: String) -> Evaluate {
        guard var slots else {
            let prefix = name + "."
            return { context, _ in
                .bool(context.values[name] != nil || context.values.keys.contains { $0.hasPrefix(prefix) })
            }
        }
        let under = slots.slots(under: name)
        self.slots = slots
        return { context, _ in .bool(under.contains { $0 < context.slots.count && context.slots[$0] != nil }) }
    }

    mutating func plan(_ node: ExpressionNode) -> Evaluate {
        switch node.kind {
        case .literal(let literal):
            let value = Self.value(of: literal)
            return { _, _ in value }
        case .path(let segments):
            let name = segments.map(\.name).joined(separator: ".")
            if segments.count == 1, let scope = scopes.last(where: { $0.name == name }) {
                let slot = scope.slot
                return { _, locals in locals[slot] }
            }
            switch name {
            case "today": return { context, _ in .date(context.today) }
            case "now": return { context, _ in .datetime(context.now) }
            default: return read(name)
            }
        case .list(let items):
            let literals = items.compactMap { item -> ExpressionValue? in
                guard case .literal(let literal) = item.kind else { return nil }
                return Self.value(of: literal)
            }
            if literals.count == items.count {
                // A list written out of literals is the same value every time: made once here, not on each evaluation.
                let value = ExpressionValue.list(literals)
                return { _, _ in value }
            }
            let plans = items.map { plan($0) }
            return { context, locals throws(EvaluationError) in
                var values: [ExpressionValue] = []
                values.reserveCapacity(plans.count)
                for item in plans { values.append(try item(context, &locals)) }
                return .list(values)
            }
        case .unary(let op, let operand):
            let inner = plan(operand)
            switch op {
            case .not:
                return { context, locals throws(EvaluationError) in .bool(!(try Operations.bool(try inner(context, &locals)))) }
            case .negate:
                return { context, locals throws(EvaluationError) in try Operations.negate(try inner(context, &locals)) }
            }
        case .binary(let op, let left, let right):
            if let compared = comparedWithConstant(op, left, right) { return compared }
            return binary(op, plan(left), plan(right))
        case .call(let name, let arguments):
            return call(ExpressionFunction(rawValue: name.name) ?? .count, arguments)
        }
    }

    /// A name compared with a value written out (`actor.role == "parent"`, `case.state in ["a", "b"]`), planned as one
    /// step that reads the name's slot and compares it with the value made once here, rather than three closures, one
    /// of them remaking the value each time; nil for any other comparison. Either side may be the value: the other is
    /// the only one evaluated either way, since a value written out cannot fail.
    private mutating func comparedWithConstant(_ op: ExpressionNode.BinaryOperator, _ left: ExpressionNode, _ right: ExpressionNode) -> Evaluate? {
        switch op {
        case .equal, .notEqual:
            if let value = constant(right), let read = slotRead(left) { return compare(read, with: value, equal: op == .equal) }
            if let value = constant(left), let read = slotRead(right) { return compare(read, with: value, equal: op == .equal) }
            return nil
        case .in, .notIn:
            guard case .list(let haystack)? = constant(right), let read = slotRead(left) else { return nil }
            let negated = op == .notIn
            return { context, _ throws(EvaluationError) in
                guard read.slot < context.slots.count, let needle = context.slots[read.slot] else { throw .unset(read.name) }
                return .bool(haystack.contains { Operations.equal(needle, $0) } != negated)
            }
        default:
            return nil
        }
    }

    private func compare(_ read: (slot: Int, name: String), with value: ExpressionValue, equal: Bool) -> Evaluate {
        guard case .string(let text) = value else {
            return { context, _ throws(EvaluationError) in
                guard read.slot < context.slots.count, let found = context.slots[read.slot] else { throw .unset(read.name) }
                return .bool(Operations.equal(found, value) == equal)
            }
        }
        // Text, the most compared (roles, states, levels): the slot's text is compared without taking its whole value
        // out first; any other value is compared as above.
        return { context, _ throws(EvaluationError) in
            guard read.slot < context.slots.count else { throw .unset(read.name) }
            if case .string(let found)? = context.slots[read.slot] { return .bool((found == text) == equal) }
            guard let found = context.slots[read.slot] else { throw .unset(read.name) }
            return .bool(Operations.equal(found, value) == equal)
        }
    }

    /// The value of `node` when it is written out (a literal, or a list of literals).
    private func constant(_ node: ExpressionNode) -> ExpressionValue? {
        switch node.kind {
        case .literal(let literal):
            return Self.value(of: literal)
        case .list(let items):
            var values: [ExpressionValue] = []
            for item in items {
                guard case .literal(let literal) = item.kind else { return nil }
                values.append(Self.value(of: literal))
            }
            return .list(values)
        default:
            return nil
        }
    }

    /// The slot and name `node` reads when it is a declared name planned into slots (not `today`, `now` or a variable
    /// bound by `any` or `all`); nil otherwise.
    private mutating func slotRead(_ node: ExpressionNode) -> (slot: Int, name: String)? {
        guard case .path(let segments) = node.kind, var slots else { return nil }
        let name = segments.map(\.name).joined(separator: ".")
        guard name != "today", name != "now", !(segments.count == 1 && scopes.contains { $0.name == name }) else { return nil }
        let slot = slots.slot(of: name)
        self.slots = slots
        return (slot, name)
    }

    private func binary(_ op: ExpressionNode.BinaryOperator, _ left: @escaping Evaluate, _ right: @escaping Evaluate) -> Evaluate {
        switch op {
        case .and:
            return { context, locals throws(EvaluationError) in
                // `false and (unset)` is false whichever side is unset: an error on the left waits for the right.
                var pending: EvaluationError?
                do throws(EvaluationError) {
                    if !(try Operations.bool(try left(context, &locals))) { return .bool(false) }
                } catch {
                    pending = error
                }
                if !(try Operations.bool(try right(context, &locals))) { return .bool(false) }
                if let pending { throw pending }
                return .bool(true)
            }
        case .or:
            return { context, locals throws(EvaluationError) in
                var pending: EvaluationError?
                do throws(EvaluationError) {
                    if try Operations.bool(try left(context, &locals)) { return .bool(true) }
                } catch {
                    pending = error
                }
                if try Operations.bool(try right(context, &locals)) { return .bool(true) }
                if let pending { throw pending }
                return .bool(false)
            }
        case .equal:
            return { context, locals throws(EvaluationError) in .bool(Operations.equal(try left(context, &locals), try right(context, &locals))) }
        case .notEqual:
            return { context, locals throws(EvaluationError) in .bool(!Operations.equal(try left(context, &locals), try right(context, &locals))) }
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            return { context, locals throws(EvaluationError) in
                let order = try Operations.compare(try left(context, &locals), try right(context, &locals))
                switch op {
                case .less: return .bool(order < 0)
                case .lessOrEqual: return .bool(order <= 0)
                case .greater: return .bool(order > 0)
                default: return .bool(order >= 0)
                }
            }
        case .in, .notIn:
            let negated = op == .notIn
            return { context, locals throws(EvaluationError) in
                let needle = try left(context, &locals)
                guard case .list(let haystack) = try right(context, &locals) else { throw .wrongValueType(name: "in", expected: "list") }
                let found = haystack.contains { Operations.equal(needle, $0) }
                return .bool(found != negated)
            }
        case .plus, .minus:
            let sign = op == .plus ? 1 : -1
            return { context, locals throws(EvaluationError) in
                try Operations.add(try left(context, &locals), try right(context, &locals), sign: sign, calendar: context.calendar)
            }
        }
    }

    private mutating func call(_ function: ExpressionFunction, _ arguments: [ExpressionNode]) -> Evaluate {
        switch function {
        case .any, .all:
            let list = plan(arguments[0])
            guard case .path(let segments) = arguments[1].kind else { return { _, _ in .bool(false) } }
            let slot = localCount
            localCount += 1
            scopes.append((segments[0].name, slot))
            let condition = plan(arguments[2])
            scopes.removeLast()
            let isAny = function == .any
            return { context, locals throws(EvaluationError) in
                guard case .list(let items) = try list(context, &locals) else { throw .wrongValueType(name: function.rawValue, expected: "list") }
                var pending: EvaluationError?
                for item in items {
                    locals[slot] = item
                    do throws(EvaluationError) {
                        if try Operations.bool(try condition(context, &locals)) == isAny { return .bool(isAny) }
                    } catch {
                        pending = pending ?? error
                    }
                }
                if let pending { throw pending }
                return .bool(!isAny)
            }
        case .has:
            guard case .path(let segments) = arguments[0].kind else { return { _, _ in .bool(false) } }
            return has(segments.map(\.name).joined(separator: "."))
        case .count:
            let list = plan(arguments[0])
            return { context, locals throws(EvaluationError) in
                guard case .list(let items) = try list(context, &locals) else { throw .wrongValueType(name: "count", expected: "list") }
                return .int(items.count)
            }
        case .ageOn:
            let on = plan(arguments[0])
            let birthName = checked.dateOfBirth ?? "date_of_birth"
            let birth = read(birthName)
            return { context, locals throws(EvaluationError) in
                let date = try Operations.date(try on(context, &locals), name: "age_on")
                let born = try birth(context, &locals)
                return .int(TimeArithmetic.age(born: try Operations.date(born, name: birthName), on: date))
            }
        case .daysBetween, .workingDaysBetween:
            let from = plan(arguments[0])
            let to = plan(arguments[1])
            let working = function == .workingDaysBetween
            return { context, locals throws(EvaluationError) in
                let start = try Operations.date(try from(context, &locals), name: function.rawValue)
                let end = try Operations.date(try to(context, &locals), name: function.rawValue)
                guard working else { return .int(start.days(to: end)) }
                guard let count = TimeArithmetic.workingDays(from: start, to: end, calendar: context.calendar) else {
                    throw .outOfRange("the span of working days between \(start) and \(end)")
                }
                return .int(count)
            }
        case .period:
            let count = plan(arguments[0])
            // The checker lets this call through only with a literal unit; an expression planned without it refuses.
            guard let unit = ExpressionChecker.literalUnit(arguments[1]) else {
                return { _, _ throws(EvaluationError) in throw .wrongValueType(name: "period", expected: "a unit written as a word") }
            }
            return { context, locals throws(EvaluationError) in
                guard case .int(let value) = try count(context, &locals) else { throw .wrongValueType(name: "period", expected: "int") }
                guard (0...StatutoryDuration.maximumCount).contains(value) else {
                    throw .outOfRange("period(\(value), \"\(unit.rawValue)\"): a count from 0 to \(StatutoryDuration.maximumCount)")
                }
                return .duration(StatutoryDuration(count: value, unit: unit))
            }
        case .laterOf, .earlierOf:
            let first = plan(arguments[0])
            let second = plan(arguments[1])
            let later = function == .laterOf
            return { context, locals throws(EvaluationError) in
                let a = try Operations.date(try first(context, &locals), name: function.rawValue)
                let b = try Operations.date(try second(context, &locals), name: function.rawValue)
                return .date(later ? max(a, b) : min(a, b))
            }
        case .schoolYearEnd, .schoolLeavingDate:
            let argument = plan(arguments[0])
            let leaving = function == .schoolLeavingDate
            return { context, locals throws(EvaluationError) in
                let date = try Operations.date(try argument(context, &locals), name: function.rawValue)
                return .date(leaving ? TimeArithmetic.schoolLeavingDate(born: date) : TimeArithmetic.schoolYearEnd(date))
            }
        }
    }

    static func value(of literal: ExpressionNode.Literal) -> ExpressionValue {
        switch literal {
        case .bool(let value): .bool(value)
        case .int(let value): .int(value)
        case .decimal(let value): .decimal(value)
        case .string(let value): .string(value)
        case .date(let value): .date(value)
        case .duration(let value): .duration(value)
        }
    }
}

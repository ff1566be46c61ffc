import CaseworkDiagnostics
import CaseworkTime

/// A parsed expression whose every node has a type, checked against an environment: the only form the engine evaluates.
public struct CheckedExpression: Sendable, Hashable {
    /// The parsed tree.
    public var syntax: ExpressionSyntax
    /// Each node's type, indexed by node id.
    public var types: [ExpressionType]
    /// The environment's date-of-birth path, captured for `age_on`.
    public var dateOfBirth: String?

    /// The type of the whole expression.
    public var type: ExpressionType { types[syntax.root.id] }

    /// A checked expression made from its parts, as an archive reads one back: the reader checks there is a type for
    /// every node id.
    package init(syntax: ExpressionSyntax, types: [ExpressionType], dateOfBirth: String?) {
        self.syntax = syntax
        self.types = types
        self.dateOfBirth = dateOfBirth
    }
}

/// Type-checks parsed expressions against an ``ExpressionEnvironment``, reporting every independent error.
///
/// A node whose type cannot be decided is "poisoned" (nil) and silences checks
/// that depend on it, so one typo gives one error, not a cascade.
package struct ExpressionChecker {
    private let environment: ExpressionEnvironment
    /// Each node's type by id; `bool` for a node whose type is not decided (see ``decided``), as a checked expression
    /// reports it. Kept final from the start, so the result takes this array as it is rather than a copy made from it.
    private var types: [ExpressionType]
    /// The nodes whose type is decided: the rest were never reached or are poisoned.
    private var decided: DecidedNodes
    private var errors: [ExpressionError] = []
    private var bound: [(name: String, type: ExpressionType)] = []

    private init(environment: ExpressionEnvironment, nodeCount: Int) {
        self.environment = environment
        types = Array(repeating: .bool, count: nodeCount)
        decided = DecidedNodes(nodeCount: nodeCount)
    }

    /// Checks `syntax`; when `expected` is given, the whole expression must have that type
    /// (a guard must be `bool`), described as `role` in the error (worked out only for that error).
    ///
    /// `syntax` is consumed: the checked expression takes the tree itself, where a borrowed one was copied into it
    /// (a reference counted for the root's parts) and the caller's then destroyed (given back), for every expression.
    package static func check(
        _ syntax: consuming ExpressionSyntax, in environment: ExpressionEnvironment,
        expecting expected: ExpressionType? = nil, role: @autoclosure () -> String = "condition"
    ) -> Result<CheckedExpression, ExpressionErrors> {
        var checker = ExpressionChecker(environment: environment, nodeCount: syntax.nodeCount)
        let type = checker.typeOf(syntax.root)
        if let expected, let type, !(expected.isBool && type.isBool), type != expected {
            if case .enumeration(let domain) = expected, type == .string, case .literal(.string(let word)) = syntax.root.kind {
                // A word of the expected enumeration, written as a string, is a value of it.
                if checker.checkEnumValue(word, domain, span: syntax.root.span) { checker.setType(expected, of: syntax.root.id) }
            } else if !(expected == .decimal && type == .int) {
                checker.errors.append(ExpressionError(.conditionType(role: role(), expected: expected.description, found: type.description), at: syntax.root.span))
            }
        }
        guard checker.errors.isEmpty else { return .failure(ExpressionErrors(checker.errors)) }
        return .success(CheckedExpression(syntax: syntax, types: checker.types, dateOfBirth: environment.dateOfBirth))
    }

    /// Parses and checks `text` in one step.
    package static func compile(
        _ text: String, in environment: ExpressionEnvironment, expecting expected: ExpressionType? = nil,
        role: @autoclosure () -> String = "condition", limits: ExpressionLimits = .standard
    ) -> Result<CheckedExpression, ExpressionErrors> {
        let syntax: ExpressionSyntax
        do throws(ExpressionError) {
            syntax = try ExpressionParser.parse(text, limits: limits)
        } catch {
            return .failure(ExpressionErrors([error]))
        }
        return check(consume syntax, in: environment, expecting: expected, role: role())
    }

    /// A node as messages show it: its type and its text, a string literal without its quotes.
    private func shown(_ type: ExpressionType, _ node: ExpressionNode) -> String {
        if case .literal(.string(let value)) = node.kind { return "\(type) '\(value)'" }
        return "\(type) '\(node.text)'"
    }

    private mutating func fail(_ kind: DiagnosticKind, _ span: ExpressionSpan) -> ExpressionType? {
        errors.append(ExpressionError(kind, at: span))
        return nil
    }

    @discardableResult
    private mutating func typeOf(_ node: ExpressionNode) -> ExpressionType? {
        let type = infer(node)
        setType(type, of: node.id)
        return type
    }

    /// Records the type of the node numbered `id`; nil leaves it undecided (read as `bool` in the result).
    private mutating func setType(_ type: ExpressionType?, of id: Int) {
        types[id] = type ?? .bool
        decided.set(id, type != nil)
    }

    private mutating func infer(_ node: ExpressionNode) -> ExpressionType? {
        switch node.kind {
        case .literal(let literal):
            switch literal {
            case .bool: return .bool
            case .int: return .int
            case .decimal: return .decimal
            case .string: return .string
            case .date: return .date
            case .duration: return .duration
            }
        case .path(let segments):
            return resolve(segments, node: node)
        case .list(let items):
            return list(items, node: node)
        case .unary(let op, let operand):
            guard let type = typeOf(operand) else { return nil }
            switch op {
            case .not:
                if type.isBool { return .bool }
                return fail(.operatorType(operator: "not", operands: shown(type, operand), expected: "bool"), node.span)
            case .negate:
                if type.isNumeric { return type }
                return fail(.operatorType(operator: "-", operands: shown(type, operand), expected: "a number"), node.span)
            }
        case .binary(let op, let left, let right):
            return binary(op, left, right, node: node)
        case .call(let name, let arguments):
            return call(name, arguments, node: node)
        }
    }

    private mutating func resolve(_ segments: [ExpressionNode.PathSegment], node: ExpressionNode) -> ExpressionType? {
        let path = segments.count == 1 ? segments[0].name : segments.map(\.name).joined(separator: ".")
        if segments.count == 1, let binding = bound.last(where: { $0.name == path }) { return binding.type }
        // `today` and `now` win over a field of the same name, as they do when the expression is evaluated.
        if let type = ExpressionEnvironment.builtin(path) ?? environment.names[path] { return type }
        if environment.untyped.contains(where: { path == $0 || path.hasPrefix($0 + ".") }) { return nil }
        if ["null", "nil", "none", "undefined"].contains(path.lowercased()) {
            return fail(.noNull(name: path), node.span)
        }
        if environment.groups.contains(path) {
            return fail(.notAValue(name: path), node.span)
        }
        for length in stride(from: segments.count - 1, through: 1, by: -1) {
            let prefix = segments[..<length].map(\.name).joined(separator: ".")
            let variable = length == 1 ? bound.last(where: { $0.name == prefix })?.type : nil
            if let type = variable ?? ExpressionEnvironment.builtins[prefix] ?? environment.names[prefix] {
                let member = segments[length]
                return fail(.noSuchPart(name: prefix, type: type.description, part: member.name),
                            ExpressionSpan(start: member.span.start, end: node.span.end))
            }
        }
        let candidates = Array(environment.names.keys) + Array(ExpressionEnvironment.builtins.keys) + bound.map(\.name)
        return fail(.unknownName(name: path, suggestion: NameSuggester.suggest(path, from: candidates.sorted())), node.span)
    }

    private mutating func list(_ items: [ExpressionNode], node: ExpressionNode) -> ExpressionType? {
        var element: ExpressionType?
        var poisoned = false
        for item in items {
            guard let type = typeOf(item) else {
                poisoned = true
                continue
            }
            guard let current = element else {
                element = type
                continue
            }
            if let unified = Self.unify(current, type) {
                element = unified
            } else {
                poisoned = true
                errors.append(ExpressionError(.mixedList(first: current.description, other: shown(type, item)), at: item.span))
            }
        }
        if poisoned { return nil }
        return element.map(ExpressionType.listOf) ?? .emptyList
    }

    /// The common type of two types, when values of both can stand together (int and decimal make decimal).
    static func unify(_ a: ExpressionType, _ b: ExpressionType) -> ExpressionType? {
        if a == b { return a }
        if a.isNumeric, b.isNumeric { return .decimal }
        switch (a, b) {
        case (.emptyList, .list), (.list, .emptyList): return a == .emptyList ? b : a
        case (.list(let x), .list(let y)): return unify(x, y).map(ExpressionType.list)
        default: return nil
        }
    }

    private mutating func binary(_ op: ExpressionNode.BinaryOperator, _ left: ExpressionNode, _ right: ExpressionNode, node: ExpressionNode) -> ExpressionType? {
        let leftType = typeOf(left)
        let rightType = typeOf(right)
        guard let leftType, let rightType else { return nil }
        var operands: String { "\(shown(leftType, left)) and \(shown(rightType, right))" }
        switch op {
        case .and, .or:
            if leftType.isBool, rightType.isBool { return .bool }
            let culprit = !leftType.isBool ? (leftType, left) : (rightType, right)
            return fail(.operatorType(operator: op.rawValue, operands: shown(culprit.0, culprit.1), expected: "bool"), culprit.1.span)
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            return compare(op, left, leftType, right, rightType, node: node)
        case .in, .notIn:
            return membership(left, leftType, right, rightType)
        case .plus, .minus:
            if leftType.isNumeric, rightType.isNumeric { return leftType == rightType ? leftType : .decimal }
            if leftType == .datetime || rightType == .datetime, let unit = Self.durationUnit(left) ?? Self.durationUnit(right),
                unit != .days, unit != .weeks
            {
                // An instant moves by whole days only; months, years and working days need a date.
                return fail(.operatorType(operator: op.rawValue, operands: operands, expected: "days or weeks to move a datetime"), node.span)
            }
            if (leftType == .date || leftType == .datetime), rightType == .duration { return leftType }
            if op == .plus, leftType == .duration, (rightType == .date || rightType == .datetime) { return rightType }
            return fail(.operatorType(operator: op.rawValue, operands: operands, expected: "numbers, or a date and a duration"), node.span)
        }
    }

    /// The unit of a duration literal (the only way to write a duration).
    private static func durationUnit(_ node: ExpressionNode) -> DurationUnit? {
        if case .literal(.duration(let duration)) = node.kind { return duration.unit }
        if case .call(let name, let arguments) = node.kind, name.name == ExpressionFunction.period.rawValue, arguments.count == 2 {
            return literalUnit(arguments[1])
        }
        return nil
    }

    /// The unit a `period(...)` call names: its second argument must be a string literal naming one.
    package static func literalUnit(_ node: ExpressionNode) -> DurationUnit? {
        guard case .literal(.string(let word)) = node.kind else { return nil }
        return DurationUnit(rawValue: word)
    }

    private mutating func compare(
        _ op: ExpressionNode.BinaryOperator, _ left: ExpressionNode, _ leftType: ExpressionType,
        _ right: ExpressionNode, _ rightType: ExpressionType, node: ExpressionNode
    ) -> ExpressionType? {
        let ordering = op != .equal && op != .notEqual
        switch (leftType, rightType) {
        case (.enumeration(let domain), .string), (.string, .enumeration(let domain)):
            let literal = leftType == .string ? left : right
            guard !ordering, case .literal(.string(let value)) = literal.kind else { break }
            return checkEnumValue(value, domain, span: literal.span) ? .bool : nil
        case (.enumeration(let a), .enumeration(let b)) where a == b && !ordering:
            return .bool
        default:
            if leftType.isNumeric, rightType.isNumeric { return .bool }
            if leftType == rightType {
                switch leftType {
                case .date, .datetime, .int, .decimal: return .bool
                case .bool, .string, .duration: if !ordering { return .bool }
                default: break
                }
            }
        }
        return fail(.cannotCompare(left: shown(leftType, left), right: shown(rightType, right)), node.span)
    }

    private mutating func checkEnumValue(_ value: String, _ domain: EnumerationDomain, span: ExpressionSpan) -> Bool {
        if domain.values.contains(value) { return true }
        let suggestion = NameSuggester.suggest(value, from: domain.values)
        errors.append(ExpressionError(.unknownEnumValue(value: value, member: domain.member, suggestion: suggestion), at: span))
        return false
    }

    private mutating func membership(_ left: ExpressionNode, _ leftType: ExpressionType, _ right: ExpressionNode, _ rightType: ExpressionType) -> ExpressionType? {
        if case .emptyList = rightType { return .bool }
        guard let element = rightType.elementType else {
            return fail(.membershipNeedsList(found: shown(rightType, right)), right.span)
        }
        if case .enumeration(let domain) = leftType, case .string = element, case .list(let items) = right.kind {
            var allKnown = true
            for item in items {
                if case .literal(.string(let value)) = item.kind, !checkEnumValue(value, domain, span: item.span) { allKnown = false }
            }
            return allKnown ? .bool : nil
        }
        if leftType.elementType == nil, Self.unify(leftType, element) != nil { return .bool }
        return fail(.cannotCompare(left: shown(leftType, left), right: shown(rightType, right)), left.span.through(right.span))
    }

    private mutating func call(_ name: ExpressionNode.PathSegment, _ arguments: [ExpressionNode], node: ExpressionNode) -> ExpressionType? {
        guard let function = ExpressionFunction(rawValue: name.name) else {
            for argument in arguments { typeOf(argument) }
            let suggestion = NameSuggester.suggest(name.name, from: ExpressionFunction.allCases.map(\.rawValue))
            return fail(.unknownFunction(name: name.name, suggestion: suggestion), name.span)
        }
        switch function {
        case .any, .all:
            return quantifier(function, arguments, node: node)
        case .period:
            let count = arguments.first.map { typeOf($0) }
            guard arguments.count == 2, count == .int, Self.literalUnit(arguments[1]) != nil else {
                return wrongArguments(function, arguments, node: node)
            }
            return .duration
        case .has:
            guard arguments.count == 1, case .path(let segments) = arguments[0].kind else {
                return wrongArguments(function, arguments, node: node)
            }
            let path = segments.map(\.name).joined(separator: ".")
            if environment.names[path] != nil || environment.groups.contains(path) {
                setType(environment.names[path] ?? .bool, of: arguments[0].id)
                return .bool
            }
            // `today`, `now` and a variable of `any` or `all` are always set, so only a field can be asked about.
            guard typeOf(arguments[0]) != nil else { return nil }
            return wrongArguments(function, arguments, node: node)
        default:
            let argumentTypes = arguments.map { typeOf($0) }
            guard argumentTypes.allSatisfy({ $0 != nil }) else { return nil }
            let given = argumentTypes.compactMap { $0 }
            let expected: [ExpressionType]
            let result: ExpressionType
            switch function {
            case .ageOn: (expected, result) = ([.date], .int)
            case .daysBetween, .workingDaysBetween: (expected, result) = ([.date, .date], .int)
            case .schoolYearEnd, .schoolLeavingDate: (expected, result) = ([.date], .date)
            case .laterOf, .earlierOf: (expected, result) = ([.date, .date], .date)
            case .count:
                guard given.count == 1, given[0].elementType != nil || given[0] == .emptyList else {
                    return wrongArguments(function, arguments, node: node)
                }
                return .int
            case .any, .all, .has, .period: return nil
            }
            guard given == expected else { return wrongArguments(function, arguments, node: node) }
            if function == .ageOn, environment.dateOfBirth == nil {
                return fail(.noDateOfBirth, name.span)
            }
            return result
        }
    }

    private mutating func quantifier(_ function: ExpressionFunction, _ arguments: [ExpressionNode], node: ExpressionNode) -> ExpressionType? {
        guard arguments.count == 3, case .path(let segments) = arguments[1].kind, segments.count == 1 else {
            return wrongArguments(function, arguments, node: node)
        }
        guard let listType = typeOf(arguments[0]) else { return nil }
        guard let element = listType.elementType ?? (listType == .emptyList ? .bool : nil) else {
            return wrongArguments(function, arguments, node: node)
        }
        setType(element, of: arguments[1].id)
        bound.append((segments[0].name, element))
        let conditionType = typeOf(arguments[2])
        bound.removeLast()
        guard let conditionType else { return nil }
        guard conditionType.isBool else {
            return fail(.conditionType(role: "the condition of '\(function.rawValue)'", expected: "bool", found: conditionType.description), arguments[2].span)
        }
        return .bool
    }

    private mutating func wrongArguments(_ function: ExpressionFunction, _ arguments: [ExpressionNode], node: ExpressionNode) -> ExpressionType? {
        let found = arguments.map { argument in decided.contains(argument.id) ? "\(types[argument.id])" : argument.text }
        return fail(.wrongArguments(function: function.rawValue, signature: function.signature, found: "(\(found.joined(separator: ", ")))"), node.span)
    }
}

import CaseworkExpressions
import CaseworkTime
import Foundation

// Policies' checked expressions: what their names are made from, the resource paths' fields, and every checked
// condition and reason placeholder, each a syntax tree with its nodes' types, so a definition cache's hit checks no
// policy (``Validator/Known/policies``).

extension ArchiveWriter {
    /// Writes a policy's checked expressions: its names' declarations, its paths' fields (sorted), then its conditions by
    /// rule id and its reasons' placeholders by rule id and offset, each in sorted order, so the same set writes the same bytes.
    mutating func checkedPolicy(_ checked: CheckedPolicyExpressions) throws(Unwritable) {
        let declarations = checked.declarations
        string(declarations.policy)
        try strings(declarations.levels)
        try strings(declarations.roles)
        try strings(declarations.states)
        try strings(declarations.workflows)
        try typedFields(declarations.actorAttributes)
        try typedFields(declarations.caseFields)
        try optional(checked.paths) { (writer, paths) throws(Unwritable) in try writer.strings(paths.fieldPaths) }
        try list(checked.conditions.keys.sorted()) { (writer, rule) throws(Unwritable) in
            writer.string(rule)
            try writer.checkedExpression(checked.conditions[rule]!)
        }
        try list(checked.reasons.keys.sorted()) { (writer, rule) throws(Unwritable) in
            writer.string(rule)
            let placeholders = checked.reasons[rule]!
            try writer.list(placeholders.keys.sorted()) { (writer, offset) throws(Unwritable) in
                writer.integer(offset)
                try writer.checkedExpression(placeholders[offset]!)
            }
        }
    }

    /// Writes a list of strings.
    mutating func strings(_ values: [String]) throws(Unwritable) {
        try list(values) { (writer, value) throws(Unwritable) in writer.string(value) }
    }

    /// Writes field paths with their expression types.
    mutating func typedFields(_ fields: [PolicyNames.Declarations.Field]) throws(Unwritable) {
        try list(fields) { (writer, field) throws(Unwritable) in
            writer.string(field.path)
            try writer.expressionType(field.type)
        }
    }

    /// Writes a checked expression: its text (the string its nodes' texts are parts of), its date-of-birth name, its
    /// distinct types and each node's type as an index among them (node ids run from 0 to the node count), then its tree.
    mutating func checkedExpression(_ checked: CheckedExpression) throws(Unwritable) {
        let whole = checked.syntax.root.writtenPart.whole
        string(whole)
        try optional(checked.dateOfBirth) { writer, name in writer.string(name) }
        var distinct: [ExpressionType] = []
        var positions: [ExpressionType: Int] = [:]
        let indices = checked.types.map { type in
            if let position = positions[type] { return position }
            distinct.append(type)
            positions[type] = distinct.count - 1
            return distinct.count - 1
        }
        try list(distinct) { (writer, type) throws(Unwritable) in try writer.expressionType(type) }
        try list(indices) { writer, index in writer.count(index) }
        try expressionNode(checked.syntax.root, whole: whole)
    }

    /// Writes a node: its id, its span, where its text is (a flag for a text of its own, that text, and its bytes in the
    /// text, or in the expression's), then its kind's code (the order of ``ExpressionNode/Kind``'s cases) and parts.
    mutating func expressionNode(_ node: ExpressionNode, whole: String) throws(Unwritable) {
        try nested { (writer) throws(Unwritable) in
            writer.count(node.id)
            writer.span(node.span)
            let written = node.writtenPart
            let own = written.whole != whole
            writer.bool(own)
            if own { writer.string(written.whole) }
            writer.integer(written.bytes.lowerBound)
            writer.integer(written.bytes.count)
            switch node.kind {
            case .literal(let literal):
                writer.count(0)
                writer.literal(literal)
            case .path(let segments):
                writer.count(1)
                try writer.list(segments) { writer, segment in writer.segment(segment) }
            case .list(let items):
                writer.count(2)
                try writer.list(items) { (writer, item) throws(Unwritable) in try writer.expressionNode(item, whole: whole) }
            case .unary(let op, let operand):
                writer.count(3)
                writer.count(Self.unaryOperators.firstIndex(of: op)!)
                try writer.expressionNode(operand, whole: whole)
            case .binary(let op, let left, let right):
                writer.count(4)
                writer.count(Self.binaryOperators.firstIndex(of: op)!)
                try writer.expressionNode(left, whole: whole)
                try writer.expressionNode(right, whole: whole)
            case .call(let name, let arguments):
                writer.count(5)
                writer.segment(name)
                try writer.list(arguments) { (writer, argument) throws(Unwritable) in try writer.expressionNode(argument, whole: whole) }
            }
        }
    }

    /// Writes a span: its start and end.
    mutating func span(_ span: ExpressionSpan) {
        integer(span.start)
        integer(span.end)
    }

    /// Writes one name of a path: the name, then its span.
    mutating func segment(_ segment: ExpressionNode.PathSegment) {
        string(segment.name)
        span(segment.span)
    }

    /// Writes a literal: its case's code (the order of ``ExpressionNode/Literal``'s cases), then its value (a decimal as
    /// its text).
    mutating func literal(_ literal: ExpressionNode.Literal) {
        switch literal {
        case .bool(let flag):
            count(0)
            bool(flag)
        case .int(let number):
            count(1)
            integer(number)
        case .decimal(let number):
            count(2)
            string(number.description)
        case .string(let text):
            count(3)
            string(text)
        case .date(let date):
            count(4)
            integer(date.daysSinceEpoch)
        case .duration(let duration):
            count(5)
            self.duration(duration)
        }
    }

    /// Writes an expression type: its case's code (the order of ``ExpressionType``'s cases), then what it holds.
    mutating func expressionType(_ type: ExpressionType) throws(Unwritable) {
        try nested { (writer) throws(Unwritable) in
            switch type {
            case .bool: writer.count(0)
            case .int: writer.count(1)
            case .decimal: writer.count(2)
            case .string: writer.count(3)
            case .date: writer.count(4)
            case .datetime: writer.count(5)
            case .duration: writer.count(6)
            case .enumeration(let domain):
                writer.count(7)
                writer.string(domain.name)
                writer.string(domain.member)
                try writer.strings(domain.values)
            case .list(let element):
                writer.count(8)
                try writer.expressionType(element)
            case .emptyList: writer.count(9)
            }
        }
    }

    /// The prefix operators, in the order their codes name them.
    static let unaryOperators: [ExpressionNode.UnaryOperator] = [.not, .negate]
    /// The infix operators, in the order their codes name them.
    static let binaryOperators: [ExpressionNode.BinaryOperator] = [
        .and, .or, .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .in, .notIn, .plus, .minus,
    ]
}

extension ArchiveReader {
    /// Reads a policy's checked expressions written by ``ArchiveWriter/checkedPolicy(_:)`` for `policy` (whose resources
    /// and sections its paths take): each rule id and each offset at most once.
    mutating func checkedPolicy(of policy: PolicyDefinition) throws(Damage) -> CheckedPolicyExpressions {
        let name = try string()
        let levels = try strings()
        let roles = try strings()
        let states = try strings()
        let workflows = try strings()
        let actorAttributes = try typedFields()
        let caseFields = try typedFields()
        var checked = CheckedPolicyExpressions(declarations: PolicyNames.Declarations(
            policy: name, levels: levels, roles: roles, states: states, workflows: workflows, actorAttributes: actorAttributes, caseFields: caseFields
        ))
        checked.paths = try optional { (reader) throws(Damage) in ResourcePaths(policy: policy, fields: Set(try reader.strings())) }
        let conditions = try list { (reader) throws(Damage) in (try reader.string(), try reader.checkedExpression()) }
        for (rule, condition) in conditions {
            guard checked.conditions.updateValue(condition, forKey: rule) == nil else { throw Damage() }
        }
        let reasons = try list { (reader) throws(Damage) in
            let rule = try reader.string()
            let placeholders = try reader.list { (reader) throws(Damage) in (try reader.integer(), try reader.checkedExpression()) }
            var byOffset: [Int: CheckedExpression] = [:]
            for (offset, placeholder) in placeholders {
                guard byOffset.updateValue(placeholder, forKey: offset) == nil else { throw Damage() }
            }
            return (rule, byOffset)
        }
        for (rule, placeholders) in reasons {
            guard checked.reasons.updateValue(placeholders, forKey: rule) == nil else { throw Damage() }
        }
        return checked
    }

    /// Reads a list of strings.
    mutating func strings() throws(Damage) -> [String] {
        try list { (reader) throws(Damage) in try reader.string() }
    }

    /// Reads field paths with their types written by ``ArchiveWriter/typedFields(_:)``.
    mutating func typedFields() throws(Damage) -> [PolicyNames.Declarations.Field] {
        try list { (reader) throws(Damage) in
            let path = try reader.string()
            return PolicyNames.Declarations.Field(path: path, type: try reader.expressionType())
        }
    }

    /// Reads a checked expression written by ``ArchiveWriter/checkedExpression(_:)``: every node's type an index among
    /// the distinct types written, every node's id below the node count, so every node has a type.
    mutating func checkedExpression() throws(Damage) -> CheckedExpression {
        let whole = try string()
        let dateOfBirth = try optional { (reader) throws(Damage) in try reader.string() }
        let distinct = try list { (reader) throws(Damage) in try reader.expressionType() }
        let types = try list { (reader) throws(Damage) in distinct[try reader.code(below: distinct.count)] }
        let root = try expressionNode(whole: whole, nodeCount: types.count)
        return CheckedExpression(syntax: ExpressionSyntax(root: root, nodeCount: types.count), types: types, dateOfBirth: dateOfBirth)
    }

    /// Reads a node written by ``ArchiveWriter/expressionNode(_:whole:)``: an id below `nodeCount`, a text inside the
    /// string it is part of and on its scalars' boundaries, a kind's code and operator codes that exist, and a path of at
    /// least one name.
    mutating func expressionNode(whole: String, nodeCount: Int) throws(Damage) -> ExpressionNode {
        try nested { (reader) throws(Damage) in
            let id = try reader.code(below: nodeCount)
            let span = try reader.span()
            let text = try reader.bool() ? try reader.string() : whole
            let count = text.utf8.count
            let start = try reader.integer(in: 0...count)
            let length = try reader.integer(in: 0...(count - start))
            let kind: ExpressionNode.Kind
            switch try reader.code(below: 6) {
            case 0: kind = .literal(try reader.literal())
            case 1:
                let segments = try reader.list { (reader) throws(Damage) in try reader.segment() }
                guard !segments.isEmpty else { throw Damage() }
                kind = .path(segments)
            case 2: kind = .list(try reader.list { (reader) throws(Damage) in try reader.expressionNode(whole: whole, nodeCount: nodeCount) })
            case 3:
                let op = ArchiveWriter.unaryOperators[try reader.code(below: ArchiveWriter.unaryOperators.count)]
                kind = .unary(op, try reader.expressionNode(whole: whole, nodeCount: nodeCount))
            case 4:
                let op = ArchiveWriter.binaryOperators[try reader.code(below: ArchiveWriter.binaryOperators.count)]
                let left = try reader.expressionNode(whole: whole, nodeCount: nodeCount)
                kind = .binary(op, left, try reader.expressionNode(whole: whole, nodeCount: nodeCount))
            default:
                let name = try reader.segment()
                kind = .call(name, try reader.list { (reader) throws(Damage) in try reader.expressionNode(whole: whole, nodeCount: nodeCount) })
            }
            guard let node = ExpressionNode(id: id, kind: kind, span: span, whole: text, bytes: start..<(start + length)) else { throw Damage() }
            return node
        }
    }

    /// Reads a span written by ``ArchiveWriter/span(_:)``: a start and an end, each 32 bits.
    mutating func span() throws(Damage) -> ExpressionSpan {
        let bounds = Int(Int32.min)...Int(Int32.max)
        let start = try integer(in: bounds)
        return ExpressionSpan(start: start, end: try integer(in: bounds))
    }

    /// Reads one name of a path written by ``ArchiveWriter/segment(_:)``.
    mutating func segment() throws(Damage) -> ExpressionNode.PathSegment {
        let name = try string()
        return ExpressionNode.PathSegment(name: name, span: try span())
    }

    /// Reads a literal written by ``ArchiveWriter/literal(_:)``: a decimal that reads as one, a date in the supported
    /// years, a duration the decoder gives.
    mutating func literal() throws(Damage) -> ExpressionNode.Literal {
        switch try code(below: 6) {
        case 0: return .bool(try bool())
        case 1: return .int(try integer())
        case 2:
            guard let number = Decimal(string: try string(), locale: Locale(identifier: "en_US_POSIX")) else { throw Damage() }
            return .decimal(number)
        case 3: return .string(try string())
        case 4: return .date(CalendarDate(daysSinceEpoch: try integer(in: Self.supportedDays)))
        default: return .duration(try duration())
        }
    }

    /// Reads an expression type written by ``ArchiveWriter/expressionType(_:)``.
    mutating func expressionType() throws(Damage) -> ExpressionType {
        try nested { (reader) throws(Damage) in
            switch try reader.code(below: 10) {
            case 0: return .bool
            case 1: return .int
            case 2: return .decimal
            case 3: return .string
            case 4: return .date
            case 5: return .datetime
            case 6: return .duration
            case 7:
                let name = try reader.string()
                let member = try reader.string()
                return .enumeration(EnumerationDomain(name: name, member: member, values: try reader.strings()))
            case 8: return .list(try reader.expressionType())
            default: return .emptyList
            }
        }
    }
}

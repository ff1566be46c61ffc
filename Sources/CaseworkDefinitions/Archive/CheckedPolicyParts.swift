import CaseworkDiagnostics
import CaseworkExpressions
import CaseworkTime
import Foundation

// Policies' checked expressions: what their names are made from, the resource paths' fields, and every checked
// condition and reason placeholder, each a syntax tree with its nodes' types, so a definition cache's hit checks no
// policy (``Validator/Known/policies``).

extension ArchiveWriter {
    /// Writes a policy's checked expressions: the distinct types its names and expressions have (each written once, so
    /// an enumeration many expressions read is not repeated in each), its names' declarations, its paths' fields
    /// (sorted), then its conditions by rule id and its reasons' placeholders by rule id and offset, each in sorted order,
    /// so the same set writes the same bytes. Every type after the table is its index in it.
    mutating func checkedPolicy(_ checked: CheckedPolicyExpressions) throws(Unwritable) {
        let declarations = checked.declarations
        let conditions = checked.conditions.keys.sorted().map { ($0, checked.conditions[$0]!) }
        let reasons = checked.reasons.keys.sorted().map { rule in
            (rule, checked.reasons[rule]!.sorted { $0.key < $1.key })
        }
        var table = TypeTable()
        for field in declarations.actorAttributes + declarations.caseFields { table.add(field.type) }
        for (_, condition) in conditions { condition.types.forEach { table.add($0) } }
        for (_, placeholders) in reasons { placeholders.forEach { $0.value.types.forEach { table.add($0) } } }
        try list(table.types) { (writer, type) throws(Unwritable) in try writer.expressionType(type) }
        string(declarations.policy)
        try strings(declarations.levels)
        try strings(declarations.roles)
        try strings(declarations.states)
        try strings(declarations.workflows)
        try typedFields(declarations.actorAttributes, table: table)
        try typedFields(declarations.caseFields, table: table)
        try optional(checked.paths) { (writer, paths) throws(Unwritable) in try writer.strings(paths.fieldPaths) }
        try list(conditions) { (writer, condition) throws(Unwritable) in
            writer.string(condition.0)
            try writer.checkedExpression(condition.1, table: table)
        }
        try list(reasons) { (writer, reason) throws(Unwritable) in
            writer.string(reason.0)
            try writer.list(reason.1) { (writer, placeholder) throws(Unwritable) in
                writer.integer(placeholder.key)
                try writer.checkedExpression(placeholder.value, table: table)
            }
        }
    }

    /// The distinct types of one policy's names and expressions, in the order first met, each with its index.
    struct TypeTable {
        /// The types, in order.
        private(set) var types: [ExpressionType] = []
        /// Each type's index in ``types``.
        private var indices: [ExpressionType: Int] = [:]

        /// Adds `type` unless it is there already.
        mutating func add(_ type: ExpressionType) {
            guard indices[type] == nil else { return }
            indices[type] = types.count
            types.append(type)
        }

        /// The index of `type`, which was added.
        func index(of type: ExpressionType) -> Int { indices[type]! }
    }

    /// Writes a list of strings.
    mutating func strings(_ values: [String]) throws(Unwritable) {
        try list(values) { (writer, value) throws(Unwritable) in writer.string(value) }
    }

    /// Writes field paths with their expression types (each its index in `table`).
    mutating func typedFields(_ fields: [PolicyNames.Declarations.Field], table: TypeTable) throws(Unwritable) {
        try list(fields) { (writer, field) throws(Unwritable) in
            writer.string(field.path)
            writer.count(table.index(of: field.type))
        }
    }

    /// Writes a checked expression: its text (the string its nodes' texts are parts of), its date-of-birth name, each
    /// node's type as its index in `table` (node ids run from 0 to the node count), then its tree.
    mutating func checkedExpression(_ checked: CheckedExpression, table: TypeTable) throws(Unwritable) {
        let whole = checked.syntax.root.writtenPart.whole
        string(whole)
        try optional(checked.dateOfBirth) { writer, name in writer.string(name) }
        try list(checked.types) { writer, type in writer.count(table.index(of: type)) }
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
        let table = try list { (reader) throws(Damage) in try reader.expressionType() }
        let name = try string()
        let levels = try strings()
        let roles = try strings()
        let states = try strings()
        let workflows = try strings()
        let actorAttributes = try typedFields(table: table)
        let caseFields = try typedFields(table: table)
        var checked = CheckedPolicyExpressions(declarations: PolicyNames.Declarations(
            policy: name, levels: levels, roles: roles, states: states, workflows: workflows, actorAttributes: actorAttributes, caseFields: caseFields
        ))
        checked.paths = try optional { (reader) throws(Damage) in ResourcePaths(policy: policy, fields: Set(try reader.strings())) }
        checked.conditions = try entries { (reader) throws(Damage) in (try reader.string(), try reader.checkedExpression(table: table)) }
        checked.reasons = try entries { (reader) throws(Damage) in
            let rule = try reader.string()
            return (rule, try reader.entries { (reader) throws(Damage) in (try reader.integer(), try reader.checkedExpression(table: table)) })
        }
        return checked
    }

    /// Reads a list of strings.
    mutating func strings() throws(Damage) -> [String] {
        try list { (reader) throws(Damage) in try reader.string() }
    }

    /// Reads field paths with their types written by ``ArchiveWriter/typedFields(_:table:)``: each type an index in `table`.
    mutating func typedFields(table: [ExpressionType]) throws(Damage) -> [PolicyNames.Declarations.Field] {
        try list { (reader) throws(Damage) in
            let path = try reader.string()
            return PolicyNames.Declarations.Field(path: path, type: table[try reader.code(below: table.count)])
        }
    }

    /// Reads a checked expression written by ``ArchiveWriter/checkedExpression(_:table:)``: every node's type an index
    /// in `table`, every node's id below the node count, so every node has a type.
    mutating func checkedExpression(table: [ExpressionType]) throws(Damage) -> CheckedExpression {
        let whole = try string()
        let dateOfBirth = try optional { (reader) throws(Damage) in try reader.string() }
        let types = try list { (reader) throws(Damage) in table[try reader.code(below: table.count)] }
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
                let arguments = try reader.list { (reader) throws(Damage) in try reader.expressionNode(whole: whole, nodeCount: nodeCount) }
                // Compiling the policy takes a call's arguments by position, as the checker allowed them: a function it
                // does not know, or another number of arguments, would trap there rather than be a miss here.
                guard let function = ExpressionFunction(rawValue: name.name), arguments.count == function.argumentCount else { throw Damage() }
                kind = .call(name, arguments)
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

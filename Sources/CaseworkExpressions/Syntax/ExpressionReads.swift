import CaseworkDiagnostics

/// The names an expression reads, found from its syntax alone: what a validator needs to say which fields an
/// expression depends on, and what a policy needs to know which of its rules are about a grant.
extension ExpressionNode {
    /// The dotted names this expression reads, with their spans: every path except `today`, `now` and the variables
    /// of `any` and `all`, and `dateOfBirth` for each `age_on` (which reads it without naming it).
    public func readPaths(dateOfBirth: String?) -> [(path: String, span: ExpressionSpan)] {
        Self.paths(in: self, bound: [], dateOfBirth: dateOfBirth)
    }

    private static func paths(in node: ExpressionNode, bound: Set<String>, dateOfBirth: String?) -> [(String, ExpressionSpan)] {
        switch node.kind {
        case .literal: return []
        case .path(let segments):
            guard let head = segments.first, !bound.contains(head.name) else { return [] }
            let path = segments.map(\.name).joined(separator: ".")
            return ExpressionEnvironment.builtins[path] == nil ? [(path, node.span)] : []
        case .list(let items): return items.flatMap { paths(in: $0, bound: bound, dateOfBirth: dateOfBirth) }
        case .unary(_, let operand): return paths(in: operand, bound: bound, dateOfBirth: dateOfBirth)
        case .binary(_, let left, let right):
            return paths(in: left, bound: bound, dateOfBirth: dateOfBirth) + paths(in: right, bound: bound, dateOfBirth: dateOfBirth)
        case .call(let name, let arguments):
            var found: [(String, ExpressionSpan)] = []
            if name.name == ExpressionFunction.ageOn.rawValue, let dateOfBirth { found.append((dateOfBirth, name.span)) }
            if [ExpressionFunction.any.rawValue, ExpressionFunction.all.rawValue].contains(name.name), arguments.count == 3,
                case .path(let variable) = arguments[1].kind, variable.count == 1
            {
                return found + paths(in: arguments[0], bound: bound, dateOfBirth: dateOfBirth)
                    + paths(in: arguments[2], bound: bound.union([variable[0].name]), dateOfBirth: dateOfBirth)
            }
            return found + arguments.flatMap { paths(in: $0, bound: bound, dateOfBirth: dateOfBirth) }
        }
    }
}

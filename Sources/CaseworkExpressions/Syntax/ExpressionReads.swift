import CaseworkDiagnostics

/// The names an expression reads, found from its syntax alone: what a validator needs to say which fields an
/// expression depends on, and what a policy needs to know which of its rules are about a grant.
extension ExpressionNode {
    /// The dotted names this expression reads, with their spans: every path except `today`, `now` and the variables
    /// of `any` and `all`, and `dateOfBirth` for each `age_on` (which reads it without naming it).
    public func readPaths(dateOfBirth: String?) -> [(path: String, span: ExpressionSpan)] {
        Self.paths(in: self, bound: [], dateOfBirth: dateOfBirth)
    }

    /// Whether the expression's value is made from the values of `names` alone: literals, lists and operators over
    /// those names, with no function call (`has`, `age_on`, `any`, …) and no `today` or `now`. Such an expression gives
    /// the same value, or fails the same way, in any two contexts that hold the same values for `names`: what a policy
    /// needs to decide a rule once, when it is compiled, for everyone whose values of `names` are fixed.
    public func readsOnly(_ names: Set<String>) -> Bool {
        switch kind {
        case .literal: true
        case .path(let segments): names.contains(segments.map(\.name).joined(separator: "."))
        case .list(let items): items.allSatisfy { $0.readsOnly(names) }
        case .unary(_, let operand): operand.readsOnly(names)
        case .binary(_, let left, let right): left.readsOnly(names) && right.readsOnly(names)
        case .call: false
        }
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

import CaseworkYAML

/// Finds fields a workflow reads but that nothing can ever set (CW0233): with declared input only, a field
/// that is in no `input:` (the workflow's opening input or a transition's) and no `set:` stays unset for
/// ever, so a guard that reads it never holds and a letter that shows it shows nothing.
///
/// Reads are a guard (`when:`, including the date of birth `age_on` reads), a `set:` value, a template
/// placeholder, a deadline's `from:` field and a transition's `grant:` fields. A workflow without an
/// opening `input:` may be opened with any declared field, so every field counts as settable and there
/// is nothing to report; the expressions are parsed again only when some field is never settable.
struct FieldReadChecks {
    let workflow: WorkflowDefinition
    /// The workflow file's text, to point at a name inside an expression; nil points at the expression's start.
    let source: String?

    /// One place that reads a field.
    private struct Read {
        var field: String
        var range: SourceRange
        var reader: String
    }

    func run(into bag: inout DiagnosticBag) {
        guard let opening = workflow.openingInput else { return }
        var settable = Set(opening.map(\.field.value))
        for transition in workflow.transitions {
            settable.formUnion(transition.input.map(\.field.value))
            settable.formUnion(transition.set.map(\.field.value))
        }
        let neverSet = Set(workflow.fields.allPaths.filter { path in
            !settable.contains { Self.covers($0, path) } && !workflow.untypedFields.contains { Self.covers($0, path) }
        })
        guard !neverSet.isEmpty else { return }
        var first: [String: Read] = [:]
        for read in reads(of: neverSet) where first[read.field].map({ read.range < $0.range }) ?? true {
            first[read.field] = read
        }
        for read in first.values {
            bag.report(.fieldNeverSet(field: read.field, reader: read.reader), at: read.range)
        }
    }

    /// Whether giving `set` gives `read` a value: the same path, a part of the group `read`, or the record or list holding it.
    private static func covers(_ set: String, _ read: String) -> Bool {
        set == read || set.hasPrefix(read + ".") || read.hasPrefix(set + ".")
    }

    /// Every read of a field in `fields`, in no particular order.
    private func reads(of fields: Set<String>) -> [Read] {
        var reads: [Read] = []
        let dateOfBirth = WorkflowEnvironment.make(for: workflow).dateOfBirth
        func expression(_ expression: ExpressionSource, reader: String) {
            guard case .success(let syntax) = ExpressionParser.parse(expression.text) else { return }
            for (path, span) in Self.paths(in: syntax.root, bound: [], dateOfBirth: dateOfBirth) where fields.contains(path) {
                reads.append(Read(field: path, range: GuardChecks.range(of: span, in: expression, source: source), reader: reader))
            }
        }
        for transition in workflow.transitions {
            let name = transition.name.value
            if let when = transition.when { expression(when, reader: "the guard of transition '\(name)'") }
            for assignment in transition.set {
                expression(assignment.expression, reader: "the value for '\(assignment.field.value)' of transition '\(name)'")
            }
            if let grant = transition.grant {
                for field in [grant.caseField, grant.toField, grant.levelField] where fields.contains(field.value) {
                    reads.append(Read(field: field.value, range: field.range, reader: "the grant of transition '\(name)'"))
                }
            }
        }
        for template in workflow.templates {
            for placeholder in template.subject.placeholders + template.body.placeholders where fields.contains(placeholder.value) {
                reads.append(Read(field: placeholder.value, range: placeholder.range, reader: "template '\(template.name.value)'"))
            }
        }
        for deadline in workflow.deadlines {
            if case .field(let field) = deadline.start, fields.contains(field.value) {
                reads.append(Read(field: field.value, range: field.range, reader: "deadline '\(deadline.name.value)'"))
            }
        }
        return reads
    }

    /// The dotted names an expression reads, with their spans: every path except `today`, `now` and the
    /// variables of `any` and `all`, and the date of birth for each `age_on`.
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

import CaseworkDiagnostics
import CaseworkExpressions
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
    /// The date-of-birth field `age_on` reads in this workflow, if any.
    let dateOfBirth: String?

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
        func expression(_ expression: ExpressionSource, reader: String) {
            guard let syntax = try? ExpressionParser.parse(expression.text) else { return }
            for (path, span) in syntax.root.readPaths(dateOfBirth: dateOfBirth) where fields.contains(path) {
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
}

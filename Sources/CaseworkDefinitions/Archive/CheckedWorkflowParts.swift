import CaseworkExpressions

// A workflow's checked expressions, kept beside its whole definition in its region of a definition cache's entry
// (``DefinitionArchive/appendWorkflow(_:files:to:)``), so the workflow's first use on a hit checks nothing. Each is a
// syntax tree with its nodes' types, written and read by the policies' writer and reader (`CheckedPolicyParts.swift`).
// The names are not written: they are closures, and are made again on first use from the whole definition and the
// set's outlines by the one function that made them (``WorkflowNames/make(for:linked:child:)``).

extension ArchiveWriter {
    /// Writes a workflow's checked expressions: the distinct types of its expressions (each written once), then its
    /// guards, `set:` values, notification conditions, deadline conditions and due dates, openings and reports, each
    /// keyed as ``CheckedWorkflowExpressions`` keys them and in sorted order, so the same workflow writes the same bytes.
    mutating func checkedWorkflow(_ checked: CheckedWorkflowExpressions) throws(Unwritable) {
        var table = TypeTable()
        for expression in Self.expressions(of: checked) { expression.types.forEach { table.add($0) } }
        try list(table.types) { (writer, type) throws(Unwritable) in try writer.expressionType(type) }
        try checkedByName(checked.guards, table: table)
        try list(checked.assignments.keys.sorted()) { (writer, name) throws(Unwritable) in
            writer.string(name)
            try writer.checkedByName(checked.assignments[name]!, table: table)
        }
        try list(checked.notifyConditions.keys.sorted()) { (writer, name) throws(Unwritable) in
            writer.string(name)
            let conditions = checked.notifyConditions[name]!
            try writer.list(conditions.keys.sorted()) { (writer, position) throws(Unwritable) in
                writer.integer(position)
                try writer.checkedExpression(conditions[position]!, table: table)
            }
        }
        try checkedByName(checked.deadlineConditions, table: table)
        try checkedByName(checked.deadlineDueDates, table: table)
        try list(checked.openings.keys.sorted()) { (writer, name) throws(Unwritable) in
            writer.string(name)
            let links = checked.openings[name]!
            try writer.list(links.keys.sorted()) { (writer, link) throws(Unwritable) in
                writer.string(link)
                try writer.checkedByName(links[link]!, table: table)
            }
        }
        try list(checked.reports.keys.sorted()) { (writer, name) throws(Unwritable) in
            writer.string(name)
            try writer.checkedByName(checked.reports[name]!, table: table)
        }
    }

    /// Writes checked expressions by name, in the names' order.
    mutating func checkedByName(_ expressions: [String: CheckedExpression], table: TypeTable) throws(Unwritable) {
        try list(expressions.keys.sorted()) { (writer, name) throws(Unwritable) in
            writer.string(name)
            try writer.checkedExpression(expressions[name]!, table: table)
        }
    }

    /// Every checked expression of `checked`, in the order they are written (so the table's order, and the bytes, are
    /// the same for the same workflow).
    private static func expressions(of checked: CheckedWorkflowExpressions) -> [CheckedExpression] {
        func sorted<Value>(_ values: [String: Value]) -> [Value] { values.keys.sorted().map { values[$0]! } }
        return sorted(checked.guards) + sorted(checked.assignments).flatMap(sorted)
            + sorted(checked.notifyConditions).flatMap { conditions in conditions.keys.sorted().map { conditions[$0]! } }
            + sorted(checked.deadlineConditions) + sorted(checked.deadlineDueDates)
            + sorted(checked.openings).flatMap { sorted($0).flatMap(sorted) } + sorted(checked.reports).flatMap(sorted)
    }
}

extension ArchiveReader {
    /// Reads a workflow's checked expressions written by ``ArchiveWriter/checkedWorkflow(_:)`` into `checked` (whose
    /// names are made already): every type an index in the table, every key at most once.
    mutating func checkedWorkflow(into checked: inout CheckedWorkflowExpressions) throws(Damage) {
        let table = try list { (reader) throws(Damage) in try reader.expressionType() }
        checked.guards = try checkedByName(table: table)
        checked.assignments = try keyed { (reader) throws(Damage) in try reader.checkedByName(table: table) }
        checked.notifyConditions = try keyed { (reader) throws(Damage) in
            try reader.entries { (reader) throws(Damage) in (try reader.integer(), try reader.checkedExpression(table: table)) }
        }
        checked.deadlineConditions = try checkedByName(table: table)
        checked.deadlineDueDates = try checkedByName(table: table)
        checked.openings = try keyed { (reader) throws(Damage) in
            try reader.keyed { (reader) throws(Damage) in try reader.checkedByName(table: table) }
        }
        checked.reports = try keyed { (reader) throws(Damage) in try reader.checkedByName(table: table) }
    }

    /// Reads checked expressions by name written by ``ArchiveWriter/checkedByName(_:table:)``.
    mutating func checkedByName(table: [ExpressionType]) throws(Damage) -> [String: CheckedExpression] {
        try keyed { (reader) throws(Damage) in try reader.checkedExpression(table: table) }
    }

    /// Reads a count, then that many names each followed by a value: each name at most once.
    mutating func keyed<Value>(_ read: (inout ArchiveReader) throws(Damage) -> Value) throws(Damage) -> [String: Value] {
        try entries { (reader) throws(Damage) in (try reader.string(), try read(&reader)) }
    }
}

/// A group committer's batch written as one statement per kind of row instead of one statement per row: every group's
/// compare-and-set in one statement, every audit event in one `INSERT`, every message in one, and so on, each taking
/// its rows as arrays (one element a row) that the server unnests in the batch's order.
///
/// The server's cost of a statement (binding, executing, a PL/pgSQL call's setup, its answer) is then paid once per
/// kind of row rather than once per row, and the client sends and reads a handful of statements instead of four or
/// five a group. A merged statement's failure cannot say which group's row failed, so it is never worded: the store
/// sends the batch again group by group (``PostgresCaseStore/commit(prepared:)``), whose failing statement names its
/// group exactly as before. The merged form lands exactly what the group-by-group form would (the same rows, the
/// outbox's positions in the same order), because it is used only when that holds:
/// - every group changes cases no other group of the batch changes, so no group needs to see another's row (a second
///   change to one case must meet the first's revision, group by group);
/// - every statement is one of ``forms``' kinds (a child's case, a document or a blob sends the batch group by group);
/// - the checks a group's rows meet (the compare-and-set, a key or message id taken, an event at a taken sequence)
///   are the same functions and keys, so the merged statements fail whenever a group would be refused, and the batch
///   is then sent group by group.
enum PostgresMergedBatch {
    /// The multi-row form of a single-row statement that can be merged.
    struct Form: Sendable {
        /// The statement taking one array per parameter of the single-row statement, its rows unnested in order.
        let sql: String
        /// How many parameters the single-row statement takes.
        let columns: Int
    }

    /// The single-row statements a merged batch may hold, in the order the merged statements run (the order each
    /// group's own statements run in: the case, its events, messages, key, then its alarms), with their merged forms.
    static let forms: [(single: String, merged: Form)] = [
        (PostgresSQL.updateCase, Form(sql: PostgresSQL.updateCases, columns: 8)),
        (PostgresSQL.insertCase, Form(sql: PostgresSQL.insertCases, columns: 7)),
        (PostgresSQL.insertEvent, Form(sql: PostgresSQL.insertEvents, columns: 4)),
        (PostgresSQL.insertMessage, Form(sql: PostgresSQL.insertMessages, columns: 8)),
        (PostgresSQL.insertIdempotency, Form(sql: PostgresSQL.insertIdempotencies, columns: 3)),
        (PostgresSQL.deleteAlarms, Form(sql: PostgresSQL.deleteCasesAlarms, columns: 1)),
        (PostgresSQL.insertAlarm, Form(sql: PostgresSQL.insertAlarms, columns: 4)),
    ]

    /// The merged statements writing `groups` (each group's statements, and the cases it changes), or nil when the
    /// batch must go group by group: fewer than two groups, a case in two groups, or a statement with no merged form.
    static func statements(_ groups: [(statements: [(PostgresStatement, StatementMeaning)], caseIDs: [String])]) -> [PostgresStatement]? {
        guard groups.count > 1 else { return nil }
        var cases = Set<String>()
        for group in groups {
            for id in group.caseIDs { guard cases.insert(id).inserted else { return nil } }
        }
        var rows = Array(repeating: [[String?]](), count: forms.count)
        for group in groups {
            for (statement, _) in group.statements {
                guard let kind = forms.firstIndex(where: { $0.single == statement.sql }),
                    statement.parameters.count == forms[kind].merged.columns
                else { return nil }
                rows[kind].append(statement.parameters)
            }
        }
        return forms.indices.compactMap { kind in
            rows[kind].isEmpty ? nil : PostgresStatement(forms[kind].merged.sql, (0..<forms[kind].merged.columns).map { column in
                PostgresArrayLiteral.text(rows[kind].lazy.map { $0[column] })
            })
        }
    }
}

/// PostgreSQL's text input form of a one-dimensional array (`{"a","b",NULL}`), for sending many rows' values as one
/// parameter.
package enum PostgresArrayLiteral {
    /// `values` as an array literal: each element quoted, with `"` and `\` escaped by a backslash, and nil as `NULL`,
    /// so any text (quotes, commas, braces, spaces, the word NULL) reads back as itself. Written byte by byte into a
    /// buffer of the largest size it can need (every byte escaped), as the drain's thread writes every row's text
    /// through here.
    package static func text<Values: Collection<String?>>(_ values: Values) -> String {
        let capacity = values.reduce(2) { $0 + ($1.map { $0.utf8.count * 2 + 2 } ?? 4) + 1 }
        return String(unsafeUninitializedCapacity: capacity) { buffer in
            var end = 0
            func put(_ byte: UInt8) {
                buffer[end] = byte
                end += 1
            }
            put(UInt8(ascii: "{"))
            for (index, value) in values.enumerated() {
                if index > 0 { put(UInt8(ascii: ",")) }
                guard var value else {
                    for byte in "NULL".utf8 { put(byte) }
                    continue
                }
                put(UInt8(ascii: "\""))
                value.withUTF8 { text in
                    for byte in text {
                        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { put(UInt8(ascii: "\\")) }
                        put(byte)
                    }
                }
                put(UInt8(ascii: "\""))
            }
            put(UInt8(ascii: "}"))
            return end
        }
    }
}

import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkSQLite
import CaseworkStore
import CaseworkTime

/// `casework store check [--db FILE]`: whether a store's file is sound and every record in it can be read back.
///
/// Opens the file read-only (it never writes, so it runs on a read-only file and beside a writer), runs SQLite's
/// `PRAGMA integrity_check`, and decodes every case, audit event, outbox message and idempotency record as the
/// engine would. Needs no definitions. Exit 0 when nothing is wrong, 1 listing each problem, 2 for a usage error
/// or a missing file, 6 when the file cannot be opened at all.
enum StoreCommand {
    /// Runs `store check` with the arguments after it.
    static func run(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["store", "check"].spec)
        guard parsed.positionals.isEmpty else { throw UsageError("store check takes no names", help: "name the file with --db FILE") }
        let path = try parsed.single("--db") ?? "casework.sqlite"
        return EngineRun.run(console: console) { () throws(EngineError) in
            let report: SQLiteStoreReport
            do throws(StoreError) {
                report = try SQLiteCaseStore(path: path, options: .init(access: .readOnly)).check()
            } catch {
                throw .store(error)
            }
            let counted = "\(report.cases) cases, \(report.events) audit events, \(report.messages) notifications, \(report.keys) idempotency keys"
            for problem in report.problems { console.out("problem: \(TerminalText.escape(problem))\n") }
            if report.problems.isEmpty {
                console.out("store '\(TerminalText.escape(path))': \(counted) read back; no problems\n")
                return .success
            }
            console.out("store '\(TerminalText.escape(path))': \(report.problems.count) problem\(report.problems.count == 1 ? "" : "s") (\(counted) read back)\n")
            return .failure
        }
    }
}

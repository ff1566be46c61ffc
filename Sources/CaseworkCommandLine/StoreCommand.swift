import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkSQLite
import CaseworkStore
import CaseworkTime
import Foundation

/// `casework store check [--db FILE]`: whether a store's file is sound and every record in it can be read back;
/// `casework store copy --from URL --to URL`: everything in one store moved into another, empty one (``copy(_:console:)``).
///
/// Opens the file read-only (it never writes, so it runs on a read-only file and beside a writer), runs SQLite's
/// `PRAGMA integrity_check`, and decodes every case, audit event, outbox message and idempotency record as the
/// engine would. Needs no definitions. Exit 0 when nothing is wrong, 1 listing each problem, 2 for a usage error
/// or a missing file, 6 when the file cannot be opened at all.
enum StoreCommand {
    /// Runs `store check` or `store copy` with the arguments after it.
    static func run(_ subcommand: String, _ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        if subcommand == "copy" { return try copy(arguments, console: console) }
        let parsed = try ParsedArguments(arguments, spec: CommandTable["store", "check"].spec)
        guard parsed.positionals.isEmpty else { throw UsageError("store check takes no names", help: "name the file with --db FILE") }
        guard case .sqlite(let path) = StoreLocation(try parsed.single("--db") ?? "casework.sqlite") else {
            throw UsageError("store check reads an SQLite file, and --db names a PostgreSQL database",
                             help: "check a PostgreSQL store with 'casework audit verify' and the server's own tools (amcheck, pg_dump)")
        }
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

    /// Runs `store copy`: opens the source to read only and the target to write (making a missing SQLite file or an
    /// empty PostgreSQL schema), copies with ``StoreCopy/copy(from:to:)`` and prints what moved. Neither store's name is
    /// printed in an error: a PostgreSQL URL may hold a password.
    ///
    /// Exit 0 copied and every chain verified on the target; 1 refused (the target is not empty, the source holds a
    /// case without its record, the copy does not match its source, or a chain does not hold); 2 usage error, the
    /// same store twice, or no store to copy from; 6 a store failed.
    static func copy(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["store", "copy"].spec)
        guard parsed.positionals.isEmpty else { throw UsageError("store copy takes no names", help: "name the stores with --from and --to") }
        guard let from = try parsed.single("--from") else { throw UsageError("store copy needs --from, the store to copy", help: "add --from FILE or --from postgresql://…") }
        guard let to = try parsed.single("--to") else { throw UsageError("store copy needs --to, the empty store to copy into", help: "add --to FILE or --to postgresql://…") }
        guard !sameStore(from, to) else { throw UsageError("--from and --to name the same store", help: "copy into a new, empty store") }
        let summary: StoreCopy.Summary
        do throws(StoreCopyError) {
            let source: any CaseStore
            do throws(StoreError) {
                source = try EngineOptions.open(from, .readOnly)
            } catch {
                if case .missing(let path) = error {
                    console.err("error: no Casework store at '\(TerminalText.escape(path))' to copy from; nothing was written\n  help: check --from\n")
                    return .usage
                }
                throw StoreCopyError(reason: .sourceFailed(error), copiedCases: 0, targetIncomplete: false)
            }
            let target: any CaseStore
            do throws(StoreError) {
                target = try EngineOptions.open(to, .create)
            } catch {
                throw StoreCopyError(reason: .targetFailed(error), copiedCases: 0, targetIncomplete: false)
            }
            summary = try StoreCopy.copy(from: source, to: target)
        } catch {
            console.err("error\(error.storeFailure.map { "[\(EngineError.store($0).code.rawValue)]" } ?? ""): \(TerminalText.escape(error.description))\n")
            return error.storeFailure.map { ExitStatus.refused(EngineError.store($0).code) } ?? .failure
        }
        for (id, verification) in summary.unverified.sorted(by: { $0.key < $1.key }) {
            let child = id.hasPrefix("child ") ? String(id.dropFirst("child ".count)) : nil
            if let line = AuditCommand.line(child ?? id, verification, alone: false, kind: child == nil ? "case" : "child") { console.out(line) }
        }
        let moved = [
            counted(summary.cases, "case"), counted(summary.events, "audit event"), counted(summary.messages, "notification"),
            counted(summary.keys, "idempotency key"), counted(summary.alarms, "deadline alarm"), counted(summary.definitions, "definition version"),
            counted(summary.snapshots, "definition snapshot"),
        ].joined(separator: ", ") + (summary.children > 0 ? ", \(counted(summary.children, "child record"))" : "")
        guard summary.unverified.isEmpty else {
            console.out("copied \(moved); \(counted(summary.unverified.count, "chain")) not holding on the target, as on the source\n")
            return .failure
        }
        console.out("copied \(moved); every audit chain verified on the target\n")
        return .success
    }

    /// `count` and `noun`, plural unless the count is one.
    private static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    /// Whether `--from` and `--to` name one store: the same PostgreSQL URL, or SQLite paths to one file.
    private static func sameStore(_ from: String, _ to: String) -> Bool {
        switch (StoreLocation(from), StoreLocation(to)) {
        case (.sqlite(let source), .sqlite(let target)):
            let file = { (path: String) in URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
            return file(source) == file(target)
        case (let source, let target):
            return source == target
        }
    }
}

extension StoreCopyError {
    /// The store's own failure, when a store failed (rather than the copy refusing): its refusal code sets the exit
    /// status. A source case stored without its record is the copy's refusal, not a failure.
    fileprivate var storeFailure: StoreError? {
        switch reason {
        case .sourceFailed(.corruptRecord), .targetNotEmpty, .differs: nil
        case .sourceFailed(let error), .targetFailed(let error): error
        }
    }
}

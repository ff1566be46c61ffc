import CSQLite
import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation
import Synchronization

/// A ``CaseStore`` in one SQLite file: durable, and safe for several processes using the file at once.
///
/// A store is opened for one of three kinds of use (``Options/Access``):
/// - **Reading** opens the file with `SQLITE_OPEN_READONLY` and `query_only`,
///   never creates, migrates or writes it, and takes no write lock, so reads
///   run beside a writer (WAL readers never wait for it) and on a file that
///   may not be written. Every change is refused as ``StoreError/readOnly(path:)``.
///   SQLite's WAL reader needs the `-shm` index: it uses the file there, or
///   creates it (and an empty `-wal`) when the directory may be written. When
///   neither is possible (a read-only file in a read-only directory) and no
///   `-wal` file is there, every commit is in the main file, and the store
///   opens it again with `immutable=1` (no locks, no `-shm`); a `-wal` file
///   that holds changes and cannot be indexed is reported as it is.
/// - **Writing** (``Options/Access/readWrite``) opens an existing store; a
///   missing file is ``StoreError/missing(path:)`` and nothing is created. A
///   file that may not be written (no write permission bit, even for root, so
///   `chmod a-w` freezes a store) is ``StoreError/readOnly(path:)``.
/// - **Creating** (``Options/Access/create``) writes as above, creating the
///   file when it is missing.
///
/// A writer reads the file's identity (version, application id, tables) in
/// one snapshot and refuses a file from a newer Casework or another
/// application before changing anything; runs `PRAGMA quick_check` unless
/// ``Options/quickCheckOnOpen`` is off, refusing a damaged file as
/// ``StoreError/damaged(path:problems:)``; sets WAL journalling (readers never
/// wait for the writer), `synchronous=FULL` unless ``Options`` says otherwise,
/// foreign keys and a busy timeout; and, only when the schema is behind,
/// migrates it (`SQLiteSchema`) under the write lock. A file with no tables and
/// no version is a store being created: several processes creating one file at
/// once all succeed, one of them migrating it.
///
/// Every change runs in one `BEGIN IMMEDIATE` transaction, which takes the
/// file's write lock at the start, so read-check-write sequences (the revision
/// check of `commit`, the selection of `claimOutbox`) are serialised across
/// connections and processes, waiting up to the busy timeout; a wait that runs
/// out is ``StoreError/busy(_:)``. A refused change rolls back entirely.
///
/// A case whose stored record does not decode, is filed under another id, or
/// has a counter at its limit (``Casework/CaseRecord/counterAtLimit``) is
/// ``StoreError/corruptRecord(caseID:detail:)`` when loaded, as is an audit
/// event of it that does not decode: that case's error, not every case's.
///
/// The store answers every protocol method exactly as ``InMemoryCaseStore``
/// does: the same refusals with the same messages, checked in the same order,
/// and messages claimed and listed in commit order.
///
/// Known gaps:
/// - No `SKIP LOCKED`: SQLite has one writer at a time, so claimers (and
///   committers) queue on the write lock instead of claiming disjoint rows in
///   parallel. Throughput is one writing transaction at a time per file.
/// - Times in columns are whole milliseconds (``timePrecision``); the lease
///   test in `claimOutbox` compares milliseconds, so two instants less than a
///   millisecond apart compare equal. The engine's instants are whole
///   milliseconds. Records read back as `StoredJSON` decodes them.
/// - Two connections per writing store, one for writes and one for reads (so a
///   read never waits for a commit's `fsync`), or one with
///   ``Options/separateReader`` off; calls from many threads queue on the lock
///   of the connection they use. Open a second store on the same file for more.
/// - The methods are synchronous and may block the calling thread for up to
///   the busy timeout while another process writes.
/// - A file on a network file system is unsafe: WAL needs shared memory on
///   one host.
/// - SQLite's busy handler polls rather than queues, so it is not fair: under
///   sustained contention one writer can wait out its whole busy timeout.
/// - Ids are compared byte for byte (SQLite's `BINARY`), where Swift compares
///   strings by canonical equivalence: two ids that differ only in Unicode
///   normalisation are two cases here and one in memory.
/// - `history` is ordered by sequence, as the protocol says; the in-memory
///   store keeps insertion order, which differs only if one change appends
///   events out of sequence order.
/// - `quick_check` reads the whole file: 30–60 ms for a 64 MB file of
///   100,000 audit events in the page cache, 0.8 s from a cold disk, growing
///   with the file. A long-running service pays it once; turn it off with
///   ``Options/quickCheckOnOpen`` and run ``check()`` on a schedule instead.
/// - A reader opened with `immutable=1` (the read-only directory case) does
///   not see a writer that somehow changes the file while it reads.
public final class SQLiteCaseStore: CaseStore {
    /// How the store uses its file.
    public struct Options: Sendable, Hashable {
        /// How hard SQLite works to make a commit survive a power cut.
        public enum Synchronous: String, Sendable, Hashable {
            /// A commit is on disk when `commit` returns. The default: statutory records must not vanish.
            case full = "FULL"
            /// In WAL mode a commit survives a crash of the process but may be lost in a power cut; faster.
            case normal = "NORMAL"
        }

        /// What the store may do with its file.
        public enum Access: Sendable, Hashable {
            /// Only read: never create, migrate or write the file, never take its write lock.
            case readOnly
            /// Read and write an existing store; a missing file is ``StoreError/missing(path:)``.
            case readWrite
            /// Read and write, creating the file and its schema when the file is missing.
            case create
        }

        /// The durability setting (`PRAGMA synchronous`).
        public var synchronous: Synchronous
        /// How long, in seconds, to wait for another connection's write lock before ``StoreError/busy(_:)``.
        public var busyTimeout: TimeInterval
        /// What the store may do with its file.
        public var access: Access
        /// Whether opening for writing first runs `PRAGMA quick_check` and refuses a damaged file.
        public var quickCheckOnOpen: Bool
        /// Whether a writing store reads through a second connection of its own (the default), so a read never
        /// queues behind a commit's `fsync` on the writing one. A process that does one thing at a time (one command
        /// of the command line) turns it off and reads through the writing connection: the same answers, without
        /// opening the file a second time and SQLite parsing its schema again for it. A store opened to read has
        /// one connection either way.
        public var separateReader: Bool

        /// Creates options; the defaults are `synchronous=FULL`, a 5 second busy timeout, creating the file when
        /// it is missing (as every store did before access was a choice), a quick check when writing, and a
        /// connection of its own for reads.
        public init(
            synchronous: Synchronous = .full, busyTimeout: TimeInterval = 5, access: Access = .create, quickCheckOnOpen: Bool = true,
            separateReader: Bool = true
        ) {
            self.synchronous = synchronous
            self.busyTimeout = busyTimeout
            self.access = access
            self.quickCheckOnOpen = quickCheckOnOpen
            self.separateReader = separateReader
        }
    }

    /// The finest time difference the store keeps in its columns: one millisecond.
    public static let timePrecision: TimeInterval = 0.001

    /// The database file's path.
    public let path: String
    /// The options the store was opened with.
    public let options: Options

    /// The store's connection: every write, and every read of a store opened to read.
    let database: SQLiteDatabase
    /// The connection a writing store reads through (``read(_:)``, ``snapshot(caseID:)``): a second connection to the
    /// file, so a read never queues behind a commit's `fsync` on ``database`` (WAL readers do not wait for the writer);
    /// ``database`` itself for a store opened to read, or without ``Options/separateReader``. No read runs inside a
    /// write's closure (each reads through the connection the closure is given), so the two may be one.
    let reader: SQLiteDatabase
    /// Whether reads go through the writing connection (a store opened to read, or without ``Options/separateReader``).
    package var readsThroughWriter: Bool { reader === database }
    /// The records this store last wrote or read, with their rows' text: a load of a row that still holds it decodes nothing.
    let knownRecords = KnownRecords()

    /// Opens the store at `path` for the use `options.access` names (see the type's notes).
    public init(path: String, options: Options = Options()) throws(StoreError) {
        self.path = path
        self.options = options
        switch options.access {
        case .readOnly:
            database = try Self.openForReading(path, options)
            reader = database
        case .readWrite, .create:
            database = try Self.openForWriting(path, options)
            reader = options.separateReader ? try Self.openReader(path, options) : database
        }
    }

    /// The reading connection of a writing store, opened once the file is a store in WAL mode: `query_only`, with the
    /// busy timeout.
    private static func openReader(_ path: String, _ options: Options) throws(StoreError) -> SQLiteDatabase {
        let reader = try open(path, [.readWrite])
        try reader.withConnection { (connection: SQLiteConnection) throws(StoreError) in
            connection.setBusyTimeout(options.busyTimeout)
            try connection.change("PRAGMA query_only = ON", [])
        }
        return reader
    }

    /// Kept on disk (with `synchronous: .normal`, a power cut may lose the last commits, never a process ending);
    /// several processes on one machine may share the file; commits and claims hold across them.
    public var capabilities: StoreCapabilities { [.durable, .sharedAcrossProcesses, .atomicMultiCaseCommit, .leasedOutbox] }

    /// Opens the file with `flags`; a file that is not there, when creating it was not asked for, is ``StoreError/missing(path:)``.
    private static func open(_ path: String, _ flags: SQLiteDatabase.OpenFlags) throws(StoreError) -> SQLiteDatabase {
        do throws(SQLiteError) {
            return try SQLiteDatabase(path: path, flags: flags)
        } catch {
            if error.code == SQLITE_CANTOPEN, !flags.contains(.create), !FileManager.default.fileExists(atPath: path) { throw .missing(path: path) }
            throw .failed(error.message)
        }
    }

    /// Opens an existing store, or creates one with ``Options/Access/create``, ready to write.
    private static func openForWriting(_ path: String, _ options: Options) throws(StoreError) -> SQLiteDatabase {
        let database = try open(path, options.access == .create ? [.readWrite, .create] : [.readWrite])
        try database.withConnection { (connection: SQLiteConnection) throws(StoreError) in
            connection.setBusyTimeout(options.busyTimeout)
            if connection.isReadOnly || hasNoWritePermission(path) { throw .readOnly(path: path) }
            // Refuse a file this build cannot use before changing anything in it.
            let identity = try readIdentity(connection, path: path)
            if let refusal = SQLiteSchema.refusal(identity, path: path) { throw refusal }
            if options.quickCheckOnOpen, !identity.isEmpty {
                let problems = try integrityProblems(connection, thorough: false)
                if !problems.isEmpty { throw .damaged(path: path, problems: problems) }
            }
            try connection.change("PRAGMA synchronous = \(options.synchronous.rawValue)", [])
            try connection.change("PRAGMA foreign_keys = ON", [])
            let journal = try connection.query("PRAGMA journal_mode", []) { $0.string(at: 0) }.first ?? nil
            guard identity.version < SQLiteSchema.latestVersion || journal?.lowercased() != "wal" else { return }
            try useWAL(connection, path: path, timeout: options.busyTimeout)
            try SQLiteSchema.migrate(connection, path: path)
        }
        return database
    }

    /// Switches the file to WAL journalling (it stays so: the mode is kept in the file).
    ///
    /// Processes creating one file at once meet here, and SQLite then reports `SQLITE_BUSY` at once, without
    /// waiting on the busy handler; the switch is tried again every 10 ms (it is a no-op once another process
    /// has made it) until the busy timeout runs out.
    private static func useWAL(_ connection: SQLiteConnection, path: String, timeout: TimeInterval) throws(StoreError) {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let mode: String?
            do throws(SQLiteError) {
                mode = try connection.rows("PRAGMA journal_mode = WAL") { $0.string(at: 0) }.first ?? nil
            } catch {
                guard error.isBusy, Date() < deadline else { throw StoreError(error) }
                Thread.sleep(forTimeInterval: 0.01)
                continue
            }
            guard mode?.lowercased() == "wal" else {
                throw .failed("'\(path)' cannot use WAL journalling (SQLite reports journal mode '\(mode ?? "none")'); a store needs a file on a local disk")
            }
            return
        }
    }

    /// Opens an existing store to read only (see the type's notes for the read-only directory case).
    private static func openForReading(_ path: String, _ options: Options) throws(StoreError) -> SQLiteDatabase {
        let database = try open(path, [.readOnly])
        switch prepareReader(database, path: path, options: options) {
        case .success: return database
        case .failure(.refused(let refusal)): throw refusal
        case .failure(.sqlite(let error)):
            let cannotIndex = [SQLiteError.ExtendedCode.readOnlyDirectory, SQLiteError.ExtendedCode.readOnlyCantInit].contains(error.extendedCode)
            guard cannotIndex, !hasChangesInWAL(path) else { throw storeError(error, path: path) }
        }
        let immutable = try open(immutableURI(path), [.readOnly, .uri])
        switch prepareReader(immutable, path: path, options: options) {
        case .success: return immutable
        case .failure(.refused(let refusal)): throw refusal
        case .failure(.sqlite(let error)): throw storeError(error, path: path)
        }
    }

    /// Why a reading connection could not be set up.
    private enum ReaderFailure: Error {
        /// SQLite failed (the extended code tells a read-only directory apart).
        case sqlite(SQLiteError)
        /// The file is not a store this build can read.
        case refused(StoreError)
    }

    /// Sets a reading connection up (`query_only`, the busy timeout) and checks the file is a store it can read.
    private static func prepareReader(_ database: SQLiteDatabase, path: String, options: Options) -> Result<Void, ReaderFailure> {
        database.withConnection { (connection: SQLiteConnection) -> Result<Void, ReaderFailure> in
            connection.setBusyTimeout(options.busyTimeout)
            let identity: SQLiteSchema.FileIdentity
            do throws(SQLiteError) {
                try connection.execute("PRAGMA query_only = ON")
                identity = try SQLiteSchema.identity(of: connection)
            } catch {
                return .failure(.sqlite(error))
            }
            if let refusal = SQLiteSchema.refusal(identity, path: path, reading: true) { return .failure(.refused(refusal)) }
            return .success(())
        }
    }

    /// The file's identity, with a failure to read it worded for a store.
    private static func readIdentity(_ connection: SQLiteConnection, path: String) throws(StoreError) -> SQLiteSchema.FileIdentity {
        do throws(SQLiteError) {
            return try SQLiteSchema.identity(of: connection)
        } catch {
            throw storeError(error, path: path)
        }
    }

    /// A failure to open or identify the file, as a store error.
    private static func storeError(_ error: SQLiteError, path: String) -> StoreError {
        error.isBusy ? StoreError(error) : .failed("'\(path)' cannot be read as a Casework store: \(error.message)")
    }

    /// Whether the file exists and no one may write it by its permission bits (root included: `chmod a-w` is a decision).
    private static func hasNoWritePermission(_ path: String) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0 else { return false }
        return status.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH) == 0
    }

    /// Whether a `-wal` file beside the database holds anything, which only a reader with the `-shm` index may read.
    private static func hasChangesInWAL(_ path: String) -> Bool {
        var status = stat()
        guard stat(path + "-wal", &status) == 0 else { return false }
        return status.st_size > 0
    }

    /// `file:` URI of `path` opened read-only and immutable (no locks, no `-shm`), with `%`, `?` and `#` escaped.
    private static func immutableURI(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let escaped = absolute.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? absolute
        return "file:\(escaped)?mode=ro&immutable=1"
    }

    /// The pages the connection keeps cached while `quick_check` reads the file (``integrityProblems(_:thorough:)``).
    /// The check reads every page once: a cache as large as the file (SQLite's default holds 2 MB) would keep every
    /// page it read, each one fresh memory the kernel must clear (a page fault a page, two-thirds of a command-line
    /// fire's faults on a 1 MB store) and nothing would read them again. A few pages hold the check's path through a
    /// b-tree; the file's pages stay in the system's page cache either way.
    static let quickCheckCachePages = 16

    /// SQLite's own check of the file: `quick_check` (structure) or, when `thorough`, `integrity_check` (also
    /// indexes and constraints). Empty when the file is sound; a file too damaged to check is one problem.
    /// `quick_check` runs with a small page cache (``quickCheckCachePages``), the connection's own size put back after;
    /// `integrity_check` looks its indexes' entries up as it goes, so it keeps the connection's cache.
    static func integrityProblems(_ connection: SQLiteConnection, thorough: Bool) throws(StoreError) -> [String] {
        if thorough { return try checkFindings(connection, "PRAGMA integrity_check(100)") }
        let reported = try connection.query("PRAGMA cache_size", []) { $0.int(at: 0) }
        guard let cacheSize = reported.first ?? nil else { throw .failed("SQLite did not report the connection's page cache size") }
        do throws(SQLiteError) { try connection.execute("PRAGMA cache_size = \(quickCheckCachePages)") } catch { throw StoreError(error) }
        let findings = try checkFindings(connection, "PRAGMA quick_check(100)")
        do throws(SQLiteError) { try connection.execute("PRAGMA cache_size = \(cacheSize)") } catch { throw StoreError(error) }
        return findings
    }

    /// The problems SQLite's check `pragma` reports: empty when the file is sound; a file too damaged to check is one
    /// problem.
    private static func checkFindings(_ connection: SQLiteConnection, _ pragma: String) throws(StoreError) -> [String] {
        // SQLite may report its findings as rows and then fail the statement itself as corrupt; both are kept.
        let statement: SQLiteStatement
        do throws(SQLiteError) {
            statement = try connection.prepare(pragma)
        } catch {
            if error.isDamage { return [error.message] }
            throw StoreError(error)
        }
        var findings: [String] = []
        do throws(SQLiteError) {
            while try statement.step() {
                // A finding can span lines under a `*** in database main ***` heading; each line is one problem.
                findings += (statement.string(at: 0) ?? "").split(whereSeparator: \.isNewline).map(String.init).filter { !$0.hasPrefix("*** ") }
            }
        } catch {
            guard error.isDamage else { throw StoreError(error) }
            findings.append(error.message)
        }
        return findings == ["ok"] ? [] : findings
    }

    // MARK: Cases

    /// The case, or nil; a record that cannot be used is ``StoreError/corruptRecord(caseID:detail:)``. A row that
    /// still holds the text this store last wrote or read for the case is not decoded again (``KnownRecords``).
    public func load(caseID: String) throws(StoreError) -> CaseRecord? {
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in
            try db.query(StoreSQL.loadCase, [caseID]) { (row: SQLiteStatement) -> LoadedRow in
                if let known = row.withText(at: 0, { knownRecords.record(caseID: caseID, storedAs: $0) }) { return .known(known) }
                return .text(row.string(at: 0))
            }
        }
        return try rows.first.map { (row: LoadedRow) throws(StoreError) in
            switch row {
            case .known(let known):
                if let problem = Self.problem(with: known, filedAs: caseID) { throw .corruptRecord(caseID: caseID, detail: problem) }
                return known
            case .text(let text):
                let decoded = try record(from: text, caseID: caseID)
                if let text { knownRecords.keep(decoded, storedAs: text) }
                return decoded
            }
        }
    }

    /// A case row as ``load(caseID:)`` reads it: the record kept for its text, or the text to decode.
    private enum LoadedRow {
        case known(CaseRecord)
        case text(String?)
    }

    /// A case row's record, or that case's `corruptRecord` error.
    func record(from row: String?, caseID: String) throws(StoreError) -> CaseRecord {
        let record: CaseRecord
        do throws(StoreError) {
            record = try decode(CaseRecord.self, row, "its record")
        } catch {
            throw .corruptRecord(caseID: caseID, detail: error.failureDetail)
        }
        if let problem = Self.problem(with: record, filedAs: caseID) { throw .corruptRecord(caseID: caseID, detail: problem) }
        return record
    }

    /// A case's event rows (sequence, event), or that case's `corruptRecord` error.
    func events(from rows: [(Int?, String?)], caseID: String) throws(StoreError) -> [AuditEvent] {
        try rows.map { (sequence: Int?, text: String?) throws(StoreError) in
            do throws(StoreError) {
                return try decode(AuditEvent.self, text, "audit event \(sequence.map(String.init) ?? "?")")
            } catch {
                throw .corruptRecord(caseID: caseID, detail: error.failureDetail)
            }
        }
    }

    /// Why a decoded record cannot be handed to the engine, or nil.
    static func problem(with record: CaseRecord, filedAs caseID: String) -> String? {
        guard record.id == caseID else { return "its record is of case '\(record.id)'" }
        return record.counterAtLimit
    }

    /// Writes every change in one `BEGIN IMMEDIATE` transaction: all of them, or none.
    ///
    /// An existing case is changed only if it is still at the expected
    /// revision (compare-and-set in the `UPDATE`); a new case's id must be
    /// free. Events, messages and the key are then inserted in order, and the
    /// first one whose identity is taken refuses the whole transaction.
    public func commit(all changes: [CaseChange], children: [ChildChange]) throws(StoreError) {
        let prepared = try encoded(changes)
        let preparedChildren = try prepare(children)
        try write { (db: SQLiteConnection) throws(StoreError) in
            for item in preparedChildren { try item.write(to: db) }
            for item in prepared { try item.write(to: db) }
        }
        for item in prepared { knownRecords.keep(item.change.record, storedAs: item.recordText) }
    }

    /// A group committer's caller's changes with their rows encoded (on the caller's thread), after checking their
    /// cases are distinct and no counter is at its limit; a value JSON cannot hold is refused here.
    public func prepare(_ changes: [CaseChange]) throws(StoreError) -> PreparedCommit {
        PreparedCommit(changes, rows: try encoded(changes))
    }

    /// Writes a group committer's batch in one `BEGIN IMMEDIATE` transaction (one `fsync`), its groups one after another,
    /// each seeing the groups before it that landed. A group refused (``StoreError/refusesOneGroup``) before it changed
    /// a row (its compare-and-set or its new case's id, the first statement of each change) changed nothing, and the
    /// next group goes on; a group refused after it changed rows (a key or an event taken) rolls the transaction back,
    /// and the batch is written again without it, as PostgreSQL's is: the groups before it land as they would have,
    /// and refusals being rare, no group pays for a savepoint. Any other failure rolls the whole transaction back and
    /// is thrown. Each group's rows are the ones its caller encoded (``prepare(_:)``); a group another kind of store
    /// prepared is encoded here, and refused before the transaction opens when it cannot be.
    public func commit(prepared groups: [PreparedCommit]) throws(StoreError) -> [StoreError?] {
        let prepared = groups.map { (group: PreparedCommit) in
            Result { () throws(StoreError) -> [PreparedChange] in
                if let rows = group.rows as? [PreparedChange] { return rows }
                return try encoded(group.changes)
            }
        }
        var answers = prepared.map(\.error)
        while true {
            let sending = answers
            guard sending.contains(where: { $0 == nil }) else { return answers }
            var partlyWritten: (index: Int, refusal: StoreError)?
            do throws(StoreError) {
                answers = try write { (db: SQLiteConnection) throws(StoreError) -> [StoreError?] in
                    var written = sending
                    for (index, group) in prepared.enumerated() where sending[index] == nil {
                        guard case .success(let items) = group else { continue }
                        let changesBefore = db.totalChanges
                        do throws(StoreError) {
                            for item in items { try item.write(to: db) }
                        } catch where error.refusesOneGroup {
                            guard db.totalChanges == changesBefore else {
                                partlyWritten = (index, error)
                                throw error
                            }
                            written[index] = error
                        }
                    }
                    return written
                }
            } catch {
                guard let partlyWritten else { throw error }
                answers[partlyWritten.index] = partlyWritten.refusal
                continue
            }
            for case (.success(let items), nil) in zip(prepared, answers) {
                for item in items { knownRecords.keep(item.change.record, storedAs: item.recordText) }
            }
            return answers
        }
    }

    /// A commit's changes with their rows encoded, after checking its cases are distinct and no counter is at its limit.
    private func encoded(_ changes: [CaseChange]) throws(StoreError) -> [PreparedChange] {
        var seen = Set<String>()
        for change in changes {
            guard seen.insert(change.record.id).inserted else { throw .duplicate("a second change to case '\(change.record.id)' in one commit") }
            if let limit = change.record.counterAtLimit { throw .corruptRecord(caseID: change.record.id, detail: limit) }
        }
        return try changes.map { (change: CaseChange) throws(StoreError) in try PreparedChange(change, store: self) }
    }

    /// A page of the alarms due by `now`, read through the `due_at` index from the cursor's place in it.
    public func dueAlarms(at now: Date, page: PageRequest) throws(StoreError) -> Page<DeadlineAlarm> {
        if let problem = page.problem { throw .invalidPage(problem) }
        let after = try page.after.map { (cursor: PageCursor) throws(StoreError) in try DeadlineAlarm.pageKey(cursor) }
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in
            let read = { (row: SQLiteStatement) in (row.string(at: 0), row.string(at: 1), row.string(at: 2), row.int64(at: 3)) }
            if let after {
                return try db.query(StoreSQL.dueAlarmsAfter, [Self.milliseconds(now), after.time, after.caseID, after.deadline, after.kind, page.limit + 1], read)
            }
            return try db.query(StoreSQL.dueAlarms, [Self.milliseconds(now), page.limit + 1], read)
        }
        let due = rows.compactMap { row -> DeadlineAlarm? in
            guard let caseID = row.0, let deadline = row.1, let kind = row.2, let due = row.3 else { return nil }
            return DeadlineAlarm(caseID: caseID, deadline: deadline, kind: kind, dueAt: Date(timeIntervalSince1970: Double(due) / 1000))
        }
        return Self.page(due, limit: page.limit, cursor: \.pageCursor)
    }

    /// A page of the case's events in sequence order; an event that does not decode is ``StoreError/corruptRecord(caseID:detail:)``.
    public func history(caseID: String, page: PageRequest) throws(StoreError) -> Page<AuditEvent> {
        if let problem = page.problem { throw .invalidPage(problem) }
        let after = try page.after.map { (cursor: PageCursor) throws(StoreError) in try cursor.number() } ?? .min
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in
            try db.query(StoreSQL.historyPage, [caseID, after, page.limit + 1]) { ($0.int(at: 0), $0.string(at: 1)) }
        }
        return Self.page(try events(from: rows, caseID: caseID), limit: page.limit) { PageCursor(key: ["\($0.sequence)"]) }
    }

    /// The first `limit` of `rows` (read with one more, to learn whether a next page exists) and the cursor after them.
    private static func page<Item>(_ rows: [Item], limit: Int, cursor: (Item) -> PageCursor) -> Page<Item> {
        let items = Array(rows.prefix(limit))
        return Page(items: items, next: rows.count > limit ? items.last.map(cursor) : nil)
    }

    /// The record and events read in one deferred transaction: one snapshot of the file, whatever others commit meanwhile.
    public func snapshot(caseID: String) throws(StoreError) -> CaseSnapshot {
        let (recordRows, eventRows) = try reader.transaction(kind: .deferred) { (db: SQLiteConnection) throws(StoreError) -> ([String?], [(Int?, String?)]) in
            (try db.query(StoreSQL.loadCase, [caseID]) { $0.string(at: 0) }, try db.query(StoreSQL.history, [caseID]) { ($0.int(at: 0), $0.string(at: 1)) })
        }
        let stored = try recordRows.first.map { (row: String?) throws(StoreError) in try record(from: row, caseID: caseID) }
        return CaseSnapshot(record: stored, events: try events(from: eventRows, caseID: caseID))
    }

    /// Every case id with events, sorted as Swift sorts strings.
    public func auditedCaseIDs() throws(StoreError) -> [String] {
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in try db.query(StoreSQL.auditedCaseIDs, []) { $0.string(at: 0) } }
        return rows.compactMap { $0 }.sorted()
    }

    /// A page of the case ids in byte order (for the identifiers cases have, the order Swift sorts them in).
    public func caseIDs(page: PageRequest) throws(StoreError) -> Page<String> {
        if let problem = page.problem { throw .invalidPage(problem) }
        let after = try page.after.map { (cursor: PageCursor) throws(StoreError) in try cursor.key(parts: 1)[0] }
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in
            if let after { return try db.query(StoreSQL.caseIDsAfter, [after, page.limit + 1]) { $0.string(at: 0) } }
            return try db.query(StoreSQL.firstCaseIDs, [page.limit + 1]) { $0.string(at: 0) }
        }
        return Self.page(rows.compactMap { $0 }, limit: page.limit) { PageCursor(key: [$0]) }
    }

    /// The result recorded for a key.
    public func idempotencyRecord(key: String) throws(StoreError) -> IdempotencyRecord? {
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in try db.query(StoreSQL.idempotencyRecord, [key]) { $0.string(at: 0) } }
        guard let row = rows.first else { return nil }
        return try decode(IdempotencyRecord.self, row, "idempotency key '\(key)'")
    }

    // MARK: Outbox

    /// Claims the oldest claimable messages in one immediate transaction.
    ///
    /// The write lock taken at `BEGIN IMMEDIATE` stands in for `SKIP LOCKED`:
    /// a second claimer waits until this claim commits and then sees these
    /// messages as leased.
    public func claimOutbox(_ claim: OutboxClaim) throws(StoreError) -> [OutboxMessage] {
        guard claim.limit > 0 else { return [] }
        return try write { (db: SQLiteConnection) throws(StoreError) in
            let rows = try db.query(StoreSQL.claimable, [Self.milliseconds(claim.now), claim.limit]) { ($0.int64(at: 0), $0.string(at: 1)) }
            var claimed: [OutboxMessage] = []
            for (position, text) in rows {
                var message = try decode(OutboxMessage.self, text, "an outbox message")
                message.claimedBy = claim.claimer
                message.leaseUntil = claim.now.addingTimeInterval(claim.lease)
                // A count, not an identity: it stops at the largest value rather than overflowing.
                if message.attempts < .max { message.attempts += 1 }
                try db.change(StoreSQL.updateDelivery, try deliveryColumns(message) + [position])
                claimed.append(message)
            }
            return claimed
        }
    }

    /// Marks delivered the listed messages the claimer holds and has not acknowledged; returns how many.
    public func acknowledgeOutbox(ids: [String], claimer: String, at: Date) throws(StoreError) -> Int {
        try write { (db: SQLiteConnection) throws(StoreError) in
            var count = 0
            for id in ids {
                for (position, text) in try db.query(StoreSQL.heldMessage, [id, claimer], { ($0.int64(at: 0), $0.string(at: 1)) }) {
                    var message = try decode(OutboxMessage.self, text, "outbox message '\(id)'")
                    message.deliveredAt = at
                    try db.change(StoreSQL.updateDelivery, try deliveryColumns(message) + [position])
                    count += 1
                }
            }
            return count
        }
    }

    /// A page of the outbox, for one case or all, in commit order; the cursor holds the last message's position.
    public func outbox(caseID: String?, page: PageRequest) throws(StoreError) -> Page<OutboxMessage> {
        if let problem = page.problem { throw .invalidPage(problem) }
        let after = try page.after.map { (cursor: PageCursor) throws(StoreError) in try cursor.number() } ?? 0
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in
            if let caseID {
                try db.query(StoreSQL.caseMessages, [caseID, after, page.limit + 1]) { ($0.int64(at: 0), $0.string(at: 1)) }
            } else {
                try db.query(StoreSQL.allMessages, [after, page.limit + 1]) { ($0.int64(at: 0), $0.string(at: 1)) }
            }
        }
        let placed = try rows.map { (row: (Int64?, String?)) throws(StoreError) in
            (position: row.0 ?? 0, message: try decode(OutboxMessage.self, row.1, "an outbox message"))
        }
        let slice = Self.page(placed, limit: page.limit) { PageCursor(key: ["\($0.position)"]) }
        return Page(items: slice.items.map(\.message), next: slice.next)
    }

    /// The columns of a new message row (``StoreSQL/insertMessage``).
    fileprivate func messageColumns(_ message: OutboxMessage) throws(StoreError) -> [any SQLiteBindable] {
        [message.id, message.caseID, Self.milliseconds(message.createdAt)] + (try deliveryColumns(message))
    }

    /// The delivery state and the whole message, as ``StoreSQL/updateDelivery`` and ``StoreSQL/insertMessage`` take them.
    private func deliveryColumns(_ message: OutboxMessage) throws(StoreError) -> [any SQLiteBindable] {
        [
            message.claimedBy, message.leaseUntil.map(Self.milliseconds), message.deliveredAt.map(Self.milliseconds),
            message.attempts, try json(message, "outbox message '\(message.id)'"),
        ]
    }

    // MARK: Definitions

    /// The stored definition version.
    public func definition(kind: String, id: String, version: Int) throws(StoreError) -> StoredDefinition? {
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in
            try db.query(StoreSQL.definition, [kind, id, version]) { ($0.string(at: 0), $0.string(at: 1)) }
        }
        guard let (fingerprint, content) = rows.first else { return nil }
        guard let fingerprint, let content else { throw .failed("\(kind) '\(id)' version \(version) is stored incomplete") }
        return StoredDefinition(kind: kind, id: id, version: version, fingerprint: fingerprint, content: content)
    }

    /// Stores a definition version once; the same fingerprint again is a no-op, another is refused.
    public func record(_ definition: StoredDefinition) throws(StoreError) {
        try write { (db: SQLiteConnection) throws(StoreError) in
            let key: [any SQLiteBindable] = [definition.kind, definition.id, definition.version]
            guard try db.change(StoreSQL.insertDefinition, key + [definition.fingerprint, definition.content]) == 0 else { return }
            let stored = try db.query(StoreSQL.definition, key) { $0.string(at: 0) }.first
            if stored != definition.fingerprint {
                throw .definitionChanged(kind: definition.kind, id: definition.id, version: definition.version)
            }
        }
    }

    // MARK: Plumbing

    /// Runs reads on the reading connection (each statement sees one consistent snapshot of what is committed).
    func read<T>(_ body: (SQLiteConnection) throws(StoreError) -> sending T) throws(StoreError) -> sending T {
        try reader.withConnection(body)
    }

    /// Runs `body` in one immediate transaction: all of it is written, or none. A store opened to read refuses.
    func write<T>(_ body: (SQLiteConnection) throws(StoreError) -> sending T) throws(StoreError) -> sending T {
        guard options.access != .readOnly else { throw .readOnly(path: path) }
        return try database.transaction(kind: .immediate, body)
    }

    /// `date` as whole milliseconds since 1970, the unit of every time column (out-of-range instants are clamped).
    static func milliseconds(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded()
        if value.isNaN { return 0 }
        return Int64(exactly: value) ?? (value > 0 ? .max : .min)
    }

    /// The `StoredJSON` text of `value`.
    func json<T: Encodable>(_ value: T, _ what: @autoclosure () -> String) throws(StoreError) -> String {
        try Self.text(StoredJSON.encode(value), what)
    }

    /// The `StoredJSON` text of a row with a canonical writer, chosen where the row's type is known
    /// (`StoredJSON.encode` for such a type): every row a commit writes, encoded without asking the runtime about its type.
    func json<T: Encodable & CanonicallyWritable>(_ value: T, _ what: @autoclosure () -> String) throws(StoreError) -> String {
        try Self.text(StoredJSON.encode(value), what)
    }

    /// `data` as text; empty bytes, which StoredJSON gives for what JSON cannot hold (an infinite or NaN number), are refused.
    private static func text(_ data: Data, _ what: () -> String) throws(StoreError) -> String {
        guard !data.isEmpty else { throw .failed("\(what()) cannot be written as JSON") }
        return String(decoding: data, as: UTF8.self)
    }

    /// Decodes a JSON column, which the schema makes NOT NULL.
    func decode<T: Decodable>(_ type: T.Type, _ text: String?, _ what: @autoclosure () -> String) throws(StoreError) -> T {
        try Self.decoded(text, what) { try StoredJSON.decode(type, from: $0) }
    }

    /// Decodes a JSON column of a type with a canonical reader (a case record), chosen where the row's type is known
    /// (`StoredJSON.decode` for such a type): read without asking the runtime about its type.
    func decode<T: Decodable & CanonicallyReadable>(_ type: T.Type, _ text: String?, _ what: @autoclosure () -> String) throws(StoreError) -> T {
        try Self.decoded(text, what) { try StoredJSON.decode(type, from: $0) }
    }

    /// `text` read by `read`; no text, or text `read` refuses, is a ``StoreError/failed(_:)`` naming `what`.
    private static func decoded<T>(_ text: String?, _ what: () -> String, _ read: (Data) throws -> T) throws(StoreError) -> T {
        guard let text else { throw .failed("\(what()) is stored empty") }
        do {
            return try read(Data(utf8Of: text))
        } catch {
            throw .failed("\(what()) cannot be read back: \(error)")
        }
    }
}

extension StoreError {
    /// What a ``StoreError/failed(_:)`` says, without the "the database failed" that frames it; otherwise the whole description.
    var failureDetail: String {
        if case .failed(let detail) = self { return detail }
        return description
    }
}

extension StoreError: SQLiteErrorConvertible {
    /// Translates an SQLite failure: a lock held past the busy timeout is ``StoreError/busy(_:)``, anything else ``StoreError/failed(_:)`` with SQLite's message and statement.
    public init(_ error: SQLiteError) {
        self = error.isBusy ? .busy(error.message) : .failed(error.description)
    }
}

extension SQLiteConnection {
    /// Runs a write from the cache, reporting failures as store errors; when a primary or unique key is taken, throws `duplicate` instead.
    /// `duplicate` is worked out only then: its wording (an event's or message's name) costs a string each row otherwise.
    @discardableResult
    func change(_ sql: String, _ arguments: [any SQLiteBindable], ifTaken duplicate: @autoclosure () -> StoreError? = nil) throws(StoreError) -> Int {
        do throws(SQLiteError) {
            return try run(sql, arguments)
        } catch {
            if error.isUniquenessViolation, let duplicate = duplicate() { throw duplicate }
            throw StoreError(error)
        }
    }

    /// Runs a query from the cache, reporting failures as store errors.
    func query<Row>(_ sql: String, _ arguments: [any SQLiteBindable], _ read: (SQLiteStatement) -> Row) throws(StoreError) -> [Row] {
        do throws(SQLiteError) {
            return try rows(sql, arguments, read)
        } catch {
            throw StoreError(error)
        }
    }
}

/// One change's rows, encoded before the transaction opens (by the caller, for a group committer's batch) so the
/// write itself is only SQL.
struct PreparedChange: Sendable {
    let change: CaseChange
    /// The record as its row stores it: kept with the record once the change lands (``KnownRecords``).
    let recordText: String
    let caseColumns: [any SQLiteBindable]
    let events: [[any SQLiteBindable]]
    let messages: [[any SQLiteBindable]]
    let key: (IdempotencyRecord, String)?
    let documents: [[any SQLiteBindable]]

    init(_ change: CaseChange, store: SQLiteCaseStore) throws(StoreError) {
        self.change = change
        let record = change.record
        let id = record.id
        recordText = try store.json(record, "case '\(id)'")
        caseColumns = [record.workflow, record.workflowVersion, record.state, record.revision, SQLiteCaseStore.milliseconds(record.updatedAt), recordText]
        events = try change.events.map { (event: AuditEvent) throws(StoreError) in
            [id, event.sequence, event.hash, try store.json(event, "audit event \(event.sequence) of case '\(id)'")]
        }
        messages = try change.outbox.map { (message: OutboxMessage) throws(StoreError) in try store.messageColumns(message) }
        key = try change.idempotency.map { (key: IdempotencyRecord) throws(StoreError) in (key, try store.json(key, "idempotency key '\(key.key)'")) }
        documents = try store.documentColumns(change.documents)
    }

    /// Writes the change inside an open transaction: the revision check, audit, outbox, key and alarms.
    func write(to db: SQLiteConnection) throws(StoreError) {
        let id = change.record.id
        if let expected = change.expectedRevision {
            if try db.change(StoreSQL.updateCase, caseColumns + [id, expected]) == 0 {
                let actual = try db.query(StoreSQL.caseRevision, [id]) { $0.int(at: 0) }.first
                guard let actual, let actual else { throw .caseNotFound(id) }
                throw .revisionConflict(caseID: id, expected: expected, actual: actual)
            }
        } else {
            try db.change(StoreSQL.insertCase, [id] + caseColumns, ifTaken: .caseExists(id))
            if let child = change.record.child { try db.change(ChildSQL.insertChildCase, [id, child]) }
        }
        for (event, columns) in zip(change.events, events) {
            try db.change(StoreSQL.insertEvent, columns, ifTaken: .duplicate("audit event \(event.sequence) of case '\(id)'"))
        }
        for (message, columns) in zip(change.outbox, messages) {
            try db.change(StoreSQL.insertMessage, columns, ifTaken: .duplicate("outbox message '\(message.id)'"))
        }
        if let (record, text) = key {
            try db.change(StoreSQL.insertIdempotency, [record.key, text], ifTaken: .duplicate("idempotency key '\(record.key)'"))
        }
        try db.change(StoreSQL.deleteAlarms, [id])
        for alarm in change.alarms {
            try db.change(StoreSQL.insertAlarm, [id, alarm.deadline, alarm.kind, SQLiteCaseStore.milliseconds(alarm.dueAt)],
                          ifTaken: .duplicate("alarm '\(alarm.kind)' of deadline '\(alarm.deadline)' of case '\(id)'"))
        }
        try SQLiteCaseStore.writeDocuments(change, columns: documents, to: db)
    }
}

/// Definition snapshots: each stored once, by fingerprint, as references to rows of `definitions`.
extension SQLiteCaseStore {
    /// Stores the snapshot once in one immediate transaction, after checking every member is stored with its fingerprint.
    public func record(_ snapshot: DefinitionSnapshot) throws(StoreError) {
        try write { (db: SQLiteConnection) throws(StoreError) in
            guard try db.change(StoreSQL.insertSnapshot, [snapshot.fingerprint]) == 1 else { return }
            for member in snapshot.members {
                let stored = try db.query(StoreSQL.definition, [member.kind, member.id, member.version]) { $0.string(at: 0) }.first
                guard stored == member.fingerprint else { throw .snapshotIncomplete(snapshot: snapshot.fingerprint, missing: member) }
                try db.change(StoreSQL.insertSnapshotMember, [snapshot.fingerprint, member.kind, member.id, member.version])
            }
        }
    }

    /// The stored snapshot with this fingerprint, its members read with their fingerprints.
    public func snapshot(fingerprint: String) throws(StoreError) -> DefinitionSnapshot? {
        let members = try read { (db: SQLiteConnection) throws(StoreError) in
            try db.query(StoreSQL.snapshotMembers, [fingerprint]) { Self.version($0, from: 0) }
        }
        guard !members.isEmpty else { return nil }
        return try Self.checked(fingerprint, members)
    }

    /// Every stored snapshot, in the order first stored.
    public func snapshots() throws(StoreError) -> [DefinitionSnapshot] {
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in
            try db.query(StoreSQL.allSnapshotMembers, []) { ($0.string(at: 0), Self.version($0, from: 1)) }
        }
        var order: [String] = []
        var members: [String: [DefinitionVersion?]] = [:]
        for (fingerprint, member) in rows {
            guard let fingerprint else { throw .failed("a definition snapshot is stored without its fingerprint") }
            if members[fingerprint] == nil { order.append(fingerprint) }
            members[fingerprint, default: []].append(member)
        }
        return try order.map { (fingerprint: String) throws(StoreError) in try Self.checked(fingerprint, members[fingerprint] ?? []) }
    }

    /// Every stored definition version, sorted.
    public func definitionVersions() throws(StoreError) -> [DefinitionVersion] {
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in
            try db.query(StoreSQL.definitionVersions, []) { Self.version($0, from: 0) }
        }
        return try rows.map { (row: DefinitionVersion?) throws(StoreError) in
            guard let row else { throw .failed("a definition version is stored incomplete") }
            return row
        }.sorted()
    }

    /// The definition version in four columns of a row, starting at `first` (kind, id, version, fingerprint).
    private static func version(_ row: SQLiteStatement, from first: Int) -> DefinitionVersion? {
        guard let kind = row.string(at: first), let id = row.string(at: first + 1), let version = row.int(at: first + 2),
            let fingerprint = row.string(at: first + 3)
        else { return nil }
        return DefinitionVersion(kind: kind, id: id, version: version, fingerprint: fingerprint)
    }

    /// The snapshot of `members`, refused when a row is incomplete or the members no longer give `fingerprint`.
    private static func checked(_ fingerprint: String, _ members: [DefinitionVersion?]) throws(StoreError) -> DefinitionSnapshot {
        let complete = members.compactMap { $0 }
        let snapshot = DefinitionSnapshot(members: complete)
        guard complete.count == members.count, snapshot.fingerprint == fingerprint else {
            throw .failed("definition snapshot \(fingerprint) is stored damaged: its members do not give its fingerprint")
        }
        return snapshot
    }
}

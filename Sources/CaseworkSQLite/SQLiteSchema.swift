import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime

/// The store's schema: one SQL script per version, applied forward only.
///
/// The file's version is `PRAGMA user_version`; version N is the state after
/// the first N scripts. A script is never edited once released: a change to the
/// schema is a new script at the end. Opening a file for writing runs the
/// scripts it lacks, all in one immediate transaction that first reads the
/// version again under the write lock, so two processes creating one file at
/// once cannot both migrate it, and the second finds it done.
enum SQLiteSchema {
    /// `PRAGMA application_id` of a Casework store (the bytes `CWRK`), so a file made by something else is recognised and refused.
    static let applicationID: Int32 = 0x4357_524B

    /// The migration scripts, oldest first.
    static let migrations: [String] = [version1, version2, version3, version4, version5, version6, version7]

    /// The version this build writes and reads.
    static var latestVersion: Int { migrations.count }

    /// Version 1: cases, their audit chain, the outbox, idempotency keys and definition versions.
    ///
    /// Values a query filters or orders by are columns; the rest of each record is
    /// its `StoredJSON` text, which is what is read back. Times in columns are
    /// integer milliseconds since 1970. Tables are `STRICT`, so a value of the
    /// wrong type is an error rather than silently stored.
    private static let version1 = """
        PRAGMA application_id = \(applicationID);

        -- One row per case. `record` is the whole CaseRecord; the other columns copy
        -- the parts queries use and are written from the same value in the same statement.
        CREATE TABLE cases (
            id TEXT NOT NULL PRIMARY KEY,
            workflow TEXT NOT NULL,
            workflow_version INTEGER NOT NULL,
            state TEXT NOT NULL,
            revision INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            record TEXT NOT NULL
        ) STRICT;

        -- The audit chain: append-only evidence, so updates and deletes are refused.
        CREATE TABLE audit_events (
            case_id TEXT NOT NULL REFERENCES cases (id),
            sequence INTEGER NOT NULL,
            hash TEXT NOT NULL,
            event TEXT NOT NULL,
            PRIMARY KEY (case_id, sequence)
        ) STRICT;

        CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

        CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

        -- Notifications. `position` is the commit order, which is the order messages
        -- are claimed and listed in (an INTEGER PRIMARY KEY is a stable rowid that
        -- VACUUM keeps). `message` is the whole OutboxMessage, rewritten with the
        -- delivery columns whenever a claim or acknowledgement changes them. No foreign
        -- key to cases: the protocol, like the in-memory store, lets a message name any case.
        CREATE TABLE outbox (
            position INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            case_id TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            claimed_by TEXT,
            lease_until INTEGER,
            delivered_at INTEGER,
            attempts INTEGER NOT NULL,
            message TEXT NOT NULL
        ) STRICT;

        -- Claims walk the undelivered messages in order; delivered ones leave the index.
        CREATE INDEX outbox_undelivered ON outbox (position) WHERE delivered_at IS NULL;

        CREATE INDEX outbox_by_case ON outbox (case_id, position);

        -- What a change made under an idempotency key produced.
        CREATE TABLE idempotency (
            key TEXT NOT NULL PRIMARY KEY,
            record TEXT NOT NULL
        ) STRICT;

        -- Every definition version cases were started on; a version never changes once stored.
        CREATE TABLE definitions (
            kind TEXT NOT NULL,
            id TEXT NOT NULL,
            version INTEGER NOT NULL,
            fingerprint TEXT NOT NULL,
            content TEXT NOT NULL,
            PRIMARY KEY (kind, id, version)
        ) STRICT;

        CREATE TRIGGER definitions_no_update BEFORE UPDATE ON definitions
        BEGIN SELECT RAISE(ABORT, 'a stored definition version never changes'); END;

        CREATE TRIGGER definitions_no_delete BEFORE DELETE ON definitions
        BEGIN SELECT RAISE(ABORT, 'a stored definition version never changes'); END;
        """

    /// Version 2: the due-time index of deadline alarms, so `tick` reads what is due, not every case.
    private static let version2 = """
        CREATE TABLE deadline_alarms (
            case_id TEXT NOT NULL,
            deadline TEXT NOT NULL,
            kind TEXT NOT NULL,
            due_at INTEGER NOT NULL,
            PRIMARY KEY (case_id, deadline, kind)
        ) STRICT;

        CREATE INDEX deadline_alarms_due ON deadline_alarms (due_at, case_id, deadline, kind);
        """

    /// Version 3: definition snapshots, the whole definition set a case runs on, stored once by fingerprint as
    /// references to the definition versions already in `definitions` (never their texts again). Like definitions,
    /// a snapshot never changes once stored.
    private static let version3 = """
        -- One row per snapshot; `position` is the order snapshots were first stored in.
        CREATE TABLE definition_snapshots (
            position INTEGER PRIMARY KEY,
            fingerprint TEXT NOT NULL UNIQUE
        ) STRICT;

        -- The definition versions of each snapshot: one of each kind and id.
        CREATE TABLE definition_snapshot_members (
            snapshot TEXT NOT NULL REFERENCES definition_snapshots (fingerprint),
            kind TEXT NOT NULL,
            id TEXT NOT NULL,
            version INTEGER NOT NULL,
            PRIMARY KEY (snapshot, kind, id),
            FOREIGN KEY (kind, id, version) REFERENCES definitions (kind, id, version)
        ) STRICT;

        CREATE TRIGGER definition_snapshots_no_update BEFORE UPDATE ON definition_snapshots
        BEGIN SELECT RAISE(ABORT, 'a stored definition snapshot never changes'); END;

        CREATE TRIGGER definition_snapshots_no_delete BEFORE DELETE ON definition_snapshots
        BEGIN SELECT RAISE(ABORT, 'a stored definition snapshot never changes'); END;

        CREATE TRIGGER definition_snapshot_members_no_update BEFORE UPDATE ON definition_snapshot_members
        BEGIN SELECT RAISE(ABORT, 'a stored definition snapshot never changes'); END;

        CREATE TRIGGER definition_snapshot_members_no_delete BEFORE DELETE ON definition_snapshot_members
        BEGIN SELECT RAISE(ABORT, 'a stored definition snapshot never changes'); END;
        """

    /// Version 4: the portal messages a claim may take, indexed apart from the notices owed by another route, which stay
    /// undelivered until staff send them outside the portal and would otherwise be walked by every claim. The condition
    /// is the claim query's own (``StoreSQL/claimable``), so the planner uses the index; a message written before
    /// channels has none and is a portal message.
    private static let version4 = """
        CREATE INDEX outbox_claimable ON outbox (position)
        WHERE delivered_at IS NULL AND coalesce(json_extract(message, '$.channel'), 'portal') = 'portal';
        """

    /// Version 5, documents (issue 17): each version's metadata, and the bytes by content hash, stored once; both
    /// append-only.
    private static let version5 = """
        CREATE TABLE document_versions (
            case_id TEXT NOT NULL REFERENCES cases (id),
            kind TEXT NOT NULL,
            version INTEGER NOT NULL,
            revision INTEGER NOT NULL,
            document TEXT NOT NULL,
            PRIMARY KEY (case_id, kind, version)
        ) STRICT;

        CREATE TABLE blobs (
            sha256 TEXT NOT NULL PRIMARY KEY,
            bytes BLOB NOT NULL
        ) STRICT;

        CREATE TRIGGER document_versions_no_update BEFORE UPDATE ON document_versions
        BEGIN SELECT RAISE(ABORT, 'document versions are append-only'); END;

        CREATE TRIGGER document_versions_no_delete BEFORE DELETE ON document_versions
        BEGIN SELECT RAISE(ABORT, 'document versions are append-only'); END;

        CREATE TRIGGER blobs_no_update BEFORE UPDATE ON blobs
        BEGIN SELECT RAISE(ABORT, 'stored document bytes never change'); END;

        CREATE TRIGGER blobs_no_delete BEFORE DELETE ON blobs
        BEGIN SELECT RAISE(ABORT, 'stored document bytes never change'); END;
        """

    /// Version 6, child records (issue 17): each child's record and its own audit chain (append-only), and which child
    /// each case opened for one belongs to (written with the case's opening, never changed). Adds tables only; no
    /// existing row changes: a case stored before has no child, which is what it meant when it was written.
    private static let version6 = """
        CREATE TABLE children (
            id TEXT NOT NULL PRIMARY KEY,
            revision INTEGER NOT NULL,
            audit_head TEXT NOT NULL,
            record TEXT NOT NULL
        ) STRICT;

        CREATE TABLE child_audit (
            child_id TEXT NOT NULL REFERENCES children (id),
            sequence INTEGER NOT NULL,
            hash TEXT NOT NULL,
            event TEXT NOT NULL,
            PRIMARY KEY (child_id, sequence)
        ) STRICT;

        CREATE TRIGGER child_audit_no_update BEFORE UPDATE ON child_audit
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

        CREATE TRIGGER child_audit_no_delete BEFORE DELETE ON child_audit
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

        CREATE TABLE child_cases (
            case_id TEXT NOT NULL PRIMARY KEY REFERENCES cases (id),
            child_id TEXT NOT NULL
        ) STRICT;

        CREATE INDEX child_cases_by_child ON child_cases (child_id, case_id);

        CREATE TRIGGER child_cases_no_update BEFORE UPDATE ON child_cases
        BEGIN SELECT RAISE(ABORT, 'the child a case belongs to never changes'); END;

        CREATE TRIGGER child_cases_no_delete BEFORE DELETE ON child_cases
        BEGIN SELECT RAISE(ABORT, 'the child a case belongs to never changes'); END;
        """

    /// Version 7: the index of undelivered messages version 1 made is dropped. Since version 4 a claim walks
    /// `outbox_claimable`, and no other query looks messages up by whether they were delivered (a held message is found
    /// by its id), so the index was written with every message and read by nothing: one more B-tree, and one more page
    /// in the write-ahead log, in every durable fire that sends a notice (docs/performance.md, "Session 29"). No row
    /// changes; a file whose index is gone already (dropped by hand) migrates all the same.
    private static let version7 = """
        DROP INDEX IF EXISTS outbox_undelivered;
        """

    /// What the file says about itself: its schema version, its application id, and whether it has any tables.
    struct FileIdentity {
        var version: Int
        var applicationID: Int32
        var isEmpty: Bool
    }

    /// Reads the file's identity: the three reads run in one read transaction, so they see one snapshot.
    ///
    /// Read one by one, a file another process is creating could show its version still 0 and then its
    /// tables already there, and be refused as "not a Casework store".
    static func identity(of connection: SQLiteConnection) throws(SQLiteError) -> FileIdentity {
        try connection.transaction(kind: .deferred) { (connection: SQLiteConnection) throws(SQLiteError) in
            try identityInTransaction(of: connection)
        }
    }

    /// Reads the file's identity inside a transaction the caller holds.
    private static func identityInTransaction(of connection: SQLiteConnection) throws(SQLiteError) -> FileIdentity {
        let version = try connection.rows("PRAGMA user_version") { $0.int(at: 0) }.first ?? nil
        let application = try connection.rows("PRAGMA application_id") { $0.int64(at: 0) }.first ?? nil
        let objects = try connection.rows("SELECT count(*) FROM sqlite_schema") { $0.int(at: 0) }.first ?? nil
        return FileIdentity(version: version ?? 0, applicationID: Int32(truncatingIfNeeded: application ?? 0), isEmpty: (objects ?? 0) == 0)
    }

    /// Why this build cannot use a file with `identity`, or nil when it can.
    ///
    /// A file with no tables, no version and no application id is a store not yet created (a new file, or one
    /// another process is creating): writers create it, under the write lock (``migrate(_:path:)``); a reader
    /// finds no store there (``StoreError/missing(path:)``). Readers accept every version from 1 up to
    /// ``latestVersion`` without migrating: the migrations so far only add a table reads do not use
    /// (`deadline_alarms`, read only by `tick`, a writer) and an index (`outbox_claimable`, used by claims, which write).
    /// A migration that changes what reads use must make
    /// readers refuse the versions before it.
    static func refusal(_ identity: FileIdentity, path: String, reading: Bool = false) -> StoreError? {
        if identity.version > latestVersion {
            return .failed(
                "'\(path)' has schema version \(identity.version), newer than this build of Casework knows (up to \(latestVersion)); open it with a newer Casework"
            )
        }
        if identity.applicationID != 0 && identity.applicationID != applicationID {
            return .failed("'\(path)' is an SQLite database of another application (application_id \(identity.applicationID)), not a Casework store")
        }
        if identity.version == 0 && !identity.isEmpty {
            return .failed("'\(path)' already has tables but no Casework schema version; it is not a Casework store")
        }
        if reading && identity.version == 0 { return .missing(path: path) }
        return nil
    }

    /// Brings the file up to ``latestVersion`` inside one immediate transaction, re-reading its version under the write lock.
    static func migrate(_ connection: SQLiteConnection, path: String) throws(StoreError) {
        try connection.transaction(kind: .immediate) { (connection: SQLiteConnection) throws(StoreError) in
            let identity: FileIdentity
            do throws(SQLiteError) { identity = try SQLiteSchema.identityInTransaction(of: connection) } catch { throw StoreError(error) }
            if let refusal = refusal(identity, path: path) { throw refusal }
            for version in identity.version..<latestVersion {
                do throws(SQLiteError) {
                    try connection.execute(migrations[version])
                    try connection.execute("PRAGMA user_version = \(version + 1)")
                } catch {
                    if error.isBusy { throw StoreError(error) }
                    throw .failed("migrating '\(path)' to schema version \(version + 1) failed: \(error)")
                }
            }
        }
    }
}

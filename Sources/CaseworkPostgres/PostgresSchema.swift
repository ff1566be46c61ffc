import CaseworkStore

/// The store's schema in PostgreSQL: one SQL script per version, applied forward only.
///
/// The database's version and identity are rows of `casework_schema` (`application` = `casework`, `version` = N);
/// version N is the state after the first N scripts. A script is never edited once released: a change is a new
/// script at the end. Opening a store reads the identity and runs the scripts it lacks in one transaction that first
/// takes a transaction-scoped advisory lock (``migrationLock``), so several processes opening one database at once
/// queue there: the first migrates it, the others find it done.
///
/// Every table about a case carries `case_id` and every one of its primary and unique keys includes it, so the
/// tables can be distributed by `case_id` (Citus) unchanged; what must be unique across cases (a message id, an
/// idempotency key) is checked by a function under an advisory lock instead. `casework_schema`, `definitions` and the
/// definition snapshot tables hold no case data and would be reference tables. Text keys use the `"C"` collation, so
/// they sort byte for byte (the order Swift sorts the ids cases have, and the order cursors are compared in) whatever the
/// database's locale.
package enum PostgresSchema {
    /// The value of the `application` row: what tells a Casework store from another application's database.
    static let application = "casework"

    /// The advisory lock key pair migrations hold (`CWRK` as a number, then 1), released when the transaction ends.
    static let migrationLock: StaticString = "SELECT pg_advisory_xact_lock(1129796171, 1)"

    /// The migration scripts, oldest first. Constant text: no value is ever spliced into one.
    package static let migrations: [StaticString] = [version1, version2, version3, version4, version5, version6]

    /// The version this build writes and reads.
    package static var latestVersion: Int { migrations.count }

    /// Version 1: cases, their audit chain, the outbox, idempotency keys, the due index, definitions and snapshots.
    ///
    /// Values a query filters or orders by are columns; the rest of each record is its `StoredJSON` text, which is
    /// what is read back. Times in columns are integer milliseconds since 1970, as in the SQLite store.
    private static let version1: StaticString = """
        CREATE TABLE casework_schema (
            name text COLLATE "C" NOT NULL PRIMARY KEY,
            value text NOT NULL
        );
        INSERT INTO casework_schema (name, value) VALUES ('application', 'casework');

        -- Refuses the change a trigger guards, naming why (the trigger's argument).
        CREATE FUNCTION casework_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
        END
        $$;

        -- One row per case. `record` is the whole CaseRecord; the other columns copy
        -- the parts queries use and are written from the same value in the same statement.
        CREATE TABLE cases (
            case_id text COLLATE "C" NOT NULL PRIMARY KEY,
            workflow text NOT NULL,
            workflow_version bigint NOT NULL,
            state text NOT NULL,
            revision bigint NOT NULL,
            updated_at bigint NOT NULL,
            record text NOT NULL
        );

        -- The audit chain: append-only evidence. The triggers refuse UPDATE, DELETE and TRUNCATE for every role.
        CREATE TABLE audit_events (
            case_id text COLLATE "C" NOT NULL REFERENCES cases (case_id),
            sequence bigint NOT NULL,
            hash text NOT NULL,
            event text NOT NULL,
            PRIMARY KEY (case_id, sequence)
        );
        CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
            FOR EACH ROW EXECUTE FUNCTION casework_refuse_change('audit events are append-only');
        CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
            FOR EACH STATEMENT EXECUTE FUNCTION casework_refuse_change('audit events are append-only');

        -- Notifications. `position` is the order messages are claimed and listed in.
        -- `message` is the whole OutboxMessage, rewritten with the delivery columns whenever
        -- a claim or acknowledgement changes them; `channel` is read from it by the server.
        -- The primary key makes an id unique within its case, for distribution; version 5's
        -- `casework_insert_message` makes it unique across the store, as acknowledgement by id needs.
        CREATE TABLE outbox (
            case_id text COLLATE "C" NOT NULL,
            id text COLLATE "C" NOT NULL,
            position bigint GENERATED ALWAYS AS IDENTITY,
            created_at bigint NOT NULL,
            claimed_by text,
            lease_until bigint,
            delivered_at bigint,
            attempts bigint NOT NULL,
            message text NOT NULL,
            channel text GENERATED ALWAYS AS (coalesce(message::jsonb ->> 'channel', 'portal')) STORED,
            PRIMARY KEY (case_id, id)
        );
        CREATE INDEX outbox_by_position ON outbox (position);
        CREATE INDEX outbox_by_case ON outbox (case_id, position);
        CREATE INDEX outbox_by_id ON outbox (id);
        -- Claims walk the undelivered portal messages in order; the condition is the claim query's own.
        CREATE INDEX outbox_claimable ON outbox (position) WHERE delivered_at IS NULL AND channel = 'portal';

        -- What a change made under an idempotency key produced. The key is unique per case by
        -- the primary key, and across cases by the commit, which writes a key under an advisory
        -- lock on it after checking no case holds it.
        CREATE TABLE idempotency (
            case_id text COLLATE "C" NOT NULL,
            key text COLLATE "C" NOT NULL,
            record text NOT NULL,
            PRIMARY KEY (case_id, key)
        );
        CREATE INDEX idempotency_by_key ON idempotency (key);

        -- The due-time index of deadline alarms, so `tick` reads what is due, not every case.
        CREATE TABLE deadline_alarms (
            case_id text COLLATE "C" NOT NULL,
            deadline text COLLATE "C" NOT NULL,
            kind text COLLATE "C" NOT NULL,
            due_at bigint NOT NULL,
            PRIMARY KEY (case_id, deadline, kind)
        );
        CREATE INDEX deadline_alarms_due ON deadline_alarms (due_at, case_id, deadline, kind);

        -- Every definition version cases were started on; a version never changes once stored.
        CREATE TABLE definitions (
            kind text COLLATE "C" NOT NULL,
            id text COLLATE "C" NOT NULL,
            version bigint NOT NULL,
            fingerprint text NOT NULL,
            content text NOT NULL,
            PRIMARY KEY (kind, id, version)
        );
        CREATE TRIGGER definitions_never_change BEFORE UPDATE OR DELETE ON definitions
            FOR EACH ROW EXECUTE FUNCTION casework_refuse_change('a stored definition version never changes');

        -- Definition snapshots, stored once by fingerprint as references to definition versions;
        -- `position` is the order they were first stored in.
        CREATE TABLE definition_snapshots (
            fingerprint text COLLATE "C" NOT NULL PRIMARY KEY,
            position bigint GENERATED ALWAYS AS IDENTITY UNIQUE
        );
        CREATE TABLE definition_snapshot_members (
            snapshot text COLLATE "C" NOT NULL REFERENCES definition_snapshots (fingerprint),
            kind text COLLATE "C" NOT NULL,
            id text COLLATE "C" NOT NULL,
            version bigint NOT NULL,
            PRIMARY KEY (snapshot, kind, id),
            FOREIGN KEY (kind, id, version) REFERENCES definitions (kind, id, version)
        );
        CREATE TRIGGER definition_snapshots_never_change BEFORE UPDATE OR DELETE ON definition_snapshots
            FOR EACH ROW EXECUTE FUNCTION casework_refuse_change('a stored definition snapshot never changes');
        CREATE TRIGGER definition_snapshot_members_never_change BEFORE UPDATE OR DELETE ON definition_snapshot_members
            FOR EACH ROW EXECUTE FUNCTION casework_refuse_change('a stored definition snapshot never changes');
        """

    /// Version 2: the two checks a commit needs as statements that fail, so a whole commit can be sent as one
    /// pipeline (one round trip) and the first check that fails rolls all of it back.
    ///
    /// `casework_update_case` is the compare-and-set: it changes the case only at the expected revision and otherwise
    /// raises `WC409` (stale revision, or no such case; the store reads which afterwards). `casework_record_key`
    /// records an idempotency key under a transaction-scoped advisory lock on the key, after checking no case holds
    /// it, and otherwise raises `23505` (unique violation): the primary key is `(case_id, key)`, for distribution, so
    /// uniqueness across cases is this function's. Both run as the caller, with the caller's privileges.
    private static let version2: StaticString = """
        CREATE FUNCTION casework_update_case(
            p_case_id text, p_expected bigint, p_workflow text, p_workflow_version bigint, p_state text,
            p_revision bigint, p_updated_at bigint, p_record text
        ) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE cases SET workflow = p_workflow, workflow_version = p_workflow_version, state = p_state,
                revision = p_revision, updated_at = p_updated_at, record = p_record
            WHERE case_id = p_case_id AND revision = p_expected;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'the case is not at the expected revision' USING ERRCODE = 'WC409';
            END IF;
        END
        $$;

        CREATE FUNCTION casework_record_key(p_case_id text, p_key text, p_record text) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(hashtextextended(p_key, 0));
            IF EXISTS (SELECT 1 FROM idempotency WHERE key = p_key) THEN
                RAISE EXCEPTION 'the idempotency key is already recorded' USING ERRCODE = 'unique_violation';
            END IF;
            INSERT INTO idempotency (case_id, key, record) VALUES (p_case_id, p_key, p_record);
        END
        $$;
        """

    /// Documents (issue 17): each version's metadata, and the bytes by content hash, stored once; both append-only.
    private static let version3: StaticString = """
        CREATE TABLE document_versions (
            case_id text COLLATE "C" NOT NULL REFERENCES cases (case_id),
            kind text COLLATE "C" NOT NULL,
            version bigint NOT NULL,
            revision bigint NOT NULL,
            document text NOT NULL,
            PRIMARY KEY (case_id, kind, version)
        );
        CREATE TRIGGER document_versions_append_only BEFORE UPDATE OR DELETE ON document_versions
            FOR EACH ROW EXECUTE FUNCTION casework_refuse_change('document versions are append-only');
        CREATE TRIGGER document_versions_no_truncate BEFORE TRUNCATE ON document_versions
            FOR EACH STATEMENT EXECUTE FUNCTION casework_refuse_change('document versions are append-only');

        CREATE TABLE blobs (
            sha256 text COLLATE "C" NOT NULL PRIMARY KEY,
            bytes bytea NOT NULL
        );
        CREATE TRIGGER blobs_never_change BEFORE UPDATE OR DELETE ON blobs
            FOR EACH ROW EXECUTE FUNCTION casework_refuse_change('stored document bytes never change');
        CREATE TRIGGER blobs_no_truncate BEFORE TRUNCATE ON blobs
            FOR EACH STATEMENT EXECUTE FUNCTION casework_refuse_change('stored document bytes never change');
        """

    /// Version 4, child records (issue 17): each child's record and its own audit chain (append-only), which child each
    /// case opened for one belongs to (written with the case's opening, never changed), and the compare-and-set of a
    /// change to a child, as `casework_update_case` is a case's. Adds tables and a function only; no existing row
    /// changes: a case stored before has no child, which is what it meant when it was written. `child_cases` is keyed
    /// by `case_id`, so it distributes with the cases; `children` and `child_audit` by `child_id`.
    private static let version4: StaticString = """
        CREATE TABLE children (
            child_id text COLLATE "C" NOT NULL PRIMARY KEY,
            revision bigint NOT NULL,
            audit_head text NOT NULL,
            record text NOT NULL
        );

        CREATE TABLE child_audit (
            child_id text COLLATE "C" NOT NULL REFERENCES children (child_id),
            sequence bigint NOT NULL,
            hash text NOT NULL,
            event text NOT NULL,
            PRIMARY KEY (child_id, sequence)
        );
        CREATE TRIGGER child_audit_append_only BEFORE UPDATE OR DELETE ON child_audit
            FOR EACH ROW EXECUTE FUNCTION casework_refuse_change('audit events are append-only');
        CREATE TRIGGER child_audit_no_truncate BEFORE TRUNCATE ON child_audit
            FOR EACH STATEMENT EXECUTE FUNCTION casework_refuse_change('audit events are append-only');

        CREATE TABLE child_cases (
            case_id text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES cases (case_id),
            child_id text COLLATE "C" NOT NULL
        );
        CREATE INDEX child_cases_by_child ON child_cases (child_id, case_id);
        CREATE TRIGGER child_cases_never_change BEFORE UPDATE OR DELETE ON child_cases
            FOR EACH ROW EXECUTE FUNCTION casework_refuse_change('the child a case belongs to never changes');
        CREATE TRIGGER child_cases_no_truncate BEFORE TRUNCATE ON child_cases
            FOR EACH STATEMENT EXECUTE FUNCTION casework_refuse_change('the child a case belongs to never changes');

        CREATE FUNCTION casework_update_child(
            p_child_id text, p_expected bigint, p_revision bigint, p_audit_head text, p_record text
        ) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE children SET revision = p_revision, audit_head = p_audit_head, record = p_record
            WHERE child_id = p_child_id AND revision = p_expected;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'the child is not at the expected revision' USING ERRCODE = 'WC409';
            END IF;
        END
        $$;
        """

    /// Version 5: an outbox message id is unique across the store, as it is in the SQLite and in-memory stores, since
    /// messages are acknowledged by id alone. `casework_insert_message` writes a message under a transaction-scoped
    /// advisory lock on its id (seed 1, so message and idempotency locks rarely share a key), after checking no case
    /// holds the id, and otherwise raises `23505` (unique violation), as `casework_record_key` does for keys: the
    /// primary key stays `(case_id, id)`, for distribution. A database whose outbox already repeats an id across cases
    /// is refused, naming one such id, rather than upgraded to a store where an acknowledgement could mark two messages.
    private static let version5: StaticString = """
        DO $$
        DECLARE repeated text;
        BEGIN
            SELECT id INTO repeated FROM outbox GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'the outbox holds message id ''%'' for more than one case; message ids must be unique before this store can be upgraded', repeated
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
        END
        $$;

        CREATE FUNCTION casework_insert_message(
            p_case_id text, p_id text, p_created_at bigint, p_claimed_by text, p_lease_until bigint, p_delivered_at bigint,
            p_attempts bigint, p_message text
        ) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(hashtextextended(p_id, 1));
            IF EXISTS (SELECT 1 FROM outbox WHERE id = p_id) THEN
                RAISE EXCEPTION 'the outbox message id is already used' USING ERRCODE = 'unique_violation';
            END IF;
            INSERT INTO outbox (case_id, id, created_at, claimed_by, lease_until, delivered_at, attempts, message)
            VALUES (p_case_id, p_id, p_created_at, p_claimed_by, p_lease_until, p_delivered_at, p_attempts, p_message);
        END
        $$;
        """

    /// Version 6 (session 25): the outbox's `channel` is a column the store writes, no longer generated from the
    /// message's JSON, since rebuilding the generated column's expression and parsing every message as `jsonb` to read
    /// one key was the largest single cost of a fire the schema could remove (60,400 of the backend's 456,600
    /// instructions a grouped fire, ARCHITECTURE.md, "Schema version 6: the outbox's channel written by the store").
    ///
    /// `channel` keeps every row's value and loses its expression (`DROP EXPRESSION`, PostgreSQL 13 or later); it is
    /// `NOT NULL`, so a writer that leaves it out is refused rather than writing a message no claim would find. Every
    /// key stays as version 5 left it, each including `case_id`, and a message id stays unique across the store by
    /// `casework_insert_message`'s advisory lock and check: the new nine-parameter form writes the channel it is given,
    /// which is what this build calls; the eight-parameter form the previous build calls is redefined to pass on the
    /// channel read from the JSON as the generated column did, so a process of that build still running keeps
    /// writing messages after this one migrates the database. No existing row can fail the change, so nothing is
    /// checked first.
    private static let version6: StaticString = """
        ALTER TABLE outbox ALTER COLUMN channel DROP EXPRESSION;
        ALTER TABLE outbox ALTER COLUMN channel SET NOT NULL;

        CREATE FUNCTION casework_insert_message(
            p_case_id text, p_id text, p_created_at bigint, p_claimed_by text, p_lease_until bigint, p_delivered_at bigint,
            p_attempts bigint, p_message text, p_channel text
        ) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(hashtextextended(p_id, 1));
            IF EXISTS (SELECT 1 FROM outbox WHERE id = p_id) THEN
                RAISE EXCEPTION 'the outbox message id is already used' USING ERRCODE = 'unique_violation';
            END IF;
            INSERT INTO outbox (case_id, id, created_at, claimed_by, lease_until, delivered_at, attempts, message, channel)
            VALUES (p_case_id, p_id, p_created_at, p_claimed_by, p_lease_until, p_delivered_at, p_attempts, p_message, p_channel);
        END
        $$;

        -- What the previous build calls: the channel read from the message, as version 1's generated column read it.
        CREATE OR REPLACE FUNCTION casework_insert_message(
            p_case_id text, p_id text, p_created_at bigint, p_claimed_by text, p_lease_until bigint, p_delivered_at bigint,
            p_attempts bigint, p_message text
        ) RETURNS void LANGUAGE sql AS $$
            SELECT casework_insert_message(p_case_id, p_id, p_created_at, p_claimed_by, p_lease_until, p_delivered_at,
                                           p_attempts, p_message, coalesce(p_message::jsonb ->> 'channel', 'portal'))
        $$;
        """

    /// Whether the identity table exists, and how many tables the current schema holds.
    private static let identityProbe = """
        SELECT to_regclass('casework_schema') IS NOT NULL,
               (SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema())
        """

    /// The identity rows.
    private static let identityRows = "SELECT name, value FROM casework_schema"

    /// Records the version reached. (version)
    private static let setVersion = """
        INSERT INTO casework_schema (name, value) VALUES ('version', $1)
        ON CONFLICT (name) DO UPDATE SET value = excluded.value
        """

    /// Brings the database up to ``latestVersion`` in one transaction under ``migrationLock``, after checking it is
    /// a Casework store (or, with `.create`, an empty schema to make one in) of a version this build knows; `.readOnly`
    /// changes nothing and refuses a store that would need migrating.
    static func migrate(_ pool: PostgresPool, access: PostgresCaseStore.Options.Access) throws(StoreError) {
        try pool.transaction { (db: PostgresConnection) throws(StoreError) in
            let name = db.databaseName
            do throws(PostgresError) { try db.execute(migrationLock) } catch { throw StoreError(error) }
            let version = try currentVersion(db, name: name)
            if version == 0, access != .create { throw .missing(path: "PostgreSQL database '\(name)'") }
            if version < latestVersion, access == .readOnly {
                throw .failed("the PostgreSQL database '\(name)' has schema version \(version); a command that writes migrates it to \(latestVersion)")
            }
            for next in version..<latestVersion {
                do throws(PostgresError) {
                    try db.execute(migrations[next])
                    try db.run(setVersion, ["\(next + 1)"])
                } catch {
                    if error.isRetryable || error.isConnectionFailure { throw StoreError(error) }
                    throw .failed("migrating the PostgreSQL database '\(name)' to schema version \(next + 1) failed: \(error)")
                }
            }
        }
    }

    /// Grants `role` what the store does and nothing more: it reads everything, writes cases, claims and acknowledges
    /// notifications, replaces due alarms and records definitions, and may only append audit events and idempotency
    /// records. Run by the schema's owner after migrating; granting again changes nothing.
    static func grant(_ pool: PostgresPool, to role: String) throws(StoreError) {
        guard let first = role.first, first == "_" || first.isLowercase, role.count <= 63,
            role.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLowercase || $0.isNumber)) })
        else {
            throw .failed("'\(role)' is not a role name Casework grants to: use lower-case letters, digits and '_'")
        }
        try pool.transaction { (db: PostgresConnection) throws(StoreError) in
            do throws(PostgresError) {
                // The role travels as a parameter into the transaction's settings; the fixed block below quotes it
                // with format('%I'), so no statement is ever built from a value on this side.
                try db.run("SELECT set_config('casework.application_role', $1, true)", [role])
                try db.execute(grants)
            } catch {
                throw StoreError(error)
            }
        }
    }

    /// What the application role may do, granted to the role named by the transaction's `casework.application_role`.
    private static let grants: StaticString = """
        DO $grants$
        DECLARE
            role text := current_setting('casework.application_role');
            here text := current_schema();
        BEGIN
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', here, role);
            EXECUTE format('GRANT SELECT ON casework_schema TO %I', role);
            EXECUTE format('GRANT SELECT, INSERT, UPDATE ON cases TO %I', role);
            EXECUTE format('GRANT SELECT, INSERT ON audit_events TO %I', role);
            EXECUTE format('GRANT SELECT, INSERT, UPDATE ON outbox TO %I', role);
            EXECUTE format('GRANT SELECT, INSERT ON idempotency TO %I', role);
            EXECUTE format('GRANT SELECT, INSERT, DELETE ON deadline_alarms TO %I', role);
            EXECUTE format('GRANT SELECT, INSERT ON definitions, definition_snapshots, definition_snapshot_members TO %I', role);
            EXECUTE format('GRANT SELECT, INSERT ON document_versions, blobs TO %I', role);
            EXECUTE format('GRANT SELECT, INSERT, UPDATE ON children TO %I', role);
            EXECUTE format('GRANT SELECT, INSERT ON child_audit, child_cases TO %I', role);
            EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO %I', here, role);
        END
        $grants$
        """

    /// The database's schema version (0 for an empty schema), or why this build must not use it.
    private static func currentVersion(_ db: PostgresConnection, name: String) throws(StoreError) -> Int {
        let probe: [[String?]]
        do throws(PostgresError) { probe = try db.run(identityProbe).rows } catch { throw StoreError(error) }
        guard let row = probe.first, row.count == 2, let present = row[0], let tables = row[1].flatMap({ Int($0) }) else {
            throw .failed("the PostgreSQL database '\(name)' did not answer what it holds")
        }
        guard present == "t" else {
            if tables > 0 { throw .failed("the PostgreSQL database '\(name)' already has tables but no Casework schema; it is not a Casework store") }
            return 0
        }
        let rows: [[String?]]
        do throws(PostgresError) { rows = try db.run(identityRows).rows } catch { throw StoreError(error) }
        var values: [String: String] = [:]
        for row in rows { if row.count == 2, let key = row[0], let value = row[1] { values[key] = value } }
        guard values["application"] == application else {
            throw .failed("the PostgreSQL database '\(name)' has a casework_schema table of another application; it is not a Casework store")
        }
        guard let text = values["version"], let version = Int(text), version >= 1 else {
            throw .failed("the PostgreSQL database '\(name)' is a Casework store without a readable schema version")
        }
        if version > latestVersion {
            throw .failed(
                "the PostgreSQL database '\(name)' has schema version \(version), newer than this build of Casework knows (up to \(latestVersion)); open it with a newer Casework"
            )
        }
        return version
    }
}
